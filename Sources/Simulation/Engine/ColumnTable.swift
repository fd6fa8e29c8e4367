/// The units of one replication as columns (structure of arrays): O(units) memory, allocated
/// once per task and reused by every replication the task runs.
///
/// Unit i is the i-th to arrive. Columns are raw buffers owned by the table (valid until the
/// next ``reset(units:segments:attributes:metrics:latent:)`` or the table's end), so stage
/// loops index them without the exclusivity checks and copy-on-write tests that Swift arrays
/// stored in a class cost per element; hot loops read a column into a local once
/// (`let arm = table.arm`) and index the local.
public final class ColumnTable {
    /// Units in the replication.
    public private(set) var count = 0
    /// Arrival time, in days since the start.
    public private(set) var arrival = UnsafeMutableBufferPointer<Double>(start: nil, count: 0)
    /// The plan whose arrival days `arrival` holds (``StandardPopulation`` copies them only when
    /// another plan, or nothing, filled the column last); nil when unknown. Cleared whenever the
    /// storage is reallocated and after any other population model's fill.
    var arrivalFilledBy: CellPlan?
    /// Segment level index per unit, one column per segment attribute (population order).
    public private(set) var segmentLevels: [UnsafeMutableBufferPointer<Int32>] = []
    /// Level index per unit of each targeting attribute (`population.attributes` order).
    public private(set) var attributeLevels: [UnsafeMutableBufferPointer<Int32>] = []
    /// The unit's latent N(0, 1) factor shared by its correlated metrics (empty when unused).
    public private(set) var latent = UnsafeMutableBufferPointer<Double>(start: nil, count: 0)
    /// Cluster id (cluster designs and interference); filled by a population that has clusters.
    public private(set) var cluster = UnsafeMutableBufferPointer<Int32>(start: nil, count: 0)
    /// The neighbour graph: unit i's neighbours are `neighbours[i·degree ..< (i+1)·degree]`
    /// (filled by a population with a graph; `degree` 0 otherwise).
    public private(set) var neighbours: [Int32] = []
    public private(set) var degree = 0
    /// Region id (switchbacks); filled by a population that has regions.
    public private(set) var region = UnsafeMutableBufferPointer<Int32>(start: nil, count: 0)
    /// Bot flag (0 or 1); filled by a population or fault that has bots.
    public private(set) var isBot = UnsafeMutableBufferPointer<UInt8>(start: nil, count: 0)
    /// The arm the unit received (−1: not in the experiment). Set by the design.
    public private(set) var arm = UnsafeMutableBufferPointer<Int32>(start: nil, count: 0)
    /// The arm the analysis sees (−1: not logged). Equals `arm` unless a fault edits it.
    public private(set) var loggedArm = UnsafeMutableBufferPointer<Int32>(start: nil, count: 0)
    /// Switchbacks: the arm of the unit's region in the previous window (−1: none) and the
    /// days since the current window started; read only when `hasSwitches`.
    public private(set) var priorArm = UnsafeMutableBufferPointer<Int32>(start: nil, count: 0)
    public private(set) var sinceSwitch = UnsafeMutableBufferPointer<Double>(start: nil, count: 0)
    /// 1 when the design asks the analysis to leave the unit out (a switchback burn-in); read
    /// only when `hasExclusions`.
    public private(set) var excluded = UnsafeMutableBufferPointer<UInt8>(start: nil, count: 0)
    /// A second arm the unit is also logged in (−1: none), when a fault duplicates units
    /// across arms (broken stickiness); read only when `hasSecondArm`.
    public private(set) var secondArm = UnsafeMutableBufferPointer<Int32>(start: nil, count: 0)
    /// The day the unit's data reaches the analysis (its arrival unless a fault delays it).
    public private(set) var loggedDay = UnsafeMutableBufferPointer<Double>(start: nil, count: 0)
    /// The day of the unit's first exposure (+∞ while never exposed).
    public private(set) var firstExposure = UnsafeMutableBufferPointer<Double>(start: nil, count: 0)
    /// The analysis group (cluster or region × window) when the design analyses groups.
    public private(set) var group = UnsafeMutableBufferPointer<Int32>(start: nil, count: 0)
    /// Daily metrics: the next day to draw for the unit (−1 until its first draw).
    public private(set) var dayCursor = UnsafeMutableBufferPointer<Int32>(start: nil, count: 0)
    /// Per metric: the unit's outcome y and covariate x (pre-period value or ratio denominator);
    /// for a daily metric, the running totals over the unit's days so far.
    public private(set) var outcome: [UnsafeMutableBufferPointer<Double>] = []
    public private(set) var covariate: [UnsafeMutableBufferPointer<Double>] = []
    /// Whether a population filled `cluster`, `region`, `isBot` (stages check before reading).
    public var hasClusters = false
    public var hasRegions = false
    public var hasBots = false
    /// Whether a fault delayed some unit's data (then the accumulator places units by
    /// `loggedDay` instead of their arrival period).
    public var hasLatency = false
    /// Whether a fault logged some units in a second arm (`secondArm`); the fault that sets it
    /// writes `secondArm` for every unit it sees.
    public var hasSecondArm = false
    /// Whether the design filled `priorArm` and `sinceSwitch` (switchbacks).
    public var hasSwitches = false
    /// Whether the design flagged units in `excluded` (it writes the flag for every unit it assigns).
    public var hasExclusions = false

