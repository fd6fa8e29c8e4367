#!/usr/bin/env python3
"""Extracts rpact's group-sequential boundaries for equally spaced looks (K = 2..5; asOF, asP,
asKD with gamma 2) from the committed rpact fixture Tests/AnalysisTests/Fixtures/sequential.json
(written by scripts/reference/sequential.R) into scenarios/calibration/rpact-boundaries.json,
which `splitbench calibrate peeking` prints beside the boundaries SplitBench computes."""
import json
import pathlib

root = pathlib.Path(__file__).resolve().parents[2]
src = json.loads((root / "Tests/AnalysisTests/Fixtures/sequential.json").read_text())
rows = []
for d in src["designs"]:
    rates = d.get("informationRates") or []
    k = len(rates)
    equal = all(abs(r - (i + 1) / k) < 1e-12 for i, r in enumerate(rates))
    kind = d.get("typeOfDesign")
    if not equal or k < 2 or k > 5 or kind not in ("asOF", "asP", "asKD"):
        continue
    if kind == "asKD" and d.get("gammaA") != 2:
        continue
    if "userAlphaSpending" in d.get("call", "") or "asUser" in d.get("call", ""):
        continue
    name = {"asOF": "obf", "asP": "pocock", "asKD": "power2"}[kind]
    rows.append({"design": name, "looks": k, "criticalValues": d["criticalValues"], "call": d["call"]})
rows.sort(key=lambda r: (r["design"], r["looks"]))
out = {"generator": "scripts/reference/calibration_boundaries.py", "software": src["software"], "designs": rows}
(root / "scenarios/calibration/rpact-boundaries.json").write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {len(rows)} designs")
