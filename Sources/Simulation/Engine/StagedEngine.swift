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
        let daily = study.metrics.indices.filter { study.metrics[$0].isDaily }
        let once = study.metrics.indices.filter { !study.metrics[$0].isDaily }
        var acc = Accumulator(periods: periods.count, arms: arms, metrics: metrics, looks: plan.looks.count, dailyMetrics: daily)
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
            for m in once {
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
                for m in once { acc.sums[base + m].add(table.outcome[m][i], covariate: table.covariate[m][i]) }
            }
            if !daily.isEmpty { observeDays(period: period, through: hi, table: table, gens: gens, streams: streams, daily: daily, acc: &acc) }
            design.periodEnded(period, statistics: acc.period(period.index))
            lo = hi
        }
        return acc.looks(periods)
    }

    /// Daily metrics: every exposed unit's days from its cursor up to the period's last
    /// complete day are drawn (metric by metric, unit by unit, day by day on the metric's
    /// stream) and added to its running totals; the days' draws also go into the period's
    /// statistics (one observation per unit-day, for designs that learn per period). At a look
    /// the logged units with at least one day are summarised: their total, or their mean per day.
    private func observeDays(period: Period, through hi: Int, table: ColumnTable, gens: [MetricGenerator], streams: [RandomStream],
                             daily: [Int], acc: inout Accumulator) {
        let arms = acc.arms, width = max(acc.metrics, 1)
        let end = Int32((period.endDay + 1e-9).rounded(.down))
        var unit = UnitContext(segmentLevels: [Int](repeating: 0, count: table.segmentLevels.count))
        let usesLatent = !table.latent.isEmpty
        for m in daily {
            let g = gens[m], s = streams[m]
            for i in 0..<hi where table.arm[i] >= 0 {
                let first = Int32(table.firstExposure[i].rounded(.down))
                let start = table.dayCursor[i] >= 0 ? table.dayCursor[i] : first
                guard start < end else { continue }
                unit.index = i
                unit.arm = Int(table.arm[i])
                unit.arrivalDay = table.arrival[i]
                if usesLatent { unit.latent = table.latent[i] }
                for k in unit.segmentLevels.indices { unit.segmentLevels[k] = Int(table.segmentLevels[k][i]) }
                if !table.region.isEmpty { unit.region = Int(table.region[i]) }
                var y = table.outcome[m][i], x = table.covariate[m][i]
                let logged = Int(table.loggedArm[i])
                for d in start..<end {
                    unit.calendarDay = Double(d)
                    unit.daysSinceExposure = Double(d - first)
                    let draw = g.draw(unit, s)
                    y += draw.y
                    x += draw.x
                    if logged >= 0 { acc.sums[(period.index * arms + logged) * width + m].add(draw.y, covariate: draw.x) }
                }
                table.outcome[m][i] = y
                table.covariate[m][i] = x
            }
        }
        for i in 0..<hi where table.arm[i] >= 0 {
            let first = Int32(table.firstExposure[i].rounded(.down))
            table.dayCursor[i] = max(table.dayCursor[i] >= 0 ? table.dayCursor[i] : first, end)
        }
        guard let look = period.look else { return }
        for i in 0..<hi {
            let arm = Int(table.loggedArm[i])
            guard arm >= 0, table.loggedDay[i] <= period.endDay else { continue }
            let days = Double(table.dayCursor[i]) - table.firstExposure[i].rounded(.down)
            guard days >= 1 else { continue }
            let base = (look * arms + arm) * width
            for m in daily {
                let perDay = plan.study.metrics[m].observation == .dailyMean
                let y = table.outcome[m][i], x = table.covariate[m][i]
                acc.snapshots[base + m].add(perDay ? y / days : y, covariate: perDay ? x / days : x)
            }
        }
    }
}
