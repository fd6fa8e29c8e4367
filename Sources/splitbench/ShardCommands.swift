import ArgumentParser
import Distributions
import Foundation
import Reports
import Scenarios
import Simulation

/// `--shard i/n`: slice i (1-based) of n.
struct ShardSpec: Sendable, Equatable {
    let index: Int
    let count: Int

    /// Parses `i/n` with 1 ≤ i ≤ n.
    static func parse(_ text: String) throws -> ShardSpec {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 1, i <= n else {
            throw ValidationError("--shard: expected i/n with 1 ≤ i ≤ n (1-based, e.g. 1/4 … 4/4), got '\(text)'")
        }
        return ShardSpec(index: i, count: n)
    }
}

/// This machine's name, for the `run` block (`$SLURMD_NODENAME` or the host name).
func hostName() -> String {
    let env = ProcessInfo.processInfo.environment
    if let n = env["SLURMD_NODENAME"], !n.isEmpty { return n }
    return ProcessInfo.processInfo.hostName
}

extension ScenarioDriver {
    /// Runs slice `shard` of `scenario` and writes `out/<id>/shard-i-of-n.jsonl` atomically:
    /// bad input exits 2, a failure to write exits 3.
    func runShard(_ scenario: Scenario, _ shard: ShardSpec, command: String, out: String) async throws {
        let runner = runner(label: "\(scenario.id) \(shard.index)/\(shard.count)")
        let started = Date()
        let clock = ContinuousClock.now
        let inputs = scenario.cellInputs(replications: options.replications, seed: options.seed)
        try checkMemory(scenario, inputs)
        let ranges: [CellRange]
        do {
            ranges = try SimulationRunner.shardRanges(scenarioID: scenario.id, cells: inputs, shard: shard.index - 1, of: shard.count)
        } catch let e as SimulationError {
            printError("error: \(scenario.file): \(e.description)")
            throw ExitCode(2)
        }
        let header = ShardHeader(command: command, scenario: scenario.id, file: scenario.file, scenarioHash: scenario.sourceHash,
                                 seed: inputs.first?.study.seed ?? 0, seedOverride: options.seed, replicationsOverride: options.replications,
                                 replications: inputs.first?.study.replications ?? 0, version: currentShardVersion(),
                                 shard: shard.index, shards: shard.count, ranges: ranges, host: hostName(), threads: threads,
                                 startedAt: ISO8601DateFormatter().string(from: started))
        let url = URL(fileURLWithPath: out).appendingPathComponent(scenario.id)
            .appendingPathComponent(ShardHeader.fileName(shard: shard.index, of: shard.count))
        let writer: ShardWriter
        do { writer = try ShardWriter(url: url, header: header) } catch {
            printError("error: \(error)")
            throw ExitCode(3)
        }
        let seconds: [Double]
        do {
            seconds = try await runner.runRanges(scenarioID: scenario.id, cells: inputs, ranges: ranges) { range, records in
                try writer.append(cell: range.cell, first: range.lower, records)
            }
            let d = clock.duration(to: .now)
            try writer.finish(ShardTrailer(records: writer.records, wallSeconds: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18,
                                           rangeSeconds: seconds))
        } catch let e as SimulationError {
            writer.abandon()
            printError("error: \(scenario.file): \(e.description)")
            throw ExitCode(2)
        } catch let e as OutputError {
            writer.abandon()
            printError("error: \(e)")
            throw ExitCode(3)
        } catch {
            writer.abandon()
            throw error
        }
        clearProgress()
        let covered = ranges.map { "cell \($0.cell) replications \($0.lower)..<\($0.upper)" }.joined(separator: ", ")
        print("\(scenario.id): shard \(shard.index)/\(shard.count), \(writer.records) replications (\(covered.isEmpty ? "none" : covered)) → \(url.path)")
    }
}

/// The version a shard written now would record.
func currentShardVersion() -> ShardVersion {
    ShardVersion(splitbench: BuildInfo.packageVersion, gitCommit: BuildInfo.gitCommit, swift: BuildInfo.swiftVersion, gsl: GSL.version)
}

