import Foundation
import Analysis
import Distributions

/// What one analysis comparison concluded in one replication.
public struct ComparisonOutcome: Sendable, Equatable, Codable {
    /// `ok`, or why the data could not be analysed (then the replication is excluded from the
    /// measures and counted as failed).
    public var status: AnalysisStatus
    public var estimate: Double
    public var standardError: Double
    public var lower: Double
    public var upper: Double
    public var pValue: Double
    public var rejected: Bool
    /// The look (1-based) at which the policy stopped (the last look if it never rejected).
    public var stopLook: Int
    /// Units in the comparison at the stopping look.
    public var sampleSize: Int
    /// The p-value at the final look (for the p-value histogram of a fixed-horizon analysis).
    public var finalPValue: Double
    /// CUPED only: the variance reduction achieved at the stopping look.
    public var varianceReduction: Double
    /// The method's test statistic (z or t) at the stopping look.
    public var statistic: Double = 0
    /// Bayesian stop only: the chance to beat control at the stopping look.
    public var chanceToBeat: Double? = nil
    /// Bot filtering: the share of the considered units the activity rule removed at the stopping look.
    public var excludedShare: Double = 0
    /// The true value of this replication when it is random per replication (a launch
    /// programme's shipped features); nil when the cell's planned truth applies.
    public var replicationTruth: Double? = nil
    /// External engines: what went wrong when the status is an engine failure (timeout, crash,
    /// malformed answer, the engine's own error message).
    public var message: String? = nil
    /// Regret analyses of an adaptive design: the weight the allocator gave the best arm in each
    /// update period up to the look (period 0 first); nil for every other analysis.
    public var bestArmWeights: [Double]? = nil

    /// The outcome of a method whose result carries optional fields: `ok` with them when the
    /// status is `ok` and the estimate, SE and p-value exist (the statistic defaults to
    /// estimate/SE, a missing bound to ∓∞); otherwise failed with the status (`invalid_statistics`
    /// when an `ok` result lacks a field).
    static func from(status: AnalysisStatus, estimate: Double?, standardError: Double?, lower: Double?, upper: Double?,
                     statistic: Double?, pValue: Double?, significant: Bool, look: Int, n: Int) -> ComparisonOutcome {
        guard status == .ok, let estimate, let standardError, let pValue else {
            return .failed(status == .ok ? .invalidStatistics : status, look: look, n: n)
        }
        var o = ComparisonOutcome(status: .ok, estimate: estimate, standardError: standardError, lower: lower ?? -.infinity,
                                  upper: upper ?? .infinity, pValue: pValue, rejected: significant, stopLook: look, sampleSize: n,
                                  finalPValue: pValue, varianceReduction: 0)
        o.statistic = statistic ?? estimate / standardError
        return o
    }

    static func failed(_ s: AnalysisStatus, look: Int, n: Int) -> ComparisonOutcome {
        ComparisonOutcome(status: s, estimate: 0, standardError: 0, lower: 0, upper: 0, pValue: 1, rejected: false,
                          stopLook: look, sampleSize: n, finalPValue: 1, varianceReduction: 0)
    }
}

/// Everything one replication produced: one outcome per (analysis, comparison), and one per
/// multiple-testing policy when the study is a family.
public struct ReplicationRecord: Sendable, Codable {
    public var comparisons: [ComparisonOutcome]
    var family: [FamilyOutcome]

    /// One row per (analysis, comparison), in study order.
    public func rows(plan: CellPlan, replication r: Int) -> [ReplicationRow] {
        var out: [ReplicationRow] = []
        var j = 0
        for a in plan.analyses {
            for c in a.comparisons {
                out.append(ReplicationRow(cell: plan.cellIndex, replication: r, analysis: a.spec.id, comparison: c.label, outcome: comparisons[j]))
                j += 1
            }
        }
        return out
    }
}

/// One comparison's outcome in one replication of one cell (`records.csv`, `replay`).
public struct ReplicationRow: Sendable, Equatable {
    public let cell: Int
    public let replication: Int
    public let analysis: String
    public let comparison: String
    public let outcome: ComparisonOutcome
}

