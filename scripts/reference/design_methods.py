#!/usr/bin/env python3
"""Golden values for the Analysis module's design methods: cluster-robust differences in means
(CR1, CR2 with Bell-McCaffrey df, and the cluster-means Welch test), two-way fixed-effects panel
regression for switchbacks (classical, cluster-by-region, Driscoll-Kraay HAC), and estimation after
adaptive allocation (Horvitz-Thompson IPW, period-stratified difference, period-aware SRM).

Writes Tests/AnalysisTests/Fixtures/design-methods.json. Every case names the reference call that
produced it ("call"), and the file records the software versions. Deterministic: the random data
come from numpy.random.default_rng(20270301) and are rounded to 6 decimals.

Needs statsmodels (and pandas, which it imports), which the system Python lacks:

    python3 -m venv .venv-ref
    .venv-ref/bin/pip install numpy scipy statsmodels pandas
    .venv-ref/bin/python scripts/reference/design_methods.py

Independence from the Swift code: CR1 and every panel covariance come from statsmodels OLS on
unit-level (cell-level) data with explicit dummy columns; CR2 and its Bell-McCaffrey df from the
matrix formulas with numpy eigendecompositions (never the closed forms the Swift code uses; those
are only asserted here); IPW from per-unit scores built from unit-level data and statsmodels
DescrStatsW; the period-stratified estimate from OLS with period x arm cells, HC2 and t_test;
SRM from scipy.stats.chisquare.
"""
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
from scipy import stats
from statsmodels.stats.weightstats import DescrStatsW

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests/AnalysisTests/Fixtures/design-methods.json"
SEED = 20270301
rng = np.random.default_rng(SEED)
ALTS = ["two-sided", "greater", "less"]
SM_ALT = {"two-sided": "two-sided", "greater": "larger", "less": "smaller"}


def f(x):
    """JSON-safe float (infinities and NaN as strings, which the Swift side decodes)."""
    x = float(x)
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if math.isnan(x):
        return "nan"
    return x


def close(a, b, rel=1e-10, abs_=1e-13):
    return abs(a - b) <= rel * abs(b) + abs_


def t_inference(est, se, df, alternative, alpha):
    """p and interval of est/se against t(df) (df = inf: standard normal), with scipy."""
    dist = stats.norm if math.isinf(df) else stats.t(df)
    t = est / se
    if alternative == "two-sided":
        p = 2 * dist.sf(abs(t))
        q = dist.isf(alpha / 2)
        return t, p, est - q * se, est + q * se
    q = dist.isf(alpha)
    if alternative == "greater":
        return t, dist.sf(t), est - q * se, math.inf
    return t, dist.cdf(t), -math.inf, est + q * se


def sm_inference(res, j, alternative, alpha):
    """statsmodels' own p-value and interval for coefficient j; a one-sided (1 - alpha) bound is the
    matching bound of the two-sided (1 - 2 alpha) interval and its p-value half the two-sided one on
    the right side (computed with the same reference distribution statsmodels uses)."""
    t = float(res.tvalues[j])
    if alternative == "two-sided":
        lo, hi = res.conf_int(alpha=alpha)[j]
        return float(res.pvalues[j]), float(lo), float(hi)
    lo, hi = res.conf_int(alpha=2 * alpha)[j]
    p2 = float(res.pvalues[j])
    right = (t > 0) == (alternative == "greater")
    p = p2 / 2 if right else 1 - p2 / 2
    return (p, float(lo), math.inf) if alternative == "greater" else (p, -math.inf, float(hi))


# ---------------------------------------------------------------- cluster-robust difference in means
def cluster_data(sizes_c, sizes_t, effect, sd_cluster, sd_unit, mean=10.0):
    clusters = []
    for arm, sizes in [(0, sizes_c), (1, sizes_t)]:
        for n in sizes:
            b = rng.normal(0, sd_cluster)
            clusters.append((arm, np.round(rng.normal(mean + effect * arm + b, sd_unit, int(n)), 6)))
    return clusters


