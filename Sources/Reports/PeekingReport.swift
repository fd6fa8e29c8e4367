import Foundation
import Simulation

/// Everything the peeking calibration report shows: the scenario result, the exact
/// repeated-significance probabilities of the naive policy, and the group sequential
/// boundaries SplitBench computes beside rpact's. Computed by the caller; rendered here.
public struct PeekingCalibration: Codable, Sendable {
    public var result: ScenarioResult
    /// Exact P(reject at some look | H0) of naive testing at α at K equally spaced looks
    /// (Armitage, McPherson & Rowe 1969), from the Analysis module's recursive integration.
    public var exactNaive: [ExactNaive]
    public var boundaries: [BoundaryRow]
    public var alpha: Double
    /// The verdicts the report states (computed by ``Verdicts``, never here; nil in files
    /// written before verdicts were stored, which the caller recomputes).
    public var verdicts: [ComparisonVerdict]?

    public init(result: ScenarioResult, exactNaive: [ExactNaive], boundaries: [BoundaryRow], alpha: Double, verdicts: [ComparisonVerdict]) {
        self.result = result
        self.exactNaive = exactNaive
        self.boundaries = boundaries
        self.alpha = alpha
        self.verdicts = verdicts
    }

    /// The verdict of an analysis in a cell.
    func verdict(_ p: PeekingReport.Point) -> ComparisonVerdict? {
        (verdicts ?? []).first { $0.cell == p.cell && $0.analysis == p.summary.analysis && $0.comparison == p.summary.comparison }
    }
}

public struct ExactNaive: Codable, Sendable {
    public let looks: Int
    public let probability: Double
    public init(looks: Int, probability: Double) {
        self.looks = looks
        self.probability = probability
    }
}

public struct BoundaryRow: Codable, Sendable {
    public let design: String
    public let looks: Int
    public let look: Int
    public let splitbench: Double
    public let rpact: Double
    public init(design: String, looks: Int, look: Int, splitbench: Double, rpact: Double) {
        self.design = design
        self.looks = looks
        self.look = look
        self.splitbench = splitbench
        self.rpact = rpact
    }
}

/// Renders the peeking calibration (`results/calibration/peeking.{md,html,csv,json}`).
public enum PeekingReport {
    /// One policy's measures in one cell.
    struct Point {
        let metric: String
        let policy: String
        let looks: Int
        let daily: Bool
        let h1: Bool
        let cell: Int
        let summary: ComparisonSummary
        func v(_ m: Measure) -> MeasureValue? { summary.value(m) }
    }

    static let metricNames = ["b": "binary (conversion 20%, two-proportion z-test)", "c": "continuous (normal, Welch t-test)"]

