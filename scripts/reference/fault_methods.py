#!/usr/bin/env python3
"""Golden values for the Analysis module's fault methods: the sequential SRM test, the novelty
trend test, the stratified comparison and winsorised (capped) moments.

Writes Tests/AnalysisTests/Fixtures/fault-methods.json. Every value names the reference call
that produced it ("call"), and the file records the software versions. Deterministic: the
random datasets come from numpy.random.default_rng(20270214).

Needs ssrm-test (Optimizely's reference implementation of Lindon & Malek 2022) and statsmodels,
which the system Python lacks; ssrm-test pins numpy < 2, so pandas must be < 3:

    python3 -m venv .venv-ref
    .venv-ref/bin/pip install ssrm-test==0.1.5 statsmodels 'pandas<3'
    .venv-ref/bin/python scripts/reference/fault_methods.py
"""
import importlib.metadata
import json
import math
import pathlib
import platform
import sys

import numpy as np
import pandas
import scipy
import statsmodels
import statsmodels.api as sm
from scipy import integrate, special, stats
from ssrm_test import ssrm_test
from ssrm_test import constants as ssrm_const
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests/AnalysisTests/Fixtures/fault-methods.json"
SEED = 20270214
rng = np.random.default_rng(SEED)
ALTS = ["two-sided", "greater", "less"]


def f(x):
    """JSON-safe float (infinities and NaN as strings, which the Swift side decodes)."""
    x = float(x)
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if math.isnan(x):
        return "nan"
    return x


def fl(v):
    return [f(x) for x in v]


def close(a, b, rel=1e-10, abs_=1e-13):
    return abs(a - b) <= rel * abs(b) + abs_


def p_from_z(z, alternative):
    return {"two-sided": 2 * stats.norm.sf(abs(z)), "greater": stats.norm.sf(z), "less": stats.norm.cdf(z)}[alternative]


# ---------------------------------------------------------------- sequential SRM (ssrm-test)
SSRM_DEFAULT_CONCENTRATION = 10000  # ssrm_test.sequential_p_values(..., dirichlet_concentration=10000)


def log_bf_gammaln(counts, weights, concentration):
    """Independent transcription of Lindon & Malek (2022): log B(a + n) - log B(a) - sum n log theta0."""
    n = np.asarray(counts, float)
    th = np.asarray(weights, float) / np.sum(weights)
    a = concentration * th
    lb = lambda v: special.gammaln(v).sum() - special.gammaln(v.sum())  # noqa: E731
    return lb(a + n) - lb(a) - float(np.sum(special.xlogy(n, th)))


def ssrm_case(name, weights, cumulative, concentration=SSRM_DEFAULT_CONCENTRATION, threshold=0.001):
    cumulative = [list(map(int, c)) for c in cumulative]
    increments = np.diff(np.vstack([np.zeros(len(weights), dtype=np.int64), np.array(cumulative, dtype=np.int64)]), axis=0)
    assert (increments >= 0).all()
    null = np.asarray(weights, float) / np.sum(weights)
    posts = ssrm_test.sequential_posteriors(increments, null, dirichlet_concentration=concentration)
    running = ssrm_test.sequential_p_values(increments, null, dirichlet_concentration=concentration)
    looks = []
    for c, post, rp in zip(cumulative, posts, running):
        lbf = float(post[ssrm_const.LOG_BAYES_FACTOR])
        mine = log_bf_gammaln(c, weights, concentration)
        assert abs(lbf - mine) <= 1e-9 * max(1.0, abs(mine)) + 1e-12 * sum(c), (name, c, lbf, mine)
        p = min(1.0, math.exp(-lbf))
        looks.append({"cumulative": c, "log_bayes_factor": lbf, "p_value": p, "running_p_value": f(rp),
                      "flagged": bool(rp < threshold)})
    return {"name": name, "weights": list(map(float, weights)), "concentration": float(concentration),
            "threshold": threshold,
            "call": f"ssrm_test.sequential_posteriors(increments, weights/sum(weights), dirichlet_concentration={concentration})"
                    "[LOG_BAYES_FACTOR] and sequential_p_values(...) (running min of 1/BF, capped at 1) on the daily "
                    "increments of the cumulative counts; p_value = min(1, exp(-log_bayes_factor)); log BF also "
                    "checked against an independent scipy.special.gammaln transcription of Lindon & Malek (2022)",
            "looks": looks}


