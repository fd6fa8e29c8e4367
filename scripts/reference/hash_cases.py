#!/usr/bin/env python3
"""Golden vectors for the Assignment hash schemes (DESIGN.md section 3, issue 3).

Writes Tests/AssignmentTests/Fixtures/hash-cases.json: a language-neutral list of
[name, inputs, expected] cases, one per (scheme, salt, unit), computed here with
independent reference software:

  sha256         hashlib.sha256(f"{salt}:{unit}".encode()), int(hexdigest, 16) % 10000
  statsig        first 8 bytes of hashlib.sha256(f"{salt}.{unit}".encode()), big-endian, % 10000
  eppo           int(hashlib.md5(f"{salt}-{unit}".encode()).hexdigest()[:8], 16) % 10000
  optimizely     mmh3.hash(unit + salt, seed=1, signed=False); floor(h / 2**32 * 10000)
  growthbook_v1  fnv1a32(unit + salt) % 1000            (value = bucket / 1000)
  growthbook_v2  fnv1a32(str(fnv1a32(salt + unit))) % 10000  (value = bucket / 10000)

fnv1a32 is a direct reimplementation over UTF-16 code units (JavaScript charCodeAt),
as in GrowthBook's JS SDK. Note: GrowthBook's Python SDK iterates code points
(`ord(ch)`) instead, which differs for astral-plane characters such as emoji; the
cases below follow the JS SDK / DESIGN.md (UTF-16).

The script also checks its FNV implementation against the hash vectors GrowthBook
publishes in its SDK conformance suite and copies them into the fixture, with their
source, so the Swift tests check them too.

Regenerate:  python3 scripts/reference/hash_cases.py
"""
import hashlib
import json
import math
import pathlib
import platform
import ssl
import sys
from importlib.metadata import version as pkg_version

import mmh3

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/AssignmentTests/Fixtures/hash-cases.json"

# GrowthBook SDK conformance cases, "hash" section: [seed, value, hashVersion, expected].
# Source: github.com/growthbook/growthbook, packages/sdk-js/test/cases.json,
# specVersion 0.5.4 (commit 021bf498f75c8491c156184ca1b3a1fbafa1d64e; identical at
# commit 0cf0a65f719576bd4772a8986a9934266a0cb76d). Version 99 (unknown) is omitted.
GROWTHBOOK_SOURCE = ("github.com/growthbook/growthbook packages/sdk-js/test/cases.json "
                     "specVersion 0.5.4, commit 021bf498f75c8491c156184ca1b3a1fbafa1d64e, section \"hash\"")
GROWTHBOOK_PUBLISHED = [
    ["", "a", 1, 0.22],
    ["", "b", 1, 0.077],
    ["b", "a", 1, 0.946],
    ["ef", "d", 1, 0.652],
    ["asdf", "8952klfjas09ujk", 1, 0.549],
    ["", "123", 1, 0.011],
    ["", "___)((*\":&", 1, 0.563],
    ["seed", "a", 2, 0.0505],
    ["seed", "b", 2, 0.2696],
    ["foo", "ab", 2, 0.2575],
    ["foo", "def", 2, 0.2019],
    ["89123klj", "8952klfjas09ujkasdf", 2, 0.124],
    ["90850943850283058242805", "123", 2, 0.7516],
    ["()**(%$##$%#$#", "___)((*\":&", 2, 0.0128],
]


def fnv1a32_utf16(s: str) -> int:
    h = 0x811C9DC5
    data = s.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h ^= (data[i] << 8) | data[i + 1]
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def bucket(scheme: str, salt: str, unit: str) -> tuple[int, int]:
    """(bucket, bucket count) for one scheme."""
    if scheme == "sha256":
        return int(hashlib.sha256(f"{salt}:{unit}".encode()).hexdigest(), 16) % 10000, 10000
    if scheme == "statsig":
        d = hashlib.sha256(f"{salt}.{unit}".encode()).digest()
        return int.from_bytes(d[:8], "big") % 10000, 10000
    if scheme == "eppo":
        return int(hashlib.md5(f"{salt}-{unit}".encode()).hexdigest()[:8], 16) % 10000, 10000
    if scheme == "optimizely":
        h = mmh3.hash(unit + salt, seed=1, signed=False)
        return math.floor(h / 2**32 * 10000), 10000
    if scheme == "growthbook_v1":
        return fnv1a32_utf16(unit + salt) % 1000, 1000
    if scheme == "growthbook_v2":
        return fnv1a32_utf16(str(fnv1a32_utf16(salt + unit))) % 10000, 10000
    raise ValueError(scheme)


SCHEMES = ["sha256", "growthbook_v1", "growthbook_v2", "statsig", "eppo", "optimizely"]
SALTS = ["", "x7f2k", "exp-checkout-progress-bar", "séd-ü"]
UNITS = [
    ("empty", ""),
    ("a", "a"),
    ("user-42", "user-42"),
    ("user-abc123", "user-abc123"),
    ("digits", "1234567890"),
    ("spaces+punct", "u 1:2.3-4_5"),
    ("latin-1 Zoë", "Zoë"),
    ("CJK", "日本語ユーザー"),
    ("astral emoji", "user-😀-🚀"),
    ("long 300", "L" * 150 + "ü" * 50 + "x" * 100),
    ("long 64 ascii", "0123456789abcdef" * 4),
]


def main() -> None:
    for seed, value, ver, expected in GROWTHBOOK_PUBLISHED:
        scheme = "growthbook_v1" if ver == 1 else "growthbook_v2"
        b, n = bucket(scheme, seed, value)
        assert abs(b / n - expected) < 1e-12, (seed, value, ver, b / n, expected)

    cases = []
    for scheme in SCHEMES:
        for salt in SALTS:
            for label, unit in UNITS:
                b, n = bucket(scheme, salt, unit)
                cases.append([f"{scheme} salt={salt!r} unit={label}",
                              {"scheme": scheme, "salt": salt, "unit": unit},
                              {"bucket": b, "bucket_count": n}])
    for seed, value, ver, expected in GROWTHBOOK_PUBLISHED:
        scheme = "growthbook_v1" if ver == 1 else "growthbook_v2"
        cases.append([f"growthbook published v{ver} seed={seed!r} value={value!r}",
                      {"scheme": scheme, "salt": seed, "unit": value},
                      {"value": expected}])

    names = [c[0] for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    doc = {
        "spec": "splitbench assignment hash schemes",
        "spec_version": 1,
        "generated_by": "scripts/reference/hash_cases.py",
        "reference": {
            "python": platform.python_version(),
            "hashlib": ssl.OPENSSL_VERSION,
            "mmh3": pkg_version("mmh3"),
            "fnv1a32": "direct reimplementation over UTF-16 code units (this script)",
            "growthbook_published": GROWTHBOOK_SOURCE,
        },
        "note": "expected.bucket is exact; expected.value (GrowthBook published) is bucket / bucket_count, compared within 1e-12.",
        "cases": cases,
    }
    # One case per line, so a diff shows which case changed.
    body = json.dumps({k: v for k, v in doc.items() if k != "cases"}, ensure_ascii=False, indent=1)
    lines = ",\n  ".join(json.dumps(c, ensure_ascii=False) for c in cases)
    text = body[:-2] + ',\n "cases": [\n  ' + lines + "\n ]\n}\n"
    json.loads(text)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {len(cases)} cases to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
