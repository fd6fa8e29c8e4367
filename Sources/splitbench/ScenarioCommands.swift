import ArgumentParser
import Distributions
import Foundation
import Reports
import Scenarios
import Simulation
import Synchronization

/// Prints to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Options shared by `run` and `gate`.
struct RunOptions: ParsableArguments {
    @Argument(help: "Scenario files or directories of them (*.yaml).")
    var paths: [String]

    @Option(help: "Directory for the results (one folder per scenario).")
    var out: String?

    @Option(parsing: .unconditional, help: "Worker threads (default: every core). Results do not depend on it.")
    var threads: Int?

    @Option(parsing: .unconditional, help: "Override every scenario's replication count.")
    var replications: Int?

    @Option(help: "Override every scenario's seed.")
    var seed: UInt64?

    @Flag(help: "No progress bar.")
    var quiet = false

    @Flag(help: "Also write records.csv: every replication's outcome per comparison (memory grows with the replications).")
    var records = false

    @Option(help: "Replication engine: automatic (the fused fast path where it applies) or staged. Results are identical.")
    var engine: EngineChoice = .automatic

    @Option(help: ArgumentHelp("Run only slice i of n (1-based: 1/4 … 4/4) and write DIR/<id>/shard-i-of-n.jsonl instead of results; `splitbench merge` combines the n shards into exactly the result of one run.",
                               valueName: "i/n"),
            transform: ShardSpec.parse)
    var shard: ShardSpec?

    @Flag(help: "Continue from the checkpoint an interrupted or killed run left in DIR/<id>/.checkpoint/ (the result is byte-identical to an uninterrupted run).")
    var resume = false

    @Option(help: "Checkpoint finished replications into DIR/<id>/.checkpoint/ about every this many seconds of work.")
    var checkpointSeconds: Double = 30

    @Flag(help: "Run even when the memory estimate exceeds the machine's memory.")
    var force = false
}

/// `--engine`.
enum EngineChoice: String, ExpressibleByArgument, CaseIterable {
    case automatic, staged
    var path: ReplicationEngine.Path { self == .staged ? .staged : .automatic }
}

/// Loads scenarios, runs them, and writes their results. Loading happens first, for every
/// file, so a bad file stops everything before any output is written.
struct ScenarioDriver {
    let options: RunOptions

