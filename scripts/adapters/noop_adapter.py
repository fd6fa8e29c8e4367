#!/usr/bin/env python3
"""No-op SplitBench engine: parses each request and answers every item with the same fixed
result, doing no statistics. It exists to measure what the process boundary (JSON encoding,
pipes, decoding) costs per analysed look: run a scenario with it and without it.

Protocol: README, "Testing your own stats engine".
"""
import json
import sys

for line in sys.stdin:
    msg = json.loads(line)
    if msg["type"] == "hello":
        print(json.dumps({"type": "hello", "engine": msg["engine"], "version": "noop-1", "protocol": 1, "needs": ["moments"]}), flush=True)
        continue
    items = [{"id": it["id"], "status": "ok", "estimate": 0.0, "se": 1.0, "ci_low": -1.96, "ci_high": 1.96,
              "p_value": 1.0, "decision": "none"} for it in msg["items"]]
    sys.stdout.write(json.dumps({"type": "result", "items": items}) + "\n")
    sys.stdout.flush()
