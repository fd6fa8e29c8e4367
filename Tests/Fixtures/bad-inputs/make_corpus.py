#!/usr/bin/env python3
"""Writes the bad-input corpus: scenario files, analysis CSVs and result JSON that SplitBench
must refuse with exit 2 (or 3) and a message naming the file and the key path or line.
Each case is one file plus a row in cases.json: the command (FILE stands for the file's path),
the exit code and a fragment the message must contain. Run from this folder; the test
(Tests/SplitbenchCLITests/BadInputCorpusTests.swift) reads cases.json."""
import json, os

BASE = """schema: 1
id: corpus
seed: 1
replications: 20
population: {units: 200, days: 7}
metrics:
  - {name: conv, kind: binary, baseline: 0.1}
  - {name: rev, kind: continuous, distribution: {normal: {mean: 10, sd: 2}}}
experiment:
  variants: {control: 0.5, treatment: 0.5}
analyses:
  - {id: z, metric: conv, method: z_test}
  - {id: w, metric: rev, method: welch_t}
"""

cases = []

def scenario(name, text, fragment, code=2, command="validate"):
    path = f"scenarios/{name}.yaml"
    os.makedirs("scenarios", exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    cases.append({"file": path, "command": [command, "FILE"], "exit": code, "message": fragment})

def replace(old, new):
    assert old in BASE, old
    return BASE.replace(old, new, 1)

# Top level and types.
scenario("empty", "", "the file is empty")
scenario("not-a-mapping", "- 1\n- 2\n", "expected a mapping")
scenario("schema-2", replace("schema: 1", "schema: 2"), "schema: unsupported schema version 2")
scenario("schema-missing", replace("schema: 1\n", ""), "schema: required key is missing")
scenario("unknown-top-key", BASE + "colour: blue\n", "colour")
scenario("id-dotdot", replace("id: corpus", 'id: ".."'), "id: expected a name")
scenario("id-slash", replace("id: corpus", "id: a/b"), "id: expected a name")
scenario("id-unicode", replace("id: corpus", "id: caf\u00e9"), "id: expected a name")
scenario("seed-negative", replace("seed: 1", "seed: -1"), "seed")
scenario("seed-text", replace("seed: 1", "seed: abc"), "seed")
scenario("replications-zero", replace("replications: 20", "replications: 0"), "replications")
scenario("replications-huge", replace("replications: 20", "replications: 100000000"), "replications")
scenario("replications-float", replace("replications: 20", "replications: 2.5"), "replications")
scenario("units-zero", replace("units: 200", "units: 0"), "population.units")
scenario("units-huge", replace("units: 200", "units: 1e12"), "population.units")
scenario("days-zero", replace("days: 7", "days: 0"), "population.days")
# YAML syntax and structure.
scenario("yaml-unclosed", BASE + "measures: [bias, coverage\n", "not valid YAML: line")
scenario("yaml-tab", BASE.replace("  - {name: conv", "\t- {name: conv"), "not valid YAML: line")
scenario("yaml-duplicate-key", BASE + "seed: 2\n", "duplicate key 'seed' again at line")
scenario("yaml-alias-bomb", "schema: 1\nid: x\na: &a [1,1,1,1,1,1,1,1,1]\n" + "".join(
    f"{c}: &{c} [{','.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi")), "more than 200000 values")
