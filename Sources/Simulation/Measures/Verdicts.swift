/// Verdicts about one comparison of one cell, fixed before the run and computed here (reports
/// only render them). Each is an interval test against the Monte Carlo uncertainty at
/// z = ``Verdicts/z`` MCSE (Serlin 2000-style; the same rule as the gates).
public struct ComparisonVerdict: Codable, Equatable, Sendable {
    public let cell: Int
    public let analysis: String
    public let comparison: String
    /// The rejection rate exceeds α by more than z MCSE: estimate − z·MCSE > α.
    public let exceedsAlpha: Bool
    /// The rejection rate is below α/2 (a conservative policy).
    public let conservative: Bool
    /// The interval under-covers: coverage + z·MCSE < 1 − α.
    public let underCovers: Bool
    /// (rejection rate − exact value) / MCSE, when an exact value was given for the cell.
    public let differenceFromExact: Double?
}

public enum Verdicts {
    /// The MCSE multiple of every verdict.
    public static let z = 3.0

    /// The verdicts of every comparison of `cells` at level α; `exact` gives a cell's exact
    /// rejection probability for an analysis when one is known (nil otherwise).
    public static func comparisons(_ cells: [CellResult], alpha: Double,
                                   exact: (CellResult, ComparisonSummary) -> Double? = { _, _ in nil }) -> [ComparisonVerdict] {
        var out: [ComparisonVerdict] = []
        for cell in cells {
            for s in cell.comparisons {
                let rate = s.value(.rejectionRate), coverage = s.value(.coverage)
                let difference: Double? = exact(cell, s).flatMap { e in
                    guard let r = rate, let m = r.mcse, m > 0 else { return nil }
                    return (r.estimate - e) / m
                }
                out.append(ComparisonVerdict(
                    cell: cell.index, analysis: s.analysis, comparison: s.comparison,
                    exceedsAlpha: rate.map { $0.estimate - z * ($0.mcse ?? 0) > alpha } ?? false,
                    conservative: rate.map { $0.estimate < alpha / 2 } ?? false,
                    underCovers: coverage.map { $0.estimate + z * ($0.mcse ?? 0) < 1 - alpha } ?? false,
                    differenceFromExact: difference))
            }
        }
        return out
    }
}
