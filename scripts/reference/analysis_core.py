#!/usr/bin/env python3
"""Golden values for the Analysis module, part A (fixed-horizon analysis).

Writes Tests/AnalysisTests/Fixtures/analysis-core.json. Every value names the reference call
that produced it ("call"), and the file records the software versions. Deterministic: the
random datasets come from numpy.random.default_rng(20261121).

    python3 scripts/reference/analysis_core.py
"""
import json
import math
import pathlib
import platform
import sys

import numpy as np
import scipy
import statsmodels
from scipy import integrate, special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests/AnalysisTests/Fixtures/analysis-core.json"
rng = np.random.default_rng(20261121)
ALTS = ["two-sided", "greater", "less"]
SM_ALT = {"two-sided": "two-sided", "greater": "larger", "less": "smaller"}


def f(x):
    """JSON-safe float (infinities as strings, which the Swift side decodes)."""
    x = float(x)
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if math.isnan(x):
        return "nan"
    return x


# ---------------------------------------------------------------- t tests
def t_case(name, control, treatment, equal_var, alternative="two-sided", alpha=0.05):
    r = stats.ttest_ind(treatment, control, equal_var=equal_var, alternative=alternative)
    ci = r.confidence_interval(confidence_level=1 - alpha)
    return {
        "name": name, "control": list(map(float, control)), "treatment": list(map(float, treatment)),
        "alternative": alternative, "alpha": alpha,
        "call": f"scipy.stats.ttest_ind(treatment, control, equal_var={equal_var}, alternative='{alternative}')"
                f" and .confidence_interval({1 - alpha})",
        "estimate": f(np.mean(treatment) - np.mean(control)),
        "standard_error": f(r._standard_error) if hasattr(r, "_standard_error") else f((np.mean(treatment) - np.mean(control)) / r.statistic),
        "statistic": f(r.statistic), "df": f(r.df), "p_value": f(r.pvalue),
        "lower": f(ci.low), "upper": f(ci.high),
    }


def random_arm(n, mean, sd, kind):
    if kind == "normal":
        return rng.normal(mean, sd, n)
    if kind == "lognormal":
        return rng.lognormal(math.log(mean), 0.8, n)
    return rng.exponential(mean, n)


