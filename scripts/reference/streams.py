#!/usr/bin/env python3
"""Independent Python reimplementation of RandomStream's key derivation (SplitMix64 mixing of
seed and path) and of xoshiro256** (Blackman & Vigna's reference C code), writing the first
outputs of several streams to Tests/DistributionsTests/Fixtures/streams.json."""
import json
import pathlib

M = (1 << 64) - 1
OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/DistributionsTests/Fixtures/streams.json"


def mix64(x):
    z = (x + 0x9E3779B97F4A7C15) & M
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


def key(seed, path):
    h = mix64(seed ^ 0x53504C495442454E)
    for c in path:
        h = mix64(h ^ mix64((c + 0x9E3779B97F4A7C15) & M))
    return mix64((h + len(path)) & M)


def splitmix_state(k):
    s, x = [], k
    for _ in range(4):
        x = (x + 0x9E3779B97F4A7C15) & M
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        s.append(z ^ (z >> 31))
    return s


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M


def xoshiro(s, n):
    out = []
    for _ in range(n):
        out.append((rotl((s[1] * 5) & M, 7) * 9) & M)
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
    return out


cases = []
for seed, path in [(0, []), (42, [1, 2, 3]), (20261121, [7, 0, 99999]), (M, [M, 0]), (1, [0]), (1, [0, 0])]:
    k = key(seed, path)
    cases.append({"seed": str(seed), "path": [str(c) for c in path], "key": str(k),
                  "outputs": [str(v) for v in xoshiro(splitmix_state(k), 8)]})
OUT.write_text(json.dumps({"generator": "scripts/reference/streams.py (pure Python reference)", "cases": cases}, indent=1) + "\n")
print(f"wrote {len(cases)} streams to {OUT}")
