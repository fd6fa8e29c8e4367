#!/usr/bin/env python3
"""Reference values for power / sample size from statsmodels, merged with the R values of
scripts/reference/power.R into Tests/AnalysisTests/Fixtures/power.json.

Run from the repository root after `Rscript scripts/reference/power.R`:
    python3 scripts/reference/power.py
Conventions: statsmodels' sample 1 is our control arm and `ratio` = nobs2/nobs1 = n_treatment/n_control.
For two proportions, `samplesize_proportions_2indep_onetail(diff, prop2, power, ratio, alpha)` takes
p1 = prop2 + diff, so we pass prop2 = treatment and diff = control - treatment; it returns nobs1.
"""
import json, math, os, sys
import numpy as np
import scipy
import statsmodels
from statsmodels.stats.proportion import samplesize_proportions_2indep_onetail, power_proportions_2indep
from statsmodels.stats.power import NormalIndPower, TTestIndPower

ROOT = os.path.join("Tests", "AnalysisTests", "Fixtures")
r = json.load(open(os.path.join(ROOT, "power_r.json")))
cases = list(r["cases"])

def add(kind, quantity, inputs, call, value):
    cases.append({"kind": kind, "quantity": quantity, "inputs": inputs, "call": call, "value": float(value)})

for (pc, pt, a, pw, ratio, alt) in [(0.60, 0.62, 0.05, 0.8, 1, "two-sided"), (0.60, 0.62, 0.05, 0.8, 2, "two-sided"),
                                    (0.60, 0.62, 0.05, 0.8, 0.5, "two-sided"), (0.10, 0.12, 0.01, 0.9, 3, "two-sided"),
                                    (0.05, 0.045, 0.05, 0.8, 1.5, "two-sided"), (0.20, 0.23, 0.05, 0.8, 1, "larger")]:
    diff = pc - pt
    call = f"samplesize_proportions_2indep_onetail(diff={diff!r}, prop2={pt!r}, power={pw!r}, ratio={ratio!r}, alpha={a!r}, alternative='{alt}')"
    v = samplesize_proportions_2indep_onetail(diff=diff, prop2=pt, power=pw, ratio=ratio, alpha=a, alternative=alt)
    add("proportion", "n", {"control": pc, "treatment": pt, "alpha": a, "power": pw,
        "alternative": "two-sided" if alt == "two-sided" else ("greater" if pt > pc else "less"), "strict": False, "ratio": ratio}, call, v)

for n, ratio in [(4700, 1), (9336, 1), (6000, 2)]:
    call = f"power_proportions_2indep(diff=0.02, prop2=0.6, nobs1={n}, ratio={ratio}, alpha=0.05).power"
    v = power_proportions_2indep(diff=0.02, prop2=0.6, nobs1=n, ratio=ratio, alpha=0.05).power
    # statsmodels: p1 = prop2 + diff = 0.62 is sample 1; counts both tails.
    add("proportion", "power_statsmodels", {"control": 0.6, "treatment": 0.62, "alpha": 0.05, "n": n,
        "alternative": "two-sided", "strict": True, "ratio": ratio, "sample1": "treatment"}, call, v)

h = 2 * math.asin(math.sqrt(0.62)) - 2 * math.asin(math.sqrt(0.60))
for (es, pw, ratio) in [(h, 0.8, 1), (0.2, 0.8, 1), (0.2, 0.9, 2), (0.1, 0.8, 0.5)]:
    call = f"NormalIndPower().solve_power(effect_size={es!r}, alpha=0.05, power={pw}, ratio={ratio})"
    v = NormalIndPower().solve_power(effect_size=es, alpha=0.05, power=pw, ratio=ratio)
    add("mean", "n_statsmodels_solver", {"delta": es, "sd": 1.0, "alpha": 0.05, "power": pw, "alternative": "two-sided", "strict": True,
        "ratio": ratio, "method": "normal"}, call, v)
for (es, n, ratio) in [(0.2, 400, 1), (0.2, 300, 2), (0.05, 5000, 0.5)]:
    call = f"NormalIndPower().power(effect_size={es}, nobs1={n}, alpha=0.05, ratio={ratio})"
    v = NormalIndPower().power(effect_size=es, nobs1=n, alpha=0.05, ratio=ratio)
    add("mean", "power", {"delta": es, "sd": 1.0, "alpha": 0.05, "n": n, "alternative": "two-sided", "strict": True,
        "ratio": ratio, "method": "normal"}, call, v)
for (es, pw, ratio) in [(0.1, 0.8, 1), (0.2, 0.8, 1), (0.2, 0.9, 1.5), (0.5, 0.8, 3)]:
    call = f"TTestIndPower().solve_power(effect_size={es}, alpha=0.05, power={pw}, ratio={ratio})"
    v = TTestIndPower().solve_power(effect_size=es, alpha=0.05, power=pw, ratio=ratio)
    add("mean", "n_statsmodels_solver", {"delta": es, "sd": 1.0, "alpha": 0.05, "power": pw, "alternative": "two-sided",
        "strict": True, "ratio": ratio, "method": "t"}, call, v)
for (es, n, ratio) in [(0.2, 400, 1), (0.2, 300, 1.5), (0.5, 30, 3), (0.3, 50, 1)]:
    call = f"TTestIndPower().power(effect_size={es}, nobs1={n}, alpha=0.05, ratio={ratio})"
    v = TTestIndPower().power(effect_size=es, nobs1=n, alpha=0.05, ratio=ratio)
    add("mean", "power", {"delta": es, "sd": 1.0, "alpha": 0.05, "n": n, "alternative": "two-sided", "strict": True,
        "ratio": ratio, "method": "t"}, call, v)

out = {
    "generator": "scripts/reference/power.R then scripts/reference/power.py",
    "software": f"{r['software']}; Python {sys.version.split()[0]}, statsmodels {statsmodels.__version__}, scipy {scipy.__version__}",
    "notes": "n is per control arm (treatment arm = ratio * n). strict = both tails of a two-sided test counted in power (R strict=TRUE; pwr and statsmodels always). Quantities ending in _default_tol or _statsmodels_solver come from root finders with loose default tolerances and are compared at a stated looser tolerance.",
    "cases": cases,
}
json.dump(out, open(os.path.join(ROOT, "power.json"), "w"), indent=1)
os.remove(os.path.join(ROOT, "power_r.json"))
print("wrote power.json with", len(cases), "cases")
