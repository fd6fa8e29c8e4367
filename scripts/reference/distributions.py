#!/usr/bin/env python3
"""Golden values for SplitBench's distribution functions, computed with scipy.

Writes Tests/DistributionsTests/Fixtures/distributions.json: for each distribution and
parameter set, cdf / sf at a grid of points reaching into both tails, quantile (ppf) and
inverse survival (isf) at probabilities down to 1e-12, plus log-gamma and log-beta.
Each case records the scipy call that produced it. Regenerate with:

    python3 scripts/reference/distributions.py
"""
import json
import pathlib
import sys

import numpy as np
import scipy
from scipy import special, stats

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/DistributionsTests/Fixtures/distributions.json"
PROBS = [1e-12, 1e-8, 1e-4, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.9999]

cases = []


def add(dist, params, fn, arg, value, call):
    value = float(value)
    if not np.isfinite(value):
        return
    cases.append({"dist": dist, "params": params, "fn": fn, "x": float(arg), "expected": value, "call": call})


def continuous(name, params, frozen, call, xs):
    for x in xs:
        add(name, params, "cdf", x, frozen.cdf(x), f"{call}.cdf({x!r})")
        add(name, params, "sf", x, frozen.sf(x), f"{call}.sf({x!r})")
    for p in PROBS:
        add(name, params, "quantile", p, frozen.ppf(p), f"{call}.ppf({p!r})")
        add(name, params, "inverseSurvival", p, frozen.isf(p), f"{call}.isf({p!r})")


# Normal
for mu, sigma in [(0.0, 1.0), (10.0, 2.5)]:
    xs = [mu + sigma * z for z in (-30, -10, -5, -2, -1, -0.1, 0, 0.5, 1.96, 3, 8, 20)]
    continuous("normal", {"mu": mu, "sigma": sigma}, stats.norm(mu, sigma), f"scipy.stats.norm({mu}, {sigma})", xs)

# Student t (fractional df too, as in Welch)
for nu in [1.0, 2.5, 12.55818421, 30.0, 1000.0]:
    xs = [-1e3, -50, -10, -3, -1, 0, 0.5, 2, 3.354553107, 10, 100, 1e4]
    continuous("t", {"nu": nu}, stats.t(nu), f"scipy.stats.t({nu})", xs)

# Chi-squared
for nu in [1.0, 2.0, 3.0, 10.0, 100.0]:
    xs = [1e-8, 0.01, 0.5, 1, 2.5, 6, 10.1010101, 22.77436884, 40, 150, 400]
    continuous("chisq", {"nu": nu}, stats.chi2(nu), f"scipy.stats.chi2({nu})", xs)

# Beta
for a, b in [(0.5, 0.5), (1.0, 1.0), (2.0, 5.0), (121.0, 881.0), (30.0, 3.0)]:
    xs = [1e-10, 1e-4, 0.01, 0.1, 0.12, 0.3, 0.5, 0.7, 0.9, 0.99, 1 - 1e-6]
    continuous("beta", {"a": a, "b": b}, stats.beta(a, b), f"scipy.stats.beta({a}, {b})", xs)

# Gamma (shape, scale)
for k, theta in [(0.5, 1.0), (1.0, 2.0), (3.0, 0.5), (50.0, 1.0)]:
    xs = [1e-8, 0.01, 0.3, 1, 2, 5, 10, 30, 80, 200]
    continuous("gamma", {"shape": k, "scale": theta}, stats.gamma(k, scale=theta),
               f"scipy.stats.gamma({k}, scale={theta})", xs)

# Binomial: cdf/sf at integer points, quantile (ppf) at probabilities
for n, p in [(10, 0.3), (100, 0.05), (1000, 0.5), (20000, 0.12)]:
    d = stats.binom(n, p)
    mean, sd = n * p, (n * p * (1 - p)) ** 0.5
    ks = sorted({0, 1, int(mean - 6 * sd), int(mean - 2 * sd), int(mean), int(mean + 2 * sd), int(mean + 6 * sd), n - 1, n})
    ks = [k for k in ks if 0 <= k <= n]
    call = f"scipy.stats.binom({n}, {p})"
    for k in ks:
        add("binomial", {"n": n, "p": p}, "cdf", k, d.cdf(k), f"{call}.cdf({k})")
        add("binomial", {"n": n, "p": p}, "sf", k, d.sf(k), f"{call}.sf({k})")
        add("binomial", {"n": n, "p": p}, "pmf", k, d.pmf(k), f"{call}.pmf({k})")
    for q in PROBS:
        add("binomial", {"n": n, "p": p}, "quantile", q, d.ppf(q), f"{call}.ppf({q!r})")

# Special functions
for x in [1e-10, 0.1, 0.5, 1.0, 1.5, 2.0, 10.0, 171.5, 1e5, 1e10, -0.5, -2.5]:
    add("special", {}, "logGamma", x, special.gammaln(x), f"scipy.special.gammaln({x!r})")
for a, b in [(0.5, 0.5), (1.0, 1.0), (2.0, 5.0), (121.0, 881.0), (1e4, 2e4), (1e-3, 10.0)]:
    cases.append({"dist": "special", "params": {"a": a, "b": b}, "fn": "logBeta", "x": 0.0,
                  "expected": float(special.betaln(a, b)), "call": f"scipy.special.betaln({a}, {b})"})

doc = {
    "generator": "scripts/reference/distributions.py",
    "reference": f"scipy {scipy.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}",
    "cases": cases,
}
OUT.write_text(json.dumps(doc, indent=1) + "\n")
print(f"wrote {len(cases)} cases to {OUT}")
