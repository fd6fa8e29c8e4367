import Foundation
import Testing
@testable import Scenarios
@testable import Simulation

let validScenario = """
schema: 1
id: t.valid
description: a valid scenario
seed: 42
replications: 100
population:
  units: 1000
  days: 14
  arrivals: uniform
  segments: {platform: {web: 0.6, ios: 0.4}}
metrics:
  - {name: conversion, kind: binary, baseline: 0.10}
  - {name: revenue, kind: continuous, distribution: {lognormal: {mu: 1.0, sigma: 1.2}}, pre_period_correlation: 0.7}
  - {name: orders, kind: count, distribution: {negative_binomial: {mean: 2, size: 1.5}}}
  - {name: ctr, kind: ratio, denominator: {poisson: {mean: 5}}, rate: 0.2}
experiment:
  hash: sha256
  variants: {control: 0.5, treatment: 0.5}
effects:
  treatment:
    conversion: {relative: 0.03}
    revenue: {absolute: 0.5, by_segment: {platform: {ios: {absolute: 1.0}}}}
analyses:
  - {id: z, metric: conversion, method: z_test, alpha: 0.05}
  - {id: rel, metric: conversion, method: z_test, estimand: relative}
  - {id: w, metric: revenue, method: welch_t, policy: naive}
  - {id: c, metric: revenue, method: cuped}
  - {id: r, metric: ctr, method: delta_ratio}
  - {id: srm, method: srm}
looks: {every_days: 7}
sweep:
  population.units: [1000, 4000]
  metrics[conversion].baseline: [0.1, 0.2]
  exclude:
    - population.units: 4000
      metrics[conversion].baseline: 0.2
measures: [rejection_rate, coverage, bias]
gates:
  - {measure: rejection_rate, analysis: z, at_most: 0.05, tolerance: 0.01}
  - {measure: coverage, analysis: w, at_least: 0.95, tolerance: 0.01, cell: {population.units: 1000}}
  - {measure: rejection_rate, analysis: w, near: 0.14, within_mcse: 3}
"""

