#!/usr/bin/env python3
"""The reference A/A study of scripts/bench-aa, written with numpy (issue 5, "Reproducibility
and scale"): the same work per replication as `splitbench run scenarios/bench/aa-100k*.yaml`.

Per replication r (salt = "<scenario id>/<cell>/<r>", e.g. "bench.aa-100k/0/17"):
  - unit i (i = 0 .. N-1) has the id "u<i>";
  - its bucket is, for --scheme sha256 (the canonical scheme),
        int(hashlib.sha256(f"{salt}:{unit}".encode()).hexdigest(), 16) % 10000
    and for --scheme fnv (GrowthBook hash v2; FNV-1a 32 over UTF-16 code units, which equal
    the bytes here because the ids and salts are ASCII)
        fnv1a32(str(fnv1a32(salt + unit))) % 10000;
  - bucket < 5000 -> control, else treatment;
  - each unit draws one Bernoulli(p) outcome (numpy.random.default_rng, one generator per
    replication seeded with (seed, r));
then the pooled two-proportion z-test per replication (vectorised over replications at the
end); FPR = share of p-values < alpha.

How each scheme is computed:
  sha256  a Python loop over units is unavoidable with hashlib: `sha256(salt + ":")` is built
          once per replication and copied per unit, updated with the unit's precomputed id
          bytes; the 32-byte digests are joined and reduced mod 10000 in numpy (Horner over
          eight big-endian 32-bit words) rather than int.from_bytes(...) % 10000 per unit.
  fnv     fully vectorised with uint32 arrays: the inner FNV-1a state after the salt is a
          scalar; the ids, grouped by length (u0-u9, u10-u99, ...: that is unit order), are
          fixed-width uint32 rows folded in with in-place xor/multiply; the outer FNV-1a of
          the inner value's decimal string starts from a table of FNV states of every
          "high part" v // 100000 (built once, 42 950 entries) and folds in the five
          zero-padded low digits; v < 100000 (no high part) is handled by a masked slow path.

Timing: `in-script` covers everything after the interpreter has started (numpy import, id
precomputation, the replications and the z-test); `loop` only the replications and z-test.
The caller (scripts/bench-aa) measures the whole process as well.

Usage:
  aa_numpy.py [--scheme sha256|fnv] [--replications R] [--units N] [--seed S]
              [--scenario-id ID] [--cell C] [--baseline P] [--alpha A] [--json] [--self-check]
"""
import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import pathlib  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402

T_IMPORTED = time.perf_counter()

FNV_OFFSET = 2166136261
FNV_PRIME = 16777619
U32_OFFSET = np.uint32(FNV_OFFSET)
U32_PRIME = np.uint32(FNV_PRIME)
BUCKETS = 10000
DEFAULT_IDS = {"sha256": "bench.aa-100k", "fnv": "bench.aa-100k-fnv"}


# ---------------------------------------------------------------- scalar references (checks)

def fnv1a32_utf16(s: str, h: int = FNV_OFFSET) -> int:
    """FNV-1a 32 over the UTF-16 code units of s (JavaScript charCodeAt), from state h."""
    b = s.encode("utf-16-le")
    for k in range(0, len(b), 2):
        h = ((h ^ (b[k] | (b[k + 1] << 8))) * FNV_PRIME) & 0xFFFFFFFF
    return h


def bucket_sha256_ref(salt: str, unit: str) -> int:
    return int(hashlib.sha256(f"{salt}:{unit}".encode()).hexdigest(), 16) % BUCKETS


def bucket_gbv2_ref(salt: str, unit: str) -> int:
    return fnv1a32_utf16(str(fnv1a32_utf16(salt + unit))) % BUCKETS


# ---------------------------------------------------------------- sha256 (hashlib) buckets

def digests_mod_10000(buf: bytes) -> np.ndarray:
    """Each 32-byte digest in buf read as a 256-bit big-endian integer, mod 10000."""
    words = np.frombuffer(buf, dtype=">u4").reshape(-1, 8).astype(np.uint64)
    r = np.zeros(words.shape[0], dtype=np.uint64)
    for j in range(8):  # r < 10000, so (r << 32) | word < 2**46
        r = ((r << np.uint64(32)) | words[:, j]) % np.uint64(BUCKETS)
    return r