    static func points(_ c: PeekingCalibration) -> [Point] {
        var out: [Point] = []
        for cell in c.result.cells {
            let looksText = cell.factors.first { $0.key == "looks" }?.value ?? ""
            let effects = cell.factors.first { $0.key == "effects" }?.value ?? "{}"
            let daily = looksText.contains("every_days")
            let k = daily ? (cell.comparisons.first?.rejectionsByLook.count ?? 0)
                : Int(looksText.filter(\.isNumber)) ?? 0
            for s in cell.comparisons {
                let parts = s.analysis.split(separator: ".", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                out.append(Point(metric: parts[0], policy: parts[1], looks: k, daily: daily, h1: effects != "{}", cell: cell.index, summary: s))
            }
        }
        return out
    }

    static func policies(_ pts: [Point]) -> [String] {
        var seen: [String] = []
        for p in pts where !seen.contains(p.policy) { seen.append(p.policy) }
        return seen
    }

    static func policyDescription(_ p: String) -> String {
        switch p {
        case "naive": return "naive: a fixed-horizon test at nominal α at every look"
        case "obf": return "group sequential, Lan–DeMets O'Brien–Fleming type (rpact asOF, α/2 per side)"
        case "pocock": return "group sequential, Lan–DeMets Pocock type"
        case "power2": return "group sequential, power family α·t²"
        case "obf.traffic50": return "O'Brien–Fleming type planned for twice the traffic that came (actual 50% of plan; the last look spends the rest of α)"
        case "obf.traffic150": return "O'Brien–Fleming type planned for two thirds of the traffic that came (actual 150% of plan; truncated at full information)"
        case "bayes95": return "Bayesian: stop and ship when the chance to beat control exceeds 95% at a look"
        default:
            if p.hasPrefix("msprt.") { return "mSPRT, normal mixture τ² = \(p.dropFirst(6))" }
            if p.hasPrefix("cs.") { return "asymptotic confidence sequence, N* = \(p.dropFirst(3))" }
            return p
        }
    }

    static func lookLabel(_ p: Point) -> String { p.daily ? "daily (\(p.looks))" : String(p.looks) }

    // MARK: - Markdown

    public static func markdown(_ c: PeekingCalibration) -> String {
        let pts = points(c)
        let r = c.result
        var md = "# Peeking calibration\n\n\(r.description)\n\n"
        // Only what determines the numbers, as in the scenario report: threads, hosts and
        // timings stay in the JSON's run block, so a merge of shards renders the same bytes.
        md += "\(r.replications) replications per cell, \(r.cells.count) cells "
        md += "(SplitBench \(r.run.splitbenchVersion), commit \(r.run.gitCommit.map { String($0.prefix(12)) } ?? "unknown"), GSL \(r.run.gslVersion)). "
        md += "Every figure is a Monte Carlo estimate ± its MCSE. Assignment is ideal (no hashing) so the figures measure the methods. "
        md += "H1 is an effect with about 80% power for one fixed-horizon test at the full sample.\n\n"
        md += "## 1. Naive peeking against the exact repeated-significance probability\n\n"
        md += "The exact column is P(|Z_k| > z_{1−α/2} at some of K equally spaced looks | H0), computed by recursive numerical integration (Armitage, McPherson & Rowe 1969; ORACLES §1). "
        md += "The difference is (Monte Carlo − exact) / MCSE.\n\n"
        md += "| K | exact | " + ["b", "c"].map { "\($0 == "b" ? "binary" : "continuous") FPR | diff (MCSE)" }.joined(separator: " | ") + " |\n"
        md += "| ---: | ---: | ---: | ---: | ---: | ---: |\n"
        for e in c.exactNaive {
            var row = "| \(e.looks) | \(String(format: "%.4f", e.probability)) |"
            for m in ["b", "c"] {
                if let p = pts.first(where: { $0.metric == m && $0.policy == "naive" && !$0.h1 && $0.looks == e.looks }), let v = p.v(.rejectionRate) {
                    let diff = c.verdict(p)?.differenceFromExact
                    row += " \(Num.withMCSE(v.estimate, v.mcse)) | \(diff.map { String(format: "%+.2f", $0) } ?? "") |"
                } else { row += " | |" }
            }
            md += row + "\n"
        }
        md += "\n## 2. Group sequential boundaries: SplitBench beside rpact\n\n"
        md += "Two-sided α = \(Num.sig(c.alpha)), equally spaced looks; critical values on the |Z| scale. rpact 3.3.4 values from `scenarios/calibration/rpact-boundaries.json` (`scripts/reference/calibration_boundaries.py`).\n\n"
        md += "| design | K | look | SplitBench | rpact | difference |\n| --- | ---: | ---: | ---: | ---: | ---: |\n"
        for b in c.boundaries {
            md += "| \(b.design) | \(b.looks) | \(b.look) | \(String(format: "%.6f", b.splitbench)) | \(String(format: "%.6f", b.rpact)) | \(String(format: "%.1e", b.splitbench - b.rpact)) |\n"
        }
        for m in ["b", "c"] {
            md += "\n## 3\(m == "b" ? "a" : "b"). \(metricNames[m] ?? m)\n\n"
            for (title, measure, h1) in [("False-positive rate under H0", Measure.rejectionRate, false), ("Power under H1", .rejectionRate, true),
                                         ("Expected sample size at stop under H0", .meanSampleSize, false), ("Expected sample size at stop under H1", .meanSampleSize, true),
                                         ("Coverage of the interval reported at stop, H1", .coverage, true)] {
                md += "**\(title)**\n\n" + table(pts.filter { $0.metric == m && $0.h1 == h1 }, measure) + "\n"
            }
            md += "**What the figures say**\n\n"
            for policy in policies(pts.filter { $0.metric == m }) {
                md += "- " + paragraph(policy, pts.filter { $0.metric == m && $0.policy == policy }, c) + "\n"
            }
        }
        md += "\nCharts: `peeking.html`. Tidy data: `peeking.csv`; everything: `peeking.json`.\n"
        return md
    }

    static func table(_ pts: [Point], _ measure: Measure) -> String {
        let columns = Array(Set(pts.map { lookLabel($0) })).sorted { a, b in
            (Int(a.filter(\.isNumber)) ?? 0, a.count) < (Int(b.filter(\.isNumber)) ?? 0, b.count)
        }
        var t = "| policy | " + columns.map { "K = \($0)" }.joined(separator: " | ") + " |\n"
        t += "| --- | " + columns.map { _ in "---:" }.joined(separator: " | ") + " |\n"
        for policy in policies(pts) {
            t += "| \(policy) | " + columns.map { col in
                pts.first { $0.policy == policy && lookLabel($0) == col }?.v(measure).map { Num.withMCSE($0.estimate, $0.mcse) } ?? ""
            }.joined(separator: " | ") + " |\n"
        }
        return t
    }

    /// One paragraph per policy, written from the run's own numbers.
    static func paragraph(_ policy: String, _ pts: [Point], _ c: PeekingCalibration) -> String {
        let alpha = c.alpha, exact = c.exactNaive
        let h0 = pts.filter { !$0.h1 }.sorted { ($0.looks, $0.daily ? 1 : 0) < ($1.looks, $1.daily ? 1 : 0) }
        let h1 = pts.filter(\.h1)
        guard let first = h0.first, let last = h0.max(by: { $0.looks < $1.looks }),
              let f0 = first.v(.rejectionRate), let f1 = last.v(.rejectionRate) else { return "\(policy): no data." }
        var s = "**\(policy)** (\(policyDescription(policy))): "
        let worst = h0.compactMap { p in p.v(.rejectionRate).map { (p, $0) } }.max { $0.1.estimate < $1.1.estimate }
        let over = h0.filter { c.verdict($0)?.exceedsAlpha ?? false }
        s += "the false-positive rate goes from \(Num.withMCSE(f0.estimate, f0.mcse)) with \(lookLabel(first)) look(s) to \(Num.withMCSE(f1.estimate, f1.mcse)) with \(lookLabel(last))"
        if over.isEmpty {
            s += "; at no K is it more than 3 MCSE above α = \(Num.sig(alpha)), so this policy holds its error rate"
            if let w = worst, c.verdict(w.0)?.conservative ?? false { s += " (conservatively: at most \(Num.sig(w.1.estimate, 3)))" }
            s += ". "
        } else {
            let ks = over.map { lookLabel($0) }.joined(separator: ", ")
            s += "; it exceeds α = \(Num.sig(alpha)) by more than 3 MCSE at K = \(ks)"
            if let w = worst { s += ", reaching \(Num.sig(w.1.estimate, 3)) (\(String(format: "%.1f", w.1.estimate / alpha))× nominal)" }
            s += ". "
            if policy == "naive", let e = exact.first(where: { $0.looks == last.looks }) {
                s += "The exact value at K = \(last.looks) is \(String(format: "%.4f", e.probability)). "
            }
        }
        if let pick = h1.first(where: { $0.daily }) ?? h1.max(by: { $0.looks < $1.looks }),
           let pw = pick.v(.rejectionRate), let n1 = pick.v(.meanSampleSize),
           let n0 = h0.first(where: { $0.looks == pick.looks && $0.daily == pick.daily })?.v(.meanSampleSize) {
            s += "With \(lookLabel(pick)) looks its power under H1 is \(Num.withMCSE(pw.estimate, pw.mcse)) and it stops on average after \(Num.sig(n1.estimate, 4)) units under H1 and \(Num.sig(n0.estimate, 4)) under H0"
            if let fixed = h1.first(where: { $0.looks == 1 && !$0.daily })?.v(.rejectionRate) {
                s += " (one look at the end: power \(Num.sig(fixed.estimate, 3)))"
            }
            s += ". "
        }
        let cov = h1.compactMap { p in p.v(.coverage).map { (p, $0) } }
        if let (lowest, minCov) = cov.min(by: { $0.1.estimate < $1.1.estimate }) {
            s += c.verdict(lowest)?.underCovers ?? false
                ? "Its interval at the stop under-covers: as low as \(Num.withMCSE(minCov.estimate, minCov.mcse))."
                : "Its interval at the stop covers the true effect (lowest \(Num.withMCSE(minCov.estimate, minCov.mcse)))."
        }
        return s
    }

    // MARK: - HTML

    public static func html(_ c: PeekingCalibration) -> String {
        let pts = points(c)
        let r = c.result
        let all = policies(pts)
        func style(_ policy: String) -> Int { all.firstIndex(of: policy) ?? 0 }
        var h = MarkdownLite.pageHead(title: "Peeking calibration — SplitBench")
        h += "<h1>Peeking calibration</h1>\n<p>\(Escape.html(r.description)) Each stopping policy is run with K equally spaced looks and with daily looks, under H0 (no effect) and under H1 (an effect with about 80% power for one fixed-horizon test), \(r.replications) replications per cell; α = \(Num.sig(c.alpha)) two-sided.</p>\n"
        for m in ["b", "c"] {
            let mp = pts.filter { $0.metric == m }
            guard !mp.isEmpty else { continue }
            h += "<h2>\(Escape.html(metricNames[m] ?? m)): which policy holds α</h2>\n"
            var rows: [String] = []
            for policy in policies(mp) {
                let h0 = mp.filter { $0.policy == policy && !$0.h1 }, h1 = mp.filter { $0.policy == policy && $0.h1 }
                let holds = !h0.contains { c.verdict($0)?.exceedsAlpha ?? false }
                let worst = h0.compactMap { p in p.v(.rejectionRate).map { (p, $0) } }.max { $0.1.estimate < $1.1.estimate }
                let daily1 = h1.first { $0.daily }, daily0 = h0.first { $0.daily }
                let cov = h1.compactMap { p in p.v(.coverage).map { (p, $0) } }.min { $0.1.estimate < $1.1.estimate }
                var row = "<tr><td>\(HTMLPage.badge(holds, pass: "holds α", fail: "exceeds α"))</td><td>\(Escape.html(policy))</td><td>\(Escape.html(policyDescription(policy)))</td>"
                func cells(_ v: MeasureValue?, _ what: String) -> String {
                    guard let v else { return HTMLPage.undefinedCell + HTMLPage.undefinedCell }
                    let (e, se) = Num.pair(v.estimate, v.mcse)
                    return HTMLPage.num(e, tip: "\(policy): \(what), Monte Carlo estimate") + HTMLPage.num(se, tip: "\(policy): \(what), Monte Carlo standard error (one MCSE)")
                }
                row += cells(worst?.1, "highest false-positive rate under H0 (at \(worst.map { lookLabel($0.0) } ?? "?") looks)")
                row += cells(daily1?.v(.rejectionRate), "power under H1, daily looks")
                row += cells(daily0?.v(.meanSampleSize), "expected sample size at stop under H0, daily looks")
                row += cells(daily1?.v(.meanSampleSize), "expected sample size at stop under H1, daily looks")
                row += cells(cov?.1, "lowest coverage under H1")
                rows.append(row + "</tr>")
            }
            h += HTMLPage.table(header: [("verdict", false), ("policy", false), ("what it does", false), ("worst FPR", true), ("MCSE", true), ("power (daily)", true), ("MCSE", true),
                                         ("E[N] H0 (daily)", true), ("MCSE", true), ("E[N] H1 (daily)", true), ("MCSE", true), ("worst coverage", true), ("MCSE", true)], rows: rows)
            h += "<p class=\"foot\">Verdict: the calibration's own (exceeds α when the false-positive rate is more than 3 MCSE above α at some K). Worst FPR: the highest over the looks tried; worst coverage: the lowest under H1. — : not measured for this policy.</p>\n"
            // Small multiples: one panel per policy, each on its own y scale.
            h += "<h3>False-positive rate against the number of looks, one panel per policy</h3>\n<div class=\"grid\">\n"
            for policy in policies(mp) {
                let series = mp.filter { $0.policy == policy && !$0.h1 && !$0.daily }.sorted { $0.looks < $1.looks }.compactMap { p in
                    p.v(.rejectionRate).map { SVGChart.Point(x: Double(p.looks), y: $0.estimate, error: 2 * ($0.mcse ?? 0)) }
                }
                var list = [SVGChart.Series(name: policy, points: series, style: style(policy))]
                if policy == "naive" {
                    list.append(SVGChart.Series(name: "exact (AMR 1969)", points: c.exactNaive.map { SVGChart.Point(x: Double($0.looks), y: $0.probability) }, dashed: true, style: 7))
                }
                var chart = SVGChart(title: policy, xLabel: "looks K (log scale)", yLabel: "false-positive rate", series: list)
                guard !chart.isEmpty else { continue }
                chart.logX = true
                chart.referenceLines = [(c.alpha, "α = \(Num.sig(c.alpha))")]
                chart.width = 300
                chart.height = policy == "naive" ? 250 : 230
                h += "<figure>\(chart.render())</figure>\n"
            }
            h += "</div>\n<p class=\"foot\">Each panel: the false-positive rate under H0 at K equally spaced looks (points, ±2 MCSE bars) against α (dashed); the naive panel also shows the exact repeated-significance probability (Armitage, McPherson &amp; Rowe 1969). The y scales differ between panels.</p>\n"
            // Coverage of the interval at the stop against the number of looks, under H1.
            var coveragePanels = ""
            for policy in policies(mp) {
                let points = mp.filter { $0.policy == policy && $0.h1 && !$0.daily }.sorted { $0.looks < $1.looks }.compactMap { p in
                    p.v(.coverage).map { SVGChart.Point(x: Double(p.looks), y: $0.estimate, error: 2 * ($0.mcse ?? 0)) }
                }
                var chart = SVGChart(title: policy, xLabel: "looks K (log scale)", yLabel: "coverage", series: [SVGChart.Series(name: policy, points: points, style: style(policy))])
                guard !chart.isEmpty else { continue }
                chart.logX = true
                chart.referenceLines = [(1 - c.alpha, "1 − α = \(Num.sig(1 - c.alpha))")]
                chart.width = 300
                chart.height = 230
                coveragePanels += "<figure>\(chart.render())</figure>\n"
            }
            if !coveragePanels.isEmpty {
                h += "<h3>Coverage of the interval reported at the stop against the number of looks (H1), one panel per policy</h3>\n<div class=\"grid\">\n" + coveragePanels + "</div>\n"
                h += "<p class=\"foot\">Each panel: the share of intervals reported at the stop that contain the true effect, at K equally spaced looks (±2 MCSE bars), against the nominal 1 − α (dashed). A fixed-horizon interval read at a data-dependent stop under-covers; an always-valid one does not. The y scales differ between panels.</p>\n"
            }
            // Power vs expected sample size under H1, daily looks, with the fixed-horizon point.
            var price: [SVGChart.Series] = []
            for policy in policies(mp) {
                guard let p = mp.first(where: { $0.policy == policy && $0.h1 && $0.daily }), let pw = p.v(.rejectionRate), let n = p.v(.meanSampleSize) else { continue }
                price.append(SVGChart.Series(name: policy, points: [SVGChart.Point(x: n.estimate, y: pw.estimate, error: 2 * (pw.mcse ?? 0))], style: style(policy)))
            }
            if let fixed = mp.first(where: { $0.policy == "naive" && $0.h1 && $0.looks == 1 && !$0.daily }), let pw = fixed.v(.rejectionRate), let n = fixed.v(.meanSampleSize) {
                price.append(SVGChart.Series(name: "fixed horizon (one look)", points: [SVGChart.Point(x: n.estimate, y: pw.estimate, error: 2 * (pw.mcse ?? 0))], style: 8))
            }
            if !price.isEmpty {
                var chart2 = SVGChart(title: "The price of each policy (daily looks, H1)", xLabel: "expected sample size at stop", yLabel: "power", series: price)
                chart2.directLabels = true
                chart2.width = 760
                chart2.height = 420
                h += HTMLPage.figure(chart2.render(), "Power against expected sample size at stop under H1 with daily looks, ±2 MCSE bars; each policy is labelled at its point, and the fixed-horizon test (one look at the end) is the reference.")
            }
        }
        h += "<h2>Details</h2>\n"
        // The Markdown body without its title and description (shown above).
        let md = markdown(c).components(separatedBy: "\n").dropFirst(4).joined(separator: "\n")
        h += MarkdownLite.html(md)
        h += HTMLPage.provenance(ScenarioReport.provenance(r))
        h += "</body></html>\n"
        return h
    }

    // MARK: - CSV

    /// Tidy rows: metric, policy, looks, daily, hypothesis, measure, estimate, mcse, replications.
    public static func csv(_ c: PeekingCalibration) -> String {
        var lines = ["metric,policy,looks,daily,hypothesis,measure,estimate,mcse,replications"]
        for p in points(c) {
            for m in p.summary.measures {
                lines.append([p.metric == "b" ? "binary" : "continuous", p.policy, String(p.looks), p.daily ? "true" : "false", p.h1 ? "H1" : "H0",
                              m.measure.rawValue, Num.csv(m.estimate), Num.csv(m.mcse), String(m.replications)].map(Escape.csv).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ c: PeekingCalibration) throws -> Data {
        try ResultFiles.encode(c)
    }
}

/// The small subset of Markdown the reports produce (headings, paragraphs, bullet lists,
/// pipe tables, bold, code spans) as HTML.
enum MarkdownLite {
    /// The opening of a calibration report page, up to `<body>`, with its style sheet.
    static func pageHead(title: String) -> String {
        HTMLPage.head(title: title)
    }

    static func html(_ md: String) -> String {
        var out = ""
        var table: [[String]] = []
        var list = false
        func inline(_ s: String) -> String {
            var t = Escape.html(s)
            while let r = t.range(of: "**"), let e = t.range(of: "**", range: r.upperBound..<t.endIndex) {
                t = t.replacingCharacters(in: r.lowerBound..<e.upperBound, with: "<b>" + t[r.upperBound..<e.lowerBound] + "</b>")
            }
            while let r = t.range(of: "`"), let e = t.range(of: "`", range: r.upperBound..<t.endIndex) {
                t = t.replacingCharacters(in: r.lowerBound..<e.upperBound, with: "<code>" + t[r.upperBound..<e.lowerBound] + "</code>")
            }
            return t
        }
        func flushTable() {
            guard !table.isEmpty else { return }
            // Right-aligned (numeric) columns are the ones the Markdown marks `---:`.
            let numeric = table.count > 1 ? table[1].map { $0.hasSuffix(":") } : []
            out += "<div class=\"scroll\"><table>\n"
            for (i, row) in table.enumerated() where i != 1 {
                let tag = i == 0 ? "th" : "td"
                out += "<tr>" + row.enumerated().map { j, cell in
                    let cls = j < numeric.count && numeric[j] ? " class=\"n\"" : ""
                    if i > 0 && cell.isEmpty { return "<td class=\"na\" title=\"not measured in this cell\">—</td>" }
                    return "<\(tag)\(cls)>\(inline(cell))</\(tag)>"
                }.joined() + "</tr>\n"
            }
            out += "</table></div>\n"
            table = []
        }
        for raw in md.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.hasPrefix("|") {
                table.append(line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { $0.trimmingCharacters(in: .whitespaces) })
                continue
            }
            flushTable()
            if line.hasPrefix("- ") {
                if !list { out += "<ul>\n"; list = true }
                out += "<li>\(inline(String(line.dropFirst(2))))</li>\n"
                continue
            }
            if list { out += "</ul>\n"; list = false }
            if line.hasPrefix("## ") { out += "<h2>\(inline(String(line.dropFirst(3))))</h2>\n" }
            else if line.hasPrefix("# ") { out += "<h1>\(inline(String(line.dropFirst(2))))</h1>\n" }
            else if !line.isEmpty { out += "<p>\(inline(line))</p>\n" }
        }
        flushTable()
        if list { out += "</ul>\n" }
        return out
    }
}

extension PeekingReport {
    /// Short lines for the terminal: naive FPR at K = 5, 20, 100 against the exact values, and
    /// each sequential policy's FPR and expected sample size with daily looks.
    public static func headlines(_ c: PeekingCalibration) -> [String] {
        let pts = points(c)
        var lines: [String] = []
        for m in ["b", "c"] {
            for k in [5, 20, 100] {
                guard let p = pts.first(where: { $0.metric == m && $0.policy == "naive" && !$0.h1 && $0.looks == k && !$0.daily }),
                      let v = p.v(.rejectionRate), let e = c.exactNaive.first(where: { $0.looks == k }) else { continue }
                lines.append("\(m == "b" ? "binary" : "continuous") naive K=\(k): FPR \(Num.withMCSE(v.estimate, v.mcse)) vs exact \(String(format: "%.4f", e.probability))")
            }
            for policy in policies(pts.filter { $0.metric == m }) where policy != "naive" {
                guard let p0 = pts.first(where: { $0.metric == m && $0.policy == policy && !$0.h1 && $0.daily }),
                      let f = p0.v(.rejectionRate), let n0 = p0.v(.meanSampleSize) else { continue }
                let p1 = pts.first { $0.metric == m && $0.policy == policy && $0.h1 && $0.daily }
                let power = p1?.v(.rejectionRate).map { Num.withMCSE($0.estimate, $0.mcse) } ?? "?"
                let n1 = p1?.v(.meanSampleSize).map { Num.sig($0.estimate, 4) } ?? "?"
                lines.append("\(m == "b" ? "binary" : "continuous") \(policy), daily looks: FPR \(Num.withMCSE(f.estimate, f.mcse)), power \(power), E[n] \(Num.sig(n0.estimate, 4)) (H0) / \(n1) (H1)")
            }
        }
        return lines
    }
}
