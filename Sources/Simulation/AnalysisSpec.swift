import Analysis

/// One analysis applied to every replication: a metric, a method, an estimand, a stopping
/// policy, and which contrasts it estimates.
public struct AnalysisSpec: Equatable, Sendable {
    public var id: String
    /// The metric analysed (nil for the SRM check, which looks at unit counts).
    public var metric: String?
    public var method: AnalysisMethod
    public var estimand: Estimand
    public var alpha: Double
    public var alternative: Alternative
    public var policy: StoppingPolicy
    public var contrast: Contrast

    public init(id: String, metric: String?, method: AnalysisMethod, estimand: Estimand = .absolute,
                alpha: Double = 0.05, alternative: Alternative = .twoSided, policy: StoppingPolicy = .fixedHorizon,
                contrast: Contrast = .eachVariantVsControl) {
        self.id = id
        self.metric = metric
        self.method = method
        self.estimand = estimand
        self.alpha = alpha
        self.alternative = alternative
        self.policy = policy
        self.contrast = contrast
    }
}

/// The statistical method of an analysis (all implemented by the `Analysis` module).
public enum AnalysisMethod: String, CaseIterable, Equatable, Sendable {
    /// Two-proportion z-test (pooled SE for the test, unpooled for the CI).
    case zTest = "z_test"
    /// Welch's t-test.
    case welchT = "welch_t"
    /// Student's pooled-variance t-test.
    case studentT = "student_t"
    /// Welch's t-test on CUPED-adjusted outcomes (θ from pooled data).
    case cuped = "cuped"
    /// Ratio metric Σy/Σx per arm, delta-method variance.
    case deltaRatio = "delta_ratio"
    /// Pearson χ² sample-ratio-mismatch check against the design weights.
    case srm = "srm"
}

/// What an analysis estimates, which defines the true value for bias and coverage.
public enum Estimand: String, Equatable, Sendable {
    /// Treatment mean minus control mean.
    case absolute
    /// (Treatment mean − control mean) / control mean, CI by the delta method.
    case relative
}

/// When an analysis may stop and reject.
public enum StoppingPolicy: Equatable, Sendable {
    /// Analyse once, at the last look.
    case fixedHorizon
    /// Test at nominal α at every look; reject at the first look with p < α (the policy to
    /// calibrate against: Armitage, McPherson & Rowe 1969).
    case naivePeeking
}

/// Which comparisons an analysis makes.
public enum Contrast: Equatable, Sendable {
    /// Every non-control variant against the control (A/B, A/B/n).
    case eachVariantVsControl
    /// An MVT factor's main effect: units at the factor's non-control level vs its control
    /// level, pooled over the other factors.
    case mainEffect(factor: String)
    /// The 2×2 interaction contrast of two MVT factors (difference of differences).
    case interaction(String, String)
}

/// A performance measure (Morris, White & Crowther 2019, Table 6).
public enum Measure: String, CaseIterable, Codable, Sendable {
    case rejectionRate = "rejection_rate"
    case coverage
    case bias
    case empiricalSE = "empirical_se"
    case modelSE = "model_se"
    case rmse
    case ciWidth = "ci_width"
    case meanSampleSize = "mean_sample_size"
    case meanStopLook = "mean_stop_look"
    /// CUPED only: the achieved reduction in the variance of the estimate, 1 − Var_adj/Var.
    case varianceReduction = "variance_reduction"
}