def cr2_matrix(y, X, g):
    """CR2 (Bell & McCaffrey 2002) and its Bell-McCaffrey df (Imbens & Kolesar 2016) by the matrix formulas:
    V = (X'X)^-1 sum_g X_g' A_g e_g e_g' A_g X_g (X'X)^-1, A_g = (I - H_gg)^(-1/2) by eigendecomposition;
    df = (sum lambda)^2 / sum lambda^2, lambda the eigenvalues of G'G, G_g = (I - H)[:, g] A_g X_g (X'X)^-1 l."""
    N = len(y)
    XtXi = np.linalg.inv(X.T @ X)
    beta = XtXi @ X.T @ y
    e = y - X @ beta
    ell = np.array([0.0, 1.0])
    meat = np.zeros((2, 2))
    cols = []
    for gg in np.unique(g):
        idx = g == gg
        Xg = X[idx]
        Hgg = Xg @ XtXi @ Xg.T
        w, Q = np.linalg.eigh(np.eye(idx.sum()) - Hgg)
        A = Q @ np.diag(w ** -0.5) @ Q.T
        u = Xg.T @ A @ e[idx]
        meat += np.outer(u, u)
        IH = np.eye(N)[:, idx] - X @ XtXi @ Xg.T
        cols.append(IH @ A @ Xg @ XtXi @ ell)
    V = XtXi @ meat @ XtXi
    Gm = np.array(cols).T
    lam = np.linalg.eigvalsh(Gm.T @ Gm)
    return float(beta[1]), math.sqrt(V[1, 1]), float(lam.sum() ** 2 / (lam ** 2).sum())


def cr_closed_forms(clusters):
    """The closed forms of the Swift code (asserted against the references, never written to the fixture)."""
    out = {}
    arms = {a: [v for arm, v in clusters if arm == a] for a in (0, 1)}
    N = {a: sum(len(v) for v in arms[a]) for a in (0, 1)}
    m = {a: sum(v.sum() for v in arms[a]) / N[a] for a in (0, 1)}
    G = len(clusters)
    v0 = sum(((v - m[a]).sum() / N[a]) ** 2 for a in (0, 1) for v in arms[a])
    out["cr1"] = math.sqrt(v0 * G / (G - 1) * (N[0] + N[1] - 1) / (N[0] + N[1] - 2))
    v2, K = 0.0, {}
    for a in (0, 1):
        sa = sb = 0.0
        for v in arms[a]:
            p = len(v) / N[a]
            v2 += (v - m[a]).sum() ** 2 / ((1 - p) * N[a] ** 2)
            sa += p * p * (1 - 2 * p) / (1 - p) ** 2
            sb += p * p / (1 - p)
        K[a] = sa + sb * sb
    out["cr2"] = math.sqrt(v2)
    out["bm_df"] = (N[0] + N[1]) ** 2 / (K[0] * N[1] ** 2 + K[1] * N[0] ** 2)
    return out


CR1_CALL = ("statsmodels OLS(y, add_constant(treated)).fit(cov_type='cluster', cov_kwds={'groups': cluster}, use_t=True) "
            "on the unit-level data: params[1], bse[1], tvalues[1], df_resid_inference (= G - 1), pvalues[1] and "
            "conf_int(alpha)[1]; one-sided: half the two-sided p on the side of t, bound of conf_int(2 alpha)")
CR2_CALL = ("numpy: (X'X)^-1 sum_g X_g' A_g e_g e_g' A_g X_g (X'X)^-1 with A_g = (I - H_gg)^(-1/2) by numpy.linalg.eigh, "
            "Bell-McCaffrey df = (sum lambda)^2 / sum lambda^2 over numpy.linalg.eigvalsh(G'G), "
            "G_g = (I - H)[:, g] A_g X_g (X'X)^-1 (0, 1)'; p and interval from scipy.stats.t(df)")
