#!/usr/bin/env python3
"""A fake external engine for SplitBench's engine-protocol tests.

Answers each item with Welch's difference in means (normal interval and p-value) plus a known
bias, or misbehaves on purpose:

  fake_engine.py biased BIAS            estimate = difference in means + BIAS
  fake_engine.py crash-at R             exits with status 3 when a request holds replication R
  fake_engine.py hang-at R              never answers a request that holds replication R
  fake_engine.py malformed-at R         answers a request holding replication R with non-JSON
  fake_engine.py error-at R             answers replication R's items with status "error"
  fake_engine.py crash-always           exits on the first request
  fake_engine.py wrong-name             says it is another engine in the handshake
  fake_engine.py unit-values C          protocol 2: asks for unit_values (and covariate when C is
                                        1) and answers with the difference in means and Welch's
                                        SE computed from the arrays alone; an item whose arrays
                                        disagree with its sums (length, Σy, Σx) gets status error
  fake_engine.py v1-unit-values         asks for unit_values while speaking protocol 1
"""
import json
import math
import sys
import time

mode = sys.argv[1] if len(sys.argv) > 1 else "biased"
arg = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0


def welch(item):
    c, t = item["control"], item["treatment"]
    out = []
    for a in (c, t):
        n = a["n"]
        m = a["sum"] / n
        v = (a["sum_squares"] - n * m * m) / (n - 1)
        out.append((n, m, v))
    (nc, mc, vc), (nt, mt, vt) = out
    est = mt - mc + (arg if mode == "biased" else 0.0)
    se = math.sqrt(vc / nc + vt / nt)
    z = 1.959963984540054
    p = math.erfc(abs(est) / se / math.sqrt(2))
    return {"id": item["id"], "status": "ok", "estimate": est, "se": se, "ci_low": est - z * se,
            "ci_high": est + z * se, "p_value": p, "decision": "reject" if p < item["alpha"] else "none"}


def from_arrays(item):
    """Difference in means and Welch's SE from the unit-level arrays (protocol 2)."""
    out = []
    for a in (item["control"], item["treatment"]):
        ys = a["values"]
        ok = len(ys) == a["n"] and math.isclose(math.fsum(ys), a["sum"], rel_tol=1e-9, abs_tol=1e-9)
        if arg == 1:
            xs = a.get("x_values", [])
            ok = ok and len(xs) == a["n"] and math.isclose(math.fsum(xs), a["x_sum"], rel_tol=1e-9, abs_tol=1e-9)
        if not ok:
            return {"id": item["id"], "status": "error", "message": "unit arrays disagree with the sums"}
        n = len(ys)
        m = math.fsum(ys) / n
        v = math.fsum((y - m) ** 2 for y in ys) / (n - 1)
        out.append((n, m, v))
    (nc, mc, vc), (nt, mt, vt) = out
    est = mt - mc
    se = math.sqrt(vc / nc + vt / nt)
    p = math.erfc(abs(est) / se / math.sqrt(2))
    z = 1.959963984540054
    return {"id": item["id"], "status": "ok", "estimate": est, "se": se, "ci_low": est - z * se,
            "ci_high": est + z * se, "p_value": p, "decision": "reject" if p < item["alpha"] else "none"}


for line in sys.stdin:
    msg = json.loads(line)
    if msg["type"] == "hello":
        name = "someone-else" if mode == "wrong-name" else msg["engine"]
        if mode == "unit-values":
            needs = ["moments", "unit_values"] + (["covariate"] if arg == 1 else [])
            print(json.dumps({"type": "hello", "engine": name, "version": "fake-2", "protocol": 2, "needs": needs}), flush=True)
        elif mode == "v1-unit-values":
            print(json.dumps({"type": "hello", "engine": name, "version": "fake-1", "protocol": 1, "needs": ["moments", "unit_values"]}), flush=True)
        else:
            print(json.dumps({"type": "hello", "engine": name, "version": "fake-1", "protocol": 1, "needs": ["moments"]}), flush=True)
        continue
    if mode == "unit-values":
        print(json.dumps({"type": "result", "items": [from_arrays(it) for it in msg["items"]]}), flush=True)
        continue
    reps = {it["replication"] for it in msg["items"]}
    target = int(arg)
    if mode == "crash-always" or (mode == "crash-at" and target in reps):
        print("fake engine: crashing on purpose", file=sys.stderr, flush=True)
        sys.exit(3)
    if mode == "hang-at" and target in reps:
        time.sleep(3600)
    if mode == "malformed-at" and target in reps:
        print("this is not JSON {", flush=True)
        continue
    items = []
    for it in msg["items"]:
        if mode == "error-at" and it["replication"] == target:
            items.append({"id": it["id"], "status": "error", "message": "fake engine refuses this item"})
        else:
            items.append(welch(it))
    print(json.dumps({"type": "result", "items": items}), flush=True)
