import Distributions
import Foundation

/// The outcome of an anytime-valid (sequential) sample-ratio-mismatch check at one look.
public struct SequentialSRMResult: Equatable, Codable, Sendable {
    /// `ok`; `empty_arm` when no unit was observed at all (nothing to test); `numerical_failure`
    /// when a log-gamma could not be evaluated.
    public let status: AnalysisStatus
    /// The cumulative counts per arm at this look.
    public let observed: [Int]
    /// ln BF₁₀ of "θ ~ Dirichlet(α)" against "θ = θ₀" at these counts; nil unless `ok`.
    public let logBayesFactor: Double?
    /// ``SequentialSRM/test(observed:weights:concentration:threshold:)``: min(1, 1/BF) at these
    /// counts. ``SequentialSRMMonitor/observe(_:)``: the running minimum of that over the looks so
    /// far (also anytime-valid). Nil when no look could be computed.
    public let pValue: Double?
    public let threshold: Double
    /// True when p < threshold.
    public let flagged: Bool
}

/// Sequential (anytime-valid) SRM test for multinomial counts (Lindon & Malek 2022,
/// "Anytime-Valid Inference For Multinomial Count Data", NeurIPS; Optimizely's `ssrm-test`).
///
/// H0: θ = θ₀ = w/Σw; H1: θ ~ Dirichlet(α) with α = c·θ₀ (prior centred on the design). With
/// n the cumulative counts and B(a) = Πᵢ Γ(aᵢ)/Γ(Σᵢ aᵢ), the Bayes factor of the
/// Dirichlet–multinomial marginal against the null multinomial is (the multinomial coefficient
/// cancels)
///
///     ln BF_n = ln B(α + n) − ln B(α) − Σᵢ nᵢ ln θ₀ᵢ.
///
/// BF_n is a nonnegative martingale under H0 with BF₀ = 1, so by Ville's inequality
/// P(∃n: BF_n ≥ 1/a) ≤ a: p_n = min(1, 1/BF_n) is an anytime-valid p-value, and so is its running
/// minimum over the looks (``SequentialSRMMonitor``). Unlike Pearson's χ² check
/// (``SampleRatioMismatch``), it may be checked after every look without inflating the
/// false-alarm rate. Because the marginal averages the likelihood over θ, BF < 1 (p = 1) whenever
/// the counts are exactly in the design ratio.
public enum SequentialSRM {
    /// c = 10 000, `ssrm-test`'s default `dirichlet_concentration` (0.1.5). Larger c concentrates
    /// the alternative near θ₀ (more power against small imbalances once n ≫ c, slower detection
    /// of gross ones).
    public static let defaultConcentration: Double = 10_000

    /// The sequential SRM test at cumulative counts `observed` (see ``SequentialSRM``):
    /// ln BF = Σᵢ [lnΓ(αᵢ + nᵢ) − lnΓ(αᵢ)] − [lnΓ(A + N) − lnΓ(A)] − Σᵢ nᵢ ln θ₀ᵢ with A = Σαᵢ = c,
    /// N = Σnᵢ (GSL `gsl_sf_lngamma_e` through ``SpecialFunctions/logGamma(_:)``);
    /// p = min(1, e^(−ln BF)), which underflows to 0 for ln BF > 745 (then read `logBayesFactor`).
    /// Flagged when p < `threshold` (default 0.001, as ``SampleRatioMismatch``). Checked against
    /// `ssrm_test.sequential_posteriors` (ssrm-test 0.1.5).
    ///
    /// Throws when there are fewer than 2 arms, the counts and weights differ in length, a count
    /// is negative, a weight is not finite and positive, the concentration is not finite and
    /// positive, or the threshold is outside (0, 1).
    public static func test(observed: [Int], weights: [Double], concentration: Double = SequentialSRM.defaultConcentration,
                            threshold: Double = 0.001) throws(AnalysisError) -> SequentialSRMResult {
        let context = "SequentialSRM.test"
        try validate(weights: weights, concentration: concentration, threshold: threshold, context: context)
        try validate(observed: observed, arms: weights.count, context: context)
        return evaluate(observed: observed, weights: weights, concentration: concentration, threshold: threshold)
    }

