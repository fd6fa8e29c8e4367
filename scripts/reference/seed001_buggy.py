#!/usr/bin/env python3
"""What the sample code in seeds/001 actually does, for the buggy-ranges fixture.

seeds/001's `assign_variant` (reproduced verbatim below) adds `allocation * 100` per variant
while buckets run 0..9999, so control gets buckets 0..49 and the fallback sends everything
else to the last variant. Tests/AssignmentTests/Fixtures/seed001-buggy-ranges.json models
that as explicit ranges control [0, 0.005), treatment [0.005, 1) with design weights 0.5/0.5.
This script writes seed001-buggy-cases.json: units and the variant the seed's code gives
them, so a test can show the fixture reproduces the code exactly.

Regenerate:  python3 scripts/reference/seed001_buggy.py
"""
import hashlib
import json
import pathlib
import platform

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/AssignmentTests/Fixtures/seed001-buggy-cases.json"


def assign_variant(user_id: str, experiment_id: str, variants: list[dict]) -> str:
    key = f"{experiment_id}:{user_id}"
    hash_val = int(hashlib.sha256(key.encode()).hexdigest(), 16)
    bucket = hash_val % 10000
    cumulative = 0
    for variant in variants:
        cumulative += variant["allocation"] * 100
        if bucket < cumulative:
            return variant["name"]
    return variants[-1]["name"]


VARIANTS = [{"name": "control", "allocation": 0.50}, {"name": "treatment", "allocation": 0.50}]
EXPERIMENT = "exp-checkout-progress-bar"


def main() -> None:
    cases = []
    control = treatment = 0
    for i in range(40000):
        unit = f"user-{i}"
        v = assign_variant(unit, EXPERIMENT, VARIANTS)
        # keep every control unit and every 200th treatment unit
        if v == "control" or i % 200 == 0:
            cases.append([unit, v])
        control += v == "control"
        treatment += v == "treatment"
    doc = {
        "generated_by": "scripts/reference/seed001_buggy.py",
        "reference": {"python": platform.python_version(), "code": "seeds/001 assign_variant, verbatim"},
        "experiment": EXPERIMENT,
        "counts_over_user_0_to_39999": {"control": control, "treatment": treatment},
        "cases": cases,
    }
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"{len(cases)} cases; control {control}, treatment {treatment}")


if __name__ == "__main__":
    main()
