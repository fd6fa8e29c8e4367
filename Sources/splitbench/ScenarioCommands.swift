import ArgumentParser
import Distributions
import Foundation
import Reports
import Scenarios
import Simulation

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

    @Option(help: "Worker threads (default: every core). Results do not depend on it.")
    var threads: Int?

    @Option(help: "Override every scenario's replication count.")
    var replications: Int?

    @Option(help: "Override every scenario's seed.")
    var seed: UInt64?

    @Flag(help: "No progress bar.")
    var quiet = false

    @Flag(help: "Also write records.csv: every replication's outcome per comparison (memory grows with the replications).")
    var records = false

    @Option(help: "Replication engine: automatic (the fused fast path where it applies) or staged. Results are identical.")
    var engine: EngineChoice = .automatic
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
            if let r = options.replications, r < 2 { throw ScenarioError(file: "--replications", keyPath: "", message: "expected at least 2, got \(r)") }
            if let t = options.threads, t < 1 { throw ScenarioError(file: "--threads", keyPath: "", message: "expected at least 1, got \(t)") }
            return try Scenario.files(in: options.paths).map { (f) throws(ScenarioError) in try Scenario.load(path: f) }
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
    }

    func run(_ scenario: Scenario) async throws -> (result: ScenarioResult, rows: [ReplicationRow]) {
        let threads = options.threads ?? ProcessInfo.processInfo.activeProcessorCount
        let progress: (@Sendable (Int, Int) -> Void)? = (options.quiet || isatty(2) == 0) ? nil : ProgressBar(label: scenario.id).update
        var runner = SimulationRunner(threads: threads, path: options.engine.path, progress: progress)
        runner.keepRecords = options.records
        let started = Date()
        let clock = ContinuousClock.now
        let inputs = scenario.cellInputs(replications: options.replications, seed: options.seed)
        let output: SimulationRunner.Output
        do {
            output = try await runner.run(scenarioID: scenario.id, cells: inputs, gates: scenario.gates)
        } catch let e as SimulationError {
            printError("error: \(scenario.file): \(e.description)")
            throw ExitCode(2)
        }
        if progress != nil { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let d = clock.duration(to: .now)
        let formatter = ISO8601DateFormatter()
        let info = RunInfo(splitbenchVersion: BuildInfo.packageVersion, gitCommit: BuildInfo.gitCommit, swiftVersion: BuildInfo.swiftVersion,
                           gslVersion: GSL.version, threads: threads, startedAt: formatter.string(from: started),
                           wallSeconds: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18,
                           cellSeconds: output.cellSeconds)
        let result = ScenarioResult(scenario: scenario.id, description: scenario.description, file: scenario.file,
                                    scenarioHash: scenario.sourceHash, seed: inputs.first?.study.seed ?? 0,
                                    replications: inputs.first?.study.replications ?? 0, factors: scenario.factors,
                                    cells: output.cells, gates: output.gates, run: info)
        return (result, output.rows)
    }

    /// Writes result.json, measures.csv, report.md and report.html under `dir/<scenario id>/`,
    /// each atomically.
    static func write(_ result: ScenarioResult, rows: [ReplicationRow] = [], to dir: String) throws -> URL {
        let folder = URL(fileURLWithPath: dir).appendingPathComponent(result.scenario)
        if !rows.isEmpty {
            try AtomicFile.write(ResultFiles.recordsCSV(rows, scenario: result.scenario), to: folder.appendingPathComponent("records.csv"))
        }
        try AtomicFile.write(try ResultFiles.json(result), to: folder.appendingPathComponent("result.json"))
        try AtomicFile.write(ResultFiles.measuresCSV(result), to: folder.appendingPathComponent("measures.csv"))
        try AtomicFile.write(ScenarioReport.markdown(result), to: folder.appendingPathComponent("report.md"))
        try AtomicFile.write(ScenarioReport.html(result), to: folder.appendingPathComponent("report.html"))
        return folder
    }
}

/// A one-line progress bar on standard error.
final class ProgressBar: Sendable {
    let label: String
    init(label: String) { self.label = label }

    @Sendable func update(_ done: Int, _ total: Int) {
        let width = 30
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) \(bar) \(done)/\(total)".utf8))
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run scenarios and write result.json, measures.csv, report.md and report.html per scenario.",
        discussion: "Exit codes: 0 done (gate failures are reported but do not fail `run`; use `gate`), 2 bad input.")

    @OptionGroup var options: RunOptions

    func run() async throws {
        let driver = ScenarioDriver(options: options)
        let scenarios = try driver.loadAll()
        let out = options.out ?? "results"
        for s in scenarios {
            let (result, rows) = try await driver.run(s)
            let folder = try ScenarioDriver.write(result, rows: rows, to: out)
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

    @Option(help: "Write JUnit XML (one test case per gate check) to this file.")
    var junit: String?

    func run() async throws {
        let driver = ScenarioDriver(options: options)
        let scenarios = try driver.loadAll()
        var results: [ScenarioResult] = []
        for s in scenarios {
            let (result, rows) = try await driver.run(s)
            results.append(result)
            if let out = options.out { _ = try ScenarioDriver.write(result, rows: rows, to: out) }
            let failed = result.gates.filter { !$0.passed }
            print("\(failed.isEmpty ? "PASS" : "FAIL") \(s.id): \(result.gates.count - failed.count)/\(result.gates.count) gates passed (\(String(format: "%.1f", result.run.wallSeconds)) s)")
            for g in failed {
                print("  FAILED \(s.file): \(g.statement)\n         cell \(g.cell), comparison \(g.comparison): \(g.message)")
            }
        }
        if let junit { try AtomicFile.write(GateReports.junit(results), to: URL(fileURLWithPath: junit)) }
        if let summary = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty,
           let handle = FileHandle(forWritingAtPath: summary) ?? (FileManager.default.createFile(atPath: summary, contents: nil) ? FileHandle(forWritingAtPath: summary) : nil) {
            handle.seekToEndOfFile()
            handle.write(Data(GateReports.stepSummary(results).utf8))
            try? handle.close()
        }
        let total = results.reduce(0) { $0 + $1.gates.count }
        let failed = results.reduce(0) { $0 + $1.gates.filter { !$0.passed }.count }
        print("gates: \(total - failed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
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
        abstract: "Re-render report.md, report.html and measures.csv from a result.json.")

    @Argument(help: "A result.json written by `splitbench run`.")
    var result: String

    @Option(help: "Directory for the reports (default: the result's folder).")
    var out: String?

    func run() throws {
        let r: ScenarioResult
        do {
            r = try ResultFiles.read(try Data(contentsOf: URL(fileURLWithPath: result)))
        } catch {
            printError("error: \(result): not a SplitBench result.json (\(error))")
            throw ExitCode(2)
        }
        let folder = out.map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: result).deletingLastPathComponent()
        try AtomicFile.write(ResultFiles.measuresCSV(r), to: folder.appendingPathComponent("measures.csv"))
        try AtomicFile.write(ScenarioReport.markdown(r), to: folder.appendingPathComponent("report.md"))
        try AtomicFile.write(ScenarioReport.html(r), to: folder.appendingPathComponent("report.html"))
        print("wrote report.md, report.html and measures.csv to \(folder.path)")
    }
}
