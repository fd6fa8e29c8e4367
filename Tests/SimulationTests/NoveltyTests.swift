import Foundation
import Testing
@testable import Simulation

/// Novelty's truth functions against closed forms.
@Suite struct NoveltyTests {
    static func study(arrivals: Arrivals) -> Study {
        var s = Study(id: "novelty", seed: 1, replications: 2,
                      population: PopulationSpec(units: 2800, days: 28, arrivals: arrivals),
                      metrics: [MetricSpec(name: "m", kind: .distribution(.normal(mean: 10, sd: 2)), observation: .dailyMean)],
                      experiment: ExperimentSpec(variants: [("control", 0.5), ("treatment", 0.5)], assignment: .ideal),
                      analyses: [AnalysisSpec(id: "w", metric: "m", method: .welchT)], looks: .days([3, 28]))
        s.components = [MetricComponent(metric: "m", component: Novelty(arm: 1, initial: 0.5, longRun: 0.1, halfLife: 2, relative: false))]
        return s
    }

    @Test func effectCurve() {
        let n = Novelty(arm: 1, initial: 0.5, longRun: 0.1, halfLife: 2, relative: false)
        #expect(n.effect(daysSinceExposure: 0) == 0.5)
        #expect(abs(n.effect(daysSinceExposure: 2) - 0.3) < 1e-12)         // half-way after one half-life
        #expect(abs(n.effect(daysSinceExposure: 4) - 0.2) < 1e-12)
        #expect(n.effect(daysSinceExposure: .infinity) == 0.1)
    }

    /// Everyone exposed on day 0: the truth at day d is the mean of τ(0 … d−1); the long-run
    /// truth is τ∞ = 0.1.
    @Test func truthPerLookAndLongRun() throws {
        let c = try CellPlan(study: Self.study(arrivals: .atStart), scenarioID: "n", cellIndex: 0).analyses[0].comparisons[0]
        func mean(_ d: Int) -> Double { (0..<d).reduce(0.0) { $0 + 0.1 + 0.4 * pow(0.5, Double($1) / 2) } / Double(d) }
        #expect(abs((c.truthByLook?[0] ?? 0) - mean(3)) < 1e-12)
        #expect(abs((c.truthByLook?[1] ?? 0) - mean(28)) < 1e-12)
        #expect(abs((c.longRunTruth ?? 0) - 0.1) < 1e-12)
    }

    @Test func scenarioEntryIsChecked() throws {
        let study = Self.study(arrivals: .atStart)
        func message(_ p: [String: ComponentValue]) -> String {
            do { _ = try StageRegistry.shared.makeComponent(ComponentConfig(kind: "novelty", keyPath: "components[0]", parameters: p), study: study); return "" }
            catch { return error.description }
        }
        #expect(message(["metric": .string("m"), "initial": .number(0.1), "half_life_days": .number(2)]) == "")
        #expect(message(["metric": .string("m"), "initial": .number(0.1), "half_life_days": .number(0)]).contains("components[0].half_life_days"))
        #expect(message(["metric": .string("m"), "initial": .number(0.1), "half_life_days": .number(1), "variant": .string("control")]).contains("components[0].variant"))
        #expect(message(["metric": .string("m"), "initial": .number(0.1), "half_life_days": .number(1), "scale": .string("log")]).contains("components[0].scale"))
    }
}
