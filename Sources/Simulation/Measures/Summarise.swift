import Analysis

/// Summarise: per-replication outcomes → performance measures with MCSE (Morris, White &
/// Crowther 2019), **in one streaming pass**. A cell's records are added in replication order
/// and only running moments are kept (``RunningMoments``), so memory does not grow with the
/// replication count; the state is `Codable`, so a checkpoint is a few kilobytes and resuming
/// from it gives the bytes of an uninterrupted run. Replications are always added in index
/// order, so the result does not depend on how (threads, shards, resumes) they were computed.
public struct CellSummariser: Codable, Equatable, Sendable {
    /// Replications added so far (the next one to add is replication `replications`).
    public private(set) var replications = 0
    var comparisons: [ComparisonAccumulator]
    var family: [FamilyAccumulator]
    var failures: [ReplicationFailure] = []

    /// An empty summariser for the analyses and family policies of `plan`.
    public init(plan: CellPlan) {
        comparisons = plan.analyses.flatMap { a in a.comparisons.map { _ in ComparisonAccumulator(looks: plan.looks.count) } }
        family = (plan.study.family?.policies ?? []).map { _ in FamilyAccumulator() }
    }

    /// Adds the next replication's record (replication number ``replications``).
    public mutating func add(_ record: ReplicationRecord, plan: CellPlan) {
        let r = replications
        var j = 0
        for a in plan.analyses {
            for c in a.comparisons {
                let o = record.comparisons[j]
                comparisons[j].add(o, replication: r, analysis: a, comparison: c)
                if o.status != .ok && failures.count < CellResult.failureListLimit {
                    var failure = ReplicationFailure(replication: r, analysis: a.spec.id, comparison: c.label, status: o.status.rawValue)
                    failure.message = o.message
                    failures.append(failure)
                }
                j += 1
            }
        }
        for k in family.indices where k < record.family.count { family[k].add(record.family[k]) }
        replications += 1
    }

    /// The cell's result from the replications added.
    public func result(plan: CellPlan, cell: CellInput) -> CellResult {
        var summaries: [ComparisonSummary] = []
        var j = 0
        for a in plan.analyses {
            for c in a.comparisons {
                var s = comparisons[j].summary(a, c, measures: plan.study.measures)
                if let w = s.bestArmWeightByPeriod {
                    s.bestArmWeightByPeriod = w.map { x in
                        var x = x
                        x.startDay = x.period == 0 ? 0 : (x.period <= plan.periods.count ? plan.periods[x.period - 1].endDay : nil)
                        return x
                    }
                }
                if let e = a.spec.external { s.engine = ExternalEngineLog.shared.info(e) }
                summaries.append(s)
                j += 1
            }
        }
        if let f = plan.study.family {
            for (k, policy) in f.policies.enumerated() where k < family.count {
                summaries.append(family[k].summary(policy.description, affected: f.affected > 0))
            }
        }
        var result = CellResult(index: cell.index, label: cell.label, factors: cell.factors, comparisons: summaries)
        result.key = plan.cellKeyHex
        result.failures = failures
        return result
    }
}

/// Running sums of one comparison's outcomes.
struct ComparisonAccumulator: Codable, Equatable, Sendable {
    var failed: [String: Int] = [:]
    var ok = 0
    var rejected = 0
    var shipped = 0
    var excluded = RunningMoments()
    /// Estimates θ̂ᵢ (empirical SE; bias against a long-run truth; regret).
    var estimates = RunningMoments()
    /// Errors θ̂ᵢ − θᵢ against each replication's truth (bias).
    var errors = RunningMoments()
    /// Squared errors (MSE, RMSE).
    var squaredErrors = RunningMoments()
    /// Model variances SEᵢ² (model SE).
    var variances = RunningMoments()
    /// Truths θᵢ (reported when they are random per replication).
    var truths = RunningMoments()
    var perReplicationTruth = false
    var covered = 0
    var widths = RunningMoments()
    var varianceReductions = RunningMoments()
    var sampleSizes = RunningMoments()
    var stopLooks = RunningMoments()
    /// Regret analyses: finite slopes.
    var slopes = RunningMoments()
    /// Regret analyses: the best arm's weight in each update period (allocation over time).
    var allocation: [RunningMoments] = []
    var histogram = [Int](repeating: 0, count: 20)
    var byLook: [Int]
    var intervalSample: [IntervalDraw] = []

