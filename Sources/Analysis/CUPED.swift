import Foundation

/// A CUPED-adjusted comparison and what the adjustment achieved.
public struct CUPEDResult: Equatable, Codable, Sendable {
    /// The comparison of the adjusted means (method ``ComparisonMethod/cuped``).
    public let comparison: FixedHorizonResult
    /// θ = cov(Y, X)/var(X) on the pooled data of both arms; 0 when X has no variance.
    public let theta: Double?
    /// The pooled correlation ρ(Y, X); nil when X or Y has no variance.
    public let correlation: Double?
    /// 1 − Var_adjusted(d̂)/Var_unadjusted(d̂): the reduction achieved in the variance of the
    /// absolute difference, with each arm's own variances (≈ ρ² when arms are alike).
    public let varianceReduction: Double?
}

extension Comparisons {
    /// CUPED: controlled experiments using pre-experiment data (Deng, Xu, Kohavi & Walker,
    /// WSDM 2013, eq. 4; θ pooled across arms as in GrowthBook's CUPED).
    ///
    /// θ = cov(Y, X)/var(X) from the pooled sums of both arms (n − 1 denominators; θ = 0 when
    /// var(X) = 0). Each unit's adjusted value is Y − θ(X − X̄_pooled), so per arm
    /// ȳ_adj = ȳ − θ(x̄ − X̄_pooled) and s_adj² = s_Y² + θ² s_X² − 2θ s_XY (within-arm sample
    /// moments). The adjusted means are compared with Welch's t test
    /// (``welch(control:treatment:scale:alpha:alternative:)``; relative lift by the delta method
    /// on the adjusted means), which equals scipy `ttest_ind(y_cv_T, y_cv_C, equal_var=False)` on
    /// the adjusted unit values. The absolute effect is (ȳ_T − θx̄_T) − (ȳ_C − θx̄_C).
    ///
    /// Status as ``welch(control:treatment:scale:alpha:alternative:)`` (n = 0, n = 1, zero
    /// variance, non-finite sums).
    public static func cuped(control: CovariateStatistic, treatment: CovariateStatistic, scale: LiftScale = .absolute,
                             alpha: Double = 0.05, alternative: Alternative = .twoSided) throws(AnalysisError) -> CUPEDResult {
        try AnalysisError.checkAlpha(alpha, in: "Comparisons.cuped(alpha:)")
        let nC = control.n, nT = treatment.n
        func fail(_ s: AnalysisStatus) -> CUPEDResult {
            CUPEDResult(comparison: .failed(s, method: .cuped, scale: scale, alternative: alternative, alpha: alpha,
                                            controlN: nC, treatmentN: nT),
                        theta: nil, correlation: nil, varianceReduction: nil)
        }
        guard nC >= 0, nT >= 0, control.sumOfSquares >= 0, treatment.sumOfSquares >= 0 || treatment.sumOfSquares.isNaN,
              control.preSumOfSquares >= 0 || control.preSumOfSquares.isNaN,
              treatment.preSumOfSquares >= 0 || treatment.preSumOfSquares.isNaN else {
            return control.isFinite && treatment.isFinite ? fail(.invalidStatistics) : fail(.nonFiniteInput)
        }
        guard control.isFinite, treatment.isFinite else { return fail(.nonFiniteInput) }
        guard nC > 0, nT > 0 else { return fail(.emptyArm) }
        guard nC >= 2, nT >= 2 else {
            let plain = meanComparison(method: .cuped, control: control.outcome, treatment: treatment.outcome,
                                       scale: scale, alpha: alpha, alternative: alternative)
            return CUPEDResult(comparison: plain, theta: nil, correlation: nil, varianceReduction: nil)
        }
        let pooled = control + treatment
        let n = Double(pooled.n)
        let mxP = pooled.preSum / n, myP = pooled.sum / n
        let varX = (pooled.preSumOfSquares - pooled.preSum * mxP) / (n - 1)
        let varY = (pooled.sumOfSquares - pooled.sum * myP) / (n - 1)
        let covXY = (pooled.crossSum - pooled.preSum * myP) / (n - 1)
        let theta = varX > 0 ? covXY / varX : 0
        let correlation: Double? = (varX > 0 && varY > 0) ? covXY / (varX * varY).squareRoot() : nil

        func moments(_ s: CovariateStatistic) -> (mean: Double, adjMean: Double, v: Double, adjV: Double) {
            let k = Double(s.n)
            let mx = s.preSum / k, my = s.sum / k
            let sxx = max((s.preSumOfSquares - s.preSum * mx) / (k - 1), 0)
            let syy = max((s.sumOfSquares - s.sum * my) / (k - 1), 0)
            let sxy = (s.crossSum - s.preSum * my) / (k - 1)
            return (my, my - theta * (mx - mxP), syy, max(syy + theta * theta * sxx - 2 * theta * sxy, 0))
        }
        let c = moments(control), t = moments(treatment)
        let comparison = meanComparison(method: .cuped, nC: nC, nT: nT, mC: c.adjMean, mT: t.adjMean,
                                        vC: c.adjV, vT: t.adjV, scale: scale, alpha: alpha, alternative: alternative)
        let unadjusted = c.v / Double(nC) + t.v / Double(nT)
        let adjusted = c.adjV / Double(nC) + t.adjV / Double(nT)
        let reduction: Double? = unadjusted > 0 ? 1 - adjusted / unadjusted : nil
        return CUPEDResult(comparison: comparison, theta: theta, correlation: correlation, varianceReduction: reduction)
    }
}
