import ArgumentParser
import Foundation
import Reports
import Simulation

/// `splitbench diff OLD NEW`: every measure of two runs side by side, flagged when it moved
/// beyond its Monte Carlo noise.
struct Diff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two sets of results measure by measure (z = Δ/√(MCSE_old² + MCSE_new²), Bonferroni-flagged).",
        discussion: """
        OLD and NEW are each a result.json, a result folder (holding result.json) or a tree of them (e.g. results/). \
        Scenarios are matched by id, cells by label, then analysis, comparison and measure. A row is flagged when \
        |z| > z_{1-α/(2m)}, m the rows with an MCSE in both (Bonferroni, familywise α). A scenario whose file or seed \
        changed is reported, not enforced. Exit codes: 0 no enforced regression, 1 a regression, 2 bad input, 3 I/O.
        """)

    @Argument(help: "The baseline: a result.json, a result folder or a results tree.")
    var old: String

    @Argument(help: "The new results, in the same forms.")
    var new: String

    @Option(help: "Output on standard output: text, markdown or json.")
    var format: String = "text"

    @Option(help: "Also write the Markdown report to this file (e.g. $GITHUB_STEP_SUMMARY).")
    var markdown: String?

    @Option(help: "Also write the JSON report to this file.")
    var json: String?

    @Option(help: "Familywise α of the Bonferroni rule.")
    var alpha: Double = 0.05

    func run() async throws {
        guard ["text", "markdown", "json"].contains(format) else {
            printError("error: --format: expected text, markdown or json, got \"\(format)\"")
            throw ExitCode(2)
        }
        guard alpha > 0, alpha < 1 else {
            printError("error: --alpha: expected a number in (0, 1), got \(alpha)")
            throw ExitCode(2)
        }
        let diff: ResultDiff
        do {
            diff = try ResultDiff.compare(old: try Self.load(old), new: try Self.load(new), familywiseAlpha: alpha)
        } catch let e as DiffInputError {
            printError("error: \(e.message)")
            throw ExitCode(e.code)
        }
        switch format {
        case "markdown": print(DiffReport.markdown(diff), terminator: "")
        case "json": print(String(decoding: try DiffReport.json(diff), as: UTF8.self), terminator: "")
        default: print(DiffReport.text(diff), terminator: "")
        }
        do {
            if let m = markdown { try AtomicFile.write(DiffReport.markdown(diff), to: URL(fileURLWithPath: m)) }
            if let j = json { try AtomicFile.write(try DiffReport.json(diff), to: URL(fileURLWithPath: j)) }
        } catch {
            printError("error: cannot write the report: \(error)")
            throw ExitCode(3)
        }
        if !diff.regressions.isEmpty { throw ExitCode(1) }
    }

    struct DiffInputError: Error {
        let message: String
        let code: Int32
    }

    /// The results at `path`: one result.json, a folder holding one, or every result.json in a
    /// tree (two levels deep: results/gates/<id>/result.json).
    static func load(_ path: String) throws -> [ScenarioResult] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DiffInputError(message: "\(path): no such file or folder", code: 2)
        }
        var files: [String] = []
        if !isDirectory.boolValue {
            files = [path]
        } else if FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("result.json")) {
            files = [(path as NSString).appendingPathComponent("result.json")]
        } else {
            let root = URL(fileURLWithPath: path)
            guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
                throw DiffInputError(message: "\(path): cannot list the folder", code: 3)
            }
            for case let url as URL in e {
                if e.level > 3 { e.skipDescendants(); continue }
                if url.lastPathComponent == "result.json" { files.append(url.path) }
            }
            files.sort()
            guard !files.isEmpty else { throw DiffInputError(message: "\(path): no result.json in the folder or below it", code: 2) }
        }
        var out: [ScenarioResult] = []
        var seen: [String: String] = [:]
        for f in files {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: f)) } catch {
                throw DiffInputError(message: "\(f): cannot read: \(error.localizedDescription)", code: 3)
            }
            let r: ScenarioResult
            do { r = try ResultFiles.read(data) } catch {
                throw DiffInputError(message: "\(f): not a SplitBench result.json (\(Self.describe(error)))", code: 2)
            }
            if let other = seen[r.scenario] {
                throw DiffInputError(message: "\(f): scenario \(r.scenario) appears twice (also in \(other))", code: 2)
            }
            seen[r.scenario] = f
            out.append(r)
        }
        return out
    }

    /// A decoding error in one line: what was wrong and where, without the input.
    static func describe(_ error: any Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.isEmpty ? "at the top" : "at \(p.hasPrefix(".") ? String(p.dropFirst()) : p)"
        }
        switch e {
        case let .keyNotFound(key, c): return "missing key \"\(key.stringValue)\" \(path(c))"
        case let .typeMismatch(_, c), let .valueNotFound(_, c): return "\(c.debugDescription) \(path(c))"
        case let .dataCorrupted(c): return "\(c.debugDescription) \(path(c))".replacingOccurrences(of: "\n", with: " ")
        @unknown default: return "invalid JSON"
        }
    }
}
