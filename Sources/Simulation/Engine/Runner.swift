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
    /// Replications per task for large populations; fixed so the work split never depends on
    /// the thread count (results never depend on it either: records are reduced in order).
    public static let blockSize = 8

    /// Replications per task for a population of `units`: ``blockSize``, or more for small
    /// populations (up to 512) so that a task holds ≈ 10⁵ unit-replications of work and the
    /// task hand-over (≈ 5–10 µs) stays small against a replication of a few microseconds.
    public static func replicationsPerTask(units: Int) -> Int {
        max(blockSize, min(512, blockSize * max(1, 12_500 / max(units, 1))))
    }
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
        return try await summarise(scenarioID: scenarioID, cells: cells, gates: gates) { plan, cell, feed in
            let r = cell.study.replications
            var lo = 0
            while lo < r {
                let hi = min(r, lo + Self.streamChunk)
                let offset = done
                feed.add(try await replicate(plan: plan, replications: lo..<hi) { n in self.progress?(offset + n, total) })
                done += hi - lo
                lo = hi
            }
        }
    }

    /// Replications run between two hand-overs to the summariser: it bounds the records held
    /// in memory (a record is ≈ 0.5 KB per comparison), whatever the replication count.
    public static let streamChunk = 4096

    /// Where a cell's records go, in replication order: the streaming summariser (and, with
    /// ``SimulationRunner/keepRecords``, the rows). One cell at a time, on one task.
    public final class CellFeed {
        public let plan: CellPlan
        /// The summariser; a checkpointed run restores it before adding the records after it.
        public var summariser: CellSummariser
        let keepRecords: Bool
        var rows: [ReplicationRow] = []

        init(plan: CellPlan, keepRecords: Bool) {
            self.plan = plan
            self.keepRecords = keepRecords
            summariser = CellSummariser(plan: plan)
        }

        /// Replications added so far: the next record is replication `added`.
        public var added: Int { summariser.replications }

        /// Adds the next records, in replication order.
        public func add(_ records: [ReplicationRecord]) {
            for record in records { add(record) }
        }

        /// Adds the next record.
        public func add(_ record: ReplicationRecord) {
            if keepRecords { rows += record.rows(plan: plan, replication: summariser.replications) }
            summariser.add(record, plan: plan)
        }

        /// The rows of replications 0, 1, … already summarised (a resumed run's `--records`).
        public func addRows(_ records: [ReplicationRecord]) {
            guard keepRecords else { return }
            for (r, record) in records.enumerated() { rows += record.rows(plan: plan, replication: r) }
        }
    }

    /// The one summarise path, shared by a single run, a checkpointed run and a merge of
    /// shards: for each cell in order, its plan, then `records` hands every replication's
    /// record to the cell's ``CellFeed`` in replication order (run now, resumed from a
    /// checkpoint, or read from shard files); finally the gates. Only the running sums and the
    /// records of one chunk are in memory. `cellSeconds` times each cell (records included).
    public func summarise(scenarioID: String, cells: [CellInput], gates: [GateSpec],
                          records: (CellPlan, CellInput, CellFeed) async throws -> Void) async throws -> Output {
        var rows: [ReplicationRow] = []
        var results: [CellResult] = []
        var seconds: [Double] = []
        for cell in cells {
            let start = ContinuousClock.now
            let plan = try CellPlan(study: cell.study, scenarioID: scenarioID, cellIndex: cell.index, factors: cell.factors)
            let feed = CellFeed(plan: plan, keepRecords: keepRecords)
            try await records(plan, cell, feed)
            guard feed.added == cell.study.replications else {
                throw SimulationError("cell \(cell.index) (\(cell.label)): \(feed.added) replication records, expected \(cell.study.replications)")
            }
            results.append(feed.summariser.result(plan: plan, cell: cell))
            rows += feed.rows
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

    /// Runs only the given ranges of (cell, replication) — one shard's slice — handing the
    /// records, in replication order, to `sink` in pieces of at most ``streamChunk``
    /// replications (so a shard holds one piece in memory). Returns the seconds spent per range.
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
            var lo = range.replications.lowerBound
            while lo < range.replications.upperBound {
                let hi = min(range.replications.upperBound, lo + Self.streamChunk)
                let offset = done
                let outcomes = try await replicate(plan: plan, replications: lo..<hi) { n in self.progress?(offset + n, total) }
                done += hi - lo
                try sink(CellRange(cell: range.cell, lower: lo, upper: hi), outcomes)
                lo = hi
            }
            let d = start.duration(to: .now)
            seconds.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
        }
        return seconds
    }

    /// Replications `replications` of one cell, in order: outcomes[i][j] for replication
    /// `replications.lowerBound + i` and comparison j. Blocks of ``replicationsPerTask(units:)`` run as tasks;
    /// `progress` gets the replications done so far in this call.
    public func replicate(plan: CellPlan, replications: Range<Int>, progress: @escaping @Sendable (Int) -> Void) async throws -> [ReplicationRecord] {
        let base = replications.lowerBound, r = replications.count
        // At least 16 tasks per call when it has the replications (progress, balance).
        let perTask = max(Self.blockSize, min(Self.replicationsPerTask(units: plan.study.population.units), r / 16))
        let blocks = (r + perTask - 1) / perTask
        var outcomes = [ReplicationRecord](repeating: ReplicationRecord(comparisons: [], family: []), count: r)
        let engine = ReplicationEngine(plan: plan, path: path)
        let tables = TablePool()
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
                    let lo = b * perTask, hi = min(r, lo + perTask)
                    return (lo, try Self.runBlock(engine, (base + lo)..<(base + hi), engines: pool, tables: tables))
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
    static func runBlock(_ engine: ReplicationEngine, _ replications: Range<Int>, engines: ExternalEnginePool?, tables: TablePool) throws -> [ReplicationRecord] {
        let table = tables.take()
        defer { tables.give(table) }
        return try engine.runBlock(replications, table: table, engines: engines)
    }
}

/// Column tables reused across the blocks of one `replicate` call: a table of 10⁵ units is
/// ≈ 15 MB, and allocating one per block of 8 replications cost ≈ 8% of a large study in page
/// faults (kernel page clearing). At most `threads` tables exist; each is used by one task at a
/// time (taken under the lock, given back when the block ends), which is why the unchecked
/// `Sendable` is sound.
final class TablePool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [ColumnTable] = []

    func take() -> ColumnTable {
        lock.lock()
        defer { lock.unlock() }
        return free.popLast() ?? ColumnTable()
    }

    func give(_ t: ColumnTable) {
        lock.lock()
        free.append(t)
        lock.unlock()
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