MEANS_CALL = ("scipy.stats.ttest_ind(treatment cluster means, control cluster means, equal_var=False, alternative=...) "
              "and .confidence_interval(1 - alpha); estimate = difference of the means of cluster means")


def cluster_case(name, sizes_c, sizes_t, effect=0.3, sd_cluster=0.5, sd_unit=1.0, alternative="two-sided", alpha=0.05):
    clusters = cluster_data(sizes_c, sizes_t, effect, sd_cluster, sd_unit)
    y = np.concatenate([v for _, v in clusters])
    d = np.concatenate([np.full(len(v), float(a)) for a, v in clusters])
    g = np.concatenate([np.full(len(v), i) for i, (_, v) in enumerate(clusters)])
    X = sm.add_constant(d)
    G = len(clusters)
    closed = cr_closed_forms(clusters)

    res = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": g}, use_t=True)
    assert res.use_t and res.df_resid_inference == G - 1
    est, se = float(res.params[1]), float(res.bse[1])
    assert close(se, closed["cr1"], 1e-10)
    p, lo, hi = sm_inference(res, 1, alternative, alpha)
    t2, p2, lo2, hi2 = t_inference(est, se, G - 1, alternative, alpha)
    assert close(p, p2, 1e-9, 1e-15) and close(float(res.tvalues[1]), t2, 1e-12)
    cr1 = {"call": CR1_CALL, "estimate": est, "standard_error": se, "statistic": float(res.tvalues[1]),
           "df": float(res.df_resid_inference), "p_value": p, "lower": f(lo), "upper": f(hi)}

    est2, se2, df2 = cr2_matrix(y, X, g)
    assert close(est2, est, 1e-10, 1e-13) and close(se2, closed["cr2"], 1e-10) and close(df2, closed["bm_df"], 1e-9)
    t, p, lo, hi = t_inference(est2, se2, df2, alternative, alpha)
    cr2 = {"call": CR2_CALL, "estimate": est2, "standard_error": se2, "statistic": t, "df": df2, "p_value": p,
           "lower": f(lo), "upper": f(hi)}

    mc = np.array([v.mean() for a, v in clusters if a == 0])
    mt = np.array([v.mean() for a, v in clusters if a == 1])
    r = stats.ttest_ind(mt, mc, equal_var=False, alternative=alternative)
    ci = r.confidence_interval(1 - alpha)
    means = {"call": MEANS_CALL, "estimate": float(mt.mean() - mc.mean()), "standard_error": float(r._standard_error),
             "statistic": float(r.statistic), "df": float(r.df), "p_value": float(r.pvalue), "lower": f(ci.low),
             "upper": f(ci.high)}

    def summary(v):
        return {"n": len(v), "sum": float(np.sum(v)), "sum_of_squares": float(np.sum(v * v))}

    return {"name": name, "alpha": alpha, "alternative": alternative,
            "control": [summary(v) for a, v in clusters if a == 0],
            "treatment": [summary(v) for a, v in clusters if a == 1],
            "units": {"control": int((d == 0).sum()), "treatment": int((d == 1).sum())},
            "means": {"control": float(y[d == 0].mean()), "treatment": float(y[d == 1].mean())},
            "cr1": cr1, "cr2": cr2, "cluster_means": means}


