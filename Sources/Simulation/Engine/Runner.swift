import Analysis
import Foundation

/// A cell to run: its study and where it sits in the sweep.
public struct CellInput: Sendable {
    public let index: Int
    public let label: String
    public let factors: [FactorValue]
    public let study: Study

    public init(index: Int, label: String, factors: [FactorValue], study: Study) {
        self.index = index
        self.label = label
        self.factors = factors
        self.study = study
    }
}

/// The Monte Carlo runner: replications of every cell, spread over `threads` workers, each
/// replication on its own random stream; results reduced in replication order, so the output
/// is byte-identical for any thread count.
public struct SimulationRunner: Sendable {
    public var threads: Int
    /// Called after each block of replications with (replications done, replications in all).
    public var progress: (@Sendable (Int, Int) -> Void)?
    /// Replications per task; fixed so the work split never depends on the thread count.
    public static let blockSize = 8
    /// Which replication path runs (the staged one can be forced, e.g. to compare paths).
    public var path: ReplicationEngine.Path

    public init(threads: Int = ProcessInfo.processInfo.activeProcessorCount, path: ReplicationEngine.Path = .automatic,
                progress: (@Sendable (Int, Int) -> Void)? = nil) {
        self.threads = max(1, threads)
        self.path = path
        self.progress = progress
    }

    /// Keep every replication's outcome (for `run --records` and `replay` checks); memory
    /// then grows with the replication count.
    public var keepRecords = false

    /// What a run produced.
    public struct Output: Sendable {
        public let cells: [CellResult]
        public let gates: [GateResult]
        public let cellSeconds: [Double]
        /// Every replication's outcomes, when ``SimulationRunner/keepRecords`` is set.
        public let rows: [ReplicationRow]
    }

    /// Runs every cell and checks the gates.
    public func run(scenarioID: String, cells: [CellInput], gates: [GateSpec]) async throws -> Output {
        let total = cells.reduce(0) { $0 + $1.study.replications }
        var done = 0
        return try await summarise(scenarioID: scenarioID, cells: cells, gates: gates) { plan, cell in
            let offset = done
            let outcomes = try await replicate(plan: plan, replications: 0..<cell.study.replications) { n in self.progress?(offset + n, total) }
            done += cell.study.replications
            return outcomes
        }
    }

    /// The one summarise path, shared by a single run and a merge of shards: for each cell in
    /// order, its plan, every replication's record in replication order (from `records`: run
    /// now, or read from shard files), then ``summarise(plan:cell:outcomes:)``; finally the
    /// gates. One cell's records are in memory at a time. `cellSeconds` times each cell
    /// (records included).
    public func summarise(scenarioID: String, cells: [CellInput], gates: [GateSpec],
                          records: (CellPlan, CellInput) async throws -> [ReplicationRecord]) async throws -> Output {
        var rows: [ReplicationRow] = []
        var results: [CellResult] = []
        var seconds: [Double] = []
        for cell in cells {
            let start = ContinuousClock.now
            let plan = try CellPlan(study: cell.study, scenarioID: scenarioID, cellIndex: cell.index, factors: cell.factors)
            let outcomes = try await records(plan, cell)
            guard outcomes.count == cell.study.replications else {
                throw SimulationError("cell \(cell.index) (\(cell.label)): \(outcomes.count) replication records, expected \(cell.study.replications)")
            }
            results.append(summarise(plan: plan, cell: cell, outcomes: outcomes))
            if keepRecords {
                for (r, record) in outcomes.enumerated() { rows += record.rows(plan: plan, replication: r) }
            }
            let d = start.duration(to: .now)
            seconds.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
        }
        return Output(cells: results, gates: GateEvaluator.evaluate(gates, cells: results), cellSeconds: seconds, rows: rows)
    }

    /// The ranges of shard `index` (0-based) of `count`: ``Sharding/slice(_:of:cells:)`` over
    /// these cells, each replication weighed by its cell's ``CellPlan/estimatedCost``.
    public static func shardRanges(scenarioID: String, cells: [CellInput], shard index: Int, of count: Int) throws -> [CellRange] {
        let costs = try cells.map { cell in
            (index: cell.index, replications: cell.study.replications,
             cost: try CellPlan(study: cell.study, scenarioID: scenarioID, cellIndex: cell.index, factors: cell.factors).estimatedCost)
        }
        return Sharding.slice(index, of: count, cells: costs)
    }