    func loadAll() throws -> [Scenario] {
        do {
            if let r = options.replications, !Scenario.replicationRange.contains(r) {
                throw ScenarioError(file: "--replications", keyPath: "", message: "expected a whole number in \(Scenario.replicationRange.lowerBound)…\(Scenario.replicationRange.upperBound) (the same limit as a scenario's replications), got \(r)")
            }
            if let t = options.threads, t < 1 { throw ScenarioError(file: "--threads", keyPath: "", message: "expected at least 1, got \(t)") }
            if !(options.checkpointSeconds > 0) {
                throw ScenarioError(file: "--checkpoint-seconds", keyPath: "", message: "expected a positive number, got \(options.checkpointSeconds)")
            }
            if options.shard != nil && options.resume {
                throw ScenarioError(file: "--resume", keyPath: "", message: "not with --shard: rerun an interrupted shard from the start")
            }
            if options.shard != nil && options.records {
                throw ScenarioError(file: "--records", keyPath: "", message: "not with --shard: a shard writes no results; use `splitbench merge --records`")
            }
            return try Scenario.files(in: options.paths).map { (f) throws(ScenarioError) in try Scenario.load(path: f) }
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
    }

    var threads: Int { options.threads ?? ProcessInfo.processInfo.activeProcessorCount }

    /// Refuses (exit 2) a scenario whose memory estimate (``Study/estimatedMemory(threads:)``,
    /// its largest cell) exceeds the machine's memory, unless `--force`.
    func checkMemory(_ scenario: Scenario, _ inputs: [CellInput]) throws {
        guard !options.force else { return }
        var worst = (bytes: 0.0, label: "")
        for cell in inputs {
            let bytes = cell.study.estimatedMemory(threads: threads)
            if bytes > worst.bytes { worst = (bytes, cell.label) }
        }
        let machine = Double(ProcessInfo.processInfo.physicalMemory)
        if machine > 0 && worst.bytes > machine {
            func gb(_ b: Double) -> String { String(format: "%.1f GB", b / 1e9) }
            printError("error: \(scenario.file): cell \(worst.label) needs about \(gb(worst.bytes)) (units × columns × \(threads) threads, plus one chunk of replication records), more than this machine's \(gb(machine)); lower --threads or population.units, shard the run, or pass --force")
            throw ExitCode(2)
        }
    }

    func runner(label: String) -> SimulationRunner {
        let progress: (@Sendable (Int, Int) -> Void)? = options.quiet ? nil : ProgressBar(label: label, terminal: isatty(2) != 0).update
        return SimulationRunner(threads: threads, path: options.engine.path, progress: progress)
    }

    /// Clears the progress bar's line (on a terminal).
    func clearProgress() {
        if !options.quiet && isatty(2) != 0 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    func run(_ scenario: Scenario) async throws -> (result: ScenarioResult, rows: [ReplicationRow]) {
        var runner = runner(label: scenario.id)
        runner.keepRecords = options.records
        let started = Date()
        let clock = ContinuousClock.now
        let inputs = scenario.cellInputs(replications: options.replications, seed: options.seed)
        try checkMemory(scenario, inputs)
        let output: SimulationRunner.Output
        do {
            output = try await runner.run(scenarioID: scenario.id, cells: inputs, gates: scenario.gates)
        } catch let e as SimulationError {
            printError("error: \(scenario.file): \(e.description)")
            throw ExitCode(2)
        }
        clearProgress()
        return (Self.result(scenario, inputs: inputs, output: output, run: Self.runInfo(threads: threads, started: started, clock: clock, output: output)), output.rows)
    }

    /// The provenance of a run that started at `started` (wall clock) and `clock` (monotonic).
    static func runInfo(threads: Int, started: Date, clock: ContinuousClock.Instant, output: SimulationRunner.Output) -> RunInfo {
        let d = clock.duration(to: .now)
        return RunInfo(splitbenchVersion: BuildInfo.packageVersion, gitCommit: BuildInfo.gitCommit, swiftVersion: BuildInfo.swiftVersion,
                       gslVersion: GSL.version, threads: threads, startedAt: ISO8601DateFormatter().string(from: started),
                       wallSeconds: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18,
                       cellSeconds: output.cellSeconds, hosts: [hostName()])
    }

    /// The result of a scenario from the runner's output: the one constructor for a single run
    /// and a merge of shards, so both write the same bytes.
    static func result(_ scenario: Scenario, inputs: [CellInput], output: SimulationRunner.Output, run info: RunInfo) -> ScenarioResult {
        ScenarioResult(scenario: scenario.id, description: scenario.description, file: scenario.file,
                       scenarioHash: scenario.sourceHash, seed: inputs.first?.study.seed ?? 0,
                       replications: inputs.first?.study.replications ?? 0, factors: scenario.factors,
                       cells: output.cells, gates: output.gates, run: info)
    }

    /// What the HTML report needs beside the result: the gate rules and the analyses' α, read
    /// from the scenario file the result names when that file still has the recorded hash (so a
    /// run, a merge of shards and a re-render all draw the same lines); otherwise nothing, and
    /// the report draws no targets rather than stale ones.
    static func reportContext(for r: ScenarioResult) -> ReportContext {
        guard FileManager.default.fileExists(atPath: r.file), let s = try? Scenario.load(path: r.file),
              s.sourceHash == r.scenarioHash else { return .none }
        var alphas: [String: Double] = [:]
        var power: [Int: [String: Double]] = [:]
        for cell in s.cells {
            for a in cell.study.analyses { alphas[a.id] = a.alpha }
        }
        for cell in s.cellInputs() {
            // The planned power the cell's plan computes (nil where no exact figure exists).
            guard let plan = try? CellPlan(study: cell.study, scenarioID: s.id, cellIndex: cell.index, factors: cell.factors) else { continue }
            for a in plan.analyses {
                for c in a.comparisons {
                    if let p = c.plannedPower { power[cell.index, default: [:]][ReportContext.powerKey(analysis: a.spec.id, comparison: c.label)] = p }
                }
            }
        }
        return ReportContext(gates: s.gates, alphas: alphas, plannedPower: power)
    }

    /// Writes result.json, measures.csv, report.md and report.html under `dir/<scenario id>/`,
    /// each atomically.
    /// A failure to write exits 3 with the path and the reason.
    static func write(_ result: ScenarioResult, rows: [ReplicationRow] = [], to dir: String) throws -> URL {
        let folder = URL(fileURLWithPath: dir).appendingPathComponent(result.scenario)
        do {
            // The folder is replaced as a whole (AtomicFolder): a kill while overwriting an old
            // result never leaves old and new files mixed, and a records.csv from an earlier
            // `--records` run does not outlive it.
            var files: [(name: String, data: Data)] = []
            if !rows.isEmpty { files.append(("records.csv", Data(ResultFiles.recordsCSV(rows, scenario: result.scenario).utf8))) }
            files.append(("result.json", try ResultFiles.json(result)))
            files.append(("measures.csv", Data(ResultFiles.measuresCSV(result).utf8)))
            files.append(("report.md", Data(ScenarioReport.markdown(result).utf8)))
            files.append(("report.html", Data(ScenarioReport.html(result, context: reportContext(for: result)).utf8)))
            try AtomicFolder.write(files, to: folder, managed: ["records.csv"])
        } catch let e as OutputError {
            printError("error: \(e)")
            throw ExitCode(3)
        }
        return folder
    }
}

/// Progress on standard error: on a terminal, a bar redrawn in place with the replications
/// done, the rate and the ETA; off a terminal (a batch job's log), the same figures as one line
/// every `interval` seconds (`$SPLITBENCH_PROGRESS_SECONDS`, default 10).
final class ProgressBar: Sendable {
    let label: String
    let terminal: Bool
    let interval: Double
    let start = ContinuousClock.now
    /// Seconds after `start` of the last line written off a terminal.
    let lastLine = Mutex<Double>(0)
    /// Whether the time estimate (from the first replications) was printed.
    let estimated = Mutex<Bool>(false)
    /// Seconds of work after which the estimate is printed.
    static let calibrationSeconds = 2.0

    init(label: String, terminal: Bool) {
        self.label = label
        self.terminal = terminal
        interval = ProcessInfo.processInfo.environment["SPLITBENCH_PROGRESS_SECONDS"].flatMap(Double.init).map { max($0, 0) } ?? 10
    }

    @Sendable func update(_ done: Int, _ total: Int) {
        let d = start.duration(to: .now)
        let elapsed = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Self.duration(Double(total - done) / rate) : "?"
        let stats = "\(done)/\(total) replications, \(String(format: "%.1f", rate))/s, ETA \(eta)"
        // Once, after a short calibration on the first replications: the whole run's time.
        if elapsed >= Self.calibrationSeconds, done < total, rate > 0,
           estimated.withLock({ e -> Bool in defer { e = true }; return !e }) {
            let line = "\(label): estimated time \(Self.duration(Double(total) / rate)) for \(total) replications (measured on the first \(done), \(String(format: "%.1f", rate))/s)"
            FileHandle.standardError.write(Data(((terminal ? "\r\u{1B}[K" : "") + line + "\n").utf8))
        }
        if terminal {
            let width = 30
            let filled = total > 0 ? width * done / total : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) \(bar) \(stats)\u{1B}[K".utf8))
            return
        }
        let due = lastLine.withLock { last -> Bool in
            guard elapsed - last >= interval else { return false }
            last = elapsed
            return true
        }
        if due { FileHandle.standardError.write(Data("\(label): \(stats)\n".utf8)) }
    }

    /// 42 s, 3 min 5 s, 2 h 10 min.
    static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        let t = Int(s.rounded())
        if t < 60 { return "\(t) s" }
        if t < 3600 { return "\(t / 60) min \(t % 60) s" }
        return "\(t / 3600) h \(t % 3600 / 60) min"
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run scenarios and write result.json, measures.csv, report.md and report.html per scenario.",
        discussion: "Exit codes: 0 done (gate failures are reported but do not fail `run`; use `gate`), 2 bad input.")

    @OptionGroup var options: RunOptions

    func run() async throws {
        Interrupts.install()
        let driver = ScenarioDriver(options: options)
        let scenarios = try driver.loadAll()
        let out = options.out ?? "results"
        if let shard = options.shard {
            for s in scenarios { try await driver.runShard(s, shard, command: "run", out: out) }
            return
        }
        for s in scenarios {
            let (result, rows) = try await driver.runCheckpointed(s, out: out, resume: options.resume, checkpointSeconds: options.checkpointSeconds)
            let folder = try ScenarioDriver.write(result, rows: rows, to: out)
            CheckpointStore.remove(out: out, scenario: s.id)
            let gates = result.gates.isEmpty ? "" : ", gates \(result.gates.filter(\.passed).count)/\(result.gates.count) passed"
            print("\(s.id): \(result.cells.count) cell(s) × \(result.replications) replications in \(String(format: "%.2f", result.run.wallSeconds)) s\(gates) → \(folder.path)")
        }
    }
}

struct Gate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run scenarios and check their gates: the CI regression test.",
        discussion: "Exit codes: 0 every gate passed, 1 a gate failed (each failure is printed), 2 bad input.")

    @OptionGroup var options: RunOptions

    @Option(help: "Write JUnit XML (one test case per gate check, and per baseline comparison) to this file.")
    var junit: String?

    @Option(help: "Also compare every measure with the results in DIR (e.g. results/gates) and fail on a change beyond its Monte Carlo noise (see `splitbench diff`).")
    var baseline: String?

    @Option(help: "With --baseline: add K to every scenario's seed, so the new replications are independent of the baseline's and the z rule is exact.")
    var baselineSeedOffset: UInt64?

    func run() async throws {
        Interrupts.install()
        var driver = ScenarioDriver(options: options)
        if baselineSeedOffset != nil && (baseline == nil || options.seed != nil) {
            printError("error: --baseline-seed-offset: needs --baseline and no --seed")
            throw ExitCode(2)
        }
        // Read the baseline before running anything, so a bad baseline costs no run.
        var baselineResults: [ScenarioResult] = []
        if let b = baseline {
            do { baselineResults = try Diff.load(b) } catch let e as Diff.DiffInputError {
                printError("error: --baseline: \(e.message)")
                throw ExitCode(e.code)
            }
        }
        if options.shard != nil && junit != nil {
            printError("error: --junit: not with --shard: a shard checks no gates; pass --junit to `splitbench merge`")
            throw ExitCode(2)
        }
        let scenarios = try driver.loadAll()
        if let shard = options.shard {
            for s in scenarios { try await driver.runShard(s, shard, command: "gate", out: options.out ?? "results") }
            return
        }
        var results: [ScenarioResult] = []
        if options.resume && options.out == nil {
            printError("error: --resume: needs --out DIR (the checkpoint is in DIR/<id>/.checkpoint/)")
            throw ExitCode(2)
        }
        for s in scenarios {
            if let k = baselineSeedOffset, let seed = s.cells.first?.study.seed {
                var o = options
                o.seed = seed &+ k
                driver = ScenarioDriver(options: o)
            }
            if let out = options.out {
                // With an output directory, gate checkpoints and can resume like run.
                let (result, rows) = try await driver.runCheckpointed(s, out: out, resume: options.resume, checkpointSeconds: options.checkpointSeconds)
                results.append(result)
                _ = try ScenarioDriver.write(result, rows: rows, to: out)
                CheckpointStore.remove(out: out, scenario: s.id)
                Self.printVerdict(result)
                continue
            }
            let (result, _) = try await driver.run(s)
            results.append(result)
            Self.printVerdict(result)
        }
        var diff: ResultDiff?
        if baseline != nil {
            // Compare the scenarios that ran with their baselines (others in the folder are not ours).
            let ran = Set(results.map(\.scenario))
            let d = try ResultDiff.compare(old: baselineResults.filter { ran.contains($0.scenario) }, new: results)
            print(DiffReport.text(d), terminator: "")
            for r in d.regressions {
                print("  REGRESSION against the baseline: \(r.scenario), cell \(r.cell), \(r.analysis)/\(r.comparison) \(r.measure): \(r.oldEstimate) ± \(r.oldMCSE ?? .nan) → \(r.newEstimate) ± \(r.newMCSE ?? .nan), z = \(String(format: "%.2f", r.z ?? .nan)) (|z| > \(String(format: "%.2f", d.threshold)))")
            }
            diff = d
        }
        try Self.finish(results, junit: junit, baseline: diff)
    }

    /// Prints PASS or FAIL for a scenario and each failed gate.
    static func printVerdict(_ result: ScenarioResult) {
        let failed = result.gates.filter { !$0.passed }
        if result.gates.isEmpty {
            print("NO GATES \(result.scenario): the scenario defines no gates, so nothing was checked (\(String(format: "%.1f", result.run.wallSeconds)) s)")
            return
        }
        print("\(failed.isEmpty ? "PASS" : "FAIL") \(result.scenario): \(result.gates.count - failed.count)/\(result.gates.count) gates passed (\(String(format: "%.1f", result.run.wallSeconds)) s)")
        for g in failed {
            print("  FAILED \(result.file): \(g.statement)\n         cell \(g.cell), comparison \(g.comparison): \(g.message)")
        }
    }

    /// JUnit XML, the GitHub step summary, the totals; exit 1 when a gate failed (`gate` and
    /// `merge` of gate shards).
    static func finish(_ results: [ScenarioResult], junit: String?, baseline: ResultDiff? = nil) throws {
        if let junit {
            let url = URL(fileURLWithPath: junit)
            guard FileManager.default.fileExists(atPath: url.deletingLastPathComponent().path) else {
                printError("error: --junit: the folder \(url.deletingLastPathComponent().path) does not exist")
                throw ExitCode(3)
            }
            do { try AtomicFile.write(GateReports.junit(results, baseline: baseline), to: url) } catch {
                printError("error: \(error)")
                throw ExitCode(3)
            }
        }
        if let summary = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty,
           let handle = FileHandle(forWritingAtPath: summary) ?? (FileManager.default.createFile(atPath: summary, contents: nil) ? FileHandle(forWritingAtPath: summary) : nil) {
            handle.seekToEndOfFile()
            handle.write(Data(GateReports.stepSummary(results).utf8))
            if let baseline { handle.write(Data(("\n" + DiffReport.markdown(baseline)).utf8)) }
            try? handle.close()
        }
        let total = results.reduce(0) { $0 + $1.gates.count }
        let failed = results.reduce(0) { $0 + $1.gates.filter { !$0.passed }.count }
        print("gates: \(total - failed) passed, \(failed) failed")
        if let baseline { print("baseline: \(baseline.tested) measures compared, \(baseline.regressions.count) regression\(baseline.regressions.count == 1 ? "" : "s")") }
        if total == 0 { print("note: no scenario had gates: nothing was checked") }
        if failed > 0 || !(baseline?.regressions.isEmpty ?? true) { throw ExitCode(1) }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check scenario files without running them.",
        discussion: "Prints every problem (file, key path, what was expected). Exit codes: 0 all valid, 2 a file is invalid.")

    @Argument(help: "Scenario files or directories of them.")
    var paths: [String]

    func run() throws {
        var bad = 0
        let files: [String]
        do { files = try Scenario.files(in: paths) } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        for f in files {
            do {
                let s = try Scenario.load(path: f)
                // Plan every cell too: what only the plan checks (a method's needs, truths) is
                // reported here rather than at run time.
                for cell in s.cellInputs() {
                    do {
                        _ = try CellPlan(study: cell.study, scenarioID: s.id, cellIndex: cell.index, factors: cell.factors)
                    } catch {
                        throw ScenarioError(file: f, keyPath: "", message: "\(s.cells.count > 1 ? "[cell \(cell.label)] " : "")\(error)")
                    }
                }
                print("ok: \(f) (\(s.id): \(s.cells.count) cell(s), \(s.cells.first?.study.analyses.count ?? 0) analyses, \(s.gates.count) gates)")
            } catch {
                printError("error: \(error)")
                bad += 1
            }
        }
        if bad > 0 { throw ExitCode(2) }
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-render report.md, report.html and measures.csv from a result.json, or write DIR/index.html with --index DIR.")

    @Argument(help: "A result.json written by `splitbench run`.")
    var result: String?

    @Option(help: "Directory for the reports (default: the result's folder).")
    var out: String?

    @Option(help: "Write DIR/index.html: every scenario under DIR (DIR/*/result.json and DIR/*/*/result.json) with its gate verdict, the calibrations in DIR/calibration, links and provenance.")
    var index: String?

    func run() throws {
        if let index {
            guard result == nil else {
                printError("error: --index DIR writes an index page and takes no result.json (got \(result ?? ""))")
                throw ExitCode(2)
            }
            try Self.writeIndex(index)
            return
        }
        guard let result else {
            printError("error: expected a result.json, or --index DIR")
            throw ExitCode(2)
        }
        let r: ScenarioResult
        do {
            r = try ResultFiles.read(try Data(contentsOf: URL(fileURLWithPath: result)))
        } catch {
            printError("error: \(result): not a SplitBench result.json (\(Diff.describe(error)))")
            throw ExitCode(2)
        }
        let folder = out.map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: result).deletingLastPathComponent()
        try AtomicFile.write(ResultFiles.measuresCSV(r), to: folder.appendingPathComponent("measures.csv"))
        try AtomicFile.write(ScenarioReport.markdown(r), to: folder.appendingPathComponent("report.md"))
        try AtomicFile.write(ScenarioReport.html(r, context: ScenarioDriver.reportContext(for: r)), to: folder.appendingPathComponent("report.html"))
        print("wrote report.md, report.html and measures.csv to \(folder.path)")
    }

    /// Collects the results and calibrations under `dir` (nothing is recomputed: the verdicts
    /// are the ones stored in each JSON file) and writes `dir/index.html` atomically.
    static func writeIndex(_ dir: String) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            printError("error: --index \(dir): no such directory")
            throw ExitCode(2)
        }
        let root = URL(fileURLWithPath: dir)
        func subdirs(_ rel: String) -> [String] {
            let path = rel.isEmpty ? dir : root.appendingPathComponent(rel).path
            return ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
                .map { rel.isEmpty ? $0 : rel + "/" + $0 }
                .filter { var d: ObjCBool = false; return fm.fileExists(atPath: root.appendingPathComponent($0).path, isDirectory: &d) && d.boolValue }
        }
        var scenarios: [IndexScenario] = []
        for rel in subdirs("") + subdirs("").flatMap(subdirs) {
            let json = root.appendingPathComponent(rel).appendingPathComponent("result.json")
            guard fm.fileExists(atPath: json.path) else { continue }
            do {
                let r = try ResultFiles.read(try Data(contentsOf: json))
                scenarios.append(IndexScenario(result: r, link: rel + "/report.html"))
            } catch {
                printError("error: \(json.path): not a SplitBench result.json (\(Diff.describe(error)))")
                throw ExitCode(2)
            }
        }
        var calibrations: [IndexCalibration] = []
        let cal = root.appendingPathComponent("calibration")
        func load(_ name: String) -> Data? { try? Data(contentsOf: cal.appendingPathComponent(name + ".json")) }
        if let d = load("peeking"), let c = try? ResultFiles.decode(PeekingCalibration.self, from: d) {
            let v = c.verdicts ?? []
            let over = Set(v.filter(\.exceedsAlpha).map { $0.analysis })
            calibrations.append(IndexCalibration(title: "Peeking calibration", link: "calibration/peeking.html",
                                                 verdict: "exact naive-peeking probabilities and rpact boundaries against the simulation; policies whose false-positive rate exceeds α by more than 3 MCSE in some cell: \(over.isEmpty ? "none" : over.sorted().joined(separator: ", "))", passed: nil))
        }
        if let d = load("multiple-testing"), let c = try? ResultFiles.decode(MultipleTestingCalibration.self, from: d) {
            let held = c.checks.filter(\.passed).count
            calibrations.append(IndexCalibration(title: "Multiple-testing calibration", link: "calibration/multiple-testing.html",
                                                 verdict: "\(held) of \(c.checks.count) published guarantees hold in every cell they cover", passed: held == c.checks.count))
        }
        for name in ["faults", "designs"] {
            guard let d = load(name), let c = try? ResultFiles.decode(FaultsCalibration.self, from: d) else { continue }
            // The claims' verdicts as the calibration code stored them (nothing is re-checked here).
            let claims = c.sections.flatMap { $0.claims ?? [] }
            let held = claims.filter(\.passed).count
            let failing = c.sections.filter { ($0.claims ?? []).contains { !$0.passed } }.map(\.title)
            let verdict = claims.isEmpty
                ? "\(c.sections.count) sections (written before claims were recorded: re-render to check them)"
                : "\(held) of \(claims.count) claims hold across \(c.sections.count) sections" + (failing.isEmpty ? "" : "; failing in: " + failing.joined(separator: ", "))
            calibrations.append(IndexCalibration(title: c.title ?? (name == "faults" ? "Faults calibration" : "Designs calibration"), link: "calibration/\(name).html",
                                                 verdict: verdict, passed: claims.isEmpty ? nil : held == claims.count))
        }
        if let d = load("gbstats"), let c = try? ResultFiles.decode(EngineCalibration.self, from: d) {
            calibrations.append(IndexCalibration(title: c.title, link: "calibration/gbstats.html",
                                                 verdict: "\(c.pairs.count) method pairs side by side (gbstats against SplitBench); a comparison, not a gate", passed: nil))
        }
        let html = ReportIndex.html(scenarios: scenarios, calibrations: calibrations)
        do {
            try AtomicFile.write(html, to: root.appendingPathComponent("index.html"))
        } catch {
            printError("error: \(root.appendingPathComponent("index.html").path): \(error)")
            throw ExitCode(3)
        }
        print("wrote \(root.appendingPathComponent("index.html").path): \(scenarios.count) scenarios, \(calibrations.count) calibrations")
    }
}
