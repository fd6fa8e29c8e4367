import Foundation
import Simulation

/// Human-readable reports of a scenario result: Markdown and self-contained HTML with inline
/// SVG charts. Pure functions of the result: nothing is computed here but layout.
public enum ScenarioReport {
    /// The Markdown report (`report.md`).
    public static func markdown(_ r: ScenarioResult) -> String {
        var md = "# \(r.scenario)\n\n"
        if !r.description.isEmpty { md += "\(r.description)\n\n" }
        md += provenance(r).map { "- **\($0.0)**: \($0.1)" }.joined(separator: "\n") + "\n\n"
        if !r.gates.isEmpty {
            md += "## Gates: \(r.gates.filter(\.passed).count) of \(r.gates.count) passed\n\n"
            md += "| | gate | cell | comparison | result |\n| --- | --- | --- | --- | --- |\n"
            for g in r.gates {
                md += "| \(g.passed ? "✅ pass" : "❌ FAIL") | \(Escape.markdownCell(g.statement)) | \(Escape.markdownCell(g.cell)) | \(Escape.markdownCell(g.comparison)) | \(Escape.markdownCell(g.message)) |\n"
            }
            md += "\n"
        }
        md += "## Results\n\nEach figure is a Monte Carlo estimate ± its Monte Carlo standard error (Morris, White & Crowther 2019). "
        md += "R is the number of replications analysed; failed replications (data that could not be analysed) are excluded and listed.\n\n"
        for cell in r.cells {
            if r.cells.count > 1 || !cell.factors.isEmpty { md += "### Cell \(cell.index): \(Escape.markdownCell(cell.label))\n\n" }
            let measures = measureColumns(cell)
            md += "| analysis | comparison | policy | truth | " + measures.map(\.rawValue).joined(separator: " | ") + " | R | failed |\n"
            md += "| --- | --- | --- | ---: | " + measures.map { _ in "---:" }.joined(separator: " | ") + " | ---: | --- |\n"
            for s in cell.comparisons {
                let cells = measures.map { m in s.value(m).map { Num.withMCSE($0.estimate, $0.mcse) } ?? "" }
                md += "| \(s.analysis) (\(s.method)) | \(Escape.markdownCell(s.comparison)) | \(s.policy) | \(s.truth.map { Num.sig($0) } ?? "") | "
                md += cells.joined(separator: " | ") + " | \(s.replications) | \(failedText(s)) |\n"
            }
            md += "\n"
        }
        md += "Charts (rejection rate and coverage with ±2 MCSE bars, p-value histograms under the null) are in `report.html`.\n"
        return md
    }

    /// The self-contained HTML report (`report.html`).
    public static func html(_ r: ScenarioResult) -> String {
        var h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(Escape.html(r.scenario)) — SplitBench</title>\n"
        h += "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}td:first-child,th:first-child,td.l{text-align:left}.pass{color:#1a7f37}.fail{color:#cf222e;font-weight:bold}figure{margin:1em 0}figcaption{font-size:12px;color:#555}</style>\n</head><body>\n"
        h += "<h1>\(Escape.html(r.scenario))</h1>\n"
        if !r.description.isEmpty { h += "<p>\(Escape.html(r.description))</p>\n" }
        h += "<ul>" + provenance(r).map { "<li><b>\(Escape.html($0.0))</b>: \(Escape.html($0.1))</li>" }.joined() + "</ul>\n"
        if !r.gates.isEmpty {
            h += "<h2>Gates: \(r.gates.filter(\.passed).count) of \(r.gates.count) passed</h2>\n<table><tr><th></th><th>gate</th><th>cell</th><th>comparison</th><th>result</th></tr>\n"
            for g in r.gates {
                h += "<tr><td class=\"\(g.passed ? "pass" : "fail")\">\(g.passed ? "pass" : "FAIL")</td><td class=\"l\">\(Escape.html(g.statement))</td><td class=\"l\">\(Escape.html(g.cell))</td><td class=\"l\">\(Escape.html(g.comparison))</td><td class=\"l\">\(Escape.html(g.message))</td></tr>\n"
            }
            h += "</table>\n"
        }
        h += "<h2>Charts</h2>\n"
        for chart in charts(r) {
            h += "<figure>\(chart.svg)<figcaption>\(Escape.html(chart.caption))</figcaption></figure>\n"
        }
        h += "<h2>Results</h2>\n<p>Each figure is a Monte Carlo estimate ± its Monte Carlo standard error. R is the number of replications analysed.</p>\n"
        for cell in r.cells {
            if r.cells.count > 1 || !cell.factors.isEmpty { h += "<h3>Cell \(cell.index): \(Escape.html(cell.label))</h3>\n" }
            let measures = measureColumns(cell)
            h += "<table><tr><th>analysis</th><th>comparison</th><th>policy</th><th>truth</th>" + measures.map { "<th>\($0.rawValue)</th>" }.joined() + "<th>R</th><th>failed</th></tr>\n"
            for s in cell.comparisons {
                h += "<tr><td>\(Escape.html(s.analysis)) (\(Escape.html(s.method)))</td><td class=\"l\">\(Escape.html(s.comparison))</td><td class=\"l\">\(s.policy)</td><td>\(s.truth.map { Num.sig($0) } ?? "")</td>"
                h += measures.map { m in "<td>\(s.value(m).map { Escape.html(Num.withMCSE($0.estimate, $0.mcse)) } ?? "")</td>" }.joined()
                h += "<td>\(s.replications)</td><td class=\"l\">\(Escape.html(failedText(s)))</td></tr>\n"
            }
            h += "</table>\n"
        }
        h += "</body></html>\n"
        return h
    }

