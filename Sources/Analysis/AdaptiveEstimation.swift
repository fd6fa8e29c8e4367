import Distributions

/// One period of an adaptively allocated experiment (a multi-armed bandit's batch): the
/// allocation weights in force during the period and each arm's statistics from the period's
/// units, in the same arm order.
public struct AdaptivePeriod: Equatable, Hashable, Sendable, Codable {
    /// The allocation weight of each arm, normalised within the period (w_{p,a}/Σ_a w_{p,a} is the
    /// probability that a unit arriving in period p is assigned arm a).
    public var weights: [Double]
    /// Each arm's statistics (n, Σy, Σy², …) over the units that arrived in the period.
    public var arms: [MomentStatistic]

    public init(weights: [Double], arms: [MomentStatistic]) {
        self.weights = weights
        self.arms = arms
    }
}

/// The inverse-propensity-weighted comparison of two arms of an adaptive experiment.
///
/// For `alternative == .greater` the interval is [lower, +∞); for `.less` it is (−∞, upper].
/// When `status != .ok` the fields that could not be computed are `nil` (never NaN).
public struct AdaptiveIPWResult: Equatable, Codable, Sendable {
    /// `ok`; `invalid_statistics` (a negative n, a negative Σy² in the compared arms, or units in
    /// a compared arm during a period when its weight was 0); `non_finite_input`; `empty_arm` (no
    /// units at all, no units in the treatment or the control arm, or a compared arm had weight 0
    /// in a period that has units: no inverse propensity exists, so the mean is not identified);
    /// `zero_variance` (SE ≤ 10⁻¹² × the largest |cell mean / π|; the estimate is reported);
    /// `numerical_failure`.
    public let status: AnalysisStatus
    public let alternative: Alternative
    public let alpha: Double
    /// N, the units of all arms in all periods.
    public let units: Int
    /// Control units over all periods.
    public let controlN: Int
    /// Treatment units over all periods.
    public let treatmentN: Int
    /// μ̂_c, the control arm's Horvitz–Thompson mean.
    public let controlMean: Double?
    /// μ̂_t, the treatment arm's Horvitz–Thompson mean.
    public let treatmentMean: Double?
    /// SE(μ̂_c).
    public let controlStandardError: Double?
    /// SE(μ̂_t).
    public let treatmentStandardError: Double?
    /// μ̂_t − μ̂_c.
    public let estimate: Double?
    public let standardError: Double?
    public let lower: Double?
    public let upper: Double?
    /// z = estimate / standardError (normal reference).
    public let statistic: Double?
    public let pValue: Double?

    /// True when the status is ok and p < α.
    public var isSignificant: Bool {
        guard status == .ok, let p = pValue else { return false }
        return p < alpha
    }
}