cluster = [
    cluster_case("2 clusters per arm (the minimum)", [12, 7], [9, 15]),
    cluster_case("one unit per cluster (CR2 = HC2 = Welch variance)", [1] * 14, [1] * 9, sd_cluster=0.0),
    cluster_case("equal sizes, 40 + 40 clusters of 25", [25] * 40, [25] * 40, alternative="greater"),
    cluster_case("unequal sizes, 6 vs 9 clusters", list(rng.integers(3, 60, 6)), list(rng.integers(3, 60, 9))),
    cluster_case("one cluster holds most of its arm (1 - 2p < 0)", [80, 5, 6], [10, 12, 9, 11], alternative="less"),
    cluster_case("no cluster effect, 20 vs 25 clusters", list(rng.integers(1, 30, 20)), list(rng.integers(1, 30, 25)),
                 sd_cluster=0.0, alpha=0.1),
    cluster_case("strong cluster effect (ICC ~ 0.8)", list(rng.integers(5, 40, 8)), list(rng.integers(5, 40, 8)),
                 sd_cluster=2.0, sd_unit=1.0),
    cluster_case("no effect, 3 vs 3 clusters, alpha 0.01", [20, 30, 25], [22, 18, 35], effect=0.0, alpha=0.01),
]
for i in range(6):
    gc, gt = int(rng.integers(2, 30)), int(rng.integers(2, 30))
    hi_size = int(rng.choice([2, 10, 80]))
    cluster.append(cluster_case(f"random {i} ({gc} vs {gt} clusters, sizes 1..{hi_size})",
                                list(rng.integers(1, hi_size + 1, gc)), list(rng.integers(1, hi_size + 1, gt)),
                                effect=float(rng.uniform(-0.5, 0.5)), sd_cluster=float(rng.uniform(0, 1.5)),
                                alternative=ALTS[i % 3], alpha=float(rng.choice([0.05, 0.1, 0.01]))))


# ---------------------------------------------------------------- two-way fixed-effects panel
def dummies(R, T):
    region = np.repeat(np.arange(R), T)
    time = np.tile(np.arange(T), R)
    X = np.column_stack([np.ones(R * T)] + [(region == r).astype(float) for r in range(1, R)]
                        + [(time == t).astype(float) for t in range(1, T)])
    return region, time, X


def within(y, z):
    """The two-way within transformation (asserted against the dummy regression)."""
    def tw(a):
        return a - a.mean(axis=1, keepdims=True) - a.mean(axis=0, keepdims=True) + a.mean()
    yt, zt = tw(y), tw(z)
    return float((zt * yt).sum() / (zt * zt).sum())


PANEL_CALLS = {
    "classical": "statsmodels OLS(y, [1, region dummies 1..R-1, window dummies 1..T-1, z]).fit(); rows region-major; "
                 "params[-1], bse[-1], tvalues[-1], df_resid, pvalues[-1], conf_int(alpha)[-1] (one-sided: half p, "
                 "bound of conf_int(2 alpha))",
    "cluster": "statsmodels OLS(same X).fit(cov_type='cluster', cov_kwds={'groups': region}, use_t=True); df_resid_inference "
               "= R - 1; params, bse, tvalues, pvalues, conf_int as classical",
    "hac": "statsmodels OLS(same X).fit(cov_type='hac-groupsum', cov_kwds={'time': window, 'maxlags': L, "
           "'df_correction': False}) (Driscoll-Kraay, Bartlett kernel, default use_correction='cluster'): params[-1], "
           "bse[-1]; p and interval from scipy.stats.t(T - 1). For L = 0 also asserted equal to "
           "fit(cov_type='cluster', cov_kwds={'groups': window}, use_t=True) (bse, pvalues, conf_int)",
}


