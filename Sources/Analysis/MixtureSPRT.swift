import Foundation

/// Why a sequential statistic could or could not be computed at a look.
public enum SequentialStatus: String, Sendable, Codable, CaseIterable {
    case ok
    /// An arm has too few units (no units; or fewer than 2 when a sample variance is needed).
    case insufficientData
    /// The variance of the estimate is zero (e.g. no conversions in either arm).
    case zeroVariance
    /// An input was NaN or infinite.
    case nonFinite
    /// Counts are inconsistent (successes < 0 or > n).
    case invalidCounts
}

/// The evidence of a mixture SPRT at one look.
public struct MixtureSPRTResult: Sendable, Equatable {
    /// `.ok`, or why the look could not be analysed (then every statistic is nil).
    public let status: SequentialStatus
    /// θ̂_n (treatment − control), or nil unless `status == .ok`.
    public let estimate: Double?
    /// V_n, the variance of θ̂_n, or nil unless `status == .ok`.
    public let variance: Double?
    /// ln Λ_n, or nil unless `status == .ok`.
    public let logLikelihoodRatio: Double?
    /// Λ_n (may overflow to +∞ for overwhelming evidence; use `logLikelihoodRatio`).
    public var likelihoodRatio: Double? { logLikelihoodRatio.map { Foundation.exp($0) } }
    /// This look's p-value min(1, 1/Λ_n) (not yet the running minimum; see ``AlwaysValidPValue``).
    public let pValue: Double?
    /// Λ_n ≥ 1/α.
    public let rejects: Bool

    static func unavailable(_ status: SequentialStatus) -> MixtureSPRTResult {
        MixtureSPRTResult(status: status, estimate: nil, variance: nil, logLikelihoodRatio: nil, pValue: nil, rejects: false)
    }
}

/// The mixture sequential probability ratio test (mSPRT) with a normal mixing distribution,
/// giving always-valid p-values (Johari, Koomen, Pekelis & Walsh 2017, KDD, "Peeking at A/B
/// tests", §4; Johari, Pekelis & Walsh 2022, Operations Research 70(3), eq. (10); Robbins 1970).
///
/// For an estimate θ̂_n ~ N(θ, V_n) and the mixture θ ~ N(θ₀, τ²) over the alternative,
///
///     Λ_n = √(V_n/(V_n + τ²)) · exp( τ² (θ̂_n − θ₀)² / (2 V_n (V_n + τ²)) ).
///
/// With n per arm and known common variance σ², V_n = 2σ²/n and this is the two-sample form of
/// the `mixtureSPRT` R package / `msprt` PyPI documentation (ORACLES §3a). Reject as soon as
/// Λ_n ≥ 1/α; the always-valid p-value is p_n = min(p_{n−1}, 1/Λ_n), p_0 = 1. Under H0,
/// P(ever reject) ≤ α by Ville's inequality, however often one looks.
///
/// Each call is O(1) with no allocation (the Monte Carlo harness calls it at every look).
public struct MixtureSPRT: Sendable, Equatable, Hashable {
    public let alpha: Double
    /// τ², the variance of the normal mixing distribution.
    public let tau2: Double
    /// θ₀, the null difference.
    public let nullValue: Double
    /// ln(1/α), the rejection threshold for ln Λ.
    public let logThreshold: Double

    /// Throws for α outside (0, 1), τ² not positive and finite, or a non-finite θ₀.
    public init(alpha: Double = 0.05, tau2: Double, nullValue: Double = 0) throws(AnalysisError) {
        try AnalysisError.checkAlpha(alpha, in: "MixtureSPRT(alpha:)")
        guard tau2 > 0, tau2.isFinite else { throw AnalysisError("MixtureSPRT(tau2:)", "tau2 must be positive and finite, got \(tau2)") }
        guard nullValue.isFinite else { throw AnalysisError("MixtureSPRT(nullValue:)", "the null value must be finite") }
        self.alpha = alpha
        self.tau2 = tau2
        self.nullValue = nullValue
        self.logThreshold = -Foundation.log(alpha)
    }

    /// Λ_n for an estimate and its variance (the generic form above).
    public func evaluate(estimate: Double, variance: Double) -> MixtureSPRTResult {
        guard estimate.isFinite, variance.isFinite else { return .unavailable(.nonFinite) }
        guard variance > 0 else { return .unavailable(.zeroVariance) }
        let d = estimate - nullValue
        let logLambda = 0.5 * Foundation.log(variance / (variance + tau2)) + tau2 * d * d / (2 * variance * (variance + tau2))
        return MixtureSPRTResult(status: .ok, estimate: estimate, variance: variance, logLikelihoodRatio: logLambda,
                                 pValue: min(1, Foundation.exp(-logLambda)), rejects: logLambda >= logThreshold)
    }

