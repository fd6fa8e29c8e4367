import Analysis
import Assignment
import Foundation
import Testing
@testable import Simulation

/// The bandit design logs its weights, assigns by them, and the adaptive analyses read them.
@Suite struct BanditDesignTests {
    static func study() -> Study {
        var s = Study(id: "bandit", seed: 8, replications: 2,
                      population: PopulationSpec(units: 14_000, days: 14),
                      metrics: [MetricSpec(name: "c", kind: .binary(baseline: 0.1))],
                      experiment: ExperimentSpec(hash: "growthbook_v2", variants: [("control", 0.5), ("treatment", 0.5)]),
                      effects: ["treatment": ["c": EffectSpec(.absolute(0.05))]],
                      analyses: [AnalysisSpec(id: "ipw", metric: "c", method: .ipw), AnalysisSpec(id: "regret", metric: "c", method: .regret),
                                 AnalysisSpec(id: "ps", metric: "c", method: .periodStratified), AnalysisSpec(id: "srm", metric: nil, method: .srmPeriods, alpha: 0.001)])
        s.design = BanditDesign(study: s, policy: .thompsonBernoulli(), metric: 0, updateDays: 1, floor: 0.05)
        return s
    }

    /// One weight vector per period (the first the design's), each with the floor; the units of a
    /// period are assigned in proportion to its weights (4 binomial SE); the weights the allocator
    /// gives the cumulative statistics before a period are the ones in force in it.
    @Test func weightsAreLoggedAndUsed() throws {
        let plan = try CellPlan(study: Self.study(), scenarioID: "b", cellIndex: 0)
        let table = ColumnTable()
        let stats = try ReplicationEngine(plan: plan).observe(replication: 0, table: table)
        #expect(stats.allocation.count == plan.periods.count)
        #expect(stats.allocation.first == [0.5, 0.5])
        let allocator = try BanditAllocator(policy: .thompsonBernoulli(), arms: 2, floor: 0.05)
        var totals = [ArmStatistics(n: 0, sum: 0, sumOfSquares: 0), ArmStatistics(n: 0, sum: 0, sumOfSquares: 0)]
        var lo = 0
        for (p, period) in plan.periods.enumerated() {
            let w = stats.allocation[p]
            #expect(w.allSatisfy { $0 >= 0.05 - 1e-12 } && abs(w.reduce(0, +) - 1) < 1e-12)
            if p > 0 { #expect(try allocator.weights(totals) == w, "period \(p)") }
            let units = lo..<period.unitsArrived
            let treated = units.filter { table.arm[$0] == 1 }.count, n = Double(units.count)
            #expect(abs(Double(treated) - w[1] * n) <= 4 * (w[1] * (1 - w[1]) * n).squareRoot() + 1, "period \(p)")
            for a in 0..<2 {
                let s = stats.periodSums[p * 2 + a]
                totals[a].n += s.n
                totals[a].sum += s.sum
                totals[a].sumOfSquares += s.sumOfSquares
            }
            lo = period.unitsArrived
        }
        // A 10% → 15% arm: by the end the treatment is favoured.
        #expect((stats.allocation.last?[1] ?? 0) > 0.9)
    }

    /// Regret is Σ_a n_a(μ* − μ_a) from the look's counts; IPW is the Analysis module's estimate
    /// over the logged periods.
    @Test func adaptiveAnalysesReadTheLog() throws {
        let plan = try CellPlan(study: Self.study(), scenarioID: "b", cellIndex: 0)
        let engine = ReplicationEngine(plan: plan)
        let stats = try engine.observe(replication: 1, table: ColumnTable())
        let record = try engine.analyse(stats)
        #expect(abs(record.comparisons[1].estimate - Double(stats.counts[0]) * 0.05) < 1e-9)
        let periods = stats.allocation.indices.map { p in AdaptivePeriod(weights: stats.allocation[p], arms: [stats.periodSums[p * 2], stats.periodSums[p * 2 + 1]]) }
        let want = try AdaptiveEstimation.ipw(periods: periods, treatment: 1)
        #expect(record.comparisons[0].estimate == want.estimate && record.comparisons[0].standardError == want.standardError)
        let stratified = try AdaptiveEstimation.stratifiedByPeriod(periods: periods, treatment: 1)
        #expect(record.comparisons[2].estimate == stratified.estimate && record.comparisons[2].standardError == stratified.standardError)
        let srm = try AdaptiveEstimation.srm(periods: periods, threshold: 0.001)
        #expect(record.comparisons[3].pValue == srm.pValue && record.comparisons[3].rejected == srm.flagged)
    }

    /// With several looks the regret outcome's statistic is its slope against ln T between the
    /// first and the last look, (R_K − R_1)/ln(n_K/n_1), from the looks' counts; one look gives NaN.
    @Test func regretSlopeFromTheLooks() throws {
        var st = Self.study()
        st.looks = .everyDays(7)
        let plan = try CellPlan(study: st, scenarioID: "b", cellIndex: 0)
        let engine = ReplicationEngine(plan: plan)
        let stats = try engine.observe(replication: 2, table: ColumnTable())
        let record = try engine.analyse(stats)
        let k = stats.looks - 1
        #expect(k == 1)
        let r1 = Double(stats.counts[0]) * 0.05, rK = Double(stats.counts[k * 2]) * 0.05
        let n1 = Double(stats.counts[0] + stats.counts[1]), nK = Double(stats.counts[k * 2] + stats.counts[k * 2 + 1])
        #expect(abs(record.comparisons[1].statistic - (rK - r1) / log(nK / n1)) < 1e-9)
        let single = ReplicationEngine(plan: try CellPlan(study: Self.study(), scenarioID: "b", cellIndex: 0))
        #expect(try single.analyse(single.observe(replication: 2, table: ColumnTable())).comparisons[1].statistic.isNaN)
    }

    @Test func entryIsChecked() {
        let s = Self.study()
        func message(_ p: [String: ComponentValue]) -> String {
            do { _ = try StageRegistry.shared.makeDesign(ComponentConfig(kind: "bandit", keyPath: "design", parameters: p), study: s); return "" }
            catch { return error.description }
        }
        #expect(message(["policy": .string("thompson"), "metric": .string("c")]) == "")
        #expect(message(["policy": .string("exp3"), "metric": .string("c")]).contains("design.policy"))
        #expect(message(["policy": .string("thompson"), "metric": .string("x")]).contains("design.metric"))
        #expect(message(["policy": .string("thompson"), "metric": .string("c"), "floor": .number(0.6)]).contains("design.floor"))
        #expect(message(["policy": .string("epsilon_greedy"), "metric": .string("c")]).contains("design.epsilon"))
    }
}
