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

    /// 1 when x = y, else 0, without a branch (arms are random, so a branch would mispredict
    /// half the time): d = x ⊕ y is 0 exactly when x = y; d | −d has its sign bit set exactly
    /// when d ≠ 0 (for d = Int32.min too, with wrapping negation); the arithmetic shift by 31
    /// gives −1 or 0, plus 1.
    @inline(__always)
    static func isEqual(_ x: Int32, _ y: Int32) -> Int32 {
        let d = x ^ y
        return ((d | (0 &- d)) >> 31) &+ 1
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
        // Per (interval, arm) cell: the block's units; per unit of the block: a binary metric's
        // success (0 or 1); the block's segments (first and end offset, first cell), one per
        // look interval it touches (at most one per unit).
        let cells = looks.count * arms
        let units = UnsafeMutableBufferPointer<Int>.allocate(capacity: cells)
        let hits = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: block)
        let draws = UnsafeMutableBufferPointer<Double>.allocate(capacity: block)
        let segments = UnsafeMutableBufferPointer<(Int, Int, Int)>.allocate(capacity: block)
        defer {
            armBuffer.deallocate()
            baseBuffer.deallocate()
            units.deallocate()
            hits.deallocate()
            draws.deallocate()
            segments.deallocate()
        }
        plan.cellThresholds.withUnsafeBufferPointer { cellThresholds in
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
                        // The block in segments of one look interval each (usually one): a
                        // unit's cell is interval · arms + arm, and a segment's units per arm
                        // are counted arm by arm (compare-and-add loops, no per-unit
                        // read-modify-write of a counter in memory).
                        var segmentCount = 0, enrolled = 0
                        var i = start
                        while i < end {
                            while interval < looks.count - 1 && i >= nextCut {
                                interval += 1
                                nextCut = looks[interval].units
                            }
                            let segmentEnd = interval < looks.count - 1 ? min(end, max(nextCut, i + 1)) : end
                            let base = interval * arms
                            for j in (i - start)..<(segmentEnd - start) {
                                let arm = Int(armBuffer[j])
                                baseBuffer[j] = arm >= 0 ? base + arm : -1
                            }
                            for a in 0..<arms {
                                var c: Int32 = 0
                                for j in (i - start)..<(segmentEnd - start) { c &+= Self.isEqual(armBuffer[j], Int32(truncatingIfNeeded: a)) }
                                units[base + a] = Int(c)
                                counts[base + a] += Int(c)
                                enrolled += Int(c)
                            }
                            segments[segmentCount] = (i - start, segmentEnd - start, base)
                            segmentCount += 1
                            i = segmentEnd
                        }
                        for m in 0..<metrics {
                            let stream = streams[m]
                            if thresholds[m] != nil {
                                let p = cellThresholds.baseAddress.unsafelyUnwrapped + m * cells
                                // One uniform per enrolled unit, in unit order; the successes
                                // marked per unit, then counted per segment and arm.
                                stream.fillUniform(UnsafeMutableBufferPointer(rebasing: draws[0..<enrolled]))
                                var d = 0
                                for k in 0..<(end - start) {
                                    let cell = baseBuffer[k]
                                    guard cell >= 0 else { hits[k] = 0; continue }
                                    hits[k] = draws[d] < p[cell] ? 1 : 0
                                    d += 1
                                }
                                for q in 0..<segmentCount {
                                    let (from, to, base) = segments[q]
                                    for a in 0..<arms {
                                        let cell = base + a
                                        guard units[cell] > 0 else { continue }
                                        var ones: Int32 = 0
                                        for j in from..<to { ones &+= Self.isEqual(armBuffer[j], Int32(truncatingIfNeeded: a)) & Int32(hits[j]) }
                                        sums[cell * width + m].n += units[cell]
                                        sums[cell * width + m].sum += Double(ones)
                                        sums[cell * width + m].sumOfSquares += Double(ones)
                                    }
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
        }
        return acc.looks(lookPeriods: plan.lookPeriods)
    }
}