/// Estimation after adaptive allocation (multi-armed bandits): the weights change from period
/// to period in response to the data, so pooling the periods' units and comparing arm means is
/// biased (the ramp-up's Simpson's paradox, and the adaptive-sampling bias of Nie, Tian, Taylor &
/// Zou 2018, AISTATS). Both estimators below use each period's allocation as a known design.
public enum AdaptiveEstimation {
    /// The Horvitz–Thompson (inverse-propensity-weighted) mean of each arm and their difference
    /// (Horvitz & Thompson 1952, JASA 47:663–685; for adaptive designs, Hadad, Hirshberg, Zhan,
    /// Wager & Athey 2021, PNAS 118:e2014602118). With π_{p,a} = w_{p,a}/Σ_b w_{p,b} the
    /// probability of arm a in period p, N the units of all arms in all periods, and for each unit
    /// i (in period p(i), assigned arm A_i) the score
    ///
    ///     ψ_i = 1{A_i = t} y_i/π_{p(i),t} − 1{A_i = c} y_i/π_{p(i),c}
    ///
    /// (0 for a unit in any other arm),
    ///
    ///     μ̂_a = (1/N) Σ_p S_{p,a}/π_{p,a},   Δ̂ = μ̂_t − μ̂_c = (1/N) Σ_i ψ_i,
    ///     V̂(Δ̂) = Σ_i (ψ_i − Δ̂)² / (N(N − 1)),
    ///
    /// the sample variance of the unit scores over N, with the propensities treated as known
    /// (V̂(μ̂_a) likewise with ψ_i = 1{A_i = a} y_i/π_{p(i),a}). Computed from sufficient
    /// statistics: a cell (p, a) with n units, mean m and within-cell sum of squares
    /// SS = Σy² − S·m contributes SS/π² + n(±m/π − Δ̂)², and a unit of another arm Δ̂².
    /// z = Δ̂/SE with a normal reference.
    ///
    /// **Why this variance.** Given the history, unit i's assignment is a draw with known
    /// probabilities, so the ψ_i − Δ are martingale differences and Δ̂ is asymptotically normal
    /// when the propensities stay away from 0 (Hadad et al. 2021 use the same plug-in
    /// Σ(ψ − Δ̂)² with N² in place of N(N − 1)). With fixed weights and stable arm means the
    /// variance estimator is unbiased; when the period means of ψ differ (means or effects
    /// changing over time) it is conservative. The Horvitz–Thompson mean is unbiased but not
    /// location-invariant (adding c to every y adds c·(1/N)Σ_p n_{p,a}/π_{p,a} to μ̂_a, which is c
    /// only in expectation), so it is noisy for metrics with a large mean; the Hájek (normalised)
    /// mean fixes that at the cost of a small bias, and
    /// ``stratifiedByPeriod(periods:treatment:control:alpha:alternative:)`` is the efficient
    /// alternative. Propensities near 0 make both the estimate and V̂ explode.
    ///
    /// Statuses: see ``AdaptiveIPWResult/status``. Throws when `periods` is empty, the periods
    /// have different numbers of arms (or fewer than 2), a period's weights and arms differ in
    /// number, a weight is negative or not finite or a period's weights sum to 0, `treatment` or
    /// `control` is not an arm index or they are equal, or α ∉ (0, 1).
    public static func ipw(periods: [AdaptivePeriod], treatment: Int, control: Int = 0, alpha: Double = 0.05,
                           alternative: Alternative = .twoSided) throws(AnalysisError) -> AdaptiveIPWResult {
        let context = "AdaptiveEstimation.ipw"
        try AnalysisError.checkAlpha(alpha, in: "\(context)(alpha:)")
        try validate(periods.map { (count: $0.arms.map(\.n), weights: $0.weights) }, context: context, countsName: "arms",
                     allowNegativeCounts: true)
        try checkArms(treatment: treatment, control: control, arms: periods[0].arms.count, context: context)

        let units = periods.reduce(0) { $0 + $1.arms.reduce(0) { $0 + $1.n } }
        let nT = periods.reduce(0) { $0 + $1.arms[treatment].n }, nC = periods.reduce(0) { $0 + $1.arms[control].n }
        func result(_ status: AnalysisStatus, mC: Double? = nil, mT: Double? = nil, seC: Double? = nil,
                    seT: Double? = nil, estimate: Double? = nil, se: Double? = nil,
                    inference: DesignInference? = nil) -> AdaptiveIPWResult {
            AdaptiveIPWResult(status: status, alternative: alternative, alpha: alpha, units: units, controlN: nC,
                              treatmentN: nT, controlMean: mC, treatmentMean: mT, controlStandardError: seC,
                              treatmentStandardError: seT, estimate: estimate, standardError: se,
                              lower: inference?.lower, upper: inference?.upper, statistic: inference?.statistic,
                              pValue: inference?.pValue)
        }
        let compared = periods.flatMap { [$0.arms[treatment], $0.arms[control]] }
        guard periods.allSatisfy({ $0.arms.allSatisfy { $0.n >= 0 } }),
              compared.allSatisfy({ $0.sumOfSquares >= 0 || $0.sumOfSquares.isNaN }) else {
            return result(.invalidStatistics)
        }
        guard compared.allSatisfy({ $0.sum.isFinite && $0.sumOfSquares.isFinite }) else { return result(.nonFiniteInput) }
        for p in periods {
            for a in [treatment, control] where p.weights[a] == 0 {
                if p.arms[a].n > 0 { return result(.invalidStatistics) }
                if p.arms.contains(where: { $0.n > 0 }) { return result(.emptyArm) }
            }
        }
        guard units > 0, nT > 0, nC > 0 else { return result(.emptyArm) }

        // Cells of the compared arms: n, mean, within-cell SS and propensity.
        struct Cell { let n: Double, mean: Double, ss: Double, pi: Double }
        func cells(_ a: Int) -> [(period: Int, cell: Cell)] {
            periods.indices.compactMap { p in
                let s = periods[p].arms[a]
                guard s.n > 0 else { return nil }
                let n = Double(s.n), m = s.sum / n
                let pi = periods[p].weights[a] / periods[p].weights.reduce(0, +)
                return (p, Cell(n: n, mean: m, ss: max(s.sumOfSquares - s.sum * m, 0), pi: pi))
            }
        }
        let cellsT = cells(treatment), cellsC = cells(control)
        let dN = Double(units)
        let muT = cellsT.reduce(0.0) { $0 + $1.cell.n * $1.cell.mean / $1.cell.pi } / dN
        let muC = cellsC.reduce(0.0) { $0 + $1.cell.n * $1.cell.mean / $1.cell.pi } / dN
        let delta = muT - muC
        guard muT.isFinite, muC.isFinite, delta.isFinite else { return result(.nonFiniteInput) }

        /// Σ_i (ψ_i − centre)² where ψ = sign·y/π on `cells` and 0 on the other `units − n` units.
        func sumOfSquaredDeviations(_ cells: [[(period: Int, cell: Cell)]], signs: [Double], centre: Double) -> Double {
            var total = 0.0, inCells = 0.0
            for (list, sign) in zip(cells, signs) {
                for (_, c) in list {
                    let d = sign * c.mean / c.pi - centre
                    total += c.ss / (c.pi * c.pi) + c.n * d * d
                    inCells += c.n
                }
            }
            return total + (dN - inCells) * centre * centre
        }
        let denominator = dN * (dN - 1)
        let seT = (sumOfSquaredDeviations([cellsT], signs: [1], centre: muT) / denominator).squareRoot()
        let seC = (sumOfSquaredDeviations([cellsC], signs: [1], centre: muC) / denominator).squareRoot()
        let se = (sumOfSquaredDeviations([cellsT, cellsC], signs: [1, -1], centre: delta) / denominator).squareRoot()
        guard se.isFinite, seT.isFinite, seC.isFinite else {
            return result(.numericalFailure, mC: muC, mT: muT, estimate: delta)
        }
        let scale = (cellsT + cellsC).reduce(0.0) { max($0, abs($1.cell.mean / $1.cell.pi)) }
        guard se > 0, se > ClusterRobust.relativeRoundingFloor * scale else {
            return result(.zeroVariance, mC: muC, mT: muT, seC: seC, seT: seT, estimate: delta)
        }
        guard let inference = DesignInference(estimate: delta, standardError: se, degreesOfFreedom: .infinity,
                                              alpha: alpha, alternative: alternative) else {
            return result(.numericalFailure, mC: muC, mT: muT, estimate: delta)
        }
        return result(.ok, mC: muC, mT: muT, seC: seC, seT: seT, estimate: delta, se: se, inference: inference)
    }

