import Assignment
import Distributions

/// The population of `population:` in a scenario: arrivals at the quantiles of the arrival
/// distribution, categorical segments and targeting attributes, the latent factor of
/// correlated metrics, and (when asked) clusters, regions and bot flags. Every column is drawn
/// from its own named stream (`population/segment/<name>`, `population/attribute/<name>`,
/// `population/latent`, `population/cluster`, `population/region`, `population/bot`), unit by
/// unit in arrival order, so adding a column never moves another column's draws.
public struct StandardPopulation: PopulationModel {
    public var kind: String { "standard" }
    let segmentSamplers: [Categorical]
    let attributeSamplers: [Categorical]

    public init(_ spec: PopulationSpec) throws(SimulationError) {
        do {
            segmentSamplers = try spec.segments.map { try Categorical(weights: $0.shares) }
        } catch {
            throw SimulationError("population.segments: \(error)")
        }
        do {
            attributeSamplers = try spec.attributes.map { try Categorical(weights: $0.shares) }
        } catch {
            throw SimulationError("population.attributes: \(error)")
        }
    }

    /// A stochastic block model over the clusters (stream `population/graph`): each unit gets
    /// k_in = round(w·d) neighbours drawn uniformly (with replacement) from the other members of
    /// its cluster and d − k_in from the units of other clusters. A unit alone in its cluster
    /// draws all d from outside.
    func fillGraph(_ table: ColumnTable, degree d: Int, withinShare w: Double, clusters: Int, context: ReplicationContext) {
        let n = table.count, col = table.cluster
        var members = [[Int32]](repeating: [], count: clusters)
        for i in 0..<n { members[Int(col[i])].append(Int32(i)) }
        let s = context.stream(StreamPurpose("population/graph"))
        let inside = Int((w * Double(d)).rounded())
        var out = [Int32](repeating: 0, count: n * d)
        for i in 0..<n {
            let own = members[Int(col[i])]
            var k = 0
            if own.count > 1 {
                while k < inside {
                    let j = own[Int(s.uniformInt(below: UInt64(own.count)))]
                    if Int(j) != i { out[i * d + k] = j; k += 1 }
                }
            }
            while k < d {
                let j = Int(s.uniformInt(below: UInt64(n)))
                if col[j] != col[i] || own.count == n { out[i * d + k] = Int32(j); k += 1 }
            }
        }
        table.setGraph(degree: d, neighbours: out)
    }

    public func fill(_ table: ColumnTable, context: ReplicationContext) throws(SimulationError) {
        let plan = context.plan
        let n = table.count
        let arrival = table.arrival
        // The arrival days are the same in every replication of a cell: copied once per table
        // and plan (nothing else writes the column).
        if table.arrivalFilledBy !== plan {
            plan.arrivalDays.withUnsafeBufferPointer { src in
                for i in 0..<n { arrival[i] = src[i] }
            }
            table.arrivalFilledBy = plan
        }
        for (k, segment) in plan.study.population.segments.enumerated() {
            let s = context.stream(.segment(segment.attribute))
            let sampler = segmentSamplers[k]
            let col = table.segmentLevels[k]
            for i in 0..<n { col[i] = Int32(truncatingIfNeeded: sampler.sample(using: s)) }
        }
        for (k, attribute) in plan.study.population.attributes.enumerated() {
            let s = context.stream(.attribute(attribute.name))
            let sampler = attributeSamplers[k]
            let col = table.attributeLevels[k]
            for i in 0..<n { col[i] = Int32(truncatingIfNeeded: sampler.sample(using: s)) }
        }
        if !table.latent.isEmpty {
            let s = context.stream(.latent)
            let col = table.latent
            for i in 0..<n { col[i] = s.standardNormal() }
        }
        let spec = plan.study.population
        if spec.clusters > 0 {
            let s = context.stream(StreamPurpose("population/cluster")), col = table.cluster
            if spec.equalClusterSizes {
                for i in 0..<n { col[i] = Int32(truncatingIfNeeded: i % spec.clusters) }
            } else {
                for i in 0..<n { col[i] = Int32(truncatingIfNeeded: s.uniformInt(below: UInt64(spec.clusters))) }
            }
            table.hasClusters = true
            if let g = spec.graph { fillGraph(table, degree: g.degree, withinShare: g.withinShare, clusters: spec.clusters, context: context) }
        }
        if spec.regions > 0 {
            let s = context.stream(StreamPurpose("population/region")), col = table.region
            for i in 0..<n { col[i] = Int32(truncatingIfNeeded: s.uniformInt(below: UInt64(spec.regions))) }
            table.hasRegions = true
        }
        if spec.botShare > 0 {
            let s = context.stream(StreamPurpose("population/bot")), col = table.isBot
            for i in 0..<n { col[i] = s.uniform() < spec.botShare ? 1 : 0 }
            table.hasBots = true
        }
    }
}
