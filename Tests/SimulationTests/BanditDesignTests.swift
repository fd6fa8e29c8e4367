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

    /// The weights change on the update schedule only: looks between two updates (days 2.5,
    /// 6.3 and 9.9 against daily updates) leave every unit's arm and the final regret as they
    /// were with one look. Before the fix every look re-ran the allocator, so adding looks
    /// changed the bandit being measured.
    @Test func looksBetweenUpdatesDoNotChangeTheAllocation() throws {
        var looked = Self.study()
        looked.looks = .days([2.5, 6.3, 9.9, 14])
        let single = ReplicationEngine(plan: try CellPlan(study: Self.study(), scenarioID: "b", cellIndex: 0))
        let many = ReplicationEngine(plan: try CellPlan(study: looked, scenarioID: "b", cellIndex: 0))
        for r in 0..<2 {
            let t1 = ColumnTable(), t2 = ColumnTable()
            let s1 = try single.observe(replication: r, table: t1), s2 = try many.observe(replication: r, table: t2)
            #expect(s2.allocation.count == s1.allocation.count + 3)
            let differing = (0..<14_000).filter { t1.arm[$0] != t2.arm[$0] }.count
            #expect(differing == 0, "replication \(r): \(differing) units change arm when looks are added")
            let a1 = try single.analyse(s1), a2 = try many.analyse(s2)
            #expect(a1.comparisons[1].estimate == a2.comparisons[1].estimate)
            // Distinct weight vectors: the same sequence of updates (the look periods repeat one).
            func distinct(_ log: [[Double]]) -> [[Double]] { log.reduce(into: []) { out, w in if out.last != w { out.append(w) } } }
            let same = distinct(s1.allocation) == distinct(s2.allocation)
            #expect(same, "replication \(r): \(distinct(s1.allocation).count) against \(distinct(s2.allocation).count) weight vectors")
        }
    }

    /// Allocation over time: a regret outcome carries the best arm's logged weight in every
    /// period up to the look, and the cell summary averages them period by period.
    @Test func regretOutcomeCarriesTheBestArmsWeightByPeriod() throws {
        var st = Self.study()
        st.replications = 3
        let plan = try CellPlan(study: st, scenarioID: "b", cellIndex: 0)
        let engine = ReplicationEngine(plan: plan)
        var summariser = CellSummariser(plan: plan)
        var sums = [Double](repeating: 0, count: plan.periods.count)
        for r in 0..<3 {
            let stats = try engine.observe(replication: r, table: ColumnTable())
            let record = try engine.analyse(stats)
            let w = try #require(record.comparisons[1].bestArmWeights)
            #expect(w == stats.allocation.map { $0[1] })
            for p in w.indices { sums[p] += w[p] }
            #expect(record.comparisons[0].bestArmWeights == nil)
            summariser.add(record, plan: plan)
        }
        let summary = try #require(summariser.result(plan: plan, cell: CellInput(index: 0, label: "", factors: [], study: st)).comparisons[1].bestArmWeightByPeriod)
        #expect(summary.count == plan.periods.count)
        #expect(summary[0].estimate == 0.5 && summary[0].mcse == 0)
        for p in summary.indices { #expect(abs(summary[p].estimate - sums[p] / 3) < 1e-12 && summary[p].replications == 3) }
        #expect(summary.last.map { $0.estimate > 0.9 } == true)
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
