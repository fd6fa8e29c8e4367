/// The test applied to one metric when two groups are compared (the harness's analysis methods,
/// by their scenario-file names).
public enum MetricTest: String, Codable, Sendable, CaseIterable {
    /// Two-proportion z test on 0/1 values: pooled SE for the test, unpooled Wald SE for the
    /// interval (``Comparisons/twoProportion(control:treatment:scale:alpha:alternative:)``).
    case zTest = "z_test"
    /// Welch's unequal-variance t test (Welch 1947; ``Comparisons/welch(control:treatment:scale:alpha:alternative:)``).
    case welchT = "welch_t"
    /// Student's pooled-variance t test (``Comparisons/student(control:treatment:scale:alpha:alternative:)``).
    case studentT = "student_t"
    /// Welch's t test on CUPED-adjusted values, θ from the pooled data (Deng et al. 2013;
    /// ``Comparisons/cuped(control:treatment:scale:alpha:alternative:)``).
    case cuped = "cuped"
    /// Ratio metric ΣY/ΣX per group, delta-method variance (Deng, Knoblich & Lu 2018, eq. 3;
    /// ``Comparisons/ratio(control:treatment:scale:alpha:alternative:)``).
    case deltaRatio = "delta_ratio"
}

/// A comparison of two groups (or a linear contrast of several) on one metric.
public struct MetricComparison: Equatable, Codable, Sendable {
    /// The fixed-horizon result: estimate, SE, interval, statistic, p-value and status.
    public let result: FixedHorizonResult
    /// CUPED only: 1 − Var_adjusted(d̂)/Var_unadjusted(d̂) (``CUPEDResult/varianceReduction``);
    /// nil for the other tests, or when the unadjusted variance is zero.
    public let varianceReduction: Double?
    /// CUPED only: θ = cov(Y, X)/var(X) on the pooled data (``CUPEDResult/theta``).
    public let theta: Double?
    /// CUPED only: the pooled correlation ρ(Y, X) (``CUPEDResult/correlation``).
    public let correlation: Double?

    public init(result: FixedHorizonResult, varianceReduction: Double? = nil, theta: Double? = nil,
                correlation: Double? = nil) {
        self.result = result
        self.varianceReduction = varianceReduction
        self.theta = theta
        self.correlation = correlation
    }
}

