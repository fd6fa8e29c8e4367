import Foundation
import Simulation

/// Everything the multiple-testing calibration report shows: the scenario result and the
/// checks of the known guarantees, evaluated by the caller.
public struct MultipleTestingCalibration: Codable, Sendable {
    public var result: ScenarioResult
    public var checks: [GuaranteeCheck]
    public var alpha: Double

    public init(result: ScenarioResult, checks: [GuaranteeCheck], alpha: Double) {
        self.result = result
        self.checks = checks
        self.alpha = alpha
    }
}

/// A published guarantee and whether the run agrees with it in every cell it covers.
public struct GuaranteeCheck: Codable, Sendable {
    public let claim: String
    public let source: String
    public let cells: Int
    public let passed: Bool
    /// The cell that came closest to (or went furthest past) the bound, and its figures.
    public let worst: String

    public init(claim: String, source: String, cells: Int, passed: Bool, worst: String) {
        self.claim = claim
        self.source = source
        self.cells = cells
        self.passed = passed
        self.worst = worst
    }
}

/// Renders the multiple-testing calibration (`results/calibration/multiple-testing.*`).
public enum MultipleTestingReport {
    struct Point {
        let arms: Int
        let m: Int
        let rho: String
        let fraction: String
        let policy: String
        let summary: ComparisonSummary
        func v(_ measure: Measure) -> MeasureValue? { summary.value(measure) }
    }

    static func points(_ c: MultipleTestingCalibration) -> [Point] {
        var out: [Point] = []
        for cell in c.result.cells {
            func factor(_ k: String) -> String { cell.factors.first { $0.key == k }?.value ?? "" }
            let variants = factor("experiment.variants")
            let arms = variants.isEmpty ? 2 : variants.split(separator: ",").count
            for s in cell.comparisons where s.analysis == "family" {
                out.append(Point(arms: arms, m: Int(factor("family.metrics")) ?? 0, rho: factor("family.correlation"),
                                 fraction: factor("family.effect_fraction"), policy: s.comparison, summary: s))
            }
        }
        return out
    }

    static func policies(_ pts: [Point]) -> [String] {
        var seen: [String] = []
        for p in pts where !seen.contains(p.policy) { seen.append(p.policy) }
        return seen
    }

    public static func markdown(_ c: MultipleTestingCalibration) -> String {
        let pts = points(c)
        let r = c.result
        var md = "# Multiple-testing calibration\n\n\(r.description)\n\n"
        // Only what determines the numbers (threads and timings stay in the JSON's run block).
        md += "\(r.replications) replications per cell, \(r.cells.count) cells "
        md += "(SplitBench \(r.run.splitbenchVersion), commit \(r.run.gitCommit.map { String($0.prefix(12)) } ?? "unknown"), GSL \(r.run.gslVersion)). "
        md += "Each family is m metrics × the treatments; every hypothesis is tested with Welch's t-test at α = \(Num.sig(c.alpha)) and each policy is applied to the whole family in every replication. "
        md += "FWER = P(V ≥ 1), FDR = E[V/max(R, 1)], average power = E[S/m₁], any-true power = P(S ≥ 1) (V false, S true rejections). Every figure ± its MCSE.\n\n"
        md += "## Guarantees checked\n\nEach claim is checked in every cell it covers. Because one claim spans many cells, the per-cell bound is Bonferroni-corrected across them (z = Φ⁻¹(1 − 0.00135/cells) MCSE; 3 MCSE for a single cell), so a claim that holds is reported violated with probability at most 0.135%.\n\n"
        md += "| | claim | source | cells | closest case |\n| --- | --- | --- | ---: | --- |\n"
        for g in c.checks {
            md += "| \(g.passed ? "holds" : "**VIOLATED**") | \(Escape.markdownCell(g.claim)) | \(Escape.markdownCell(g.source)) | \(g.cells) | \(Escape.markdownCell(g.worst)) |\n"
        }
        for arms in Array(Set(pts.map(\.arms))).sorted() {
            let design = arms == 2 ? "A/B (one treatment)" : "A/B/n (\(arms - 1) treatments)"
            for fraction in Array(Set(pts.map(\.fraction))).sorted() {
                md += "\n## \(design), share of metrics with an effect = \(fraction)\n\n"
                let measures: [(String, Measure)] = fraction == "0" || fraction == "0.0"
                    ? [("FWER", .fwer), ("FDR", .fdr)]
                    : [("FWER", .fwer), ("FDR", .fdr), ("average power", .averagePower), ("any-true power", .anyPower)]
                for (title, measure) in measures {
                    md += "**\(title)** (rows: policy and ρ; columns: m metrics)\n\n"
                    let sub = pts.filter { $0.arms == arms && $0.fraction == fraction }
                    let ms = Array(Set(sub.map(\.m))).sorted()
                    md += "| policy | ρ | " + ms.map { "m = \($0)" }.joined(separator: " | ") + " |\n| --- | ---: | " + ms.map { _ in "---:" }.joined(separator: " | ") + " |\n"
                    for policy in policies(sub) {
                        for rho in Array(Set(sub.map(\.rho))).sorted() {
                            md += "| \(policy) | \(rho) | " + ms.map { m in
                                sub.first { $0.policy == policy && $0.rho == rho && $0.m == m }?.v(measure).map { Num.withMCSE($0.estimate, $0.mcse) } ?? ""
                            }.joined(separator: " | ") + " |\n"
                        }
                    }
                    md += "\n"
                }
            }
        }
        md += "Charts: `multiple-testing.html`. Tidy data: `multiple-testing.csv`; everything: `multiple-testing.json`.\n"
        return md
    }

