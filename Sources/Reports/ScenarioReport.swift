import Analysis
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
                md += "| \(g.passed ? "pass" : "**FAIL**") | \(Escape.markdownCell(g.statement)) | \(Escape.markdownCell(g.cell)) | \(Escape.markdownCell(g.comparison)) | \(Escape.markdownCell(g.message)) |\n"
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
        md += "Charts (rejection rate and coverage with ±2 MCSE bars, bias, p-value histograms with their 95% band under the null, and heat plots for grids of many cells) are in `report.html`.\n"
        return md
    }

    /// The self-contained HTML report (`report.html`): title, one paragraph of what was
    /// tested, the verdict table of the gates, the charts, one table per cell and, collapsed at
    /// the end, the provenance. `context` (from the scenario file) supplies the gate targets and
    /// the analyses' α for reference lines; without it none are drawn.
    public static func html(_ r: ScenarioResult, context: ReportContext = .none) -> String {
        var h = HTMLPage.head(title: "\(r.scenario) — SplitBench")
        h += "<h1>\(Escape.html(r.scenario))</h1>\n"
        h += "<p>\(Escape.html(summary(r)))</p>\n"
        if !r.gates.isEmpty {
            let passed = r.gates.filter(\.passed).count
            h += "<h2>Verdict: \(passed) of \(r.gates.count) gate checks passed \(HTMLPage.badge(passed == r.gates.count, pass: "all pass", fail: "\(r.gates.count - passed) failed"))</h2>\n"
            h += HTMLPage.verdictTable(r.gates.map { VerdictRow(gate: $0, spec: context.spec(of: $0)) })
            h += "<p class=\"foot\">Bar: the estimate (dot) ± 2 MCSE (line); the target is the dark vertical line and its tolerance band is shaded. The verdict is the gate's own (bound = estimate ∓ z·MCSE against the target and tolerance).</p>\n"
        }
        let figures = charts(r, context: context)
        let heat = heatPlots(r), histograms = pValuePanels(r), zips = zipPlots(r, context: context)
        if !figures.isEmpty || !heat.isEmpty || !histograms.isEmpty || !zips.isEmpty {
            h += "<h2>Charts</h2>\n"
            for chart in figures { h += HTMLPage.figure(chart.svg, chart.caption) }
            h += heat + histograms + zips
        }
        h += "<h2>Results</h2>\n<p>Each figure is a Monte Carlo estimate with its Monte Carlo standard error (MCSE) in the next column; digits are cut where the MCSE makes them noise. R is the number of replications analysed.</p>\n"
        var anyUndefined = false
        for cell in r.cells {
            if r.cells.count > 1 || !cell.factors.isEmpty { h += "<h3>Cell \(cell.index): \(Escape.html(cell.label))</h3>\n" }
            let measures = measureColumns(cell)
            var header: [(String, numeric: Bool)] = [("analysis", false), ("comparison", false), ("policy", false), ("truth", true)]
            for m in measures { header += [(m.rawValue, true), ("MCSE", true)] }
            header += [("R", true), ("failed", false)]
            var rows: [String] = []
            for s in cell.comparisons {
                var row = "<tr><td>\(Escape.html(s.analysis)) (\(Escape.html(s.method)))</td><td>\(Escape.html(s.comparison))</td><td>\(Escape.html(s.policy))</td>"
                let name = "\(s.analysis) [\(s.comparison)], cell \(cell.label)"
                if let t = s.truth { row += HTMLPage.num(Num.sig(t), tip: "\(name): true value") } else { row += HTMLPage.undefinedCell; anyUndefined = true }
                for m in measures {
                    if let v = s.value(m) {
                        let (e, se) = Num.pair(v.estimate, v.mcse)
                        row += HTMLPage.num(e, tip: "\(name): \(m.rawValue), Monte Carlo estimate")
                        if v.mcse != nil {
                            row += HTMLPage.num(se, tip: "\(name): \(m.rawValue), Monte Carlo standard error (one MCSE, not 2)")
                        } else { row += HTMLPage.undefinedCell; anyUndefined = true }
                    } else {
                        row += HTMLPage.undefinedCell + HTMLPage.undefinedCell
                        anyUndefined = true
                    }
                }
                row += HTMLPage.num(String(s.replications), tip: "\(name): replications analysed") + "<td>\(Escape.html(failedText(s)))</td></tr>"
                rows.append(row)
            }
            h += HTMLPage.table(header: header, rows: rows)
        }
        if anyUndefined { h += HTMLPage.undefinedNote }
        h += HTMLPage.provenance(provenance(r))
        h += "</body></html>\n"
        return h
    }

    /// One sentence of what was tested: the description, then the design of the run.
    static func summary(_ r: ScenarioResult) -> String {
        var analyses: [String] = []
        for cell in r.cells {
            for s in cell.comparisons where !analyses.contains("\(s.analysis) (\(s.method))") { analyses.append("\(s.analysis) (\(s.method))") }
        }
        var t = r.description.isEmpty ? "" : r.description.trimmingCharacters(in: .whitespacesAndNewlines) + " "
        t += "\(r.cells.count) cell\(r.cells.count == 1 ? "" : "s")"
        if !r.factors.isEmpty { t += " (swept: \(r.factors.joined(separator: ", ")))" }
        t += " × \(r.replications) replications, analysed with \(analyses.joined(separator: ", "))."
        return t
    }

    /// Charts of a result with their captions (only charts with something to draw).
    public static func charts(_ r: ScenarioResult, context: ReportContext = .none) -> [(svg: String, caption: String)] {
        var out: [(String, String)] = []
        let keys = orderedComparisons(r)
        for measure in [Measure.rejectionRate, .coverage] {
            var series: [SVGChart.Series] = []
            var analyses: [String] = []
            for (k, (a, c)) in keys.enumerated() {
                let pts: [SVGChart.Point] = r.cells.enumerated().compactMap { i, cell in
                    guard let s = cell.comparisons.first(where: { $0.analysis == a && $0.comparison == c }),
                          let v = s.value(measure) else { return nil }
                    return SVGChart.Point(x: xValue(r, cell, index: i), y: v.estimate, error: 2 * (v.mcse ?? 0))
                }
                if !pts.isEmpty {
                    var serie = SVGChart.Series(name: c == "treatment" || c == "all_arms" ? a : "\(a) [\(c)]", points: pts, style: k)
                    serie.offset = Double(series.count) * 3 - 3
                    series.append(serie)
                    analyses.append(a)
                }
            }
            guard !series.isEmpty else { continue }
            // Under H1, the planned power of each comparison (dashed, no bars: a calculation,
            // not a simulation), so the simulated power can be read against it.
            var plannedCount = 0
            if measure == .rejectionRate {
                for (k, (a, c)) in keys.enumerated() {
                    let pts: [SVGChart.Point] = r.cells.enumerated().compactMap { i, cell in
                        guard let p = context.plannedPower[cell.index]?[ReportContext.powerKey(analysis: a, comparison: c)] else { return nil }
                        return SVGChart.Point(x: xValue(r, cell, index: i), y: p, error: 0)
                    }
                    guard !pts.isEmpty else { continue }
                    var planned = SVGChart.Series(name: "planned power, \(c == "treatment" || c == "all_arms" ? a : "\(a) [\(c)]")", points: pts, dashed: true, style: k)
                    planned.openPoints = true
                    series.append(planned)
                    plannedCount += 1
                }
            }
            let (xLabel, categories, logX) = xAxis(r)
            let yLabel = measure == .rejectionRate ? "rejection rate" : "coverage"
            var chart = SVGChart(title: "\(yLabel.prefix(1).uppercased() + yLabel.dropFirst()) by cell", xLabel: xLabel, yLabel: yLabel, series: series)
            chart.categories = categories
            chart.logX = logX
            var refs: [String] = []
            // Gate targets and their tolerance bands for this measure, from the scenario's rules.
            for spec in context.gates where spec.measure == measure && analyses.contains(spec.analysis) {
                switch spec.rule {
                case let .atMost(v, t):
                    chart.referenceLines.append((v, "gate: ≤ \(Num.sig(v))"))
                    if t > 0 { chart.bands.append((v, v + t, "tolerance band of the gate (\(Num.sig(v)) to \(Num.sig(v + t)))")) }
                case let .atLeast(v, t):
                    chart.referenceLines.append((v, "gate: ≥ \(Num.sig(v))"))
                    if t > 0 { chart.bands.append((v - t, v, "tolerance band of the gate (\(Num.sig(v - t)) to \(Num.sig(v)))")) }
                case let .near(v, _):
                    chart.referenceLines.append((v, "gate target \(Num.sig(v))"))
                }
                refs.append("the gate's target")
            }
            // α is the rejection rate to expect only under H0: drawn when a series has a null cell
            // (truth 0, or no truth as for an SRM check), never on a chart of power alone.
            let underNull = r.cells.contains { cell in cell.comparisons.contains { analyses.contains($0.analysis) && ($0.truth ?? 0) == 0 && $0.value(measure) != nil } }
            if let alpha = context.commonAlpha(Array(Set(analyses))), measure == .coverage || underNull {
                let level = measure == .rejectionRate ? alpha : 1 - alpha
                if !chart.referenceLines.contains(where: { abs($0.0 - level) < 1e-12 }) {
                    chart.referenceLines.append((level, measure == .rejectionRate ? "α = \(Num.sig(alpha))" : "1 − α = \(Num.sig(level))"))
                    refs.append(measure == .rejectionRate ? "the analyses' α (the rejection rate under H0)" : "the nominal coverage 1 − α")
                }
            }
            let refText = refs.isEmpty ? "" : "; dashed: " + refs.enumerated().filter { !refs[..<$0.offset].contains($0.element) }.map(\.element).joined(separator: ", ")
            let plannedText = plannedCount == 0 ? "" : "; dashed with open circles: the planned power of the two-proportion z-test at the cell's expected arm sizes (R power.prop.test), which the simulated power should match within its bars"
            out.append((chart.render(), "\(yLabel.prefix(1).uppercased() + yLabel.dropFirst()) per analysis and cell, bars ±2 MCSE\(refText)\(plannedText)\(chart.bands.isEmpty ? "" : "; shaded: the gate's tolerance band")."))
        }
        // Bias as a forest plot: one row per analysis and cell, estimate ± 2 MCSE against 0.
        var biasRows: [(String, MeasureValue)] = []
        for cell in r.cells {
            for s in cell.comparisons {
                if let v = s.value(.bias) { biasRows.append(("\(s.analysis) [\(s.comparison)]\(r.cells.count > 1 ? ", \(cell.label)" : "")", v)) }
            }
        }
        if !biasRows.isEmpty {
            let svg = SVGChart.forest(title: "Bias of each estimator", xLabel: "bias (estimate − truth)",
                                      rows: biasRows.map { (label: $0.0, estimate: $0.1.estimate, error: 2 * ($0.1.mcse ?? 0)) },
                                      reference: 0, referenceLabel: "no bias")
            out.append((svg, "Forest plot of the bias per analysis and cell with ±2 MCSE bars; dashed: zero (an unbiased estimator's bar crosses it about 95% of the time)."))
        }
        return out
    }

    /// The number of cells from which a result also gets heat plots (one tile per analysis and cell).
    static let heatCells = 6

    /// Heat plots of the rejection rate and the coverage for grids of at least ``heatCells``
    /// cells: one row per analysis and comparison, one column per cell (its factor values),
    /// each tile the estimate (MCSE in its tooltip). Empty for smaller grids.
    static func heatPlots(_ r: ScenarioResult) -> String {
        guard r.cells.count >= heatCells else { return "" }
        let keys = orderedComparisons(r)
        func label(_ k: (String, String)) -> String { k.1 == "treatment" || k.1 == "all_arms" ? k.0 : "\(k.0) [\(k.1)]" }
        let columns = r.cells.map(cellName)
        var h = ""
        for (measure, name) in [(Measure.rejectionRate, "rejection rate"), (.coverage, "coverage"), (.bias, "bias")] {
            var tiles: [SVGChart.HeatTile] = []
            var rows: [String] = []
            for k in keys {
                for (cell, column) in zip(r.cells, columns) {
                    guard let s = cell.comparisons.first(where: { $0.analysis == k.0 && $0.comparison == k.1 }), let v = s.value(measure) else { continue }
                    tiles.append(SVGChart.HeatTile(row: label(k), column: column, estimate: v.estimate, mcse: v.mcse))
                    if !rows.contains(label(k)) { rows.append(label(k)) }
                }
            }
            guard !tiles.isEmpty else { continue }
            h += HTMLPage.figure(SVGChart.heat(title: "\(name.prefix(1).uppercased() + name.dropFirst()) by analysis and cell", rows: rows, columns: columns, tiles: tiles),
                                 "Heat plot of the \(name): one row per analysis, one column per cell; darker is higher (from the lowest to the highest value shown). Hover a tile for its estimate ± one MCSE.")
        }
        return h
    }

    /// A cell's name for a column or panel: its factor values, or its label.
    static func cellName(_ cell: CellResult) -> String {
        let values = cell.factors.map(\.value).joined(separator: ", ")
        return values.isEmpty ? cell.label : values
    }

    /// p-value histograms, one small panel per cell and fixed-horizon comparison that has one:
    /// 20 bins of final-look p-values. Under H0 (truth 0) each panel also shades the pointwise
    /// 95% band of a bin's count for uniform p-values, Binomial(R, 1/20) quantiles from
    /// Analysis's ``PValueBand``, with R/20 dashed; under H1 the histogram should pile up near 0.
    static func pValuePanels(_ r: ScenarioResult) -> String {
        var panels = ""
        var anyBand = false
        let keys = orderedComparisons(r)
        for cell in r.cells {
            for s in cell.comparisons where s.policy == "fixed" && s.replications > 0 && s.pValueHistogram.count == 20 {
                let k = keys.firstIndex { $0 == (s.analysis, s.comparison) } ?? 0
                let pts = s.pValueHistogram.enumerated().map { SVGChart.Point(x: Double($0.offset), y: Double($0.element)) }
                let name = "\(s.analysis) [\(s.comparison)]"
                var chart = SVGChart(title: r.cells.count > 1 ? "\(name), \(cellName(cell))" : name, xLabel: "p-value", yLabel: "replications",
                                     series: [SVGChart.Series(name: "\(name) in \(cell.label)", points: pts, style: k)])
                chart.bars = true
                chart.categories = (0...20).map { $0 % 10 == 0 ? Num.sig(Double($0) / 20) : "" }
                chart.width = 300
                chart.height = 200
                if s.truth == 0, let band = try? PValueBand(replications: s.replications) {
                    chart.bands = [(Double(band.lower), Double(band.upper), "95% band of one bin's count for uniform p-values: \(band.lower) to \(band.upper) of R = \(s.replications) (Binomial(R, 1/20))")]
                    chart.referenceLines = [(band.expected, "R/20")]
                    anyBand = true
                }
                panels += "<figure>\(chart.render())</figure>\n"
            }
        }
        guard !panels.isEmpty else { return "" }
        var h = "<h3>p-value histograms, one panel per cell and comparison</h3>\n<div class=\"grid\">\n" + panels + "</div>\n"
        h += "<p class=\"foot\">Final-look p-values in 20 bins of 0.05."
        if anyBand { h += " Panels under H0 (true effect 0) shade the 95% band of each bin's count for a valid test (Binomial(R, 1/20) quantiles; about one bin in 20 falls outside by chance) with R/20 dashed." }
        h += " Under H1 the p-values should pile up in the first bins. The y scales differ between panels.</p>\n"
        return h
    }

    /// Coverage zip plots (Morris, White & Crowther 2019), one per comparison and cell whose
    /// summary carries ``ComparisonSummary/intervalSample``; none for results written before it.
    static func zipPlots(_ r: ScenarioResult, context: ReportContext) -> String {
        var h = ""
        for cell in r.cells {
            for s in cell.comparisons {
                guard let draws = s.intervalSample, !draws.isEmpty else { continue }
                let nominal = context.alphas[s.analysis].map { 1 - $0 }
                let name = "\(s.analysis) [\(s.comparison)]" + (r.cells.count > 1 ? ", \(cellName(cell))" : "")
                let svg = SVGChart.zip(title: "Coverage zip plot: \(name)", draws: draws, nominal: nominal)
                guard !svg.isEmpty else { continue }
                h += HTMLPage.figure(svg, "The intervals of the first \(draws.count) analysed replications, ranked by how far their estimate misses the truth relative to their width (the worst at the top); blue intervals contain the truth (dashed), vermilion ones miss it\(nominal.map { "; the horizontal line is the nominal coverage \(Num.sig($0)): with correct coverage the vermilion intervals start about there" } ?? "").")
            }
        }
        return h
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
