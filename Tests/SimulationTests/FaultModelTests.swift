import Analysis
import Foundation
import Testing
@testable import Simulation

/// The fault models and unit-level analysis options change exactly what they claim, by the
/// amounts they claim.
@Suite struct FaultModelTests {
    static func study(units: Int = 4000, variants: [(String, Double)] = [("control", 0.5), ("treatment", 0.5)],
                      metrics: [MetricSpec]? = nil, botShare: Double = 0, analyses: [AnalysisSpec]? = nil) -> Study {
        Study(id: "faults", seed: 11, replications: 2,
              population: PopulationSpec(units: units, days: 14, segments: [Segment(attribute: "device", levels: ["web", "ios"], shares: [0.7, 0.3])],
                                         botShare: botShare),
              metrics: metrics ?? [MetricSpec(name: "revenue", kind: .distribution(.lognormal(mu: 1, sigma: 1))),
                                   MetricSpec(name: "views", kind: .distribution(.poisson(mean: 5)))],
              experiment: ExperimentSpec(hash: "growthbook_v2", variants: variants),
              effects: ["treatment": ["revenue": EffectSpec(.absolute(0.5))]],
              analyses: analyses ?? [AnalysisSpec(id: "w", metric: "revenue", method: .welchT)], looks: .days([7, 14]))
    }

    // MARK: ramp

    /// Units get the weights of the stage they arrive in (within 4 binomial SE per stage), and
    /// the SRM null is the arrival-weighted mix.
    @Test func rampAssignsByArrivalStage() throws {
        var s = Self.study(units: 20_000)
        let ramp = Ramp(study: s, stages: [(0, [0.9, 0.1]), (7, [0.5, 0.5])])
        s.design = ramp
        let plan = try CellPlan(study: s, scenarioID: "r", cellIndex: 0)
        #expect(plan.allocationChanges == [7])
        let table = ColumnTable()
        _ = try ReplicationEngine(plan: plan).observe(replication: 0, table: table)
        for (stage, range, share) in [(0, 0..<10_000, 0.1), (1, 10_000..<20_000, 0.5)] {
            let treated = range.filter { table.arm[$0] == 1 }.count
            let n = Double(range.count)
            #expect(abs(Double(treated) - share * n) <= 4 * (share * (1 - share) * n).squareRoot(), "stage \(stage): \(treated)")
        }
        let shares = try #require(ramp.expectedArmShares(unitsArrived: 20_000, plan: plan))
        #expect(abs(shares[1] - 0.3) < 1e-12 && abs(shares[0] - 0.7) < 1e-12)
        let early = try #require(ramp.expectedArmShares(unitsArrived: 5_000, plan: plan))
        #expect(abs(early[1] - 0.1) < 1e-12)
    }

    @Test func rampEntryIsChecked() throws {
        let study = Self.study()
        func message(_ stages: ComponentValue) -> String {
            do { _ = try StageRegistry.shared.makeDesign(ComponentConfig(kind: "ramp", keyPath: "design", parameters: ["stages": stages]), study: study); return "" }
            catch { return error.description }
        }
        func stage(_ day: Double, _ c: Double, _ t: Double) -> ComponentValue {
            .map(["day": .number(day), "weights": .map(["control": .number(c), "treatment": .number(t)])])
        }
        #expect(message(.list([stage(0, 0.9, 0.1), stage(2, 0.5, 0.5)])) == "")
        #expect(message(.list([stage(1, 0.9, 0.1)])).contains("design.stages[0].day"))
        #expect(message(.list([stage(0, 0.9, 0.1), stage(0, 0.5, 0.5)])).contains("design.stages[1].day"))
        #expect(message(.list([stage(0, 0, 0)])).contains("design.stages[0].weights"))
        #expect(message(.list([stage(0, 0.9, 0.1), stage(20, 0.5, 0.5)])).contains("design.stages[1].day"))
        #expect(message(.list([.map(["day": .number(0), "weights": .map(["control": .number(1)])])])).contains("design.stages[0].weights.treatment"))
    }

    // MARK: unit-level analyses

