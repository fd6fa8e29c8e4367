import Analysis

/// A multiple-testing study: m normal metrics with pairwise correlation ρ (one shared latent
/// factor), a fraction of them with a true effect, every metric × treatment tested with
/// Welch's t-test at the last look, and each correction policy applied to the whole family of
/// p-values in every replication.
public struct FamilySpec: Equatable, Sendable {
    /// The number of metrics m (named `metric_1` … `metric_m`; N(0, 1) under control).
    public var metrics: Int
    /// Pairwise correlation ρ ∈ [0, 1) between the metrics of one unit.
    public var correlation: Double
    /// The share of metrics with a true effect: the first round(fraction·m) metrics.
    public var effectFraction: Double
    /// The absolute effect (in standard deviations) on those metrics, for every treatment.
    public var effect: Double
    public var alpha: Double
    public var policies: [FamilyPolicy]

    public init(metrics: Int, correlation: Double, effectFraction: Double, effect: Double, alpha: Double = 0.05,
                policies: [FamilyPolicy]) {
        self.metrics = metrics
        self.correlation = correlation
        self.effectFraction = effectFraction
        self.effect = effect
        self.alpha = alpha
        self.policies = policies
    }

    /// How many metrics carry the effect.
    public var affected: Int { Int((effectFraction * Double(metrics)).rounded()) }

    /// The generated metric specs.
    public var metricSpecs: [MetricSpec] {
        (1...metrics).map { MetricSpec(name: "metric_\($0)", kind: .distribution(.normal(mean: 0, sd: 1)), sharedFactorCorrelation: correlation) }
    }
}

/// How a family of p-values is turned into rejections: the Analysis module's
/// ``MultipleTestingPolicy`` (a correction over the whole family, or the primary metric
/// uncorrected and the rest Holm-corrected).
public typealias FamilyPolicy = MultipleTestingPolicy

/// What one correction policy did in one replication (false and true rejections).
typealias FamilyOutcome = FamilyErrorSummary

extension FamilySpec {
    /// Applies every policy to the p-values of one replication. `pValues[i]` belongs to
    /// hypothesis i, ordered metric-major (metric 1 × every treatment, metric 2 × …), so the
    /// primary metric's hypotheses are the first `treatments`; `isNull[i]` says whether it is
    /// a true null.
    func outcomes(pValues: [Double], isNull: [Bool], treatments: Int) throws(AnalysisError) -> [FamilyOutcome] {
        try policies.map { (policy) throws(AnalysisError) -> FamilyOutcome in
            try policy.summary(pValues: pValues, isNull: isNull, primaryCount: treatments, alpha: alpha)
        }
    }
}