    /// The difference in means within each period, combined with the period's share of all units
    /// (post-stratification on the period; GrowthBook's approach to bandit results, and
    /// ``StratifiedComparison/compare(strata:weights:alpha:alternative:)``):
    ///
    ///     d̂ = Σ_p W_p (ȳ_{p,t} − ȳ_{p,c}),   W_p = n_p/N,  n_p = Σ_a n_{p,a} (all arms),
    ///     Var(d̂) = Σ_p W_p² (s²_{p,t}/n_{p,t} + s²_{p,c}/n_{p,c}),
    ///
    /// z = d̂/SE with a normal reference. Within a period the allocation is fixed, so each
    /// period's difference is unbiased for that period's effect whatever the weights were; the
    /// allocation weights are therefore not used (they are validated). Weighting by all arms'
    /// units, not by n_{p,t} + n_{p,c}, keeps the target (the effect averaged over the traffic)
    /// independent of how the bandit moved traffic between arms. A period with fewer than 2 units
    /// in the treatment or the control arm is dropped and the weights renormalised over the rest
    /// (reported in ``StratifiedResult/droppedStrata`` as period indices).
    ///
    /// Statuses as ``StratifiedComparison/compare(strata:weights:alpha:alternative:)``, plus
    /// `invalid_statistics` for a negative n in any arm and `empty_arm` when no period has units.
    /// Throws as ``ipw(periods:treatment:control:alpha:alternative:)``.
    public static func stratifiedByPeriod(periods: [AdaptivePeriod], treatment: Int, control: Int = 0, alpha: Double = 0.05,
                                          alternative: Alternative = .twoSided) throws(AnalysisError) -> StratifiedResult {
        let context = "AdaptiveEstimation.stratifiedByPeriod"
        try AnalysisError.checkAlpha(alpha, in: "\(context)(alpha:)")
        try validate(periods.map { (count: $0.arms.map(\.n), weights: $0.weights) }, context: context, countsName: "arms",
                     allowNegativeCounts: true)
        try checkArms(treatment: treatment, control: control, arms: periods[0].arms.count, context: context)
        func fail(_ s: AnalysisStatus) -> StratifiedResult {
            StratifiedResult(result: .failed(s, method: .linearContrast, scale: .absolute, alternative: alternative,
                                             alpha: alpha, controlN: 0, treatmentN: 0),
                             strata: 0, droppedStrata: [], weights: [Double](repeating: 0, count: periods.count))
        }
        guard periods.allSatisfy({ $0.arms.allSatisfy { $0.n >= 0 } }) else { return fail(.invalidStatistics) }
        let sizes = periods.map { Double($0.arms.reduce(0) { $0 + $1.n }) }
        guard sizes.contains(where: { $0 > 0 }) else { return fail(.emptyArm) }
        return try StratifiedComparison.compare(strata: periods.map { (control: $0.arms[control], treatment: $0.arms[treatment]) },
                                                weights: sizes, alpha: alpha, alternative: alternative)
    }

