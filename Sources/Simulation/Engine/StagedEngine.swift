import Analysis
import Distributions

extension ReplicationEngine {
    /// The staged path: period by period, the design assigns the units that arrived, the
    /// faults edit what is logged, each metric's outcomes are drawn column-wise from its own
    /// stream (through the metric's outcome components), the logged units are accumulated
    /// into the period's statistics (a delayed unit into the period its data reaches), and the
    /// design sees the period's statistics before the next period starts.
    func observeStaged(_ context: ReplicationContext, table: ColumnTable) throws -> LookStatistics {
        let study = plan.study
        let arms = study.experiment.variants.count
        let metrics = plan.generators.count
        let width = max(metrics, 1)
        let periods = plan.periods
        let design = try plan.design.start(context, table: table)
        let faults = zip(plan.faults, plan.faultPurposes).map { f, purpose in f.start(context, stream: context.stream(purpose)) }
        var acc = Accumulator(periods: periods.count, arms: arms, metrics: metrics)
        let gens = plan.generators.map { $0.privateCopy() }
        let streams = study.metrics.map { context.stream(.outcome($0.name)) }
        var unit = UnitContext(segmentLevels: [Int](repeating: 0, count: table.segmentLevels.count))
        let usesLatent = !table.latent.isEmpty
        var lo = 0
        for period in periods {
            let hi = period.unitsArrived
            let units = lo..<hi
            design.assign(period: period, units: units, table: table)
            for i in units {
                table.loggedArm[i] = table.arm[i]
                table.loggedDay[i] = table.arrival[i]
            }
            for f in faults { f.apply(period: period, units: units, table: table) }
            // Outcomes, metric by metric (each metric's stream in unit order).
            for m in 0..<metrics {
                let g = gens[m], s = streams[m]
                for i in units where table.arm[i] >= 0 {
                    unit.index = i
                    unit.arm = Int(table.arm[i])
                    unit.arrivalDay = table.arrival[i]
                    unit.calendarDay = table.arrival[i]
                    unit.daysSinceExposure = table.arrival[i] - table.firstExposure[i]
                    if usesLatent { unit.latent = table.latent[i] }
                    for k in unit.segmentLevels.indices { unit.segmentLevels[k] = Int(table.segmentLevels[k][i]) }
                    if !table.region.isEmpty { unit.region = Int(table.region[i]) }
                    let (y, x) = g.draw(unit, s)
                    table.outcome[m][i] = y
                    table.covariate[m][i] = x
                }
            }
            // Accumulate what is logged.
            for i in units {
                let arm = Int(table.loggedArm[i])
                guard arm >= 0 else { continue }
                var p = period.index
                if table.hasLatency {
                    guard let q = plan.period(containing: table.loggedDay[i], from: period.index) else { continue }
                    p = q
                }
                acc.counts[p * arms + arm] += 1
                let base = (p * arms + arm) * width
                for m in 0..<metrics { acc.sums[base + m].add(table.outcome[m][i], covariate: table.covariate[m][i]) }
            }
            design.periodEnded(period, statistics: acc.period(period.index))
            lo = hi
        }
        return acc.looks(periods)
    }
}