def daily(weights_true, per_day, days):
    p = np.asarray(weights_true, float) / np.sum(weights_true)
    inc = [rng.multinomial(int(rng.poisson(per_day)), p) for _ in range(days)]
    return np.cumsum(inc, axis=0).tolist()


seq_srm = [
    ssrm_case("2 arms 50/50, no SRM, 10 daily looks", [0.5, 0.5], daily([0.5, 0.5], 1000, 10)),
    ssrm_case("2 arms 50/50, true shares 52/48, 10 daily looks", [0.5, 0.5], daily([0.52, 0.48], 500, 10)),
    ssrm_case("2 arms 20/80, no SRM, 8 looks", [20, 80], daily([20, 80], 800, 8)),
    ssrm_case("3 arms 25/25/50, no SRM, 8 looks", [1, 1, 2], daily([1, 1, 2], 1500, 8)),
    ssrm_case("3 arms 1/1/1, third arm loses 5%, 12 looks", [1, 1, 1], daily([1, 1, 0.95], 900, 12)),
    ssrm_case("2 arms 50/50, treatment loses 1%, 10 looks to n = 10^6", [1, 1], daily([1, 0.99], 100000, 10)),
    ssrm_case("2 arms 50/50, no SRM, 10 looks to n = 10^6", [1, 1], daily([1, 1], 100000, 10)),
    ssrm_case("4 arms 10/20/30/40, no SRM, concentration 100", [1, 2, 3, 4], daily([1, 2, 3, 4], 300, 6), concentration=100),
    ssrm_case("2 arms, concentration 1, tiny counts", [1, 1], [[1, 0], [1, 2], [3, 2], [3, 2], [7, 2]], concentration=1),
    ssrm_case("2 arms 50/50, 500,000 vs 495,000 (one arm loses 1%)", [1, 1], [[500000, 495000]]),
    ssrm_case("2 arms 50/50, exactly balanced 5,000 vs 5,000", [1, 1], [[5000, 5000]]),
    ssrm_case("3 arms, one arm with no units yet", [1, 1, 1], [[40, 37, 0], [90, 81, 0], [140, 120, 3]]),
    ssrm_case("2 arms 50/50, strong SRM 60/40 (BF overflows double)", [1, 1], [[600, 400], [6000, 4000], [60000, 40000]]),
]


def quad_case(observed, weights, concentration):
    """log BF for 2 arms as the Beta-binomial likelihood ratio, integral of theta^n1 (1-theta)^n2 Beta(theta; a1, a2)
    over theta / theta0^n1 (1-theta0)^n2 by scipy.integrate.quad (no gamma functions in the numerator)."""
    n1, n2 = observed
    th0 = weights[0] / sum(weights)
    a1, a2 = concentration * th0, concentration * (1 - th0)
    # integrand scaled by the null likelihood so it stays O(1)
    log_null = n1 * math.log(th0) + n2 * math.log(1 - th0)
    g = lambda t: math.exp(n1 * math.log(t) + n2 * math.log1p(-t) - log_null + stats.beta.logpdf(t, a1, a2))  # noqa: E731
    mode = (n1 + a1 - 1) / (n1 + n2 + a1 + a2 - 2)
    val, err = integrate.quad(g, 0, 1, points=[mode], epsabs=1e-300, epsrel=1e-12, limit=500)
    lbf = math.log(val)
    mine = log_bf_gammaln(observed, weights, concentration)
    assert abs(lbf - mine) < 1e-9, (observed, lbf, mine)
    return {"observed": list(observed), "weights": list(map(float, weights)), "concentration": float(concentration),
            "call": "scipy.integrate.quad over theta in (0, 1) of theta^n1 (1-theta)^n2 beta.pdf(theta, c w1, c w2) / "
                    "(theta0^n1 (1-theta0)^n2), epsrel=1e-12; log of it",
            "log_bayes_factor": lbf, "quad_error_estimate": err}


