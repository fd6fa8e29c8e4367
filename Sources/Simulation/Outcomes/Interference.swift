/// Network interference (`components: [{kind: interference, metric: m, gamma: γ}]`): a unit's
/// mean moves by γ × its exposure map, the treated share of its neighbours (its graph
/// neighbours with `population.clusters.graph`, else the other members of its cluster) —
/// the linear-in-means model Y = βZ + γ·(treated share of neighbours) + ε (Eckles, Karrer &
/// Ugander 2017).
///
/// Truth: the total (global) effect β + γ — every neighbour treated against none. What it
/// changes: unit randomisation estimates β (bias −γ), cluster randomisation β + γw (bias −γ(1 − w)).
public struct Interference: OutcomeComponent {
    public var kind: String { "interference" }
    public var estimand: String { "total effect: spillover γ × treated share of neighbours, all treated vs none" }
    public let gamma: Double

    public init(gamma: Double) {
        self.gamma = gamma
    }

    public func addShift(for unit: UnitContext, to shift: inout MeanShift) { shift.absolute += gamma * unit.treatedNeighbourShare }
    public func constantShift(forArm arm: Int) -> MeanShift? { nil }

    /// Builds the component: `metric`, `gamma`. The population needs clusters.
    public static func make(_ c: ComponentConfig, _ study: Study) throws(SimulationError) -> MetricComponent {
        try c.checkKeys(["metric", "gamma"])
        guard study.population.clusters > 0 else {
            throw SimulationError(keyPath: "\(c.keyPath).kind", "interference acts through neighbours: give the population clusters: {count: C} (and optionally a graph)")
        }
        return MetricComponent(metric: try c.string("metric"), component: Interference(gamma: try c.number("gamma")))
    }
}