    /// Charts of a result with their captions.
    public static func charts(_ r: ScenarioResult) -> [(svg: String, caption: String)] {
        var out: [(String, String)] = []
        let keys = orderedComparisons(r)
        for measure in [Measure.rejectionRate, .coverage] {
            var series: [SVGChart.Series] = []
            for (a, c) in keys {
                let pts: [SVGChart.Point] = r.cells.enumerated().compactMap { i, cell in
                    guard let s = cell.comparisons.first(where: { $0.analysis == a && $0.comparison == c }),
                          let v = s.value(measure) else { return nil }
                    return SVGChart.Point(x: xValue(r, cell, index: i), y: v.estimate, error: 2 * (v.mcse ?? 0))
                }
                if !pts.isEmpty { series.append(SVGChart.Series(name: c == "treatment" || c == "all_arms" ? a : "\(a) [\(c)]", points: pts)) }
            }
            guard !series.isEmpty else { continue }
            let (xLabel, categories, logX) = xAxis(r)
            var chart = SVGChart(title: "\(measure.rawValue) by cell", xLabel: xLabel, yLabel: measure.rawValue, series: series)
            chart.categories = categories
            chart.logX = logX
            if measure == .rejectionRate { chart.referenceLines = [(0.05, "0.05")] } else { chart.referenceLines = [(0.95, "0.95")] }
            out.append((chart.render(), "\(measure.rawValue) per analysis and cell, bars ±2 MCSE; dashed line: the nominal level."))
        }
        // p-value histograms of fixed-horizon comparisons under the null (truth = 0), first cell.
        if let cell = r.cells.first {
            for s in cell.comparisons where s.truth == 0 && s.policy == "fixed" && s.replications > 0 {
                let pts = s.pValueHistogram.enumerated().map { SVGChart.Point(x: Double($0.offset), y: Double($0.element)) }
                var chart = SVGChart(title: "p-values of \(s.analysis) [\(s.comparison)] under H0", xLabel: "p-value (bins of 0.05)",
                                     yLabel: "replications", series: [SVGChart.Series(name: s.analysis, points: pts)])
                chart.bars = true
                chart.categories = (0...20).map { $0 % 4 == 0 ? Num.sig(Double($0) / 20) : "" }
                chart.referenceLines = [(Double(s.replications) / 20, "uniform")]
                out.append((chart.render(),
                            "Histogram of final-look p-values in \(cell.label); a valid test gives a flat histogram at R/20 (dashed)."))
            }
        }
        return out
    }

    /// What produced the result. Only what determines the numbers: threads, hosts and timings
    /// stay in `result.json`'s `run` block, so a report is byte-identical for any thread count
    /// and for a merge of shards.
    static func provenance(_ r: ScenarioResult) -> [(String, String)] {
        [("file", r.file), ("scenario hash", String(r.scenarioHash.prefix(16))), ("seed", String(r.seed)),
         ("replications per cell", String(r.replications)), ("cells", String(r.cells.count)),
         ("SplitBench", r.run.splitbenchVersion), ("git commit", r.run.gitCommit.map { String($0.prefix(12)) } ?? "unknown"),
         ("Swift", r.run.swiftVersion), ("GSL", r.run.gslVersion)]
    }

    static func measureColumns(_ cell: CellResult) -> [Measure] {
        Measure.allCases.filter { m in cell.comparisons.contains { $0.value(m) != nil } }
    }

    static func failedText(_ s: ComparisonSummary) -> String {
        s.failed.isEmpty ? "0" : s.failed.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    }

    static func orderedComparisons(_ r: ScenarioResult) -> [(String, String)] {
        var seen: [(String, String)] = []
        for cell in r.cells {
            for s in cell.comparisons where !seen.contains(where: { $0 == (s.analysis, s.comparison) }) {
                seen.append((s.analysis, s.comparison))
            }
        }
        return seen
    }

    /// One swept numeric factor → its values on a numeric axis (log when they span > 20×);
    /// otherwise the cells as categories.
    static func xAxis(_ r: ScenarioResult) -> (String, [String]?, Bool) {
        if r.factors.count == 1 {
            let values = r.cells.compactMap { $0.factors.first.flatMap { Double($0.value) } }
            if values.count == r.cells.count, let lo = values.min(), let hi = values.max() {
                return (r.factors[0], nil, lo > 0 && hi / lo > 20)
            }
        }
        return (r.factors.isEmpty ? "cell" : r.factors.joined(separator: ", "), r.cells.map { $0.factors.map(\.value).joined(separator: ", ").isEmpty ? $0.label : $0.factors.map(\.value).joined(separator: ", ") }, false)
    }

    static func xValue(_ r: ScenarioResult, _ cell: CellResult, index: Int) -> Double {
        if r.factors.count == 1, let v = cell.factors.first.flatMap({ Double($0.value) }),
           r.cells.allSatisfy({ $0.factors.first.flatMap { Double($0.value) } != nil }) {
            return v
        }
        return Double(index)
    }
}
