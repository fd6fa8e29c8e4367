import Analysis
import Distributions
import Foundation
import Testing
@testable import Simulation

/// `diff` and `gate --baseline`: the z rule, its threshold, what is enforced, and that it
/// catches a regression inside an absolute gate's window while keeping its false-alarm rate.
@Suite struct ResultDiffTests {
    static func study(seed: UInt64, replications: Int = 300, units: Int = 400) -> Study {
        Study(id: "diff.aa", seed: seed, replications: replications,
              population: PopulationSpec(units: units, days: 10),
              metrics: [MetricSpec(name: "y", kind: .distribution(.normal(mean: 10, sd: 2)))],
              experiment: ExperimentSpec(hash: "growthbook_v2", variants: [("control", 0.5), ("treatment", 0.5)], assignment: .ideal),
              analyses: [AnalysisSpec(id: "w", metric: "y", method: .welchT)],
              measures: [.rejectionRate, .coverage, .bias, .empiricalSE])
    }

    static func result(_ study: Study, hash: String = "h") async throws -> ScenarioResult {
        let out = try await SimulationRunner(threads: 2).run(scenarioID: study.id, cells: [CellInput(index: 0, label: "base", factors: [], study: study)], gates: [])
        return ScenarioResult(scenario: study.id, description: "", file: "f.yaml", scenarioHash: hash, seed: study.seed, replications: study.replications,
                              factors: [], cells: out.cells, gates: [],
                              run: RunInfo(splitbenchVersion: "t", gitCommit: "c", swiftVersion: "s", gslVersion: "g", threads: 2, startedAt: "", wallSeconds: 0, cellSeconds: []))
    }

    /// z and the Bonferroni threshold against hand values and scipy (norm.isf(0.025) =
    /// 1.9599639845400545, norm.isf(0.05/856) = 3.852700119762049).
    @Test func zAndThreshold() throws {
        #expect(abs((RegressionCheck.zScore(old: 0.05, oldMCSE: 0.003, new: 0.06, newMCSE: 0.004) ?? 0) - 2) < 1e-12)
        #expect(RegressionCheck.zScore(old: 1, oldMCSE: 0, new: 1, newMCSE: 0) == 0)
        #expect(RegressionCheck.zScore(old: 1, oldMCSE: 0, new: 0.9, newMCSE: 0) == -.infinity)
        #expect(RegressionCheck.zScore(old: .nan, oldMCSE: 0, new: 1, newMCSE: 0) == nil)
        #expect(abs(try RegressionCheck.threshold(comparisons: 1) - 1.9599639845400545) < 1e-12)
        #expect(abs(try RegressionCheck.threshold(comparisons: 428) - 3.852700119762049) < 1e-9)
        #expect(throws: AnalysisError.self) { try RegressionCheck.threshold(comparisons: 3, familywiseAlpha: 0) }
    }

    /// An unchanged run compares clean (identical); a changed scenario hash is reported, its
    /// flagged rows are not enforced; rows present on one side are listed.
    @Test func identicalChangedAndUnmatched() async throws {
        let base = try await Self.result(Self.study(seed: 1))
        let same = try ResultDiff.compare(old: [base], new: [base])
        #expect(same.scenarios.map(\.status) == ["identical"] && same.regressions.isEmpty && same.rows.allSatisfy { $0.z == 0 })
        let shifted = try await Self.result(Self.study(seed: 1, units: 800), hash: "other")
        let changed = try ResultDiff.compare(old: [base], new: [shifted])
        #expect(changed.scenarios.first?.status == "scenario_changed")
        #expect(changed.rows.contains { $0.flagged })  // empirical_se shrinks by √2 with twice the units
        #expect(changed.regressions.isEmpty)
        let empty = ScenarioResult(scenario: base.scenario, description: "", file: base.file, scenarioHash: base.scenarioHash, seed: base.seed,
                                   replications: base.replications, factors: [], cells: [], gates: [], run: base.run)
        let gone = try ResultDiff.compare(old: [base], new: [empty])
        #expect(gone.removed.count == base.cells[0].comparisons[0].measures.count && gone.rows.isEmpty)
        let added = try ResultDiff.compare(old: [], new: [base])
        #expect(added.scenarios.map(\.status) == ["added"] && added.added.isEmpty)
    }

    /// A component that biases what the analysis sees without moving the truth (a bug in an
    /// outcome pipeline): +δ on the treatment's drawn outcomes.
    struct Leak: OutcomeComponent {
        var kind: String { "test_leak" }
        var estimand: String { "none" }
        let delta: Double
        func addShift(for unit: UnitContext, to shift: inout MeanShift) {}
        func constantShift(forArm arm: Int) -> MeanShift? { MeanShift() }
        var drawsRandomly: Bool { true }
        func transform(_ y: Double, _ x: Double, unit: UnitContext, stream: RandomStream) -> (y: Double, x: Double) {
            (unit.arm == 1 ? y + delta : y, x)
        }
    }

    /// A shift of 1.5 MCSE × 4 = 6 MCSE of the bias is flagged against the baseline (same
    /// streams, so the change is all signal), while an absolute gate bias ≤ 0.15 (bound estimate + 3·MCSE) still passes.
    @Test func regressionInsideTheAbsoluteWindowIsFlagged() async throws {
        let base = try await Self.result(Self.study(seed: 3))
        let mcse = try #require(base.cells[0].comparisons[0].value(.bias)?.mcse)
        var leaky = Self.study(seed: 3)
        leaky.components = [MetricComponent(metric: "y", component: Leak(delta: 1.5 * 4 * mcse))]
        let new = try await Self.result(leaky)
        let bias = try #require(new.cells[0].comparisons[0].value(.bias))
        let gate = GateSpec(measure: .bias, analysis: "w", rule: .atMost(0.15, tolerance: 0))
        #expect(GateEvaluator.evaluate([gate], cells: new.cells).allSatisfy { $0.passed }, "absolute gate: bias \(bias.estimate) ± \(bias.mcse ?? 0)")
        #expect(abs(bias.estimate) <= 0.15)
        let d = try ResultDiff.compare(old: [base], new: [new])
        let row = try #require(d.rows.first { $0.measure == "bias" })
        #expect(row.flagged && row.enforced, "z = \(row.z ?? .nan), threshold \(d.threshold)")
        #expect(d.regressions.contains { $0.measure == "bias" })
    }

    /// Over 300 independent pairs of A/A runs (different seeds), |z| of the bias exceeds
    /// z_{0.975} in 5% of pairs, within 3 MCSE (MCSE = √(0.05·0.95/300) = 0.0126).
    @Test func falseAlarmRateIsNominal() async throws {
        var alarms = 0
        let pairs = 300
        for k in 0..<pairs {
            let a = try await Self.result(Self.study(seed: UInt64(1_000 + 2 * k), replications: 100, units: 60))
            let b = try await Self.result(Self.study(seed: UInt64(1_001 + 2 * k), replications: 100, units: 60))
            let d = try ResultDiff.compare(old: [a], new: [b])
            let z = try #require(d.rows.first { $0.measure == "bias" }?.z)
            if abs(z) > 1.9599639845400545 { alarms += 1 }
        }
        let rate = Double(alarms) / Double(pairs), mcse = (0.05 * 0.95 / Double(pairs)).squareRoot()
        #expect(abs(rate - 0.05) <= 3 * mcse, "false-alarm rate \(rate)")
    }
}
