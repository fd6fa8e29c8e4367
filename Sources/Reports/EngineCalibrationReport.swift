import Foundation
import Simulation

/// An external engine's calibration (`splitbench calibrate gbstats`): the scenario result, the
/// pairs of analyses to read side by side (the engine's and SplitBench's own on the same
/// replications), and the findings the command wrote from the numbers. Rendered by
/// ``EngineCalibrationReport``; `--from` reads its JSON back.
public struct EngineCalibration: Codable, Sendable {
    public var title: String
    public var intro: String
    /// "What the numbers show": one finding per bullet, written by the command from the result.
    public var findings: [String]
    public var pairs: [EnginePair]
    /// The measures the side-by-side tables show, in column order.
    public var measures: [Measure]
    public var result: ScenarioResult
    /// The report's file name without extension (`gbstats`).
    public var fileName: String

    public init(title: String, intro: String, findings: [String], pairs: [EnginePair], measures: [Measure], result: ScenarioResult, fileName: String) {
        self.title = title
        self.intro = intro
        self.findings = findings
        self.pairs = pairs
        self.measures = measures
        self.result = result
        self.fileName = fileName
    }
}

/// One row pair of the side-by-side tables: the engine's analysis and SplitBench's.
public struct EnginePair: Codable, Sendable, Equatable {
    /// What the pair compares ("frequentist relative-lift t test").
    public var label: String
    /// The analysis id answered by the external engine.
    public var engine: String
    /// The analysis id of SplitBench's own method on the same replications.
    public var reference: String

    public init(label: String, engine: String, reference: String) {
        self.label = label
        self.engine = engine
        self.reference = reference
    }
}

/// Renders an ``EngineCalibration`` as Markdown, HTML, tidy CSV and JSON. It formats the
/// result's numbers; it computes none.
public enum EngineCalibrationReport {
    public static func markdown(_ c: EngineCalibration) -> String {
        let r = c.result
        var md = "# \(c.title)\n\n\(c.intro) Every number is a Monte Carlo estimate ± its MCSE (Morris, White & Crowther 2019).\n\n"
        md += "## What the numbers show\n\n"
        for f in c.findings { md += "- \(f)\n" }
        md += "\n"
        for cell in r.cells {
            md += "## Cell \(cell.index): \(cell.label)\n\n"
            md += "| comparison | engine | analysis | policy | truth | " + c.measures.map(\.rawValue).joined(separator: " | ") + " | R | failed |\n"
            md += "| --- | --- | --- | --- | ---: | " + c.measures.map { _ in "---:" }.joined(separator: " | ") + " | ---: | --- |\n"
            for p in c.pairs {
                for (side, id) in [(engineName(c, p), p.engine), ("SplitBench", p.reference)] {
                    guard let s = cell.comparisons.first(where: { $0.analysis == id }) else { continue }
                    let values = c.measures.map { m in s.value(m).map { Num.withMCSE($0.estimate, $0.mcse) } ?? "" }
                    let failed = s.failed.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
                    md += "| \(Escape.markdownCell(p.label)) | \(side) | \(Escape.markdownCell(s.analysis)) (\(s.method)) | \(Escape.markdownCell(s.policy)) | "
                        + "\(s.truth.map { Num.sig($0) } ?? "") | " + values.joined(separator: " | ") + " | \(s.replications) | \(Escape.markdownCell(failed)) |\n"
                }
            }
            md += "\n"
        }
        md += "## Provenance\n\n"
        for (k, v) in provenance(c) { md += "- **\(k)**: \(v)\n" }
        md += "\nTidy data: `\(c.fileName).csv`; everything (re-render with `--from`): `\(c.fileName).json`.\n"
        return md
    }

    public static func html(_ c: EngineCalibration) -> String {
        MarkdownLite.pageHead(title: "\(c.title) — SplitBench") + MarkdownLite.html(markdown(c)) + "</body></html>\n"
    }

    /// Tidy rows: cell, cell label, comparison, side (engine or splitbench), analysis, method,
    /// policy, measure, estimate, mcse, replications, truth.
    public static func csv(_ c: EngineCalibration) -> String {
        var lines = ["cell,cell_label,comparison,side,analysis,method,policy,measure,estimate,mcse,replications,truth"]
        for cell in c.result.cells {
            for p in c.pairs {
                for (side, id) in [("engine", p.engine), ("splitbench", p.reference)] {
                    guard let s = cell.comparisons.first(where: { $0.analysis == id }) else { continue }
                    for m in s.measures {
                        lines.append([String(cell.index), cell.label, p.label, side, s.analysis, s.method, s.policy, m.measure.rawValue,
                                      Num.csv(m.estimate), Num.csv(m.mcse), String(m.replications), Num.csv(s.truth)].map(Escape.csv).joined(separator: ","))
                    }
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ c: EngineCalibration) throws -> Data {
        try ResultFiles.encode(c)
    }

    /// The engine's name and version from its recorded handshake ("gbstats 0.8.0").
    static func engineName(_ c: EngineCalibration, _ p: EnginePair) -> String {
        for cell in c.result.cells {
            if let e = cell.comparisons.first(where: { $0.analysis == p.engine })?.engine {
                return e.version.isEmpty ? e.engine : e.version.hasPrefix(e.engine) ? e.version : "\(e.engine) \(e.version)"
            }
        }
        return "engine"
    }

    static func provenance(_ c: EngineCalibration) -> [(String, String)] {
        let r = c.result
        var out: [(String, String)] = [("scenario", "`\(r.file)` (`\(r.scenario)`, SHA-256 \(r.scenarioHash.prefix(16)))"),
                                       ("seed", String(r.seed)), ("replications per cell", String(r.replications)), ("cells", String(r.cells.count))]
        let engines = Set(r.cells.flatMap { $0.comparisons.compactMap(\.engine) }.map { "\($0.engine) \($0.version) (protocol \($0.protocolVersion), needs \($0.needs.joined(separator: ", ")))" })
        if !engines.isEmpty { out.append(("engine", engines.sorted().joined(separator: "; "))) }
        out.append(("SplitBench", r.run.splitbenchVersion))
        if let g = r.run.gitCommit { out.append(("git commit", g)) }
        out.append(("Swift", r.run.swiftVersion))
        out.append(("GSL", r.run.gslVersion))
        return out
    }
}