/// Runs replications of one cell: Generate → Assign → Expose/observe → Analyse.
///
/// Two paths give the same bytes for a static design (a test pins this on every shipped gate
/// scenario): the **staged** path (``observeStaged(_:table:)``) runs the stages period by
/// period over the column table; the **fast** path (``observeFast(_:table:)``) fuses
/// assignment, outcome draws and sums into one pass for a static fixed split without faults.
public struct ReplicationEngine: Sendable {
    public let plan: CellPlan
    public let path: Path

    /// Which path runs a replication.
    public enum Path: String, Sendable {
        /// The fast path when it applies (``CellPlan/fastPathApplies``), else the staged one.
        case automatic
        /// Always the staged path.
        case staged
    }

    public init(plan: CellPlan, path: Path = .automatic) {
        self.plan = plan
        self.path = path
        usesFastPath = path == .automatic && plan.fastPathApplies
        hashedTemplate = usesFastPath && plan.study.experiment.assignment == .hashed ? try? HashedAssigner.validated(plan.study) : nil
    }

    /// Whether replications of this engine take the fused fast path (decided once: it
    /// inspects the whole plan).
    public let usesFastPath: Bool
    /// The fast path's validated experiment and bucket → arm table, when it hashes.
    let hashedTemplate: HashedAssigner.Template?

    /// Runs replication r on `table` (reused across replications of a task) and returns one
    /// outcome per (analysis, comparison), analyses in study order.
    public func runOne(replication r: Int, table: ColumnTable) throws -> ReplicationRecord {
        guard plan.hasExternalAnalysis else { return try analyse(try observe(replication: r, table: table)) }
        let pool = ExternalEnginePool()
        defer { pool.shutdown() }
        return try runBlock(r..<(r + 1), table: table, engines: pool)[0]
    }

    /// Runs replications `replications` on `table`, in order. With external analyses, the
    /// block's looks are observed first and sent to each engine as one batch (from `engines`).
    /// An engine that asks for unit values (protocol 2) makes the block take the staged path
    /// and keep its analyses' values (``UnitLevelStatistics/values``).
    public func runBlock(_ replications: Range<Int>, table: ColumnTable, engines: ExternalEnginePool?) throws -> [ReplicationRecord] {
        guard plan.hasExternalAnalysis else { return try replications.map { try analyse(try observe(replication: $0, table: table)) } }
        guard let engines else { throw SimulationError("an external analysis needs an engine pool") }
        let keep = try ExternalAnalysis.analysesNeedingUnitValues(plan: plan, pool: engines)
        var stats = try replications.map { try observe(replication: $0, table: table, keepingValuesOf: keep) }
        try ExternalAnalysis.attach(plan: plan, stats: &stats, replications: replications, pool: engines)
        return try stats.map { try analyse($0) }
    }

    /// Generates, assigns and observes replication r: the cumulative statistics at each look.
    public func observe(replication r: Int, table: ColumnTable) throws -> LookStatistics {
        try observe(replication: r, table: table, keepingValuesOf: [])
    }

    /// ``observe(replication:table:)``, keeping the unit-level values of the analyses in
    /// `keep` (their external engine asked for them; then the staged path runs).
    func observe(replication r: Int, table: ColumnTable, keepingValuesOf keep: Set<String>) throws -> LookStatistics {
        let context = ReplicationContext(plan: plan, replication: r)
        let fast = usesFastPath && keep.isEmpty
        let shape = plan.tableShape
        // The fast path never reads the assignment and outcome columns, so it skips clearing them.
        table.reset(units: shape.units, segments: shape.segments, attributes: shape.attributes, metrics: shape.metrics,
                    latent: shape.latent, daily: shape.daily, clearingOutcomes: !fast)
        try plan.population.fill(table, context: context)
        // Only the standard population vouches for the arrival column it leaves behind.
        if !(plan.population is StandardPopulation) { table.arrivalFilledBy = nil }
        if fast { return try observeFast(context, table: table) }
        var stats = try observeStaged(context, table: table)
        if plan.needsUnitLevel || !keep.isEmpty { stats.unitLevel = try unitLevelStatistics(table: table, keepingValuesOf: keep) }
        return stats
    }

