#!/usr/bin/env python3
"""Transcribe GrowthBook's published SDK conformance cases into a SplitBench fixture (issue 15).

Reads GrowthBook's language-neutral conformance file `packages/sdk-js/test/cases.json`
(by default from the local mirror of github.com/growthbook/growthbook, else a path given as
the first argument) and writes Tests/AssignmentTests/Fixtures/growthbook-cases.json with the
sections SplitBench tests, each case as a named object:

  evalCondition    name, condition, attributes, expected, savedGroups
  getBucketRange   name, numVariations, coverage, weights (null = none), expected ranges
  chooseVariation  name, n, ranges, expected (-1 = none)
  inNamespace      name, id, namespace, start, end, expected
  getEqualWeights  name, n, expected
  hash             name, seed, value, version, expected (null = unsupported version)

The spec's `specVersion` is recorded in the fixture (and checked by the Swift tests). Case
names repeated in the spec get a " (2)", " (3)" … suffix so every case runs, and passes or
fails, under its own name; `specName` keeps the original. Values are copied, never computed.

Usage: python3 scripts/reference/growthbook_cases.py [path/to/cases.json]
"""
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests/AssignmentTests/Fixtures/growthbook-cases.json"
MIRROR = Path("/work/.mirror/growthbook+growthbook/repo")
SPEC_PATH = "packages/sdk-js/test/cases.json"


def load_spec(argv):
    if len(argv) > 1:
        return json.loads(Path(argv[1]).read_text()), f"file {argv[1]}"
    commit = subprocess.run(["git", "-C", str(MIRROR), "rev-parse", "HEAD"], check=True,
                            capture_output=True, text=True).stdout.strip()
    text = subprocess.run(["git", "-C", str(MIRROR), "show", f"HEAD:{SPEC_PATH}"], check=True,
                          capture_output=True, text=True).stdout
    return json.loads(text), f"github.com/growthbook/growthbook@{commit}:{SPEC_PATH}"


def unique_names(names):
    seen = Counter()
    out = []
    for n in names:
        seen[n] += 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out


def main(argv):
    spec, source = load_spec(argv)
    version = spec.get("specVersion")
    if not version:
        sys.exit("the spec has no specVersion")

    ev = spec["evalCondition"]
    names = unique_names([c[0] for c in ev])
    eval_cases = [{"name": n, "specName": c[0], "condition": c[1], "attributes": c[2], "expected": c[3],
                   "savedGroups": c[4] if len(c) > 4 else {}} for n, c in zip(names, ev)]

    br = spec["getBucketRange"]
    bucket_cases = [{"name": n, "specName": c[0], "numVariations": c[1][0], "coverage": c[1][1],
                     "weights": c[1][2], "expected": c[2]}
                    for n, c in zip(unique_names([c[0] for c in br]), br)]

    cv = spec["chooseVariation"]
    choose_cases = [{"name": n, "specName": c[0], "n": c[1], "ranges": c[2], "expected": c[3]}
                    for n, c in zip(unique_names([c[0] for c in cv]), cv)]

    ns = spec["inNamespace"]
    ns_cases = [{"name": n, "specName": c[0], "id": c[1], "namespace": c[2][0], "start": c[2][1], "end": c[2][2],
                 "expected": c[3]} for n, c in zip(unique_names([c[0] for c in ns]), ns)]

    eq_cases = [{"name": f"getEqualWeights({c[0]})", "n": c[0], "expected": c[1]} for c in spec["getEqualWeights"]]

    hash_cases = [{"name": f"hash(seed {c[0]!r}, value {c[1]!r}, version {c[2]})", "seed": c[0], "value": c[1],
                   "version": c[2], "expected": c[3]} for c in spec["hash"]]

    fixture = {
        "generator": "scripts/reference/growthbook_cases.py",
        "source": source,
        "specVersion": version,
        "note": "GrowthBook's published SDK conformance cases, transcribed; regenerate, never edit by hand.",
        "evalCondition": eval_cases,
        "getBucketRange": bucket_cases,
        "chooseVariation": choose_cases,
        "inNamespace": ns_cases,
        "getEqualWeights": eq_cases,
        "hash": hash_cases,
    }
    OUT.write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n")
    counts = ", ".join(f"{k} {len(fixture[k])}" for k in
                       ["evalCondition", "getBucketRange", "chooseVariation", "inNamespace", "getEqualWeights", "hash"])
    print(f"wrote {OUT.relative_to(ROOT)}: spec {version} ({counts})")


if __name__ == "__main__":
    main(sys.argv)
