#!/usr/bin/env python3
"""Template SplitBench engine adapter: copy this file and replace `analyse` with a call to your
own stats engine. Standard library only.

SplitBench starts the command once per worker and talks JSON lines over stdin/stdout (one JSON
object per line, each answer flushed). Full reference: README, "Testing your own stats engine".

1. Handshake. SplitBench sends
     {"type": "hello", "protocol": 2, "protocols": [1, 2], "engine": NAME, "config": {...}}
   and the engine answers with the protocol version it speaks (1 or 2)
     {"type": "hello", "protocol": 2, "engine": NAME, "version": "...", "needs": ["moments"]}
   ("needs" may add "covariate" to receive CUPED's x sums and, in protocol 2, "unit_values" to
   receive each arm's unit-level values as well).
2. Requests. SplitBench sends {"type": "analyse", "config": {...}, "items": [ITEM, ...]}, each
   ITEM one (replication, look, comparison):
     {"id", "replication", "look", "looks", "day", "analysis", "comparison", "metric",
      "metric_type": "binary" | "continuous", "estimand": "absolute" | "relative", "alpha",
      "alternative": "two-sided" | "greater" | "less",
      "control": {"n", "sum", "sum_squares"[, "x_sum", "x_sum_squares", "xy_sum"]
                  [, "values": [y, ...][, "x_values": [x, ...]]]},
      "treatment": {...}}
   "values" (n numbers: the metric of each unit the analysis reads at this look, after its
   filters and winsorisation) comes only when the handshake asked for "unit_values";
   "x_values" (the covariates, same order) only when it asked for "covariate" too. Unit values
   make the requests O(units) long and SplitBench keep them in memory: ask only if the engine
   cannot work from the sums (quantiles, bootstraps, rank tests).
3. Answers. One line {"type": "result", "items": [ANSWER, ...]} with one ANSWER per ITEM (any
   order, matched by "id"):
     {"id", "status": "ok", "estimate", "se", "ci_low", "ci_high", "p_value",
      "decision": "reject" | "none"}
   (or "chance_to_win" / "e_value" instead of or beside "p_value"); an item the engine cannot
   analyse: {"id", "status": "error", "message": "why"}.
4. End of input: exit.

This template's `analyse` is Welch's difference in means (absolute) or the delta-method relative
lift, with a normal interval and p-value; statistics on stderr would be fine, stdout is the
protocol's. With config {"unit_values": true} it asks for the unit values and computes the
means and variances from them instead of from the sums (same answers, to rounding).
"""
import json
import math
import sys
from statistics import NormalDist

ENGINE_VERSION = "template-1"


def moments(arm):
    """Mean and unbiased variance: from the unit values when they were sent (protocol 2),
    else from the sufficient statistics n, Σy, Σy²."""
    if "values" in arm:
        ys = arm["values"]
        n = len(ys)
        mean = math.fsum(ys) / n
        return n, mean, math.fsum((y - mean) ** 2 for y in ys) / (n - 1)
    n = arm["n"]
    mean = arm["sum"] / n
    var = (arm["sum_squares"] - n * mean * mean) / (n - 1)
    return n, mean, max(var, 0.0)


def analyse(item, config):
    c, t = item["control"], item["treatment"]
    if c["n"] < 2 or t["n"] < 2:
        return {"id": item["id"], "status": "error", "message": "an arm has fewer than 2 units"}
    nc, mc, vc = moments(c)
    nt, mt, vt = moments(t)
    if item["estimand"] == "relative":
        if mc == 0:
            return {"id": item["id"], "status": "error", "message": "control mean is zero"}
        est = mt / mc - 1
        se = math.sqrt(vt / (nt * mc * mc) + mt * mt * vc / (nc * mc ** 4))
    else:
        est = mt - mc
        se = math.sqrt(vc / nc + vt / nt)
    if not se > 0:
        return {"id": item["id"], "status": "error", "message": "zero standard error"}
    alpha = item["alpha"]
    norm = NormalDist()
    z = est / se
    if item["alternative"] == "greater":
        p = 1 - norm.cdf(z)
    elif item["alternative"] == "less":
        p = norm.cdf(z)
    else:
        p = 2 * (1 - norm.cdf(abs(z)))
    q = norm.inv_cdf(1 - alpha / 2)
    return {"id": item["id"], "status": "ok", "estimate": est, "se": se, "ci_low": est - q * se,
            "ci_high": est + q * se, "p_value": p, "decision": "reject" if p < alpha else "none"}


def main():
    for line in sys.stdin:
        msg = json.loads(line)
        if msg["type"] == "hello":
            needs = ["moments", "unit_values"] if msg.get("config", {}).get("unit_values") else ["moments"]
            print(json.dumps({"type": "hello", "protocol": 2, "engine": msg["engine"], "version": ENGINE_VERSION,
                              "needs": needs}), flush=True)
        elif msg["type"] == "analyse":
            items = [analyse(it, msg.get("config", {})) for it in msg["items"]]
            print(json.dumps({"type": "result", "items": items}), flush=True)


if __name__ == "__main__":
    main()
