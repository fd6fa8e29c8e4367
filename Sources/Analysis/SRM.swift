import Distributions
import Foundation

/// The outcome of a sample-ratio-mismatch check.
public struct SRMResult: Equatable, Codable, Sendable {
    /// `ok`, or `empty_arm` when no unit was observed at all (nothing to test).
    public let status: AnalysisStatus
    public let observed: [Int]
    /// Expected counts N·wᵢ/Σw.
    public let expected: [Double]
    /// Pearson's χ² = Σ (Oᵢ − Eᵢ)²/Eᵢ; nil when nothing was observed.
    public let chiSquare: Double?
    /// k − 1.
    public let degreesOfFreedom: Int
    /// P(χ²_{k−1} ≥ χ²).
    public let pValue: Double?
    /// The largest |Oᵢ/N − wᵢ/Σw|: the biggest gap between an arm's observed and designed share.
    public let maxShareDeviation: Double?
    public let threshold: Double
    /// True when p < threshold and (if a minimum share deviation was given) the largest share
    /// gap is at least that minimum.
    public let flagged: Bool
}

/// Sample ratio mismatch (SRM): are the arm sizes consistent with the design weights?
public enum SampleRatioMismatch {
    /// Pearson's χ² goodness-of-fit test of observed arm counts against design weights, for any
    /// number of arms (Pearson 1900; Fabijan et al., KDD 2019, "Diagnosing Sample Ratio
    /// Mismatch in Online Controlled Experiments"; GrowthBook `srm.mdx`).
    ///
    /// Eᵢ = N wᵢ/Σw, χ² = Σ (Oᵢ − Eᵢ)²/Eᵢ with k − 1 df, p = P(χ²_{k−1} ≥ χ²) (scipy
    /// `chisquare(observed, expected)`). Flagged when p < `threshold` (default 0.001, GrowthBook's
    /// default) and, if `minimumShareDeviation` is given, max |Oᵢ/N − wᵢ/Σw| ≥ it — a rule that keeps
    /// huge experiments from flagging practically irrelevant imbalances.
    ///
    /// Throws when there are fewer than 2 arms, the counts and weights differ in length, a count
    /// is negative, a weight is not finite and positive, or the threshold is outside (0, 1).
    public static func test(observed: [Int], weights: [Double], threshold: Double = 0.001,
                            minimumShareDeviation: Double? = nil) throws(AnalysisError) -> SRMResult {
        let context = "SampleRatioMismatch.test"
        guard observed.count == weights.count else {
            throw AnalysisError(context, "observed has \(observed.count) arms but weights has \(weights.count)")
        }
        guard observed.count >= 2 else { throw AnalysisError(context, "need at least 2 arms, got \(observed.count)") }
        guard observed.allSatisfy({ $0 >= 0 }) else { throw AnalysisError(context, "counts must be non-negative") }
        guard weights.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw AnalysisError(context, "weights must be finite and positive, got \(weights)")
        }
        guard threshold > 0, threshold < 1 else {
            throw AnalysisError(context, "threshold must be in (0, 1), got \(threshold)")
        }
        if let m = minimumShareDeviation, !(m >= 0 && m <= 1) {
            throw AnalysisError(context, "minimumShareDeviation must be in [0, 1], got \(m)")
        }
        let total = observed.reduce(0, +)
        let wSum = weights.reduce(0, +)
        let df = observed.count - 1
        let expected = weights.map { Double(total) * $0 / wSum }
        guard total > 0 else {
            return SRMResult(status: .emptyArm, observed: observed, expected: expected, chiSquare: nil,
                             degreesOfFreedom: df, pValue: nil, maxShareDeviation: nil, threshold: threshold,
                             flagged: false)
        }
        var chi2 = 0.0, maxDev = 0.0
        for i in observed.indices {
            let d = Double(observed[i]) - expected[i]
            chi2 += d * d / expected[i]
            maxDev = max(maxDev, abs(Double(observed[i]) / Double(total) - weights[i] / wSum))
        }
        let p: Double
        do { p = try ChiSquared(nu: Double(df)).sf(chi2) } catch {
            return SRMResult(status: .numericalFailure, observed: observed, expected: expected, chiSquare: chi2,
                             degreesOfFreedom: df, pValue: nil, maxShareDeviation: maxDev, threshold: threshold,
                             flagged: false)
        }
        let flagged = p < threshold && maxDev >= (minimumShareDeviation ?? 0)
        return SRMResult(status: .ok, observed: observed, expected: expected, chiSquare: chi2, degreesOfFreedom: df,
                         pValue: p, maxShareDeviation: maxDev, threshold: threshold, flagged: flagged)
    }
}
