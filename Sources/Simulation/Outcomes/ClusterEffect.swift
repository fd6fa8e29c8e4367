import Distributions

/// A cluster random effect (`components: [{kind: cluster_effect, metric: m, sd: σ_c}]`): each
/// cluster's units share a shift u_c ~ N(0, σ_c²), drawn when the replication starts (the
/// component's own stream). With unit noise σ², the intra-cluster correlation is
/// ICC = σ_c²/(σ_c² + σ²) and a cluster of m units has design effect 1 + (m − 1)·ICC.
///
/// Truth: unchanged (mean 0). What it changes: units of a cluster are correlated, which a
/// unit-level test of a cluster-randomised experiment ignores.
public struct ClusterEffect: OutcomeComponent {
    public var kind: String { "cluster_effect" }
    public var estimand: String { "cluster random effect (mean 0)" }
    public var needsStart: Bool { true }
    public let sd: Double
    let clusters: Int
    let effects: [Double]

    public init(sd: Double, clusters: Int, effects: [Double] = []) {
        self.sd = sd
        self.clusters = clusters
        self.effects = effects
    }

    public func started(_ context: ReplicationContext, stream: RandomStream) -> any OutcomeComponent {
        ClusterEffect(sd: sd, clusters: clusters, effects: (0..<clusters).map { _ in sd * stream.standardNormal() })
    }

    public func addShift(for unit: UnitContext, to shift: inout MeanShift) {
        guard !effects.isEmpty else { return }
        shift.absolute += effects[min(max(unit.cluster, 0), clusters - 1)]
    }

    public func constantShift(forArm arm: Int) -> MeanShift? { nil }

    /// Builds the component: `metric`, `sd` > 0. The population needs clusters.
    public static func make(_ c: ComponentConfig, _ study: Study) throws(SimulationError) -> MetricComponent {
        try c.checkKeys(["metric", "sd"])
        guard study.population.clusters > 0 else {
            throw SimulationError(keyPath: "\(c.keyPath).kind", "a cluster effect needs clusters: give the population clusters: {count: C}")
        }
        let sd = try c.number("sd")
        guard sd > 0 else { throw SimulationError(keyPath: "\(c.keyPath).sd", "expected a standard deviation > 0") }
        return MetricComponent(metric: try c.string("metric"), component: ClusterEffect(sd: sd, clusters: study.population.clusters))
    }
}
