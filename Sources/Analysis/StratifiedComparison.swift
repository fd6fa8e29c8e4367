/// A stratified (post-stratified) comparison: the combined ``FixedHorizonResult`` and which
/// strata went into it.
///
/// The combined estimate is a linear contrast of the 2S stratum-arm means, so `result` is the
/// result of ``Comparisons/linearContrast(groups:coefficients:alpha:alternative:)`` and its
/// `method` is `linear_contrast` (``ComparisonMethod`` has no stratified case). The properties
/// `status` … `treatmentN` forward to `result`.
public struct StratifiedResult: Equatable, Codable, Sendable {
    /// The combined comparison: estimate Σ W_s(ȳ_{T,s} − ȳ_{C,s}), its standard error, interval,
    /// z statistic (degreesOfFreedom = ∞), p-value and status. `controlMean`/`treatmentMean` are
    /// the stratified means Σ W_s ȳ_{C,s} and Σ W_s ȳ_{T,s}.
    public let result: FixedHorizonResult
    /// The number of strata combined (positive weight, at least 2 units in each arm).
    public let strata: Int
    /// The indices (into the `strata` argument) of the strata dropped because an arm had fewer
    /// than 2 units.
    public let droppedStrata: [Int]
    /// The normalised weight W_s each stratum received, in the order given (0 for a dropped
    /// stratum or one given weight 0); they sum to 1 over the combined strata.
    public let weights: [Double]

    public var status: AnalysisStatus { result.status }
    public var estimate: Double? { result.estimate }
    public var standardError: Double? { result.standardError }
    public var lower: Double? { result.lower }
    public var upper: Double? { result.upper }
    public var statistic: Double? { result.statistic }
    public var pValue: Double? { result.pValue }
    /// True when the status is ok and p < α.
    public var isSignificant: Bool { result.isSignificant }
    /// Units in the control arms of the combined strata.
    public var controlN: Int { result.controlN }
    /// Units in the treatment arms of the combined strata.
    public var treatmentN: Int { result.treatmentN }
}

/// Stratified difference in means: compare treatment with control within each stratum
/// (a ramp-up's allocation periods, days, platforms) and combine, so a treatment share that
/// differs between strata cannot confound the comparison (Simpson's paradox under a ramp-up).
public enum StratifiedComparison {
    /// The stratified difference in means with a normal reference (Cochran 1977, *Sampling
    /// Techniques*, 3rd ed., Theorem 5.3, and §5A.9 on post-stratification; Miratrix, Sekhon & Yu 2013,
    /// "Adjusting treatment effect estimates by post-stratification in randomized experiments",
    /// JRSS B 75:369–396):
    ///
    ///     d̂ = Σ_s W_s (ȳ_{T,s} − ȳ_{C,s}),
    ///     Var(d̂) = Σ_s W_s² (s²_{T,s}/n_{T,s} + s²_{C,s}/n_{C,s})   (sample variances, n − 1),
    ///
    /// z = d̂/SE, p from the standard normal, interval d̂ ± z_{1−α/2}·SE (one-sided bounds for
    /// `.greater`/`.less`). Weights: by default W_s = n_s/N with n_s = n_{T,s} + n_{C,s} (the
    /// stratum's share of the units); or the given `weights` normalised to sum to 1 (e.g. a
    /// target population's shares). Computed as the linear contrast with coefficients −W_s on
    /// ȳ_{C,s} and +W_s on ȳ_{T,s} (``Comparisons/linearContrast(groups:coefficients:alpha:alternative:)``);
    /// with one stratum it is Welch's difference and standard error with a z reference.
    /// Checked against statsmodels OLS of y on stratum dummies fully interacted with treatment,
    /// HC2 covariance, contrast Σ W_s β_{s×T} (`results.t_test`).
    ///
    /// **Strata too small to compare.** A stratum with fewer than 2 units in an arm (so no
    /// within-stratum variance) is dropped, its index reported in
    /// ``StratifiedResult/droppedStrata``, and the weights are renormalised over the strata that
    /// remain: the estimate then describes those strata only. A stratum given weight 0 takes no
    /// part and its units are not counted. When no stratum remains the status is `empty_arm` if a
    /// dropped stratum had an arm with no units, else `insufficient_sample`.
    ///
    /// Other statuses (as the linear contrast): `invalid_statistics` (a negative n or Σy²
    /// in any stratum), `non_finite_input` (a NaN or infinite sum in any stratum),
    /// `zero_variance` (SE = 0).
    ///
    /// Throws when `strata` is empty, `weights` has a different length or a weight is negative
    /// or not finite or they sum to 0, or α ∉ (0, 1).
    public static func compare(strata: [(control: MomentStatistic, treatment: MomentStatistic)], weights: [Double]? = nil,
                               alpha: Double = 0.05, alternative: Alternative = .twoSided) throws(AnalysisError) -> StratifiedResult {
        let context = "StratifiedComparison.compare"
        try AnalysisError.checkAlpha(alpha, in: "\(context)(alpha:)")
        guard !strata.isEmpty else { throw AnalysisError(context, "need at least one stratum") }
        if let weights {
            guard weights.count == strata.count else {
                throw AnalysisError(context, "need one weight per stratum, got \(weights.count) for \(strata.count) strata")
            }
            guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }), weights.reduce(0, +) > 0 else {
                throw AnalysisError(context, "weights must be finite, non-negative and not all zero, got \(weights)")
            }
        }
        let zeroWeights = [Double](repeating: 0, count: strata.count)
        func fail(_ s: AnalysisStatus, dropped: [Int] = []) -> StratifiedResult {
            StratifiedResult(result: .failed(s, method: .linearContrast, scale: .absolute, alternative: alternative,
                                             alpha: alpha, controlN: 0, treatmentN: 0),
                             strata: 0, droppedStrata: dropped, weights: zeroWeights)
        }
        let arms = strata.flatMap { [$0.control, $0.treatment] }
        guard arms.allSatisfy({ $0.n >= 0 && ($0.sumOfSquares >= 0 || $0.sumOfSquares.isNaN) }) else {
            return fail(.invalidStatistics)
        }
        guard arms.allSatisfy({ $0.sum.isFinite && $0.sumOfSquares.isFinite }) else { return fail(.nonFiniteInput) }

        let dropped = strata.indices.filter { strata[$0].control.n < 2 || strata[$0].treatment.n < 2 }
        let raw: [Double] = strata.indices.map { s in
            if dropped.contains(s) { return 0 }
            if let weights { return weights[s] }
            return Double(strata[s].control.n + strata[s].treatment.n)
        }
        let total = raw.reduce(0, +)
        guard total > 0 else {
            let empty = dropped.contains { strata[$0].control.n == 0 || strata[$0].treatment.n == 0 }
            return fail(empty ? .emptyArm : .insufficientSample, dropped: dropped)
        }
        let normalised = raw.map { $0 / total }
        var groups: [MeanStatistic] = [], coefficients: [Double] = []
        for s in strata.indices where normalised[s] > 0 {
            groups.append(strata[s].control.mean); coefficients.append(-normalised[s])
            groups.append(strata[s].treatment.mean); coefficients.append(normalised[s])
        }
        let result = try Comparisons.linearContrast(groups: groups, coefficients: coefficients, alpha: alpha,
                                                    alternative: alternative)
        return StratifiedResult(result: result, strata: groups.count / 2, droppedStrata: dropped, weights: normalised)
    }
}
