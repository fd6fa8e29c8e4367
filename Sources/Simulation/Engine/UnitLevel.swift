import Analysis

/// One analysis's statistics at each look, computed from the unit-level values of the column
/// table when it filters, winsorises or stratifies (``AnalysisOptions/needsUnitLevel``), per
/// (look, stratum, arm).
public struct UnitLevelStatistics: Equatable, Sendable {
    public let strata: Int
    public let arms: Int
    /// `sums[(look * strata + stratum) * arms + arm]`.
    public var sums: [MomentStatistic]
    /// Per look: the logged units the analysis considered (in its segments and time window)
    /// and how many of them its activity filter removed.
    public var considered: [Int]
    public var excluded: [Int]
    /// The unit-level values themselves, kept only for an external engine that asks for them
    /// (handshake `needs: ["unit_values"]`, protocol 2): per (look, arm), `values[look * arms +
    /// arm]` holds y of every unit the analysis reads at the look (after its filters and
    /// winsorisation, in arrival order; a unit logged in two arms is in both), and
    /// `covariateValues` its covariate x in the same order. Filled only at the analysis's active
    /// looks (empty elsewhere, and empty for analyses that do not keep values). Cost: 16 bytes
    /// per unit read per active look, held for the replications of one block.
    public var values: [[Double]] = []
    public var covariateValues: [[Double]] = []

    /// The statistics of `arm` in `stratum` at `look`.
    public func sums(look: Int, stratum: Int, arm: Int) -> MomentStatistic { sums[(look * strata + stratum) * arms + arm] }

    /// The statistics of `arm` at `look`, all strata together (strata added in order).
    public func sums(look: Int, arm: Int) -> MomentStatistic {
        MomentStatistic(combining: (0..<strata).map { sums(look: look, stratum: $0, arm: arm) })
    }

    /// The share of the considered units the activity filter removed at `look` (0 when none).
    public func excludedShare(look: Int) -> Double {
        considered[look] > 0 ? Double(excluded[look]) / Double(considered[look]) : 0
    }
}

extension ReplicationEngine {
    /// The unit-level statistics of every analysis that needs them, keyed by analysis id.
    ///
    /// At look k the analysis reads the units arrived by the look whose exposure was logged and
    /// whose data landed by the look's day (logged day ≤ look day), restricted to its segments
    /// (`where`) and arrival window (`from_day`); its activity rule drops units whose activity
    /// metric exceeds the threshold; winsorisation caps the remaining values at quantiles of
    /// their pooled values (the Analysis module's `Winsorization.quantileCaps`, numpy's linear
    /// quantile); the activity rule is the Analysis module's `ActivityFilter`; with `stratify: allocation_period` a unit's stratum is the period between the
    /// design's allocation changes in which it arrived; with `stratify: {latent_quantiles: q}`
    /// or `{segment: NAME}` it is the unit's ``UnitStrata`` bin; with `covariate: latent` the
    /// covariate moments (CUPED's x) are of the latent factor.
    ///
    /// `keepingValuesOf` names analyses (answered by an external engine that asked for unit
    /// values) whose values are kept as well (``UnitLevelStatistics/values``); they get
    /// unit-level statistics even without filters, so the sums and the values sent agree.
    func unitLevelStatistics(table: ColumnTable, keepingValuesOf keep: Set<String> = []) throws(AnalysisError) -> [String: UnitLevelStatistics] {
        var out: [String: UnitLevelStatistics] = [:]
        let arms = plan.study.experiment.variants.count
        for a in plan.analyses where a.spec.options.needsUnitLevel || keep.contains(a.spec.id) {
            guard let m = a.metricIndex else { continue }
            let options = a.spec.options
            let boundaries = options.stratify == .allocationPeriod ? plan.allocationChanges : []
            var unitStratum: ((Int) -> Int)?
            if case let .units(u)? = options.stratify { unitStratum = u.reader(table) }
            let strata: Int
            if case let .units(u)? = options.stratify { strata = u.count } else { strata = boundaries.count + 1 }
            let segmentFilters: [(column: UnsafeMutableBufferPointer<Int32>, allowed: [Bool])] = options.segmentFilter.sorted { $0.key < $1.key }.compactMap { attribute, levels in
                guard let k = plan.study.population.segments.firstIndex(where: { $0.attribute == attribute }) else { return nil }
                return (table.segmentLevels[k], plan.study.population.segments[k].levels.map { levels.contains($0) })
            }
            let fromDay = options.fromDay ?? -.infinity
            let activity = a.exclusionMetric.map { table.outcome[$0] }
            let filter = try options.exclude.map { (x) throws(AnalysisError) in try ActivityFilter(above: x.above) }
            let ys = table.outcome[m], xs = options.latentCovariate ? table.latent : table.covariate[m]
            let loggedArm = table.loggedArm, loggedDay = table.loggedDay, arrival = table.arrival
            var stats = UnitLevelStatistics(strata: strata, arms: arms,
                                            sums: [MomentStatistic](repeating: MomentStatistic(), count: plan.looks.count * strata * arms),
                                            considered: [], excluded: [])
            let keepsValues = keep.contains(a.spec.id)
            let activeLooks = Set(a.activeLooks)
            if keepsValues {
                stats.values = [[Double]](repeating: [], count: plan.looks.count * arms)
                stats.covariateValues = stats.values
            }
            var selected: [Int] = []
            for (k, look) in plan.looks.enumerated() {
                selected.removeAll(keepingCapacity: true)
                var considered = 0, excluded = 0
                units: for i in 0..<look.units {
                    guard loggedArm[i] >= 0, loggedDay[i] <= look.day + 1e-9, arrival[i] >= fromDay else { continue }
                    for f in segmentFilters where !f.allowed[Int(f.column[i])] { continue units }
                    considered += 1
                    if let activity, let filter, filter.excludes(activity[i]) {
                        excluded += 1
                        continue
                    }
                    selected.append(i)
                }
                stats.considered.append(considered)
                stats.excluded.append(excluded)
                var lower = -Double.infinity, upper = Double.infinity
                if let w = options.winsorize, !selected.isEmpty {
                    let caps = try Winsorization.quantileCaps(pooled: selected.map { ys[$0] }, lower: w.lower, upper: w.upper)
                    lower = w.lower > 0 ? caps.lower : -.infinity
                    upper = w.upper < 1 ? caps.upper : .infinity
                }
                let keepAtLook = keepsValues && activeLooks.contains(k)
                for i in selected {
                    var s = 0
                    if let unitStratum {
                        s = unitStratum(i)
                    } else {
                        while s < boundaries.count && arrival[i] >= boundaries[s] { s += 1 }
                    }
                    let y = min(max(ys[i], lower), upper)
                    let arm = Int(loggedArm[i])
                    stats.sums[(k * strata + s) * arms + arm].add(y, covariate: xs[i])
                    if keepAtLook {
                        stats.values[k * arms + arm].append(y)
                        stats.covariateValues[k * arms + arm].append(xs[i])
                    }
                    if table.hasSecondArm, case let b = Int(table.secondArm[i]), b >= 0 {
                        stats.sums[(k * strata + s) * arms + b].add(y, covariate: xs[i])
                        if keepAtLook {
                            stats.values[k * arms + b].append(y)
                            stats.covariateValues[k * arms + b].append(xs[i])
                        }
                    }
                }
            }
            out[a.spec.id] = stats
        }
        return out
    }
}
