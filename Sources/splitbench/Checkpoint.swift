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

/// A run's checkpoint, in `OUT/<id>/.checkpoint/`, removed once the results are written:
/// - `state.json`: the run's identity (a shard header) and, per cell started, the streaming
///   summariser's state after its last finished chunk (``CellSummariser``: running sums, a
///   few kilobytes per cell whatever the replication count), written atomically;
/// - with `--records` only, `part-<cell>-<lower>-<upper>.jsonl`: each finished chunk's records
///   (the shard format, written atomically before the state), to rebuild `records.csv`.
struct CheckpointStore {
    let dir: URL
    let header: ShardHeader

    /// The saved state: the identity of the run and each started cell's summariser.
    struct State: Codable {
        var header: ShardHeader
        /// Cell index (decimal) → its summariser after the last saved chunk.
        var cells: [String: CellSummariser]
    }

    var stateURL: URL { dir.appendingPathComponent("state.json") }
    var exists: Bool { FileManager.default.fileExists(atPath: stateURL.path) }

    /// Removes `out/<id>/.checkpoint/` (after the results are written), then clears the
    /// interrupt hint: from here on there is nothing to resume.
    ///
    /// `state.json` goes first, by one atomic unlink: a recursive removal deletes file after
    /// file, and a signal in the middle used to leave the state with some of its record parts
    /// gone, so `--resume` refused ("records are missing"). Without the state, the parts left
    /// behind are ignored and removed by the next run.
    static func remove(out: String, scenario id: String) {
        let dir = URL(fileURLWithPath: out).appendingPathComponent(id).appendingPathComponent(".checkpoint")
        try? FileManager.default.removeItem(at: dir.appendingPathComponent("state.json"))
        try? FileManager.default.removeItem(at: dir)
        Interrupts.hint.withLock { $0 = nil }
    }

    func parts() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasPrefix("part-") && $0.hasSuffix(".jsonl") }.sorted()
    }

    /// Removes the checkpoint (and any temporary file a killed run left).
    func clear() {
        try? FileManager.default.removeItem(at: dir)
    }

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return e
    }

    /// Writes the state atomically (a temporary file renamed into place).
    func save(_ cells: [String: CellSummariser]) throws(OutputError) {
        let data: Data
        do { data = try Self.encoder().encode(State(header: header, cells: cells)) } catch {
            printError("error: cannot encode the checkpoint: \(error)")
            return
        }
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try AtomicFile.write(data, to: stateURL)
    }

    /// The saved summarisers, after checking that the checkpoint is this run's.
    func load() throws(ShardError) -> [String: CellSummariser] {
        guard exists else { return [:] }
        let state: State
        do {
            let d = JSONDecoder()
            d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
            state = try d.decode(State.self, from: Data(contentsOf: stateURL))
        } catch {
            throw ShardError(path: stateURL.path, "unreadable checkpoint (\(error.localizedDescription)); run without --resume to start over")
        }
        let h = state.header
        guard h.scenarioHash == header.scenarioHash, h.seed == header.seed, h.replications == header.replications,
              h.replicationsOverride == header.replicationsOverride, h.version == header.version else {
            throw ShardError(path: stateURL.path, "a checkpoint of another run (scenario hash, seed, replications or version differ); run without --resume to start over")
        }
        return state.cells
    }

    /// Saves a finished chunk's records (`--records` only).
    func savePart(_ range: CellRange, _ records: [ReplicationRecord], seconds: Double) throws(OutputError) {
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

    /// The checkpointed records of replications `0..<count` of one cell, in order (`--records`).
    /// Parts beyond the saved state (written just before a kill) are removed.
    func loadRecords(cell: Int, count: Int) throws(ShardError) -> [ReplicationRecord] {
        var out = [ReplicationRecord?](repeating: nil, count: count)
        for name in parts() where name.hasPrefix("part-\(cell)-") {
            let path = dir.appendingPathComponent(name).path
            let reader = try ShardReader(path: path)
            guard let range = reader.header.ranges.first, range.lower < count else {
                try? FileManager.default.removeItem(atPath: path)
                continue
            }
            while let x = try reader.next() {
                guard x.replication < count else { continue }
                guard x.cell == cell, x.replication >= 0, out[x.replication] == nil else {
                    throw ShardError(path: path, "cell \(x.cell) replication \(x.replication) is out of place or doubled; run without --resume to start over")
                }
                out[x.replication] = x.record
            }
        }
        guard let missing = out.firstIndex(where: { $0 == nil }) else { return out.compactMap { $0 } }
        throw ShardError(path: dir.path, "cell \(cell) replication \(missing)'s records are missing from the checkpoint; run without --resume to start over")
    }

    /// Removes the record parts of a cell the state does not cover (`--records`).
    func removeParts(cell: Int) {
        for name in parts() where name.hasPrefix("part-\(cell)-") { try? FileManager.default.removeItem(at: dir.appendingPathComponent(name)) }
    }
}

