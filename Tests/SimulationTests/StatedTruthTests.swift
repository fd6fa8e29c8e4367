import Analysis
import Distributions
import Foundation
import Testing
@testable import Simulation

/// Designs, faults, looks and gates against their stated truth (issue #18), with the numbers
/// worked out here rather than read back from the code under test.
@Suite struct StatedTruthTests {
    /// Ideal assignment with allocation a enrols a share a of units and splits the enrolled by
    /// the weights: with a = 0.5 and weights ½/½, 25% / 25% / 50% not enrolled of 20 000 units,
    /// each count within 4 binomial SDs.
    @Test func idealAssignerHonoursAllocation() {
        var a = IdealAssigner(stream: RandomStream(seed: 11, 1), weights: [0.5, 0.5], allocation: 0.5)
        let n = 20_000
        var counts = [-1: 0, 0: 0, 1: 0]
        for i in 0..<n { counts[a.arm(ofUnit: i), default: 0] += 1 }
        for (arm, p) in [(-1, 0.5), (0, 0.25), (1, 0.25)] {
            let sd = (Double(n) * p * (1 - p)).squareRoot()
            #expect(abs(Double(counts[arm] ?? 0) - Double(n) * p) <= 4 * sd, "arm \(arm): \(counts[arm] ?? 0)")
        }
    }

    /// `looks: {count: 4}` on 1 000 units looks after 250, 500, 750 and 1 000 arrivals.
    @Test func equallySpacedLooks() {
        let cutoffs = LookPlan.cutoffs(.equallySpaced(4), population: PopulationSpec(units: 1000, days: 10))
        #expect(cutoffs.map(\.units) == [250, 500, 750, 1000])
    }

    /// The gate rules of the README's table, at values on either side of each bound.
    @Test func gateRules() {
        func e(_ x: Double, _ m: Double) -> MonteCarloEstimate { MonteCarloEstimate(estimate: x, mcse: m, replications: 100) }
        let atLeast = GateSpec(measure: .coverage, analysis: "a", rule: .atLeast(0.95, tolerance: 0.02))
        #expect(atLeast.check(e(0.97, 0.01)).passed)            // 0.97 − 0.03 = 0.94 ≥ 0.93
        #expect(!atLeast.check(e(0.95, 0.01)).passed)           // 0.92 < 0.93
        #expect(atLeast.check(e(0.95, 0.01)).bound == 0.95 - 3 * 0.01)
        let atMost = GateSpec(measure: .coverage, analysis: "a", rule: .atMost(0.95, tolerance: 0.021))
        #expect(atMost.check(e(0.95, 0.005)).passed)            // 0.965 ≤ 0.971
        #expect(!atMost.check(e(1.0, 0)).passed)                // coverage stuck at 1 fails the upper side
        #expect(!atMost.check(e(0.96, 0.005)).passed)           // 0.975 > 0.971
        let near = GateSpec(measure: .coverage, analysis: "a", rule: .near(0.95, withinMCSE: 3))
        #expect(near.check(e(0.975, 0.01)).passed)              // 0.025 ≤ 0.03
        #expect(!near.check(e(0.99, 0.01)).passed)              // 0.04 > 0.03
        #expect(!near.check(e(0.94, 0.002)).passed)             // 0.01 > 0.006
        #expect(!near.check(MonteCarloEstimate(estimate: 0.95, mcse: nil, replications: 1)).passed)
    }

    /// Kish's design effect: the unit-level test's FPR for clusters of m = 20 at ICC 0.05 is
    /// 2[1 − Φ(1.959964/√1.95)] = erfc(1.959964/√(2·1.95)) = 0.1604501 (Python `math.erfc`),
    /// and 0.05 exactly for clusters of one.
    @Test func clusterDesignEffect() {
        #expect(abs(ClusterDesign.predictedUnitLevelFPR(icc: 0.05, clusterSize: 20) - 0.160_450_103_5) < 1e-8)
        #expect(abs(ClusterDesign.predictedUnitLevelFPR(icc: 0.3, clusterSize: 1) - 0.05) < 1e-12)
    }

    /// Broken stickiness at share 0.3, 3 sessions, weights ½/½: duplicate rate
    /// d = 0.3·(1 − ½²) = 0.225 per arm, so the logged treatment group is w_T treated units plus
    /// w_C·d control duplicates, and the estimate of an effect τ = 1 is
    /// ½/(½ + ½·0.225) − ½·0.225/(½ + ½·0.225) = 0.3875/0.6125 = 0.6326531. The closed form
    /// gives that, and the simulated mean estimate (400 replications) is within 4 MCSE of it.
    @Test func brokenStickinessAttenuation() async throws {
        let expected = 0.3875 / 0.6125
        #expect(abs(BrokenStickiness.expectedEstimate(effect: 1, control: 0.5, treatment: 0.5, share: 0.3, sessions: 3) - expected) < 1e-12)
        var study = Study(id: "test.stickiness", seed: 5, replications: 400, population: PopulationSpec(units: 2000, days: 10),
                          metrics: [MetricSpec(name: "m", kind: .distribution(.normal(mean: 0, sd: 1)))],
                          experiment: ExperimentSpec(variants: [("control", 0.5), ("treatment", 0.5)], assignment: .ideal),
                          effects: ["treatment": ["m": EffectSpec(.absolute(1))]],
                          analyses: [AnalysisSpec(id: "a", metric: "m", method: .welchT)])
        study.faults = [BrokenStickiness(share: 0.3, sessions: 3, weights: [0.5, 0.5])]
        let cells = try await SimulationRunner(threads: 2).run(
            scenarioID: study.id, cells: [CellInput(index: 0, label: "base", factors: [], study: study)], gates: []).cells
        let s = try #require(cells.first?.comparisons.first { $0.analysis == "a" })
        #expect(s.truth == 1, "the truth is the effect of the arm given")
        let bias = try #require(s.value(.bias)), mcse = try #require(bias.mcse)
        let mean = bias.estimate + 1
        #expect(abs(mean - expected) <= 4 * mcse, "mean estimate \(mean), expected \(expected) ± 4×\(mcse)")
    }
}