    static func validate(weights: [Double], concentration: Double, threshold: Double, context: String) throws(AnalysisError) {
        guard weights.count >= 2 else { throw AnalysisError(context, "need at least 2 arms, got \(weights.count)") }
        guard weights.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw AnalysisError(context, "weights must be finite and positive, got \(weights)")
        }
        guard concentration.isFinite, concentration > 0 else {
            throw AnalysisError(context, "concentration must be finite and positive, got \(concentration)")
        }
        guard threshold > 0, threshold < 1 else {
            throw AnalysisError(context, "threshold must be in (0, 1), got \(threshold)")
        }
    }

    static func validate(observed: [Int], arms: Int, context: String) throws(AnalysisError) {
        guard observed.count == arms else {
            throw AnalysisError(context, "observed has \(observed.count) arms but weights has \(arms)")
        }
        guard observed.allSatisfy({ $0 >= 0 }) else { throw AnalysisError(context, "counts must be non-negative, got \(observed)") }
    }

    /// The test on validated arguments.
    static func evaluate(observed: [Int], weights: [Double], concentration: Double, threshold: Double) -> SequentialSRMResult {
        func result(_ status: AnalysisStatus, _ logBF: Double? = nil) -> SequentialSRMResult {
            guard let logBF else {
                return SequentialSRMResult(status: status, observed: observed, logBayesFactor: nil, pValue: nil,
                                           threshold: threshold, flagged: false)
            }
            let p = min(1, exp(-logBF))
            return SequentialSRMResult(status: status, observed: observed, logBayesFactor: logBF, pValue: p,
                                       threshold: threshold, flagged: p < threshold)
        }
        guard observed.contains(where: { $0 > 0 }) else { return result(.emptyArm) }
        guard let logBF = logBayesFactor(observed: observed, weights: weights, concentration: concentration) else {
            return result(.numericalFailure)
        }
        return result(.ok, logBF)
    }

    /// ln BF at validated counts, or nil when a log-gamma fails or the result is not finite.
    static func logBayesFactor(observed: [Int], weights: [Double], concentration: Double) -> Double? {
        let wSum = weights.reduce(0, +)
        var total = 0.0, logBF = 0.0
        do {
            for i in observed.indices {
                let theta0 = weights[i] / wSum
                let a = concentration * theta0, n = Double(observed[i])
                total += n
                logBF += try SpecialFunctions.logGamma(a + n) - SpecialFunctions.logGamma(a)
                if observed[i] > 0 { logBF -= n * log(theta0) }
            }
            logBF -= try SpecialFunctions.logGamma(concentration + total) - SpecialFunctions.logGamma(concentration)
        } catch {
            return nil
        }
        return logBF.isFinite ? logBF : nil
    }
}

/// A sequential SRM check run look by look on cumulative counts (``SequentialSRM``): each look's
/// p-value is the running minimum of min(1, 1/BF) over the looks so far, which stays
/// anytime-valid (Ville's inequality), so the check may be repeated as often as wanted.
///
/// Looks whose test is not `ok` (no unit observed yet, a numerical failure) leave the running
/// minimum unchanged and report their own status.
public struct SequentialSRMMonitor: Sendable {
    public let weights: [Double]
    public let concentration: Double
    public let threshold: Double
    /// The cumulative counts of the last look observed (nil before the first).
    public private(set) var lastObserved: [Int]?
    /// The running minimum p-value over the looks computed so far (nil before the first `ok` look).
    public private(set) var runningPValue: Double?

    /// Throws on the conditions of ``SequentialSRM/test(observed:weights:concentration:threshold:)``
    /// (fewer than 2 arms, a weight not finite and positive, a concentration not finite and
    /// positive, a threshold outside (0, 1)).
    public init(weights: [Double], concentration: Double = SequentialSRM.defaultConcentration,
                threshold: Double = 0.001) throws(AnalysisError) {
        try SequentialSRM.validate(weights: weights, concentration: concentration, threshold: threshold,
                                   context: "SequentialSRMMonitor.init")
        self.weights = weights
        self.concentration = concentration
        self.threshold = threshold
    }

    /// Observes the cumulative counts at the next look and returns the test at these counts with
    /// `pValue` the running minimum so far and `flagged` = running minimum < threshold.
    ///
    /// Throws (and leaves the monitor unchanged) when the number of arms differs from the
    /// weights', a count is negative, or a count is below the previous look's (cumulative counts
    /// never decrease).
    public mutating func observe(_ cumulative: [Int]) throws(AnalysisError) -> SequentialSRMResult {
        let context = "SequentialSRMMonitor.observe"
        try SequentialSRM.validate(observed: cumulative, arms: weights.count, context: context)
        if let last = lastObserved, let i = cumulative.indices.first(where: { cumulative[$0] < last[$0] }) {
            throw AnalysisError(context, "cumulative counts must not decrease: arm \(i) went from \(last[i]) to \(cumulative[i])")
        }
        lastObserved = cumulative
        let r = SequentialSRM.evaluate(observed: cumulative, weights: weights, concentration: concentration, threshold: threshold)
        if r.status == .ok, let p = r.pValue { runningPValue = min(runningPValue ?? p, p) }
        guard r.status == .ok, let running = runningPValue else { return r }
        return SequentialSRMResult(status: .ok, observed: cumulative, logBayesFactor: r.logBayesFactor, pValue: running,
                                   threshold: threshold, flagged: running < threshold)
    }
}
