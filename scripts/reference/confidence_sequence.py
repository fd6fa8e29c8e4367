#!/usr/bin/env python3
"""One-sided asymptotic confidence-sequence reference values (ORACLES §3b has the two-sided ones).

A line-by-line transcription of GrowthBook gbstats (packages/stats TypeScript port of
gbstats/frequentist/tests.py): sequentialRho(alpha, N*, twoSided=False) uses 2*alpha;
sequentialIntervalHalfwidthOneSided; and SequentialOneSidedTreatment{Greater,Lesser}TTest.computePValue,
a bisection over alpha with rho held fixed, here run to a tolerance of 1e-15 instead of gbstats' 1e-6.
Writes Tests/AnalysisTests/Fixtures/confidence_sequence.json. Run from the repository root.
"""
import json, math, os, sys

def rho(alpha, nstar, two_sided=True):
    a = alpha if two_sided else 2 * alpha
    return math.sqrt((-2 * math.log(a) + math.log(-2 * math.log(a) + 1)) / nstar)

def hw_one_sided(s2, n, alpha, r):
    return math.sqrt(s2 * (2 * (n * r * r + 1)) / (n * r) ** 2 * math.log(1 + math.sqrt(n * r * r + 1) / (2 * alpha)))

def p_one_sided(est, se, n, r, lesser):
    s2 = se * se * n
    bound = (lambda a: est + hw_one_sided(s2, n, a, r)) if lesser else (lambda a: est - hw_one_sided(s2, n, a, r))
    lo, hi = 1e-5, 0.4999
    if (lesser and bound(lo) < 0) or (not lesser and bound(lo) > 0): return lo
    if (lesser and bound(hi) > 0) or (not lesser and bound(hi) < 0): return hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        d = bound(mid)
        if lesser:
            if d > 0: lo = mid
            else: hi = mid
        else:
            if d < 0: lo = mid
            else: hi = mid
    return 0.5 * (lo + hi)

cases = []
for (alpha, nstar, est, se, n, side) in [(0.05, 5000, 0.08, 0.02828427124746190, 5000, "greater"),
                                         (0.05, 5000, -0.08, 0.02828427124746190, 5000, "less"),
                                         (0.05, 1000, 0.05, 0.02, 20000, "greater"),
                                         (0.10, 10000, 0.03, 0.012, 8000, "greater")]:
    r = rho(alpha, nstar, two_sided=False)
    s2 = se * se * n
    hw = hw_one_sided(s2, n, alpha, r)
    p = p_one_sided(est, se, n, r, side == "less")
    cases.append({"alpha": alpha, "tuningSampleSize": nstar, "estimate": est, "standardError": se, "n": n,
                  "alternative": side, "rho": r, "halfwidth": hw, "pValue": p,
                  "call": f"gbstats sequentialRho({alpha}, {nstar}, false); sequentialIntervalHalfwidthOneSided(se^2*n, {n}, {nstar}, {alpha}); computePValue bisection (tol 1e-15)"})
json.dump({"generator": "scripts/reference/confidence_sequence.py", "software": f"Python {sys.version.split()[0]} transcription of GrowthBook gbstats formulas",
           "cases": cases}, open(os.path.join("Tests", "AnalysisTests", "Fixtures", "confidence_sequence.json"), "w"), indent=1)
print(json.dumps(cases, indent=1))
