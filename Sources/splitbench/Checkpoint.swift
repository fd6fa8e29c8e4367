import ArgumentParser
import Distributions
import Foundation
import Reports
import Scenarios
import Simulation
import Synchronization

/// SIGINT and SIGTERM during a run: the checkpoint on disk is made of complete files (each
/// written atomically), so the handler drops the replications in flight, prints how to
/// resume, and exits 130.
enum Interrupts {
    /// What to print when interrupted (set while a checkpointed run is under way).
    static let hint = Mutex<String?>(nil)
    nonisolated(unsafe) static var sources: [any DispatchSourceSignal] = []

    /// Installs the handlers once.
    static func install() {
        guard sources.isEmpty else { return }
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                let text = hint.withLock { $0 } ?? "interrupted (nothing to resume)"
                fflush(nil)
                FileHandle.standardError.write(Data(((isatty(2) != 0 ? "\r\u{1B}[K" : "") + text + "\n").utf8))
                _exit(130)
            }
            source.resume()
            sources.append(source)
        }
    }
}

/// A run's checkpoint: `OUT/<id>/.checkpoint/part-<cell>-<lower>-<upper>.jsonl`, one file per
/// finished chunk of replications (the shard format, written atomically), removed once the
/// results are written.
struct CheckpointStore {
    let dir: URL
    let header: ShardHeader

    var exists: Bool { !parts().isEmpty }

    /// Removes `out/<id>/.checkpoint/` (after the results are written), then clears the
    /// interrupt hint: from here on there is nothing to resume.
    static func remove(out: String, scenario id: String) {
        try? FileManager.default.removeItem(at: URL(fileURLWithPath: out).appendingPathComponent(id).appendingPathComponent(".checkpoint"))
        Interrupts.hint.withLock { $0 = nil }
    }

    func parts() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasPrefix("part-") && $0.hasSuffix(".jsonl") }.sorted()
    }

    /// Removes the checkpoint (and any temporary file a killed run left).
    func clear() {
        try? FileManager.default.removeItem(at: dir)
    }

    /// Saves a finished chunk.
    func save(_ range: CellRange, _ records: [ReplicationRecord], seconds: Double) throws(OutputError) {
        var h = header
        h.ranges = [range]
        let writer = try ShardWriter(url: dir.appendingPathComponent("part-\(range.cell)-\(range.lower)-\(range.upper).jsonl"), header: h)
        do {
            try writer.append(cell: range.cell, first: range.lower, records)
            try writer.finish(ShardTrailer(records: records.count, wallSeconds: seconds, rangeSeconds: [seconds]))
        } catch {
            writer.abandon()
            throw error
        }
    }

    /// The checkpointed records of one cell, by replication.
    func load(cell: Int, replications: Int) throws(ShardError) -> [Int: ReplicationRecord] {
        var out: [Int: ReplicationRecord] = [:]
        for name in parts() where name.hasPrefix("part-\(cell)-") {
            let path = dir.appendingPathComponent(name).path
            let reader = try ShardReader(path: path)
            let h = reader.header
            guard h.scenarioHash == header.scenarioHash, h.seed == header.seed, h.replications == header.replications,
                  h.replicationsOverride == header.replicationsOverride, h.version == header.version else {
                throw ShardError(path: path, "a checkpoint of another run (scenario hash, seed, replications or version differ); run without --resume to start over")
            }
            while let x = try reader.next() {
                guard x.cell == cell, x.replication >= 0, x.replication < replications, out[x.replication] == nil else {
                    throw ShardError(path: path, "cell \(x.cell) replication \(x.replication) is out of place or doubled; run without --resume to start over")
                }
                out[x.replication] = x.record
            }
        }
        return out
    }
}