seq_srm_quad = [quad_case((12, 7), [1, 1], 2.0), quad_case((30, 55), [1, 2], 10.0), quad_case((3, 0), [1, 1], 1.0),
                quad_case((140, 90), [1, 1], 100.0)]


# ---------------------------------------------------------------- novelty trend (WLS with known variances)
def wls(ages, est, se, alternative, alpha):
    ages, est, se = (np.asarray(v, float) for v in (ages, est, se))
    ok = np.isfinite(se) & (se > 0)
    res = sm.WLS(est[ok], sm.add_constant(ages[ok]), weights=1 / se[ok] ** 2).fit(cov_type="fixed scale",
                                                                                   cov_kwds={"scale": 1.0})
    assert not res.use_t
    b, sb, z = float(res.params[1]), float(res.bse[1]), float(res.tvalues[1])
    p = float(res.pvalues[1]) if alternative == "two-sided" else p_from_z(z, alternative)
    # the known-variance SE, by hand: 1/sqrt(sum w (t - tbar_w)^2)
    w = 1 / se[ok] ** 2
    tb = np.sum(w * ages[ok]) / np.sum(w)
    assert close(sb, 1 / math.sqrt(np.sum(w * (ages[ok] - tb) ** 2)), 1e-10)
    return {"points": int(ok.sum()), "slope": b, "standard_error": sb, "intercept": float(res.params[0]),
            "statistic": z, "p_value": p, "is_significant": bool(p < alpha)}


WLS_CALL = ("statsmodels WLS(d, add_constant(t), weights=1/se**2).fit(cov_type='fixed scale', cov_kwds={'scale': 1.0}) "
            "on the points with finite se > 0; slope params[1], bse[1], tvalues[1] (z), intercept params[0]; two-sided "
            "p pvalues[1], one-sided scipy.stats.norm.sf(z)/cdf(z)")

