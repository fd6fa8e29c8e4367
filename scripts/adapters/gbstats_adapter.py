#!/usr/bin/env python3
"""SplitBench engine adapter for GrowthBook's gbstats (pinned: gbstats 0.8.0 from PyPI, installed
by `scripts/setup --adapters` into .build/adapters-venv; run it with that venv's python).

Each request item (one replication, look and comparison) becomes gbstats statistics and one of
its tests, exactly as GrowthBook's stats runner builds them:

  metric_type binary     -> ProportionStatistic(n, sum)             (variance p(1 - p))
  metric_type continuous -> SampleMeanStatistic(n, sum, sum_squares)
  config cuped: true     -> RegressionAdjustedStatistic per arm, theta = compute_theta(a, b)
                            (pooled over both arms), from the covariate sums SplitBench sends

  config test: frequentist (default) -> TwoSidedTTest / OneSidedTreatment{Greater,Lesser}TTest
                                        (Welch t, Welch-Satterthwaite df)
  config test: sequential            -> SequentialTwoSidedTTest (asymptotic confidence sequence,
                                        config sequential_tuning_parameter, default 5000)
  config test: bayesian              -> EffectBayesianABTest (flat improper prior unless config
                                        prior: {mean, variance, proper} is given)

The item's estimand picks difference_type (relative / absolute) and its alpha the test's alpha.
Answer: estimate = expected, se = uplift.stddev, ci = ci, p_value (frequentist and sequential)
or chance_to_win (Bayesian); decision "reject" when p < alpha (frequentist, sequential) or when
the chance to win is above 1 - alpha/2 or below alpha/2 (Bayesian, GrowthBook's 95% default at
alpha 0.05). A gbstats error_message becomes the item's status "error".

Protocol: README, "Testing your own stats engine".
"""
import json
import math
import sys
from importlib.metadata import version

from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig, GaussianPrior
from gbstats.frequentist.tests import (
    FrequentistConfig,
    OneSidedTreatmentGreaterTTest,
    OneSidedTreatmentLesserTTest,
    SequentialConfig,
    SequentialTwoSidedTTest,
    TwoSidedTTest,
)
from gbstats.models.statistics import (
    ProportionStatistic,
    RegressionAdjustedStatistic,
    SampleMeanStatistic,
    compute_theta,
)

PINNED = "0.8.0"


def statistic(arm, binary, cuped):
    if binary:
        post = ProportionStatistic(n=arm["n"], sum=arm["sum"])
    else:
        post = SampleMeanStatistic(n=arm["n"], sum=arm["sum"], sum_squares=arm["sum_squares"])
    if not cuped:
        return post
    if binary:
        # SplitBench's covariate of a binary metric is a pre-period value; gbstats takes a
        # mean statistic for it.
        pre = SampleMeanStatistic(n=arm["n"], sum=arm["x_sum"], sum_squares=arm["x_sum_squares"])
    else:
        pre = SampleMeanStatistic(n=arm["n"], sum=arm["x_sum"], sum_squares=arm["x_sum_squares"])
    return RegressionAdjustedStatistic(n=arm["n"], post_statistic=post, pre_statistic=pre,
                                       post_pre_sum_of_products=arm["xy_sum"], theta=0)


def finite(x):
    return x is not None and math.isfinite(x)


def analyse(item, config):
    test = config.get("test", "frequentist")
    cuped = bool(config.get("cuped", False))
    binary = item["metric_type"] == "binary"
    a = statistic(item["control"], binary, cuped)
    b = statistic(item["treatment"], binary, cuped)
    if cuped:
        theta = compute_theta(a, b)
        a.theta = theta
        b.theta = theta
    difference = "relative" if item["estimand"] == "relative" else "absolute"
    alpha = item["alpha"]
    alternative = item["alternative"]
    if test == "bayesian":
        prior = config.get("prior")
        cfg = EffectBayesianConfig(difference_type=difference, alpha=alpha,
                                   prior_effect=GaussianPrior(**prior) if prior else GaussianPrior())
        r = EffectBayesianABTest(a, b, cfg).compute_result()
    elif test == "sequential":
        if alternative != "two-sided":
            return {"id": item["id"], "status": "error", "message": "gbstats' sequential test is two-sided"}
        cfg = SequentialConfig(difference_type=difference, alpha=alpha,
                               sequential_tuning_parameter=config.get("sequential_tuning_parameter", 5000))
        r = SequentialTwoSidedTTest(a, b, cfg).compute_result()
    elif test == "frequentist":
        cls = {"two-sided": TwoSidedTTest, "greater": OneSidedTreatmentGreaterTTest,
               "less": OneSidedTreatmentLesserTTest}[alternative]
        r = cls(a, b, FrequentistConfig(difference_type=difference, alpha=alpha)).compute_result()
    else:
        return {"id": item["id"], "status": "error", "message": f"unknown config test {test!r}"}
    if r.error_message:
        return {"id": item["id"], "status": "error", "message": r.error_message}
    out = {"id": item["id"], "status": "ok", "estimate": float(r.expected), "se": float(r.uplift.stddev),
           "ci_low": float(r.ci[0]), "ci_high": float(r.ci[1])}
    if not (finite(out["ci_low"])):
        out["ci_low"] = None
    if not (finite(out["ci_high"])):
        out["ci_high"] = None
    if test == "bayesian":
        ctw = float(r.chance_to_win)
        out["chance_to_win"] = ctw
        out["decision"] = "reject" if ctw > 1 - alpha / 2 or ctw < alpha / 2 else "none"
    else:
        out["p_value"] = float(r.p_value)
        out["decision"] = "reject" if r.p_value < alpha else "none"
    return out


def main():
    for line in sys.stdin:
        msg = json.loads(line)
        if msg["type"] == "hello":
            config = msg.get("config", {})
            needs = ["moments", "covariate"] if config.get("cuped") else ["moments"]
            print(json.dumps({"type": "hello", "protocol": 1, "engine": msg["engine"],
                              "version": "gbstats " + version("gbstats"), "needs": needs}), flush=True)
        elif msg["type"] == "analyse":
            config = msg.get("config", {})
            items = []
            for it in msg["items"]:
                try:
                    items.append(analyse(it, config))
                except Exception as e:  # an item gbstats cannot analyse is data, not a crash
                    items.append({"id": it["id"], "status": "error", "message": f"{type(e).__name__}: {e}"})
            print(json.dumps({"type": "result", "items": items}), flush=True)


if __name__ == "__main__":
    main()
