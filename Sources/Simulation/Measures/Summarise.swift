import Analysis

/// Summarise: per-replication outcomes → performance measures with MCSE (Morris, White &
/// Crowther 2019). Replications are visited in index order, so the result does not depend on
/// how they were computed.
enum Summarise {
    static func comparison(_ a: PlannedAnalysis, _ c: PlannedComparison, outcomes: [ComparisonOutcome],
                           measures: [Measure], looks: Int) -> ComparisonSummary {
        var failed: [String: Int] = [:]
        let ok = outcomes.filter { o in
            if o.status != .ok { failed[o.status.rawValue, default: 0] += 1 }
            return o.status == .ok
        }
        var values: [MeasureValue] = []
        func add(_ m: Measure, _ e: MonteCarloEstimate?) {
            guard measures.contains(m), let e else { return }
            values.append(MeasureValue(measure: m, estimate: e.estimate, mcse: e.mcse, replications: e.replications))
        }
        let isSRM = a.spec.method.isSampleRatioCheck
        if a.spec.method == .regret {
            add(.regret, PerformanceMeasures.mean(ok.map(\.estimate)))
            add(.bestArmRate, PerformanceMeasures.proportion(ok.filter(\.rejected).count, of: ok.count))
            let slopes = ok.map(\.statistic).filter(\.isFinite)
            if !slopes.isEmpty { add(.regretSlope, PerformanceMeasures.mean(slopes)) }
            return ComparisonSummary(analysis: a.spec.id, comparison: c.label, method: a.spec.method.rawValue, policy: a.spec.policy.name,
                                     truth: nil, replications: ok.count, failed: failed, measures: values,
                                     pValueHistogram: [Int](repeating: 0, count: 20), rejectionsByLook: [Int](repeating: 0, count: looks), estimand: nil)
        }
        add(.rejectionRate, PerformanceMeasures.proportion(ok.filter(\.rejected).count, of: ok.count))
        if !isSRM, a.spec.method != .noveltyTrend { add(.shipRate, PerformanceMeasures.proportion(ok.filter { $0.rejected && $0.estimate > 0 }.count, of: ok.count)) }
        if a.spec.options.exclude != nil { add(.excludedShare, PerformanceMeasures.mean(ok.map(\.excludedShare))) }
        if !isSRM, let truth = c.truth {
            let est = ok.map(\.estimate)
            let twoSided = a.spec.alternative == .twoSided
            // The truth of a replication is the estimand at the look where it stopped (the
            // same at every look unless the metric is observed day by day).
            // A truth random per replication (a launch programme) is each replication's own.
            let perReplication = ok.contains { $0.replicationTruth != nil }
            let constant = c.truthIsConstant && !perReplication
            let truths = constant ? ok.map { _ in truth } : ok.map { $0.replicationTruth ?? c.truth(atLook: $0.stopLook - 1) ?? truth }
            let errors = constant ? est : zip(est, truths).map { $0 - $1 }
            let reference = constant ? truth : 0
            if perReplication { add(.meanTruth, PerformanceMeasures.mean(truths)) }
            add(.coverage, PerformanceMeasures.proportion(zip(ok, truths).filter { $0.lower <= $1 && $1 <= $0.upper }.count, of: ok.count))
            add(.bias, PerformanceMeasures.bias(errors, truth: reference))
            if let longRun = c.longRunTruth { add(.biasLongRun, PerformanceMeasures.bias(est, truth: longRun)) }
            add(.empiricalSE, PerformanceMeasures.empiricalSE(est))
            add(.modelSE, PerformanceMeasures.modelSE(ok.map(\.standardError)))
            add(.rmse, PerformanceMeasures.rmse(errors, truth: reference))
            if twoSided { add(.ciWidth, PerformanceMeasures.mean(ok.map { $0.upper - $0.lower })) }
            if a.spec.method == .cuped { add(.varianceReduction, PerformanceMeasures.mean(ok.map(\.varianceReduction))) }
        }
        add(.meanSampleSize, PerformanceMeasures.mean(ok.map { Double($0.sampleSize) }))
        add(.meanStopLook, PerformanceMeasures.mean(ok.map { Double($0.stopLook) }))
        var histogram = [Int](repeating: 0, count: 20)
        for o in ok { histogram[min(19, max(0, Int(o.finalPValue * 20)))] += 1 }
        var byLook = [Int](repeating: 0, count: looks)
        for o in ok where o.rejected { byLook[min(looks, max(1, o.stopLook)) - 1] += 1 }
        return ComparisonSummary(analysis: a.spec.id, comparison: c.label, method: a.spec.method.rawValue,
                                 policy: a.spec.policy.name, truth: isSRM ? nil : c.truth, replications: ok.count,
                                 failed: failed, measures: values, pValueHistogram: histogram, rejectionsByLook: byLook,
                                 estimand: isSRM ? nil : c.estimand)
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