scenario("yaml-deep", "schema: 1\nid: x\nd: " + "[" * 3000 + "]" * 3000 + "\n", "line 3")
scenario("yaml-binary-junk", "schema: 1\nid: x\n\x00\x01\x02\n", "not valid YAML")
# Metrics.
scenario("metric-unknown-kind", replace("kind: binary, baseline: 0.1", "kind: magic, baseline: 0.1"), "metrics[0].kind")
scenario("metric-baseline-above-1", replace("baseline: 0.1", "baseline: 1.5"), "metrics[0].baseline")
scenario("metric-sd-negative", replace("sd: 2", "sd: -2"), "metrics[1].distribution.normal.sd")
scenario("metric-unknown-distribution", replace("normal: {mean: 10, sd: 2}", "cauchy: {loc: 0}"), "metrics[1].distribution")
scenario("metric-unknown-key", replace("{name: conv, kind: binary, baseline: 0.1}", "{name: conv, kind: binary, baseline: 0.1, colour: red}"), "metrics[0].colour")
scenario("metric-duplicate-name", replace("{name: rev,", "{name: conv,"), "metrics[1].name")
scenario("metric-no-name", replace("{name: conv, kind: binary, baseline: 0.1}", "{kind: binary, baseline: 0.1}"), "metrics[0].name")
scenario("metric-pre-period-1", replace("{name: conv, kind: binary, baseline: 0.1}", "{name: conv, kind: binary, baseline: 0.1, pre_period_correlation: 1}"), "metrics[0].pre_period_correlation")
scenario("metric-weight-1e400", replace("baseline: 0.1", "baseline: 1e400"), "metrics[0].baseline")
# Experiment.
scenario("variants-one", replace("variants: {control: 0.5, treatment: 0.5}", "variants: {control: 1}"), "experiment.variants")
scenario("variants-sum", replace("variants: {control: 0.5, treatment: 0.5}", "variants: {control: 0.5, treatment: 0.4}"), "must sum to 1")
scenario("variants-thirds-rounded", replace("variants: {control: 0.5, treatment: 0.5}", "variants: {a: 0.3333, b: 0.3333, c: 0.3333}"), "write thirds as 1/3")
scenario("variants-negative", replace("variants: {control: 0.5, treatment: 0.5}", "variants: {control: -0.5, treatment: 1.5}"), "experiment.variants.control")
scenario("variants-bad-fraction", replace("variants: {control: 0.5, treatment: 0.5}", "variants: {control: 1/0, treatment: 1/2}"), "experiment.variants.control")
scenario("hash-unknown", replace("experiment:\n", "experiment:\n  hash: md5\n"), "experiment.hash")
scenario("assignment-unknown", replace("experiment:\n", "experiment:\n  assignment: random\n"), "experiment.assignment")
scenario("ruleset-missing-file", replace("  variants: {control: 0.5, treatment: 0.5}\n", "  ruleset: no-such-ruleset.json\n  analyse: x\n"), "experiment.ruleset")
# Analyses.
scenario("analyses-missing", BASE.split("analyses:")[0], "analyses: required key is missing")
scenario("analysis-unknown-method", replace("method: z_test", "method: magic"), "analyses[0].method")
scenario("analysis-unknown-metric", replace("metric: conv, method: z_test", "metric: nope, method: z_test"), "analyses[0].metric")
scenario("analysis-unknown-key", replace("{id: z, metric: conv, method: z_test}", "{id: z, metric: conv, method: z_test, colour: red}"), "analyses[0].colour")
scenario("analysis-duplicate-id", replace("{id: w,", "{id: z,"), "duplicate analysis id")
scenario("analysis-alpha-1", replace("method: z_test}", "method: z_test, alpha: 1}"), "analyses[0].alpha")
scenario("analysis-cuped-no-pre", replace("method: welch_t}", "method: cuped}"), "pre_period_correlation")
scenario("analysis-ztest-continuous", replace("metric: rev, method: welch_t", "metric: rev, method: z_test"), "analyses[1].method")
scenario("analysis-policy-unknown", replace("method: z_test}", "method: z_test, policy: hope}"), "analyses[0].policy")
scenario("analysis-relative-srm", BASE + "  - {id: s, method: srm, estimand: relative}\n", "analyses[2].estimand")
scenario("analysis-summed-without-programme", replace("method: welch_t}", "method: summed_lifts}"), "summed_lifts sums a launch programme")
# Looks, measures, sweeps, gates.
scenario("looks-unknown", BASE + "looks: hourly\n", "looks")
scenario("looks-days-beyond", BASE + "looks: {days: [3, 30]}\n", "looks")
scenario("measures-unknown", BASE + "measures: [bias, accuracy]\n", "measures")
scenario("sweep-unknown-path", BASE + "sweep:\n  population.colour: [1, 2]\n", "sweep")
scenario("sweep-seed", BASE + "sweep:\n  seed: [1, 2]\n", "sweep.seed: this key cannot be swept")
scenario("sweep-duplicate-values", BASE + "sweep:\n  population.units: [100, 100]\n", "distinct")
scenario("sweep-bad-value", BASE + "sweep:\n  population.units: [100, -5]\n", "population.units")
scenario("gate-unknown-analysis", BASE + "gates:\n  - {measure: bias, analysis: nope, at_most: 0.1, tolerance: 0}\n", "gates[0].analysis")
scenario("gate-unknown-measure", BASE + "gates:\n  - {measure: accuracy, analysis: z, at_most: 0.1, tolerance: 0}\n", "gates[0].measure")
scenario("gate-no-rule", BASE + "gates:\n  - {measure: bias, analysis: z}\n", "gates[0]")
# Designs, faults, components.
scenario("design-unknown", BASE + "design: {kind: magic}\n", "design.kind")
scenario("design-switchback-no-window", BASE + "design: {kind: switchback}\n", "design")
scenario("design-cluster-no-clusters", BASE + "design: {kind: cluster}\n", "design")
scenario("design-bandit-bad-policy", BASE + "design: {kind: bandit, policy: exp3, metric: conv}\n", "design.policy")
scenario("design-holdout-three-arms", replace("variants: {control: 0.5, treatment: 0.5}", "variants: {a: 0.2, b: 0.4, c: 0.4}") + "design: {kind: holdout}\n", "experiment.variants")
scenario("fault-unknown", BASE + "faults: [{kind: gremlins}]\n", "faults[0].kind")
scenario("fault-loss-share-2", BASE + "faults: [{kind: exposure_loss, arm: treatment, fraction: 2}]\n", "faults[0]")
scenario("component-unknown", BASE + "components: [{kind: magic, metric: rev}]\n", "components[0].kind")
scenario("component-novelty-no-half-life", BASE + "components: [{kind: novelty, metric: rev, initial: 1}]\n", "components[0].half_life_days")
scenario("component-launched-binary", BASE + "components: [{kind: launched_features, metric: conv, launches: 2, every_days: 7, test_days: 7, users_per_arm: 100, effect: {mean: 0, sd: 1}}]\n", "components[0].metric")