    /// Analyses the looks of one replication.
    public func analyse(_ stats: LookStatistics) throws(AnalysisError) -> ReplicationRecord {
        var out: [ComparisonOutcome] = []
        var srmFlagged: [String: Bool] = [:]
        for a in plan.analyses {
            for c in a.comparisons {
                var o = try analyse(a, c, stats: stats)
                if o.status == .ok, let mi = a.metricIndex, let means = stats.replicationArmMeans[mi], o.stopLook >= 1, o.stopLook <= means.count {
                    o.replicationTruth = c.truth(armMeans: means[o.stopLook - 1], estimand: a.spec.estimand)
                }
                out.append(o)
            }
            if a.spec.method.isSampleRatioCheck, let last = out.last { srmFlagged[a.spec.id] = last.status == .ok && last.rejected }
        }
        // An SRM guard: a guarded analysis does not ship when its check flagged.
        var j = 0
        for a in plan.analyses {
            for _ in a.comparisons {
                if let g = a.spec.options.guardBy, srmFlagged[g] == true { out[j].rejected = false }
                j += 1
            }
        }
        var family: [FamilyOutcome] = []
        if let f = plan.study.family {
            // Welch's t-test of every metric × treatment at the last look, metric-major.
            let k = stats.looks - 1
            var pValues: [Double] = [], isNull: [Bool] = []
            for m in 0..<stats.metrics {
                for t in 1..<stats.arms {
                    let r = try ExperimentAnalysis.compare(control: stats.sums(look: k, arm: 0, metric: m), treatment: stats.sums(look: k, arm: t, metric: m),
                                                           method: .welchT, scale: .absolute, alpha: f.alpha, alternative: .twoSided).result
                    pValues.append(r.status == .ok ? (r.pValue ?? 1) : 1)
                    isNull.append(m >= f.affected)
                }
            }
            family = try f.outcomes(pValues: pValues, isNull: isNull, treatments: stats.arms - 1)
        }
        return ReplicationRecord(comparisons: out, family: family)
    }

    /// One comparison through its analysis's sequential monitor (the Analysis module's
    /// ``SequentialMonitor`` for the policy): the method's result at each active look is
    /// observed in turn, until the monitor stops. A look whose data cannot be analysed gives
    /// no decision (and is the outcome when it is the last).
    func analyse(_ a: PlannedAnalysis, _ c: PlannedComparison, stats: LookStatistics) throws(AnalysisError) -> ComparisonOutcome {
        var monitor = a.monitoring.monitor
        var last = ComparisonOutcome.failed(.emptyArm, look: plan.looks.count, n: 0)
        for (j, k) in a.activeLooks.enumerated() {
            var o = try analyseAt(look: k, a, c, stats: stats)
            let isLast = j == a.activeLooks.count - 1
            guard o.status == .ok else {
                if isLast { last = o }
                continue
            }
            let v = monitor.observe(LookObservation(look: j, estimate: o.estimate, standardError: o.standardError,
                                                    statistic: o.statistic, lower: o.lower, upper: o.upper, pValue: o.pValue,
                                                    isSignificant: o.rejected, sampleSize: o.sampleSize, chanceToBeat: o.chanceToBeat))
            o.rejected = v.rejected
            o.pValue = v.pValue
            o.lower = v.lower
            o.upper = v.upper
            last = o
            if v.stops {
                o.finalPValue = o.pValue
                return o
            }
        }
        last.finalPValue = last.pValue
        return last
    }