@Suite struct ScenarioParsingTests {
    @Test func validScenarioExpandsItsSweep() throws {
        let s = try Scenario.parse(validScenario, file: "valid.yaml")
        #expect(s.id == "t.valid")
        #expect(s.factors == ["population.units", "metrics[conversion].baseline"])
        // 2 × 2 cells minus one exclusion.
        #expect(s.cells.count == 3)
        #expect(s.cells.map(\.label) == ["population.units=1000, metrics[conversion].baseline=0.1",
                                         "population.units=1000, metrics[conversion].baseline=0.2",
                                         "population.units=4000, metrics[conversion].baseline=0.1"])
        #expect(s.cells[1].study.metrics[0].kind == .binary(baseline: 0.2))
        #expect(s.cells[2].study.population.units == 4000)
        #expect(s.gates.count == 3)
        #expect(s.cells[0].study.looks == .everyDays(7))
        #expect(s.cells[0].study.analyses.count == 6)
        #expect(s.sourceHash.count == 64)
    }

    /// (what is wrong, a replacement applied to the valid scenario, the key path the error must
    /// name, a fragment of the message).
    static let mistakes: [(String, String, String, String, String)] = [
        ("unknown top-level key", "replications: 100", "replications: 100\nreplication: 5", "replication", "unknown key"),
        ("missing required key", "seed: 42\n", "", "seed", "required key is missing"),
        ("wrong type", "replications: 100", "replications: many", "replications", "expected a whole number"),
        ("replications out of range", "replications: 100", "replications: 1", "replications", "2…"),
        ("unknown metric kind", "kind: binary, baseline: 0.10", "kind: binomial, baseline: 0.10", "metrics[0].kind", "expected binary"),
        ("negative count mean", "mean: 2, size: 1.5", "mean: -2, size: 1.5", "metrics[2].distribution.negative_binomial.mean", "> 0"),
        ("rate outside (0,1)", "rate: 0.2}", "rate: 1.5}", "metrics[3].rate", "(0.0, 1.0)"),
        ("negative sigma", "sigma: 1.2", "sigma: -1", "metrics[1].distribution.lognormal.sigma", "> 0"),
        ("unknown distribution", "{lognormal: {mu: 1.0, sigma: 1.2}}", "{weibull: {k: 1}}", "metrics[1].distribution.weibull", "unknown kind"),
        ("variant weights not summing to 1", "{control: 0.5, treatment: 0.5}", "{control: 0.5, treatment: 0.4}", "experiment.variants", "sum to 1"),
        ("unknown hash", "hash: sha256", "hash: md4", "experiment.hash", "unknown hash scheme"),
        ("effect on unknown variant", "  treatment:\n    conversion", "  treatmnt:\n    conversion", "effects.treatmnt", "unknown variant"),
        ("effect on unknown metric", "conversion: {relative: 0.03}", "convertion: {relative: 0.03}", "effects.treatment.convertion", "unknown metric"),
        ("analysis of unknown metric", "{id: z, metric: conversion", "{id: z, metric: conv", "analyses[0].metric", "unknown metric"),
        ("incompatible method", "{id: r, metric: ctr, method: delta_ratio}", "{id: r, metric: ctr, method: z_test}", "analyses[4].method", "cannot analyse"),
        ("unknown method", "method: welch_t", "method: welch", "analyses[2].method", "unknown method"),
        ("duplicate analysis id", "{id: rel,", "{id: z,", "analyses[1].id", "duplicate analysis id"),
        ("alpha outside (0,1)", "alpha: 0.05}", "alpha: 5}", "analyses[0].alpha", "(0.0, 1.0)"),
        ("sweep of a missing path", "population.units: [1000, 4000]\n", "population.units: [1000, 4000]\n  population.visitors: [1, 2]\n", "population.visitors", "unknown key"),
        ("sweep of an unknown list item", "metrics[conversion].baseline", "metrics[signups].baseline", "sweep.metrics[signups].baseline", "no list item"),
        ("gate on unknown analysis", "analysis: z, at_most", "analysis: zz, at_most", "gates[0].analysis", "unknown analysis"),
        ("gate with two rules", "at_most: 0.05, tolerance: 0.01}", "at_most: 0.05, at_least: 0.01}", "gates[0]", "exactly one of"),
        ("gate cell not swept", "cell: {population.units: 1000}", "cell: {population.days: 14}", "gates[1].cell.population.days", "not a swept key path"),
        ("looks beyond the experiment", "{every_days: 7}", "{every_days: 30}", "looks.every_days", "1…14"),
        ("segment shares not summing to 1", "{web: 0.6, ios: 0.4}", "{web: 0.6, ios: 0.3}", "population.segments.platform", "sum to 1"),
        ("unsupported schema", "schema: 1", "schema: 2", "schema", "unsupported schema"),
        ("not YAML", "measures: [rejection_rate", "measures: [rejection_rate, {", "", "not valid YAML"),
        ("duplicate key", "seed: 42", "seed: 42\nseed: 43", "", "duplicate key 'seed' again at line 5 (first at line 4)"),
        ("cuped without pre-period", "{id: c, metric: revenue, method: cuped}", "{id: c, metric: orders, method: cuped}", "analyses[3].method", "pre_period_correlation"),
        ("unknown observation", "{name: conversion, kind: binary, baseline: 0.10}", "{name: conversion, kind: binary, baseline: 0.10, observe: hourly}", "metrics[0].observe", "once, daily_total or daily_mean"),
        ("daily metric with a pre-period", "pre_period_correlation: 0.7}", "pre_period_correlation: 0.7, observe: daily_mean}", "metrics[1].pre_period_correlation", "daily metric"),
        ("attribute shadowing a segment", "segments: {platform: {web: 0.6, ios: 0.4}}", "segments: {platform: {web: 0.6, ios: 0.4}}\n  attributes: {platform: {a: 1}}", "population.attributes.platform", "already a segment"),
        ("attribute shares", "segments: {platform: {web: 0.6, ios: 0.4}}", "segments: {platform: {web: 0.6, ios: 0.4}}\n  attributes: {country: {SG: 0.5}}", "population.attributes.country", "sum to 1"),
        ("ruleset file missing", "hash: sha256\n  variants: {control: 0.5, treatment: 0.5}", "ruleset: no-such-file.json\n  analyse: x", "experiment.ruleset", "cannot read the ruleset file"),
        ("ruleset with variants", "hash: sha256\n  variants", "ruleset: no-such-file.json\n  analyse: x\n  variants", "experiment.variants", "come from the ruleset"),
        ("clusters without a count", "arrivals: uniform", "arrivals: uniform\n  clusters: {size: 3}", "population.clusters.size", "unknown key"),
        ("bot share above 1", "arrivals: uniform", "arrivals: uniform\n  bots: {share: 2}", "population.bots.share", "[0.0, 1.0]"),
        ("analyse without ruleset", "hash: sha256\n", "hash: sha256\n  analyse: x\n", "experiment.analyse", "experiment.ruleset, which is missing"),
        ("where on an unknown segment", "{id: c, metric: revenue, method: cuped}", "{id: c, metric: revenue, method: cuped, where: {device: ios}}", "analyses[3].where.device", "unknown segment"),
        ("where on an unknown level", "{id: c, metric: revenue, method: cuped}", "{id: c, metric: revenue, method: cuped, where: {platform: android}}", "analyses[3].where.platform", "unknown level \"android\""),
        ("winsorize at 1", "{id: c, metric: revenue, method: cuped}", "{id: c, metric: revenue, method: cuped, winsorize: 1}", "analyses[3].winsorize", "(0.0, 1.0)"),
        ("winsorize lower above upper", "{id: c, metric: revenue, method: cuped}", "{id: c, metric: revenue, method: cuped, winsorize: {lower: 0.5, upper: 0.4}}", "analyses[3].winsorize", "lower < upper"),
        ("exclude on an unknown metric", "{id: c, metric: revenue, method: cuped}", "{id: c, metric: revenue, method: cuped, exclude: {metric: views, above: 3}}", "analyses[3].exclude.metric", "unknown metric \"views\""),
        ("exclude without a threshold", "{id: c, metric: revenue, method: cuped}", "{id: c, metric: revenue, method: cuped, exclude: {metric: orders}}", "analyses[3].exclude.above", "required key is missing"),
        ("unknown stratification", "{id: c, metric: revenue, method: cuped}", "{id: c, metric: revenue, method: cuped, stratify: weekday}", "analyses[3].stratify", "allocation_period"),
        ("min_deviation on a metric", "{id: c, metric: revenue, method: cuped}", "{id: c, metric: revenue, method: cuped, min_deviation: 0.01}", "analyses[3].min_deviation", "applies to the srm check"),
        ("filter on the srm check", "{id: srm, method: srm}", "{id: srm, method: srm, from_day: 2}", "analyses[5].from_day", "applies to metric analyses"),
        ("guard naming a metric analysis", "{id: c, metric: revenue, method: cuped}", "{id: c, metric: revenue, method: cuped, guard: w}", "analyses[3].guard", "must be an srm analysis"),
        ("guard naming nothing", "{id: c, metric: revenue, method: cuped}", "{id: c, metric: revenue, method: cuped, guard: nope}", "analyses[3].guard", "unknown analysis \"nope\""),
        ("unknown cluster sizes", "arrivals: uniform", "arrivals: uniform\n  clusters: {count: 10, sizes: lumpy}", "population.clusters.sizes", "expected equal"),
        ("graph without degree", "arrivals: uniform", "arrivals: uniform\n  clusters: {count: 10, graph: {within_share: 0.5}}", "population.clusters.graph.degree", "required key is missing"),
        ("graph share above 1", "arrivals: uniform", "arrivals: uniform\n  clusters: {count: 10, graph: {degree: 5, within_share: 2}}", "population.clusters.graph.within_share", "[0.0, 1.0]"),
        ("unknown analysis level", "{id: c, metric: revenue, method: cuped}", "{id: c, metric: revenue, method: cuped, level: region}", "analyses[3].level", "expected unit or group"),
        ("novelty check on a once metric", "{id: c, metric: revenue, method: cuped}", "{id: c, metric: revenue, method: novelty_trend}", "analyses[3].method", "observe: daily_total"),
    ]

    @Test(arguments: mistakes.map { $0.0 })
    func mistakeIsReportedWithKeyPath(_ name: String) throws {
        let m = try #require(Self.mistakes.first { $0.0 == name })
        #expect(validScenario.contains(m.1), "the test's replacement target must exist")
        let text = validScenario.replacingOccurrences(of: m.1, with: m.2)
        do {
            _ = try Scenario.parse(text, file: "bad.yaml")
            Issue.record("\(name): no error")
        } catch {
            #expect(error.file.hasPrefix("bad.yaml"), "\(name): \(error)")
            #expect(error.keyPath.hasSuffix(m.3), "\(name): key path \(error.keyPath), wanted \(m.3) — \(error)")
            #expect(error.message.contains(m.4), "\(name): message \(error.message)")
        }
    }
}