    /// The unit-level statistics equal a direct computation from the table's columns: segment
    /// filter, arrival window, activity filter, pooled-quantile winsorisation (sorted-array
    /// quantile, numpy's linear rule) and strata at the design's allocation changes.
    @Test func unitLevelStatisticsMatchADirectComputation() throws {
        let options = AnalysisOptions(segmentFilter: ["device": ["web"]], fromDay: 1, exclude: ActivityRule(metric: "views", above: 7),
                                      winsorize: WinsorizeRule(lower: 0.01, upper: 0.95), stratify: .allocationPeriod)
        var s = Self.study(analyses: [AnalysisSpec(id: "u", metric: "revenue", method: .welchT, options: options)])
        s.design = Ramp(study: s, stages: [(0, [0.8, 0.2]), (5, [0.5, 0.5])])
        let plan = try CellPlan(study: s, scenarioID: "u", cellIndex: 0)
        #expect(!plan.fastPathApplies)
        let table = ColumnTable()
        let stats = try ReplicationEngine(plan: plan).observe(replication: 2, table: table)
        let u = try #require(stats.unitLevel["u"])
        #expect(u.strata == 2)
        for (k, look) in plan.looks.enumerated() {
            var considered = 0, excluded = 0, kept: [Int] = []
            for i in 0..<look.units where table.loggedArm[i] >= 0 && table.segmentLevels[0][i] == 0 && table.arrival[i] >= 1 {
                considered += 1
                if table.outcome[1][i] > 7 { excluded += 1 } else { kept.append(i) }
            }
            #expect(u.considered[k] == considered && u.excluded[k] == excluded)
            let sorted = kept.map { table.outcome[0][$0] }.sorted()
            func q(_ p: Double) -> Double {
                let h = Double(sorted.count - 1) * p, lo = Int(h), hi = min(lo + 1, sorted.count - 1)
                return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
            }
            let lower = q(0.01), upper = q(0.95)
            for stratum in 0..<2 {
                for arm in 0..<2 {
                    var want = MomentStatistic()
                    for i in kept where Int(table.loggedArm[i]) == arm && (table.arrival[i] >= 5 ? 1 : 0) == stratum {
                        want.add(min(max(table.outcome[0][i], lower), upper), covariate: table.covariate[0][i])
                    }
                    let got = u.sums(look: k, stratum: stratum, arm: arm)
                    #expect(got.n == want.n && abs(got.sum - want.sum) <= 1e-9 * abs(want.sum), "look \(k) stratum \(stratum) arm \(arm)")
                }
            }
        }
    }

    /// `where` restricts the truth to the segment; `estimand_in` sets it without filtering.
    @Test func truthFollowsTheAnalysedSegments() throws {
        var s = Self.study()
        s.effects = ["treatment": ["revenue": EffectSpec(.absolute(0.5), bySegment: ["device": ["ios": .absolute(2)]])]]
        s.analyses = [AnalysisSpec(id: "all", metric: "revenue", method: .welchT),
                      AnalysisSpec(id: "ios", metric: "revenue", method: .welchT, options: AnalysisOptions(segmentFilter: ["device": ["ios"]])),
                      AnalysisSpec(id: "claims_web", metric: "revenue", method: .welchT, options: AnalysisOptions(estimandIn: ["device": ["web"]]))]
        let plan = try CellPlan(study: s, scenarioID: "t", cellIndex: 0)
        #expect(abs((plan.analyses[0].comparisons[0].truth ?? 0) - (0.7 * 0.5 + 0.3 * 2)) < 1e-12)
        #expect(abs((plan.analyses[1].comparisons[0].truth ?? 0) - 2) < 1e-12)
        #expect(abs((plan.analyses[2].comparisons[0].truth ?? 0) - 0.5) < 1e-12)
        #expect(plan.analyses[2].spec.options.needsUnitLevel == false)
    }

    // MARK: bots

    /// Bots change only the bot units' outcomes, on the component's own stream: every other
    /// column (and every human's outcome) is the same as without the component.
    @Test func botsChangeOnlyTheBotsOutcomes() throws {
        var plain = Self.study(botShare: 0.05)
        plain.components = []
        var botty = plain
        botty.components = [MetricComponent(metric: "views", component: try Bots(distribution: .poisson(mean: 300)))]
        let a = ColumnTable(), b = ColumnTable()
        _ = try ReplicationEngine(plan: try CellPlan(study: plain, scenarioID: "b", cellIndex: 0)).observe(replication: 1, table: a)
        _ = try ReplicationEngine(plan: try CellPlan(study: botty, scenarioID: "b", cellIndex: 0)).observe(replication: 1, table: b)
        #expect(Array(a.arm) == Array(b.arm) && Array(a.isBot) == Array(b.isBot))
        #expect(Array(a.outcome[0]) == Array(b.outcome[0]))
        var bots = 0, total = 0.0
        for i in 0..<a.count {
            if a.isBot[i] != 0 {
                bots += 1
                total += b.outcome[1][i]
            } else {
                #expect(a.outcome[1][i] == b.outcome[1][i], "human \(i)")
            }
        }
        #expect(abs(Double(bots) - 200) <= 4 * (4000 * 0.05 * 0.95).squareRoot(), "\(bots) bots")
        // Their views are Poisson(300): the mean is within 4 SE.
        #expect(abs(total / Double(bots) - 300) <= 4 * (300 / Double(bots)).squareRoot())
    }

