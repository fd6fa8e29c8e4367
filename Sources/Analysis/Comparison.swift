import Distributions
import Foundation

/// Why a comparison could or could not be computed. Anything other than ``ok`` means the data
/// cannot support the requested inference; the fields that could not be computed are `nil`
/// (never NaN). Machine-readable through `rawValue`.
public enum AnalysisStatus: String, Codable, Sendable, CaseIterable {
    /// Every field is computed.
    case ok
    /// An arm has no units (n = 0).
    case emptyArm = "empty_arm"
    /// An arm has too few units for a variance (n = 1 for the t tests, the ratio and CUPED).
    case insufficientSample = "insufficient_sample"
    /// The standard error is zero: every value is the same in both arms (or the covariate has
    /// no variance, for CUPED). The estimate is still reported.
    case zeroVariance = "zero_variance"
    /// A binary metric with no successes in either arm: the pooled standard error is zero.
    case noConversions = "no_conversions"
    /// A binary metric where every unit in both arms succeeded.
    case allConversions = "all_conversions"
    /// A binary metric where each arm's rate is 0 or 1 (e.g. 0/100 against 100/100): the pooled
    /// test exists but the unpooled (Wald) interval has zero width, so no interval is reported.
    case degenerateInterval = "degenerate_interval"
    /// A relative lift was asked for but the control mean (or ratio) is zero.
    case zeroControlMean = "zero_control_mean"
    /// A ratio metric whose denominator sum ΣX is zero in an arm.
    case zeroDenominator = "zero_denominator"
    /// A sum or value is NaN or infinite.
    case nonFiniteInput = "non_finite_input"
    /// The statistics are impossible (a negative count, successes > n, Σy² < 0).
    case invalidStatistics = "invalid_statistics"
    /// A distribution function failed to return a value (reported, never hidden).
    case numericalFailure = "numerical_failure"
    /// An external engine did not answer within its timeout (SplitBench's engine protocol).
    case engineTimeout = "engine_timeout"
    /// An external engine's process exited (or could not start) before answering.
    case engineCrashed = "engine_crashed"
    /// An external engine answered something that is not the protocol's JSON.
    case engineMalformed = "engine_malformed"
    /// An external engine answered the item with a status other than `ok`.
    case engineError = "engine_error"

    /// One sentence for reports.
    public var explanation: String {
        switch self {
        case .ok: "ok"
        case .emptyArm: "an arm has no units"
        case .insufficientSample: "an arm has fewer than 2 units, so its variance is undefined"
        case .zeroVariance: "the standard error is zero (no variation in the data)"
        case .noConversions: "no conversions in either arm"
        case .allConversions: "every unit converted in both arms"
        case .degenerateInterval: "each arm's rate is 0 or 1, so the Wald interval has zero width"
        case .zeroControlMean: "the control mean is zero, so a relative lift is undefined"
        case .zeroDenominator: "the ratio's denominator sums to zero in an arm"
        case .nonFiniteInput: "the input contains NaN or infinite values"
        case .invalidStatistics: "the sufficient statistics are impossible (negative count, successes > n, or negative sum of squares)"
        case .numericalFailure: "a distribution function failed to return a value"
        case .engineTimeout: "the external engine did not answer in time"
        case .engineCrashed: "the external engine's process exited before answering"
        case .engineMalformed: "the external engine's answer broke the protocol"
        case .engineError: "the external engine reported an error for this item"
        }
    }
}

/// Whether a lift is reported as a difference (treatment − control) or relative to control
/// (treatment / control − 1).
public enum LiftScale: String, Codable, Sendable, CaseIterable {
    case absolute
    case relative
}

/// The test that produced a ``FixedHorizonResult``.
public enum ComparisonMethod: String, Codable, Sendable, CaseIterable {
    /// Welch's unequal-variance t test (Welch 1947).
    case welch
    /// Student's pooled-variance t test.
    case student
    /// Two-proportion z test: pooled SE for the test, unpooled (Wald) SE for the CI.
    case twoProportionZ = "two_proportion_z"
    /// Ratio metric ΣY/ΣX, delta-method z test.
    case ratioDelta = "ratio_delta"
    /// CUPED-adjusted means (pooled θ), Welch t test on the adjusted values.
    case cuped
    /// A linear contrast of group means (e.g. a 2×2 interaction), Wald z test.
    case linearContrast = "linear_contrast"
}

