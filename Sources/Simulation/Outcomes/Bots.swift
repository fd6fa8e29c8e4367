import Distributions

/// What bot traffic does to a metric (`components: [{kind: bots, metric: revenue, distribution:
/// {lognormal: {mu: 5, sigma: 1.5}}}]`, or `value: 0` for a conversion bots never make). The
/// population's `bots: {share: s}` flags a share s of the units as bots (stream
/// `population/bot`); for those units this component replaces the drawn outcome by a draw from
/// `distribution` (its own stream, `component/<metric>/bots/<n>`) or by the constant `value`:
/// extreme counts and a heavy revenue tail, no conversions.
///
/// `variant: all` (the default) makes bots arm-independent: they dilute and add variance but
/// bias nothing. `variant: treatment` makes them act only in that arm (a change that triggers a
/// crawler): bots in the other arms behave like people, and the comparison is biased.
///
/// Truth: the effect among human units (the bots' outcomes do not depend on the arm, so they
/// are not part of the estimand). Measures it moves: power (the variance), the FPR when bots are
/// arm-dependent, and the bias of filtered or winsorised analyses.
public struct Bots: OutcomeComponent {
    public var kind: String { "bots" }
    public var estimand: String { "effect among human units (bots excluded)" }
    public var drawsRandomly: Bool { true }
    /// The bots' outcome: a distribution or a constant.
    public let distribution: OutcomeDistribution?
    public let value: Double
    /// The arm in which bots act (nil: every arm).
    public let arm: Int?
    let sampler: PreparedDistribution?

    public init(distribution: OutcomeDistribution?, value: Double = 0, arm: Int? = nil) throws(DistributionError) {
        self.distribution = distribution
        self.value = value
        self.arm = arm
        sampler = try distribution.map { (d) throws(DistributionError) in try PreparedDistribution(d) }
    }

    public func addShift(for unit: UnitContext, to shift: inout MeanShift) {}
    public func constantShift(forArm arm: Int) -> MeanShift? { MeanShift() }

    public func transform(_ y: Double, _ x: Double, unit: UnitContext, stream: RandomStream) -> (y: Double, x: Double) {
        guard unit.isBot, arm == nil || arm == unit.arm else { return (y, x) }
        guard let sampler else { return (value, x) }
        return (sampler.draw(stream), x)
    }

    /// Builds the component: `metric`; exactly one of `distribution` (as a metric's) or `value`;
    /// `variant` (`all`, the default, or a variant name). The population needs `bots: {share}`.
    public static func make(_ c: ComponentConfig, _ study: Study) throws(SimulationError) -> MetricComponent {
        try c.checkKeys(["metric", "distribution", "value", "variant"])
        let metric = try c.string("metric")
        guard study.population.botShare > 0 else {
            throw SimulationError(keyPath: "\(c.keyPath).kind", "bots act on units flagged as bots: give the population bots: {share: s} with s > 0")
        }
        let hasDistribution = c.parameters["distribution"] != nil, hasValue = c.parameters["value"] != nil
        guard hasDistribution != hasValue else {
            throw SimulationError(keyPath: "\(c.keyPath).distribution", "give exactly one of distribution or value")
        }
        var arm: Int? = nil
        if try c.string("variant", default: "all") != "all" { arm = try c.arm("variant", in: study) }
        do {
            return MetricComponent(metric: metric, component: try Bots(distribution: hasDistribution ? try c.distribution("distribution") : nil,
                                                                      value: hasValue ? try c.number("value") : 0, arm: arm))
        } catch let e as SimulationError {
            throw e
        } catch {
            throw SimulationError(keyPath: "\(c.keyPath).distribution", "\(error)")
        }
    }
}