class Sha256Buckets:
    def __init__(self, ids: list):
        self.ids = [s.encode() for s in ids]

    def __call__(self, salt: str) -> np.ndarray:
        # The salt prefix is absorbed once; each unit copies that state (as the Swift
        # SaltedHasher does). Measured on this machine against sha256(prefix + id) per unit and
        # against int.from_bytes(...) % 10000 / int(hexdigest, 16) % 10000 per unit: within
        # noise of each other, this one the fastest.
        copy = hashlib.sha256((salt + ":").encode()).copy

        def digest(u: bytes) -> bytes:
            h = copy()
            h.update(u)
            return h.digest()

        return digests_mod_10000(b"".join(map(digest, self.ids)))


# ---------------------------------------------------------------- FNV (growthbook_v2) buckets

def fnv_fold(h: np.ndarray, codes: np.ndarray) -> None:
    """In place: h = FNV-1a step of h with each row of codes (one row per character position,
    contiguous; uint32 multiplication wraps silently)."""
    for j in range(codes.shape[0]):
        np.bitwise_xor(h, codes[j], out=h)
        np.multiply(h, U32_PRIME, out=h)


class FnvBuckets:
    def __init__(self, ids: list):
        # Ids grouped by length (ascending length = unit order for "u<i>"); per group one
        # contiguous uint32 row per character position.
        self.groups = []
        start = 0
        while start < len(ids):
            L = len(ids[start])
            end = start
            while end < len(ids) and len(ids[end]) == L:
                end += 1
            raw = "".join(ids[start:end]).encode("ascii")
            self.groups.append(np.ascontiguousarray(np.frombuffer(raw, dtype=np.uint8).reshape(end - start, L).T, dtype=np.uint32))
            start = end
        assert sum(g.shape[1] for g in self.groups) == len(ids)
        self.n = len(ids)
        # hi_state[h] = FNV-1a 32 of str(h) for h = 1 .. 42949 (2**32 - 1 = 42949_67295).
        hi = np.arange(42950, dtype=np.uint32)
        self.hi_state = self._fnv_decimal_slow(hi)
        self.inner = np.empty(self.n, dtype=np.uint32)
        self.lo_digits = np.empty((5, self.n), dtype=np.uint32)

    @staticmethod
    def _fnv_decimal_slow(v: np.ndarray) -> np.ndarray:
        """FNV-1a 32 of the decimal string of each v (no leading zeros), masked per digit."""
        out = np.full(v.shape, U32_OFFSET, dtype=np.uint32)
        started = np.zeros(v.shape, dtype=bool)
        for p in (10 ** k for k in range(9, -1, -1)):
            started |= v >= p
            if p == 1:
                started[:] = True
            d = (v // np.uint32(p)) % np.uint32(10) + np.uint32(48)
            stepped = (out ^ d) * U32_PRIME
            np.copyto(out, stepped, where=started)
        return out

    def __call__(self, salt: str) -> np.ndarray:
        s = fnv1a32_utf16(salt)  # scalar state after the salt
        inner = self.inner
        pos = 0
        for g in self.groups:
            h = inner[pos:pos + g.shape[1]]
            h.fill(s)
            fnv_fold(h, g)
            pos += g.shape[1]
        # Outer FNV of str(inner): state after the high digits, then five zero-padded low digits.
        hi = inner // np.uint32(100000)
        lo = inner - hi * np.uint32(100000)
        out = self.hi_state[hi]  # a new array
        d = self.lo_digits
        # Digit j = (lo // 10^(4-j)) - 10 * (lo // 10^(5-j)); numpy's floor_divide by a scalar is
        # SIMD (libdivide), its remainder is not.
        q = lo
        for j in range(4, -1, -1):
            q10 = q // np.uint32(10)
            np.subtract(q, q10 * np.uint32(10), out=d[j])
            q = q10
        d += np.uint32(48)
        fnv_fold(out, d)
        small = hi == 0  # inner < 100000: no high part, no zero padding (probability ~2e-5)
        if small.any():
            out[small] = self._fnv_decimal_slow(inner[small])
        return out - (out // np.uint32(BUCKETS)) * np.uint32(BUCKETS)


# ---------------------------------------------------------------- the study

def z_test_pvalues(nc, xc, nt, xt):
    """Two-sided p-values of the pooled two-proportion z-test, vectorised."""
    nc, xc, nt, xt = (np.asarray(a, dtype=float) for a in (nc, xc, nt, xt))
    pooled = (xc + xt) / (nc + nt)
    se = np.sqrt(pooled * (1 - pooled) * (1 / nc + 1 / nt))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (xt / nt - xc / nc) / se
    erfc = np.frompyfunc(math.erfc, 1, 1)
    p = erfc(np.abs(z) / math.sqrt(2)).astype(float)
    p[~np.isfinite(z)] = np.nan  # a replication that could not be analysed (se = 0)
    return p


def run(args) -> dict:
    t_setup = time.perf_counter()
    ids = [f"u{i}" for i in range(args.units)]
    buckets_of = Sha256Buckets(ids) if args.scheme == "sha256" else FnvBuckets(ids)
    scenario = args.scenario_id or DEFAULT_IDS[args.scheme]
    R = args.replications
    nc = np.empty(R, dtype=np.int64)
    xc = np.empty(R, dtype=np.int64)
    nt = np.empty(R, dtype=np.int64)
    xt = np.empty(R, dtype=np.int64)
    t_loop = time.perf_counter()
    t_hash = 0.0
    for r in range(R):
        th = time.perf_counter()
        b = buckets_of(f"{scenario}/{args.cell}/{r}")
        t_hash += time.perf_counter() - th
        control = b < 5000
        rng = np.random.default_rng([args.seed, r])
        y = rng.random(args.units) < args.baseline
        nc[r] = np.count_nonzero(control)
        xc[r] = np.count_nonzero(y & control)
        nt[r] = args.units - nc[r]
        xt[r] = np.count_nonzero(y) - xc[r]
    p = z_test_pvalues(nc, xc, nt, xt)
    t_end = time.perf_counter()
    ok = np.isfinite(p)
    rejections = int(np.count_nonzero(p[ok] < args.alpha))
    analysed = int(np.count_nonzero(ok))
    fpr = rejections / analysed if analysed else float("nan")
    mcse = math.sqrt(fpr * (1 - fpr) / analysed) if analysed else float("nan")
    loop = t_end - t_loop
    in_script = t_end - T0
    unit_reps = R * args.units
    return {
        "scheme": args.scheme,
        "scenario": scenario,
        "replications": R,
        "units": args.units,
        "unit_replications": unit_reps,
        "import_seconds": T_IMPORTED - T0,
        "setup_seconds": t_loop - t_setup,
        "hash_seconds": t_hash,
        "loop_seconds": loop,
        "in_script_seconds": in_script,
        "unit_replications_per_second_loop": unit_reps / loop,
        "unit_replications_per_second_in_script": unit_reps / in_script,
        "ns_per_unit_replication_loop": loop * 1e9 / unit_reps,
        "fpr": fpr,
        "fpr_mcse": mcse,
        "rejections": rejections,
        "analysed": analysed,
        "control_share": float(nc.sum() / (nc.sum() + nt.sum())),
        "conversion": float((xc.sum() + xt.sum()) / unit_reps),
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "openssl": __import__("ssl").OPENSSL_VERSION,
    }


def self_check(args) -> None:
    """The vectorised buckets against the scalar reference formulas and the golden fixture."""
    ids = [f"u{i}" for i in range(args.units)]
    picks = sorted(set(list(range(200)) + list(range(0, args.units, max(1, args.units // 300))) + [args.units - 1]))
    for scheme, vec, ref in (("sha256", Sha256Buckets, bucket_sha256_ref), ("fnv", FnvBuckets, bucket_gbv2_ref)):
        b = vec(ids)
        for r in (0, 17):
            salt = f"{args.scenario_id or DEFAULT_IDS[scheme]}/{args.cell}/{r}"
            got = b(salt)
            for i in picks:
                want = ref(salt, ids[i])
                if int(got[i]) != want:
                    sys.exit(f"self-check FAILED: {scheme} salt={salt} unit={ids[i]}: {int(got[i])} != {want}")
    # Inner values below 100000 (the masked slow path) and a few decimal-string edge cases.
    fb = FnvBuckets(["u0"])
    for v in (0, 7, 10, 99999, 100000, 100001, 4294967295, 1000000000):
        want = fnv1a32_utf16(str(v))
        got = int(fb._fnv_decimal_slow(np.array([v], dtype=np.uint32))[0])
        if got != want:
            sys.exit(f"self-check FAILED: fnv of decimal {v}: {got} != {want}")
    # Golden vectors shared with the Swift tests (ASCII cases only for the byte paths).
    fixture = pathlib.Path(__file__).resolve().parents[2] / "Tests/AssignmentTests/Fixtures/hash-cases.json"
    n = 0
    if fixture.exists():
        for name, inp, exp in json.loads(fixture.read_text())["cases"]:
            if inp.get("scheme") == "sha256":
                got = bucket_sha256_ref(inp["salt"], inp["unit"])
                if inp["unit"].isascii() and inp["salt"].isascii():
                    got = int(Sha256Buckets([inp["unit"]])(inp["salt"])[0])
            elif inp.get("scheme") == "growthbook_v2":
                got = bucket_gbv2_ref(inp["salt"], inp["unit"])
                if inp["unit"].isascii() and inp["salt"].isascii() and inp["unit"]:
                    got = int(FnvBuckets([inp["unit"]])(inp["salt"])[0])
            else:
                continue
            want = exp["bucket"] if "bucket" in exp else round(exp["value"] * BUCKETS)  # published: bucket / 10000
            if got != want:
                sys.exit(f"self-check FAILED: fixture case {name}: {got} != {want}")
            n += 1
    print(f"self-check ok: vectorised sha256 and fnv buckets match the scalar formulas on {len(picks)} units x 2 "
          f"replications; {n} fixture cases from {fixture.name} match")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scheme", choices=["sha256", "fnv"], default="fnv")
    ap.add_argument("--replications", type=int, default=1000)
    ap.add_argument("--units", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--scenario-id", default=None, help="default: bench.aa-100k (sha256), bench.aa-100k-fnv (fnv)")
    ap.add_argument("--cell", type=int, default=0)
    ap.add_argument("--baseline", type=float, default=0.10)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    ap.add_argument("--self-check", action="store_true", help="check the bucket code, then exit")
    args = ap.parse_args()
    if args.replications < 1 or args.units < 2:
        ap.error("need --replications >= 1 and --units >= 2")
    if args.self_check:
        self_check(args)
        return
    res = run(args)
    if args.json:
        print(json.dumps(res))
        return
    print(f"aa_numpy.py --scheme {res['scheme']}: {res['units']} units x {res['replications']} replications "
          f"({res['unit_replications']:.3g} unit-replications)")
    print(f"  wall (in-script, after interpreter start): {res['in_script_seconds']:.3f} s "
          f"(numpy import {res['import_seconds']:.3f} s, setup {res['setup_seconds']:.3f} s, "
          f"replications + z-test {res['loop_seconds']:.3f} s, of which hashing {res['hash_seconds']:.3f} s)")
    print(f"  unit-replications/s: {res['unit_replications_per_second_loop']:.4g} (replication loop), "
          f"{res['unit_replications_per_second_in_script']:.4g} (in-script); "
          f"{res['ns_per_unit_replication_loop']:.1f} ns per unit-replication")
    print(f"  FPR: {res['fpr']:.4f} ± {res['fpr_mcse']:.4f} (MCSE; {res['rejections']}/{res['analysed']} with p < "
          f"{args.alpha}); control share {res['control_share']:.4f}; conversion {res['conversion']:.4f}")


if __name__ == "__main__":
    main()
