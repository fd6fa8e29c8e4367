import Distributions

/// The band a p-value histogram's bin counts fall in when the test is valid.
///
/// Under H0 a valid test's p-values are Uniform(0, 1), so the count in each of `bins` equal
/// bins out of R replications is Binomial(R, 1/bins). The pointwise `level` band of one bin is
/// [F⁻¹((1 − level)/2), F⁻¹((1 + level)/2)] with F the Binomial(R, 1/bins) cdf and F⁻¹ its
/// smallest-k quantile (as scipy's `binom.ppf`); each bin of a valid test lands inside it with
/// probability at least `level` (so with 20 bins about one bin in 20 falls outside by chance).
/// Source: the binomial reference band of p-value histograms (Breheny, Stromberg & Lambert
/// 2018, "p-Value histograms: inference and diagnostics", High-Throughput 7(3):23).
public struct PValueBand: Equatable, Sendable {
    /// Replications R the band is for.
    public let replications: Int
    public let bins: Int
    public let level: Double
    /// The expected count R/bins.
    public let expected: Double
    /// The band's lower and upper counts (inclusive).
    public let lower: Int
    public let upper: Int

    /// The band for R replications in `bins` equal bins (20 in `ComparisonSummary.pValueHistogram`).
    /// Throws for R < 1, bins < 2, or a level outside (0, 1).
    public init(replications: Int, bins: Int = 20, level: Double = 0.95) throws(AnalysisError) {
        guard replications >= 1, replications <= Int(UInt32.max) else { throw AnalysisError("PValueBand(replications:)", "replications must be at least 1, got \(replications)") }
        guard bins >= 2 else { throw AnalysisError("PValueBand(bins:)", "bins must be at least 2, got \(bins)") }
        guard level > 0, level < 1 else { throw AnalysisError("PValueBand(level:)", "level must be in (0, 1), got \(level)") }
        do {
            let b = try Binomial(n: UInt32(replications), p: 1 / Double(bins))
            lower = try b.quantile((1 - level) / 2)
            upper = try b.quantile((1 + level) / 2)
        } catch {
            throw AnalysisError("PValueBand", "binomial quantile failed: \(error)")
        }
        self.replications = replications
        self.bins = bins
        self.level = level
        expected = Double(replications) / Double(bins)
    }
}