    /// Sample-ratio mismatch when the allocation changed between periods: the expected count of
    /// arm a is E_a = Σ_p n_p π_{p,a}, with n_p the period's units and π_{p,a} = w_{p,a}/Σ_b w_{p,b},
    /// the observed count O_a = Σ_p n_{p,a}, and Pearson's χ² = Σ_a (O_a − E_a)²/E_a with k − 1 df
    /// (Pearson 1900; the null of a ramp-up or bandit is the arrival-weighted mix of the
    /// allocations, not any single one of them). p = P(χ²_{k−1} ≥ χ²), as scipy
    /// `chisquare(observed, expected)`; flagged when p < `threshold`.
    ///
    /// Returns an ``SRMResult`` (observed O, expected E, χ², df, p, the largest |O_a − E_a|/N,
    /// flag). An arm with E_a = 0 (weight 0 whenever units arrived) and O_a = 0 takes no part
    /// (df counts the other arms); one with E_a = 0 but O_a > 0 is impossible under the design:
    /// χ² = +∞, p = 0, flagged. Status `empty_arm` when no unit was observed, `insufficient_sample`
    /// when fewer than 2 arms have E_a > 0.
    ///
    /// Throws when `periods` is empty, the periods have different numbers of arms (or fewer than
    /// 2), a period's counts and weights differ in length, a count is negative, a weight is
    /// negative or not finite or a period's weights sum to 0, or the threshold is outside (0, 1).
    public static func srm(periods: [(count: [Int], weights: [Double])], threshold: Double = 0.001) throws(AnalysisError) -> SRMResult {
        let context = "AdaptiveEstimation.srm"
        guard threshold > 0, threshold < 1 else {
            throw AnalysisError(context, "threshold must be in (0, 1), got \(threshold)")
        }
        try validate(periods, context: context, countsName: "counts", allowNegativeCounts: false)
        let k = periods[0].count.count
        var observed = [Int](repeating: 0, count: k), expected = [Double](repeating: 0, count: k)
        for p in periods {
            let n = Double(p.count.reduce(0, +)), wSum = p.weights.reduce(0, +)
            for a in 0..<k {
                observed[a] += p.count[a]
                expected[a] += n * p.weights[a] / wSum
            }
        }
        let total = observed.reduce(0, +)
        let used = (0..<k).filter { expected[$0] > 0 }
        let df = max(used.count - 1, 0)
        func result(_ status: AnalysisStatus, chi2: Double? = nil, p: Double? = nil, dev: Double? = nil,
                    flagged: Bool = false) -> SRMResult {
            SRMResult(status: status, observed: observed, expected: expected, chiSquare: chi2, degreesOfFreedom: df,
                      pValue: p, maxShareDeviation: dev, threshold: threshold, flagged: flagged)
        }
        guard total > 0 else { return result(.emptyArm) }
        let dTotal = Double(total)
        let maxDev = (0..<k).reduce(0.0) { max($0, abs(Double(observed[$1]) - expected[$1]) / dTotal) }
        if (0..<k).contains(where: { expected[$0] == 0 && observed[$0] > 0 }) {
            return result(.ok, chi2: .infinity, p: 0, dev: maxDev, flagged: true)
        }
        guard used.count >= 2 else { return result(.insufficientSample, dev: maxDev) }
        var chi2 = 0.0
        for a in used {
            let d = Double(observed[a]) - expected[a]
            chi2 += d * d / expected[a]
        }
        guard let p = try? ChiSquared(nu: Double(df)).sf(chi2), p.isFinite else {
            return result(.numericalFailure, chi2: chi2, dev: maxDev)
        }
        return result(.ok, chi2: chi2, p: p, dev: maxDev, flagged: p < threshold)
    }