struct Merge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Combine the shard files of `run|gate --shard i/n` into the result of a single run.",
        discussion: """
        Checks that the shards belong together (same scenario hash, seed, replications, code version and slice \
        count; every slice 1…n exactly once, each file complete), then summarises every replication in order and \
        writes DIR/<id>/{result.json, measures.csv, report.md, report.html}: measures.csv and report.* byte-identical \
        to a single run, result.json identical apart from its run block (hosts, timings). Shards of `gate` also have \
        their gates checked. Shards of several scenarios may be given together. Exit codes: 0 done, 1 a gate failed \
        (gate shards), 2 bad input (a shard missing, doubled, from another run or incomplete: the file and the \
        problem are named), 3 a result could not be written.
        """)

    @Argument(help: "Shard files (shard-i-of-n.jsonl), or directories holding them.")
    var shards: [String]

    @Option(help: "Directory for the results (one folder per scenario; default results/).")
    var out: String?

    @Option(help: "The scenario file (default: the path recorded in the shards, relative to the working directory). Its SHA-256 must match the shards'.")
    var scenario: String?

    @Flag(help: "Also write records.csv (every replication's outcome per comparison), as `run --records` would.")
    var records = false

    @Option(help: "Gate shards: write JUnit XML (one test case per gate check) to this file.")
    var junit: String?

    /// Shard files named on the command line, directories expanded to their `shard-*-of-*.jsonl`.
    static func files(_ shards: [String]) throws(ShardError) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for p in shards {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else { throw ShardError(path: p, "no such file or directory") }
            if isDir.boolValue {
                let names = ((try? fm.contentsOfDirectory(atPath: p)) ?? [])
                    .filter { $0.hasPrefix("shard-") && $0.hasSuffix(".jsonl") }.sorted()
                guard !names.isEmpty else { throw ShardError(path: p, "a directory without shard files (shard-i-of-n.jsonl)") }
                out += names.map { URL(fileURLWithPath: p).appendingPathComponent($0).path }
            } else {
                out.append(p)
            }
        }
        return out
    }

    func run() async throws {
        let results = try await Self.mergeAll(shards, scenario: scenario, records: records)
        let out = out ?? "results"
        for (result, rows, _) in results {
            let folder = try ScenarioDriver.write(result, rows: rows, to: out)
            let gates = result.gates.isEmpty ? "" : ", gates \(result.gates.filter(\.passed).count)/\(result.gates.count) passed"
            print("\(result.scenario): merged \(result.run.hosts?.count ?? 0) shard(s), \(result.cells.count) cell(s) × \(result.replications) replications\(gates) → \(folder.path)")
        }
        let gated = results.filter(\.isGate).map(\.result)
        if !gated.isEmpty {
            for r in gated { Gate.printVerdict(r) }
            try Gate.finish(gated, junit: junit)
        }
    }

    /// Reads, checks and summarises the shards in `paths` (files or directories), one result
    /// per scenario in order of first appearance; `isGate` when the shards came from `gate`.
    /// Every check happens before anything is written: a bad set exits 2 naming the problem.
    static func mergeAll(_ paths: [String], scenario: String?, records: Bool) async throws
        -> [(result: ScenarioResult, rows: [ReplicationRow], isGate: Bool)] {
        let started = ContinuousClock.now
        var groups: [(id: String, readers: [ShardReader])] = []
        do {
            for f in try files(paths) {
                let reader = try ShardReader(path: f)
                if let g = groups.firstIndex(where: { $0.id == reader.header.scenario }) { groups[g].readers.append(reader) } else {
                    groups.append((reader.header.scenario, [reader]))
                }
            }
            if scenario != nil && groups.count > 1 {
                throw ShardError(path: "--scenario", "one scenario file given for shards of \(groups.count) scenarios (\(groups.map(\.id).joined(separator: ", ")))")
            }
            for g in groups.indices { groups[g].readers = try ShardFiles.checkSet(groups[g].readers) }
        } catch let e as ShardError {
            printError("error: \(e)")
            throw ExitCode(2)
        }
        let mine = currentShardVersion()
        var results: [(result: ScenarioResult, rows: [ReplicationRow], isGate: Bool)] = []
        for g in groups {
            let (result, rows) = try await merge(g.readers, scenario: scenario, records: records, started: started)
            results.append((result, rows, g.readers.contains { $0.header.command == "gate" }))
            if let v = g.readers.first?.header.version, v != mine {
                printError("warning: \(g.id): the shards were written by \(v), this merge is \(mine)")
            }
        }
        return results
    }

    /// One scenario's shards (checked, in slice order) → its result.
    static func merge(_ readers: [ShardReader], scenario: String?, records: Bool, started: ContinuousClock.Instant) async throws
        -> (ScenarioResult, [ReplicationRow]) {
        guard let h = readers.first?.header else { throw ExitCode(2) }
        let path = scenario ?? h.file
        let s: Scenario
        do { s = try Scenario.load(path: path) } catch {
            printError("error: \(error)")
            printError("       (the scenario of the shards \(readers[0].path) …; pass it with --scenario when it moved)")
            throw ExitCode(2)
        }
        guard s.sourceHash == h.scenarioHash, s.id == h.scenario else {
            printError("error: \(path): SHA-256 \(s.sourceHash.prefix(16))… (id \(s.id)) is not the shards' \(h.scenarioHash.prefix(16))… (id \(h.scenario)): the file changed since the shards ran; pass the original with --scenario")
            throw ExitCode(2)
        }
        let inputs = s.cellInputs(replications: h.replicationsOverride, seed: h.seedOverride)
        do {
            for r in readers {
                let expected = try SimulationRunner.shardRanges(scenarioID: s.id, cells: inputs, shard: r.header.shard - 1, of: r.header.shards)
                guard expected == r.header.ranges else {
                    throw ShardError(path: r.path, "covers \(Self.describe(r.header.ranges)), but slice \(r.header.shard)/\(r.header.shards) of \(path) is \(Self.describe(expected))")
                }
            }
        } catch let e as ShardError {
            printError("error: \(e)")
            throw ExitCode(2)
        } catch let e as SimulationError {
            printError("error: \(path): \(e.description)")
            throw ExitCode(2)
        }
        var runner = SimulationRunner(threads: 1)
        runner.keepRecords = records
        let cursor = ShardCursor(readers: readers)
        let output: SimulationRunner.Output
        do {
            output = try await runner.summarise(scenarioID: s.id, cells: inputs, gates: s.gates) { _, cell, feed in
                try cursor.take(cell: cell.index, count: cell.study.replications) { feed.add($0) }
            }
            try cursor.finish()
        } catch let e as ShardError {
            printError("error: \(e)")
            throw ExitCode(2)
        } catch let e as SimulationError {
            printError("error: \(path): \(e.description)")
            throw ExitCode(2)
        }
        // The run block: every shard's host and time; per cell, the shards' seconds on it.
        var cellSeconds = [Double](repeating: 0, count: inputs.count)
        for r in readers {
            for (range, sec) in zip(r.header.ranges, r.trailer?.rangeSeconds ?? []) {
                if let i = inputs.firstIndex(where: { $0.index == range.cell }) { cellSeconds[i] += sec }
            }
        }
        let starts = readers.map(\.header.startedAt).sorted()
        let d = started.duration(to: .now)
        let info = RunInfo(splitbenchVersion: h.version.splitbench, gitCommit: h.version.gitCommit, swiftVersion: h.version.swift,
                           gslVersion: h.version.gsl, threads: readers.map(\.header.threads).max() ?? 1, startedAt: starts.first ?? "",
                           wallSeconds: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18,
                           cellSeconds: cellSeconds, hosts: readers.map(\.header.host),
                           shardSeconds: readers.map { $0.trailer?.wallSeconds ?? 0 })
        return (ScenarioDriver.result(s, inputs: inputs, output: output, run: info), output.rows)
    }

    static func describe(_ ranges: [CellRange]) -> String {
        ranges.isEmpty ? "no replications" : ranges.map { "cell \($0.cell) replications \($0.lower)..<\($0.upper)" }.joined(separator: ", ")
    }
}