    /// Runs only the given ranges of (cell, replication) — one shard's slice — handing each
    /// range's records, in replication order, to `sink` as soon as the range is done (so a
    /// shard holds one range in memory). Returns the seconds spent per range.
    public func runRanges(scenarioID: String, cells: [CellInput], ranges: [CellRange],
                          sink: (CellRange, [ReplicationRecord]) throws -> Void) async throws -> [Double] {
        let total = ranges.reduce(0) { $0 + $1.replications.count }
        var done = 0
        var seconds: [Double] = []
        for range in ranges {
            guard let cell = cells.first(where: { $0.index == range.cell }) else {
                throw SimulationError("shard range names cell \(range.cell), which the scenario does not have")
            }
            let start = ContinuousClock.now
            let plan = try CellPlan(study: cell.study, scenarioID: scenarioID, cellIndex: cell.index, factors: cell.factors)
            let offset = done
            let outcomes = try await replicate(plan: plan, replications: range.replications) { n in self.progress?(offset + n, total) }
            done += range.replications.count
            try sink(range, outcomes)
            let d = start.duration(to: .now)
            seconds.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
        }
        return seconds
    }

    /// Replications `replications` of one cell, in order: outcomes[i][j] for replication
    /// `replications.lowerBound + i` and comparison j. Blocks of ``blockSize`` run as tasks;
    /// `progress` gets the replications done so far in this call.
    public func replicate(plan: CellPlan, replications: Range<Int>, progress: @escaping @Sendable (Int) -> Void) async throws -> [ReplicationRecord] {
        let base = replications.lowerBound, r = replications.count
        let blocks = (r + Self.blockSize - 1) / Self.blockSize
        var outcomes = [ReplicationRecord](repeating: ReplicationRecord(comparisons: [], family: []), count: r)
        let engine = ReplicationEngine(plan: plan, path: path)
        // External engines: one process per concurrent block (at most `threads`), reused.
        let pool: ExternalEnginePool? = plan.hasExternalAnalysis ? ExternalEnginePool() : nil
        defer {
            if let pool {
                pool.shutdown()
                ExternalEngineLog.shared.record(pool.recordedHandshakes)
            }
        }
        try await withThrowingTaskGroup(of: (Int, [ReplicationRecord]).self) { group in
            var next = 0
            var finished = 0
            func submit(_ b: Int) {
                group.addTask {
                    let lo = b * Self.blockSize, hi = min(r, lo + Self.blockSize)
                    return (lo, try Self.runBlock(engine, (base + lo)..<(base + hi), engines: pool))
                }
            }
            while next < min(blocks, threads) { submit(next); next += 1 }
            while let (lo, out) = try await group.next() {
                for (i, o) in out.enumerated() { outcomes[lo + i] = o }
                finished += out.count
                progress(finished)
                if next < blocks { submit(next); next += 1 }
            }
        }
        return outcomes
    }

    /// One task's block of replications, on one column table (a synchronous function: the
    /// Swift 6.3 optimiser crashes splitting the task's coroutine around the throwing loop).
    static func runBlock(_ engine: ReplicationEngine, _ replications: Range<Int>, engines: ExternalEnginePool?) throws -> [ReplicationRecord] {
        try engine.runBlock(replications, table: ColumnTable(), engines: engines)
    }

