import Foundation
import Distributions

/// The naive peeking policy: a fixed-horizon two-sided z-test at nominal α repeated at every
/// look, rejecting at the first look with |Z_k| ≥ z_{1−α/2}. Kept as the thing sequential
/// methods are calibrated against: its overall type I error grows with the number of looks
/// (Armitage, McPherson & Rowe 1969; ORACLES §1).
public struct NaivePeekingPolicy: Sendable, Equatable {
    public let alpha: Double
    /// z_{1−α/2}.
    public let criticalValue: Double

    /// Throws for α outside (0, 1).
    public init(alpha: Double = 0.05) throws(AnalysisError) {
        try AnalysisError.checkAlpha(alpha, in: "NaivePeekingPolicy(alpha:)")
        self.alpha = alpha
        do { self.criticalValue = try Normal.standard.inverseSurvival(alpha / 2) } catch {
            throw AnalysisError("NaivePeekingPolicy(alpha:)", "\(error)")
        }
    }

    /// True when this look rejects: |Z| ≥ z_{1−α/2} (equivalently the two-sided p ≤ α).
    /// NaN never rejects.
    @inlinable
    public func rejects(z: Double) -> Bool { abs(z) >= criticalValue }

    /// True when a two-sided p-value rejects at nominal α.
    @inlinable
    public func rejects(pValue: Double) -> Bool { pValue <= alpha }

    /// The exact probability under H0 that the policy rejects at some look, for looks at
    /// information fractions t_1 < … < t_K (any positive scale; only ratios matter):
    /// 1 − P_0(|Z_k| < z_{1−α/2} for all k), where (Z_k) has the canonical joint distribution
    /// corr(Z_j, Z_k) = √(t_j/t_k). Computed by recursive numerical integration (Armitage,
    /// McPherson & Rowe 1969; Jennison & Turnbull 2000, §1.3, Table 1.1, and ch. 19);
    /// K = 5 → 0.141689, K = 20 → 0.247911, K = 1000 → 0.529912 at α = 0.05.
    /// Throws for fractions that are not finite, positive and strictly increasing, or K < 1.
    public func rejectionProbabilityUnderH0(informationFractions: [Double]) throws(AnalysisError) -> Double {
        try GroupSequentialDesign.validate(alpha: alpha, fractions: informationFractions,
                                           context: "NaivePeekingPolicy.rejectionProbabilityUnderH0")
        let c = criticalValue
        let p = SequentialIntegration.crossingProbabilities(
            fractions: informationFractions, lower: Array(repeating: -c, count: informationFractions.count),
            upper: Array(repeating: c, count: informationFractions.count), drift: 0)
        return p.reduce(0) { $0 + $1.upper + $1.lower }
    }

    /// The same for K equally spaced looks.
    public func rejectionProbabilityUnderH0(looks: Int) throws(AnalysisError) -> Double {
        try rejectionProbabilityUnderH0(informationFractions: try GroupSequentialDesign.equallySpaced(looks))
    }
}