    /// ``srm(periods:threshold:)`` with each period's counts taken from its arms' n.
    public static func srm(periods: [AdaptivePeriod], threshold: Double = 0.001) throws(AnalysisError) -> SRMResult {
        try srm(periods: periods.map { (count: $0.arms.map(\.n), weights: $0.weights) }, threshold: threshold)
    }

    // MARK: - Validation

    static func validate(_ periods: [(count: [Int], weights: [Double])], context: String, countsName: String,
                         allowNegativeCounts: Bool) throws(AnalysisError) {
        guard let first = periods.first else { throw AnalysisError(context, "need at least one period") }
        let k = first.count.count
        guard k >= 2 else { throw AnalysisError(context, "need at least 2 arms, got \(k)") }
        for (i, p) in periods.enumerated() {
            guard p.count.count == k else {
                throw AnalysisError(context, "period \(i) has \(p.count.count) \(countsName), period 0 has \(k)")
            }
            guard p.weights.count == k else {
                throw AnalysisError(context, "period \(i) has \(p.weights.count) weights for \(k) \(countsName)")
            }
            guard p.weights.allSatisfy({ $0.isFinite && $0 >= 0 }), p.weights.reduce(0, +) > 0 else {
                throw AnalysisError(context, "period \(i): weights must be finite, non-negative and not all zero, got \(p.weights)")
            }
            if !allowNegativeCounts, let bad = p.count.first(where: { $0 < 0 }) {
                throw AnalysisError(context, "period \(i): counts must be non-negative, got \(bad)")
            }
        }
    }

    static func checkArms(treatment: Int, control: Int, arms: Int, context: String) throws(AnalysisError) {
        guard (0..<arms).contains(treatment), (0..<arms).contains(control) else {
            throw AnalysisError(context, "treatment \(treatment) and control \(control) must be arm indices in 0..<\(arms)")
        }
        guard treatment != control else {
            throw AnalysisError(context, "treatment and control must be different arms, both are \(treatment)")
        }
    }
}
