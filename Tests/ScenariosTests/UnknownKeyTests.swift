import Foundation
import Testing
@testable import Scenarios
@testable import Simulation

/// A family scenario (the family block replaces metrics, effects and analyses).
let validFamilyScenario = """
schema: 1
id: t.family
seed: 1
replications: 100
population: {units: 1000, days: 14}
experiment:
  variants: {control: 0.5, treatment: 0.5}
family:
  metrics: 5
  correlation: 0
  policies: [none, bh]
"""

/// Unknown keys are rejected at every nesting level (issue #18): one typo per level, each
/// reported with the file and the typo's full key path. A level that accepted any key (say an
/// `analyses` item or a `metrics` item) would parse the typo silently and fail here.
@Suite struct UnknownKeyTests {
    struct Typo: CustomTestStringConvertible, Sendable {
        /// The level (as the README names it).
        var level: String
        /// The text replaced in the valid scenario, and its replacement.
        var target: String
        var replacement: String
        /// The key path the error must end with, and a fragment of its message.
        var keyPath: String
        var message: String = "unknown key"
        var family: Bool = false
        var testDescription: String { level }
    }

    static let typos: [Typo] = [
        Typo(level: "top level", target: "replications: 100", replacement: "replications: 100\nreplicatons: 5", keyPath: "replicatons"),
        Typo(level: "population", target: "  days: 14", replacement: "  days: 14\n  dayz: 3", keyPath: "population.dayz"),
        Typo(level: "population.clusters", target: "arrivals: uniform", replacement: "arrivals: uniform\n  clusters: {count: 10, szes: equal}",
             keyPath: "population.clusters.szes"),
        Typo(level: "population.clusters.graph", target: "arrivals: uniform",
             replacement: "arrivals: uniform\n  clusters: {count: 10, graph: {degree: 5, within_share: 0.5, degre: 2}}",
             keyPath: "population.clusters.graph.degre"),
        Typo(level: "population.regions", target: "arrivals: uniform", replacement: "arrivals: uniform\n  regions: {count: 3, cuont: 2}",
             keyPath: "population.regions.cuont"),
        Typo(level: "population.bots", target: "arrivals: uniform", replacement: "arrivals: uniform\n  bots: {share: 0.1, shares: 0.2}",
             keyPath: "population.bots.shares"),
        Typo(level: "metrics item", target: "{name: conversion, kind: binary, baseline: 0.10}",
             replacement: "{name: conversion, kind: binary, baseline: 0.10, baselin: 0.2}", keyPath: "metrics[0].baselin"),
        Typo(level: "metrics item distribution (lognormal)", target: "{mu: 1.0, sigma: 1.2}", replacement: "{mu: 1.0, sigma: 1.2, sgima: 1}",
             keyPath: "metrics[1].distribution.lognormal.sgima"),
        Typo(level: "metrics item distribution (negative_binomial)", target: "mean: 2, size: 1.5", replacement: "mean: 2, size: 1.5, sise: 1",
             keyPath: "metrics[2].distribution.negative_binomial.sise"),
        Typo(level: "metrics item denominator (poisson)", target: "{poisson: {mean: 5}}", replacement: "{poisson: {mean: 5, man: 1}}",
             keyPath: "metrics[3].denominator.poisson.man"),
        Typo(level: "metrics item distribution (normal)", target: "{lognormal: {mu: 1.0, sigma: 1.2}}", replacement: "{normal: {mean: 1, sd: 2, sdd: 1}}",
             keyPath: "metrics[1].distribution.normal.sdd"),
        Typo(level: "metrics item distribution (gamma)", target: "{lognormal: {mu: 1.0, sigma: 1.2}}", replacement: "{gamma: {shape: 1, scale: 2, scael: 1}}",
             keyPath: "metrics[1].distribution.gamma.scael"),
        Typo(level: "experiment", target: "hash: sha256", replacement: "hash: sha256\n  hsh: md5", keyPath: "experiment.hsh"),
        Typo(level: "effects variant metric", target: "conversion: {relative: 0.03}", replacement: "conversion: {relative: 0.03, relativ: 0.1}",
             keyPath: "effects.treatment.conversion.relativ"),
        Typo(level: "effects by_segment level", target: "{ios: {absolute: 1.0}}", replacement: "{ios: {absolute: 1.0, absolut: 2}}",
             keyPath: "effects.treatment.revenue.by_segment.platform.ios.absolut"),
        Typo(level: "analyses item", target: "{id: z, metric: conversion, method: z_test, alpha: 0.05}",
             replacement: "{id: z, metric: conversion, method: z_test, alpha: 0.05, alpah: 0.1}", keyPath: "analyses[0].alpah"),
        Typo(level: "analyses item exclude", target: "{id: c, metric: revenue, method: cuped}",
             replacement: "{id: c, metric: revenue, method: cuped, exclude: {metric: orders, above: 3, abov: 2}}", keyPath: "analyses[3].exclude.abov"),
        Typo(level: "analyses item winsorize", target: "{id: c, metric: revenue, method: cuped}",
             replacement: "{id: c, metric: revenue, method: cuped, winsorize: {lower: 0.01, upper: 0.99, uper: 1}}", keyPath: "analyses[3].winsorize.uper"),
        Typo(level: "analyses policy group_sequential", target: "policy: naive", replacement: "policy: {group_sequential: {spending: obf, spendng: obf}}",
             keyPath: "analyses[2].policy.group_sequential.spendng"),
        Typo(level: "analyses policy msprt", target: "policy: naive", replacement: "policy: {msprt: {tau2: 1, tau: 2}}",
             keyPath: "analyses[2].policy.msprt.tau"),
        Typo(level: "analyses policy confidence_sequence", target: "policy: naive", replacement: "policy: {confidence_sequence: {n_star: 100, nstar: 1}}",
             keyPath: "analyses[2].policy.confidence_sequence.nstar"),
        Typo(level: "analyses policy bayes_stop", target: "policy: naive", replacement: "policy: {bayes_stop: {threshold: 0.95, treshold: 0.9}}",
             keyPath: "analyses[2].policy.bayes_stop.treshold"),
        Typo(level: "analyses policy kind", target: "policy: naive", replacement: "policy: {group_sequentail: {spending: obf}}",
             keyPath: "analyses[2].policy.group_sequentail", message: "unknown kind"),
        Typo(level: "looks", target: "{every_days: 7}", replacement: "{every_day: 7}", keyPath: "looks.every_day", message: "unknown kind"),
        Typo(level: "sweep", target: "population.units: [1000, 4000]\n", replacement: "population.units: [1000, 4000]\n  population.unitz: [1, 2]\n",
             keyPath: "population.unitz"),
        Typo(level: "sweep exclude", target: "    - population.units: 4000", replacement: "    - population.unitz: 4000",
             keyPath: "sweep.exclude[0].population.unitz", message: "not a swept key path"),
        Typo(level: "gates item", target: "{measure: rejection_rate, analysis: z, at_most: 0.05, tolerance: 0.01}",
             replacement: "{measure: rejection_rate, analysis: z, at_most: 0.05, tolerence: 0.01}", keyPath: "gates[0].tolerence"),
        Typo(level: "gates item cell", target: "cell: {population.units: 1000}", replacement: "cell: {population.unit: 1000}",
             keyPath: "gates[1].cell.population.unit", message: "not a swept key path"),
        Typo(level: "design", target: "measures: [", replacement: "design: {kind: fixed_split, splt: 1}\nmeasures: [", keyPath: "design.splt"),
        Typo(level: "faults item", target: "measures: [", replacement: "faults:\n  - {kind: latency, arm: treatment, share: 0.5, days: 2, dayz: 1}\nmeasures: [",
             keyPath: "faults[0].dayz"),
        Typo(level: "components item", target: "measures: [",
             replacement: "components:\n  - {kind: seasonality, metric: revenue, amplitud: 1}\nmeasures: [", keyPath: "components[0].amplitud"),
        Typo(level: "family", target: "  correlation: 0\n", replacement: "  correlation: 0\n  corelation: 0.5\n", keyPath: "family.corelation", family: true),
    ]

    @Test(arguments: typos)
    func typoAtEveryLevel(_ t: Typo) throws {
        let valid = t.family ? validFamilyScenario : validScenario
        #expect(valid.contains(t.target), "the replacement target must exist")
        // Without the typo's key the replacement is valid (so the error is the typo's alone).
        let text = valid.replacingOccurrences(of: t.target, with: t.replacement)
        do {
            _ = try Scenario.parse(text, file: "typo.yaml")
            Issue.record("\(t.level): the typo was accepted")
        } catch {
            #expect(error.file.hasPrefix("typo.yaml"), "\(t.level): \(error)")
            #expect(error.keyPath.hasSuffix(t.keyPath), "\(t.level): key path \(error.keyPath), wanted \(t.keyPath) — \(error)")
            #expect(error.message.contains(t.message), "\(t.level): message \(error.message)")
        }
    }
}