@Suite struct PolicyParsingTests {
    func parse(_ policy: String) throws(ScenarioError) -> StoppingPolicy {
        let text = validScenario.replacingOccurrences(of: "{id: w, metric: revenue, method: welch_t, policy: naive}",
                                                      with: "{id: w, metric: revenue, method: welch_t, policy: \(policy)}")
        let s = try Scenario.parse(text, file: "p.yaml")
        return s.cells[0].study.analyses[2].policy
    }

    @Test func everyPolicyParses() throws {
        #expect(try parse("fixed") == .fixedHorizon)
        #expect(try parse("{group_sequential: {spending: obf}}") == .groupSequential(spending: .obrienFleming, plannedUnits: nil))
        #expect(try parse("{group_sequential: {spending: power, rho: 2, planned_units: 5000}}") == .groupSequential(spending: .power(rho: 2), plannedUnits: 5000))
        #expect(try parse("{msprt: {tau2: 0.01}}") == .mixtureSPRT(tau2: 0.01))
        #expect(try parse("{confidence_sequence: {n_star: 5000}}") == .confidenceSequence(tuningSampleSize: 5000))
        #expect(try parse("{bayes_stop: {threshold: 0.95}}") == .bayesianStop(threshold: 0.95))
    }

    @Test(arguments: [("{group_sequential: {spending: obrien}}", "expected obf, pocock or power"),
                      ("{group_sequential: {spending: power}}", "required key is missing"),
                      ("{group_sequential: {spending: obf, rho: 2}}", "rho goes with spending: power"),
                      ("{msprt: {tau2: -1}}", "> 0"),
                      ("{bayes_stop: {threshold: 0.3}}", "(0.5, 1.0)"),
                      ("{sprt: {}}", "unknown kind")])
    func badPoliciesAreRejected(policy: String, message: String) {
        do {
            _ = try parse(policy)
            Issue.record("no error for \(policy)")
        } catch {
            #expect(error.keyPath.hasPrefix("analyses[2].policy"), "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }
}

@Suite struct FamilyParsingTests {
    static let text = """
    schema: 1
    id: t.family
    seed: 1
    replications: 10
    population: {units: 100}
    experiment: {variants: {control: 0.5, treatment: 0.5}}
    family: {metrics: 10, correlation: 0.5, effect_fraction: 0.2, effect: 0.1, policies: [holm, bh, primary_uncorrected]}
    gates:
      - {measure: fwer, analysis: family, comparison: holm, at_most: 0.05}
    """

    @Test func familyGeneratesMetricsAndEffects() throws {
        let s = try Scenario.parse(Self.text, file: "f.yaml")
        let study = s.cells[0].study
        #expect(study.metrics.count == 10)
        #expect(study.metrics[3].sharedFactorCorrelation == 0.5)
        #expect(study.effects["treatment"]?.count == 2)
        #expect(study.family?.policies == [.correction(.holm), .correction(.benjaminiHochberg), .primaryUncorrected])
        #expect(study.measures == [.fwer, .fdr, .averagePower, .anyPower])
        #expect(s.gates.count == 1)
    }

    @Test func familyWithMetricsIsAnError() {
        let bad = Self.text.replacingOccurrences(of: "population: {units: 100}", with: "population: {units: 100}\nmetrics: [{name: x, kind: binary, baseline: 0.1}]")
        #expect(throws: ScenarioError.self) { try Scenario.parse(bad, file: "f.yaml") }
        let badPolicy = Self.text.replacingOccurrences(of: "[holm, bh, primary_uncorrected]", with: "[holm, sidak]")
        do {
            _ = try Scenario.parse(badPolicy, file: "f.yaml")
            Issue.record("no error")
        } catch {
            #expect(error.keyPath == "family.policies[1]")
            #expect(error.message.contains("unknown policy \"sidak\""))
        }
    }
}

@Suite struct ObservationAndRulesetParsingTests {
    @Test func dailyObservationParses() throws {
        let text = validScenario.replacingOccurrences(of: "{name: orders, kind: count, distribution: {negative_binomial: {mean: 2, size: 1.5}}}",
                                                      with: "{name: orders, kind: count, distribution: {negative_binomial: {mean: 2, size: 1.5}}, observe: daily_total}")
        let s = try Scenario.parse(text, file: "d.yaml")
        #expect(s.cells[0].study.metric(named: "orders")?.observation == .dailyTotal)
        #expect(s.cells[0].study.metric(named: "conversion")?.observation == .once)
    }

    /// The shipped example ruleset is read relative to the working directory or the scenario;
    /// the arms are the analysed experiment's variants, and population attributes are typed.
    @Test func productionRulesetParses() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = validScenario
            .replacingOccurrences(of: "hash: sha256\n  variants: {control: 0.5, treatment: 0.5}",
                                  with: "ruleset: ruleset.json\n  analyse: exp-checkout-progress-bar")
            .replacingOccurrences(of: "segments: {platform: {web: 0.6, ios: 0.4}}",
                                  with: "segments: {platform: {web: 0.6, ios: 0.4}}\n  attributes: {country: {SG: 0.5, DE: 0.5}}")
        let s = try Scenario.parse(text, file: root.appendingPathComponent("scenarios/examples/x.yaml").path)
        let e = s.cells[0].study.experiment
        #expect(e.variants.map(\.name) == ["control", "treatment"])
        #expect(e.ruleset?.analyse == "exp-checkout-progress-bar")
        #expect(s.cells[0].study.population.attributes.map(\.name) == ["country"])
    }
}