    /// The analysis method at look k, through the Analysis module's experiment-analysis entry
    /// point (the one `splitbench analyze` calls): SRM on the logged counts, a two-group
    /// comparison, or a linear contrast of group means.
    func analyseAt(look k: Int, _ a: PlannedAnalysis, _ c: PlannedComparison, stats: LookStatistics) throws(AnalysisError) -> ComparisonOutcome {
        let spec = a.spec
        let arms = stats.arms
        if spec.method.isSampleRatioCheck {
            let observed = (0..<arms).map { stats.counts[k * arms + $0] }
            let n = observed.reduce(0, +)
            if spec.method == .srmPeriods {
                // Period-aware: each period's logged counts against its logged weights.
                guard k < stats.lookPeriods.count else { return .failed(.invalidStatistics, look: k + 1, n: n) }
                let width = stats.metrics
                let periods = (0...stats.lookPeriods[k]).compactMap { p -> (count: [Int], weights: [Double])? in
                    guard p < stats.allocation.count else { return nil }
                    return ((0..<arms).map { stats.periodSums[(p * arms + $0) * width].n }, stats.allocation[p])
                }
                let r = try AdaptiveEstimation.srm(periods: periods, threshold: spec.alpha)
                guard r.status == .ok, let p = r.pValue, let chi2 = r.chiSquare else { return .failed(r.status, look: k + 1, n: n) }
                return ComparisonOutcome(status: .ok, estimate: chi2, standardError: 0, lower: 0, upper: 0, pValue: p,
                                         rejected: r.flagged, stopLook: k + 1, sampleSize: n, finalPValue: p, varianceReduction: 0)
            }
            let weights = plan.design.expectedArmShares(unitsArrived: plan.looks[k].units, plan: plan) ?? plan.armWeights
            if spec.method == .srmSequential {
                // p = min(1, 1/BF) at this look; the naive policy's first p < α is the running
                // minimum of the anytime-valid p-values, so monitoring every look stays valid.
                let r = try SequentialSRM.test(observed: observed, weights: weights, threshold: spec.alpha)
                guard r.status == .ok, let p = r.pValue, let logBF = r.logBayesFactor else { return .failed(r.status, look: k + 1, n: n) }
                return ComparisonOutcome(status: .ok, estimate: logBF, standardError: 0, lower: 0, upper: 0, pValue: p,
                                         rejected: r.flagged, stopLook: k + 1, sampleSize: n, finalPValue: p, varianceReduction: 0)
            }
            let r = try SampleRatioMismatch.test(observed: observed, weights: weights, threshold: spec.alpha,
                                                 minimumShareDeviation: spec.options.minimumShareDeviation)
            guard r.status == .ok, let p = r.pValue, let chi2 = r.chiSquare else { return .failed(r.status, look: k + 1, n: n) }
            return ComparisonOutcome(status: .ok, estimate: chi2, standardError: 0, lower: 0, upper: 0, pValue: p,
                                     rejected: r.flagged, stopLook: k + 1, sampleSize: n, finalPValue: p, varianceReduction: 0)
        }
        if spec.method == .external {
            // Answered by the external engine for the whole block (``ExternalAnalysis``).
            let ci = a.comparisons.firstIndex { $0.label == c.label } ?? 0
            return stats.external[spec.id]?[ci * plan.looks.count + k] ?? .failed(.engineError, look: k + 1, n: 0)
        }
        if spec.method == .noveltyTrend { return try noveltyTrend(look: k, a, c, stats: stats) }
        if spec.method.analysesGroups { return try groupMethod(look: k, a, c, stats: stats) }
        if spec.method == .ipw || spec.method == .regret || spec.method == .periodStratified { return try adaptive(look: k, a, c, stats: stats) }
        if spec.method == .summedLifts {
            // The quarter's impact as reported: the shipped features' test estimates, summed.
            let shipped = stats.launches.filter(\.shipped)
            let r = try ProgrammeLift.sum(estimates: shipped.map(\.estimate), standardErrors: shipped.map(\.standardError),
                                          alpha: spec.alpha, alternative: spec.alternative)
            return .from(status: r.status, estimate: r.estimate, standardError: r.standardError, lower: r.lower, upper: r.upper,
                         statistic: r.statistic, pValue: r.pValue, significant: r.isSignificant, look: k + 1, n: shipped.count)
        }
        guard let mi = a.metricIndex, let test = spec.method.metricTest else { return .failed(.invalidStatistics, look: k + 1, n: 0) }
        let unitLevel = stats.unitLevel[spec.id]
        // Group level: each cluster / region × window logged in a single arm is one observation
        // (its mean); groups whose units were logged in several arms are left out.
        var groupMeans: [MomentStatistic] = []
        if spec.options.groupLevel, k < stats.groups.count {
            groupMeans = [MomentStatistic](repeating: MomentStatistic(), count: arms)
            let sums = stats.groups[k], owners = stats.groupArms[k], width = stats.metrics
            for (g, owner) in owners.enumerated() where owner >= 0 {
                let s = sums[g * width + mi]
                if s.n > 0 { groupMeans[Int(owner)].add(s.sum / Double(s.n), covariate: 0) }
            }
        }
        func group(_ armsInGroup: [Int]) -> MomentStatistic {
            if !groupMeans.isEmpty { return MomentStatistic(combining: armsInGroup.map { groupMeans[$0] }) }
            if let u = unitLevel { return MomentStatistic(combining: armsInGroup.map { u.sums(look: k, arm: $0) }) }
            // One arm (the usual two-arm comparison): its sums as they are, without an array.
            if armsInGroup.count == 1 { return stats.sums(look: k, arm: armsInGroup[0], metric: mi) }
            return MomentStatistic(combining: armsInGroup.map { stats.sums(look: k, arm: $0, metric: mi) })
        }
        let scale: LiftScale = spec.estimand == .relative ? .relative : .absolute
        let comparison: MetricComparison
        if spec.options.stratify != nil, let u = unitLevel, c.groups.count == 2 {
            let strata = (0..<u.strata).map { s in
                (control: MomentStatistic(combining: c.groups[0].arms.map { u.sums(look: k, stratum: s, arm: $0) }),
                 treatment: MomentStatistic(combining: c.groups[1].arms.map { u.sums(look: k, stratum: s, arm: $0) }))
            }
            comparison = MetricComparison(result: try StratifiedComparison.compare(strata: strata, alpha: spec.alpha,
                                                                                   alternative: spec.alternative).result)
        } else if c.groups.count == 2 {
            comparison = try ExperimentAnalysis.compare(control: group(c.groups[0].arms), treatment: group(c.groups[1].arms), method: test,
                                                        scale: scale, alpha: spec.alpha, alternative: spec.alternative)
        } else {
            comparison = try ExperimentAnalysis.contrast(groups: c.groups.map { group($0.arms) }, coefficients: c.groups.map(\.weight),
                                                         alpha: spec.alpha, alternative: spec.alternative)
        }
        let result = comparison.result
        let n = result.controlN + result.treatmentN
        guard result.status == .ok, let est = result.estimate, let se = result.standardError, let p = result.pValue else {
            return .failed(result.status, look: k + 1, n: n)
        }
        var o = ComparisonOutcome(status: .ok, estimate: est, standardError: se, lower: result.lower ?? -.infinity,
                                  upper: result.upper ?? .infinity, pValue: p, rejected: result.isSignificant,
                                  stopLook: k + 1, sampleSize: n, finalPValue: p, varianceReduction: comparison.varianceReduction ?? 0)
        o.statistic = result.statistic ?? est / se
        o.excludedShare = unitLevel?.excludedShare(look: k) ?? 0
        if case .bayesianStop = spec.policy, c.groups.count == 2 {
            let b = try ExperimentAnalysis.chanceToBeat(control: group(c.groups[0].arms), treatment: group(c.groups[1].arms),
                                                        scale: scale, level: 1 - spec.alpha)
            guard b.status == .ok, let chance = b.chanceToBeatControl else { return .failed(b.status, look: k + 1, n: n) }
            o.chanceToBeat = chance
            o.lower = b.credibleLower ?? o.lower
            o.upper = b.credibleUpper ?? o.upper
        }
        return o
    }