novelty = []
for i in range(12):
    k = int(rng.integers(3, 29))
    ages = np.sort(rng.choice(np.arange(0, 28), size=k, replace=False)).astype(float)
    tau_inf, tau0, h = float(rng.uniform(-0.2, 0.5)), float(rng.uniform(-0.5, 1.5)), float(rng.uniform(1, 10))
    truth = tau_inf + (tau0 - tau_inf) * 2 ** (-ages / h) if i % 3 else np.full(k, tau_inf)
    se = rng.uniform(0.03, 0.3, k)
    est = truth + rng.normal(0, se)
    alt = ALTS[i % 3]
    alpha = [0.05, 0.1, 0.01][(i // 3) % 3]
    if i == 5:  # unusable points: se = 0 and se = NaN are skipped
        se[1] = 0.0
        se[3] = float("nan")
    case = {"name": f"random {i} ({k} ages)", "ages": fl(ages), "estimates": fl(np.round(est, 9)),
            "standard_errors": fl(np.round(se, 9)), "alpha": alpha, "alternative": alt, "call": WLS_CALL}
    case.update(wls(ages, np.round(est, 9), np.round(se, 9), alt, alpha))
    novelty.append(case)
novelty.append(dict({"name": "three points, unequal spacing", "ages": [0.0, 1.0, 7.0], "estimates": [0.9, 0.6, 0.1],
                     "standard_errors": [0.2, 0.1, 0.15], "alpha": 0.05, "alternative": "two-sided", "call": WLS_CALL},
                    **wls([0, 1, 7], [0.9, 0.6, 0.1], [0.2, 0.1, 0.15], "two-sided", 0.05)))


def welch_by_age(ages, controls, treatments, alternative, alpha):
    est, se, per_age = [], [], []
    for c, t in zip(controls, treatments):
        r = stats.ttest_ind(t, c, equal_var=False)
        d = float(np.mean(t) - np.mean(c))
        s = float(r._standard_error)
        assert close(s, math.sqrt(np.var(t, ddof=1) / len(t) + np.var(c, ddof=1) / len(c)), 1e-12)
        est.append(d)
        se.append(s)
        per_age.append({"estimate": d, "standard_error": s})
    out = wls(ages, est, se, alternative, alpha)
    out["per_age"] = per_age
    return out


novelty_by_age = []
for i in range(4):
    k = int(rng.integers(4, 15))
    ages = np.arange(k, dtype=float)
    base, tau_inf, tau0 = float(rng.uniform(5, 20)), float(rng.uniform(0, 0.5)), float(rng.uniform(0.5, 2.5))
    controls, treatments = [], []
    for a in ages:
        nC, nT = int(rng.integers(15, 60)), int(rng.integers(15, 60))
        eff = tau_inf + (tau0 - tau_inf) * 2 ** (-a / 3)
        controls.append(np.round(rng.normal(base, 3, nC), 6))
        treatments.append(np.round(rng.normal(base + eff, 3, nT), 6))
    alt = ALTS[i % 3]
    case = {"name": f"random unit-day data {i} ({k} ages)", "ages": fl(ages),
            "control": [fl(c) for c in controls], "treatment": [fl(t) for t in treatments],
            "alpha": 0.05, "alternative": alt,
            "call": "per age: scipy.stats.ttest_ind(treatment, control, equal_var=False), estimate mean(t) - mean(c), "
                    "standard error ._standard_error; then " + WLS_CALL}
    case.update(welch_by_age(ages, controls, treatments, alt, 0.05))
    novelty_by_age.append(case)


# ---------------------------------------------------------------- stratified comparison
def stratified(strata, weights, alternative, alpha):
    """Independent computation: OLS of y on the full interaction stratum x arm (cell-means model: one dummy per
    stratum and one stratum-dummy x treatment column), HC2 covariance, then the contrast sum_s W_s beta_{s:T} by
    results.t_test with a normal reference. For a saturated cell-means model HC2 of a cell mean is s^2/n, so this
    equals the textbook variance sum W^2 (s_T^2/n_T + s_C^2/n_C), which is checked below piece by piece against
    statsmodels CompareMeans(...).std_meandiff_separatevar and by an explicit sum."""
    kept = [s for s, (c, t) in enumerate(strata) if len(c) >= 2 and len(t) >= 2]
    dropped = [s for s in range(len(strata)) if s not in kept]
    if weights is None:
        raw = np.array([len(strata[s][0]) + len(strata[s][1]) for s in kept], float)
    else:
        raw = np.array([weights[s] for s in kept], float)
    W = raw / raw.sum()
    S = len(kept)
    rows_y, rows_x = [], []
    for j, s in enumerate(kept):
        c, t = strata[s]
        for v, arm in [(c, 0.0), (t, 1.0)]:
            for y in v:
                x = np.zeros(2 * S)
                x[j] = 1.0
                x[S + j] = arm
                rows_x.append(x)
                rows_y.append(y)
    res = sm.OLS(np.array(rows_y), np.array(rows_x)).fit(cov_type="HC2", use_t=False)
    R = np.concatenate([np.zeros(S), W])[None, :]
    tt = res.t_test(R)
    est, se, z = float(tt.effect[0]), float(tt.sd[0, 0]), float(tt.tvalue[0, 0])
    # per-stratum pieces and the explicit combination
    total_est, total_var, per = 0.0, 0.0, []
    for j, s in enumerate(kept):
        c, t = (np.asarray(v, float) for v in strata[s])
        cm = CompareMeans(DescrStatsW(t), DescrStatsW(c))
        d, sd = float(np.mean(t) - np.mean(c)), float(cm.std_meandiff_separatevar)
        assert close(sd ** 2, float(res.cov_params()[S + j, S + j]), 1e-10)
        total_est += W[j] * d
        total_var += W[j] ** 2 * sd ** 2
        per.append({"stratum": s, "weight": float(W[j]), "estimate": d, "standard_error": sd})
    assert close(est, total_est, 1e-10, 1e-13) and close(se, math.sqrt(total_var), 1e-10)
    if alternative == "two-sided":
        p = float(tt.pvalue)
        lo, hi = tt.conf_int(alpha=alpha)[0]
    else:  # a one-sided (1 - alpha) bound is the matching bound of the two-sided (1 - 2 alpha) interval
        p = p_from_z(z, alternative)
        lo, hi = tt.conf_int(alpha=2 * alpha)[0]
        if alternative == "greater":
            hi = math.inf
        else:
            lo = -math.inf
    cmean = sum(W[j] * np.mean(strata[s][0]) for j, s in enumerate(kept))
    tmean = sum(W[j] * np.mean(strata[s][1]) for j, s in enumerate(kept))
    return {"dropped": dropped, "per_stratum": per, "estimate": est, "standard_error": se, "statistic": z,
            "p_value": p, "lower": f(lo), "upper": f(hi), "control_mean": float(cmean), "treatment_mean": float(tmean),
            "control_n": int(sum(len(strata[s][0]) for s in kept)),
            "treatment_n": int(sum(len(strata[s][1]) for s in kept))}


STRAT_CALL = ("statsmodels OLS(y, [stratum dummies, stratum dummies x treatment]).fit(cov_type='HC2', use_t=False)"
              ".t_test(R = [0..0, W_1..W_S]) (effect, sd, tvalue, pvalue, conf_int(alpha)); one-sided p "
              "scipy.stats.norm.sf/cdf(z) and the bound of conf_int(2 alpha); per stratum checked against "
              "CompareMeans(DescrStatsW(t), DescrStatsW(c)).std_meandiff_separatevar and the explicit sums "
              "sum W d_s, sum W^2 se_s^2. Strata with < 2 units in an arm dropped, weights renormalised over the rest")


def strat_case(name, strata, weights=None, alternative="two-sided", alpha=0.05):
    strata = [(np.round(c, 6), np.round(t, 6)) for c, t in strata]
    case = {"name": name, "strata": [{"control": fl(c), "treatment": fl(t)} for c, t in strata],
            "weights": None if weights is None else list(map(float, weights)), "alpha": alpha,
            "alternative": alternative, "call": STRAT_CALL}
    case.update(stratified(strata, weights, alternative, alpha))
    return case


def arm(n, mean, sd):
    return rng.normal(mean, sd, n)


strat = []
for i in range(10):
    S = int(rng.integers(2, 6))
    strata = []
    for s in range(S):
        m = float(rng.uniform(5, 15))
        strata.append((arm(int(rng.integers(2, 50)), m, float(rng.uniform(0.5, 4))),
                       arm(int(rng.integers(2, 50)), m + float(rng.uniform(-0.5, 1.5)), float(rng.uniform(0.5, 4)))))
    weights = None if i % 2 == 0 else list(map(float, rng.integers(1, 10, S)))
    strat.append(strat_case(f"random {i} ({S} strata, {'n_s/N' if weights is None else 'given'} weights)", strata,
                            weights, ALTS[i % 3], [0.05, 0.1, 0.01][(i // 3) % 3]))
# a ramp-up: period 1 at 10% treatment, period 2 at 50%, with a baseline that drifts between periods
strat.append(strat_case("ramp-up: 10% then 50% treatment, baseline drift", [
    (arm(180, 10.0, 2.0), arm(20, 10.5, 2.0)), (arm(100, 12.0, 2.0), arm(100, 12.5, 2.0))]))
strat.append(strat_case("one stratum with a single treatment unit is dropped (n_s/N weights)", [
    (arm(30, 5.0, 1.0), arm(25, 5.4, 1.0)), (arm(12, 6.0, 1.0), arm(1, 6.0, 1.0)), (arm(40, 4.0, 1.5), arm(35, 4.5, 1.5))]))
strat.append(strat_case("an empty control arm in one stratum is dropped (given weights)", [
    (arm(30, 5.0, 1.0), arm(25, 5.4, 1.0)), (arm(0, 6.0, 1.0), arm(8, 6.0, 1.0)), (arm(40, 4.0, 1.5), arm(35, 4.5, 1.5))],
    weights=[1.0, 5.0, 3.0], alternative="greater"))
strat.append(strat_case("one stratum (Welch's estimate, normal reference)", [(arm(23, 3.0, 1.0), arm(31, 3.3, 1.7))]))


# ---------------------------------------------------------------- winsorised (capped) moments
capped = []
for i, (lo_p, hi_p) in enumerate([(0.0, 0.99), (0.01, 0.99), (0.05, 0.95), (0.0, 0.9), (0.0, 1.0)]):
    nC, nT = int(rng.integers(20, 300)), int(rng.integers(20, 300))
    c = rng.lognormal(1, 1.0, nC)
    t = rng.lognormal(1.05, 1.0, nT)
    # a few bot-like units with huge activity
    c[: int(rng.integers(0, 3))] *= 200
    t[: int(rng.integers(1, 4))] *= 200
    c, t = np.round(c, 6), np.round(t, 6)
    pooled = np.concatenate([c, t])
    caps = np.quantile(pooled, [lo_p, hi_p], method="linear")
    cc, tc = np.clip(c, caps[0], caps[1]), np.clip(t, caps[0], caps[1])
    n_capped = int(np.sum((pooled < caps[0]) | (pooled > caps[1])))
    r = stats.ttest_ind(tc, cc, equal_var=False)
    ci = r.confidence_interval(0.95)
    case = {"name": f"random {i} (caps at {lo_p}, {hi_p})", "groups": [fl(c), fl(t)], "lower_p": lo_p, "upper_p": hi_p,
            "call": f"numpy.quantile(concatenate(groups), [{lo_p}, {hi_p}], method='linear'); numpy.clip; "
                    "capped = count of pooled values outside [lo, hi]; "
                    "scipy.stats.ttest_ind(capped treatment, capped control, equal_var=False) and .confidence_interval(0.95)",
            "lower_cap": float(caps[0]), "upper_cap": float(caps[1]), "capped": n_capped,
            "capped_sums": [float(np.sum(cc)), float(np.sum(tc))],
            "welch": {"estimate": float(np.mean(tc) - np.mean(cc)), "standard_error": float(r._standard_error),
                      "statistic": float(r.statistic), "df": float(r.df), "p_value": float(r.pvalue),
                      "lower": float(ci.low), "upper": float(ci.high)}}
    if i == 1:
        case["covariates"] = [fl(np.round(rng.normal(3, 1, nC), 6)), fl(np.round(rng.normal(3, 1, nT), 6))]
    capped.append(case)


fixture = {
    "generator": "scripts/reference/fault_methods.py",
    "software": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                 "statsmodels": statsmodels.__version__, "pandas": pandas.__version__,
                 "ssrm-test": importlib.metadata.version("ssrm-test")},
    "seed": SEED,
    "tolerances": {
        "sequential_srm": "log BF: 1e-9 relative + 1e-14 (N + concentration) ln(N + concentration) absolute "
                          "(a difference of log-gammas of size N ln N); p = exp(-log BF) the same, relative",
        "quadrature": "log BF vs scipy quad: 1e-9 absolute",
        "exact": "1e-9 relative + 1e-14 absolute (WLS, per-age Welch, stratified, caps, Welch on capped values)",
    },
    "sequential_srm": seq_srm, "sequential_srm_quadrature": seq_srm_quad,
    "novelty": novelty, "novelty_by_age": novelty_by_age, "stratified": strat, "capped_moments": capped,
}
OUT.write_text(json.dumps(fixture, indent=1, allow_nan=False) + "\n")
print(f"wrote {OUT.relative_to(ROOT)}", file=sys.stderr)