extension ScenarioDriver {
    /// A run that checkpoints finished chunks of replications (about every `checkpointSeconds`
    /// of work) into `out/<id>/.checkpoint/` and, with `resume`, starts from the checkpoint a
    /// killed or interrupted run left. The result is byte-identical to an uninterrupted run.
    func runCheckpointed(_ scenario: Scenario, out: String, resume: Bool, checkpointSeconds: Double) async throws -> (result: ScenarioResult, rows: [ReplicationRow]) {
        var configured = runner(label: scenario.id)
        configured.keepRecords = options.records
        let runner = configured
        let started = Date()
        let clock = ContinuousClock.now
        let inputs = scenario.cellInputs(replications: options.replications, seed: options.seed)
        try checkMemory(scenario, inputs)
        let header = ShardHeader(command: "checkpoint", scenario: scenario.id, file: scenario.file, scenarioHash: scenario.sourceHash,
                                 seed: inputs.first?.study.seed ?? 0, seedOverride: options.seed, replicationsOverride: options.replications,
                                 replications: inputs.first?.study.replications ?? 0, version: currentShardVersion(), shard: 1, shards: 1,
                                 ranges: [], host: hostName(), threads: threads, startedAt: ISO8601DateFormatter().string(from: started))
        let store = CheckpointStore(dir: URL(fileURLWithPath: out).appendingPathComponent(scenario.id).appendingPathComponent(".checkpoint"), header: header)
        if !resume { store.clear() } else if !store.exists {
            printError("note: no checkpoint in \(store.dir.path): running \(scenario.id) from the start")
        }
        var again = CommandLine.arguments
        if !again.contains("--resume") { again.append("--resume") }
        Interrupts.hint.withLock {
            $0 = "interrupted: \(scenario.id)'s finished replications are checkpointed in \(store.dir.path); continue with\n  \(again.joined(separator: " "))"
        }
        Interrupts.install()
        // The hint stays set until `CheckpointStore.remove` runs after the results are written:
        // an interrupt while they are written still leaves a checkpoint to resume from.
        let total = inputs.reduce(0) { $0 + $1.study.replications }
        let minimum = SimulationRunner.blockSize * threads
        var chunk = minimum
        var done = 0
        let output: SimulationRunner.Output
        do {
            output = try await runner.summarise(scenarioID: scenario.id, cells: inputs, gates: scenario.gates) { plan, cell in
                let r = cell.study.replications
                let have = try store.load(cell: cell.index, replications: r)
                var records = [ReplicationRecord?](repeating: nil, count: r)
                for (k, v) in have { records[k] = v }
                done += have.count
                var lo = 0
                while lo < r {
                    if records[lo] != nil { lo += 1; continue }
                    var hi = lo
                    while hi < r && hi - lo < chunk && records[hi] == nil { hi += 1 }
                    let t0 = ContinuousClock.now
                    let offset = done
                    let progress = runner.progress
                    let part = try await runner.replicate(plan: plan, replications: lo..<hi) { n in progress?(offset + n, total) }
                    let d = t0.duration(to: .now)
                    let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
                    try store.save(CellRange(cell: cell.index, lower: lo, upper: hi), part, seconds: seconds)
                    for (i, o) in part.enumerated() { records[lo + i] = o }
                    done += part.count
                    // Next chunk: about `checkpointSeconds` of work at the rate just seen.
                    let rate = Double(part.count) / max(seconds, 1e-6)
                    chunk = max(minimum, min(Int(rate * checkpointSeconds) / SimulationRunner.blockSize * SimulationRunner.blockSize, 1 << 20))
                    lo = hi
                }
                return records.compactMap { $0 }
            }
        } catch let e as SimulationError {
            printError("error: \(scenario.file): \(e.description)")
            throw ExitCode(2)
        } catch let e as ShardError {
            printError("error: \(e)")
            throw ExitCode(2)
        } catch let e as OutputError {
            printError("error: \(e)")
            throw ExitCode(3)
        }
        clearProgress()
        return (Self.result(scenario, inputs: inputs, output: output, run: Self.runInfo(threads: threads, started: started, clock: clock, output: output)), output.rows)
    }
}