    /// The group methods at look k: the cluster-robust difference in means (CR2) over the groups
    /// logged in a single arm, or (switchbacks) the two-way fixed-effects panel of region ×
    /// window means with Driscoll–Kraay HAC errors.
    func groupMethod(look k: Int, _ a: PlannedAnalysis, _ c: PlannedComparison, stats: LookStatistics) throws(AnalysisError) -> ComparisonOutcome {
        let arms = stats.arms
        let n = c.groups.flatMap(\.arms).reduce(0) { $0 + stats.counts[k * arms + $1] }
        guard let mi = a.metricIndex, c.groups.count == 2, k < stats.groups.count else { return .failed(.invalidStatistics, look: k + 1, n: n) }
        let sums = stats.groups[k], owners = stats.groupArms[k], width = stats.metrics
        let control = Set(c.groups[0].arms), treatment = Set(c.groups[1].arms)
        func outcome(status: AnalysisStatus, estimate: Double?, se: Double?, lower: Double?, upper: Double?, statistic: Double?, p: Double?, significant: Bool) -> ComparisonOutcome {
            .from(status: status, estimate: estimate, standardError: se, lower: lower, upper: upper, statistic: statistic,
                  pValue: p, significant: significant, look: k + 1, n: n)
        }
        if a.spec.method == .clusterRobust {
            var cs: [ClusterSummary] = [], ts: [ClusterSummary] = []
            for (g, owner) in owners.enumerated() where owner >= 0 {
                let s = sums[g * width + mi]
                guard s.n > 0 else { continue }
                let summary = ClusterSummary(n: s.n, sum: s.sum, sumOfSquares: s.sumOfSquares)
                if control.contains(Int(owner)) { cs.append(summary) } else if treatment.contains(Int(owner)) { ts.append(summary) }
            }
            let r = try ClusterRobust.differenceInMeans(control: cs, treatment: ts, type: .cr2, alpha: a.spec.alpha, alternative: a.spec.alternative)
            return outcome(status: r.status, estimate: r.estimate, se: r.standardError, lower: r.lower, upper: r.upper,
                           statistic: r.statistic, p: r.pValue, significant: r.isSignificant)
        }
        // Panel: groups are region · windows + window; a balanced panel of the pairs in a compared arm.
        guard let design = plan.design as? SwitchbackDesign else { return .failed(.invalidStatistics, look: k + 1, n: n) }
        let windows = design.windows, regions = max(plan.study.population.regions, 1)
        var y = [[Double]](repeating: [Double](repeating: .nan, count: windows), count: regions)
        var z = y
        for (g, owner) in owners.enumerated() where owner >= 0 && g < regions * windows {
            let s = sums[g * width + mi]
            guard s.n > 0, control.contains(Int(owner)) || treatment.contains(Int(owner)) else { continue }
            y[g / windows][g % windows] = s.sum / Double(s.n)
            z[g / windows][g % windows] = treatment.contains(Int(owner)) ? 1 : 0
        }
        // Keep the windows every region observed (the panel must be balanced).
        let kept = (0..<windows).filter { w in (0..<regions).allSatisfy { !y[$0][w].isNaN } }
        let yb = y.map { row in kept.map { row[$0] } }, zb = z.map { row in kept.map { row[$0] } }
        let lags = Int((4 * pow(Double(kept.count) / 100, 2.0 / 9)).rounded(.down))
        let r = try PanelRegression.twoWayFixedEffects(y: yb, z: zb, covariance: .hac(maxLags: lags), alpha: a.spec.alpha, alternative: a.spec.alternative)
        return outcome(status: r.status, estimate: r.estimate, se: r.standardError, lower: r.lower, upper: r.upper,
                       statistic: r.statistic, p: r.pValue, significant: r.isSignificant)
    }

