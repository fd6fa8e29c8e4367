import Foundation
import Simulation

/// Everything the faults calibration report shows (`results/calibration/faults.*`): one
/// section per fault model, each with its lesson, its charts (series chosen and lessons written
/// by the caller from the results) and the scenario result it comes from.
public struct FaultsCalibration: Codable, Sendable {
    public var sections: [FaultSection]
    /// The report's title and opening line (nil: the faults calibration's). The designs
    /// calibration uses the same sections with its own.
    public var title: String?
    public var intro: String?
    /// The base name of the files (`faults` or `designs`), for the links between them.
    public var fileName: String?

    public init(sections: [FaultSection], title: String? = nil, intro: String? = nil, fileName: String? = nil) {
        self.sections = sections
        self.title = title
        self.intro = intro
        self.fileName = fileName
    }

    var heading: String { title ?? "Faults calibration" }
    var opening: String { intro ?? "What each fault model does to the analyses, and which method survives it." }
    var name: String { fileName ?? "faults" }
}

/// One fault model: the lesson its numbers support, its charts, and the run behind them.
public struct FaultSection: Codable, Sendable {
    public var title: String
    /// One paragraph, opening the section.
    public var lesson: String
    public var charts: [CalibrationChart]
    public var result: ScenarioResult
    /// The claims the lesson rests on, each checked by the calibration code against the run
    /// (never here); nil in files written before claims existed (the caller recomputes them).
    public var claims: [CalibrationClaim]?

    public init(title: String, lesson: String, charts: [CalibrationChart], result: ScenarioResult, claims: [CalibrationClaim] = []) {
        self.title = title
        self.lesson = lesson
        self.charts = charts
        self.result = result
        self.claims = claims
    }
}

/// One claim of a calibration section with its verdict, computed by the calibration code:
/// a Monte Carlo estimate ± MCSE against a target, judged at a stated number of MCSE.
public struct CalibrationClaim: Codable, Sendable, Equatable {
    public var claim: String
    /// Where it was checked (cell, analysis), as text.
    public var scope: String
    public var estimate: Double?
    public var mcse: Double?
    /// The target as text, e.g. "≤ 0.05 (within 3 MCSE)".
    public var target: String
    /// The target value (a line in the bar) and the zone the estimate may fall in (shaded).
    public var targetValue: Double?
    public var bandLow: Double?
    public var bandHigh: Double?
    public var passed: Bool

    public init(claim: String, scope: String, estimate: Double?, mcse: Double?, target: String, targetValue: Double?,
                bandLow: Double? = nil, bandHigh: Double? = nil, passed: Bool) {
        self.claim = claim
        self.scope = scope
        self.estimate = estimate
        self.mcse = mcse
        self.target = target
        self.targetValue = targetValue
        self.bandLow = bandLow
        self.bandHigh = bandHigh
        self.passed = passed
    }

    /// The verdict-table row of the claim (the verdict is the claim's own).
    var row: VerdictRow {
        let band: (lo: Double, hi: Double)? = bandLow.flatMap { lo in bandHigh.map { (lo, $0) } }
        return VerdictRow(claim: claim, scope: scope, estimate: estimate, mcse: mcse, target: target, passed: passed, targetValue: targetValue, band: band)
    }
}

/// A chart of Monte Carlo estimates (drawn with ±2 MCSE bars) and truth curves (dashed, no bars).
public struct CalibrationChart: Codable, Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [CalibrationSeries]
    /// Horizontal reference lines (a truth, α).
    public var references: [CalibrationReference]
    public var logX: Bool
    public var caption: String

    public init(title: String, xLabel: String, yLabel: String, series: [CalibrationSeries], references: [CalibrationReference] = [],
                logX: Bool = false, caption: String) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.references = references
        self.logX = logX
        self.caption = caption
    }
}

public struct CalibrationSeries: Codable, Sendable {
    public var name: String
    public var points: [CalibrationPoint]
    /// A truth curve (dashed, no error bars) rather than estimates.
    public var isTruth: Bool

    public init(name: String, points: [CalibrationPoint], isTruth: Bool = false) {
        self.name = name
        self.points = points
        self.isTruth = isTruth
    }
}

public struct CalibrationPoint: Codable, Sendable {
    public var x: Double
    public var y: Double
    public var mcse: Double?

    public init(x: Double, y: Double, mcse: Double? = nil) {
        self.x = x
        self.y = y
        self.mcse = mcse
    }
}

public struct CalibrationReference: Codable, Sendable {
    public var value: Double
    public var label: String

    public init(value: Double, label: String) {
        self.value = value
        self.label = label
    }
}

