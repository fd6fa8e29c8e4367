import Foundation

/// Where each look falls in the arrival order.
///
/// Units are exchangeable, so arrival order is unit-index order: unit i of N arrives at the
/// ((i + ½)/N)-quantile of the arrival-time distribution. A look at time t therefore sees the
/// first c(t) units, and the cumulative sufficient statistics at every look are prefix sums —
/// K looks cost one pass over the units.
public enum LookPlan {
    /// The number of units that have arrived by each look (non-decreasing, the last = N),
    /// and the look's time in days.
    public static func cutoffs(_ schedule: LookSchedule, population: PopulationSpec) -> [(units: Int, day: Double)] {
        let n = population.units
        let days = Double(population.days)
        switch schedule {
        case .final:
            return [(n, days)]
        case let .everyDays(k):
            var out: [(Int, Double)] = []
            var d = Double(k)
            while d < days - 1e-9 { out.append((arrived(by: d, population), d)); d += Double(k) }
            out.append((n, days))
            return out
        case let .days(ds):
            return ds.map { (arrived(by: $0, population), $0) }
        case let .fractions(fs):
            return fs.map { f in
                let c = min(n, max(1, Int((f * Double(n)).rounded())))
                return (c, arrivalTime(ofUnit: c - 1, population))
            }
        case let .equallySpaced(k):
            return (1...k).map { j in
                let c = min(n, max(1, Int((Double(j) * Double(n) / Double(k)).rounded())))
                return (c, arrivalTime(ofUnit: c - 1, population))
            }
        }
    }

    /// The fraction of the population that has arrived by day `t` (the arrival cdf).
    static func arrivalCDF(_ t: Double, _ p: PopulationSpec) -> Double {
        let days = Double(p.days)
        switch p.arrivals {
        case .atStart:
            return 1
        case .uniform:
            return min(max(t / days, 0), 1)
        case let .dailyProfile(w):
            let weights = (0..<p.days).map { w[$0 % w.count] }
            let total = weights.reduce(0, +)
            var acc = 0.0
            for (d, wd) in weights.enumerated() {
                if t <= Double(d + 1) { return min(1, (acc + wd * max(0, t - Double(d))) / total) }
                acc += wd
            }
            return 1
        }
    }

    /// How many of the N units have arrived by day t: #{i : (i + ½)/N ≤ F(t)}.
    static func arrived(by t: Double, _ p: PopulationSpec) -> Int {
        let f = arrivalCDF(t, p)
        let n = Double(p.units)
        return min(p.units, max(0, Int((f * n + 0.5 + 1e-9).rounded(.down))))
    }

    /// The arrival time (days) of unit i: the ((i + ½)/N)-quantile of the arrival distribution.
    public static func arrivalTime(ofUnit i: Int, _ p: PopulationSpec) -> Double {
        let q = (Double(i) + 0.5) / Double(p.units)
        let days = Double(p.days)
        switch p.arrivals {
        case .atStart:
            return 0
        case .uniform:
            return q * days
        case let .dailyProfile(w):
            let weights = (0..<p.days).map { w[$0 % w.count] }
            let total = weights.reduce(0, +)
            var acc = 0.0
            for (d, wd) in weights.enumerated() where wd > 0 {
                if (acc + wd) / total >= q { return Double(d) + (q * total - acc) / wd }
                acc += wd
            }
            return days
        }
    }
}