# Bad options on a valid scenario: refused before anything runs or is written.
os.makedirs("scenarios", exist_ok=True)
with open("scenarios/valid-for-flags.yaml", "w") as f:
    f.write(BASE)
for name, args, fragment in [("threads-negative", ["--threads", "-1"], "--threads: expected at least 1, got -1"),
                             ("threads-zero", ["--threads", "0"], "--threads: expected at least 1, got 0"),
                             ("replications-above-cap", ["--replications", "1000000000"], "--replications: expected a whole number in 2…10000000"),
                             ("replications-negative", ["--replications", "-5"], "--replications: expected a whole number in 2…10000000"),
                             ("shard-zero", ["--shard", "0/4"], "--shard")]:
    cases.append({"file": "scenarios/valid-for-flags.yaml", "command": ["run", "FILE", "--out", "out"] + args, "exit": 2, "message": fragment, "name": name})

# Analysis CSVs.
def csv(name, text, args, fragment, code=2):
    path = f"csv/{name}.csv"
    os.makedirs("csv", exist_ok=True)
    with open(path, "w", newline="") as f:
        f.write(text)
    cases.append({"file": path, "command": ["analyze", "--data", "FILE"] + args, "exit": code, "message": fragment})

U = "unit,variant,conv\n"
csv("empty", "", ["--primary", "conv"], "the file is empty")
csv("header-only", U, ["--primary", "conv"], "no data rows")
csv("unterminated-quote", U + 'u1,"control,1\n', ["--primary", "conv"], "unterminated quoted field")
csv("quote-inside", U + 'u1,con"trol,1\n', ["--primary", "conv"], "unexpected double quote")
csv("field-count", U + "u1,control\n", ["--primary", "conv"], "line 2")
csv("duplicate-unit", U + "u1,control,1\nu1,treatment,0\n", ["--primary", "conv"], "unit 'u1' appears twice (first on line 2)")
csv("not-a-number", U + "u1,control,abc\nu2,treatment,1\n", ["--primary", "conv"], "line 2, column 3: conv: expected a finite number")
csv("nan", U + "u1,control,nan\nu2,treatment,1\n", ["--primary", "conv"], "line 2, column 3")
csv("stray-two-strict", U + "u1,control,1\nu2,treatment,2\nu3,control,0\nu4,treatment,1\n", ["--primary", "conv", "--metric-kind", "conv=proportion"], "line 3, column 3")
csv("missing-metric", U + "u1,control,1\nu2,treatment,0\n", ["--primary", "revenue"], "no column 'revenue'")
csv("empty-unit", U + ",control,1\nu2,treatment,0\n", ["--primary", "conv"], "empty unit id")
csv("one-variant", U + "u1,control,1\nu2,control,0\n", ["--primary", "conv"], "one variant")
csv("duplicate-header", "unit,variant,conv,conv\nu1,control,1,1\n", ["--primary", "conv"], "duplicate column name 'conv'")
csv("empty-header", "unit,,conv\nu1,control,1\n", ["--primary", "conv"], "empty column name")
S = "variant,metric,n,sum,sum_of_squares\n"
csv("summary-impossible-squares", S + "control,m,10,50,100\ntreatment,m,10,50,300\n", ["--primary", "m"], "sum_of_squares: 100.0 is less than sum²/n")
csv("summary-missing-n", "variant,metric,successes\ncontrol,m,10\ntreatment,m,12\n", ["--primary", "m"], "no column 'n'")
csv("summary-successes-above-n", "variant,metric,n,successes\ncontrol,m,10,11\ntreatment,m,10,5\n", ["--primary", "m"], "successes: 11 is more than n = 10")
csv("summary-negative-n", "variant,metric,n,successes\ncontrol,m,-10,1\ntreatment,m,10,5\n", ["--primary", "m"], "n: expected a whole number")
csv("summary-duplicate-row", "variant,metric,n,successes\ncontrol,m,10,1\ncontrol,m,10,2\ntreatment,m,10,5\n", ["--primary", "m"], "appears twice")
csv("summary-no-metric-rows", "variant,metric,n,successes\ncontrol,x,10,1\ntreatment,x,10,5\n", ["--primary", "m"], "no rows for metric 'm'")
csv("bad-alpha", U + "u1,control,1\nu2,treatment,0\n", ["--primary", "conv", "--alpha", "2"], "--alpha must be in (0, 1)")
csv("bad-correction", U + "u1,control,1\nu2,treatment,0\n", ["--primary", "conv", "--correction", "magic"], "--correction must be one of")
csv("bad-metric-kind", U + "u1,control,1\nu2,treatment,0\n", ["--primary", "conv", "--metric-kind", "conv=ratio"], "--metric-kind expects")

