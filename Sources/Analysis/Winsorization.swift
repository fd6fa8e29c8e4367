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
        var work = pooled
        return work.withUnsafeMutableBufferPointer { b in (selectQuantile(b, lower), selectQuantile(b, upper)) }
    }

    /// numpy's "linear" quantile by selection instead of a sort (the same value: the order
    /// statistics x₍⌊h⌋₎ and x₍⌊h⌋+1₎ are found with Hoare's quickselect, expected O(n)). The
    /// buffer is reordered, not sorted.
    static func selectQuantile(_ b: UnsafeMutableBufferPointer<Double>, _ p: Double) -> Double {
        let h = Double(b.count - 1) * p
        let lo = Int(h.rounded(.down))
        let frac = h - Double(lo)
        let a = select(b, lo)
        guard frac > 0, lo + 1 < b.count else { return a }
        // After selecting rank lo, every element right of it is ≥ it: rank lo + 1 is their minimum.
        var next = Double.infinity
        for i in (lo + 1)..<b.count where b[i] < next { next = b[i] }
        return a + frac * (next - a)
    }

    /// The k-th smallest value (0-based) of `b`, leaving b[k] in place with smaller-or-equal
    /// values before it and larger-or-equal after (Hoare 1961, median-of-three pivots).
    static func select(_ b: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
        var left = 0, right = b.count - 1
        while right > left {
            let mid = left + (right - left) / 2
            // Median of three as the pivot.
            if b[mid] < b[left] { b.swapAt(mid, left) }
            if b[right] < b[left] { b.swapAt(right, left) }
            if b[right] < b[mid] { b.swapAt(right, mid) }
            let pivot = b[mid]
            var i = left, j = right
            while i <= j {
                while b[i] < pivot { i += 1 }
                while b[j] > pivot { j -= 1 }
                if i <= j {
                    b.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { right = j } else if k >= i { left = i } else { return b[k] }
        }
        return b[k]
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
