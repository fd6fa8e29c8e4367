import Analysis
import Assignment
import Distributions
import Foundation
import Testing
@testable import Simulation

/// The long-term holdout: assignment by the Assignment module's ruleset holdout, a launch
/// programme whose truth is random per replication, and the summed lifts' overstatement against
/// its closed form.
@Suite struct LongTermHoldoutTests {
    static let features = 12, every = 7.0, test = 14.0, users = 20_000, m = 0.01, s = 0.03, sigma = 2.0
    static let initial = 0.05, half = 5.0, readout = 91.0, days = 14

    static func study(noveltyShare: Double, units: Int = 280, replications: Int = 2) -> Study {
        var st = Study(id: "holdout", seed: 31, replications: replications,
                       population: PopulationSpec(units: units, days: days),
                       metrics: [MetricSpec(name: "revenue", kind: .distribution(.normal(mean: 10, sd: sigma)))],
                       experiment: ExperimentSpec(hash: "growthbook_v2", variants: [("holdout", 0.05), ("launched", 0.95)]),
                       effects: [:],
                       analyses: [AnalysisSpec(id: "holdout", metric: "revenue", method: .welchT),
                                  AnalysisSpec(id: "summed", metric: "revenue", method: .summedLifts)])
        st.design = LongTermHoldout(study: st)
        st.components = [MetricComponent(metric: "revenue", component: LaunchedFeatures(
            arm: 1, count: features, everyDays: every, testDays: test, usersPerArm: users, effectMean: m, effectSD: s,
            noveltyShare: noveltyShare, noveltyInitial: initial, halfLife: half, alpha: 0.05, readoutDay: readout, mean: 10, sd: sigma))]
        return st
    }

    /// The readout's mean novelty factor of feature f: the average over the readout days (equal
    /// traffic) of 2^(−(readout + d − S_f)/h), S_f = f·every + test.
    static func readoutFactor(_ f: Int) -> Double {
        let ship = Double(f) * every + test
        return (0..<days).reduce(0.0) { $0 + pow(2, -(readout + Double($1) - ship) / half) } / Double(days)
    }

    /// Closed forms for one programme: with est_f ~ N(μ_e, σ_e²) marginally (μ_e = m + νḡ,
    /// σ_e² = s² + SE², SE = σ√(2/n)) and shipping when est_f > c = z₀.₉₇₅·SE,
    /// E[1{ship}(est − θ)] = (SE²/σ_e)·φ(a), E[1{ship}·τ] = m·(1 − Φ(a)) + (s²/σ_e)·φ(a),
    /// a = (c − μ_e)/σ_e (normal regression of θ and τ on est). Overstatement =
    /// Σ_f E[1{ship}(est_f − τ_f − ν r_f)]; truth = Σ_f E[1{ship}(τ_f + ν r_f)]; each averaged over
    /// the novelty flag.
    static func closedForm(noveltyShare p: Double) throws -> (overstatement: Double, truth: Double) {
        let se = sigma * (2.0 / Double(users)).squareRoot(), sigmaE = (s * s + se * se).squareRoot()
        let c = try Normal.standard.inverseSurvival(0.025) * se
        let g = half * (1 - pow(2, -test / half)) / (test * log(2.0))
        var over = 0.0, truth = 0.0
        for f in 0..<features {
            let r = readoutFactor(f)
            for (nu, weight) in [(0.0, 1 - p), (initial, p)] where weight > 0 {
                let a = (c - (m + nu * g)) / sigmaE
                let phi = Normal.standard.density(a), ship = Normal.standard.sf(a)
                over += weight * (se * se / sigmaE * phi + nu * (g - r) * ship)
                truth += weight * (m * ship + s * s / sigmaE * phi + nu * r * ship)
            }
        }
        return (over, truth)
    }

    /// The component's closed form equals an independent implementation of it (``closedForm``)
    /// and scipy's evaluation of the same formula (scripts/reference/holdout_closed_form.py:
    /// 0.0382617464355077 / 0.11117077824054807 / 2.508184876065579 without novelty,
    /// 0.07107923278910522 / 0.1329609525589429 / 3.2733264704376683 with share 0.3).
    @Test func closedFormMatchesReference() throws {
        for (share, want) in [(0.0, (0.0382617464355077, 0.11117077824054807, 2.508184876065579)),
                              (0.3, (0.07107923278910522, 0.1329609525589429, 3.2733264704376683))] {
            let component = try #require(Self.study(noveltyShare: share).components.first?.component as? LaunchedFeatures)
            let got = component.expected(readoutDays: Self.days)
            #expect(abs(got.overstatement - want.0) < 1e-12 && abs(got.truth - want.1) < 1e-12 && abs(got.shipped - want.2) < 1e-10)
            let mine = try Self.closedForm(noveltyShare: share)
            #expect(abs(mine.overstatement - want.0) < 1e-12 && abs(mine.truth - want.1) < 1e-12)
        }
    }

