import Analysis
import Distributions

extension ReplicationEngine {
    /// The fused fast path for a static fixed split without faults: one pass over the units
    /// that assigns (ideal draw or plain hash-and-range), draws each metric from its own
    /// stream and adds to the sums of the unit's look interval. It reads the population
    /// columns the population model filled, and gives exactly the staged path's numbers.
    func observeFast(_ context: ReplicationContext, table: ColumnTable) throws -> LookStatistics {
        switch plan.study.experiment.assignment {
        case .ideal:
            var a = IdealAssigner(stream: context.stream(.assignment), weights: plan.armWeights, allocation: plan.study.experiment.allocation)
            return fused(context, table: table, assigner: &a)
        case .hashed:
            var a = try hashedTemplate.map { HashedAssigner(template: $0, salt: context.salt) } ?? HashedAssigner(study: plan.study, salt: context.salt)
            return fused(context, table: table, assigner: &a)
        }
    }

    /// Units per block: the assigner fills a block's arms at once (batched hashing), then each
    /// metric runs over the block from its own stream.
    static let fusedBlock = 256

    /// Block by block: the arms of the block's units, then each unit's sums index (look
    /// interval × arm × metric), then metric by metric the draws. Each metric draws from its
    /// own stream in unit order and each sum receives its units in unit order, exactly as a
    /// unit-by-unit loop would, so the bytes do not change. A binary metric with constant
    /// shifts (``MetricGenerator/binaryThresholds``) only counts successes: its sums are
    /// integers, exact in a double, so adding the counts once equals adding 1s one by one.
    private func fused<A: ArmAssigner>(_ context: ReplicationContext, table: ColumnTable, assigner: inout A) -> LookStatistics {
        let arms = plan.armWeights.count
        let metrics = plan.generators.count
        let looks = plan.looks
        var acc = Accumulator(periods: looks.count, arms: arms, metrics: metrics)
        let width = max(metrics, 1)
        let n = table.count
        let thresholds = plan.binaryThresholds
        // Private copies only for the metrics drawn through their generator (see privateCopy).
        let privateGenerators = zip(plan.generators, thresholds).map { g, t in t == nil ? g.privateCopy() : g }
        let streams = plan.outcomePurposes.map { context.stream($0) }
        let segmentColumns = table.segmentLevels
        let usesLatent = !table.latent.isEmpty
        let arrival = table.arrival, latent = table.latent
        let block = Self.fusedBlock
        let armBuffer = UnsafeMutableBufferPointer<Int32>.allocate(capacity: block)
        let baseBuffer = UnsafeMutableBufferPointer<Int>.allocate(capacity: block)
        // Binary counting: per (interval, arm) cell, units and successes.
        let cells = looks.count * arms
        let units = UnsafeMutableBufferPointer<Int>.allocate(capacity: cells)
        let successes = UnsafeMutableBufferPointer<Int>.allocate(capacity: cells)
        defer {
            armBuffer.deallocate()
            baseBuffer.deallocate()
            units.deallocate()
            successes.deallocate()
        }
        privateGenerators.withUnsafeBufferPointer { gens in
            acc.sums.withUnsafeMutableBufferPointer { sums in
                acc.counts.withUnsafeMutableBufferPointer { counts in
                    var unit = UnitContext(segmentLevels: [Int](repeating: 0, count: segmentColumns.count))
                    var interval = 0
                    var nextCut = looks[0].units
                    var start = 0
                    while start < n {
                        let end = min(n, start + block)
                        assigner.arms(ofUnits: start..<end, into: armBuffer)
                        let firstInterval = interval
                        for i in start..<end {
                            while interval < looks.count - 1 && i >= nextCut {
                                interval += 1
                                nextCut = looks[interval].units
                            }
                            let arm = Int(armBuffer[i - start])
                            guard arm >= 0 else { baseBuffer[i - start] = -1; continue }
                            counts[interval * arms + arm] += 1
                            baseBuffer[i - start] = interval * arms + arm
                        }
                        // The block's units fall in look intervals firstInterval...interval,
                        // i.e. in cells lowCell..<highCell.
                        let lowCell = firstInterval * arms, highCell = (interval + 1) * arms
                        for m in 0..<metrics {
                            let stream = streams[m]
                            if let p = thresholds[m] {
                                for cell in lowCell..<highCell {
                                    units[cell] = 0
                                    successes[cell] = 0
                                }
                                for k in 0..<(end - start) {
                                    let cell = baseBuffer[k]
                                    guard cell >= 0 else { continue }
                                    let u = stream.uniform()
                                    units[cell] += 1
                                    if u < p[cell % arms] { successes[cell] += 1 }
                                }
                                for cell in lowCell..<highCell where units[cell] > 0 {
                                    let ones = Double(successes[cell])
                                    sums[cell * width + m].n += units[cell]
                                    sums[cell * width + m].sum += ones
                                    sums[cell * width + m].sumOfSquares += ones
                                }
                                continue
                            }
                            let g = gens[m]
                            for i in start..<end {
                                let cell = baseBuffer[i - start]
                                guard cell >= 0 else { continue }
                                unit.index = i
                                unit.arm = cell % arms
                                unit.arrivalDay = arrival[i]
                                unit.calendarDay = arrival[i]
                                if usesLatent { unit.latent = latent[i] }
                                for k in segmentColumns.indices { unit.segmentLevels[k] = Int(segmentColumns[k][i]) }
                                let (y, x) = g.draw(unit, stream)
                                sums[cell * width + m].add(y, covariate: x)
                            }
                        }
                        start = end
                    }
                }
            }
        }
        return acc.looks(lookPeriods: plan.lookPeriods)
    }
}