oracle_a = [12.1, 14.3, 13.8, 15.2, 11.9, 13.4, 14.8, 12.7]
oracle_b = [14.9, 16.2, 15.1, 17.8, 13.9, 16.6, 15.4]
welch, student = [], []
for eq, sink in [(False, welch), (True, student)]:
    sink.append(t_case("ORACLES §11 a vs b", oracle_a, oracle_b, eq))
    sink.append(t_case("ORACLES §11 a2 vs b2", [1, 2, 3, 4], [2, 4, 6, 8, 10], eq))
    for i in range(24):
        nC, nT = int(rng.integers(2, 60)), int(rng.integers(2, 60))
        kind = ["normal", "lognormal", "exponential"][i % 3]
        m = float(rng.uniform(1, 20))
        c = random_arm(nC, m, float(rng.uniform(0.5, 5)), kind)
        t = random_arm(nT, m * float(rng.uniform(0.9, 1.3)), float(rng.uniform(0.5, 5)), kind)
        alt = ALTS[i % 3]
        alpha = [0.05, 0.1, 0.01][(i // 3) % 3]
        sink.append(t_case(f"random {i} ({kind})", np.round(c, 6), np.round(t, 6), eq, alt, alpha))


# ---------------------------------------------------------------- relative lift (delta method)
def rel_case(name, nC, mC, vC, nT, mT, vT, alternative="two-sided", alpha=0.05):
    r = mT / mC - 1
    var = vT / (mC ** 2 * nT) + vC * mT ** 2 / (mC ** 4 * nC)
    se = math.sqrt(var)
    z = r / se
    q = stats.norm.isf(alpha / 2 if alternative == "two-sided" else alpha)
    p = {"two-sided": 2 * stats.norm.sf(abs(z)), "greater": stats.norm.sf(z), "less": stats.norm.cdf(z)}[alternative]
    lo = r - q * se if alternative != "less" else -math.inf
    hi = r + q * se if alternative != "greater" else math.inf
    return {"name": name, "control": {"n": nC, "mean": mC, "variance": vC},
            "treatment": {"n": nT, "mean": mT, "variance": vT}, "alternative": alternative, "alpha": alpha,
            "call": "numpy: Var = vT/(mC^2 nT) + vC mT^2/(mC^4 nC) (ORACLES §11), scipy.stats.norm.sf/isf",
            "estimate": f(r), "standard_error": f(se), "statistic": f(z), "p_value": f(p), "lower": f(lo), "upper": f(hi)}


relative = [rel_case("ORACLES §11 relative lift", 1000, 10.0, 25.0, 1000, 10.5, 27.0)]
for i in range(20):
    c = random_arm(int(rng.integers(5, 80)), float(rng.uniform(2, 30)), float(rng.uniform(0.5, 5)), "normal")
    t = random_arm(int(rng.integers(5, 80)), float(rng.uniform(2, 30)), float(rng.uniform(0.5, 5)), "normal")
    c, t = np.round(c, 6), np.round(t, 6)
    case = rel_case(f"random {i}", len(c), float(np.mean(c)), float(np.var(c, ddof=1)),
                    len(t), float(np.mean(t)), float(np.var(t, ddof=1)), ALTS[i % 3])
    case["control"]["values"] = list(map(float, c))
    case["treatment"]["values"] = list(map(float, t))
    relative.append(case)


# ---------------------------------------------------------------- two-proportion z
def z_case(name, xC, nC, xT, nT, alternative="two-sided", alpha=0.05):
    z, p = proportions_ztest([xT, xC], [nT, nC], alternative=SM_ALT[alternative])
    pC, pT = xC / nC, xT / nT
    se = math.sqrt(pT * (1 - pT) / nT + pC * (1 - pC) / nC)
    if alternative == "two-sided":
        lo, hi = confint_proportions_2indep(xT, nT, xC, nC, method="wald", compare="diff", alpha=alpha)
    else:  # a one-sided (1 - alpha) bound is the matching bound of the two-sided (1 - 2 alpha) interval
        lo, hi = confint_proportions_2indep(xT, nT, xC, nC, method="wald", compare="diff", alpha=2 * alpha)
        if alternative == "greater":
            hi = math.inf
        else:
            lo = -math.inf
    # relative lift, delta method
    r = pT / pC - 1
    rse = math.sqrt(pT * (1 - pT) / (nT * pC ** 2) + pT ** 2 * pC * (1 - pC) / (nC * pC ** 4))
    rz = r / rse
    rp = {"two-sided": 2 * stats.norm.sf(abs(rz)), "greater": stats.norm.sf(rz), "less": stats.norm.cdf(rz)}[alternative]
    return {"name": name, "control": {"n": nC, "successes": xC}, "treatment": {"n": nT, "successes": xT},
            "alternative": alternative, "alpha": alpha,
            "call": f"statsmodels proportions_ztest([xT, xC], [nT, nC], alternative='{SM_ALT[alternative]}'); "
                    f"confint_proportions_2indep(xT, nT, xC, nC, method='wald', compare='diff', alpha={alpha if alternative == 'two-sided' else 2 * alpha})",
            "estimate": f(pT - pC), "standard_error": f(se), "statistic": f(z), "p_value": f(p),
            "lower": f(lo), "upper": f(hi),
            "relative": {"call": "numpy delta method: Var = pT(1-pT)/(nT pC^2) + pT^2 pC(1-pC)/(nC pC^4); scipy.stats.norm",
                         "estimate": f(r), "standard_error": f(rse), "statistic": f(rz), "p_value": f(rp)}}


proportions = [z_case("ORACLES §11 120/1000 vs 150/1000", 120, 1000, 150, 1000),
               z_case("ORACLES §11 600/1000 vs 620/1000", 600, 1000, 620, 1000),
               z_case("ORACLES §11 4800/10000 vs 5000/10000", 4800, 10000, 5000, 10000),
               z_case("ORACLES §11 30/250 vs 45/260", 30, 250, 45, 260)]
for i in range(24):
    nC, nT = int(rng.integers(20, 20000)), int(rng.integers(20, 20000))
    p = float(rng.uniform(0.02, 0.9))
    xC = int(rng.binomial(nC, p))
    xT = int(rng.binomial(nT, min(p * float(rng.uniform(0.9, 1.2)), 0.99)))
    xC = max(xC, 1)
    proportions.append(z_case(f"random {i}", xC, nC, xT, nT, ALTS[i % 3], [0.05, 0.1, 0.01][(i // 3) % 3]))


# ---------------------------------------------------------------- ratio metrics (delta method)
def ratio_arm(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    n = len(x)
    R = y.sum() / x.sum()
    c = np.cov(x, y, ddof=1)
    var = (c[1, 1] - 2 * R * c[0, 1] + R ** 2 * c[0, 0]) / (n * x.mean() ** 2)
    return R, var


def ratio_case(name, xC, yC, xT, yT, alternative="two-sided", alpha=0.05):
    RC, vC = ratio_arm(xC, yC)
    RT, vT = ratio_arm(xT, yT)
    d = RT - RC
    se = math.sqrt(vC + vT)
    z = d / se
    q = stats.norm.isf(alpha / 2 if alternative == "two-sided" else alpha)
    p = {"two-sided": 2 * stats.norm.sf(abs(z)), "greater": stats.norm.sf(z), "less": stats.norm.cdf(z)}[alternative]
    r = RT / RC - 1
    rse = math.sqrt(vT / RC ** 2 + RT ** 2 * vC / RC ** 4)
    return {"name": name, "control": {"x": list(map(float, xC)), "y": list(map(float, yC))},
            "treatment": {"x": list(map(float, xT)), "y": list(map(float, yT))},
            "alternative": alternative, "alpha": alpha,
            "call": "numpy: R = sum(y)/sum(x), Var = (s_yy - 2R s_xy + R^2 s_xx)/(n xbar^2) with np.cov(ddof=1) (ORACLES §11); scipy.stats.norm",
            "control_ratio": f(RC), "control_variance": f(vC), "treatment_ratio": f(RT), "treatment_variance": f(vT),
            "estimate": f(d), "standard_error": f(se), "statistic": f(z), "p_value": f(p),
            "lower": f(d - q * se if alternative != "less" else -math.inf),
            "upper": f(d + q * se if alternative != "greater" else math.inf),
            "relative": {"estimate": f(r), "standard_error": f(rse)}}


X = [3, 1, 4, 2, 5, 2, 3, 6, 1, 3]
Y = [1, 0, 2, 1, 2, 0, 1, 3, 0, 2]
ratio_oracle = {"x": X, "y": Y, "call": "numpy delta method (ORACLES §11)", "ratio": f(ratio_arm(X, Y)[0]),
                "standard_error": f(math.sqrt(ratio_arm(X, Y)[1])), "published_standard_error": 0.05258737585}
ratios = []
for i in range(20):
    def arm():
        n = int(rng.integers(3, 60))
        x = rng.poisson(float(rng.uniform(2, 8)), n) + 1
        y = rng.binomial(x, float(rng.uniform(0.1, 0.6)))
        return x, y
    xC, yC = arm()
    xT, yT = arm()
    ratios.append(ratio_case(f"random {i}", xC, yC, xT, yT, ALTS[i % 3]))


# ---------------------------------------------------------------- CUPED
def cuped_case(name, yC, xC, yT, xT, alternative="two-sided", alpha=0.05):
    yC, xC, yT, xT = (np.asarray(v, float) for v in (yC, xC, yT, xT))
    y, x = np.concatenate([yC, yT]), np.concatenate([xC, xT])
    theta = np.cov(y, x, ddof=1)[0, 1] / np.var(x, ddof=1)
    ycvC = yC - theta * (xC - x.mean())
    ycvT = yT - theta * (xT - x.mean())
    case = t_case(name, ycvC, ycvT, False, alternative, alpha)
    case.update({"control": {"y": list(map(float, yC)), "x": list(map(float, xC))},
                 "treatment": {"y": list(map(float, yT)), "x": list(map(float, xT))},
                 "call": "numpy theta = np.cov(y, x)[0,1]/np.var(x, ddof=1) on pooled arms; y_cv = y - theta (x - mean(x_pooled)); "
                         + case["call"].replace("treatment, control", "y_cv_T, y_cv_C"),
                 "theta": f(theta), "correlation": f(np.corrcoef(x, y)[0, 1]),
                 "control_adjusted_mean": f(ycvC.mean()), "treatment_adjusted_mean": f(ycvT.mean()),
                 "variance_reduction": f(1 - (np.var(ycvC, ddof=1) / len(yC) + np.var(ycvT, ddof=1) / len(yT))
                                         / (np.var(yC, ddof=1) / len(yC) + np.var(yT, ddof=1) / len(yT)))})
    return case


xpre = [2, 3, 5, 4, 6, 1, 3, 4]
ypost = [2.5, 3.1, 5.6, 4.4, 6.9, 1.2, 3.3, 4.8]
cuped = [cuped_case("ORACLES §5 tiny vector, first 4 control / last 4 treatment", ypost[:4], xpre[:4], ypost[4:], xpre[4:])]
cuped_oracle = {"x": xpre, "y": ypost, "theta": 1.127777778, "correlation": 0.9943456833,
                "var_y": 3.307857143, "var_y_cv": 0.0373015873,
                "y_cv": [4.1916666667, 3.6638888889, 3.9083333333, 3.8361111111, 4.0805555556, 4.0194444444,
                         3.8638888889, 4.2361111111], "call": "ORACLES §5 (published, 10 significant digits)"}
for i in range(20):
    def arm(n, shift):
        x = rng.normal(10, 3, n)
        y = 2 + 0.8 * x + rng.normal(0, float(rng.uniform(0.5, 3)), n) + shift
        return np.round(y, 6), np.round(x, 6)
    yC, xC = arm(int(rng.integers(3, 80)), 0)
    yT, xT = arm(int(rng.integers(3, 80)), float(rng.uniform(-0.5, 1)))
    cuped.append(cuped_case(f"random {i}", yC, xC, yT, xT, ALTS[i % 3]))


# ---------------------------------------------------------------- winsorisation
winsor = []
for i in range(6):
    v = np.round(rng.lognormal(1, 1.2, int(rng.integers(5, 200))), 6)
    lo, hi = [(0.0, 0.99), (0.01, 0.99), (0.05, 0.95), (0.0, 0.9), (0.1, 0.5), (0.0, 1.0)][i]
    caps = np.quantile(v, [lo, hi])  # numpy default method="linear"
    winsor.append({"values": list(map(float, v)), "lower_p": lo, "upper_p": hi,
                   "call": f"numpy.quantile(values, [{lo}, {hi}]) (method='linear'); numpy.clip",
                   "lower_cap": f(caps[0]), "upper_cap": f(caps[1]),
                   "winsorized": list(map(float, np.clip(v, caps[0], caps[1])))})


# ---------------------------------------------------------------- SRM
def srm_case(name, observed, weights):
    total = sum(observed)
    exp = [total * w / sum(weights) for w in weights]
    chi2, p = stats.chisquare(observed, exp)
    return {"name": name, "observed": observed, "weights": weights,
            "call": "scipy.stats.chisquare(observed, f_exp=N*w/sum(w))", "chi_square": f(chi2), "p_value": f(p),
            "df": len(observed) - 1}


srm = [srm_case("ORACLES §7 50,000 vs 49,000", [50000, 49000], [0.5, 0.5]),
       srm_case("ORACLES §7 Kohavi 821,588 vs 815,482", [821588, 815482], [0.5, 0.5]),
       srm_case("ORACLES §7 600 vs 400", [600, 400], [0.5, 0.5]),
       srm_case("ORACLES §7 10,000 vs 10,050", [10000, 10050], [0.5, 0.5]),
       srm_case("ORACLES §7 5100/2400/2500 vs 50/25/25", [5100, 2400, 2500], [50, 25, 25]),
       srm_case("ORACLES §7 20,200 vs 79,800 (20/80)", [20200, 79800], [0.2, 0.8])]
srm_published = [10.1010101, 22.77436884, 40, 0.1246882793, 6, 2.5]
srm_published_p = [0.001481880775, 1.821792873e-06, 2.539628589e-10, 0.7240042702, 0.04978706837, 0.113846298]
for case, c2, p in zip(srm, srm_published, srm_published_p):
    case["published_chi_square"], case["published_p_value"] = c2, p
for i in range(8):
    k = int(rng.integers(2, 6))
    w = list(map(float, rng.integers(1, 10, k)))
    obs = list(map(int, rng.multinomial(int(rng.integers(100, 100000)), np.array(w) / sum(w))))
    if i % 2:
        obs[0] = int(obs[0] * 1.03)
    srm.append(srm_case(f"random {i}", obs, w))


# ---------------------------------------------------------------- multiple testing
SM = {"bonferroni": "bonferroni", "holm": "holm", "hochberg": "simes-hochberg", "bh": "fdr_bh", "by": "fdr_by"}


def mt_case(name, p, alpha=0.05):
    out = {"name": name, "p": list(map(float, p)), "alpha": alpha, "methods": {}}
    for ours, theirs in SM.items():
        rej, adj, _, _ = multipletests(p, alpha=alpha, method=theirs)
        out["methods"][ours] = {"call": f"statsmodels.stats.multitest.multipletests(p, alpha={alpha}, method='{theirs}')",
                                "adjusted": list(map(float, adj)), "rejected": list(map(bool, rej))}
    return out


vecA = [0.001, 0.008, 0.039, 0.041, 0.042, 0.060, 0.074, 0.205, 0.212, 0.216]
vecB = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719,
        0.6528, 0.7590, 1.0000]
corrections = [mt_case("ORACLES §6 vector A", vecA), mt_case("ORACLES §6 vector B (BH 1995)", vecB)]
for i in range(12):
    m = int(rng.integers(1, 30))
    p = rng.beta(0.4, 1.5, m)
    if i % 4 == 0 and m > 2:
        p[1] = p[0]  # a tie
    if i % 5 == 0:
        p[-1] = 1.0
    corrections.append(mt_case(f"random {i}", np.round(p, 8), [0.05, 0.1, 0.2][i % 3]))


# ---------------------------------------------------------------- Beta-Binomial
def beta_case(xC, nC, xT, nT, a0=1.0, b0=1.0):
    aC, bC, aT, bT = a0 + xC, b0 + nC - xC, a0 + xT, b0 + nT - xT
    mT, sT = aT / (aT + bT), math.sqrt(aT * bT / ((aT + bT) ** 2 * (aT + bT + 1)))
    lo, hi = max(0.0, mT - 40 * sT), min(1.0, mT + 40 * sT)
    pts = [min(max(mT + k * sT, lo), hi) for k in (-8, -4, -2, -1, 0, 1, 2, 4, 8)]
    kw = dict(epsabs=1e-14, epsrel=1e-12, limit=1000, points=sorted(set(pts)))
    fT = lambda x: stats.beta.pdf(x, aT, bT)
    chance, _ = integrate.quad(lambda x: fT(x) * stats.beta.cdf(x, aC, bC), lo, hi, **kw)
    # expected loss of shipping treatment, E[max(pC - pT, 0)], as a nested quad (no closed-form identity)
    def inner(x):
        v, _ = integrate.quad(lambda y: (y - x) * stats.beta.pdf(y, aC, bC), x, 1, epsabs=1e-14, epsrel=1e-12, limit=500)
        return v
    loss, _ = integrate.quad(lambda x: fT(x) * inner(x), lo, hi, **kw)
    case = {"control": {"n": nC, "successes": xC}, "treatment": {"n": nT, "successes": xT}, "prior": [a0, b0],
            "call": "scipy.integrate.quad(beta.pdf(x, aT, bT) * beta.cdf(x, aC, bC)) over mean_T +/- 40 sd; "
                    "loss: nested quad of (y - x) beta.pdf(y, aC, bC)",
            "chance_to_beat": chance, "expected_loss_treatment": loss,
            "lift_mean": aT / (aT + bT) - aC / (aC + bC),
            "lift_sd": math.sqrt(stats.beta.var(aT, bT) + stats.beta.var(aC, bC))}
    if float(aT).is_integer():  # Evan Miller's closed form (exact for integer alpha_T), an independent check
        s = sum(math.exp(special.betaln(aC + i, bC + bT) - math.log(bT + i) - special.betaln(1 + i, bT)
                         - special.betaln(aC, bC)) for i in range(int(aT)))
        case["closed_form_chance_to_beat"] = s
        case["closed_form_call"] = "Evan Miller (2015) sum_{i<aT} B(aC+i, bC+bT)/((bT+i) B(1+i, bT) B(aC, bC))"
        assert abs(s - chance) < 1e-9, (s, chance)
    return case


bayes = [beta_case(120, 1000, 150, 1000), beta_case(600, 1000, 620, 1000), beta_case(30, 250, 45, 260),
         beta_case(3, 20, 5, 22), beta_case(0, 50, 2, 50), beta_case(48, 50, 45, 50),
         beta_case(4800, 10000, 5000, 10000), beta_case(10, 100, 10, 100, 2.0, 8.0),
         beta_case(200, 5000, 180, 5000), beta_case(1, 3, 2, 3)]


# ---------------------------------------------------------------- Normal-Normal (flat and normal prior)
def nn_case(c, t, prior=None, level=0.95):
    c, t = np.asarray(c, float), np.asarray(t, float)
    d = t.mean() - c.mean()
    se = math.sqrt(np.var(t, ddof=1) / len(t) + np.var(c, ddof=1) / len(c))
    if prior is None:
        mu, sd = d, se
    else:
        m0, v0 = prior
        prec = 1 / se ** 2 + 1 / v0
        mu, sd = (d / se ** 2 + m0 / v0) / prec, math.sqrt(1 / prec)
    chance, _ = integrate.quad(lambda x: stats.norm.pdf(x, mu, sd), 0, np.inf, epsabs=1e-14, epsrel=1e-12)
    loss, _ = integrate.quad(lambda x: -x * stats.norm.pdf(x, mu, sd), -np.inf, 0, epsabs=1e-14, epsrel=1e-12)
    z = stats.norm.isf((1 - level) / 2)
    return {"control": list(map(float, c)), "treatment": list(map(float, t)),
            "prior": None if prior is None else list(prior), "level": level,
            "call": "conjugate normal update; scipy.integrate.quad of the posterior N(mu, sd) pdf over (0, inf) and -x pdf over (-inf, 0)",
            "lift_mean": mu, "lift_sd": sd, "chance_to_beat": chance, "expected_loss_treatment": loss,
            "credible_lower": mu - z * sd, "credible_upper": mu + z * sd}


normal_normal = []
for i in range(6):
    c = np.round(rng.normal(10, 2, int(rng.integers(10, 80))), 6)
    t = np.round(rng.normal(10.4, 2, int(rng.integers(10, 80))), 6)
    normal_normal.append(nn_case(c, t, None if i % 2 == 0 else (0.0, 0.25)))


# ---------------------------------------------------------------- degenerate cases (what scipy does)
def scipy_welch(c, t):
    with np.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                r = stats.ttest_ind(t, c, equal_var=False)
                return f"statistic={r.statistic}, pvalue={r.pvalue}"
            except Exception as e:  # noqa: BLE001
                return f"raises {type(e).__name__}"


def fl(v):
    return [f(x) for x in v]


degenerate = {
    "call": "scipy.stats.ttest_ind(t, c, equal_var=False) on each case (shows the silent NaN we refuse to return)",
    "welch": [
        {"name": "empty control arm", "control": fl([]), "treatment": fl([1.0, 2.0, 3.0]), "status": "empty_arm", "scipy": scipy_welch([], [1.0, 2.0, 3.0])},
        {"name": "n = 1 in treatment", "control": fl([1.0, 2.0, 3.0]), "treatment": fl([2.0]), "status": "insufficient_sample", "scipy": scipy_welch([1.0, 2.0, 3.0], [2.0])},
        {"name": "zero variance in both arms", "control": fl([5.0, 5.0, 5.0]), "treatment": fl([6.0, 6.0]), "status": "zero_variance", "scipy": scipy_welch([5.0, 5.0, 5.0], [6.0, 6.0])},
        {"name": "NaN value", "control": fl([1.0, float("nan"), 3.0]), "treatment": fl([2.0, 3.0]), "status": "non_finite_input", "scipy": scipy_welch([1.0, float("nan"), 3.0], [2.0, 3.0])},
        {"name": "infinite value", "control": fl([1.0, 2.0, 3.0]), "treatment": fl([2.0, float("inf")]), "status": "non_finite_input", "scipy": scipy_welch([1.0, 2.0, 3.0], [2.0, float("inf")])},
    ],
}
with np.errstate(all="ignore"):
    import warnings
    warnings.simplefilter("ignore")
    z0 = proportions_ztest([0, 0], [100, 100])
degenerate["proportions"] = [
    {"name": "all-zero conversions", "control": {"n": 100, "successes": 0}, "treatment": {"n": 100, "successes": 0},
     "status": "no_conversions", "statsmodels": f"proportions_ztest -> {tuple(map(float, z0))}"},
    {"name": "all conversions", "control": {"n": 50, "successes": 50}, "treatment": {"n": 40, "successes": 40}, "status": "all_conversions"},
    {"name": "empty treatment arm", "control": {"n": 50, "successes": 5}, "treatment": {"n": 0, "successes": 0}, "status": "empty_arm"},
    {"name": "successes > n", "control": {"n": 5, "successes": 6}, "treatment": {"n": 5, "successes": 1}, "status": "invalid_statistics"},
]

fixture = {
    "generator": "scripts/reference/analysis_core.py",
    "software": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                 "statsmodels": statsmodels.__version__},
    "seed": 20261121,
    "tolerances": {"exact": "1e-9 relative (t, z, chi-square, corrections, delta method, CUPED, quantiles)",
                   "quadrature": "1e-9 absolute (Beta-Binomial chance to beat and expected loss vs scipy quad)"},
    "welch": welch, "student": student, "relative": relative, "proportions": proportions,
    "ratio_oracle": ratio_oracle, "ratio": ratios, "cuped_oracle": cuped_oracle, "cuped": cuped,
    "winsorization": winsor, "srm": srm, "corrections": corrections, "beta_binomial": bayes,
    "normal_normal": normal_normal, "degenerate": degenerate,
}
OUT.write_text(json.dumps(fixture, indent=1, allow_nan=False) + "\n")
print(f"wrote {OUT.relative_to(ROOT)}", file=sys.stderr)
