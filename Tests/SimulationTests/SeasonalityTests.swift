import Foundation
import Testing
@testable import Simulation

/// Seasonality's shifts and truths against closed forms.
@Suite struct SeasonalityTests {
    static let component = Seasonality(weekly: [1, 1, 1, 1, 1, 1.2, 1.2], trendPerDay: 0.01, arm: 1,
                                       weekdayEffect: 0.1, weekendEffect: 0.8)

    static func study(days: Int, daily: Bool = false) -> Study {
        var s = Study(id: "season", seed: 1, replications: 2,
                      population: PopulationSpec(units: 8000, days: days, arrivals: .dailyProfile([1, 1, 1, 1, 1, 1.5, 1.5])),
                      metrics: [MetricSpec(name: "m", kind: .distribution(.normal(mean: 10, sd: 5)), observation: daily ? .dailyMean : .once)],
                      experiment: ExperimentSpec(variants: [("control", 0.5), ("treatment", 0.5)], assignment: .ideal),
                      analyses: [AnalysisSpec(id: "w", metric: "m", method: .welchT)])
        s.components = [MetricComponent(metric: "m", component: Seasonality(weekly: [1, 1, 1, 1, 1, 1.2, 1.2], arm: 1,
                                                                             weekdayEffect: 0.1, weekendEffect: 0.8))]
        return s
    }

    @Test func shiftsByDay() {
        let c = Self.component
        // Day 12 is weekday 5 (a Saturday): 1.2·(1 + 0.12) − 1, and the weekend effect.
        #expect(abs(c.baselineShift(calendarDay: 12.7) - (1.2 * 1.12 - 1)) < 1e-12)
        #expect(c.effect(calendarDay: 12.7) == 0.8)
        #expect(abs(c.baselineShift(calendarDay: 3.2) - (1.03 - 1)) < 1e-12)
        #expect(c.effect(calendarDay: 3.2) == 0.1)
        var s = MeanShift()
        var u = UnitContext(arm: 0)
        u.calendarDay = 5
        c.addShift(for: u, to: &s)
        #expect(s.absolute == 0)   // the control gets the baseline only
        u.arm = 1
        var t = MeanShift()
        c.addShift(for: u, to: &t)
        #expect(t.absolute == 0.8 && abs(t.relative - (1.2 * 1.05 - 1)) < 1e-12)
    }

    /// Once-observed metric: a look's truth is the traffic-weighted effect of the days it saw;
    /// the whole-week truth is (5·0.1 + 2·1.5·0.8)/8 = 0.3625 for any duration.
    @Test func truthOverCalendarDays() throws {
        for (days, seen) in [(5, 0.1), (7, 0.3625), (10, (8 * 0.1 + 3 * 0.8) / 11), (14, 0.3625)] {
            let c = try CellPlan(study: Self.study(days: days), scenarioID: "s", cellIndex: 0).analyses[0].comparisons[0]
            #expect(abs((c.truth ?? 0) - seen) < 1e-3, "days \(days): \(c.truth ?? .nan)")   // units arrive within days: ±1/8000 at boundaries
            #expect(abs((c.longRunTruth ?? 0) - 0.3625) < 1e-12, "days \(days)")
        }
    }

    /// A daily metric weighs every day equally: whole-week truth (5·0.1 + 2·0.8)/7 = 0.3.
    @Test func dailyMetricWholeWeek() throws {
        let c = try CellPlan(study: Self.study(days: 14, daily: true), scenarioID: "s", cellIndex: 0).analyses[0].comparisons[0]
        #expect(abs((c.longRunTruth ?? 0) - 0.3) < 1e-12)
    }

    /// One replication of 100 000 units over 5 weekdays: the Welch estimate is within 4 SE (0.13) of 0.1, far from the whole-week 0.3625.
    @Test func engineDrawsByArrivalDay() throws {
        var s = Self.study(days: 5)
        s.population.units = 100_000
        let plan = try CellPlan(study: s, scenarioID: "s", cellIndex: 0)
        let engine = ReplicationEngine(plan: plan)
        let record = try engine.runOne(replication: 0, table: ColumnTable())
        let o = record.comparisons[0]
        #expect(abs(o.estimate - 0.1) <= 4 * o.standardError, "\(o.estimate) ± \(o.standardError)")
    }

    @Test func scenarioEntryIsChecked() throws {
        let study = Self.study(days: 14)
        func message(_ p: [String: ComponentValue]) -> String {
            do { _ = try StageRegistry.shared.makeComponent(ComponentConfig(kind: "seasonality", keyPath: "components[0]", parameters: p), study: study); return "" }
            catch { return error.description }
        }
        #expect(message(["metric": .string("m")]) == "")
        #expect(message(["metric": .string("m"), "weekly": .list([.number(1)])]).contains("components[0].weekly"))
        #expect(message(["metric": .string("m"), "weekly": .list(Array(repeating: .number(1), count: 6) + [.number(-1)])]).contains("components[0].weekly[6]"))
        #expect(message(["metric": .string("m"), "trend_per_day": .number(-0.1)]).contains("components[0].trend_per_day"))
        #expect(message(["metric": .string("m"), "weekend": .list([.number(7)])]).contains("components[0].weekend[0]"))
        #expect(message(["metric": .string("m"), "weekday_effect": .number(1), "variant": .string("control")]).contains("components[0].variant"))
        #expect(message(["metric": .string("m"), "extra": .number(1)]).contains("components[0].extra"))
    }
}
