/// Carryover in a switchback (`components: [{kind: carryover, metric: m, variant: treatment,
/// effect: τ, hours: h}]`): for the first h hours after a region switches arm, the variant's
/// effect still follows the *previous* window's arm — a unit then gets τ if the region was on
/// `variant` in the previous window and not if it was not, whatever its current arm. Pair it with
/// the same effect in `effects:` (τ on the current arm); this component moves the first h hours
/// of each switched window to the previous arm's effect.
///
/// Truth: unchanged — the estimand is the effect of being always on the variant (no switches,
/// so no carryover). What it changes: with h > 0 and no burn-in, treated windows that follow
/// control windows lose the effect for h hours and control windows that follow treated ones
/// gain it, so with windows of L hours the difference in means is biased toward 0 by
/// τ·(h/L)·(w_C + w_T) = τ·h/L (less the regions' first windows, which follow nothing); a
/// burn-in of at least h hours removes it.
public struct Carryover: OutcomeComponent {
    public var kind: String { "carryover" }
    public var estimand: String { "carryover of the previous window's arm (no shift when never switched)" }
    public let arm: Int
    public let effect: Double
    public let days: Double

    public init(arm: Int, effect: Double, days: Double) {
        self.arm = arm
        self.effect = effect
        self.days = days
    }

    public func addShift(for unit: UnitContext, to shift: inout MeanShift) {
        guard unit.previousArm >= 0, unit.previousArm != unit.arm, unit.sinceSwitch < days else { return }
        if unit.previousArm == arm { shift.absolute += effect }
        if unit.arm == arm { shift.absolute -= effect }
    }

    public func constantShift(forArm a: Int) -> MeanShift? { nil }

    /// Builds the component: `metric`, `variant` (default the second), `effect`, `hours` ≥ 0.
    public static func make(_ c: ComponentConfig, _ study: Study) throws(SimulationError) -> MetricComponent {
        try c.checkKeys(["metric", "variant", "effect", "hours"])
        let fallback = study.experiment.variants.count > 1 ? study.experiment.variants[1].name : ""
        let arm = try c.arm("variant", in: study, default: fallback)
        guard arm > 0 else { throw SimulationError(keyPath: "\(c.keyPath).variant", "the control has no effect to carry over") }
        let hours = try c.number("hours", in: 0...1e6)
        return MetricComponent(metric: try c.string("metric"), component: Carryover(arm: arm, effect: try c.number("effect"), days: hours / 24))
    }
}
