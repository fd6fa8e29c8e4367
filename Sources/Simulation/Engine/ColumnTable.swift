/// The units of one replication as columns (structure of arrays): O(units) memory, allocated
/// once per task and reused by every replication the task runs.
///
/// Unit i is the i-th to arrive. Columns a scenario does not use stay empty.
public final class ColumnTable {
    /// Units in the replication.
    public private(set) var count = 0
    /// Arrival time, in days since the start.
    public var arrival: [Double] = []
    /// Segment level index per unit, one column per segment attribute (population order).
    public var segmentLevels: [[Int32]] = []
    /// Level index per unit of each targeting attribute (`population.attributes` order).
    public var attributeLevels: [[Int32]] = []
    /// The unit's latent N(0, 1) factor shared by its correlated metrics.
    public var latent: [Double] = []
    /// Cluster id (cluster designs and interference); empty when the population has none.
    public var cluster: [Int32] = []
    /// Region id (switchbacks); empty when the population has none.
    public var region: [Int32] = []
    /// Bot flag; empty when the population has no bots.
    public var isBot: [Bool] = []
    /// The arm the unit received (−1: not in the experiment). Set by the design.
    public var arm: [Int32] = []
    /// The arm the analysis sees (−1: not logged). Equals `arm` unless a fault edits it.
    public var loggedArm: [Int32] = []
    /// The day the unit's data reaches the analysis (its arrival unless a fault delays it).
    public var loggedDay: [Double] = []
    /// The day of the unit's first exposure (+∞ while never exposed).
    public var firstExposure: [Double] = []
    /// The analysis group (cluster or region × window) when the design analyses groups.
    public var group: [Int32] = []
    /// Daily metrics: the next day to draw for the unit (−1 until its first draw).
    public var dayCursor: [Int32] = []
    /// Per metric: the unit's outcome y and covariate x (pre-period value or ratio denominator);
    /// for a daily metric, the running totals over the unit's days so far.
    public var outcome: [[Double]] = []
    public var covariate: [[Double]] = []
    /// Whether a fault delayed some unit's data (then the accumulator places units by
    /// `loggedDay` instead of their arrival period).
    public var hasLatency = false

    public init() {}

    /// Sizes the table for `units` units, `segments` segment columns, `attributes` attribute
    /// columns and `metrics` metrics, and clears the per-replication columns. Storage is
    /// kept between replications of the same size.
    public func reset(units: Int, segments: Int, attributes: Int, metrics: Int, latent usesLatent: Bool) {
        func sized<T>(_ a: inout [T], _ n: Int, _ v: T) {
            if a.count != n { a = [T](repeating: v, count: n) }
        }
        count = units
        sized(&arrival, units, 0)
        if segmentLevels.count != segments { segmentLevels = Array(repeating: [], count: segments) }
        for k in 0..<segments { sized(&segmentLevels[k], units, 0) }
        if attributeLevels.count != attributes { attributeLevels = Array(repeating: [], count: attributes) }
        for k in 0..<attributes { sized(&attributeLevels[k], units, 0) }
        sized(&latent, usesLatent ? units : 0, 0)
        cluster = []
        region = []
        isBot = []
        group = []
        sized(&arm, units, -1)
        sized(&loggedArm, units, -1)
        sized(&loggedDay, units, 0)
        sized(&firstExposure, units, .infinity)
        sized(&dayCursor, units, -1)
        for i in 0..<units { arm[i] = -1; loggedArm[i] = -1; firstExposure[i] = .infinity; dayCursor[i] = -1 }
        if outcome.count != metrics { outcome = Array(repeating: [], count: metrics); covariate = Array(repeating: [], count: metrics) }
        for m in 0..<metrics {
            sized(&outcome[m], units, 0)
            sized(&covariate[m], units, 0)
            for i in 0..<units { outcome[m][i] = 0; covariate[m][i] = 0 }
        }
        hasLatency = false
    }
}
