import Foundation

/// Novelty or primacy (`components: [{kind: novelty, metric: m, variant: treatment,
/// initial: τ₀, long_run: τ∞, half_life_days: h, scale: absolute|relative}]`): the variant's
/// effect t days after a unit's first exposure is
///
///     τ(t) = τ∞ + (τ₀ − τ∞) · exp(−ln 2 · t / h)
///
/// (novelty when τ₀ > τ∞, primacy when τ₀ < τ∞), added to the mean (absolute) or multiplying
/// it by 1 + τ(t) (relative). With a daily metric (`observe: daily_total | daily_mean`) each
/// day's draw uses that day's t, so a look sees each unit's days up to it.
///
/// Truth: the look's truth averages τ over the days each unit was observed (computed by the
/// engine from these shifts); results also report `bias_long_run`, the bias against τ∞.
public struct Novelty: OutcomeComponent {
    public var kind: String { "novelty" }
    public var estimand: String { "novelty τ(t) = τ∞ + (τ₀ − τ∞)·2^(−t/h), averaged over the observed days" }
    public var isTimeVarying: Bool { true }
    public let arm: Int
    public let initial: Double
    public let longRun: Double
    public let halfLife: Double
    public let relative: Bool

    public init(arm: Int, initial: Double, longRun: Double, halfLife: Double, relative: Bool) {
        self.arm = arm
        self.initial = initial
        self.longRun = longRun
        self.halfLife = halfLife
        self.relative = relative
    }

    /// τ(t).
    public func effect(daysSinceExposure t: Double) -> Double {
        guard t.isFinite else { return longRun }
        return longRun + (initial - longRun) * Foundation.exp(-Foundation.log(2.0) * t / halfLife)
    }

    public func addShift(for unit: UnitContext, to shift: inout MeanShift) {
        guard unit.arm == arm else { return }
        let tau = effect(daysSinceExposure: unit.daysSinceExposure)
        if relative { shift.relative += tau } else { shift.absolute += tau }
    }

    public func constantShift(forArm a: Int) -> MeanShift? { a == arm ? nil : MeanShift() }

    /// Builds the component: `metric`, `variant` (default the second variant), `initial`,
    /// `long_run` (default 0), `half_life_days` > 0, `scale` (`absolute` default, `relative`).
    public static func make(_ c: ComponentConfig, _ study: Study) throws(SimulationError) -> MetricComponent {
        try c.checkKeys(["metric", "variant", "initial", "long_run", "half_life_days", "scale"])
        let metric = try c.string("metric")
        let fallback = study.experiment.variants.count > 1 ? study.experiment.variants[1].name : ""
        let arm = try c.arm("variant", in: study, default: fallback)
        guard arm > 0 else { throw SimulationError(keyPath: "\(c.keyPath).variant", "the control cannot have an effect") }
        let half = try c.number("half_life_days")
        guard half > 0 else { throw SimulationError(keyPath: "\(c.keyPath).half_life_days", "expected a half-life > 0 days, got \(half)") }
        let scale = try c.string("scale", default: "absolute")
        guard scale == "absolute" || scale == "relative" else {
            throw SimulationError(keyPath: "\(c.keyPath).scale", "expected absolute or relative, got \"\(scale)\"")
        }
        return MetricComponent(metric: metric, component: Novelty(arm: arm, initial: try c.number("initial"),
                                                                  longRun: try c.number("long_run", default: 0),
                                                                  halfLife: half, relative: scale == "relative"))
    }
}
