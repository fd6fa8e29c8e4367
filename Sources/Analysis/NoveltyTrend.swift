import Distributions

/// The outcome of a novelty (or primacy) trend test: the slope of the daily treatment effect
/// against days since exposure.
public struct NoveltyTrendResult: Equatable, Codable, Sendable {
    /// `ok`; `insufficient_sample` (fewer than 3 usable points); `zero_variance` (every usable
    /// point has the same age, so no slope is defined); `non_finite_input` (a usable point's
    /// estimate is NaN or infinite); `numerical_failure` (the weights overflow or the normal
    /// distribution failed).
    public let status: AnalysisStatus
    /// The usable points: those whose standard error is finite and > 0.
    public let points: Int
    /// b, the change of the effect per unit of age (per day).
    public let slope: Double?
    /// SE(b) = 1/√(Σw(t − t̄_w)²), with the variances taken as known.
    public let standardError: Double?
    /// a = d̄_w − b·t̄_w, the fitted effect at age 0.
    public let intercept: Double?
    /// z = b/SE(b).
    public let statistic: Double?
    public let pValue: Double?
    public let alpha: Double
    /// True when the status is ok and p < α.
    public let isSignificant: Bool
}

/// Novelty / primacy effects: is the treatment effect changing with the days since a unit's
/// first exposure? (Kohavi, Tang & Xu 2020, *Trustworthy Online Controlled Experiments*, ch. 3
/// and ch. 23 on primacy and novelty effects, which look at the effect by days since first
/// exposure; here that look becomes a test of the slope.) A slope of zero means no trend; a
/// novelty effect decays (b < 0 for a positive initial effect), a primacy effect grows.
public enum NoveltyTrend {
    /// Weighted least squares of per-age effect estimates d̂_t on age t with known variances
    /// (Draper & Smith 1998, *Applied Regression Analysis*, 3rd ed., ch. 9; statsmodels
    /// `WLS(d, add_constant(t), weights=1/se**2).fit(cov_type='fixed scale')`):
    ///
    ///     w_t = 1/SE_t², t̄_w = Σw t/Σw, d̄_w = Σw d/Σw,
    ///     b = Σw(t − t̄_w)(d − d̄_w) / Σw(t − t̄_w)²,  SE(b) = 1/√(Σw(t − t̄_w)²),
    ///     a = d̄_w − b t̄_w,  z = b/SE(b),
    ///
    /// and the p-value of z from the standard normal (two-sided, or one-sided: `.greater` tests
    /// b > 0, `.less` b < 0). The per-age estimates are taken as independent (disjoint units or
    /// days) with known variances, so no residual scale is estimated.
    ///
    /// Points whose SE is NaN, infinite or 0 are skipped (``NoveltyTrendResult/points`` counts the
    /// rest). Status: `insufficient_sample` with fewer than 3 usable points, `zero_variance` when
    /// all usable ages are equal, `non_finite_input` when a usable estimate is not finite.
    ///
    /// Throws when the three arrays differ in length, an age is not finite, a standard error is
    /// negative, or α ∉ (0, 1).
    public static func test(ages: [Double], estimates: [Double], standardErrors: [Double], alpha: Double = 0.05,
                            alternative: Alternative = .twoSided) throws(AnalysisError) -> NoveltyTrendResult {
        let context = "NoveltyTrend.test"
        try AnalysisError.checkAlpha(alpha, in: "\(context)(alpha:)")
        guard ages.count == estimates.count, ages.count == standardErrors.count else {
            throw AnalysisError(context, "ages, estimates and standardErrors must have the same length, got "
                                + "\(ages.count), \(estimates.count) and \(standardErrors.count)")
        }
        guard ages.allSatisfy(\.isFinite) else { throw AnalysisError(context, "ages must be finite, got \(ages)") }
        if let bad = standardErrors.first(where: { $0 < 0 }) {
            throw AnalysisError(context, "standard errors must not be negative, got \(bad)")
        }
        let usable = standardErrors.indices.filter { standardErrors[$0].isFinite && standardErrors[$0] > 0 }
        func fail(_ s: AnalysisStatus) -> NoveltyTrendResult {
            NoveltyTrendResult(status: s, points: usable.count, slope: nil, standardError: nil, intercept: nil,
                               statistic: nil, pValue: nil, alpha: alpha, isSignificant: false)
        }
        guard usable.count >= 3 else { return fail(.insufficientSample) }
        guard usable.allSatisfy({ estimates[$0].isFinite }) else { return fail(.nonFiniteInput) }
        let first = ages[usable[0]]
        guard usable.contains(where: { ages[$0] != first }) else { return fail(.zeroVariance) }

        var sw = 0.0, swt = 0.0, swd = 0.0
        for i in usable {
            let w = 1 / (standardErrors[i] * standardErrors[i])
            sw += w; swt += w * ages[i]; swd += w * estimates[i]
        }
        let tBar = swt / sw, dBar = swd / sw
        var sxx = 0.0, sxy = 0.0
        for i in usable {
            let w = 1 / (standardErrors[i] * standardErrors[i])
            let dt = ages[i] - tBar
            sxx += w * dt * dt
            sxy += w * dt * (estimates[i] - dBar)
        }
        guard sw.isFinite, sxx.isFinite, sxy.isFinite, sxx > 0 else { return fail(.numericalFailure) }
        let slope = sxy / sxx
        let se = 1 / sxx.squareRoot()
        let intercept = dBar - slope * tBar
        let z = slope / se
        guard slope.isFinite, se.isFinite, se > 0, intercept.isFinite, z.isFinite else { return fail(.numericalFailure) }
        let normal = Normal.standard
        let p = Comparisons.pValue(z, alternative, cdf: normal.cdf, sf: normal.sf)
        return NoveltyTrendResult(status: .ok, points: usable.count, slope: slope, standardError: se,
                                  intercept: intercept, statistic: z, pValue: p, alpha: alpha, isSignificant: p < alpha)
    }

    /// The trend of per-age Welch differences: at each age, d̂_t and SE_t are the estimate and
    /// standard error of ``ExperimentAnalysis/compare(control:treatment:method:scale:alpha:alternative:)``
    /// with `.welchT` (absolute scale) on that age's unit-day values (ȳ_T − ȳ_C,
    /// √(s_T²/n_T + s_C²/n_C); Welch 1947), then
    /// ``test(ages:estimates:standardErrors:alpha:alternative:)``. An age whose comparison is not
    /// `ok` (an empty arm, n = 1, zero variance, …) is not usable. Throws as that function does.
    public static func test(byAge: [(age: Double, control: MomentStatistic, treatment: MomentStatistic)], alpha: Double = 0.05,
                            alternative: Alternative = .twoSided) throws(AnalysisError) -> NoveltyTrendResult {
        try AnalysisError.checkAlpha(alpha, in: "NoveltyTrend.test(byAge:alpha:)")
        var estimates: [Double] = [], standardErrors: [Double] = []
        estimates.reserveCapacity(byAge.count)
        standardErrors.reserveCapacity(byAge.count)
        for point in byAge {
            let r = try ExperimentAnalysis.compare(control: point.control, treatment: point.treatment, method: .welchT,
                                                   alpha: alpha).result
            if r.status == .ok, let d = r.estimate, let se = r.standardError {
                estimates.append(d); standardErrors.append(se)
            } else {
                estimates.append(.nan); standardErrors.append(.nan)
            }
        }
        return try test(ages: byAge.map(\.age), estimates: estimates, standardErrors: standardErrors, alpha: alpha,
                        alternative: alternative)
    }
}
