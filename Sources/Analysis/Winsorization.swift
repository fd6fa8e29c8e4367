import Foundation

/// Winsorisation: values beyond a lower or upper cap are replaced by the cap, so a few extreme
/// units (e.g. a $10,000 order) cannot dominate a mean's variance (Dixon 1960; Kohavi, Tang &
/// Xu 2020, ch. 22 "capping").
public enum Winsorization {
    /// The caps at probabilities `lower` and `upper` of the pooled data (both arms together, so
    /// the same caps apply to every arm and the treatment cannot move them).
    ///
    /// Quantiles use numpy's default `np.quantile(..., method="linear")` (Hyndman & Fan 1996,
    /// definition 7; R `quantile(type = 7)`): with the sorted values x₍₀₎ ≤ … ≤ x₍ₙ₋₁₎ and
    /// h = (n − 1)p, Q(p) = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎).
    ///
    /// Throws when 0 ≤ lower ≤ upper ≤ 1 does not hold, when `pooled` is empty, or when it
    /// contains NaN or infinite values.
    public static func quantileCaps(pooled: [Double], lower: Double = 0, upper: Double) throws(AnalysisError) -> (lower: Double, upper: Double) {
        let context = "Winsorization.quantileCaps"
        guard lower >= 0, upper <= 1, lower <= upper else {
            throw AnalysisError(context, "need 0 ≤ lower ≤ upper ≤ 1, got lower = \(lower), upper = \(upper)")
        }
        guard !pooled.isEmpty else { throw AnalysisError(context, "no values to compute caps from") }
        guard pooled.allSatisfy(\.isFinite) else { throw AnalysisError(context, "values must be finite") }
        let sorted = pooled.sorted()
        return (linearQuantile(sorted, lower), linearQuantile(sorted, upper))
    }

    /// numpy's "linear" quantile (Hyndman & Fan definition 7) of already sorted, non-empty,
    /// finite values, 0 ≤ p ≤ 1 (checked by the caller).
    static func linearQuantile(_ sorted: [Double], _ p: Double) -> Double {
        let h = Double(sorted.count - 1) * p
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, sorted.count - 1)
        let frac = h - Double(lo)
        return sorted[lo] + frac * (sorted[hi] - sorted[lo])
    }

    /// Each value clamped to [lower, upper] (numpy `np.clip`). NaN stays NaN. Throws when
    /// lower > upper.
    public static func winsorize(_ values: [Double], lower: Double = -.infinity, upper: Double = .infinity) throws(AnalysisError) -> [Double] {
        guard !(lower > upper), !lower.isNaN, !upper.isNaN else {
            throw AnalysisError("Winsorization.winsorize", "need lower ≤ upper, got \(lower) and \(upper)")
        }
        return values.map { $0.isNaN ? $0 : min(max($0, lower), upper) }
    }
}