    public init() {}

    /// Sets the neighbour graph (a population with a graph calls this once per replication).
    public func setGraph(degree: Int, neighbours: [Int32]) {
        self.degree = degree
        self.neighbours = neighbours
    }

    deinit { release() }

    private func release() {
        func free<T>(_ b: UnsafeMutableBufferPointer<T>) { b.deallocate() }
        free(arrival); free(latent); free(cluster); free(region); free(isBot); free(arm); free(loggedArm)
        free(loggedDay); free(secondArm); free(priorArm); free(sinceSwitch); free(excluded); free(firstExposure); free(group); free(dayCursor)
        segmentLevels.forEach(free); attributeLevels.forEach(free); outcome.forEach(free); covariate.forEach(free)
    }

    /// The dimensions the storage was allocated for (nil before the first reset).
    private var shape: Shape?
    private struct Shape: Equatable {
        let units: Int, segments: Int, attributes: Int, metrics: Int, latent: Bool
    }

    /// Sizes the table for `units` units, `segments` segment columns, `attributes` attribute
    /// columns and `metrics` metrics, and resets the per-replication columns (arms, logging,
    /// exposure, flags; with `daily`, the day cursors and outcome totals that daily metrics
    /// accumulate into). Storage is reused between replications of the same shape. Without
    /// `clearingOutcomes` (the fused fast path, which reads only the population columns and
    /// keeps its own arms and sums) the assignment, exposure and outcome columns are left as
    /// they are; every path that reads them resets with it.
    public func reset(units: Int, segments: Int, attributes: Int, metrics: Int, latent usesLatent: Bool, daily: Bool = true,
                      clearingOutcomes: Bool = true) {
        let wanted = Shape(units: units, segments: segments, attributes: attributes, metrics: metrics, latent: usesLatent)
        if wanted != shape {
            release()
            func make<T>(_ n: Int, _ v: T) -> UnsafeMutableBufferPointer<T> {
                let b = UnsafeMutableBufferPointer<T>.allocate(capacity: n)
                b.initialize(repeating: v)
                return b
            }
            arrival = make(units, 0)
            arrivalFilledBy = nil
            segmentLevels = (0..<segments).map { _ in make(units, 0) }
            attributeLevels = (0..<attributes).map { _ in make(units, 0) }
            latent = make(usesLatent ? units : 0, 0)
            cluster = make(units, 0)
            region = make(units, 0)
            isBot = make(units, 0)
            arm = make(units, -1)
            loggedArm = make(units, -1)
            loggedDay = make(units, 0)
            secondArm = make(units, -1)
            priorArm = make(units, -1)
            sinceSwitch = make(units, 0)
            excluded = make(units, 0)
            firstExposure = make(units, .infinity)
            group = make(units, 0)
            dayCursor = make(units, -1)
            outcome = (0..<metrics).map { _ in make(units, 0) }
            covariate = (0..<metrics).map { _ in make(units, 0) }
            shape = wanted
        } else if clearingOutcomes {
            arm.update(repeating: -1)
            loggedArm.update(repeating: -1)
            firstExposure.update(repeating: .infinity)
            if daily {
                dayCursor.update(repeating: -1)
                for m in 0..<metrics {
                    outcome[m].update(repeating: 0)
                    covariate[m].update(repeating: 0)
                }
            }
        }
        count = units
        hasClusters = false
        hasRegions = false
        hasBots = false
        hasLatency = false
        hasSecondArm = false
        hasSwitches = false
        hasExclusions = false
        degree = 0
    }
}
