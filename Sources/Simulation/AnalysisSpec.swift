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
    /// Which units the analysis reads and how (filters, winsorisation, strata, guards).
    public var options: AnalysisOptions
    /// `method: {external: ...}`: the engine that answers this analysis (its method is
    /// ``AnalysisMethod/external``), nil for SplitBench's own methods.
    public var external: ExternalEngineSpec? = nil

    public init(id: String, metric: String?, method: AnalysisMethod, estimand: Estimand = .absolute,
                alpha: Double = 0.05, alternative: Alternative = .twoSided, policy: StoppingPolicy = .fixedHorizon,
                contrast: Contrast = .eachVariantVsControl, options: AnalysisOptions = AnalysisOptions()) {
        self.options = options
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

/// Which units an analysis reads and what it does to them before its method runs. Everything
/// but the SRM options needs the unit-level values (a metric observed once, a design analysed
/// by unit); the engine then computes the analysis's statistics from the column table at each
/// look instead of from the shared running sums.
public struct AnalysisOptions: Equatable, Sendable {
    /// Only units in these segment levels (`where: {device: mobile}` or `{device: [a, b]}`):
    /// a triggered or subgroup analysis.
    public var segmentFilter: [String: [String]]
    /// Only units that arrived on or after this day (`from_day: 2`: e.g. the final allocation
    /// period of a ramp-up).
    public var fromDay: Double?
    /// Bot filtering (`exclude: {metric: pageviews, above: 100}`): units whose value of
    /// `metric` exceeds `above` are dropped (the Analysis module's `ActivityFilter`); the share
    /// removed is the `excluded_share` measure.
    public var exclude: ActivityRule?
    /// Winsorisation at quantiles of the look's pooled values (`winsorize: 0.99` or `{lower:
    /// 0.01, upper: 0.99}`), the Analysis module's `Winsorization`.
    public var winsorize: WinsorizeRule?
    /// A stratified comparison (`stratify: allocation_period`): one stratum per period between
    /// the design's allocation changes, combined by the Analysis module's
    /// `StratifiedComparison`.
    public var stratify: Stratification?
    /// The subpopulation whose effect the analysis claims to estimate (`estimand_in:
    /// {triggered: yes}`), when it differs from the units it reads: the truth is the effect
    /// averaged over those segment levels only.
    public var estimandIn: [String: [String]]
    /// SRM only: flag only when the largest share gap is at least this (the minimum-deviation rule).
    public var minimumShareDeviation: Double?
    /// What the analysis treats as an observation: each unit (default), or each group of the
    /// design's analysis unit (`level: group`: a cluster, or a region × window of a switchback),
    /// whose mean is one observation of Welch's test.
    public var groupLevel: Bool
    /// A metric analysis guarded by an SRM analysis (`guard: srm`): it ships (rejects) only when
    /// that check did not flag.
    public var guardBy: String?
    /// `covariate: latent`: the covariate of the unit-level statistics (CUPED's x) is the
    /// population's latent factor instead of the metric's pre-period value (regression
    /// adjustment on the covariate a stratified design balanced).
    public var latentCovariate: Bool = false

    public init(segmentFilter: [String: [String]] = [:], fromDay: Double? = nil, exclude: ActivityRule? = nil,
                winsorize: WinsorizeRule? = nil, stratify: Stratification? = nil, estimandIn: [String: [String]] = [:],
                minimumShareDeviation: Double? = nil, guardBy: String? = nil, groupLevel: Bool = false) {
        self.groupLevel = groupLevel
        self.segmentFilter = segmentFilter
        self.fromDay = fromDay
        self.exclude = exclude
        self.winsorize = winsorize
        self.stratify = stratify
        self.estimandIn = estimandIn
        self.minimumShareDeviation = minimumShareDeviation
        self.guardBy = guardBy
    }

    /// Whether the analysis needs the unit-level pass.
    public var needsUnitLevel: Bool {
        !segmentFilter.isEmpty || fromDay != nil || exclude != nil || winsorize != nil || stratify != nil || latentCovariate
    }
}

/// Units whose `metric` value exceeds `above` are excluded (a per-unit activity threshold).
public struct ActivityRule: Equatable, Sendable {
    public var metric: String
    public var above: Double
    public init(metric: String, above: Double) {
        self.metric = metric
        self.above = above
    }
}

/// Caps at the `lower` and `upper` quantiles of the pooled values at each look.
public struct WinsorizeRule: Equatable, Sendable {
    public var lower: Double
    public var upper: Double
    public init(lower: Double = 0, upper: Double) {
        self.lower = lower
        self.upper = upper
    }
}

/// How a stratified analysis forms its strata.
public enum Stratification: Equatable, Sendable {
    /// One stratum per period between the design's allocation changes (by arrival day).
    case allocationPeriod
    /// Strata of the units' own columns (`stratify: {latent_quantiles: q}` or `{segment:
    /// NAME}`): the post-stratified analysis of a stratified (blocked) design.
    case units(UnitStrata)
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
    /// Sequential SRM check valid under continuous monitoring: the Dirichlet–multinomial Bayes
    /// factor of Lindon & Malek (2022), p = min(1, 1/BF) (the Analysis module's `SequentialSRM`).
    case srmSequential = "srm_sequential"
    /// Novelty check on a daily metric: the weighted-least-squares slope of the per-age treatment
    /// effect (Welch per day since exposure) on the age, z test (the Analysis module's
    /// `NoveltyTrend`). "Rejection" = a trend detected.
    case noveltyTrend = "novelty_trend"
    /// Cluster-robust difference in means over the design's groups (clusters, or region ×
    /// window pairs), CR2 (Bell & McCaffrey 2002) with the Imbens–Kolesár df (the Analysis
    /// module's `ClusterRobust`).
    case clusterRobust = "cluster_robust"
    /// Switchbacks: two-way fixed-effects regression of the region × window means on the arm
    /// (region and window effects) with Driscoll–Kraay HAC standard errors (Newey–West over
    /// windows, Bartlett lags ⌊4(T/100)^(2/9)⌋; the Analysis module's `PanelRegression`).
    case panelHAC = "panel_hac"
    /// Adaptive designs (bandits): the inverse-propensity-weighted difference in means with the
    /// logged allocation weights of each period (Horvitz–Thompson, weights known; the Analysis
    /// module's `AdaptiveEstimation.ipw`), normal CI.
    case ipw = "ipw"
    /// Adaptive designs: the allocation's cumulative regret Σ_a n_a(μ* − μ_a) over the units
    /// assigned by the look, from the true arm means (reported as `regret`), and whether the arm
    /// with the largest final weight is the best one (`best_arm_rate`).
    case regret = "regret"
    /// Adaptive designs: the period-aware SRM check — expected count of arm a = Σ_p n_p·w_{p,a}
    /// with each period's logged weights, Pearson χ² (the Analysis module's `AdaptiveEstimation.srm`).
    case srmPeriods = "srm_periods"
    /// Adaptive designs: each period's difference in means combined with weights n_p/N (the
    /// Analysis module's `AdaptiveEstimation.stratifiedByPeriod`), normal CI.
    case periodStratified = "period_stratified"
    /// A launch programme (`launched_features`): the sum of the shipped features' individual test
    /// estimates, SE √Σ SE_f² treating them as independent, normal CI (the Analysis module's
    /// `ProgrammeLift.sum`) — what a team reports as its quarter's impact. Its bias against the
    /// holdout truth is the overstatement.
    case summedLifts = "summed_lifts"
    /// An external stats engine (`method: {external: {command, engine, config}}`): each look's
    /// per-arm sufficient statistics are sent to the engine's process, whose estimate, SE,
    /// interval, p-value (or chance to win / e-value) and decision are the look's result
    /// (``ExternalEngineSpec``; protocol in the README, "Testing your own stats engine").
    case external = "external"
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
        case .srm, .srmSequential, .noveltyTrend, .clusterRobust, .panelHAC, .ipw, .regret, .srmPeriods, .periodStratified, .summedLifts, .external: return nil
        }
    }

    /// Whether the method checks arm sizes (unit counts) rather than a metric.
    public var isSampleRatioCheck: Bool { self == .srm || self == .srmSequential || self == .srmPeriods }

    /// Whether the method reads the allocation log of an adaptive design.
    public var isAdaptive: Bool { self == .ipw || self == .regret || self == .srmPeriods || self == .periodStratified }

    /// Whether the method analyses the design's groups (clusters, region × windows).
    public var analysesGroups: Bool { self == .clusterRobust || self == .panelHAC }
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
    /// The measures a scenario reports when it does not list them: all but `ship_rate`, which is
    /// asked for by name.
    public static var standard: [Measure] { allCases.filter { $0 != .shipRate } }

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
    /// Time-varying effects only: mean(θ̂) − the long-run effect (days since exposure → ∞;
    /// the whole-week average for calendar effects).
    case biasLongRun = "bias_long_run"
    /// The share of replications that ship the treatment: rejected with a positive estimate
    /// (after the SRM guard, when the analysis has one).
    case shipRate = "ship_rate"
    /// Bot filtering: the mean share of the logged units the analysis's `exclude` rule removed.
    case excludedShare = "excluded_share"
    /// Bandits (`method: regret`): the mean cumulative regret Σ_a n_a(μ* − μ_a).
    case regret
    /// Bandits (`method: regret`): the share of replications whose final allocation favours the best arm.
    case bestArmRate = "best_arm_rate"
    /// Bandits (`method: regret` with several looks): the mean slope of the regret against ln T
    /// between the first and the last look, (R_K − R_1)/ln(n_K/n_1); Lai & Robbins (1985): it
    /// tends to at least C = Σ_i Δ_i/KL(p_i‖p*) for a uniformly good policy, and Thompson
    /// sampling attains C (Kaufmann, Korda & Munos 2012).
    case regretSlope = "regret_slope"
    /// Truths random per replication (a launch programme's shipped features): the mean of the
    /// replications' true values, beside which `bias` is read.
    case meanTruth = "mean_truth"
}
