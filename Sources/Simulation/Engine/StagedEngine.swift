import Analysis
import Distributions

extension ReplicationEngine {
    /// The staged path: period by period, the design assigns the units that arrived, each
    /// metric's outcomes are drawn column-wise from its own stream (through the metric's
    /// outcome components), the faults edit what is logged (they may read the outcomes, e.g.
    /// to lose impatient low-value units), the logged units are accumulated
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
        if plan.analyses.contains(where: { $0.spec.method == .noveltyTrend }) {
            acc.ageSums = [MomentStatistic](repeating: MomentStatistic(), count: (study.population.days + 1) * arms * width)
        }
        let gens = zip(plan.generators, plan.startPurposes).map { $0.started(context, purposes: $1) }
        let streams = study.metrics.map { context.stream(.outcome($0.name)) }
        let transforms = plan.randomComponents.map { $0.map { (component: $0.component, stream: context.stream($0.purpose)) } }
        var unit = UnitContext(segmentLevels: [Int](repeating: 0, count: table.segmentLevels.count))
        let usesLatent = !table.latent.isEmpty
        // Group statistics when the design analyses clusters or region × windows (once-metrics;
        // a delayed unit is not placed in a group).
        let byGroup = plan.design.analysisUnit != .unit
        var lo = 0
        for period in periods {
            let hi = period.unitsArrived
            let units = lo..<hi
            design.assign(period: period, units: units, table: table)
            // Columns as locals (raw buffers: no per-element checks); a fault may set
            // `hasLatency`, which is read after the faults ran.
            let arm = table.arm, loggedArm = table.loggedArm, loggedDay = table.loggedDay, arrival = table.arrival
            let exposure = table.firstExposure, latent = table.latent, segments = table.segmentLevels
            let regions = table.hasRegions ? table.region : UnsafeMutableBufferPointer<Int32>(start: nil, count: 0)
            for i in units {
                loggedArm[i] = arm[i]
                loggedDay[i] = arrival[i]
            }
            // A design may ask for units to be left out of the analysis (switchback burn-in).
            if table.hasExclusions {
                let excluded = table.excluded
                for i in units where excluded[i] != 0 { loggedArm[i] = -1 }
            }
            let switches = table.hasSwitches, priorArm = table.priorArm, sinceSwitch = table.sinceSwitch
            let exposureMap = table.hasClusters ? treatedNeighbourShares(table: table, through: hi) : []
            let clusters = table.cluster, bots = table.isBot, hasClusters = table.hasClusters, hasBots = table.hasBots
            // Outcomes, metric by metric (each metric's stream in unit order).
            for m in once {
                let g = gens[m], s = streams[m], ys = table.outcome[m], xs = table.covariate[m]
                if transforms[m].isEmpty, let p = g.binaryThresholds {
                    // A binary metric with constant shifts: `draw` is exactly (u < p′_arm ? 1 : 0, 0)
                    // for one uniform u (``MetricGenerator/binaryThresholds``), so no unit context.
                    for i in units where arm[i] >= 0 {
                        ys[i] = s.uniform() < p[Int(arm[i])] ? 1 : 0
                        xs[i] = 0
                    }
                    continue
                }
                for i in units where arm[i] >= 0 {
                    unit.index = i
                    unit.arm = Int(arm[i])
                    unit.arrivalDay = arrival[i]
                    unit.calendarDay = arrival[i]
                    unit.daysSinceExposure = arrival[i] - exposure[i]
                    if usesLatent { unit.latent = latent[i] }
                    for k in segments.indices { unit.segmentLevels[k] = Int(segments[k][i]) }
                    if !regions.isEmpty { unit.region = Int(regions[i]) }
                    if hasClusters { unit.cluster = Int(clusters[i]); unit.treatedNeighbourShare = exposureMap[i] }
                    if hasBots { unit.isBot = bots[i] != 0 }
                    if switches { unit.previousArm = Int(priorArm[i]); unit.sinceSwitch = sinceSwitch[i] }
                    var (y, x) = g.draw(unit, s)
                    for t in transforms[m] { (y, x) = t.component.transform(y, x, unit: unit, stream: t.stream) }
                    ys[i] = y
                    xs[i] = x
                }
            }
            // Faults act between the truth (the outcomes just drawn) and the log.
            for f in faults { f.apply(period: period, units: units, table: table) }
            // Accumulate what is logged.
            let latency = table.hasLatency
            let hasSecondArm = table.hasSecondArm, secondArm = table.secondArm
            let ys = once.map { table.outcome[$0] }, xs = once.map { table.covariate[$0] }
            if byGroup {
                let group = table.group
                for i in units where loggedArm[i] >= 0 && !latency {
                    acc.addToGroup(Int(group[i]), arm: loggedArm[i]) { j in (once.contains(j) ? table.outcome[j][i] : 0, once.contains(j) ? table.covariate[j][i] : 0) }
                }
            }
            acc.sums.withUnsafeMutableBufferPointer { sums in
                acc.counts.withUnsafeMutableBufferPointer { counts in
                    for i in units {
                        let a = Int(loggedArm[i])
                        guard a >= 0 else { continue }
                        var p = period.index
                        if latency {
                            guard let q = plan.period(containing: loggedDay[i], from: period.index) else { continue }
                            p = q
                        }
                        counts[p * arms + a] += 1
                        let base = (p * arms + a) * width
                        for (j, m) in once.enumerated() { sums[base + m].add(ys[j][i], covariate: xs[j][i]) }
                        // A unit logged in a second arm too (broken stickiness) counts there as well.
                        if hasSecondArm, case let b = Int(secondArm[i]), b >= 0 {
                            counts[p * arms + b] += 1
                            for (j, m) in once.enumerated() { sums[(p * arms + b) * width + m].add(ys[j][i], covariate: xs[j][i]) }
                        }
                    }
                }
            }
            if !daily.isEmpty {
                observeDays(period: period, through: hi, table: table, gens: gens, streams: streams, transforms: transforms,
                            daily: daily, exposureMap: exposureMap, acc: &acc)
            }
            if byGroup && period.look != nil { acc.snapshotGroups() }
            design.periodEnded(period, statistics: acc.period(period.index))
            lo = hi
        }
        var out = acc.looks(periods)
        // Truths random per replication: the arm means of this replication's started components.
        for (m, g) in gens.enumerated() where g.adjustments.contains(where: \.truthPerReplication) {
            out.replicationArmMeans[m] = PlannedAnalysis.armMeansByLook(generator: g, study: study, looks: plan.looks)
            for c in g.adjustments { if let p = c as? any LaunchProgramme { out.launches += p.launches } }
        }
        let log = design.allocationLog
        if !log.isEmpty {
            out.periodSums = acc.sums
            out.allocation = log
            out.lookPeriods = periods.filter { $0.look != nil }.map(\.index)
        }
        return out
    }

    /// Daily metrics: every exposed unit's days from its cursor up to the period's last
    /// complete day are drawn (metric by metric, unit by unit, day by day on the metric's
    /// stream) and added to its running totals; the days' draws also go into the period's
    /// statistics (one observation per unit-day, for designs that learn per period). At a look
    /// the logged units with at least one day are summarised: their total, or their mean per day.
    private func observeDays(period: Period, through hi: Int, table: ColumnTable, gens: [MetricGenerator], streams: [RandomStream],
                             transforms: [[(component: any OutcomeComponent, stream: RandomStream)]],
                             daily: [Int], exposureMap: [Double], acc: inout Accumulator) {
        let arms = acc.arms, width = max(acc.metrics, 1)
        let end = Int32((period.endDay + 1e-9).rounded(.down))
        let tracksAges = !acc.ageSums.isEmpty
        var unit = UnitContext(segmentLevels: [Int](repeating: 0, count: table.segmentLevels.count))
        let usesLatent = !table.latent.isEmpty
        let arm = table.arm, loggedArm = table.loggedArm, exposure = table.firstExposure, cursor = table.dayCursor
        let arrival = table.arrival, latent = table.latent, segments = table.segmentLevels
        let regions = table.hasRegions ? table.region : UnsafeMutableBufferPointer<Int32>(start: nil, count: 0)
        for m in daily {
            let g = gens[m], s = streams[m], ys = table.outcome[m], xs = table.covariate[m]
            for i in 0..<hi where arm[i] >= 0 {
                let first = Int32(exposure[i].rounded(.down))
                let start = cursor[i] >= 0 ? cursor[i] : first
                guard start < end else { continue }
                unit.index = i
                unit.arm = Int(arm[i])
                unit.arrivalDay = arrival[i]
                if usesLatent { unit.latent = latent[i] }
                for k in segments.indices { unit.segmentLevels[k] = Int(segments[k][i]) }
                if !regions.isEmpty { unit.region = Int(regions[i]) }
                if table.hasClusters { unit.cluster = Int(table.cluster[i]); unit.treatedNeighbourShare = exposureMap[i] }
                if table.hasBots { unit.isBot = table.isBot[i] != 0 }
                var y = ys[i], x = xs[i]
                let logged = Int(loggedArm[i])
                for d in start..<end {
                    unit.calendarDay = Double(d)
                    unit.daysSinceExposure = Double(d - first)
                    var draw = g.draw(unit, s)
                    for t in transforms[m] { draw = t.component.transform(draw.y, draw.x, unit: unit, stream: t.stream) }
                    y += draw.y
                    x += draw.x
                    if logged >= 0 {
                        acc.sums[(period.index * arms + logged) * width + m].add(draw.y, covariate: draw.x)
                        if tracksAges { acc.ageSums[((Int(d - first)) * arms + logged) * width + m].add(draw.y, covariate: draw.x) }
                    }
                }
                ys[i] = y
                xs[i] = x
            }
        }
        for i in 0..<hi where arm[i] >= 0 {
            let first = Int32(exposure[i].rounded(.down))
            cursor[i] = max(cursor[i] >= 0 ? cursor[i] : first, end)
        }
        guard let look = period.look else { return }
        if tracksAges { acc.ageLooks.append(acc.ageSums) }
        let loggedDay = table.loggedDay
        let perDay = daily.map { plan.study.metrics[$0].observation == .dailyMean }
        let ys = daily.map { table.outcome[$0] }, xs = daily.map { table.covariate[$0] }
        for i in 0..<hi {
            let a = Int(loggedArm[i])
            guard a >= 0, loggedDay[i] <= period.endDay else { continue }
            let days = Double(cursor[i]) - exposure[i].rounded(.down)
            guard days >= 1 else { continue }
            let base = (look * arms + a) * width
            let second = table.hasSecondArm ? Int(table.secondArm[i]) : -1
            for (j, m) in daily.enumerated() {
                let y = ys[j][i], x = xs[j][i]
                acc.snapshots[base + m].add(perDay[j] ? y / days : y, covariate: perDay[j] ? x / days : x)
                if second >= 0 { acc.snapshots[(look * arms + second) * width + m].add(perDay[j] ? y / days : y, covariate: perDay[j] ? x / days : x) }
            }
        }
    }

    /// The exposure map at the end of a period: for each unit, the treated share (any arm but
    /// the control) among the other units of its cluster assigned so far (0 when it has none).
    /// Counted over every unit arrived, so designs that reassign earlier units are seen as they are.
    func treatedNeighbourShares(table: ColumnTable, through hi: Int) -> [Double] {
        let clusters = table.cluster, arm = table.arm
        if table.degree > 0 {
            // A neighbour graph: the treated share of the unit's neighbours assigned so far.
            let d = table.degree
            return table.neighbours.withUnsafeBufferPointer { nb in
                (0..<hi).map { i in
                    var assigned = 0, treated = 0
                    for k in 0..<d {
                        let j = Int(nb[i * d + k])
                        guard j < hi, arm[j] >= 0 else { continue }
                        assigned += 1
                        if arm[j] > 0 { treated += 1 }
                    }
                    return assigned > 0 ? Double(treated) / Double(assigned) : 0
                }
            }
        }
        let count = (0..<hi).reduce(0) { max($0, Int(clusters[$1]) + 1) }
        var assigned = [Int](repeating: 0, count: count), treated = [Int](repeating: 0, count: count)
        for i in 0..<hi where arm[i] >= 0 {
            assigned[Int(clusters[i])] += 1
            if arm[i] > 0 { treated[Int(clusters[i])] += 1 }
        }
        var share = [Double](repeating: 0, count: hi)
        for i in 0..<hi {
            let c = Int(clusters[i])
            let selfAssigned = arm[i] >= 0 ? 1 : 0, selfTreated = arm[i] > 0 ? 1 : 0
            let others = assigned[c] - selfAssigned
            if others > 0 { share[i] = Double(treated[c] - selfTreated) / Double(others) }
        }
        return share
    }
}
