/// A per-unit activity threshold for bot filtering: a unit whose activity (events, page views,
/// requests in the analysis window) is above the threshold is excluded from the analysis
/// (Kohavi, Tang & Xu 2020, ch. 21, where bot filtering is among the causes of SRM). The same
/// fixed rule applies to every arm, so it biases the comparison only when the treatment changes
/// the activity itself, which an SRM check on the kept units can reveal.
public struct ActivityFilter: Equatable, Sendable, Codable {
    /// A unit whose activity is greater than `above` is excluded; activity equal to it is kept.
    public let above: Double

    /// Throws when `above` is NaN or infinite (use no filter instead of +∞).
    public init(above: Double) throws(AnalysisError) {
        guard above.isFinite else { throw AnalysisError("ActivityFilter(above:)", "the threshold must be finite, got \(above)") }
        self.above = above
    }

    /// True when the unit is excluded: activity > `above`, or activity is NaN. A unit whose
    /// activity is unknown is excluded because the rule keeps only units known to be at or below
    /// the threshold (and a NaN would otherwise pass every comparison silently). +∞ is excluded,
    /// −∞ kept.
    public func excludes(_ activity: Double) -> Bool {
        activity.isNaN || activity > above
    }

    /// How many of `activities` the filter keeps and removes (``excludes(_:)``).
    public func summarise(_ activities: [Double]) -> FilterSummary {
        let removed = activities.reduce(0) { $0 + (excludes($1) ? 1 : 0) }
        return FilterSummary(kept: activities.count - removed, removed: removed)
    }
}

/// Units kept and removed by a filter.
public struct FilterSummary: Equatable, Sendable, Codable {
    public let kept: Int
    public let removed: Int

    public init(kept: Int, removed: Int) {
        self.kept = kept
        self.removed = removed
    }

    /// removed/(kept + removed); nil when there are no units.
    public var removedShare: Double? {
        let total = kept + removed
        return total > 0 ? Double(removed) / Double(total) : nil
    }
}

extension Winsorization {
    /// The caps at pooled quantiles, then the ``MomentStatistic`` of each group's capped values
    /// (y only; the covariate is kept as given).
    ///
    /// The caps are ``quantileCaps(pooled:lower:upper:)`` of all groups' values pooled in order
    /// (numpy `quantile(method="linear")`, Hyndman & Fan definition 7), so the same caps apply to
    /// every group; each value y becomes min(max(y, lower cap), upper cap) (numpy `clip`) and is
    /// added to its group's statistics with ``MomentStatistic/add(_:covariate:)`` in order, with
    /// covariate x from `covariates` (0 when nil). `capped` counts the values that changed
    /// (below the lower cap or above the upper one). Checked by comparing Welch's test on the
    /// moments with scipy `ttest_ind(equal_var=False)` on numpy-clipped values.
    ///
    /// Throws as ``quantileCaps(pooled:lower:upper:)`` (probabilities not 0 ≤ lower ≤ upper ≤ 1,
    /// no values at all, a NaN or infinite value), and when `covariates` does not have one array
    /// per group of the same length as the group.
    public static func cappedMoments(groups: [[Double]], covariates: [[Double]]? = nil, lower: Double = 0,
                                     upper: Double) throws(AnalysisError) -> (caps: (lower: Double, upper: Double),
                                                                              moments: [MomentStatistic], capped: Int) {
        if let covariates {
            guard covariates.count == groups.count, zip(groups, covariates).allSatisfy({ $0.count == $1.count }) else {
                throw AnalysisError("Winsorization.cappedMoments",
                                    "covariates must have one array per group, each as long as its group; got lengths "
                                    + "\(covariates.map(\.count)) for groups of \(groups.map(\.count))")
            }
        }
        let caps = try quantileCaps(pooled: groups.flatMap { $0 }, lower: lower, upper: upper)
        var capped = 0
        var moments: [MomentStatistic] = []
        moments.reserveCapacity(groups.count)
        for g in groups.indices {
            var m = MomentStatistic()
            for i in groups[g].indices {
                let y = groups[g][i]
                if y < caps.lower || y > caps.upper { capped += 1 }
                m.add(min(max(y, caps.lower), caps.upper), covariate: covariates?[g][i] ?? 0)
            }
            moments.append(m)
        }
        return (caps, moments, capped)
    }
}
