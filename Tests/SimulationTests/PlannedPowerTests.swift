import Analysis
import Testing
@testable import Simulation

/// The planned power a cell's plan hands to the report (issue #13's power-against-n chart): the
/// two-proportion z-test's power at the expected arm sizes, where such a figure is exact, and
/// nothing elsewhere. The expected values are worked out here from the scenario's numbers (p_c,
/// p_t, n_c, r), not read back from the plan.
@Suite struct PlannedPowerTests {
    static func study(weights: [Double] = [0.5, 0.5], allocation: Double = 1, estimand: Estimand = .absolute,
                      method: AnalysisMethod = .zTest, policy: StoppingPolicy = .fixedHorizon,
                      kind: MetricKind = .binary(baseline: 0.1)) -> Study {
        var e = ExperimentSpec(variants: zip(["control", "treatment"], weights).map { ($0, $1) })
        e.allocation = allocation
        return Study(id: "test.planned-power", seed: 1, replications: 10, population: PopulationSpec(units: 8000, days: 14),
                     metrics: [MetricSpec(name: "m", kind: kind)], experiment: e,
                     effects: ["treatment": ["m": EffectSpec(.relative(0.2))]],
                     analyses: [AnalysisSpec(id: "a", metric: "m", method: method, estimand: estimand, alpha: 0.01, policy: policy)])
    }

    static func planned(_ s: Study) throws -> Double? {
        let plan = try CellPlan(study: s, scenarioID: s.id, cellIndex: 0)
        return try #require(plan.analyses.first?.comparisons.first).plannedPower
    }

    @Test func equalSplitIsThePowerAtHalfThePopulation() throws {
        // p_c = 0.1, p_t = 0.1 · 1.2 = 0.12, n_c = 8000 / 2, α = 0.01 two-sided.
        let expected = try PowerAnalysis.proportionPower(control: 0.1, treatment: 0.12, controlSize: 4000, settings: PowerSettings(alpha: 0.01))
        let got = try #require(try Self.planned(Self.study()))
        #expect(abs(got - expected) < 1e-12, "\(got) vs \(expected)")
        #expect(got > 0.5 && got < 0.99)  // a real H1 power, not α and not 1
        // Welch on a binary metric: the same figure (the z-test's large-sample power).
        #expect(try Self.planned(Self.study(method: .welchT)) == got)
    }

    @Test func unequalSplitAndAllocationSetTheArmSizesAndRatio() throws {
        // 80% of traffic in the experiment, weights 1 : 3: n_c = 8000 · 0.8 · 1/4 = 1600, r = 3.
        let expected = try PowerAnalysis.proportionPower(control: 0.1, treatment: 0.12, controlSize: 1600,
                                                         settings: PowerSettings(alpha: 0.01, ratio: 3))
        let got = try #require(try Self.planned(Self.study(weights: [0.25, 0.75], allocation: 0.8)))
        #expect(abs(got - expected) < 1e-12, "\(got) vs \(expected)")
        let equal = try #require(try Self.planned(Self.study()))
        #expect(got < equal)  // fewer units and an unbalanced split: less power
    }

    @Test func noFigureWhereNoneIsExact() throws {
        #expect(try Self.planned(Self.study(estimand: .relative)) == nil)
        var aa = Self.study()
        aa.effects = [:]
        #expect(try Self.planned(aa) == nil)  // H0: no power to plan
        #expect(try Self.planned(Self.study(policy: .naivePeeking)) == nil)
        #expect(try Self.planned(Self.study(method: .welchT, kind: .distribution(.normal(mean: 1, sd: 1)))) == nil)
    }
}