    public static func html(_ c: MultipleTestingCalibration) -> String {
        let pts = points(c)
        let r = c.result
        let all = policies(pts)
        var h = MarkdownLite.pageHead(title: "Multiple-testing calibration — SplitBench")
        h += "<h1>Multiple-testing calibration</h1>\n<p>\(Escape.html(r.description)) Each family of m metrics is tested with Welch's t-test at α = \(Num.sig(c.alpha)) and each correction is applied to the whole family, \(r.replications) replications per cell. FWER = P(V ≥ 1), FDR = E[V/max(R, 1)] (V false rejections, R all rejections).</p>\n"
        h += "<h2>Verdict: \(c.checks.filter(\.passed).count) of \(c.checks.count) published guarantees hold</h2>\n"
        h += HTMLPage.table(header: [("verdict", false), ("claim", false), ("source", false), ("cells", true), ("closest case", false)], rows: c.checks.map { g in
            "<tr><td>\(HTMLPage.badge(g.passed, pass: "holds", fail: "violated"))</td><td>\(Escape.html(g.claim))</td><td>\(Escape.html(g.source))</td>"
                + HTMLPage.num(String(g.cells), tip: "\(g.claim): cells checked") + "<td>\(Escape.html(g.worst))</td></tr>"
        })
        h += "<p class=\"foot\">The verdict is the calibration's own: a claim holds when no cell it covers is beyond its bound by more than the Bonferroni-corrected number of MCSE.</p>\n"
        let arms = pts.map(\.arms).min() ?? 2
        h += "<h2>Error rates against the number of metrics</h2>\n<div class=\"grid\">\n"
        for (measure, fraction, rho, label) in [(Measure.fwer, "0", "0", "global null, independent metrics"), (.fwer, "0", "0.9", "global null, ρ = 0.9"),
                                                (.fdr, "0.5", "0", "half the metrics with an effect, independent"), (.fdr, "0.5", "0.9", "half the metrics with an effect, ρ = 0.9")] {
            let sub = pts.filter { $0.arms == arms && ($0.fraction == fraction || $0.fraction == fraction + ".0") && ($0.rho == rho || $0.rho == rho + ".0") }
            var series: [SVGChart.Series] = []
            for policy in policies(sub) {
                let s = sub.filter { $0.policy == policy }.sorted { $0.m < $1.m }.compactMap { p in
                    p.v(measure).map { SVGChart.Point(x: Double(p.m), y: $0.estimate, error: 2 * ($0.mcse ?? 0)) }
                }
                var serie = SVGChart.Series(name: policy, points: s, style: all.firstIndex(of: policy) ?? 0)
                // Dodge: coinciding series (Holm on Bonferroni under the global null) stay visible.
                serie.offset = (Double(series.count) - Double(policies(sub).count - 1) / 2) * 5
                series.append(serie)
            }
            var chart = SVGChart(title: "\(measure == .fwer ? "FWER" : "FDR"): \(label)", xLabel: "metrics m (log scale)",
                                 yLabel: measure == .fwer ? "family-wise error rate" : "false discovery rate", series: series)
            guard !chart.isEmpty else { continue }
            chart.logX = true
            chart.referenceLines = [(c.alpha, "α = q = \(Num.sig(c.alpha))")]
            chart.width = 520
            chart.height = 360
            h += HTMLPage.figure(chart.render(), "\(measure == .fwer ? "FWER" : "FDR") by m, one treatment, ±2 MCSE bars; dashed: α. Each correction keeps its colour and marker; points are shifted sideways a few pixels so corrections with equal values stay visible.")
        }
        h += "</div>\n"
        h += tradeOff(c, pts, arms: arms)
        h += "<h2>Details</h2>\n"
        let md = markdown(c).components(separatedBy: "\n").dropFirst(4).joined(separator: "\n")
        h += MarkdownLite.html(md)
        h += HTMLPage.provenance(ScenarioReport.provenance(r))
        h += "</body></html>\n"
        return h
    }