    @Test func botsNeedFlaggedUnits() {
        let study = Self.study()
        do {
            _ = try StageRegistry.shared.makeComponent(ComponentConfig(kind: "bots", keyPath: "components[0]", parameters: ["metric": .string("views"), "value": .number(0)]), study: study)
            Issue.record("no error")
        } catch {
            #expect(error.description.contains("bots: {share: s}"))
        }
    }

    // MARK: broken stickiness

    /// Only the second-arm column changes; the duplicate rate is s(1 − w^(k−1)) per arm (4 SE),
    /// and the duplicates are counted in their second arm.
    @Test func brokenStickinessDuplicatesUnits() throws {
        let weights = [0.8, 0.2]
        var plain = Self.study(units: 20_000, variants: [("control", 0.8), ("treatment", 0.2)])
        plain.faults = [BrokenStickiness(share: 0, sessions: 3, weights: weights)]
        var broken = plain
        broken.faults = [BrokenStickiness(share: 0.3, sessions: 3, weights: weights)]
        let a = ColumnTable(), b = ColumnTable()
        let sa = try ReplicationEngine(plan: try CellPlan(study: plain, scenarioID: "s", cellIndex: 0)).observe(replication: 0, table: a)
        let sb = try ReplicationEngine(plan: try CellPlan(study: broken, scenarioID: "s", cellIndex: 0)).observe(replication: 0, table: b)
        #expect(Array(a.arm) == Array(b.arm) && Array(a.loggedArm) == Array(b.loggedArm) && Array(a.outcome[0]) == Array(b.outcome[0]))
        #expect(a.secondArm.allSatisfy { $0 == -1 })
        for (arm, w) in [(0, 0.8), (1, 0.2)] {
            let units = (0..<b.count).filter { b.arm[$0] == Int32(arm) }
            let dup = units.filter { b.secondArm[$0] >= 0 }.count
            let p = 0.3 * (1 - w * w), n = Double(units.count)
            #expect(abs(Double(dup) - p * n) <= 4 * (p * (1 - p) * n).squareRoot(), "arm \(arm): \(dup) of \(units.count)")
            #expect(units.allSatisfy { b.secondArm[$0] != Int32(arm) })
        }
        let duplicates = (0..<b.count).filter { b.secondArm[$0] >= 0 }.count
        #expect(sb.counts[2] + sb.counts[3] == sa.counts[2] + sa.counts[3] + duplicates)
    }

    // MARK: guard

    /// A guarded analysis never rejects in a replication whose SRM check flagged, and otherwise
    /// decides as the unguarded one.
    @Test func srmGuardBlocksShipping() throws {
        var s = Self.study(analyses: [AnalysisSpec(id: "w", metric: "revenue", method: .welchT),
                                      AnalysisSpec(id: "g", metric: "revenue", method: .welchT, options: AnalysisOptions(guardBy: "srm")),
                                      AnalysisSpec(id: "srm", metric: nil, method: .srm, alpha: 0.001)])
        s.faults = [ExposureLoss(arm: 1, fraction: 0.08)]
        let engine = ReplicationEngine(plan: try CellPlan(study: s, scenarioID: "g", cellIndex: 0))
        let table = ColumnTable()
        var blocked = 0, flagged = 0
        for r in 0..<40 {
            let o = try engine.runOne(replication: r, table: table).comparisons
            if o[2].rejected {
                flagged += 1
                #expect(!o[1].rejected)
                if o[0].rejected { blocked += 1 }
            } else {
                #expect(o[0].rejected == o[1].rejected)
            }
        }
        #expect(flagged > 0 && flagged < 40 && blocked > 0, "flagged \(flagged), blocked \(blocked)")
    }
}
