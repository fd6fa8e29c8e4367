import Distributions
import Foundation

/// A region's time series (`components: [{kind: region_series, metric: m, phi: 0.8, sd: 1,
/// step_hours: 1, hourly_profile: [24 values]}]`, with `population: {regions: {count: R}}`):
/// each region has its own AR(1) shock per time step of `step_hours`,
///
///     e_{r,0} ~ N(0, sd²),  e_{r,s} = φ·e_{r,s−1} + √(1 − φ²)·sd·η_{r,s},  η ~ N(0, 1),
///
/// stationary with variance sd² and lag-k correlation φ^k, drawn when the replication starts
/// (the component's own stream). A unit arriving at time t in region r has its mean shifted by
/// e_{r,⌊t/step⌋} plus the optional hourly profile value of its hour of day (additive, the same
/// in every arm).
///
/// Truth: unchanged (the shocks have mean 0 and the profile is additive, so absolute contrasts
/// are not moved). What it changes: outcomes within a region and nearby in time are correlated,
/// which a unit-level test ignores.
public struct RegionSeries: OutcomeComponent {
    public var kind: String { "region_series" }
    public var estimand: String { "region AR(1) shocks (mean 0) and an additive hourly profile" }
    public var needsStart: Bool { true }
    public let phi: Double
    public let sd: Double
    public let stepDays: Double
    public let hourlyProfile: [Double]
    let regions: Int
    let steps: Int
    /// The replication's shocks, `shocks[region * steps + step]` (empty before it starts).
    let shocks: [Double]

    public init(phi: Double, sd: Double, stepDays: Double, hourlyProfile: [Double] = [], regions: Int, days: Int, shocks: [Double] = []) {
        self.phi = phi
        self.sd = sd
        self.stepDays = stepDays
        self.hourlyProfile = hourlyProfile
        self.regions = regions
        steps = Int((Double(days) / stepDays).rounded(.up)) + 1
        self.shocks = shocks
    }

    public func started(_ context: ReplicationContext, stream: RandomStream) -> any OutcomeComponent {
        var e = [Double](repeating: 0, count: regions * steps)
        let innovation = (1 - phi * phi).squareRoot() * sd
        for r in 0..<regions {
            var x = sd * stream.standardNormal()
            e[r * steps] = x
            for s in 1..<steps {
                x = phi * x + innovation * stream.standardNormal()
                e[r * steps + s] = x
            }
        }
        return RegionSeries(phi: phi, sd: sd, stepDays: stepDays, hourlyProfile: hourlyProfile, regions: regions,
                            days: Int(((Double(steps - 1)) * stepDays).rounded()), shocks: e)
    }

    public func addShift(for unit: UnitContext, to shift: inout MeanShift) {
        if !shocks.isEmpty {
            let s = min(max(Int((unit.calendarDay / stepDays).rounded(.down)), 0), steps - 1)
            shift.absolute += shocks[min(unit.region, regions - 1) * steps + s]
        }
        if !hourlyProfile.isEmpty {
            let hour = Int(((unit.calendarDay - unit.calendarDay.rounded(.down)) * 24).rounded(.down))
            shift.absolute += hourlyProfile[min(max(hour, 0), 23)]
        }
    }

    public func constantShift(forArm arm: Int) -> MeanShift? { nil }

    /// Builds the component: `metric`, `phi` in (−1, 1), `sd` > 0, `step_hours` > 0 (default 1),
    /// `hourly_profile` (24 numbers, default none). The population needs regions.
    public static func make(_ c: ComponentConfig, _ study: Study) throws(SimulationError) -> MetricComponent {
        try c.checkKeys(["metric", "phi", "sd", "step_hours", "hourly_profile"])
        guard study.population.regions > 0 else {
            throw SimulationError(keyPath: "\(c.keyPath).kind", "a region series needs regions: give the population regions: {count: R}")
        }
        let phi = try c.number("phi", in: -0.999...0.999)
        let sd = try c.number("sd", default: 1)
        guard sd > 0 else { throw SimulationError(keyPath: "\(c.keyPath).sd", "expected a standard deviation > 0") }
        let step = try c.number("step_hours", default: 1)
        guard step > 0 else { throw SimulationError(keyPath: "\(c.keyPath).step_hours", "expected a step > 0 hours") }
        var profile: [Double] = []
        if let v = c.parameters["hourly_profile"] {
            guard case let .list(items) = v, items.count == 24 else {
                throw SimulationError(keyPath: "\(c.keyPath).hourly_profile", "expected 24 numbers (hour 0 first)")
            }
            for (k, item) in items.enumerated() {
                guard case let .number(x) = item, x.isFinite else { throw SimulationError(keyPath: "\(c.keyPath).hourly_profile[\(k)]", "expected a number") }
                profile.append(x)
            }
        }
        let steps = Double(study.population.days) * 24 / step
        guard steps <= 10_000_000 / Double(study.population.regions) else {
            throw SimulationError(keyPath: "\(c.keyPath).step_hours", "regions × steps exceeds 10 000 000: use longer steps")
        }
        return MetricComponent(metric: try c.string("metric"), component: RegionSeries(
            phi: phi, sd: sd, stepDays: step / 24, hourlyProfile: profile, regions: study.population.regions, days: study.population.days))
    }
}