# Rulesets (splitbench assign): JSON syntax with line and column, structure with JSON paths.
RULESET = """{
  "schema": 1,
  "experiments": [
    {"id": "e1", "salt": "s1", "unit": "user_id",
     "variants": [{"name": "control", "weight": 0.5}, {"name": "treatment", "weight": 0.5}]}
  ]
}
"""

def ruleset(name, text, fragment, code=2, args=("--unit", "u1")):
    path = f"rulesets/{name}.json"
    os.makedirs("rulesets", exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    cases.append({"file": path, "command": ["assign", "--ruleset", "FILE", *args], "exit": code, "message": fragment})

def rs(old, new):
    assert old in RULESET, old
    return RULESET.replace(old, new, 1)

ruleset("empty", "", "not valid JSON")
ruleset("truncated", RULESET[:60], "not valid JSON: line 4, column 25: Unexpected end of file")
ruleset("syntax", rs('"salt": "s1",', '"salt": "s1" "x",'), "not valid JSON: line 4, column")
ruleset("bare-word", rs('"weight": 0.5}]}', '"weight": half}]}'), "not valid JSON: line 5")
ruleset("deep", '{"a": ' + "[" * 3000 + "]" * 3000 + "}", "nested deeper than JSON's limit of 512")
ruleset("number-overflow", rs('"weight": 0.5}, {"name": "treatment"', '"weight": 1e400}, {"name": "treatment"'), "line 5, column")
ruleset("not-an-object", "[1, 2]", "$: expected an object, got array")
ruleset("schema-2", rs('"schema": 1', '"schema": 2'), "unsupported schema 2;")
ruleset("unknown-top-key", rs('"schema": 1,', '"schema": 1, "experimentz": [],'), "unknown key 'experimentz'")
ruleset("experiments-not-array", '{"schema": 1, "experiments": {"id": "e1"}}', "experiments: expected an array, got object")
ruleset("missing-salt", rs('"salt": "s1", ', ''), "experiments[0].salt: missing required string")
ruleset("unknown-hash", rs('"unit": "user_id",', '"unit": "user_id", "hash": "md5",'), "unknown hash scheme 'md5'")
ruleset("weights-sum", rs('"weight": 0.5}]', '"weight": 0.3}]'), "sum to 0.8, expected 1")
ruleset("negative-weight", rs('"weight": 0.5}, {"name": "treatment", "weight": 0.5}', '"weight": 1.5}, {"name": "treatment", "weight": -0.5}'), "negative weight -0.5")
ruleset("duplicate-variant", rs('"name": "treatment"', '"name": "control"'), "duplicate variant name 'control'")
ruleset("duplicate-experiment", rs('"weight": 0.5}]}', '"weight": 0.5}]},\n    {"id": "e1", "salt": "s2", "variants": [{"name": "a", "weight": 1}]}'), "duplicate experiment id 'e1'")
ruleset("allocation-above-one", rs('"unit": "user_id",', '"unit": "user_id", "allocation": 1.5,'), "1.5 is outside [0, 1]")
ruleset("unknown-layer", rs('"unit": "user_id",', '"unit": "user_id", "layer": {"id": "nope", "range": [0, 0.5]},'), "unknown layer 'nope'")
ruleset("unknown-holdout", rs('"unit": "user_id",', '"unit": "user_id", "holdouts": ["h9"],'), "unknown holdout 'h9'")
ruleset("bad-time", rs('"unit": "user_id",', '"unit": "user_id", "start": "yesterday",'), "'yesterday' is not an ISO 8601 time")
ruleset("bad-status", rs('"unit": "user_id",', '"unit": "user_id", "status": "live",'), "unknown status 'live'")
ruleset("strict-in-not-array", rs('"unit": "user_id",', '"unit": "user_id", "targeting": {"country": {"$in": "SG"}},').replace('"schema": 1,', '"schema": 1, "conditions": "strict",'), "experiments[0].targeting")
ruleset("unknown-conditions", rs('"schema": 1,', '"schema": 1, "conditions": "mongo",'), "unknown condition language 'mongo'")
ruleset("switchback-window", rs('"unit": "user_id",', '"unit": "user_id", "switchback": {"window_minutes": 0},'), "window_minutes: must be between")
ruleset("check-bad-threshold", RULESET, "--threshold must be in (0, 1)", args=("--check", "--threshold", "2"))

# Result JSON (splitbench diff and report).
def result(name, text, fragment, command="diff", code=2):
    path = f"results/{name}.json"
    os.makedirs("results", exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    cmd = [command, "FILE", "FILE"] if command == "diff" else [command, "FILE"]
    cases.append({"file": path, "command": cmd, "exit": code, "message": fragment})

result("empty", "", "not a SplitBench result.json")
result("truncated", '{"scenario": "x", "cells": [', "not a SplitBench result.json")
result("wrong-type", '{"scenario": 5}', "not a SplitBench result.json")
result("array", "[1, 2, 3]", "not a SplitBench result.json")
result("missing-keys", '{"scenario": "x"}', 'missing key')
result("report-truncated", '{"scenario": "x", "cells": [', "not a SplitBench result.json (The given data was not valid JSON", command="report")
result("report-missing-keys", '{"scenario": "x"}', 'not a SplitBench result.json (missing key "description" at the top)', command="report")

with open("cases.json", "w") as f:
    json.dump(cases, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(len(cases), "cases")
