import Analysis
import Assignment
import Distributions
import Foundation
import Testing
@testable import Simulation

/// The switchback design, the region time series and carryover do what they claim.
@Suite struct SwitchbackTests {
    static func study(units: Int = 4000, regions: Int = 4, burnInHours: Double = 0, phi: Double = 0.8) -> Study {
        var s = Study(id: "sb", seed: 3, replications: 2,
                      population: PopulationSpec(units: units, days: 14, regions: regions),
                      metrics: [MetricSpec(name: "y", kind: .distribution(.normal(mean: 0, sd: 1)))],
                      experiment: ExperimentSpec(hash: "growthbook_v2", variants: [("control", 0.5), ("treatment", 0.5)]),
                      effects: ["treatment": ["y": EffectSpec(.absolute(1))]],
                      analyses: [AnalysisSpec(id: "w", metric: "y", method: .welchT),
                                 AnalysisSpec(id: "g", metric: "y", method: .welchT, options: AnalysisOptions(groupLevel: true))])
        s.design = SwitchbackDesign(study: s, windowDays: 4.0 / 24, burnInDays: burnInHours / 24)
        s.components = [MetricComponent(metric: "y", component: RegionSeries(phi: phi, sd: 1, stepDays: 1.0 / 24, regions: regions, days: 14))]
        return s
    }

    /// Every unit of a region × window gets the pair's arm — the Assignment module's evaluation of
    /// `r<region>` at that time — its group is the pair, its prior arm is the previous window's,
    /// and exactly the units in a burn-in are left out of the log.
    @Test func assignsRegionWindowsThroughTheEvaluator() throws {
        let s = Self.study(burnInHours: 1)
        let plan = try CellPlan(study: s, scenarioID: "sb", cellIndex: 0)
        let table = ColumnTable()
        _ = try ReplicationEngine(plan: plan).observe(replication: 1, table: table)
        let design = try #require(s.design as? SwitchbackDesign)
        let ruleset = try Ruleset(jsonValue: SwitchbackDesign.rulesetJSON(study: s, salt: CellPlan.salt(study: s, cellKey: plan.cellKey, replication: 1),
                                                                       windowDays: design.windowDays, burnInDays: design.burnInDays))
        let evaluator = Evaluator(ruleset: ruleset)
        let origin = Date(timeIntervalSince1970: 1_767_225_600)
        var treatedWindows = 0, windows = 0
        var armOf: [Int: Int32] = [:]
        for i in 0..<table.count {
            let w = Int(table.arrival[i] / design.windowDays), r = Int(table.region[i])
            #expect(Int(table.group[i]) == r * design.windows + w)
            if let a = armOf[r * 1000 + w] {
                #expect(a == table.arm[i], "unit \(i)")
            } else {
                let e = evaluator.evaluate(experiment: "sb", ["region": .string("r\(r)")], at: origin.addingTimeInterval(table.arrival[i] * 86_400))
                let index = e?.variant.flatMap { v in s.experiment.variants.firstIndex { $0.name == v } } ?? -1
                #expect(Int32(index) == table.arm[i], "unit \(i)")
                armOf[r * 1000 + w] = table.arm[i]
                windows += 1
                if table.arm[i] == 1 { treatedWindows += 1 }
            }
            if w > 0, let prior = armOf[r * 1000 + w - 1] { #expect(table.priorArm[i] == prior) }
            let inBurnIn = table.arrival[i] - Double(w) * design.windowDays < design.burnInDays
            #expect((table.loggedArm[i] == -1) == inBurnIn, "unit \(i)")
        }
        #expect(abs(Double(treatedWindows) - 0.5 * Double(windows)) <= 4 * (0.25 * Double(windows)).squareRoot())
    }

    /// The started series is a stationary AR(1): variance sd² and lag-1 correlation φ (within
    /// 4 SE over 39 985 steps); the unstarted component adds nothing.
    @Test func regionSeriesIsAR1() throws {
        let c = RegionSeries(phi: 0.8, sd: 2, stepDays: 1.0 / 24, regions: 1, days: 1666)
        let plan = try CellPlan(study: Self.study(), scenarioID: "sb", cellIndex: 0)
        let started = try #require(c.started(ReplicationContext(plan: plan, replication: 0), stream: RandomStream(seed: 9, path: [1])) as? RegionSeries)
        let e = started.shocks
        #expect(e.count == 1666 * 24 + 1)
        let n = Double(e.count), mean = e.reduce(0, +) / n
        var squares = 0.0, lag = 0.0
        for k in e.indices { squares += (e[k] - mean) * (e[k] - mean) }
        for k in 1..<e.count { lag += (e[k] - mean) * (e[k - 1] - mean) }
        let variance = squares / n
        let rho = lag / (n - 1) / variance
        // AR(1) with φ = 0.8: the sample variance's SE ≈ σ²·√(2(1 + φ²)/((1 − φ²) n)), ρ̂'s ≈ √((1 − φ²)/n).
        #expect(abs(variance - 4) <= 4 * 4 * (2 * (1 + 0.64) / (0.36 * n)).squareRoot(), "\(variance)")
        #expect(abs(rho - 0.8) <= 4 * (0.36 / n).squareRoot(), "\(rho)")
        var shift = MeanShift()
        c.addShift(for: UnitContext(), to: &shift)
        #expect(shift.isZero)
    }

    @Test func carryoverShiftsOnlySwitchedEarlyUnits() {
        let c = Carryover(arm: 1, effect: 2, days: 1.0 / 24)
        func shift(arm: Int, previous: Int, since: Double) -> Double {
            var u = UnitContext(arm: arm)
            u.previousArm = previous
            u.sinceSwitch = since
            var s = MeanShift()
            c.addShift(for: u, to: &s)
            return s.absolute
        }
        #expect(shift(arm: 1, previous: 0, since: 0.01) == -2)   // treated, but still the control's
        #expect(shift(arm: 0, previous: 1, since: 0.01) == 2)    // control, carrying the treatment
        #expect(shift(arm: 1, previous: 0, since: 0.05) == 0)    // after the hour
        #expect(shift(arm: 1, previous: 1, since: 0.01) == 0)    // no switch
        #expect(shift(arm: 1, previous: -1, since: 0.01) == 0)   // first window, and the truth
    }

    /// The group-level analysis is Welch on the region × window means of the logged units.
    @Test func groupLevelIsWelchOnWindowMeans() throws {
        let plan = try CellPlan(study: Self.study(), scenarioID: "sb", cellIndex: 0)
        let table = ColumnTable()
        let engine = ReplicationEngine(plan: plan)
        let record = try engine.analyse(try engine.observe(replication: 2, table: table))
        var sums: [Int: (n: Int, sum: Double, arm: Int32)] = [:]
        for i in 0..<table.count where table.loggedArm[i] >= 0 {
            let g = Int(table.group[i])
            let old = sums[g] ?? (0, 0, table.loggedArm[i])
            sums[g] = (old.n + 1, old.sum + table.outcome[0][i], table.loggedArm[i])
        }
        var groups = [MomentStatistic(), MomentStatistic()]
        for (_, v) in sums.sorted(by: { $0.key < $1.key }) { groups[Int(v.arm)].add(v.sum / Double(v.n), covariate: 0) }
        let want = try ExperimentAnalysis.compare(control: groups[0], treatment: groups[1], method: .welchT).result
        let got = record.comparisons[1]
        #expect(abs(got.estimate - (want.estimate ?? .nan)) < 1e-9 && abs(got.standardError - (want.standardError ?? .nan)) < 1e-9)
        #expect(got.sampleSize == groups[0].n + groups[1].n)
    }
}