    /// Adaptive designs at look k: the IPW difference in means over the periods up to the look
    /// with their logged weights, or the regret Σ_a n_a(μ* − μ_a) of the units assigned so far
    /// (rejected = the weights in force in the look's period favour the best arm).
    func adaptive(look k: Int, _ a: PlannedAnalysis, _ c: PlannedComparison, stats: LookStatistics) throws(AnalysisError) -> ComparisonOutcome {
        let arms = stats.arms
        let counts = (0..<arms).map { stats.counts[k * arms + $0] }
        let n = counts.reduce(0, +)
        guard let mi = a.metricIndex, k < stats.lookPeriods.count else { return .failed(.invalidStatistics, look: k + 1, n: n) }
        let last = stats.lookPeriods[k]
        if a.spec.method == .regret {
            guard let best = a.armMeans.max(), a.armMeans.count == arms, last < stats.allocation.count else { return .failed(.invalidStatistics, look: k + 1, n: n) }
            var regret = 0.0
            for arm in 0..<arms { regret += Double(counts[arm]) * (best - a.armMeans[arm]) }
            let w = stats.allocation[last]
            let favoured = w.indices.max { w[$0] < w[$1] } ?? 0
            var o = ComparisonOutcome(status: .ok, estimate: regret, standardError: 0, lower: regret, upper: regret, pValue: 1,
                                      rejected: a.armMeans[favoured] == best, stopLook: k + 1, sampleSize: n, finalPValue: 1, varianceReduction: 0)
            // The regret's slope against ln T between the first look and this one (the statistic
            // of a regret outcome; NaN with one look): (R_k − R_1) / ln(n_k / n_1).
            let n1 = (0..<arms).reduce(0) { $0 + stats.counts[$1] }
            var r1 = 0.0
            for arm in 0..<arms { r1 += Double(stats.counts[arm]) * (best - a.armMeans[arm]) }
            o.statistic = k > 0 && n1 > 0 && n > n1 ? (regret - r1) / Foundation.log(Double(n) / Double(n1)) : .nan
            // Allocation over time: the best arm's logged weight in each period so far (the first
            // best arm when several tie, as under H0).
            let bestArm = a.armMeans.firstIndex(of: best) ?? 0
            o.bestArmWeights = (0...last).map { p in bestArm < stats.allocation[p].count ? stats.allocation[p][bestArm] : .nan }
            return o
        }
        guard c.groups.count == 2, c.groups[0].arms.count == 1, c.groups[1].arms.count == 1 else { return .failed(.invalidStatistics, look: k + 1, n: n) }
        let width = stats.metrics
        let periods = (0...last).compactMap { p -> AdaptivePeriod? in
            guard p < stats.allocation.count else { return nil }
            return AdaptivePeriod(weights: stats.allocation[p], arms: (0..<arms).map { stats.periodSums[(p * arms + $0) * width + mi] })
        }
        let status: AnalysisStatus, estimate: Double?, se: Double?, lower: Double?, upper: Double?, statistic: Double?, pValue: Double?, significant: Bool
        if a.spec.method == .periodStratified {
            let r = try AdaptiveEstimation.stratifiedByPeriod(periods: periods, treatment: c.groups[1].arms[0], control: c.groups[0].arms[0],
                                                              alpha: a.spec.alpha, alternative: a.spec.alternative)
            (status, estimate, se, lower, upper, statistic, pValue, significant) = (r.status, r.estimate, r.standardError, r.lower, r.upper, r.statistic, r.pValue, r.isSignificant)
        } else {
            let r = try AdaptiveEstimation.ipw(periods: periods, treatment: c.groups[1].arms[0], control: c.groups[0].arms[0],
                                               alpha: a.spec.alpha, alternative: a.spec.alternative)
            (status, estimate, se, lower, upper, statistic, pValue, significant) = (r.status, r.estimate, r.standardError, r.lower, r.upper, r.statistic, r.pValue, r.isSignificant)
        }
        return .from(status: status, estimate: estimate, standardError: se, lower: lower, upper: upper, statistic: statistic,
                     pValue: pValue, significant: significant, look: k + 1, n: n)
    }

