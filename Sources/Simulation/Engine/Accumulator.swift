import Analysis
/// The cumulative statistics of one replication at each look: what the analyses see.
public struct LookStatistics: Equatable {
    public let looks: Int
    public let arms: Int
    public let metrics: Int
    /// Sums per (look, arm, metric): `sums[(look * arms + arm) * metrics + metric]`
    /// (one slot per (look, arm) when the study has no metrics).
    public var sums: [MomentStatistic]
    /// Logged units per (look, arm): `counts[look * arms + arm]`.
    public var counts: [Int]
    /// When the design analyses groups (clusters, region × windows): per look, the statistics
    /// of each group (`groups[look][group * metrics + metric]`) and each group's logged arm
    /// (`groupArms[look][group]`: −1 while empty, −2 when its units were logged in several arms).
    public var groups: [[MomentStatistic]] = []
    public var groupArms: [[Int32]] = []
    /// The statistics of the analyses that read unit-level values, by analysis id.
    public var unitLevel: [String: UnitLevelStatistics] = [:]
    /// Adaptive designs: the statistics of each period (`periodSums[(period * arms + arm) *
    /// metrics + metric]`, not cumulative), the allocation weights in force in each period, and
    /// the period that ends with each look.
    public var periodSums: [MomentStatistic] = []
    public var allocation: [[Double]] = []
    public var lookPeriods: [Int] = []
    /// Daily metrics with a novelty check: per look, the unit-day statistics by day since
    /// exposure (`ageSums[look][(age * arms + arm) * metrics + metric]`).
    public var ageSums: [[MomentStatistic]] = []
    /// Metrics whose truth is random per replication (``OutcomeComponent/truthPerReplication``):
    /// per metric index, this replication's true arm means at each look.
    public var replicationArmMeans: [Int: [[Double]]] = [:]
    /// A launch programme's features in this replication (``LaunchProgramme``), for `summed_lifts`.
    public var launches: [LaunchRecord] = []
    /// External analyses: the engine's outcome per (comparison, look), by analysis id
    /// (`external[id][comparison * looks + look]`).
    public var external: [String: [ComparisonOutcome]] = [:]

    /// The sums of `metric` in `arm` at `look`.
    public func sums(look: Int, arm: Int, metric: Int) -> MomentStatistic { sums[(look * arms + arm) * metrics + metric] }
}

/// Sufficient statistics keyed by (period, arm, metric), filled in unit order within a period;
/// the looks are prefix sums over the periods, so K looks cost one pass over the units.
public struct Accumulator {
    public let periods: Int
    public let arms: Int
    public let metrics: Int
    var sums: [MomentStatistic]
    var counts: [Int]
    /// Daily metrics: the statistics of each look, taken over the units' days up to it
    /// (`snapshots[(look * arms + arm) * metrics + metric]`); they replace the prefix sums.
    var snapshots: [MomentStatistic]
    let dailyMetrics: [Int]

    /// Running unit-day sums by day since exposure (when a novelty check needs them), with
    /// their snapshots at each look.
    var ageSums: [MomentStatistic] = []
    var ageLooks: [[MomentStatistic]] = []

    /// Running per-group sums (once-metrics), snapshotted at each look into `groupLooks`.
    var groupSums: [MomentStatistic] = []
    var groupArm: [Int32] = []
    var groupLooks: [[MomentStatistic]] = []
    var groupArmLooks: [[Int32]] = []

    /// Adds a logged unit to its group's running sums.
    mutating func addToGroup(_ g: Int, arm: Int32, values: (Int) -> (Double, Double)) {
        let width = max(metrics, 1)
        if g >= groupArm.count {
            groupArm += [Int32](repeating: -1, count: g + 1 - groupArm.count)
            groupSums += [MomentStatistic](repeating: MomentStatistic(), count: (g + 1) * width - groupSums.count)
        }
        groupArm[g] = groupArm[g] == -1 || groupArm[g] == arm ? arm : -2
        for m in 0..<metrics {
            let (y, x) = values(m)
            groupSums[g * width + m].add(y, covariate: x)
        }
    }

    /// Records the groups' statistics at a look.
    mutating func snapshotGroups() {
        groupLooks.append(groupSums)
        groupArmLooks.append(groupArm)
    }

    public init(periods: Int, arms: Int, metrics: Int, looks: Int = 0, dailyMetrics: [Int] = []) {
        self.periods = periods
        self.arms = arms
        self.metrics = metrics
        sums = [MomentStatistic](repeating: MomentStatistic(), count: periods * arms * max(metrics, 1))
        counts = [Int](repeating: 0, count: periods * arms)
        self.dailyMetrics = dailyMetrics
        snapshots = dailyMetrics.isEmpty ? [] : [MomentStatistic](repeating: MomentStatistic(), count: looks * arms * max(metrics, 1))
    }

    /// The statistics of one period (for a design's `periodEnded`).
    public func period(_ p: Int) -> PeriodStatistics {
        let width = arms * max(metrics, 1)
        return PeriodStatistics(counts: Array(counts[(p * arms)..<((p + 1) * arms)]),
                                sums: Array(sums[(p * width)..<((p + 1) * width)]), metrics: metrics)
    }

    /// Cumulative statistics at the periods that end with a look, in look order: period sums
    /// are added in period order (the same floating-point sums for any thread or shard count).
    public func looks(_ schedule: [Period]) -> LookStatistics {
        looks(lookPeriods: schedule.filter { $0.look != nil }.map(\.index))
    }

    /// ``looks(_:)`` with the indices of the periods that end with a look given (in look order).
    func looks(lookPeriods: [Int]) -> LookStatistics {
        let width = arms * max(metrics, 1)
        var s = sums, c = counts
        for p in 1..<max(periods, 1) {
            for j in 0..<width { s[p * width + j] = s[(p - 1) * width + j] + s[p * width + j] }
            for a in 0..<arms { c[p * arms + a] += c[(p - 1) * arms + a] }
        }
        var out: LookStatistics
        if lookPeriods.count == periods {
            out = LookStatistics(looks: periods, arms: arms, metrics: max(metrics, 1), sums: s, counts: c)
        } else {
            var ls: [MomentStatistic] = [], lc: [Int] = []
            for p in lookPeriods {
                ls += s[(p * width)..<((p + 1) * width)]
                lc += c[(p * arms)..<((p + 1) * arms)]
            }
            out = LookStatistics(looks: lookPeriods.count, arms: arms, metrics: max(metrics, 1), sums: ls, counts: lc)
        }
        out.groups = groupLooks
        out.groupArms = groupArmLooks
        out.ageSums = ageLooks
        let perArm = max(metrics, 1)
        for k in 0..<out.looks {
            for a in 0..<arms {
                for m in dailyMetrics { out.sums[(k * arms + a) * perArm + m] = snapshots[(k * arms + a) * perArm + m] }
            }
        }
        return out
    }
}
