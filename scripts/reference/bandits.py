#!/usr/bin/env python3
"""Golden values for the Assignment module's bandit allocators (Sources/Assignment/Bandit*.swift).

Writes Tests/AssignmentTests/Fixtures/bandits.json:

- beta_pbest: P(arm i is best) = int_0^1 f_i(x) prod_{j != i} F_j(x) dx for independent Beta
  posteriors, by scipy.integrate.quad (each arm's integral over its own 1e-25 quantile range,
  split at the other arms' quantiles), by the exact finite sum of Evan Miller ("Formulas for
  Bayesian A/B testing", 2015) in 40-digit mpmath for two arms with an integer parameter, by
  mpmath.quad at 30 digits where mpmath's betainc converges (parameters <= 2000), and by a
  10^7-draw Monte Carlo (numpy Beta draws) with its standard error.
- normal_pbest: the same for normal posteriors N(mu_i, sd_i^2) (sd = 0: a point mass), by
  scipy quad, mpmath.quad (30 digits) and Monte Carlo.
- gaussian_stats: arm statistics (n, sum, sum of squares) of numpy-generated data, the
  posterior N(mean, s^2/n) from np.mean / np.var(ddof=1) (two-pass, independent of the Swift
  one-pass formula) and its P(best) by mpmath.quad.
- top_two: the selection probabilities of top-two Thompson sampling (Russo 2016, TTTS with
  resampling) w_i = beta a_i + (1 - beta) sum_{j != i} a_j a_i / (1 - a_j) from the reference
  P(best), and a Monte Carlo run of the algorithm itself (leader from one posterior draw,
  challenger by resampling until the best arm differs) with its standard errors.
- lai_robbins: sum_{i: p_i < p*} (p* - p_i) / KL(p_i || p*) in 40-digit mpmath.

Every case records the call that produced it ("call") and the file records software versions.
Deterministic: Monte Carlo case c draws from numpy.random.default_rng([SEED, c]).

    python3 scripts/reference/bandits.py      # system python with numpy, scipy, mpmath
"""
import json
import math
import pathlib
import platform
import sys
import warnings

import mpmath
import numpy as np
import scipy
from scipy import integrate, stats

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests/AssignmentTests/Fixtures/bandits.json"
SEED = 20260601
MC_DRAWS = 10_000_000
MC_CHUNK = 1_000_000
TTTS_DRAWS = 4_000_000
mpmath.mp.dps = 30
mc_counter = [0]


def next_rng():
    mc_counter[0] += 1
    return np.random.default_rng([SEED, mc_counter[0]])


# ------------------------------------------------------------------ Beta P(best)
def beta_quad(post):
    """scipy quad of each arm's integral over its [ppf(1e-25), isf(1e-25)], split at the other arms'
    quantiles; the part above 1/2 in t = 1 - x (f(1 - t; a, b) = f(t; b, a), F(1 - t; a, b) = sf(t; b, a)),
    so endpoints within 1e-16 of 1 stay representable."""
    k = len(post)
    qs = (1e-12, 1e-6, 0.001, 0.02, 0.16, 0.5, 0.84, 0.98, 0.999, 1 - 1e-6)
    out, errs = [], []
    for i in range(k):
        ai, bi = post[i]
        others = [post[j] for j in range(k) if j != i]
        total, total_err = 0.0, 0.0
        for upper in (False, True):
            a, b = (bi, ai) if upper else (ai, bi)
            lo = float(stats.beta.ppf(1e-25, a, b))
            hi = min(0.5, float(stats.beta.isf(1e-25, a, b)))
            if lo >= 0.5:
                continue
            pts = sorted({x for pa, pb in post for q in qs
                          for x in [float(stats.beta.ppf(q, *((pb, pa) if upper else (pa, pb))))] if lo < x < hi})

            def g(t, a=a, b=b, upper=upper):
                v = stats.beta.pdf(t, a, b)
                for oa, ob in others:
                    v *= stats.beta.sf(t, ob, oa) if upper else stats.beta.cdf(t, oa, ob)
                return v

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                val, err = integrate.quad(g, lo, hi, points=pts or None, epsabs=1e-300, epsrel=1e-12, limit=2000)
            total += val
            total_err += err
        out.append(total)
        errs.append(total_err)
    return out, errs


