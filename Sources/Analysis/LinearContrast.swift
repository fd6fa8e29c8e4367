import Distributions

extension Comparisons {
    /// A linear contrast of group means, L = Σ cᵍ ȳᵍ, with a normal (Wald) test and interval:
    /// SE = √(Σ cᵍ² sᵍ²/nᵍ) with each group's sample variance (n − 1), z = L/SE (Scheffé 1959,
    /// *The Analysis of Variance*, §3.1; unequal variances as in Welch 1947). Used for the
    /// interaction of a 2×2 factorial (c = +1, −1, −1, +1), where L is the difference of
    /// differences.
    ///
    /// The reported `controlMean`/`treatmentMean` are Σ over the negative / positive
    /// coefficients of |cᵍ| ȳᵍ. Status: `empty_arm` (a group with n = 0),
    /// `insufficient_sample` (n = 1), `zero_variance` (SE = 0), `non_finite_input`.
    /// Throws when the lengths differ, a coefficient is not finite, or α ∉ (0, 1).
    public static func linearContrast(groups: [MeanStatistic], coefficients: [Double], alpha: Double = 0.05,
                                      alternative: Alternative = .twoSided) throws(AnalysisError) -> FixedHorizonResult {
        try AnalysisError.checkAlpha(alpha, in: "Comparisons.linearContrast(alpha:)")
        guard groups.count == coefficients.count, !groups.isEmpty else {
            throw AnalysisError("Comparisons.linearContrast", "need one coefficient per group, got \(coefficients.count) for \(groups.count) groups")
        }
        guard coefficients.allSatisfy(\.isFinite) else {
            throw AnalysisError("Comparisons.linearContrast", "coefficients must be finite, got \(coefficients)")
        }
        let nNeg = zip(groups, coefficients).filter { $1 < 0 }.reduce(0) { $0 + $1.0.n }
        let nPos = zip(groups, coefficients).filter { $1 > 0 }.reduce(0) { $0 + $1.0.n }
        func fail(_ s: AnalysisStatus, _ est: Double? = nil) -> FixedHorizonResult {
            .failed(s, method: .linearContrast, scale: .absolute, alternative: alternative, alpha: alpha,
                    controlN: nNeg, treatmentN: nPos, estimate: est)
        }
        guard groups.allSatisfy({ $0.sum.isFinite && $0.sumOfSquares.isFinite }) else { return fail(.nonFiniteInput) }
        guard groups.allSatisfy({ $0.n > 0 }) else { return fail(.emptyArm) }
        var estimate = 0.0, variance = 0.0, negMean = 0.0, posMean = 0.0
        var insufficient = false
        for (g, c) in zip(groups, coefficients) {
            let mean = g.sum / Double(g.n)
            estimate += c * mean
            if c < 0 { negMean += -c * mean } else { posMean += c * mean }
            guard let v = g.variance else { insufficient = true; continue }
            variance += c * c * v / Double(g.n)
        }
        if insufficient { return fail(.insufficientSample, estimate) }
        let se = variance.squareRoot()
        guard se > 0 else { return fail(.zeroVariance, estimate) }
        return finish(method: .linearContrast, scale: .absolute, alpha: alpha, alternative: alternative,
                      nC: nNeg, nT: nPos, mC: negMean, mT: posMean, estimate: estimate, testSE: se, ciSE: se, df: .infinity)
    }
}