/// Treatment versus control on one metric: the estimate, its standard error, the confidence
/// interval, the test statistic, the degrees of freedom, the p-value and a status.
///
/// For `alternative == .greater` the interval is [lower, +∞); for `.less` it is (−∞, upper].
/// When `status != .ok` the fields that could not be computed are `nil`.
public struct FixedHorizonResult: Equatable, Codable, Sendable {
    public let status: AnalysisStatus
    public let method: ComparisonMethod
    public let scale: LiftScale
    public let alternative: Alternative
    public let alpha: Double
    public let controlN: Int
    public let treatmentN: Int
    /// Control mean (proportion, ratio, or CUPED-adjusted mean).
    public let controlMean: Double?
    /// Treatment mean (proportion, ratio, or CUPED-adjusted mean).
    public let treatmentMean: Double?
    /// treatment − control (absolute) or treatment/control − 1 (relative).
    public let estimate: Double?
    /// The standard error of `estimate` used for the confidence interval (for the two-proportion
    /// test this is the unpooled SE; the test uses the pooled SE).
    public let standardError: Double?
    public let lower: Double?
    public let upper: Double?
    /// t or z statistic of H0: no difference.
    public let statistic: Double?
    /// Degrees of freedom of the t reference distribution; `.infinity` for a normal reference.
    public let degreesOfFreedom: Double?
    public let pValue: Double?

    /// True when the status is ok and p < α.
    public var isSignificant: Bool {
        guard status == .ok, let p = pValue else { return false }
        return p < alpha
    }

    /// A result with nothing computed beyond the means and the given estimate.
    static func failed(_ status: AnalysisStatus, method: ComparisonMethod, scale: LiftScale, alternative: Alternative,
                       alpha: Double, controlN: Int, treatmentN: Int, controlMean: Double? = nil,
                       treatmentMean: Double? = nil, estimate: Double? = nil) -> FixedHorizonResult {
        FixedHorizonResult(status: status, method: method, scale: scale, alternative: alternative, alpha: alpha,
                         controlN: controlN, treatmentN: treatmentN, controlMean: controlMean,
                         treatmentMean: treatmentMean, estimate: estimate, standardError: nil, lower: nil,
                         upper: nil, statistic: nil, degreesOfFreedom: nil, pValue: nil)
    }
}

/// Fixed-horizon comparisons of treatment against control on sufficient statistics.
///
/// Every function is cheap (no allocation on the success path) so a Monte Carlo harness can
/// call it millions of times. Programmer errors (α outside (0, 1)) throw ``AnalysisError``;
/// data that cannot be analysed returns a result whose ``FixedHorizonResult/status`` says why.
///
/// Relative lifts use the delta method (Casella & Berger 2002, §5.5.4; the form of GrowthBook
/// gbstats `TTest.variance`): for r = μ_T/μ_C − 1,
/// Var(r̂) ≈ σ_T²/(μ_C² n_T) + μ_T² σ_C²/(μ_C⁴ n_C), and the interval is r̂ ± z·SE with a
/// normal reference (the delta method is asymptotic) — never "absolute CI ÷ control mean".
public enum Comparisons {
    /// Welch's unequal-variance t test of treatment − control (Welch 1947, Biometrika 34:28–35).
    ///
    /// Absolute: d = ȳ_T − ȳ_C, SE = √(s_T²/n_T + s_C²/n_C) (sample variances, n − 1),
    /// Welch–Satterthwaite df ν = SE⁴ / [(s_T²/n_T)²/(n_T − 1) + (s_C²/n_C)²/(n_C − 1)]
    /// (Satterthwaite 1946, eq. 17), t = d/SE, p and CI from Student's t with ν df.
    /// Relative: the delta method (see ``Comparisons``), normal reference.
    /// Checked against scipy `ttest_ind(b, a, equal_var=False)` (ORACLES §11).
    ///
    /// Status: `empty_arm` (n = 0), `insufficient_sample` (n = 1), `zero_variance` (SE = 0),
    /// `non_finite_input`, `invalid_statistics`, `zero_control_mean` (relative only).
    public static func welch(control: MeanStatistic, treatment: MeanStatistic, scale: LiftScale = .absolute,
                             alpha: Double = 0.05, alternative: Alternative = .twoSided) throws(AnalysisError) -> FixedHorizonResult {
        try AnalysisError.checkAlpha(alpha, in: "Comparisons.welch(alpha:)")
        return meanComparison(method: .welch, control: control, treatment: treatment, scale: scale,
                              alpha: alpha, alternative: alternative)
    }

