import Analysis
import Distributions

/// The six running sums of one metric in one arm over one stretch of arrivals:
/// n, Σy, Σy², Σx, Σx², Σxy (x is the pre-period value, or a ratio's denominator).
public struct Sums: Sendable, Equatable {
    public var n = 0
    public var sy = 0.0, syy = 0.0, sx = 0.0, sxx = 0.0, sxy = 0.0

    public init() {}

    init(n: Int, sy: Double, syy: Double, sx: Double, sxx: Double, sxy: Double) {
        self.n = n; self.sy = sy; self.syy = syy; self.sx = sx; self.sxx = sxx; self.sxy = sxy
    }

    @inline(__always)
    public mutating func add(_ y: Double, _ x: Double) {
        n += 1
        sy += y; syy += y * y
        sx += x; sxx += x * x; sxy += x * y
    }

    public static func + (a: Sums, b: Sums) -> Sums {
        Sums(n: a.n + b.n, sy: a.sy + b.sy, syy: a.syy + b.syy, sx: a.sx + b.sx, sxx: a.sxx + b.sxx, sxy: a.sxy + b.sxy)
    }

    public var mean: MeanStatistic { MeanStatistic(n: n, sum: sy, sumOfSquares: syy) }
    var proportion: ProportionStatistic { ProportionStatistic(n: n, successes: Int(sy.rounded())) }
    var ratio: RatioStatistic { RatioStatistic(n: n, sumY: sy, sumX: sx, sumYSquares: syy, sumXSquares: sxx, sumXY: sxy) }
    var covariate: CovariateStatistic {
        CovariateStatistic(n: n, sum: sy, sumOfSquares: syy, preSum: sx, preSumOfSquares: sxx, crossSum: sxy)
    }
}

/// What one analysis comparison concluded in one replication.
public struct ComparisonOutcome: Sendable, Equatable {
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

    static func failed(_ s: AnalysisStatus, look: Int, n: Int) -> ComparisonOutcome {
        ComparisonOutcome(status: s, estimate: 0, standardError: 0, lower: 0, upper: 0, pValue: 1, rejected: false,
                          stopLook: look, sampleSize: n, finalPValue: 1, varianceReduction: 0)
    }
}

