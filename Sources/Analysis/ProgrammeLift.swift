import Distributions

/// The combined lift of a programme of experiments, as teams report it: the sum of the shipped
/// experiments' estimated effects.
public enum ProgrammeLift {
    /// The result of ``sum(estimates:standardErrors:alpha:alternative:)``.
    public struct Result: Equatable, Sendable {
        /// `ok`; `invalid_statistics` for a non-finite or negative input; `zero_variance` when
        /// experiments were summed but every SE is 0.
        public let status: AnalysisStatus
        public let experiments: Int
        public let estimate: Double?
        public let standardError: Double?
        public let lower: Double?
        public let upper: Double?
        public let statistic: Double?
        public let pValue: Double?
        public let isSignificant: Bool
    }

    /// Σ_f θ̂_f with SE √(Σ_f SE_f²), treating the experiments as independent (they ran on
    /// different salts and, mostly, different windows), and a normal interval θ̂ ± z_{1−α/2}·SE
    /// with p from z = θ̂/SE. This is the naive reading of a quarter's launches: conditioning on
    /// which experiments shipped (selected for a significant positive estimate) makes each θ̂_f
    /// biased upward (the winner's curse: E[θ̂ − θ | θ̂ > c] > 0; Lee & Shen 2018, "Winner's
    /// Curse: Bias Estimation for Total Effects of Features in Online Controlled Experiments"),
    /// and an effect that fades after the test (novelty) is counted at its test-window size.
    ///
    /// No experiments: the sum is exactly 0 (status `ok`, SE 0, interval [0, 0], p = 1).
    /// Throws when α is outside (0, 1) or the two arrays differ in length.
    public static func sum(estimates: [Double], standardErrors: [Double], alpha: Double = 0.05,
                           alternative: Alternative = .twoSided) throws(AnalysisError) -> Result {
        try AnalysisError.checkAlpha(alpha, in: "ProgrammeLift.sum(alpha:)")
        guard estimates.count == standardErrors.count else {
            throw AnalysisError("ProgrammeLift.sum(estimates:standardErrors:)", "\(estimates.count) estimates but \(standardErrors.count) standard errors")
        }
        func failed(_ s: AnalysisStatus) -> Result {
            Result(status: s, experiments: estimates.count, estimate: nil, standardError: nil, lower: nil, upper: nil,
                   statistic: nil, pValue: nil, isSignificant: false)
        }
        guard estimates.allSatisfy(\.isFinite), standardErrors.allSatisfy({ $0.isFinite && $0 >= 0 }) else { return failed(.invalidStatistics) }
        guard !estimates.isEmpty else {
            return Result(status: .ok, experiments: 0, estimate: 0, standardError: 0, lower: 0, upper: 0, statistic: 0, pValue: 1, isSignificant: false)
        }
        let total = estimates.reduce(0, +)
        let se = standardErrors.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard se > 0 else { return failed(.zeroVariance) }
        guard let inference = DesignInference(estimate: total, standardError: se, degreesOfFreedom: .infinity, alpha: alpha, alternative: alternative) else {
            return failed(.numericalFailure)
        }
        return Result(status: .ok, experiments: estimates.count, estimate: total, standardError: se, lower: inference.lower, upper: inference.upper,
                      statistic: inference.statistic, pValue: inference.pValue, isSignificant: inference.pValue < alpha)
    }
}