/// Reads the records of shards in slice order: cell by cell, replication by replication,
/// checking that each is the one expected next.
final class ShardCursor {
    let readers: [ShardReader]
    var current = 0

    init(readers: [ShardReader]) { self.readers = readers }

    /// The next record in the merged order, from the current shard or the next one.
    func next() throws(ShardError) -> (reader: ShardReader, cell: Int, replication: Int, record: ReplicationRecord)? {
        while current < readers.count {
            let r = readers[current]
            if let x = try r.next() { return (r, x.cell, x.replication, x.record) }
            let covered = r.header.ranges.reduce(0) { $0 + $1.replications.count }
            guard r.trailer?.records == covered else {
                throw ShardError(path: r.path, "holds \(r.trailer?.records ?? 0) records, but its slice \(r.header.shard)/\(r.header.shards) covers \(covered)")
            }
            current += 1
        }
        return nil
    }

    /// Replications 0..<count of `cell`, handed to `sink` in order (one record in memory).
    func take(cell: Int, count: Int, _ sink: (ReplicationRecord) -> Void) throws(ShardError) {
        for rep in 0..<count {
            guard let x = try next() else {
                throw ShardError(path: readers.last?.path ?? "merge", "the shards end before cell \(cell) replication \(rep)")
            }
            guard x.cell == cell, x.replication == rep else {
                throw ShardError(path: x.reader.path, "holds cell \(x.cell) replication \(x.replication) where cell \(cell) replication \(rep) was expected")
            }
            sink(x.record)
        }
    }

    /// Checks that nothing is left over and every file was complete.
    func finish() throws(ShardError) {
        if let x = try next() {
            throw ShardError(path: x.reader.path, "holds cell \(x.cell) replication \(x.replication), beyond the scenario's replications")
        }
    }
}