    /// How many analysed replications' intervals are kept for the coverage zip plot.
    static let intervalSampleSize = 100

    init(looks: Int) { byLook = [Int](repeating: 0, count: looks) }

    mutating func add(_ o: ComparisonOutcome, replication r: Int, analysis a: PlannedAnalysis, comparison c: PlannedComparison) {
        guard o.status == .ok else {
            failed[o.status.rawValue, default: 0] += 1
            return
        }
        ok += 1
        if a.spec.method == .regret {
            estimates.add(o.estimate)
            if o.rejected { rejected += 1 }
            if o.statistic.isFinite { slopes.add(o.statistic) }
            if let w = o.bestArmWeights {
                if allocation.count < w.count { allocation += [RunningMoments](repeating: RunningMoments(), count: w.count - allocation.count) }
                for (p, x) in w.enumerated() where x.isFinite { allocation[p].add(x) }
            }
            return
        }
        if o.rejected { rejected += 1 }
        if o.rejected && o.estimate > 0 { shipped += 1 }
        excluded.add(o.excludedShare)
        if !a.spec.method.isSampleRatioCheck, let truth = c.truth {
            // The truth of a replication is the estimand at the look where it stopped (the
            // same at every look unless the metric is observed day by day); a truth random
            // per replication (a launch programme) is the replication's own.
            if o.replicationTruth != nil { perReplicationTruth = true }
            let t = o.replicationTruth ?? (c.truthIsConstant ? truth : c.truth(atLook: o.stopLook - 1) ?? truth)
            let e = o.estimate - t
            estimates.add(o.estimate)
            errors.add(e)
            squaredErrors.add(e * e)
            variances.add(o.standardError * o.standardError)
            truths.add(t)
            if o.lower <= t && t <= o.upper { covered += 1 }
            widths.add(o.upper - o.lower)
            varianceReductions.add(o.varianceReduction)
            if intervalSample.count < Self.intervalSampleSize {
                intervalSample.append(IntervalDraw(replication: r, estimate: o.estimate, lower: o.lower, upper: o.upper, truth: t))
            }
        }
        sampleSizes.add(Double(o.sampleSize))
        stopLooks.add(Double(o.stopLook))
        histogram[min(19, max(0, Int(o.finalPValue * 20)))] += 1
        if o.rejected, !byLook.isEmpty { byLook[min(byLook.count, max(1, o.stopLook)) - 1] += 1 }
    }