def miller_two_arm(post):
    """Evan Miller's exact P(p_B > p_A) (needs alpha_B integer), 40 digits; returns [P(A best), P(B best)]."""
    (aA, bA), (aB, bB) = post
    with mpmath.workdps(40):
        if float(aB).is_integer():
            s = mpmath.mpf(0)
            for i in range(int(aB)):
                s += mpmath.exp(mpmath.log(mpmath.beta(aA + i, bA + bB)) - mpmath.log(bB + i)
                                - mpmath.log(mpmath.beta(1 + i, bB)) - mpmath.log(mpmath.beta(aA, bA)))
            return [float(1 - s), float(s)]
        if float(aA).is_integer():
            r = miller_two_arm([(aB, bB), (aA, bA)])
            return [r[1], r[0]]
    return None


def beta_mpmath(post):
    if max(max(p) for p in post) > 2000:
        return None
    k = len(post)
    res = []
    try:
        for i in range(k):
            ai, bi = map(mpmath.mpf, post[i])
            lnb = mpmath.log(mpmath.beta(ai, bi))
            others = [tuple(map(mpmath.mpf, post[j])) for j in range(k) if j != i]

            def g(x):
                if x <= 0 or x >= 1:
                    return mpmath.mpf(0)
                v = mpmath.exp((ai - 1) * mpmath.log(x) + (bi - 1) * mpmath.log1p(-x) - lnb)
                for a, b in others:
                    v *= mpmath.betainc(a, b, 0, x, regularized=True)
                return v

            pts = sorted({0.0, 1.0} | {min(max(float(stats.beta.ppf(q, *p)), 1e-300), 1 - 1e-16)
                                        for p in post for q in (1e-9, 0.01, 0.5, 0.99, 1 - 1e-9)})
            res.append(float(mpmath.quad(g, pts)))
    except (ValueError, ZeroDivisionError):
        return None
    return res