    /// FWER and FDR against average power, one point per cell (m, ρ) and one colour and marker
    /// per correction, for the families with an effect: what each correction buys in error
    /// control and what it costs in power. Empty when no cell has both figures.
    static func tradeOff(_ c: MultipleTestingCalibration, _ pts: [Point], arms: Int) -> String {
        let all = policies(pts)
        let sub = pts.filter { $0.arms == arms && $0.fraction != "0" && $0.fraction != "0.0" && !$0.fraction.isEmpty }
        var h = ""
        for (measure, name) in [(Measure.fwer, "FWER"), (.fdr, "FDR")] {
            var series: [SVGChart.Series] = []
            for policy in policies(sub) {
                let points = sub.filter { $0.policy == policy }.compactMap { p -> SVGChart.Point? in
                    guard let e = p.v(measure), let power = p.v(.averagePower) else { return nil }
                    return SVGChart.Point(x: power.estimate, y: e.estimate, error: 2 * (e.mcse ?? 0))
                }
                var serie = SVGChart.Series(name: policy, points: points, style: all.firstIndex(of: policy) ?? 0)
                serie.pointsOnly = true
                if !points.isEmpty { series.append(serie) }
            }
            var chart = SVGChart(title: "\(name) against average power, per correction", xLabel: "average power E[S/m₁]",
                                 yLabel: measure == .fwer ? "family-wise error rate" : "false discovery rate", series: series)
            guard !chart.isEmpty else { continue }
            chart.referenceLines = [(c.alpha, "α = q = \(Num.sig(c.alpha))")]
            chart.width = 520
            chart.height = 380
            h += HTMLPage.figure(chart.render(), "\(name) (±2 MCSE bars) against average power, one point per family size m and correlation ρ, one treatment, families with an effect; each correction keeps its colour and marker; dashed: α. Up and to the right: more power bought with more errors.")
        }
        guard !h.isEmpty else { return "" }
        return "<h2>Error control against power</h2>\n<div class=\"grid\">\n" + h + "</div>\n"
    }

    /// Tidy rows: arms, metrics, correlation, effect_fraction, policy, measure, estimate, mcse, replications.
    public static func csv(_ c: MultipleTestingCalibration) -> String {
        var lines = ["arms,metrics,correlation,effect_fraction,policy,measure,estimate,mcse,replications"]
        for p in points(c) {
            for m in p.summary.measures {
                lines.append([String(p.arms), String(p.m), p.rho, p.fraction, p.policy, m.measure.rawValue, Num.csv(m.estimate), Num.csv(m.mcse),
                              String(m.replications)].map(Escape.csv).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ c: MultipleTestingCalibration) throws -> Data {
        try ResultFiles.encode(c)
    }
}
