import Foundation
import Testing
@testable import Simulation

/// MCSE formulas against values computed by hand (Morris, White & Crowther 2019, Table 6).
@Suite struct PerformanceMeasuresTests {
    let estimates = [0.9, 1.1, 1.3, 0.7, 1.0]   // mean 1.0, Σ(θ̂−θ̄)² = 0.2
    let ses = [0.2, 0.25, 0.3, 0.15, 0.1]

    @Test func proportion() throws {
        let p = try #require(PerformanceMeasures.proportion(5, of: 100))
        #expect(p.estimate == 0.05)
        #expect(abs(try #require(p.mcse) - (0.05 * 0.95 / 100).squareRoot()) < 1e-15)
        #expect(PerformanceMeasures.proportion(1, of: 0) == nil)
    }

    @Test func biasAndEmpiricalSE() throws {
        let b = try #require(PerformanceMeasures.bias(estimates, truth: 0.95))
        #expect(abs(b.estimate - 0.05) < 1e-12)
        // √(0.2 / (5·4)) = 0.1
        #expect(abs(try #require(b.mcse) - 0.1) < 1e-12)
        let e = try #require(PerformanceMeasures.empiricalSE(estimates))
        // sd = √(0.2/4) = 0.2236068; MCSE = sd/√8
        #expect(abs(e.estimate - 0.05.squareRoot()) < 1e-12)
        #expect(abs(try #require(e.mcse) - 0.05.squareRoot() / 8.0.squareRoot()) < 1e-12)
    }

    @Test func mseAndRMSE() throws {
        // errors vs θ = 1: −0.1, 0.1, 0.3, −0.3, 0 → squares 0.01, 0.01, 0.09, 0.09, 0; MSE 0.04
        let m = try #require(PerformanceMeasures.mse(estimates, truth: 1.0))
        #expect(abs(m.estimate - 0.04) < 1e-12)
        // Σ(sq − 0.04)² = 3·0.0009·... = 0.0009+0.0009+0.0025+0.0025+0.0016 = 0.0084; /(5·4) → √0.00042
        #expect(abs(try #require(m.mcse) - 0.00042.squareRoot()) < 1e-12)
        let r = try #require(PerformanceMeasures.rmse(estimates, truth: 1.0))
        #expect(abs(r.estimate - 0.2) < 1e-12)
        #expect(abs(try #require(r.mcse) - 0.00042.squareRoot() / 0.4) < 1e-12)
    }

    @Test func modelSE() throws {
        // SE² = 0.04, 0.0625, 0.09, 0.0225, 0.01; mean 0.045 → ModSE = √0.045
        let m = try #require(PerformanceMeasures.modelSE(ses))
        #expect(abs(m.estimate - 0.045.squareRoot()) < 1e-12)
        // Var(SE²) (ddof 1) = Σ(v − 0.045)²/4 = (0.000025+0.00030625+0.002025+0.00050625+0.001225)/4
        let varV = (0.000025 + 0.00030625 + 0.002025 + 0.00050625 + 0.001225) / 4
        #expect(abs(try #require(m.mcse) - (varV / (4 * 5 * 0.045)).squareRoot()) < 1e-12)
    }

    @Test func emptyInputsAreUndefinedNotNaN() {
        #expect(PerformanceMeasures.mean([]) == nil)
        #expect(PerformanceMeasures.empiricalSE([1.0]) == nil)
        #expect(PerformanceMeasures.mean([2.0])?.mcse == nil)
    }
}

/// The streaming forms the summariser uses give the two-pass forms' numbers (to rounding),
/// and a summariser saved mid-stream and restored continues to the same bytes.
@Suite struct StreamingMeasuresTests {
    @Test func runningMomentsMatchTwoPass() {
        // A large offset with a small spread: the case where a naive Σx² − n x̄² form fails.
        var x: [Double] = []
        var state: UInt64 = 12345
        for _ in 0..<10_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            x.append(1e6 + Double(state >> 11) / Double(1 << 53))
        }
        var m = RunningMoments()
        for v in x { m.add(v) }
        let twoPass = PerformanceMeasures.mean(x), streaming = PerformanceMeasures.mean(m)
        #expect(abs((streaming?.estimate ?? 0) - (twoPass?.estimate ?? 1)) <= 1e-12 * 1e6)
        #expect(abs((streaming?.mcse ?? 0) / (twoPass?.mcse ?? 1) - 1) <= 1e-9)
        #expect(abs((PerformanceMeasures.empiricalSE(m)?.estimate ?? 0) / (PerformanceMeasures.empiricalSE(x)?.estimate ?? 1) - 1) <= 1e-9)
        let se = x.map { ($0 - 1e6) * 0.1 + 0.01 }
        var v = RunningMoments()
        for s in se { v.add(s * s) }
        #expect(abs((PerformanceMeasures.modelSE(variances: v)?.mcse ?? 0) / (PerformanceMeasures.modelSE(se)?.mcse ?? 1) - 1) <= 1e-9)
        var sq = RunningMoments()
        for e in se { sq.add((e - 0.05) * (e - 0.05)) }
        let a = PerformanceMeasures.rmse(squaredErrors: sq), b = PerformanceMeasures.rmse(se, truth: 0.05)
        #expect(abs((a?.estimate ?? 0) / (b?.estimate ?? 1) - 1) <= 1e-12 && abs((a?.mcse ?? 0) / (b?.mcse ?? 1) - 1) <= 1e-9)
        #expect(PerformanceMeasures.mean(RunningMoments()) == nil && PerformanceMeasures.empiricalSE(RunningMoments()) == nil)
    }

    @Test func aSummariserRestoredMidStreamGivesTheSameResult() throws {
        let study = Studies.aa(replications: 40, units: 300, assignment: .ideal)
        let plan = try CellPlan(study: study, scenarioID: study.id, cellIndex: 0)
        let engine = ReplicationEngine(plan: plan)
        let table = ColumnTable()
        let records = try (0..<40).map { try engine.runBlock($0..<($0 + 1), table: table, engines: nil)[0] }
        let cell = CellInput(index: 0, label: "c", factors: [], study: study)
        var whole = CellSummariser(plan: plan)
        for r in records { whole.add(r, plan: plan) }
        var first = CellSummariser(plan: plan)
        for r in records[..<17] { first.add(r, plan: plan) }
        let saved = try JSONEncoder().encode(first)
        var resumed = try JSONDecoder().decode(CellSummariser.self, from: saved)
        #expect(resumed == first && resumed.replications == 17)
        for r in records[17...] { resumed.add(r, plan: plan) }
        #expect(resumed == whole)
        #expect(resumed.result(plan: plan, cell: cell) == whole.result(plan: plan, cell: cell))
        let c = whole.result(plan: plan, cell: cell).comparisons[0]
        #expect(c.replications == 40 && (c.intervalSample?.count ?? 0) == 40 || !study.measures.contains(.coverage))
    }
}