    /// The always-valid confidence interval at one look: the θ₀ not rejected, {θ₀ : Λ_n(θ₀) < 1/α}
    /// (Johari, Pekelis & Walsh 2022, §5; inverting the formula above):
    ///
    ///     θ̂_n ± √( V(V + τ²)/τ² · (2 ln(1/α) + ln((V + τ²)/V)) ).
    ///
    /// With V = SE² and τ² = ρ²s² this is exactly GrowthBook's confidence sequence (see
    /// ``AsymptoticConfidenceSequence``). Intersecting the intervals over looks keeps the
    /// 1 − α coverage. Returns nil (no interval) when the estimate or variance is unusable.
    public func confidenceInterval(estimate: Double, variance: Double) -> (lower: Double, upper: Double)? {
        guard estimate.isFinite, variance.isFinite, variance > 0 else { return nil }
        let v = variance
        let hw = (v * (v + tau2) / tau2 * (2 * logThreshold + Foundation.log((v + tau2) / v))).squareRoot()
        return (estimate - hw, estimate + hw)
    }

    /// Two-sample means: θ̂ = ȳ_T − ȳ_C with V = σ²(1/n_C + 1/n_T) for a known common variance σ²
    /// (the mixtureSPRT form), or V = s²_C/n_C + s²_T/n_T with the sample variances when
    /// `knownVariance` is nil (the plug-in used by Optimizely's Stats Engine and GrowthBook).
    public func evaluate(control: MeanStatistic, treatment: MeanStatistic, knownVariance: Double? = nil) -> MixtureSPRTResult {
        guard control.n > 0, treatment.n > 0 else { return .unavailable(.insufficientData) }
        let mc = control.sum / Double(control.n), mt = treatment.sum / Double(treatment.n)
        let v: Double
        if let s2 = knownVariance {
            guard s2.isFinite else { return .unavailable(.nonFinite) }
            v = s2 * (1 / Double(control.n) + 1 / Double(treatment.n))
        } else {
            guard let vc = control.variance, let vt = treatment.variance else { return .unavailable(.insufficientData) }
            v = vc / Double(control.n) + vt / Double(treatment.n)
        }
        return evaluate(estimate: mt - mc, variance: v)
    }

    /// Two proportions: θ̂ = p̂_T − p̂_C with V = p̂_C(1 − p̂_C)/n_C + p̂_T(1 − p̂_T)/n_T (the Bernoulli
    /// version in the same sources).
    public func evaluate(control: ProportionStatistic, treatment: ProportionStatistic) -> MixtureSPRTResult {
        guard control.n > 0, treatment.n > 0 else { return .unavailable(.insufficientData) }
        guard control.successes >= 0, control.successes <= control.n, treatment.successes >= 0, treatment.successes <= treatment.n else {
            return .unavailable(.invalidCounts)
        }
        let pc = Double(control.successes) / Double(control.n), pt = Double(treatment.successes) / Double(treatment.n)
        return evaluate(estimate: pt - pc, variance: pc * (1 - pc) / Double(control.n) + pt * (1 - pt) / Double(treatment.n))
    }

    /// The τ² used by the `mixtureSPRT` R package (its documentation; not checked against the
    /// paper): τ² = σ² Φ(−b)/(φ(b)/b − Φ(−b)) with b = 2 ln(1/α)/√(M σ²), M the planned
    /// truncation time (observations per arm). Throws for non-positive σ² or M.
    public static func packageDefaultTau2(alpha: Double, variance sigma2: Double, truncation m: Double) throws(AnalysisError) -> Double {
        try AnalysisError.checkAlpha(alpha, in: "MixtureSPRT.packageDefaultTau2(alpha:)")
        guard sigma2 > 0, sigma2.isFinite, m > 0, m.isFinite else {
            throw AnalysisError("MixtureSPRT.packageDefaultTau2", "variance and truncation must be positive and finite")
        }
        let b = 2 * Foundation.log(1 / alpha) / (m * sigma2).squareRoot()
        let tail = 0.5 * Foundation.erfc(b / 2.0.squareRoot())
        let density = Foundation.exp(-0.5 * b * b) / (2 * Double.pi).squareRoot()
        return sigma2 * tail / (density / b - tail)
    }
}

/// The running minimum of per-look p-values, p_n = min(p_{n−1}, p_look), p_0 = 1: the
/// always-valid p-value of an mSPRT or a confidence sequence (Johari et al. 2017, §4).
/// Looks whose statistic could not be computed leave it unchanged.
public struct AlwaysValidPValue: Sendable, Equatable {
    /// The running minimum so far (1 before any look).
    public private(set) var value: Double = 1
    /// Starts at p_0 = 1.
    public init() {}

    /// Folds in one look's p-value (nil for a look that could not be analysed) and returns the
    /// running minimum.
    @discardableResult
    public mutating func update(_ pValue: Double?) -> Double {
        if let p = pValue, p < value { value = p }
        return value
    }
}