    func summarise(plan: CellPlan, cell: CellInput, outcomes: [ReplicationRecord]) -> CellResult {
        var summaries: [ComparisonSummary] = []
        var j = 0
        for a in plan.analyses {
            for c in a.comparisons {
                let column = outcomes.map { $0.comparisons[j] }
                var s = Summarise.comparison(a, c, outcomes: column, measures: plan.study.measures, looks: plan.looks.count)
                if let e = a.spec.external { s.engine = ExternalEngineLog.shared.info(e) }
                summaries.append(s)
                j += 1
            }
        }
        if let f = plan.study.family {
            for (k, policy) in f.policies.enumerated() {
                let column = outcomes.map { $0.family[k] }
                var values: [MeasureValue] = []
                func add(_ m: Measure, _ e: MonteCarloEstimate?) {
                    guard let e else { return }
                    values.append(MeasureValue(measure: m, estimate: e.estimate, mcse: e.mcse, replications: e.replications))
                }
                add(.fwer, PerformanceMeasures.proportion(column.filter(\.anyFalseRejection).count, of: column.count))
                add(.fdr, PerformanceMeasures.mean(column.map(\.falseDiscoveryProportion)))
                if f.affected > 0 {
                    add(.averagePower, PerformanceMeasures.mean(column.map(\.power)))
                    add(.anyPower, PerformanceMeasures.proportion(column.filter(\.anyTrueRejection).count, of: column.count))
                }
                summaries.append(ComparisonSummary(analysis: "family", comparison: policy.description, method: "welch_t",
                                                   policy: policy.description, truth: nil, replications: column.count, failed: [:],
                                                   measures: values, pValueHistogram: [], rejectionsByLook: []))
            }
        }
        var result = CellResult(index: cell.index, label: cell.label, factors: cell.factors, comparisons: summaries)
        result.key = plan.cellKeyHex
        outer: for (r, record) in outcomes.enumerated() {
            var j = 0
            for a in plan.analyses {
                for c in a.comparisons {
                    let o = record.comparisons[j]
                    j += 1
                    guard o.status != .ok else { continue }
                    guard result.failures.count < CellResult.failureListLimit else { break outer }
                    var failure = ReplicationFailure(replication: r, analysis: a.spec.id, comparison: c.label, status: o.status.rawValue)
                    failure.message = o.message
                    result.failures.append(failure)
                }
            }
        }
        return result
    }
}

/// Checks gates against cell results.
public enum GateEvaluator {
    public static func evaluate(_ gates: [GateSpec], cells: [CellResult]) -> [GateResult] {
        var out: [GateResult] = []
        for gate in gates {
            let matching = cells.filter { cell in
                gate.cells.allSatisfy { k, v in cell.factors.contains { $0.key == k && $0.value == v } }
            }
            for cell in matching {
                for s in cell.comparisons where s.analysis == gate.analysis && (gate.comparison == nil || gate.comparison == s.comparison) {
                    guard let m = s.value(gate.measure) else {
                        out.append(GateResult(statement: gate.statement, cell: cell.label, analysis: s.analysis, comparison: s.comparison,
                                              measure: gate.measure, estimate: nil, mcse: nil, bound: nil, passed: false,
                                              message: "no \(gate.measure.rawValue) was measured (\(s.replications) replications analysed, failed: \(s.failed))"))
                        continue
                    }
                    let (passed, bound) = gate.check(MonteCarloEstimate(estimate: m.estimate, mcse: m.mcse, replications: m.replications))
                    let est = "\(fmt(m.estimate)) ± \(m.mcse.map(fmt) ?? "?") (MCSE, R = \(m.replications))"
                    let message: String
                    switch gate.rule {
                    case let .atMost(v, t):
                        message = "\(est): upper bound \(bound.map(fmt) ?? "undefined") \(passed ? "≤" : ">") \(fmt(v + t))"
                    case let .atLeast(v, t):
                        message = "\(est): lower bound \(bound.map(fmt) ?? "undefined") \(passed ? "≥" : "<") \(fmt(v - t))"
                    case let .near(v, k):
                        message = "\(est): \(bound.map(fmt) ?? "?") MCSE from \(fmt(v)) (allowed \(fmt(k)))"
                    }
                    out.append(GateResult(statement: gate.statement, cell: cell.label, analysis: s.analysis, comparison: s.comparison,
                                          measure: gate.measure, estimate: m.estimate, mcse: m.mcse, bound: bound, passed: passed,
                                          message: message))
                }
            }
            if matching.isEmpty {
                out.append(GateResult(statement: gate.statement, cell: "(none)", analysis: gate.analysis, comparison: gate.comparison ?? "",
                                      measure: gate.measure, estimate: nil, mcse: nil, bound: nil, passed: false,
                                      message: "no cell matches the gate's cell selector \(gate.cells)"))
            }
        }
        return out
    }
}
