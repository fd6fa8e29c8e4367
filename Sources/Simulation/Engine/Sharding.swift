import Foundation

/// A contiguous run of replications of one cell: part of a shard's slice.
public struct CellRange: Codable, Sendable, Equatable {
    /// The cell's index in the scenario (``CellInput/index``).
    public var cell: Int
    /// The first replication covered.
    public var lower: Int
    /// One past the last replication covered.
    public var upper: Int

    /// Replications `lower..<upper` of cell `cell`.
    public init(cell: Int, lower: Int, upper: Int) {
        self.cell = cell
        self.lower = lower
        self.upper = upper
    }

    /// The replications covered.
    public var replications: Range<Int> { lower..<upper }
}

/// Splits a scenario's (cell, replication) pairs into n deterministic slices for sharded runs.
///
/// The pairs are ordered cell by cell, replications ascending, and cut into n contiguous
/// slices of about equal estimated cost (``CellPlan/estimatedCost``), not of equal count: a
/// replication of a cell with ten times the units weighs ten times as much. The cut depends on
/// the scenario alone (its cells and replication counts), never on threads or machines, so
/// every shard of a run computes the same slices.
public enum Sharding {
    /// The ranges of slice `index` (0-based) of `count`, for cells with these replication
    /// counts and per-replication costs (in cell order). A slice may be empty when there are
    /// more slices than replications. Concatenated in slice order, the slices list every
    /// (cell, replication) pair exactly once, in order.
    public static func slice(_ index: Int, of count: Int, cells: [(index: Int, replications: Int, cost: Double)]) -> [CellRange] {
        precondition(count >= 1 && index >= 0 && index < count, "slice \(index) of \(count)")
        // Replication r of a cell starting at cumulative cost S with per-replication cost w
        // belongs to the slice holding its midpoint S + (r + ½)w.
        let weights = cells.map { $0.cost.isFinite && $0.cost > 0 ? $0.cost : 1 }
        let total = zip(cells, weights).reduce(0.0) { $0 + Double($1.0.replications) * $1.1 }
        var out: [CellRange] = []
        var start = 0.0
        for (cell, w) in zip(cells, weights) {
            let r = cell.replications
            func first(_ slice: Int) -> Int {
                if slice <= 0 { return 0 }
                if slice >= count { return r }
                // The first replication whose midpoint is at or past slice·total/count.
                let cut = Double(slice) * total / Double(count)
                var k = Int(((cut - start) / w - 0.5).rounded(.up))
                k = min(max(k, 0), r)
                // Settle rounding at the boundary with the exact midpoint test.
                while k > 0 && start + (Double(k - 1) + 0.5) * w >= cut { k -= 1 }
                while k < r && start + (Double(k) + 0.5) * w < cut { k += 1 }
                return k
            }
            let lo = first(index), hi = first(index + 1)
            if lo < hi { out.append(CellRange(cell: cell.index, lower: lo, upper: hi)) }
            start += Double(r) * w
        }
        return out
    }
}

extension CellPlan {
    /// A rough relative cost of one replication of this cell, used to balance shards: the
    /// generation work (units × (metrics + 1), times the days for daily metrics, times the
    /// periods on the staged path) plus the analysis work (looks × comparisons, 32 units of
    /// generation each: fitted to the peeking calibration's cell times, where 100 looks of 26
    /// comparisons cost 4.1 times one look at 10 000 units and 2 metrics; 64 gave its 4 shards
    /// 21–34 s against each other).
    public var estimatedCost: Double {
        let units = Double(study.population.units)
        let metrics = Double(study.metrics.count + 1)
        let days = study.metrics.contains(where: \.isDaily) ? Double(max(study.population.days, 1)) : 1
        let periodFactor = fastPathApplies ? 1 : Double(max(periods.count, 1))
        let comparisons = Double(analyses.reduce(0) { $0 + $1.comparisons.count } + (study.family?.policies.count ?? 0))
        return units * metrics * days * periodFactor + 32 * Double(max(looks.count, 1)) * max(comparisons, 1)
    }
}

extension Study {
    /// A rough upper bound of the memory a run of this cell needs, in bytes, computed from the
    /// study alone (nothing is allocated): one column table per worker thread (units × columns ×
    /// 8 bytes: the fixed columns, segments, attributes, two per metric, unit-level values when
    /// an analysis reads them), the plan's per-unit arrays, and one chunk of replication records
    /// (``SimulationRunner/streamChunk``: records are summarised as they stream).
    public func estimatedMemory(threads: Int) -> Double {
        let p = population
        let unitLevel = analyses.contains { $0.options.needsUnitLevel }
        let columns = 18 + p.segments.count + p.attributes.count + 2 * metrics.count + (unitLevel ? 2 * max(analyses.count, 1) : 0)
        let table = Double(p.units) * Double(columns) * 8
        let comparisons = analyses.count * max(experiment.variants.count - 1, 1)
        // Records are summarised as they stream (at most one chunk is held), not kept.
        let records = Double(min(replications, SimulationRunner.streamChunk)) * (Double(comparisons) * Double(MemoryLayout<ComparisonOutcome>.stride)
                                              + Double(family?.policies.count ?? 0) * 24 + 64)
        return table * Double(max(threads, 1)) + Double(p.units) * 16 + records
    }
}