extension ScenarioDriver {
    /// A run that saves its streaming summaries (about every `checkpointSeconds` of work) into
    /// `out/<id>/.checkpoint/` and, with `resume`, starts from the checkpoint a killed or
    /// interrupted run left. The result is byte-identical to an uninterrupted run: the
    /// summariser's state is saved exactly (doubles in their shortest round-trip form) at a
    /// replication boundary, and the replications after it are added in the same order.
    func runCheckpointed(_ scenario: Scenario, out: String, resume: Bool, checkpointSeconds: Double) async throws -> (result: ScenarioResult, rows: [ReplicationRow]) {
        var configured = runner(label: scenario.id)
        configured.keepRecords = options.records
        let runner = configured
        let keepRecords = options.records
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
        let resumable = "interrupted: \(scenario.id)'s finished replications are checkpointed in \(store.dir.path); continue with\n  \(again.joined(separator: " "))"
        // Until the first state is saved there is nothing to resume, and the message says so; it
        // names the checkpoint from just before the first save on (a save is an atomic rename,
        // so an interrupt during it leaves the old state or the new one).
        var announced = store.exists
        Interrupts.hint.withLock {
            $0 = announced ? resumable : "interrupted before \(scenario.id)'s first checkpoint (nothing to resume): run the command again to start over"
        }
        Interrupts.install()
        // The hint stays set until `CheckpointStore.remove` runs after the results are written:
        // an interrupt while they are written still leaves a checkpoint to resume from.
        let total = inputs.reduce(0) { $0 + $1.study.replications }
        let minimum = SimulationRunner.blockSize * threads
        var chunk = minimum
        var done = 0
        var lastSave = ContinuousClock.now
        let output: SimulationRunner.Output
        do {
            var saved = resume ? try store.load() : [:]
            output = try await runner.summarise(scenarioID: scenario.id, cells: inputs, gates: scenario.gates) { plan, cell, feed in
                let r = cell.study.replications
                let key = String(cell.index)
                if let state = saved[key] {
                    guard state.replications <= r else {
                        throw ShardError(path: store.stateURL.path, "cell \(cell.index) has \(state.replications) replications checkpointed, more than \(r); run without --resume to start over")
                    }
                    if keepRecords { feed.addRows(try store.loadRecords(cell: cell.index, count: state.replications)) }
                    feed.summariser = state
                } else if keepRecords {
                    store.removeParts(cell: cell.index)
                }
                done += feed.added
                var lo = feed.added
                while lo < r {
                    let hi = min(r, lo + chunk)
                    let t0 = ContinuousClock.now
                    let offset = done
                    let progress = runner.progress
                    let part = try await runner.replicate(plan: plan, replications: lo..<hi) { n in progress?(offset + n, total) }
                    let d = t0.duration(to: .now)
                    let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
                    if keepRecords { try store.savePart(CellRange(cell: cell.index, lower: lo, upper: hi), part, seconds: seconds) }
                    feed.add(part)
                    done += part.count
                    // Save about every `checkpointSeconds`, and at the end of each cell.
                    saved[key] = feed.summariser
                    if hi == r || lastSave.duration(to: .now) >= .milliseconds(Int64(checkpointSeconds * 1000)) {
                        if !announced {
                            Interrupts.hint.withLock { $0 = resumable }
                            announced = true
                        }
                        try store.save(saved)
                        lastSave = .now
                    }
                    // Next chunk: about `checkpointSeconds` of work at the rate just seen, and
                    // at most `streamChunk` replications in memory.
                    let rate = Double(part.count) / max(seconds, 1e-6)
                    chunk = max(minimum, min(Int(rate * checkpointSeconds) / SimulationRunner.blockSize * SimulationRunner.blockSize, SimulationRunner.streamChunk))
                    lo = hi
                }
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