    /// The novelty check at look k: per day since exposure, Welch's comparison of the unit-days
    /// of that age, then the weighted slope of those effects on the age (``NoveltyTrend``).
    func noveltyTrend(look k: Int, _ a: PlannedAnalysis, _ c: PlannedComparison, stats: LookStatistics) throws(AnalysisError) -> ComparisonOutcome {
        let n = c.groups.flatMap(\.arms).reduce(0) { $0 + stats.counts[k * stats.arms + $1] }
        guard let mi = a.metricIndex, c.groups.count == 2, k < stats.ageSums.count else { return .failed(.invalidStatistics, look: k + 1, n: n) }
        let width = stats.metrics, arms = stats.arms, ages = stats.ageSums[k].count / (arms * width)
        let sums = stats.ageSums[k]
        func group(_ g: Int, _ age: Int) -> MomentStatistic {
            var s = MomentStatistic()
            for arm in c.groups[g].arms { s = s + sums[(age * arms + arm) * width + mi] }
            return s
        }
        var byAge: [(age: Double, control: MomentStatistic, treatment: MomentStatistic)] = []
        for age in 0..<ages {
            let control = group(0, age), treatment = group(1, age)
            if control.n > 0 || treatment.n > 0 { byAge.append((Double(age), control, treatment)) }
        }
        let r = try NoveltyTrend.test(byAge: byAge, alpha: a.spec.alpha, alternative: a.spec.alternative)
        return .from(status: r.status, estimate: r.slope, standardError: r.standardError, lower: nil, upper: nil, statistic: r.statistic,
                     pValue: r.pValue, significant: r.isSignificant, look: k + 1, n: n)
    }
}
