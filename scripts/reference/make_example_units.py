#!/usr/bin/env python3
"""Writes the `splitbench analyze` example data (deterministic, numpy default_rng(4004)):

- scenarios/examples/checkout-units.csv: one row per user of a 50/50 checkout experiment
  (unit, variant, checkout_completed 0/1, checkout_error 0/1, page_load_ms, revenue,
  revenue_pre = the same user's revenue in the 4 weeks before the experiment, for CUPED).
  True effects: completion 0.60 -> 0.65; no change in errors, page load or revenue per user
  beyond the completion effect.
- scenarios/examples/checkout-summary.csv: the same data as per-variant sufficient statistics
  (variant, metric, n, successes, sum, sum_of_squares).

    python3 scripts/reference/make_example_units.py
"""
import csv
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "scenarios/examples"
rng = np.random.default_rng(4004)
n = 4000
variant = np.where(rng.random(n) < 0.5, "control", "treatment")
treated = variant == "treatment"
completed = (rng.random(n) < np.where(treated, 0.65, 0.60)).astype(int)
error = (rng.random(n) < 0.02).astype(int)
page_load = np.round(rng.lognormal(np.log(800), 0.35, n), 1)
spend = rng.gamma(2.0, 20.0, n)  # a user's propensity to spend
revenue_pre = np.round(spend * rng.lognormal(0, 0.3, n), 2)
revenue = np.round(completed * spend * rng.lognormal(0, 0.3, n) * 1.6, 2)

OUT.mkdir(parents=True, exist_ok=True)
with open(OUT / "checkout-units.csv", "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["unit", "variant", "checkout_completed", "checkout_error", "page_load_ms", "revenue", "revenue_pre"])
    for i in range(n):
        w.writerow([f"u{i + 1:05d}", variant[i], completed[i], error[i], f"{page_load[i]:.1f}", f"{revenue[i]:.2f}",
                    f"{revenue_pre[i]:.2f}"])

with open(OUT / "checkout-summary.csv", "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["variant", "metric", "n", "successes", "sum", "sum_of_squares"])
    for v in ["control", "treatment"]:
        m = variant == v
        w.writerow([v, "checkout_completed", int(m.sum()), int(completed[m].sum()), "", ""])
        w.writerow([v, "checkout_error", int(m.sum()), int(error[m].sum()), "", ""])
        for name, col in [("page_load_ms", page_load), ("revenue", revenue)]:
            x = np.array([float(f"{v_:.2f}") for v_ in col[m]])
            w.writerow([v, name, int(m.sum()), "", repr(float(np.sum(x))), repr(float(np.sum(x * x)))])
print("wrote scenarios/examples/checkout-units.csv and checkout-summary.csv")