/// Everything one replication produced: one outcome per (analysis, comparison), and one per
/// multiple-testing policy when the study is a family.
public struct ReplicationRecord: Sendable {
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
    }

    /// Whether replications of this engine take the fused fast path.
    public var usesFastPath: Bool { path == .automatic && plan.fastPathApplies }

    /// Runs replication r on `table` (reused across replications of a task) and returns one
    /// outcome per (analysis, comparison), analyses in study order.
    public func runOne(replication r: Int, table: ColumnTable) throws -> ReplicationRecord {
        try analyse(try observe(replication: r, table: table))
    }

    /// Generates, assigns and observes replication r: the cumulative statistics at each look.
    public func observe(replication r: Int, table: ColumnTable) throws -> LookStatistics {
        let context = ReplicationContext(plan: plan, replication: r)
        let study = plan.study
        table.reset(units: study.population.units, segments: study.population.segments.count,
                    attributes: study.population.attributes.count, metrics: study.metrics.count,
                    latent: study.metrics.contains { $0.sharedFactorCorrelation > 0 })
        try plan.population.fill(table, context: context)
        return usesFastPath ? try observeFast(context, table: table) : try observeStaged(context, table: table)
    }

    /// Analyses the looks of one replication.
    public func analyse(_ stats: LookStatistics) throws(AnalysisError) -> ReplicationRecord {
        let study = plan.study
        let arms = stats.arms, metrics = stats.metrics, looks = plan.looks
        let sums = stats.sums, counts = stats.counts
        var out: [ComparisonOutcome] = []
        for a in plan.analyses {
            for c in a.comparisons {
                out.append(try analyse(a, c, sums: sums, counts: counts, arms: arms, metrics: metrics))
            }
        }
        var family: [FamilyOutcome] = []
        if let f = study.family {
            // Welch's t-test of every metric × treatment at the last look, metric-major.
            let k = looks.count - 1
            var pValues: [Double] = [], isNull: [Bool] = []
            for m in 0..<metrics {
                for t in 1..<arms {
                    let control = sums[(k * arms) * metrics + m], treatment = sums[(k * arms + t) * metrics + m]
                    let result = try Comparisons.welch(control: control.mean, treatment: treatment.mean, alpha: f.alpha)
                    pValues.append(result.status == .ok ? (result.pValue ?? 1) : 1)
                    isNull.append(m >= f.affected)
                }
            }
            family = try f.outcomes(pValues: pValues, isNull: isNull, treatments: arms - 1)
        }
        return ReplicationRecord(comparisons: out, family: family)
    }

    func analyse(_ a: PlannedAnalysis, _ c: PlannedComparison, sums: [Sums], counts: [Int], arms: Int, metrics: Int) throws(AnalysisError) -> ComparisonOutcome {
        let spec = a.spec
        var last = ComparisonOutcome.failed(.emptyArm, look: plan.looks.count, n: 0)
        var runningP = 1.0
        for (j, k) in a.activeLooks.enumerated() {
            var o = try analyseAt(look: k, a, c, sums: sums, counts: counts, arms: arms, metrics: metrics)
            let isLast = j == a.activeLooks.count - 1
            guard o.status == .ok else {
                // Data that cannot be analysed at an interim look: no decision there.
                if isLast { last = o }
                continue
            }
            switch spec.policy {
            case .fixedHorizon, .naivePeeking:
                break  // p < α from the method, its own interval
            case .groupSequential:
                let crit = a.criticalValues[j]
                let z = o.statistic
                o.rejected = abs(z) >= crit
                o.lower = o.estimate - crit * o.standardError
                o.upper = o.estimate + crit * o.standardError
                o.pValue = 2 * Normal.standard.sf(abs(z))
            case .mixtureSPRT:
                guard let m = a.msprt else { break }
                let r = m.evaluate(estimate: o.estimate, variance: o.standardError * o.standardError)
                runningP = min(runningP, r.pValue ?? 1)
                o.pValue = runningP
                o.rejected = r.rejects
                if let ci = m.confidenceInterval(estimate: o.estimate, variance: o.standardError * o.standardError) {
                    o.lower = ci.lower
                    o.upper = ci.upper
                }
            case .confidenceSequence:
                guard let cs = a.confidenceSequence else { break }
                let r = cs.evaluate(estimate: o.estimate, standardError: o.standardError, totalSampleSize: Double(o.sampleSize))
                runningP = min(runningP, r.pValue ?? 1)
                o.pValue = runningP
                o.rejected = r.rejects
                o.lower = r.lower ?? -.infinity
                o.upper = r.upper ?? .infinity
            case let .bayesianStop(threshold):
                guard let chance = o.chanceToBeat else { break }
                o.rejected = chance > threshold
                o.pValue = 1 - chance
            }
            last = o
            if o.rejected && spec.policy != .fixedHorizon {
                o.finalPValue = o.pValue
                return o
            }
        }
        last.finalPValue = last.pValue
        return last
    }

    func analyseAt(look k: Int, _ a: PlannedAnalysis, _ c: PlannedComparison, sums: [Sums], counts: [Int], arms: Int, metrics: Int) throws(AnalysisError) -> ComparisonOutcome {
        let spec = a.spec
        if spec.method == .srm {
            let observed = (0..<arms).map { counts[k * arms + $0] }
            let n = observed.reduce(0, +)
            let r = try SampleRatioMismatch.test(observed: observed, weights: plan.armWeights, threshold: spec.alpha)
            guard r.status == .ok, let p = r.pValue, let chi2 = r.chiSquare else { return .failed(r.status, look: k + 1, n: n) }
            return ComparisonOutcome(status: .ok, estimate: chi2, standardError: 0, lower: 0, upper: 0, pValue: p,
                                     rejected: r.flagged, stopLook: k + 1, sampleSize: n, finalPValue: p, varianceReduction: 0)
        }
        guard let mi = a.metricIndex else { return .failed(.invalidStatistics, look: k + 1, n: 0) }
        func group(_ armsInGroup: [Int]) -> Sums {
            var g = Sums()
            for arm in armsInGroup { g = g + sums[(k * arms + arm) * metrics + mi] }
            return g
        }
        let scale: LiftScale = spec.estimand == .relative ? .relative : .absolute
        var reduction = 0.0
        let result: FixedHorizonResult
        if c.groups.count == 2 {
            let control = group(c.groups[0].arms), treatment = group(c.groups[1].arms)
            switch spec.method {
            case .zTest:
                result = try Comparisons.twoProportion(control: control.proportion, treatment: treatment.proportion,
                                                       scale: scale, alpha: spec.alpha, alternative: spec.alternative)
            case .welchT:
                result = try Comparisons.welch(control: control.mean, treatment: treatment.mean, scale: scale,
                                               alpha: spec.alpha, alternative: spec.alternative)
            case .studentT:
                result = try Comparisons.student(control: control.mean, treatment: treatment.mean, scale: scale,
                                                 alpha: spec.alpha, alternative: spec.alternative)
            case .cuped:
                let r = try Comparisons.cuped(control: control.covariate, treatment: treatment.covariate, scale: scale,
                                              alpha: spec.alpha, alternative: spec.alternative)
                result = r.comparison
                reduction = r.varianceReduction ?? 0
            case .deltaRatio:
                result = try Comparisons.ratio(control: control.ratio, treatment: treatment.ratio, scale: scale,
                                               alpha: spec.alpha, alternative: spec.alternative)
            case .srm:
                return .failed(.invalidStatistics, look: k + 1, n: 0)
            }
        } else {
            let groups = c.groups.map { group($0.arms).mean }
            result = try Comparisons.linearContrast(groups: groups, coefficients: c.groups.map(\.weight),
                                                    alpha: spec.alpha, alternative: spec.alternative)
        }
        let n = result.controlN + result.treatmentN
        guard result.status == .ok, let est = result.estimate, let se = result.standardError, let p = result.pValue else {
            return .failed(result.status, look: k + 1, n: n)
        }
        var o = ComparisonOutcome(status: .ok, estimate: est, standardError: se, lower: result.lower ?? -.infinity,
                                  upper: result.upper ?? .infinity, pValue: p, rejected: result.isSignificant,
                                  stopLook: k + 1, sampleSize: n, finalPValue: p, varianceReduction: reduction)
        o.statistic = result.statistic ?? est / se
        if case .bayesianStop = spec.policy, c.groups.count == 2 {
            // The Analysis module's normal–normal posterior (flat prior) on the same data.
            let control = group(c.groups[0].arms), treatment = group(c.groups[1].arms)
            let b = try Bayesian.normalNormal(control: control.mean, treatment: treatment.mean, scale: scale, level: 1 - spec.alpha)
            guard b.status == .ok, let chance = b.chanceToBeatControl else { return .failed(b.status, look: k + 1, n: n) }
            o.chanceToBeat = chance
            o.lower = b.credibleLower ?? o.lower
            o.upper = b.credibleUpper ?? o.upper
        }
        return o
    }
}