/// Renders the faults calibration as Markdown, HTML (charts first in each section, after its
/// lesson), tidy CSV and JSON.
public enum FaultsReport {
    public static func markdown(_ c: FaultsCalibration) -> String {
        var md = "# \(c.heading)\n\n"
        md += "\(c.opening) Every number is a Monte Carlo estimate ± its MCSE; charts (`\(c.name).html`) draw ±2 MCSE.\n\n"
        let claims = c.sections.flatMap { s in (s.claims ?? []).map { (s.title, $0) } }
        if !claims.isEmpty {
            md += "## Verdict: \(claims.filter { $0.1.passed }.count) of \(claims.count) claims hold\n\n"
            md += "| verdict | section | claim | where | estimate ± MCSE | target |\n| --- | --- | --- | --- | ---: | --- |\n"
            for (title, g) in claims {
                md += "| \(g.passed ? "pass" : "**FAIL**") | \(Escape.markdownCell(title)) | \(Escape.markdownCell(g.claim)) | \(Escape.markdownCell(g.scope)) | \(g.estimate.map { Num.withMCSE($0, g.mcse) } ?? "—") | \(Escape.markdownCell(g.target)) |\n"
            }
            md += "\nTargets are checked at 3 MCSE (the gates' rule): ≤ t holds while estimate − 3 MCSE ≤ t; ≥ t while estimate + 3 MCSE ≥ t; = t while |estimate − t| ≤ 3 MCSE; > t, < t and ≠ t when the estimate is beyond t by more than 3 MCSE. FAIL means this run does not support the claim at 3 MCSE.\n\n"
        }
        for (k, s) in c.sections.enumerated() {
            md += "## \(k + 1). \(s.title)\n\n\(s.lesson)\n\n"
            md += "Scenario `\(s.result.file)` (seed \(s.result.seed), \(s.result.replications) replications per cell).\n\n"
            md += table(s.result)
            md += "\n"
        }
        md += "Tidy data: `\(c.name).csv`; everything: `\(c.name).json`.\n"
        return md
    }

    /// One row per (cell, analysis, measure).
    static func table(_ r: ScenarioResult) -> String {
        var md = "| cell | analysis | measure | estimate ± MCSE | truth |\n|---|---|---|---|---|\n"
        for cell in r.cells {
            for s in cell.comparisons {
                for m in s.measures {
                    md += "| \(Escape.markdownCell(cell.label)) | \(Escape.markdownCell(s.analysis)) | \(m.measure.rawValue) | \(Num.withMCSE(m.estimate, m.mcse)) | \(s.truth.map { Num.sig($0) } ?? "") |\n"
                }
            }
        }
        return md
    }

    public static func html(_ c: FaultsCalibration) -> String {
        var h = MarkdownLite.pageHead(title: "\(c.heading) — SplitBench")
        h += "<h1>\(Escape.html(c.heading))</h1>\n<p>\(Escape.html(c.opening)) Every number is a Monte Carlo estimate ± its MCSE; charts draw ±2 MCSE bars, truths dashed.</p>\n"
        let claims = c.sections.flatMap { s in (s.claims ?? []).map { (s.title, $0) } }
        if !claims.isEmpty {
            let passed = claims.filter { $0.1.passed }.count
            h += "<h2>Verdict: \(passed) of \(claims.count) claims hold \(HTMLPage.badge(passed == claims.count, pass: "all hold", fail: "\(claims.count - passed) failed"))</h2>\n"
            h += HTMLPage.verdictTable(claims.map { title, g in
                var row = g.row
                row.group = title
                return row
            })
            h += "<p class=\"foot\">Each claim is the calibration's own, stated before the run and checked against it: the bar is the estimate (dot) ± 2 MCSE (line), the target the dark vertical line and the zone that still passes is shaded. Targets at 3 MCSE, the gates' rule: ≤ t holds while estimate − 3 MCSE ≤ t; ≥ t while estimate + 3 MCSE ≥ t; = t while |estimate − t| ≤ 3 MCSE; &gt; t, &lt; t and ≠ t when the estimate is beyond t by more than 3 MCSE. FAIL means this run does not support the claim at 3 MCSE: the effect may be absent, or too small for the replications run.</p>\n"
        }
        for (k, s) in c.sections.enumerated() {
            h += "<h2>\(k + 1). \(Escape.html(s.title))</h2>\n<p>\(Escape.html(s.lesson))</p>\n"
            for chart in s.charts {
                var svg = SVGChart(title: chart.title, xLabel: chart.xLabel, yLabel: chart.yLabel,
                                   series: chart.series.map { serie in
                                       SVGChart.Series(name: serie.name, points: serie.points.map { SVGChart.Point(x: $0.x, y: $0.y, error: 2 * ($0.mcse ?? 0)) },
                                                       dashed: serie.isTruth)
                                   })
                svg.referenceLines = chart.references.map { ($0.value, $0.label) }
                svg.logX = chart.logX
                svg.width = 760
                svg.height = 400
                h += "<figure>\(svg.render())<figcaption>\(Escape.html(chart.caption))</figcaption></figure>\n"
            }
            h += "<details><summary>Numbers (scenario \(Escape.html(s.result.file)))</summary>\n"
            h += MarkdownLite.html(table(s.result))
            h += "</details>\n"
        }
        h += "<p>Tidy data: <code>\(c.name).csv</code>; everything: <code>\(c.name).json</code>.</p>\n</body></html>\n"
        return h
    }

    /// Tidy rows: section, scenario, cell, factor values, analysis, comparison, measure, estimate, mcse, replications, truth.
    public static func csv(_ c: FaultsCalibration) -> String {
        var lines = ["section,scenario,cell,analysis,comparison,measure,estimate,mcse,replications,truth"]
        for s in c.sections {
            for cell in s.result.cells {
                for comparison in cell.comparisons {
                    for m in comparison.measures {
                        lines.append([s.title, s.result.scenario, cell.label, comparison.analysis, comparison.comparison, m.measure.rawValue,
                                      Num.csv(m.estimate), Num.csv(m.mcse), String(m.replications), Num.csv(comparison.truth)].map(Escape.csv).joined(separator: ","))
                    }
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ c: FaultsCalibration) throws -> Data {
        try ResultFiles.encode(c)
    }
}
