import Foundation

/// A multiple-testing procedure.
public enum CorrectionMethod: String, Codable, Sendable, CaseIterable {
    /// Bonferroni: FWER under any dependence.
    case bonferroni
    /// Holm (1979) step-down: FWER under any dependence, uniformly more powerful than Bonferroni.
    case holm
    /// Hochberg (1988) step-up: FWER under independence / PRDS.
    case hochberg
    /// Benjamini & Hochberg (1995) step-up: FDR under independence / PRDS.
    case benjaminiHochberg = "bh"
    /// Benjamini & Yekutieli (2001): FDR under arbitrary dependence.
    case benjaminiYekutieli = "by"
    /// No correction (adjusted = raw).
    case none
}

/// Adjusted p-values and rejections for one family of hypotheses.
public struct CorrectionResult: Equatable, Codable, Sendable {
    public let method: CorrectionMethod
    public let alpha: Double
    /// In the order of the input.
    public let adjusted: [Double]
    /// adjusted ≤ α, in the order of the input.
    public let rejected: [Bool]
}

/// Multiple-testing corrections. The caller chooses the family (e.g. metrics × variants, with
/// or without guardrails) by choosing which p-values to pass together.
public enum MultipleTesting {
    /// Adjusted p-values (p̃) and rejections (p̃ ≤ α) for the family `pValues`, m = count,
    /// p₍₁₎ ≤ … ≤ p₍ₘ₎ the sorted values:
    /// - Bonferroni (Dunn 1961): p̃ᵢ = min(1, m pᵢ).
    /// - Holm (1979, Scand. J. Statist. 6:65–70): p̃₍ᵢ₎ = max_{j≤i} min(1, (m − j + 1) p₍ⱼ₎).
    /// - Hochberg (1988, Biometrika 75:800–802): p̃₍ᵢ₎ = min_{j≥i} min(1, (m − j + 1) p₍ⱼ₎).
    /// - Benjamini & Hochberg (1995, JRSS-B 57:289–300): p̃₍ᵢ₎ = min_{j≥i} min(1, m p₍ⱼ₎/j).
    /// - Benjamini & Yekutieli (2001, Ann. Statist. 29:1165–1188, Thm 1.3): BH with m replaced by
    ///   m·c(m), c(m) = Σ_{k=1}^m 1/k.
    ///
    /// Equals statsmodels `multipletests(p, alpha, method)` with `bonferroni`, `holm`,
    /// `simes-hochberg`, `fdr_bh`, `fdr_by` (and R `p.adjust`). Ties keep input order.
    /// Throws for an empty family, a p-value outside [0, 1] (or NaN), or α outside (0, 1).
    public static func adjust(_ pValues: [Double], method: CorrectionMethod, alpha: Double = 0.05) throws(AnalysisError) -> CorrectionResult {
        try AnalysisError.checkAlpha(alpha, in: "MultipleTesting.adjust(alpha:)")
        guard !pValues.isEmpty else { throw AnalysisError("MultipleTesting.adjust", "the family of p-values is empty") }
        guard pValues.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
            throw AnalysisError("MultipleTesting.adjust", "p-values must be in [0, 1], got \(pValues)")
        }
        let m = pValues.count
        let dm = Double(m)
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] || (pValues[$0] == pValues[$1] && $0 < $1) }
        var adjusted = [Double](repeating: 0, count: m)
        switch method {
        case .none:
            adjusted = pValues
        case .bonferroni:
            adjusted = pValues.map { min(1, dm * $0) }
        case .holm:
            var running = 0.0
            for (rank, i) in order.enumerated() {
                running = max(running, min(1, Double(m - rank) * pValues[i]))
                adjusted[i] = running
            }
        case .hochberg:
            var running = 1.0
            for rank in stride(from: m - 1, through: 0, by: -1) {
                let i = order[rank]
                running = min(running, Double(m - rank) * pValues[i])
                adjusted[i] = min(1, running)
            }
        case .benjaminiHochberg, .benjaminiYekutieli:
            var factor = dm
            if method == .benjaminiYekutieli {
                var c = 0.0
                for k in 1...m { c += 1 / Double(k) }
                factor *= c
            }
            var running = 1.0
            for rank in stride(from: m - 1, through: 0, by: -1) {
                let i = order[rank]
                running = min(running, factor * pValues[i] / Double(rank + 1))
                adjusted[i] = min(1, running)
            }
        }
        return CorrectionResult(method: method, alpha: alpha, adjusted: adjusted, rejected: adjusted.map { $0 <= alpha })
    }
}
