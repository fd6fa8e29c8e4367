import Analysis
import Distributions

extension ReplicationEngine {
    /// The fused fast path for a static fixed split without faults: one pass over the units
    /// that assigns (ideal draw or plain hash-and-range), draws each metric from its own
    /// stream and adds to the sums of the unit's look interval. It reads the population
    /// columns the population model filled, and gives exactly the staged path's numbers.
    func observeFast(_ context: ReplicationContext, table: ColumnTable) throws -> LookStatistics {
        let e = plan.study.experiment
        switch e.assignment {
        case .ideal:
            var a = IdealAssigner(stream: context.stream(.assignment), weights: plan.armWeights, allocation: e.allocation)
            return fused(context, table: table, assigner: &a)
        case .hashed:
            var a = try HashedAssigner(study: plan.study, salt: context.salt)
            return fused(context, table: table, assigner: &a)
        }
    }

    private func fused<A: ArmAssigner>(_ context: ReplicationContext, table: ColumnTable, assigner: inout A) -> LookStatistics {
        let study = plan.study
        let arms = study.experiment.variants.count
        let metrics = plan.generators.count
        let looks = plan.looks
        var acc = Accumulator(periods: looks.count, arms: arms, metrics: metrics)
        let width = max(metrics, 1)
        let n = table.count
        let privateGenerators = plan.generators.map { $0.privateCopy() }
        let streams = study.metrics.map { context.stream(.outcome($0.name)) }
        let segmentColumns = table.segmentLevels
        let usesLatent = !table.latent.isEmpty
        let arrival = table.arrival, latent = table.latent
        privateGenerators.withUnsafeBufferPointer { gens in
        streams.withUnsafeBufferPointer { streams in
            acc.sums.withUnsafeMutableBufferPointer { sums in
                acc.counts.withUnsafeMutableBufferPointer { counts in
                    // Locals of this closure (not captured from outside), so the optimiser can
                    // pass `unit` to the generators without copying it.
                    var unit = UnitContext(segmentLevels: [Int](repeating: 0, count: segmentColumns.count))
                    var interval = 0
                    var nextCut = looks[0].units
                    for i in 0..<n {
                        while interval < looks.count - 1 && i >= nextCut {
                            interval += 1
                            nextCut = looks[interval].units
                        }
                        let arm = assigner.arm(ofUnit: i)
                        guard arm >= 0 else { continue }
                        unit.index = i
                        unit.arm = arm
                        unit.arrivalDay = arrival[i]
                        unit.calendarDay = arrival[i]
                        if usesLatent { unit.latent = latent[i] }
                        for k in segmentColumns.indices { unit.segmentLevels[k] = Int(segmentColumns[k][i]) }
                        counts[interval * arms + arm] += 1
                        let base = (interval * arms + arm) * width
                        for m in 0..<metrics {
                            let (y, x) = gens[m].draw(unit, streams[m])
                            sums[base + m].add(y, covariate: x)
                        }
                    }
                }
            }
        }
        }
        return acc.looks(plan.periods)
    }
}
