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

/// How a family of p-values is turned into rejections.
public enum FamilyPolicy: Equatable, Sendable, CustomStringConvertible {
    /// One of the Analysis module's corrections (including `none`) over the whole family.
    case correction(CorrectionMethod)
    /// The primary metric (`metric_1`, every treatment) at α uncorrected; the other metrics
    /// corrected with Holm among themselves.
    case primaryUncorrected

    public var description: String {
        switch self {
        case let .correction(m): return m.rawValue
        case .primaryUncorrected: return "primary_uncorrected"
        }
    }
}

/// What one correction policy did in one replication.
struct FamilyOutcome: Sendable {
    /// Any true null rejected (family-wise error).
    var anyFalse: Bool
    /// False discovery proportion V / max(R, 1).
    var fdp: Double
    /// True rejections / true effects (0 when there are none).
    var power: Double
    /// At least one true effect rejected.
    var anyTrue: Bool
}

extension FamilySpec {
    /// Applies every policy to the p-values of one replication. `pValues[i]` belongs to
    /// hypothesis i, ordered metric-major (metric 1 × every treatment, metric 2 × …);
    /// `isNull[i]` says whether it is a true null.
    func outcomes(pValues: [Double], isNull: [Bool], treatments: Int) throws(AnalysisError) -> [FamilyOutcome] {
        let m1 = isNull.filter { !$0 }.count
        return try policies.map { (policy) throws(AnalysisError) -> FamilyOutcome in
            var rejected: [Bool]
            switch policy {
            case let .correction(method):
                rejected = try MultipleTesting.adjust(pValues, method: method, alpha: alpha).rejected
            case .primaryUncorrected:
                rejected = pValues.prefix(treatments).map { $0 < alpha }
                let rest = Array(pValues.dropFirst(treatments))
                if !rest.isEmpty { rejected += try MultipleTesting.adjust(rest, method: .holm, alpha: alpha).rejected }
            }
            var v = 0, s = 0
            for (r, null) in zip(rejected, isNull) where r { if null { v += 1 } else { s += 1 } }
            let r = v + s
            return FamilyOutcome(anyFalse: v > 0, fdp: r > 0 ? Double(v) / Double(r) : 0,
                                 power: m1 > 0 ? Double(s) / Double(m1) : 0, anyTrue: s > 0)
        }
    }
}