    /// Student's pooled-variance two-sample t test of treatment − control (Student 1908;
    /// Fisher's pooled form).
    ///
    /// Absolute: s_p² = [(n_T − 1)s_T² + (n_C − 1)s_C²]/(n_T + n_C − 2),
    /// SE = s_p √(1/n_T + 1/n_C), df = n_T + n_C − 2, t = d/SE.
    /// Relative: the delta method with each arm's own variance (see ``Comparisons``), normal
    /// reference. Checked against scipy `ttest_ind(b, a, equal_var=True)`.
    ///
    /// Requires n ≥ 2 in each arm (`insufficient_sample` otherwise); other statuses as ``welch(control:treatment:scale:alpha:alternative:)``.
    public static func student(control: MeanStatistic, treatment: MeanStatistic, scale: LiftScale = .absolute,
                               alpha: Double = 0.05, alternative: Alternative = .twoSided) throws(AnalysisError) -> FixedHorizonResult {
        try AnalysisError.checkAlpha(alpha, in: "Comparisons.student(alpha:)")
        return meanComparison(method: .student, control: control, treatment: treatment, scale: scale,
                              alpha: alpha, alternative: alternative)
    }

    /// Two-proportion z test of p_T − p_C (e.g. Agresti 2013, §3.1; Fleiss, Levin & Paik 2003, §2.5).
    ///
    /// Test: pooled p̄ = (x_T + x_C)/(n_T + n_C), SE₀ = √(p̄(1 − p̄)(1/n_T + 1/n_C)), z = d/SE₀
    /// (identical to Pearson's χ² without continuity correction; statsmodels `proportions_ztest`).
    /// CI: unpooled Wald SE = √(p_T(1 − p_T)/n_T + p_C(1 − p_C)/n_C), d ± z_{1−α/2}·SE
    /// (statsmodels `confint_proportions_2indep(method="wald")`).
    /// Relative lift r = p_T/p_C − 1: delta-method SE
    /// √(p_T(1−p_T)/(n_T p_C²) + p_T² p_C(1−p_C)/(n_C p_C⁴)); Wald z test and CI on r.
    ///
    /// Status: `empty_arm`, `no_conversions` (x_T = x_C = 0), `all_conversions`,
    /// `degenerate_interval` (absolute, each arm's rate 0 or 1: a zero-width Wald interval),
    /// `invalid_statistics` (negative n, successes outside [0, n]), `zero_control_mean` (relative),
    /// `zero_variance` (relative, when the delta-method SE is 0).
    public static func twoProportion(control: ProportionStatistic, treatment: ProportionStatistic,
                                     scale: LiftScale = .absolute, alpha: Double = 0.05,
                                     alternative: Alternative = .twoSided) throws(AnalysisError) -> FixedHorizonResult {
        try AnalysisError.checkAlpha(alpha, in: "Comparisons.twoProportion(alpha:)")
        let method = ComparisonMethod.twoProportionZ
        let nC = control.n, nT = treatment.n
        func fail(_ s: AnalysisStatus, _ mC: Double? = nil, _ mT: Double? = nil, _ est: Double? = nil) -> FixedHorizonResult {
            .failed(s, method: method, scale: scale, alternative: alternative, alpha: alpha,
                    controlN: nC, treatmentN: nT, controlMean: mC, treatmentMean: mT, estimate: est)
        }
        guard nC >= 0, nT >= 0, control.successes >= 0, treatment.successes >= 0,
              control.successes <= nC, treatment.successes <= nT else { return fail(.invalidStatistics) }
        guard nC > 0, nT > 0 else { return fail(.emptyArm) }
        let dnC = Double(nC), dnT = Double(nT)
        let pC = Double(control.successes) / dnC, pT = Double(treatment.successes) / dnT
        let varC = pC * (1 - pC), varT = pT * (1 - pT)
        switch scale {
        case .absolute:
            let d = pT - pC
            let total = control.successes + treatment.successes
            if total == 0 { return fail(.noConversions, pC, pT, d) }
            if total == nC + nT { return fail(.allConversions, pC, pT, d) }
            let pooled = Double(total) / (dnC + dnT)
            let se0 = (pooled * (1 - pooled) * (1 / dnC + 1 / dnT)).squareRoot()
            let se = (varT / dnT + varC / dnC).squareRoot()
            guard se > 0 else { return fail(.degenerateInterval, pC, pT, d) }
            return finish(method: method, scale: scale, alpha: alpha, alternative: alternative, nC: nC, nT: nT,
                          mC: pC, mT: pT, estimate: d, testSE: se0, ciSE: se, df: .infinity)
        case .relative:
            if control.successes == 0 {
                return fail(treatment.successes == 0 ? .noConversions : .zeroControlMean, pC, pT)
            }
            let r = pT / pC - 1
            let se = (varT / (dnT * pC * pC) + pT * pT * varC / (dnC * pC * pC * pC * pC)).squareRoot()
            guard se > 0 else { return fail(.zeroVariance, pC, pT, r) }
            return finish(method: method, scale: scale, alpha: alpha, alternative: alternative, nC: nC, nT: nT,
                          mC: pC, mT: pT, estimate: r, testSE: se, ciSE: se, df: .infinity)
        }
    }

