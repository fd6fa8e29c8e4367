import Distributions
import Foundation
import Testing
import Simulation

/// A component that adds N(0, scale²) noise to the drawn outcome, from its own stream.
struct Noise: OutcomeComponent {
    var kind: String { "noise" }
    var estimand: String { "no effect (noise)" }
    let scale: Double
    func addShift(for unit: UnitContext, to shift: inout MeanShift) {}
    func constantShift(forArm arm: Int) -> MeanShift? { MeanShift() }
    var drawsRandomly: Bool { true }
    func transform(_ y: Double, _ x: Double, unit: UnitContext, stream: RandomStream) -> (y: Double, x: Double) {
        (y + scale * stream.standardNormal(), x)
    }
}

/// Components that draw at random get their own streams: adding one changes only its metric,
/// and adding another on a second metric leaves the first one's numbers unchanged.
@Suite struct RandomComponentTests {
    static func study(_ components: [MetricComponent]) -> Study {
        var s = Study(id: "noise", seed: 4, replications: 2,
                      population: PopulationSpec(units: 20000, days: 7),
                      metrics: [MetricSpec(name: "conv", kind: .binary(baseline: 0.3)),
                                MetricSpec(name: "rev", kind: .distribution(.normal(mean: 5, sd: 1)))],
                      experiment: ExperimentSpec(variants: [("control", 0.5), ("treatment", 0.5)], assignment: .ideal),
                      analyses: [AnalysisSpec(id: "w", metric: "rev", method: .welchT)])
        s.components = components
        return s
    }

    func observe(_ s: Study) throws -> LookStatistics {
        let plan = try CellPlan(study: s, scenarioID: "noise", cellIndex: 0)
        return try ReplicationEngine(plan: plan, path: .staged).observe(replication: 0, table: ColumnTable())
    }

    @Test func componentsDrawFromTheirOwnStreams() throws {
        let plain = try observe(Self.study([]))
        let noisy = try observe(Self.study([MetricComponent(metric: "rev", component: Noise(scale: 2))]))
        let both = try observe(Self.study([MetricComponent(metric: "rev", component: Noise(scale: 2)),
                                           MetricComponent(metric: "conv", component: Noise(scale: 0.1))]))
        #expect(!CellPlan.fastPathAppliesTo(Self.study([MetricComponent(metric: "rev", component: Noise(scale: 2))])))
        for arm in 0..<2 {
            #expect(plain.sums(look: 0, arm: arm, metric: 0) == noisy.sums(look: 0, arm: arm, metric: 0))  // conv untouched
            #expect(noisy.sums(look: 0, arm: arm, metric: 1) == both.sums(look: 0, arm: arm, metric: 1))   // rev unchanged by conv's noise
            #expect(plain.sums(look: 0, arm: arm, metric: 1) != noisy.sums(look: 0, arm: arm, metric: 1))
            // The noise adds its variance: var(rev) ≈ 1 + 4 (within 4 SE of a sample variance ≈ 5·√(2/n)).
            let r = noisy.sums(look: 0, arm: arm, metric: 1)
            let mean = r.sum / Double(r.n), variance = r.sumOfSquares / Double(r.n) - mean * mean
            #expect(abs(variance - 5) <= 4 * 5 * (2 / Double(r.n)).squareRoot(), "\(variance)")
            #expect(abs(mean - 5) <= 4 * (5 / Double(r.n)).squareRoot(), "\(mean)")
        }
    }
}