def panel_case(name, R, T, design, beta=0.5, carry=0.0, rho=0.5, sd=1.0, sd_common=0.5, lags=(0, 2), alternative="two-sided",
               alpha=0.05):
    if design == "random":
        z = (rng.random((R, T)) < 0.5).astype(float)
    elif design == "checkerboard":
        z = ((np.arange(R)[:, None] + np.arange(T)[None, :]) % 2).astype(float)
    elif design == "blocks":
        b = int(rng.integers(2, 5))
        start = rng.integers(0, 2, R)
        z = (((np.arange(T)[None, :] // b) + start[:, None]) % 2).astype(float)
    elif design == "staggered":
        adopt = rng.integers(1, T, R)
        z = (np.arange(T)[None, :] >= adopt[:, None]).astype(float)
    else:
        raise ValueError(design)
    alpha_r = rng.normal(0, 2, R)
    lam_t = rng.normal(0, 1, T) + rng.normal(0, sd_common, T)
    u = np.zeros((R, T))
    for t in range(T):
        u[:, t] = (rho * u[:, t - 1] if t else 0) + rng.normal(0, sd, R)
    z_prev = np.concatenate([np.zeros((R, 1)), z[:, :-1]], axis=1)
    y = np.round(20 + alpha_r[:, None] + lam_t[None, :] + beta * z + carry * z_prev + u, 6)
    region, time, Xd = dummies(R, T)
    X = np.column_stack([Xd, z.reshape(-1)])
    yy = y.reshape(-1)
    assert np.linalg.matrix_rank(X) == X.shape[1], name
    est_within = within(y, z)
    N, K = R * T, R + T
    out = {"name": name, "design": design, "alpha": alpha, "alternative": alternative, "y": y.tolist(),
           "z": z.astype(int).tolist(), "results": []}

    res = sm.OLS(yy, X).fit()
    assert res.df_resid == N - K and close(float(res.params[-1]), est_within, 1e-10, 1e-12)
    p, lo, hi = sm_inference(res, -1, alternative, alpha)
    out["results"].append({"covariance": "classical", "call": PANEL_CALLS["classical"], "estimate": float(res.params[-1]),
                           "standard_error": float(res.bse[-1]), "statistic": float(res.tvalues[-1]),
                           "df": float(res.df_resid), "p_value": p, "lower": f(lo), "upper": f(hi)})

    res = sm.OLS(yy, X).fit(cov_type="cluster", cov_kwds={"groups": region}, use_t=True)
    assert res.df_resid_inference == R - 1
    if R == 2:
        # Two regions: both z~ and e change sign between them, so the region scores are equal and sum to 0 and the
        # cluster variance is identically 0 (statsmodels returns rounding noise). Not a golden value: the Swift code
        # reports zero_variance, tested there.
        classical_se = out["results"][0]["standard_error"]
        assert float(res.bse[-1]) < 1e-5 * classical_se, (name, float(res.bse[-1]), classical_se)
    else:
        p, lo, hi = sm_inference(res, -1, alternative, alpha)
        out["results"].append({"covariance": "cluster", "call": PANEL_CALLS["cluster"], "estimate": float(res.params[-1]),
                               "standard_error": float(res.bse[-1]), "statistic": float(res.tvalues[-1]),
                               "df": float(res.df_resid_inference), "p_value": p, "lower": f(lo), "upper": f(hi)})

    for L in lags:
        res = sm.OLS(yy, X).fit(cov_type="hac-groupsum", cov_kwds={"time": time, "maxlags": L, "df_correction": False})
        est, se = float(res.params[-1]), float(res.bse[-1])
        t, p, lo, hi = t_inference(est, se, T - 1, alternative, alpha)
        if L == 0:
            byw = sm.OLS(yy, X).fit(cov_type="cluster", cov_kwds={"groups": time}, use_t=True)
            assert byw.df_resid_inference == T - 1 and close(float(byw.bse[-1]), se, 1e-10)
            p2, lo2, hi2 = sm_inference(byw, -1, alternative, alpha)
            assert close(p2, p, 1e-9, 1e-15) and (math.isinf(lo) or close(lo2, lo, 1e-10, 1e-12))
        out["results"].append({"covariance": "hac", "max_lags": L, "call": PANEL_CALLS["hac"], "estimate": est,
                               "standard_error": se, "statistic": t, "df": float(T - 1), "p_value": p, "lower": f(lo),
                               "upper": f(hi)})
    return out


panel = [
    panel_case("2 regions x 6 windows, random switchback", 2, 6, "random", lags=(0, 1, 2)),
    panel_case("3 regions x 12 windows, checkerboard", 3, 12, "checkerboard", carry=-0.2, lags=(0, 1, 3)),
    panel_case("5 regions x 24 windows, blocks of 2-4, carryover", 5, 24, "blocks", carry=0.3, lags=(0, 2, 4)),
    panel_case("8 regions x 40 windows, random, AR(1) 0.8", 8, 40, "random", rho=0.8, lags=(0, 3, 8), alternative="greater"),
    panel_case("6 regions x 10 windows, staggered adoption", 6, 10, "staggered", lags=(0, 1, 15), alternative="less"),
    panel_case("4 regions x 16 windows, random, no effect, alpha 0.1", 4, 16, "random", beta=0.0, lags=(0, 2), alpha=0.1),
    panel_case("10 regions x 8 windows, blocks", 10, 8, "blocks", lags=(0, 1, 7)),
    panel_case("3 regions x 30 windows, random, small noise", 3, 30, "random", sd=0.05, sd_common=0.01, lags=(0, 5)),
]


# ---------------------------------------------------------------- adaptive allocation
def adaptive_data(k, P, n_mean, means, sd, drift=0.0, binary=False, weights=None):
    periods = []
    for p in range(P):
        w = weights[p] if weights is not None else rng.dirichlet(np.ones(k) * 2) * 10
        pi = np.asarray(w, float) / np.sum(w)
        n = int(rng.poisson(n_mean))
        arms = rng.choice(k, size=n, p=pi)
        if binary:
            y = (rng.random(n) < np.clip(np.asarray(means)[arms] + drift * p, 0, 1)).astype(float)
        else:
            y = np.round(rng.normal(np.asarray(means)[arms] + drift * p, sd), 6)
        periods.append((list(map(float, w)), arms, y))
    return periods


def ipw_reference(periods, t, c, alternative, alpha):
    """Per-unit scores psi_i = 1{A=t} y/pi_t - 1{A=c} y/pi_c from the unit-level data, then statsmodels DescrStatsW:
    mean, std_mean (= sqrt(sum (psi - mean)^2 / (N (N - 1)))), ztest_mean, zconfint_mean."""
    psi, psi_t, psi_c = [], [], []
    for w, arms, y in periods:
        pi = np.asarray(w) / np.sum(w)
        psi.append(np.where(arms == t, y / pi[t], 0.0) - np.where(arms == c, y / pi[c], 0.0))
        psi_t.append(np.where(arms == t, y / pi[t], 0.0))
        psi_c.append(np.where(arms == c, y / pi[c], 0.0))
    ds, dt, dc = (DescrStatsW(np.concatenate(v)) for v in (psi, psi_t, psi_c))
    z, p = ds.ztest_mean(0, alternative=SM_ALT[alternative])
    lo, hi = ds.zconfint_mean(alpha=alpha, alternative=SM_ALT[alternative])
    if alternative == "greater":
        hi = math.inf
    elif alternative == "less":
        lo = -math.inf
    N = len(np.concatenate(psi))
    psi_all = np.concatenate(psi)
    assert close(float(ds.std_mean), math.sqrt(np.sum((psi_all - psi_all.mean()) ** 2) / (N * (N - 1))), 1e-10)
    return {"call": "numpy per-unit scores psi = 1{A=t} y/pi_t - 1{A=c} y/pi_c (pi = w/sum(w) of the unit's period, 0 for "
                    "other arms) from the unit-level data; statsmodels DescrStatsW(psi).mean, .std_mean, "
                    ".ztest_mean(0, alternative), .zconfint_mean(alpha, alternative); per arm DescrStatsW(psi_a)",
            "units": N, "treatment_mean": float(dt.mean), "control_mean": float(dc.mean),
            "treatment_standard_error": float(dt.std_mean), "control_standard_error": float(dc.std_mean),
            "estimate": float(ds.mean), "standard_error": float(ds.std_mean), "statistic": float(z), "p_value": float(p),
            "lower": f(lo), "upper": f(hi)}


def stratified_reference(periods, t, c, alternative, alpha):
    """OLS of y on the period x arm cells (t and c units only): one dummy per kept period and one period x treatment
    column, HC2 covariance, contrast sum_p W_p beta_{p:T} by results.t_test (normal reference), W_p = n_p (all arms)
    normalised over the kept periods (>= 2 units in both t and c)."""
    kept = [i for i, (w, arms, y) in enumerate(periods) if (arms == t).sum() >= 2 and (arms == c).sum() >= 2]
    dropped = [i for i in range(len(periods)) if i not in kept]
    raw = np.array([len(periods[i][1]) for i in kept], float)
    W = raw / raw.sum()
    S = len(kept)
    rows_x, rows_y = [], []
    for j, i in enumerate(kept):
        w, arms, y = periods[i]
        for a, v in ((0.0, y[arms == c]), (1.0, y[arms == t])):
            for val in v:
                x = np.zeros(2 * S)
                x[j] = 1.0
                x[S + j] = a
                rows_x.append(x)
                rows_y.append(val)
    res = sm.OLS(np.array(rows_y), np.array(rows_x)).fit(cov_type="HC2", use_t=False)
    tt = res.t_test(np.concatenate([np.zeros(S), W])[None, :])
    est, se, z = float(tt.effect[0]), float(tt.sd[0, 0]), float(tt.tvalue[0, 0])
    if alternative == "two-sided":
        p = float(tt.pvalue)
        lo, hi = tt.conf_int(alpha=alpha)[0]
    else:
        p = float(stats.norm.sf(z) if alternative == "greater" else stats.norm.cdf(z))
        lo, hi = tt.conf_int(alpha=2 * alpha)[0]
        lo, hi = (lo, math.inf) if alternative == "greater" else (-math.inf, hi)
    weights = [0.0] * len(periods)
    for j, i in enumerate(kept):
        weights[i] = float(W[j])
    return {"call": "statsmodels OLS(y, [period dummies, period x treatment]).fit(cov_type='HC2', use_t=False) on the t "
                    "and c units of the kept periods; t_test(contrast sum_p W_p beta_{p:T}), W_p = n_p (all arms) / sum; "
                    "one-sided: normal sf/cdf of t_test's z and the bound of conf_int(2 alpha)",
            "dropped": dropped, "weights": weights, "estimate": est, "standard_error": se, "statistic": z,
            "p_value": p, "lower": f(lo), "upper": f(hi)}


def srm_reference(counts, weights, threshold=0.001):
    counts = np.asarray(counts, float)
    n_p = counts.sum(axis=1)
    pi = np.asarray(weights, float) / np.asarray(weights, float).sum(axis=1, keepdims=True)
    expected = (n_p[:, None] * pi).sum(axis=0)
    observed = counts.sum(axis=0)
    r = stats.chisquare(observed, f_exp=expected)
    return {"call": "scipy.stats.chisquare(observed = sum_p counts, f_exp = sum_p n_p w_p / sum(w_p))",
            "observed": [int(x) for x in observed], "expected": [float(x) for x in expected],
            "chi_square": float(r.statistic), "p_value": float(r.pvalue), "df": len(observed) - 1,
            "flagged": bool(r.pvalue < threshold), "threshold": threshold}


def adaptive_case(name, periods, t, c=0, alternative="two-sided", alpha=0.05):
    k = len(periods[0][0])
    return {"name": name, "treatment": t, "control": c, "alpha": alpha, "alternative": alternative,
            "periods": [{"weights": w, "arms": [{"n": int((arms == a).sum()), "sum": float(np.sum(y[arms == a])),
                                                 "sum_of_squares": float(np.sum(y[arms == a] ** 2))} for a in range(k)]}
                        for w, arms, y in periods],
            "ipw": ipw_reference(periods, t, c, alternative, alpha),
            "stratified": stratified_reference(periods, t, c, alternative, alpha),
            "srm": srm_reference([[int((arms == a).sum()) for a in range(k)] for w, arms, y in periods],
                                 [w for w, arms, y in periods])}


ramp = [[9, 1], [8, 2], [5, 5], [5, 5], [2, 8]]
adaptive = [
    adaptive_case("2 arms, ramp-up 10% -> 80%", adaptive_data(2, 5, 400, [1.0, 1.2], 1.0, weights=ramp), t=1),
    adaptive_case("2 arms, ramp-up with drift in the mean", adaptive_data(2, 5, 300, [1.0, 1.1], 1.0, drift=0.3, weights=ramp),
                  t=1, alternative="greater"),
    adaptive_case("3 arms, Thompson-like weights, arm 2 vs 0", adaptive_data(3, 6, 250, [0.0, 0.1, 0.3], 1.0), t=2),
    adaptive_case("4 arms, random weights, arm 1 vs 3", adaptive_data(4, 8, 200, [2.0, 2.2, 1.9, 2.0], 0.7), t=1, c=3,
                  alternative="less", alpha=0.1),
    adaptive_case("3 arms, conversion metric", adaptive_data(3, 5, 600, [0.10, 0.12, 0.11], 0, binary=True), t=1),
    adaptive_case("2 arms, a period with 1 treated unit is dropped by the stratified estimate",
                  adaptive_data(2, 4, 120, [5.0, 5.5], 2.0, weights=[[199, 1], [1, 1], [1, 2], [1, 3]]), t=1),
    adaptive_case("2 arms, no effect, fixed 50/50 weights", adaptive_data(2, 4, 200, [3.0, 3.0], 1.0, weights=[[1, 1]] * 4),
                  t=1, alpha=0.01),
]
# The dropped-period case must actually drop its first period.
assert adaptive[5]["stratified"]["dropped"] == [0], adaptive[5]["stratified"]["dropped"]

srm_extra = []
for name, counts, weights in [
    ("ramp 10/90 -> 50/50, arrivals match the mix", [[102, 898], [495, 505], [1010, 990]], [[1, 9], [1, 1], [1, 1]]),
    ("ramp, treatment loses 5% of units in the last period", [[100, 900], [500, 500], [1000, 950]], [[1, 9], [1, 1], [1, 1]]),
    ("pooled-weights mistake: a naive 50/50 check would flag this", [[1000, 9000], [5000, 5000]], [[1, 9], [1, 1]]),
    ("3-arm bandit, 4 periods", [[300, 300, 400], [200, 350, 450], [100, 400, 500], [60, 420, 520]],
     [[0.3, 0.3, 0.4], [0.2, 0.35, 0.45], [0.1, 0.4, 0.5], [0.06, 0.42, 0.52]]),
    ("3-arm bandit, arm 0 starved of units", [[250, 300, 450], [150, 350, 500]], [[0.3, 0.3, 0.4], [0.2, 0.35, 0.45]]),
]:
    case = srm_reference(counts, weights)
    case.update({"name": name, "counts": counts, "weights": [list(map(float, w)) for w in weights]})
    srm_extra.append(case)
naive = stats.chisquare([6000, 14000], f_exp=[10000, 10000]).pvalue
assert naive < 1e-100 and not srm_extra[2]["flagged"]


fixture = {
    "generator": "scripts/reference/design_methods.py",
    "software": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                 "statsmodels": statsmodels.__version__, "pandas": pandas.__version__},
    "seed": SEED,
    "tolerances": {"exact": "1e-9 relative + 1e-12 absolute on every value (all are O(n) floating-point sums or "
                            "distribution functions of them)"},
    "cluster": cluster, "panel": panel, "adaptive": adaptive, "srm": srm_extra,
}
OUT.write_text(json.dumps(fixture, indent=1, allow_nan=False) + "\n")
print(f"wrote {OUT.relative_to(ROOT)}", file=sys.stderr)