    func summary(_ a: PlannedAnalysis, _ c: PlannedComparison, measures: [Measure]) -> ComparisonSummary {
        var values: [MeasureValue] = []
        func add(_ m: Measure, _ e: MonteCarloEstimate?) {
            guard measures.contains(m), let e else { return }
            values.append(MeasureValue(measure: m, estimate: e.estimate, mcse: e.mcse, replications: e.replications))
        }
        let isSRM = a.spec.method.isSampleRatioCheck
        if a.spec.method == .regret {
            add(.regret, PerformanceMeasures.mean(estimates))
            add(.bestArmRate, PerformanceMeasures.proportion(rejected, of: ok))
            if slopes.count > 0 { add(.regretSlope, PerformanceMeasures.mean(slopes)) }
            var s = ComparisonSummary(analysis: a.spec.id, comparison: c.label, method: a.spec.method.rawValue, policy: a.spec.policy.name,
                                      truth: nil, replications: ok, failed: failed, measures: values,
                                      pValueHistogram: [Int](repeating: 0, count: 20), rejectionsByLook: [Int](repeating: 0, count: byLook.count),
                                      estimand: nil)
            if !allocation.isEmpty {
                s.bestArmWeightByPeriod = allocation.enumerated().compactMap { p, m in
                    PerformanceMeasures.mean(m).map { PeriodWeight(period: p, estimate: $0.estimate, mcse: $0.mcse, replications: $0.replications) }
                }
            }
            return s
        }
        add(.rejectionRate, PerformanceMeasures.proportion(rejected, of: ok))
        if !isSRM, a.spec.method != .noveltyTrend { add(.shipRate, PerformanceMeasures.proportion(shipped, of: ok)) }
        if a.spec.options.exclude != nil { add(.excludedShare, PerformanceMeasures.mean(excluded)) }
        if !isSRM, c.truth != nil {
            if perReplicationTruth { add(.meanTruth, PerformanceMeasures.mean(truths)) }
            add(.coverage, PerformanceMeasures.proportion(covered, of: ok))
            add(.bias, PerformanceMeasures.mean(errors))
            if let longRun = c.longRunTruth { add(.biasLongRun, PerformanceMeasures.bias(estimates, truth: longRun)) }
            add(.empiricalSE, PerformanceMeasures.empiricalSE(estimates))
            add(.modelSE, PerformanceMeasures.modelSE(variances: variances))
            add(.rmse, PerformanceMeasures.rmse(squaredErrors: squaredErrors))
            if a.spec.alternative == .twoSided { add(.ciWidth, PerformanceMeasures.mean(widths)) }
            if a.spec.method == .cuped { add(.varianceReduction, PerformanceMeasures.mean(varianceReductions)) }
        }
        add(.meanSampleSize, PerformanceMeasures.mean(sampleSizes))
        add(.meanStopLook, PerformanceMeasures.mean(stopLooks))
        var s = ComparisonSummary(analysis: a.spec.id, comparison: c.label, method: a.spec.method.rawValue,
                                  policy: a.spec.policy.name, truth: isSRM ? nil : c.truth, replications: ok,
                                  failed: failed, measures: values, pValueHistogram: histogram, rejectionsByLook: byLook,
                                  estimand: isSRM ? nil : c.estimand)
        if !isSRM, c.truth != nil, measures.contains(.coverage) { s.intervalSample = intervalSample }
        return s
    }
}

/// Running sums of one multiple-testing policy's family outcomes.
struct FamilyAccumulator: Codable, Equatable, Sendable {
    var count = 0
    var anyFalse = 0
    var anyTrue = 0
    var fdp = RunningMoments()
    var power = RunningMoments()

    mutating func add(_ f: FamilyOutcome) {
        count += 1
        if f.anyFalseRejection { anyFalse += 1 }
        if f.anyTrueRejection { anyTrue += 1 }
        fdp.add(f.falseDiscoveryProportion)
        power.add(f.power)
    }

    func summary(_ policy: String, affected: Bool) -> ComparisonSummary {
        var values: [MeasureValue] = []
        func add(_ m: Measure, _ e: MonteCarloEstimate?) {
            guard let e else { return }
            values.append(MeasureValue(measure: m, estimate: e.estimate, mcse: e.mcse, replications: e.replications))
        }
        add(.fwer, PerformanceMeasures.proportion(anyFalse, of: count))
        add(.fdr, PerformanceMeasures.mean(fdp))
        if affected {
            add(.averagePower, PerformanceMeasures.mean(power))
            add(.anyPower, PerformanceMeasures.proportion(anyTrue, of: count))
        }
        return ComparisonSummary(analysis: "family", comparison: policy, method: "welch_t", policy: policy, truth: nil,
                                 replications: count, failed: [:], measures: values, pValueHistogram: [], rejectionsByLook: [])
    }
}

extension StoppingPolicy {
    /// The policy's name in scenario files and reports.
    public var name: String {
        switch self {
        case .fixedHorizon: return "fixed"
        case .naivePeeking: return "naive"
        case let .groupSequential(spending, planned):
            let f: String
            switch spending {
            case .obrienFleming: f = "obf"
            case .pocock: f = "pocock"
            case let .power(rho): f = "power(\(fmt(rho)))"
            }
            return "gst:\(f)" + (planned.map { "@\($0)" } ?? "")
        case let .mixtureSPRT(tau2): return "msprt(tau2=\(fmt(tau2)))"
        case let .confidenceSequence(n): return "cs(N*=\(fmt(n)))"
        case let .bayesianStop(t): return "bayes(>\(fmt(t)))"
        }
    }
}