    /// Ratio metric R = ΣY/ΣX per arm, compared by the delta method (Deng, Knoblich & Lu,
    /// KDD 2018, "Applying the Delta Method in Metric Analytics", eq. 3; Kohavi, Tang & Xu 2020, ch. 18).
    ///
    /// Per arm: R̂ = Ȳ/X̄, Var(R̂) ≈ [s_YY − 2R̂ s_XY + R̂² s_XX]/(n X̄²) with sample
    /// (co)variances (n − 1). Absolute: d = R̂_T − R̂_C, SE = √(Var_T + Var_C); relative
    /// r = R̂_T/R̂_C − 1, SE = √(Var_T/R̂_C² + R̂_T² Var_C/R̂_C⁴). Wald z test and interval.
    ///
    /// Status: `empty_arm`, `insufficient_sample` (n = 1), `zero_denominator` (ΣX = 0),
    /// `zero_variance`, `zero_control_mean` (relative with R̂_C = 0), `non_finite_input`.
    public static func ratio(control: RatioStatistic, treatment: RatioStatistic, scale: LiftScale = .absolute,
                             alpha: Double = 0.05, alternative: Alternative = .twoSided) throws(AnalysisError) -> FixedHorizonResult {
        try AnalysisError.checkAlpha(alpha, in: "Comparisons.ratio(alpha:)")
        let method = ComparisonMethod.ratioDelta
        let nC = control.n, nT = treatment.n
        func fail(_ s: AnalysisStatus, _ mC: Double? = nil, _ mT: Double? = nil, _ est: Double? = nil) -> FixedHorizonResult {
            .failed(s, method: method, scale: scale, alternative: alternative, alpha: alpha,
                    controlN: nC, treatmentN: nT, controlMean: mC, treatmentMean: mT, estimate: est)
        }
        guard nC >= 0, nT >= 0 else { return fail(.invalidStatistics) }
        guard control.isFinite, treatment.isFinite else { return fail(.nonFiniteInput) }
        guard nC > 0, nT > 0 else { return fail(.emptyArm) }
        guard control.sumX != 0, treatment.sumX != 0 else { return fail(.zeroDenominator) }
        let rC = control.sumY / control.sumX, rT = treatment.sumY / treatment.sumX
        guard nC >= 2, nT >= 2 else {
            return fail(.insufficientSample, rC, rT, scale == .absolute ? rT - rC : (rC != 0 ? rT / rC - 1 : nil))
        }
        guard let vC = ratioVariance(control, rC), let vT = ratioVariance(treatment, rT) else {
            return fail(.nonFiniteInput, rC, rT)
        }
        switch scale {
        case .absolute:
            let se = (vC + vT).squareRoot()
            guard se > 0 else { return fail(.zeroVariance, rC, rT, rT - rC) }
            return finish(method: method, scale: scale, alpha: alpha, alternative: alternative, nC: nC, nT: nT,
                          mC: rC, mT: rT, estimate: rT - rC, testSE: se, ciSE: se, df: .infinity)
        case .relative:
            guard rC != 0 else { return fail(.zeroControlMean, rC, rT) }
            let r = rT / rC - 1
            let se = (vT / (rC * rC) + rT * rT * vC / (rC * rC * rC * rC)).squareRoot()
            guard se > 0 else { return fail(.zeroVariance, rC, rT, r) }
            return finish(method: method, scale: scale, alpha: alpha, alternative: alternative, nC: nC, nT: nT,
                          mC: rC, mT: rT, estimate: r, testSE: se, ciSE: se, df: .infinity)
        }
    }