    /// Units are held out exactly when the ruleset's holdout holds their id; about 5% are.
    @Test func assignmentIsTheRulesetHoldout() throws {
        let st = Self.study(noveltyShare: 0, units: 20_000)
        let plan = try CellPlan(study: st, scenarioID: "h", cellIndex: 0)
        let table = ColumnTable()
        _ = try ReplicationEngine(plan: plan).observe(replication: 3, table: table)
        let salt = ReplicationContext(plan: plan, replication: 3).salt
        let ruleset = try Ruleset(jsonValue: LongTermHoldout.rulesetJSON(study: st, salt: salt))
        let h = try #require(ruleset.holdout("long_term"))
        var held = 0
        for i in 0..<20_000 {
            #expect(table.arm[i] == (h.holds("u\(i)") ? 0 : 1))
            if table.arm[i] == 0 { held += 1 }
        }
        #expect(abs(Double(held) - 1_000) <= 4 * (20_000 * 0.05 * 0.95).squareRoot())
    }

    /// A replication's truth is Σ over shipped features of τ_f + ν_f·r_f, from its own launches;
    /// summed_lifts is Σ of their estimates with SE √Σ SE².
    @Test func replicationTruthIsTheShippedFeatures() throws {
        let plan = try CellPlan(study: Self.study(noveltyShare: 0.5), scenarioID: "h", cellIndex: 0)
        let engine = ReplicationEngine(plan: plan)
        var sawShipped = false
        for r in 0..<6 {
            let stats = try engine.observe(replication: r, table: ColumnTable())
            let record = try engine.analyse(stats)
            #expect(stats.launches.count == Self.features)
            var want = 0.0, sum = 0.0, variance = 0.0
            for (f, x) in stats.launches.enumerated() where x.shipped {
                want += x.effect + x.novelty * Self.readoutFactor(f)
                sum += x.estimate
                variance += x.standardError * x.standardError
                sawShipped = true
            }
            let truth = try #require(record.comparisons[0].replicationTruth)
            #expect(abs(truth - want) < 1e-12, "replication \(r)")
            #expect(record.comparisons[1].replicationTruth == truth)
            #expect(abs(record.comparisons[1].estimate - sum) < 1e-12 && abs(record.comparisons[1].standardError - variance.squareRoot()) < 1e-12)
        }
        #expect(sawShipped)
    }

    /// Over 1 500 replications the summed lifts' bias and the mean truth match the closed forms
    /// within 4 MCSE, with and without novelty; the holdout's Welch estimate is unbiased (4 MCSE).
    @Test(arguments: [0.0, 0.3]) func overstatementMatchesClosedForm(share: Double) async throws {
        let st = Self.study(noveltyShare: share, replications: 1_500)
        let out = try await SimulationRunner(threads: 2).run(scenarioID: "h", cells: [CellInput(index: 0, label: "c", factors: [], study: st)], gates: [])
        let cell = out.cells[0]
        let want = try Self.closedForm(noveltyShare: share)
        let summed = try #require(cell.comparisons.first { $0.analysis == "summed" })
        let bias = try #require(summed.value(.bias)), truth = try #require(summed.value(.meanTruth))
        #expect(abs(bias.estimate - want.overstatement) <= 4 * (bias.mcse ?? 0), "bias \(bias.estimate) ± \(bias.mcse ?? 0) vs \(want.overstatement)")
        #expect(abs(truth.estimate - want.truth) <= 4 * (truth.mcse ?? 0), "truth \(truth.estimate) ± \(truth.mcse ?? 0) vs \(want.truth)")
        #expect(bias.estimate > 10 * (bias.mcse ?? 1))
        let holdout = try #require(cell.comparisons.first { $0.analysis == "holdout" }?.value(.bias))
        #expect(abs(holdout.estimate) <= 4 * (holdout.mcse ?? 0))
    }

    @Test func entryIsChecked() {
        let st = Self.study(noveltyShare: 0)
        func message(_ p: [String: ComponentValue]) -> String {
            do { _ = try StageRegistry.shared.makeComponent(ComponentConfig(kind: "launched_features", keyPath: "components[0]", parameters: p), study: st); return "" }
            catch { return error.description }
        }
        let ok: [String: ComponentValue] = ["metric": .string("revenue"), "launches": .number(3), "every_days": .number(7), "test_days": .number(14),
                                            "users_per_arm": .number(1000), "effect": .map(["mean": .number(0), "sd": .number(0.1)])]
        #expect(message(ok) == "")
        var bad = ok; bad["readout_day"] = .number(20)
        #expect(message(bad).contains("components[0].readout_day"))
        bad = ok; bad["effect"] = .map(["mean": .number(0)])
        #expect(message(bad).contains("components[0].effect.sd"))
        bad = ok; bad["novelty"] = .map(["share": .number(2), "initial": .number(0.1), "half_life_days": .number(3)])
        #expect(message(bad).contains("components[0].novelty.share"))
        bad = ok; bad["metric"] = .string("nope")
        #expect(message(bad).contains("components[0].metric"))
        var three = st
        three.experiment = ExperimentSpec(hash: "growthbook_v2", variants: [("a", 0.3), ("b", 0.3), ("c", 0.4)])
        do { _ = try StageRegistry.shared.makeDesign(ComponentConfig(kind: "holdout", keyPath: "design", parameters: [:]), study: three); Issue.record("accepted 3 arms") }
        catch { #expect(error.description.contains("experiment.variants")) }
    }
}
