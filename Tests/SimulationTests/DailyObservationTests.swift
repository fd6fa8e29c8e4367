import Analysis
import Foundation
import Testing
@testable import Simulation

/// A toy novelty component from outside the engine: the effect `initial` on the first three
/// days after exposure, nothing afterwards.
struct ThreeDayNovelty: OutcomeComponent {
    var kind: String { "three_day_novelty" }
    var estimand: String { "effect on days 0-2 after exposure" }
    let initial: Double
    func addShift(for unit: UnitContext, to shift: inout MeanShift) {
        if unit.arm == 1 && unit.daysSinceExposure < 3 { shift.absolute += initial }
    }
    func constantShift(forArm arm: Int) -> MeanShift? { arm == 0 ? MeanShift() : nil }
}

/// Metrics observed day by day: each look sees each unit's days up to it, and the truth of a
/// look is computed from the same per-day shifts.
@Suite struct DailyObservationTests {
    static func study(_ observation: Observation, effect: Double = 0.2, novelty: Double = 0) -> Study {
        var s = Study(id: "daily", seed: 21, replications: 400,
                      population: PopulationSpec(units: 1400, days: 14),
                      metrics: [MetricSpec(name: "v", kind: .distribution(.normal(mean: 1, sd: 1)), observation: observation)],
                      experiment: ExperimentSpec(variants: [("control", 0.5), ("treatment", 0.5)], assignment: .ideal),
                      effects: effect == 0 ? [:] : ["treatment": ["v": EffectSpec(.absolute(effect))]],
                      analyses: [AnalysisSpec(id: "w", metric: "v", method: .welchT, policy: .naivePeeking)],
                      looks: .days([7, 14]))
        if novelty != 0 { s.components = [MetricComponent(metric: "v", component: ThreeDayNovelty(initial: novelty))] }
        return s
    }

    /// Uniform arrivals over 14 days, 100 units per day: at day 7 the units of days 0–6 have
    /// 7, 6, …, 1 complete days (mean 4), at day 14 those of days 0–13 have 14, …, 1 (mean 7.5).
    /// A constant daily effect a is then 4a and 7.5a on the total and a on the mean.
    @Test func truthFollowsTheObservedDays() throws {
        let total = try CellPlan(study: Self.study(.dailyTotal), scenarioID: "d", cellIndex: 0).analyses[0].comparisons[0]
        #expect(zip(total.truthByLook ?? [], [0.8, 1.5]).allSatisfy { abs($0 - $1) < 1e-12 }, "\(total.truthByLook ?? [])")
        let mean = try CellPlan(study: Self.study(.dailyMean), scenarioID: "d", cellIndex: 0).analyses[0].comparisons[0]
        #expect(zip(mean.truthByLook ?? [], [0.2, 0.2]).allSatisfy { abs($0 - $1) < 1e-12 }, "\(mean.truthByLook ?? [])")
        // Novelty on days 0–2 only: at day 14 the mean effect per day is a·E[min(3, D)/D] over
        // D = 1…14 equally often: (1 + 1 + 1 + 3/4 + 3/5 + … + 3/14)/14.
        let novel = try CellPlan(study: Self.study(.dailyMean, effect: 0, novelty: 0.4), scenarioID: "d", cellIndex: 0).analyses[0].comparisons[0]
        var shares = 3.0
        for d in 4...14 { shares += 3 / Double(d) }
        let expected: Double = 0.4 * shares / 14
        #expect(abs((novel.truthByLook?.last ?? 0) - expected) < 1e-12)
        #expect(!CellPlan.fastPathAppliesTo(Self.study(.dailyMean)))
    }

    /// Monte Carlo: the Welch estimate at each look is unbiased for that look's truth (|bias|
    /// ≤ 4 MCSE) and the estimates track the totals growing with the days; the 95% interval
    /// covers within 4 MCSE of 0.95 (R = 400, MCSE ≈ 0.011).
    @Test(arguments: [Observation.dailyTotal, .dailyMean])
    func estimatesAreUnbiasedAtEachLook(_ observation: Observation) throws {
        let plan = try CellPlan(study: Self.study(observation, novelty: 0.3), scenarioID: "d", cellIndex: 0)
        let engine = ReplicationEngine(plan: plan)
        let table = ColumnTable()
        let c = plan.analyses[0].comparisons[0]
        var errors: [[Double]] = [[], []], covered = [0, 0]
        for r in 0..<400 {
            let stats = try engine.observe(replication: r, table: table)
            for k in 0..<2 {
                let o = try engine.analyseAt(look: k, plan.analyses[0], c, stats: stats)
                let truth = try #require(c.truth(atLook: k))
                errors[k].append(o.estimate - truth)
                if o.lower <= truth && truth <= o.upper { covered[k] += 1 }
            }
        }
        for k in 0..<2 {
            let bias = try #require(PerformanceMeasures.bias(errors[k], truth: 0))
            #expect(abs(bias.estimate) <= 4 * (bias.mcse ?? 0), "\(observation) look \(k): \(bias)")
            let coverage = Double(covered[k]) / 400
            #expect(abs(coverage - 0.95) <= 4 * (0.95 * 0.05 / 400).squareRoot(), "\(observation) look \(k): \(coverage)")
        }
        // The truths differ by look, and the two looks really saw different data.
        #expect(c.truthByLook?[0] != c.truthByLook?[1])
    }
}