    /// The delta-method variance of one arm's ratio R̂ = ΣY/ΣX (Deng et al. 2018, eq. 3):
    /// [s_YY − 2R s_XY + R² s_XX]/(n X̄²), sample (co)variances with n − 1, clamped at 0,
    /// evaluated at the ratio `r` (normally ΣY/ΣX). `nil` when n < 2, ΣX = 0 or an input is not finite.
    public static func ratioVariance(_ s: RatioStatistic, _ r: Double) -> Double? {
        guard s.n >= 2, s.sumX != 0, s.isFinite, r.isFinite else { return nil }
        let n = Double(s.n)
        let mx = s.sumX / n, my = s.sumY / n
        let sxx = (s.sumXSquares - s.sumX * mx) / (n - 1)
        let syy = (s.sumYSquares - s.sumY * my) / (n - 1)
        let sxy = (s.sumXY - s.sumX * my) / (n - 1)
        return max((syy - 2 * r * sxy + r * r * sxx) / (n * mx * mx), 0)
    }

    /// Every treatment against the same control (A/B/n), in the order given; `compare` is one
    /// of the functions above, e.g. `{ try Comparisons.welch(control: $0, treatment: $1) }`.
    /// No correction is applied: pass the p-values to ``MultipleTesting/adjust(_:method:alpha:)``
    /// with the family you choose.
    public static func eachAgainstControl<S, E: Error>(control: S, treatments: [S],
                                                       _ compare: (S, S) throws(E) -> FixedHorizonResult) throws(E) -> [FixedHorizonResult] {
        var out: [FixedHorizonResult] = []
        out.reserveCapacity(treatments.count)
        for t in treatments { out.append(try compare(control, t)) }
        return out
    }

    // MARK: - Shared machinery

    /// Welch or Student on mean statistics (also used by CUPED with adjusted moments).
    static func meanComparison(method: ComparisonMethod, control: MeanStatistic, treatment: MeanStatistic,
                               scale: LiftScale, alpha: Double, alternative: Alternative) -> FixedHorizonResult {
        let nC = control.n, nT = treatment.n
        func fail(_ s: AnalysisStatus, _ mC: Double? = nil, _ mT: Double? = nil, _ est: Double? = nil) -> FixedHorizonResult {
            .failed(s, method: method, scale: scale, alternative: alternative, alpha: alpha,
                    controlN: nC, treatmentN: nT, controlMean: mC, treatmentMean: mT, estimate: est)
        }
        guard nC >= 0, nT >= 0, control.sumOfSquares >= 0 || control.sumOfSquares.isNaN,
              treatment.sumOfSquares >= 0 || treatment.sumOfSquares.isNaN else { return fail(.invalidStatistics) }
        guard control.sum.isFinite, control.sumOfSquares.isFinite, treatment.sum.isFinite,
              treatment.sumOfSquares.isFinite else { return fail(.nonFiniteInput) }
        guard nC > 0, nT > 0 else { return fail(.emptyArm) }
        let dnC = Double(nC), dnT = Double(nT)
        let mC = control.sum / dnC, mT = treatment.sum / dnT
        guard nC >= 2, nT >= 2 else {
            return fail(.insufficientSample, mC, mT, scale == .absolute ? mT - mC : (mC != 0 ? mT / mC - 1 : nil))
        }
        let vC = max((control.sumOfSquares - control.sum * mC) / (dnC - 1), 0)
        let vT = max((treatment.sumOfSquares - treatment.sum * mT) / (dnT - 1), 0)
        return meanComparison(method: method, nC: nC, nT: nT, mC: mC, mT: mT, vC: vC, vT: vT,
                              scale: scale, alpha: alpha, alternative: alternative)
    }

