import Foundation

/// Seasonality and calendar drift (`components: [{kind: seasonality, metric: m, weekly: [7
/// multipliers], trend_per_day: g, variant: treatment, weekday_effect: a, weekend_effect: b,
/// weekend: [5, 6], scale: absolute|relative}]`).
///
/// Day d (whole days since the start; day 0 is the first day of the weekly cycle, call it a
/// Monday) has weekday w = d mod 7. The metric's mean on day d is
///
///     μ_d = μ · weekly[w] · (1 + g·d)
///
/// (a relative shift weekly[w]·(1 + g·d) − 1 for every arm), and the variant's effect on day d
/// is `weekend_effect` when w is in `weekend`, else `weekday_effect`, added to the mean
/// (absolute) or to the relative shift (relative). Shifts of all components add, so a relative
/// effect here is relative to the unseasoned mean.
///
/// A metric observed once takes the day of the unit's arrival; a daily metric takes each day's.
/// Day-of-week traffic is the population's `arrivals: {daily: […]}` profile.
///
/// Truth: a look's truth averages the shifts over the calendar days of the units it saw; the
/// **whole-week effect** (`bias_long_run`) averages them over ⌈days/7⌉ whole weeks, each day
/// weighted by its traffic (metric observed once) or equally (daily metric). Stopping mid-week
/// over-weights some weekdays, which biases the estimate of the whole-week effect.
public struct Seasonality: OutcomeComponent {
    public var kind: String { "seasonality" }
    public var estimand: String {
        arm == nil ? "seasonal baseline (no effect)" : "effect by day of week (weekday \(weekdayEffect), weekend \(weekendEffect)), averaged over the days seen"
    }
    public var dependsOnCalendarDay: Bool { true }
    public let weekly: [Double]
    public let trendPerDay: Double
    /// The arm with a day-of-week effect (nil: baseline only).
    public let arm: Int?
    public let weekdayEffect: Double
    public let weekendEffect: Double
    public let weekend: Set<Int>
    public let relative: Bool

    public init(weekly: [Double], trendPerDay: Double = 0, arm: Int? = nil, weekdayEffect: Double = 0, weekendEffect: Double = 0,
                weekend: Set<Int> = [5, 6], relative: Bool = false) {
        self.weekly = weekly
        self.trendPerDay = trendPerDay
        self.arm = arm
        self.weekdayEffect = weekdayEffect
        self.weekendEffect = weekendEffect
        self.weekend = weekend
        self.relative = relative
    }

    /// The whole day and weekday of a calendar time.
    @inline(__always)
    static func day(_ t: Double) -> (day: Int, weekday: Int) {
        let d = max(0, Int(t.rounded(.down)))
        return (d, d % 7)
    }

    /// The relative baseline shift on calendar day t: weekly[w]·(1 + g·d) − 1.
    public func baselineShift(calendarDay t: Double) -> Double {
        let (d, w) = Seasonality.day(t)
        return weekly[w] * (1 + trendPerDay * Double(d)) - 1
    }

    /// The variant's effect on calendar day t.
    public func effect(calendarDay t: Double) -> Double {
        weekend.contains(Seasonality.day(t).weekday) ? weekendEffect : weekdayEffect
    }

    public func addShift(for unit: UnitContext, to shift: inout MeanShift) {
        shift.relative += baselineShift(calendarDay: unit.calendarDay)
        guard let arm, unit.arm == arm else { return }
        if relative { shift.relative += effect(calendarDay: unit.calendarDay) } else { shift.absolute += effect(calendarDay: unit.calendarDay) }
    }

    public func constantShift(forArm a: Int) -> MeanShift? { nil }

    /// Builds the component: `metric`; `weekly` (7 positive multipliers, default all 1);
    /// `trend_per_day` (default 0, with 1 + g·d > 0 over the experiment); optional `variant`
    /// with `weekday_effect` and `weekend_effect` (default 0); `weekend` (weekday indices 0–6,
    /// default [5, 6]); `scale` (`absolute` default, or `relative`).
    public static func make(_ c: ComponentConfig, _ study: Study) throws(SimulationError) -> MetricComponent {
        try c.checkKeys(["metric", "weekly", "trend_per_day", "variant", "weekday_effect", "weekend_effect", "weekend", "scale"])
        let metric = try c.string("metric")
        var weekly = [Double](repeating: 1, count: 7)
        if let v = c.parameters["weekly"] {
            guard case let .list(items) = v, items.count == 7 else {
                throw SimulationError(keyPath: "\(c.keyPath).weekly", "expected a list of 7 multipliers (day 0 first)")
            }
            for (k, item) in items.enumerated() {
                guard case let .number(x) = item, x.isFinite, x > 0 else {
                    throw SimulationError(keyPath: "\(c.keyPath).weekly[\(k)]", "expected a positive number")
                }
                weekly[k] = x
            }
        }
        let trend = try c.number("trend_per_day", default: 0)
        let lastDay = Double(max(study.population.days - 1, 0))
        guard 1 + trend * lastDay > 0 else {
            throw SimulationError(keyPath: "\(c.keyPath).trend_per_day", "1 + trend_per_day·day must stay positive over the \(study.population.days) days")
        }
        var arm: Int? = nil
        if c.parameters["variant"] != nil || c.parameters["weekday_effect"] != nil || c.parameters["weekend_effect"] != nil {
            let fallback = study.experiment.variants.count > 1 ? study.experiment.variants[1].name : ""
            let a = try c.arm("variant", in: study, default: fallback)
            guard a > 0 else { throw SimulationError(keyPath: "\(c.keyPath).variant", "the control cannot have an effect") }
            arm = a
        }
        var weekend: Set<Int> = [5, 6]
        if let v = c.parameters["weekend"] {
            guard case let .list(items) = v else { throw SimulationError(keyPath: "\(c.keyPath).weekend", "expected a list of weekday indices 0–6") }
            weekend = []
            for (k, item) in items.enumerated() {
                guard case let .number(x) = item, x == x.rounded(), (0...6).contains(x) else {
                    throw SimulationError(keyPath: "\(c.keyPath).weekend[\(k)]", "expected a weekday index 0–6 (0 = day 0 of the cycle)")
                }
                weekend.insert(Int(x))
            }
        }
        let scale = try c.string("scale", default: "absolute")
        guard scale == "absolute" || scale == "relative" else {
            throw SimulationError(keyPath: "\(c.keyPath).scale", "expected absolute or relative, got \"\(scale)\"")
        }
        return MetricComponent(metric: metric, component: Seasonality(
            weekly: weekly, trendPerDay: trend, arm: arm, weekdayEffect: try c.number("weekday_effect", default: 0),
            weekendEffect: try c.number("weekend_effect", default: 0), weekend: weekend, relative: scale == "relative"))
    }
}
