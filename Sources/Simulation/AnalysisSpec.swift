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

extension AnalysisMethod {
    /// The Analysis module's test for a metric method (nil for the SRM check).
    public var metricTest: MetricTest? {
        switch self {
        case .zTest: return .zTest
        case .welchT: return .welchT
        case .studentT: return .studentT
        case .cuped: return .cuped
        case .deltaRatio: return .deltaRatio
        case .srm: return nil
        }
    }
}

/// What an analysis estimates, which defines the true value for bias and coverage.
public enum Estimand: String, Equatable, Sendable {
    /// Treatment mean minus control mean.
    case absolute
    /// (Treatment mean − control mean) / control mean, CI by the delta method.
    case relative
}

/// When an analysis may stop and reject. Every policy applies to the comparison's estimate
/// and standard error at each look (from the analysis method), through the Analysis module.
public enum StoppingPolicy: Equatable, Sendable {
    /// Analyse once, at the last look.
    case fixedHorizon
    /// Test at nominal α at every look; reject at the first look with p < α (the policy to
    /// calibrate against: Armitage, McPherson & Rowe 1969).
    case naivePeeking
    /// A two-sided group sequential design with Lan–DeMets α-spending: reject at look k when
    /// |z| ≥ c_k. The information fraction of a look is the units arrived by it over
    /// `plannedUnits` (default: the population's units); a look at fraction ≥ 1 is final
    /// (truncation) and the last look spends all remaining α. The interval at the stop is the
    /// repeated confidence interval estimate ± c_k·SE (Jennison & Turnbull 2000, ch. 9).
    case groupSequential(spending: SpendingFunction, plannedUnits: Int?)
    /// mSPRT with a normal mixture N(0, τ²) on the effect (Johari et al. 2017): reject when
    /// Λ ≥ 1/α; the interval is the always-valid interval at the stop.
    case mixtureSPRT(tau2: Double)
    /// Asymptotic confidence sequence with tuning sample size N* (Howard et al. 2021,
    /// GrowthBook's form): reject when the sequence excludes 0.
    case confidenceSequence(tuningSampleSize: Double)
    /// Stop and ship when the chance to beat control (the Analysis module's normal–normal
    /// posterior, flat prior) exceeds `threshold` at a look; "rejection" = such a stop; the
    /// interval is the 1 − α credible interval.
    case bayesianStop(threshold: Double)
}

extension StoppingPolicy {
    /// The Analysis module's monitoring policy that decides at each look.
    public var monitoringPolicy: MonitoringPolicy {
        switch self {
        case .fixedHorizon: return .fixedHorizon
        case .naivePeeking: return .naivePeeking
        case let .groupSequential(spending, _): return .groupSequential(spending: spending.analysis)
        case let .mixtureSPRT(tau2): return .mixtureSPRT(tau2: tau2)
        case let .confidenceSequence(n): return .confidenceSequence(tuningSampleSize: n)
        case let .bayesianStop(threshold): return .bayesianStop(threshold: threshold)
        }
    }
}

/// The α-spending function of a group sequential policy.
public enum SpendingFunction: Equatable, Sendable {
    /// O'Brien–Fleming type, rpact `asOF` convention (α/2 per side).
    case obrienFleming
    /// Pocock type, α·ln(1 + (e − 1)t).
    case pocock
    /// Power family α·t^ρ (Kim & DeMets 1987).
    case power(rho: Double)

    var analysis: AlphaSpending {
        switch self {
        case .obrienFleming: return .obrienFleming
        case .pocock: return .pocock
        case let .power(rho): return .power(rho: rho)
        }
    }
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
    /// Multiple testing: P(at least one true null rejected).
    case fwer
    /// Multiple testing: E[V / max(R, 1)].
    case fdr
    /// Multiple testing: mean share of the true effects rejected.
    case averagePower = "average_power"
    /// Multiple testing: P(at least one true effect rejected).
    case anyPower = "any_power"
    /// Time-varying effects only: mean(θ̂) − the long-run effect (days since exposure → ∞).
    case biasLongRun = "bias_long_run"
}