/// The one entry point for comparing groups on a metric from their ``MomentStatistic``s, shared
/// by the Monte Carlo harness and the `splitbench analyze` command so both run the same
/// statistics. Every function dispatches to the ``Comparisons`` / ``Bayesian`` functions named
/// below with the statistics converted by ``MomentStatistic``'s conversions, and returns their
/// results unchanged (bit for bit).
///
/// Programmer errors (α or the level outside (0, 1), mismatched lengths) throw
/// ``AnalysisError``; data that cannot be analysed comes back with a status.
public enum ExperimentAnalysis {
    /// Treatment versus control on one metric with `method`:
    ///
    /// | method | call | statistics |
    /// |---|---|---|
    /// | `z_test` | ``Comparisons/twoProportion(control:treatment:scale:alpha:alternative:)`` | ``MomentStatistic/proportion`` |
    /// | `welch_t` | ``Comparisons/welch(control:treatment:scale:alpha:alternative:)`` | ``MomentStatistic/mean`` |
    /// | `student_t` | ``Comparisons/student(control:treatment:scale:alpha:alternative:)`` | ``MomentStatistic/mean`` |
    /// | `cuped` | ``Comparisons/cuped(control:treatment:scale:alpha:alternative:)`` | ``MomentStatistic/covariate`` |
    /// | `delta_ratio` | ``Comparisons/ratio(control:treatment:scale:alpha:alternative:)`` | ``MomentStatistic/ratio`` |
    ///
    /// The formulas and their sources are those of the functions called: Welch (1947) with the
    /// Welch–Satterthwaite df; Student's pooled variance; the two-proportion z test (pooled SE
    /// for the test, unpooled Wald SE for the interval; Agresti 2013 §3.1); CUPED with pooled
    /// θ = cov(Y, X)/var(X) (Deng et al., WSDM 2013, eq. 4); the ratio's delta-method variance
    /// [s_YY − 2R s_XY + R² s_XX]/(n X̄²) (Deng, Knoblich & Lu, KDD 2018, eq. 3). A relative
    /// lift uses the delta method on treatment/control − 1 with a normal reference (see
    /// ``Comparisons``).
    public static func compare(control: MomentStatistic, treatment: MomentStatistic, method: MetricTest,
                               scale: LiftScale = .absolute, alpha: Double = 0.05,
                               alternative: Alternative = .twoSided) throws(AnalysisError) -> MetricComparison {
        switch method {
        case .zTest:
            return MetricComparison(result: try Comparisons.twoProportion(control: control.proportion, treatment: treatment.proportion,
                                                                          scale: scale, alpha: alpha, alternative: alternative))
        case .welchT:
            return MetricComparison(result: try Comparisons.welch(control: control.mean, treatment: treatment.mean, scale: scale,
                                                                  alpha: alpha, alternative: alternative))
        case .studentT:
            return MetricComparison(result: try Comparisons.student(control: control.mean, treatment: treatment.mean, scale: scale,
                                                                    alpha: alpha, alternative: alternative))
        case .cuped:
            let r = try Comparisons.cuped(control: control.covariate, treatment: treatment.covariate, scale: scale,
                                          alpha: alpha, alternative: alternative)
            return MetricComparison(result: r.comparison, varianceReduction: r.varianceReduction, theta: r.theta,
                                    correlation: r.correlation)
        case .deltaRatio:
            return MetricComparison(result: try Comparisons.ratio(control: control.ratio, treatment: treatment.ratio, scale: scale,
                                                                  alpha: alpha, alternative: alternative))
        }
    }

    /// A linear contrast L = Σ c_g ȳ_g of the groups' means with a Wald z test and interval,
    /// SE = √(Σ c_g² s_g²/n_g) (Scheffé 1959, §3.1; unequal variances as in Welch 1947): the
    /// 2×2 interaction of a factorial design uses c = (+1, −1, −1, +1). Dispatches to
    /// ``Comparisons/linearContrast(groups:coefficients:alpha:alternative:)`` on
    /// ``MomentStatistic/mean`` (absolute scale only). Throws when the lengths differ, a
    /// coefficient is not finite, or α ∉ (0, 1).
    public static func contrast(groups: [MomentStatistic], coefficients: [Double], alpha: Double = 0.05,
                                alternative: Alternative = .twoSided) throws(AnalysisError) -> MetricComparison {
        MetricComparison(result: try Comparisons.linearContrast(groups: groups.map(\.mean), coefficients: coefficients,
                                                                alpha: alpha, alternative: alternative))
    }

    /// The normal–normal posterior of the lift with a flat prior, as the harness's Bayesian stop
    /// uses it (``Bayesian/normalNormal(control:treatment:scale:prior:level:)`` on
    /// ``MomentStatistic/mean``): d̂ and SE from Welch's comparison, posterior N(d̂, SE²) (Gelman
    /// et al., BDA3 §2.5; GrowthBook gbstats `GaussianEffectABTest`), chance to beat control
    /// Φ(d̂/SE), credible interval d̂ ± z_{(1+level)/2}·SE. The harness passes level = 1 − α.
    /// Throws when `level` is outside (0, 1).
    public static func chanceToBeat(control: MomentStatistic, treatment: MomentStatistic, scale: LiftScale = .absolute,
                                    level: Double) throws(AnalysisError) -> BayesianResult {
        try Bayesian.normalNormal(control: control.mean, treatment: treatment.mean, scale: scale, prior: .flat, level: level)
    }
}