    /// Welch or Student from per-arm n, mean and sample variance (n ≥ 2 each).
    static func meanComparison(method: ComparisonMethod, nC: Int, nT: Int, mC: Double, mT: Double, vC: Double,
                               vT: Double, scale: LiftScale, alpha: Double, alternative: Alternative) -> FixedHorizonResult {
        let dnC = Double(nC), dnT = Double(nT)
        func fail(_ s: AnalysisStatus, _ est: Double? = nil) -> FixedHorizonResult {
            .failed(s, method: method, scale: scale, alternative: alternative, alpha: alpha,
                    controlN: nC, treatmentN: nT, controlMean: mC, treatmentMean: mT, estimate: est)
        }
        switch scale {
        case .absolute:
            let d = mT - mC
            let se: Double, df: Double
            if method == .student {
                let sp2 = ((dnC - 1) * vC + (dnT - 1) * vT) / (dnC + dnT - 2)
                se = (sp2 * (1 / dnC + 1 / dnT)).squareRoot()
                df = dnC + dnT - 2
            } else {
                let aC = vC / dnC, aT = vT / dnT
                se = (aC + aT).squareRoot()
                df = (aC + aT) * (aC + aT) / (aC * aC / (dnC - 1) + aT * aT / (dnT - 1))
            }
            guard se > 0 else { return fail(.zeroVariance, d) }
            return finish(method: method, scale: scale, alpha: alpha, alternative: alternative, nC: nC, nT: nT,
                          mC: mC, mT: mT, estimate: d, testSE: se, ciSE: se, df: df)
        case .relative:
            guard mC != 0 else { return fail(.zeroControlMean) }
            let r = mT / mC - 1
            let se = (vT / (mC * mC * dnT) + vC * mT * mT / (mC * mC * mC * mC * dnC)).squareRoot()
            guard se > 0 else { return fail(.zeroVariance, r) }
            return finish(method: method, scale: scale, alpha: alpha, alternative: alternative, nC: nC, nT: nT,
                          mC: mC, mT: mT, estimate: r, testSE: se, ciSE: se, df: .infinity)
        }
    }

    /// Statistic, p-value and interval from an estimate, its test SE and interval SE, against
    /// Student's t with `df` degrees of freedom (the standard normal when df = ∞).
    static func finish(method: ComparisonMethod, scale: LiftScale, alpha: Double, alternative: Alternative,
                       nC: Int, nT: Int, mC: Double, mT: Double, estimate: Double, testSE: Double,
                       ciSE: Double, df: Double) -> FixedHorizonResult {
        guard estimate.isFinite, testSE.isFinite, ciSE.isFinite, df.isFinite || df == .infinity, !df.isNaN else {
            return .failed(.nonFiniteInput, method: method, scale: scale, alternative: alternative, alpha: alpha,
                           controlN: nC, treatmentN: nT)
        }
        let stat = estimate / testSE
        let p: Double, lower: Double, upper: Double
        do {
            let tail = alternative == .twoSided ? alpha / 2 : alpha
            let q: Double
            if df == .infinity {
                let z = Normal.standard
                p = pValue(stat, alternative, cdf: z.cdf, sf: z.sf)
                q = try z.inverseSurvival(tail)
            } else {
                let t = try StudentT(nu: df)
                p = pValue(stat, alternative, cdf: t.cdf, sf: t.sf)
                q = try t.inverseSurvival(tail)
            }
            switch alternative {
            case .twoSided: lower = estimate - q * ciSE; upper = estimate + q * ciSE
            case .greater: lower = estimate - q * ciSE; upper = .infinity
            case .less: lower = -.infinity; upper = estimate + q * ciSE
            }
        } catch {
            return .failed(.numericalFailure, method: method, scale: scale, alternative: alternative, alpha: alpha,
                           controlN: nC, treatmentN: nT, controlMean: mC, treatmentMean: mT, estimate: estimate)
        }
        return FixedHorizonResult(status: .ok, method: method, scale: scale, alternative: alternative, alpha: alpha,
                                controlN: nC, treatmentN: nT, controlMean: mC, treatmentMean: mT,
                                estimate: estimate, standardError: ciSE, lower: lower, upper: upper,
                                statistic: stat, degreesOfFreedom: df, pValue: p)
    }

    @inline(__always)
    static func pValue(_ stat: Double, _ alternative: Alternative, cdf: (Double) -> Double,
                       sf: (Double) -> Double) -> Double {
        switch alternative {
        case .twoSided: min(1, 2 * sf(abs(stat)))
        case .greater: sf(stat)
        case .less: cdf(stat)
        }
    }
}
