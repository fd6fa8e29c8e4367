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

    public init(title: String, lesson: String, charts: [CalibrationChart], result: ScenarioResult) {
        self.title = title
        self.lesson = lesson
        self.charts = charts
        self.result = result
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