def beta_mc(post):
    rng = next_rng()
    k = len(post)
    wins = np.zeros(k)
    for _ in range(MC_DRAWS // MC_CHUNK):
        draws = np.stack([rng.beta(a, b, MC_CHUNK) for a, b in post], axis=1)
        wins += np.bincount(np.argmax(draws, axis=1), minlength=k)
    p = wins / MC_DRAWS
    return p.tolist(), np.sqrt(p * (1 - p) / MC_DRAWS).tolist()


beta_cases = []


def beta_case(name, post, stats_=None, prior=None):
    quad, err = beta_quad(post)
    case = {"name": name, "posteriors": [list(map(float, p)) for p in post],
            "quad": quad, "quad_abserr": err,
            "miller": miller_two_arm(post) if len(post) == 2 else None,
            "mpmath": beta_mpmath(post)}
    case["mc"], case["mc_se"] = beta_mc(post)
    case["mc_draws"] = MC_DRAWS
    if stats_ is not None:
        case["stats"] = stats_
        case["prior"] = prior
    case["call"] = ("scipy.integrate.quad(lambda x: stats.beta.pdf(x, a_i, b_i) * prod(stats.beta.cdf(x, a_j, b_j)), "
                    "beta.ppf(1e-25), 1/2, epsrel=1e-12, limit=2000) plus the same over (1/2, beta.isf(1e-25)) in t = 1 - x, for "
                    + ", ".join(f"Beta({a}, {b})" for a, b in post)
                    + f"; Monte Carlo argmax of numpy default_rng([{SEED}, {mc_counter[0]}]).beta, {MC_DRAWS} draws"
                    + ("; miller: Evan Miller exact sum (mpmath, 40 digits)" if case["miller"] else "")
                    + ("; mpmath.quad with betainc (30 digits)" if case["mpmath"] else ""))
    beta_cases.append(case)
    print(name, quad, case["miller"], case["mpmath"], file=sys.stderr)


def from_stats(name, counts, prior=(1.0, 1.0)):
    """counts: [(n, successes)]; posterior Beta(prior_a + s, prior_b + n - s)."""
    post = [(prior[0] + s, prior[1] + n - s) for n, s in counts]
    beta_case(name, post, [[n, s] for n, s in counts], list(prior))


from_stats("2 arms, no data", [(0, 0), (0, 0)])
from_stats("2 arms, n=100", [(100, 10), (100, 15)])
from_stats("2 arms, unequal n", [(40, 3), (250, 31)])
from_stats("2 arms, lopsided (P ~ 1e-6)", [(1000, 100), (1000, 175)])
from_stats("2 arms, very lopsided (P ~ 1e-11)", [(1000, 100), (1000, 210)])
from_stats("2 arms, n=1e5", [(100_000, 5000), (100_000, 5100)])
from_stats("2 arms, n=1e5, lopsided", [(100_000, 5000), (100_000, 5300)])
from_stats("2 arms, n=1e5, rare events", [(100_000, 10), (100_000, 30)])
from_stats("2 arms, n=0 vs n=1e5", [(0, 0), (100_000, 50_000)])
from_stats("3 arms, no data", [(0, 0), (0, 0), (0, 0)])
from_stats("3 arms, small n", [(10, 2), (12, 5), (8, 1)])
from_stats("3 arms, n=0, 100, 100", [(0, 0), (100, 20), (100, 30)])
from_stats("3 arms, lopsided", [(2000, 200), (2000, 240), (2000, 330)])
from_stats("3 arms, n=1e5", [(100_000, 5000), (100_000, 5050), (100_000, 5400)])
from_stats("3 arms, n=1e5, identical", [(100_000, 5000), (100_000, 5000), (100_000, 5000)])
from_stats("3 arms, Jeffreys prior, no data", [(0, 0), (0, 0), (0, 0)], prior=(0.5, 0.5))
from_stats("3 arms, Jeffreys prior, skewed", [(10, 0), (3, 3), (50, 1)], prior=(0.5, 0.5))
from_stats("4 arms, mixed", [(500, 40), (800, 75), (30, 4), (2500, 240)])
beta_case("2 arms, non-integer parameters", [(2.5, 7.25), (3.75, 6.5)])

# ------------------------------------------------------------------ Normal P(best)
def normal_quad(post):
    k = len(post)
    cont = [i for i in range(k) if post[i][1] > 0]
    pm = [i for i in range(k) if post[i][1] == 0]
    c = max((post[i][0] for i in pm), default=-math.inf)
    out, errs = [0.0] * k, [0.0] * k
    if pm:
        tied = [i for i in pm if post[i][0] == c]
        below = float(np.prod([stats.norm.cdf(c, *post[j]) for j in cont]))
        for i in tied:
            out[i] = below / len(tied)
    for i in cont:
        mu, sd = post[i]
        lo, hi = max(c, mu - 14 * sd), mu + 14 * sd
        if hi <= lo:
            continue
        others = [post[j] for j in cont if j != i]
        pts = sorted({m + z * s for m, s in post if s > 0 for z in (-6, -3, -1, 0, 1, 3, 6)
                      if lo < m + z * s < hi})

        def g(x):
            v = stats.norm.pdf(x, mu, sd)
            for m, s in others:
                v *= stats.norm.cdf(x, m, s)
            return v

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out[i], errs[i] = integrate.quad(g, lo, hi, points=pts, epsabs=1e-300, epsrel=1e-12, limit=2000)
    return out, errs


def normal_mpmath(post):
    k = len(post)
    cont = [i for i in range(k) if post[i][1] > 0]
    pm = [i for i in range(k) if post[i][1] == 0]
    c = max((post[i][0] for i in pm), default=None)
    out = [mpmath.mpf(0)] * k
    if pm:
        tied = [i for i in pm if post[i][0] == c]
        below = mpmath.fprod([mpmath.ncdf(c, post[j][0], post[j][1]) for j in cont])
        for i in tied:
            out[i] = below / len(tied)
    for i in cont:
        mu, sd = map(mpmath.mpf, post[i])
        others = [tuple(map(mpmath.mpf, post[j])) for j in cont if j != i]

        def g(x):
            v = mpmath.npdf(x, mu, sd)
            for m, s in others:
                v *= mpmath.ncdf(x, m, s)
            return v

        pts = sorted({m + z * s for m, s in post if s > 0 for z in (-30, -8, -3, 0, 3, 8, 30)})
        if c is not None:
            pts = [c] + [p for p in pts if p > c]
        out[i] = mpmath.quad(g, pts)
    return [float(v) for v in out]


def normal_mc(post):
    rng = next_rng()
    k = len(post)
    wins = np.zeros(k)
    for _ in range(MC_DRAWS // MC_CHUNK):
        draws = np.stack([m + s * rng.standard_normal(MC_CHUNK) for m, s in post], axis=1)
        top = draws.max(axis=1, keepdims=True)
        is_top = draws == top
        wins += (is_top / is_top.sum(axis=1, keepdims=True)).sum(axis=0)  # ties split
    p = wins / MC_DRAWS
    return p.tolist(), np.sqrt(p * (1 - p) / MC_DRAWS).tolist()


normal_cases = []


def normal_case(name, post):
    quad, err = normal_quad(post)
    case = {"name": name, "posteriors": [list(map(float, p)) for p in post], "quad": quad, "quad_abserr": err,
            "mpmath": normal_mpmath(post)}
    case["mc"], case["mc_se"] = normal_mc(post)
    case["mc_draws"] = MC_DRAWS
    case["call"] = ("scipy.integrate.quad(lambda x: stats.norm.pdf(x, mu_i, sd_i) * prod(stats.norm.cdf(x, mu_j, sd_j)), "
                    "max(c, mu_i - 14 sd_i), mu_i + 14 sd_i, epsrel=1e-12, limit=2000) (c = best point mass) for "
                    + ", ".join(f"N({m}, sd {s})" for m, s in post)
                    + "; mpmath.quad with npdf/ncdf (30 digits)"
                    + f"; Monte Carlo argmax (ties split) of numpy default_rng([{SEED}, {mc_counter[0]}]), {MC_DRAWS} draws")
    normal_cases.append(case)
    print(name, quad, case["mpmath"], file=sys.stderr)


normal_case("2 arms", [(0.0, 1.0), (0.5, 1.2)])
normal_case("2 arms, lopsided (P ~ 1e-6)", [(0.0, 0.1), (0.6, 0.08)])
normal_case("3 arms, different scales", [(10.0, 0.5), (10.4, 0.05), (9.0, 2.0)])
normal_case("3 arms, lopsided", [(1.0, 0.01), (1.02, 0.01), (1.1, 0.012)])
normal_case("3 arms, one point mass", [(0.1, 0.0), (0.05, 0.02), (0.12, 0.03)])
normal_case("3 arms, tied point masses", [(0.1, 0.0), (0.1, 0.0), (0.11, 0.01)])
normal_case("4 arms, wide means", [(-3.0, 1.0), (0.0, 0.001), (0.002, 0.003), (2.0, 5.0)])

# ------------------------------------------------------------------ Gaussian posteriors from statistics
gauss_cases = []


def gauss_case(name, data):
    stats_ = [[len(d), float(np.sum(d)), float(np.sum(np.square(d)))] for d in data]
    post = [(float(np.mean(d)), float(math.sqrt(np.var(d, ddof=1) / len(d)))) for d in data]
    case = {"name": name, "stats": stats_, "posteriors": [list(p) for p in post], "pbest": normal_mpmath(post),
            "call": "posterior N(np.mean(y), np.var(y, ddof=1) / len(y)) per arm; P(best) by mpmath.quad with npdf/ncdf"}
    gauss_cases.append(case)
    print(name, case["pbest"], file=sys.stderr)
    return case


rng = next_rng()
gauss_case("2 arms, revenue-like", [rng.gamma(2.0, 5.0, 200), rng.gamma(2.0, 5.5, 180)])
gauss_case("3 arms, normal data", [rng.normal(10, 3, 50), rng.normal(10.5, 3, 60), rng.normal(9.0, 4, 40)])
gauss_case("3 arms, conversions", [(rng.random(300) < 0.1).astype(float), (rng.random(300) < 0.13).astype(float),
                                   (rng.random(300) < 0.08).astype(float)])

# ------------------------------------------------------------------ top-two Thompson sampling
def ttts_formula(alpha, beta):
    a = np.asarray(alpha, float)
    a = a / a.sum()
    k = len(a)
    w = beta * a.copy()
    for j in range(k):
        rest = sum(a[m] for m in range(k) if m != j)
        for i in range(k):
            if i != j:
                w[i] += (1 - beta) * a[j] * (a[i] / rest)
    return w.tolist()


def ttts_mc(sampler, k, beta):
    """Runs top-two TS: leader = argmax of a draw; with prob 1 - beta, resample until argmax != leader."""
    rng = next_rng()
    leader = np.argmax(sampler(rng, TTTS_DRAWS), axis=1)
    challenge = rng.random(TTTS_DRAWS) >= beta
    played = leader.copy()
    pending = np.flatnonzero(challenge)
    for _ in range(10_000):
        if pending.size == 0:
            break
        cand = np.argmax(sampler(rng, pending.size), axis=1)
        ok = cand != leader[pending]
        played[pending[ok]] = cand[ok]
        pending = pending[~ok]
    assert pending.size == 0
    w = np.bincount(played, minlength=k) / TTTS_DRAWS
    return w.tolist(), np.sqrt(w * (1 - w) / TTTS_DRAWS).tolist()


top_two = []


def ttts_bernoulli(name, counts, beta, prior=(1.0, 1.0)):
    post = [(prior[0] + s, prior[1] + n - s) for n, s in counts]
    alpha = beta_mpmath(post) or beta_quad(post)[0]
    w_mc, se = ttts_mc(lambda r, m: np.stack([r.beta(a, b, m) for a, b in post], axis=1), len(post), beta)
    top_two.append({"name": name, "model": "bernoulli", "prior": list(prior), "beta": beta,
                    "stats": [[n, s] for n, s in counts], "alpha": alpha, "weights": ttts_formula(alpha, beta),
                    "mc": w_mc, "mc_se": se, "mc_draws": TTTS_DRAWS,
                    "call": f"w_i = beta a_i + (1 - beta) sum_(j != i) a_j a_i / (1 - a_j), a = P(best) (mpmath.quad or scipy quad); "
                            f"Monte Carlo run of TTTS with resampling, numpy default_rng([{SEED}, {mc_counter[0]}]), {TTTS_DRAWS} rounds"})
    print(name, top_two[-1]["weights"], w_mc, file=sys.stderr)


def ttts_gaussian(name, stats_, beta):
    post = [(s / n, math.sqrt((ss - s * s / n) / (n - 1) / n)) for n, s, ss in stats_]
    alpha = normal_mpmath(post)
    w_mc, se = ttts_mc(lambda r, m: np.stack([mu + sd * r.standard_normal(m) for mu, sd in post], axis=1), len(post), beta)
    top_two.append({"name": name, "model": "gaussian", "beta": beta, "stats": stats_, "alpha": alpha,
                    "weights": ttts_formula(alpha, beta), "mc": w_mc, "mc_se": se, "mc_draws": TTTS_DRAWS,
                    "call": f"w_i = beta a_i + (1 - beta) sum_(j != i) a_j a_i / (1 - a_j), a = P(best) by mpmath.quad (normal posteriors); "
                            f"Monte Carlo run of TTTS with resampling, numpy default_rng([{SEED}, {mc_counter[0]}]), {TTTS_DRAWS} rounds"})
    print(name, top_two[-1]["weights"], w_mc, file=sys.stderr)


ttts_bernoulli("2 arms, beta 0.5", [(100, 10), (100, 15)], 0.5)
ttts_bernoulli("3 arms, beta 0.5", [(10, 2), (12, 5), (8, 1)], 0.5)
ttts_bernoulli("3 arms, beta 0.25", [(100, 20), (100, 26), (100, 18)], 0.25)
ttts_bernoulli("4 arms, beta 0.75", [(50, 5), (60, 9), (40, 6), (30, 2)], 0.75)
ttts_gaussian("3 arms, gaussian, beta 0.5", gauss_cases[1]["stats"], 0.5)

# ------------------------------------------------------------------ Lai-Robbins
def kl(p, q):
    p, q = mpmath.mpf(p), mpmath.mpf(q)
    return p * mpmath.log(p / q) + (1 - p) * mpmath.log((1 - p) / (1 - q))


lai = []
with mpmath.workdps(40):
    for means in [(0.05, 0.06), (0.10, 0.12), (0.5, 0.6), (0.9, 0.8), (0.05, 0.06, 0.07)]:
        best = max(means)
        v = sum(((mpmath.mpf(best) - mpmath.mpf(p)) / kl(p, best) for p in means if p < best), mpmath.mpf(0))
        lai.append({"means": list(means), "value": float(v),
                    "call": "sum((p* - p) / (p ln(p/p*) + (1-p) ln((1-p)/(1-p*)))) in mpmath, 40 digits"})

doc = {
    "spec": "splitbench bandit allocators",
    "generated_by": "scripts/reference/bandits.py",
    "reference": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                  "mpmath": mpmath.__version__},
    "seed": SEED,
    "note": "quad/mpmath/miller are integrals of the same P(best); mc values are sanity checks within a few mc_se.",
    "beta_pbest": beta_cases,
    "normal_pbest": normal_cases,
    "gaussian_stats": gauss_cases,
    "top_two": top_two,
    "lai_robbins": lai,
}
OUT.write_text(json.dumps(doc, indent=1) + "\n")
print(f"wrote {OUT}", file=sys.stderr)
