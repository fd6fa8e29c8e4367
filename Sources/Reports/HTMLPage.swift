import Foundation
import Simulation

/// What a report shows beside a result but cannot find in it: the scenario's gate rules (their
/// targets and tolerance bands, drawn as reference lines) and each analysis's α. Handed in by
/// the caller from the scenario file; reports never derive it.
public struct ReportContext: Sendable {
    /// The scenario's gates, matched to a ``GateResult`` by their statement.
    public var gates: [GateSpec]
    /// Each analysis's significance level α, by analysis id.
    public var alphas: [String: Double]
    /// The planned power of a comparison (computed by the Simulation and Analysis modules, see
    /// `PlannedAnalysis.plannedPower`), by cell index and then by ``powerKey(analysis:comparison:)``;
    /// drawn beside the simulated power. Absent where no exact design-stage figure exists.
    public var plannedPower: [Int: [String: Double]]

    public init(gates: [GateSpec] = [], alphas: [String: Double] = [:], plannedPower: [Int: [String: Double]] = [:]) {
        self.gates = gates
        self.alphas = alphas
        self.plannedPower = plannedPower
    }

    /// The key of a comparison in ``plannedPower``.
    public static func powerKey(analysis: String, comparison: String) -> String { analysis + "\u{1F}" + comparison }

    /// No gate rules and no α: targets and nominal lines are then not drawn (never guessed).
    public static let none = ReportContext()

    func spec(of g: GateResult) -> GateSpec? {
        gates.first { $0.statement == g.statement }
    }

    /// The single α shared by the given analyses, or nil when they differ or are unknown.
    func commonAlpha(_ analyses: [String]) -> Double? {
        let values = Set(analyses.compactMap { alphas[$0] })
        return values.count == 1 && analyses.allSatisfy({ alphas[$0] != nil }) ? values.first : nil
    }
}

/// One row of a verdict table: a claim, its Monte Carlo estimate and MCSE, its target, the
/// verdict (computed by the gate or calibration code, never here) and what to draw.
public struct VerdictRow: Sendable {
    public var claim: String
    /// Where the claim was checked (cell, comparison), as text.
    public var scope: String
    public var estimate: Double?
    public var mcse: Double?
    /// The target as text, e.g. "≥ 0.95 (tolerance 0.015)".
    public var target: String
    public var passed: Bool
    /// The target value drawn as a solid line in the bar, and the band the estimate may fall
    /// in (value … value ± tolerance, or value ± k·MCSE), shaded.
    public var targetValue: Double?
    public var band: (lo: Double, hi: Double)?
    public var note: String
    /// The group the row belongs to (e.g. a calibration section): the table opens each run of
    /// rows of one group with a full-width heading row. Nil: no heading.
    public var group: String? = nil

    public init(claim: String, scope: String, estimate: Double?, mcse: Double?, target: String, passed: Bool,
                targetValue: Double? = nil, band: (lo: Double, hi: Double)? = nil, note: String = "") {
        self.claim = claim
        self.scope = scope
        self.estimate = estimate
        self.mcse = mcse
        self.target = target
        self.passed = passed
        self.targetValue = targetValue
        self.band = band
        self.note = note
    }

    /// The row of a gate result; the rule (if handed in) gives the target and its band:
    /// `≤ v (tolerance t)` → band [v, v + t]; `≥ v` → [v − t, v]; `= v within k·MCSE` →
    /// [v − k·MCSE, v + k·MCSE].
    public init(gate g: GateResult, spec: GateSpec?) {
        var scope = g.cell
        if !g.comparison.isEmpty { scope += ", " + g.comparison }
        var target = "see the rule"
        var value: Double?
        var band: (Double, Double)?
        if let spec {
            switch spec.rule {
            case let .atMost(v, t):
                target = "≤ \(Num.sig(v)) (tolerance \(Num.sig(t)); upper bound = estimate + \(Num.sig(spec.z))·MCSE)"
                value = v
                band = (v, v + t)
            case let .atLeast(v, t):
                target = "≥ \(Num.sig(v)) (tolerance \(Num.sig(t)); lower bound = estimate − \(Num.sig(spec.z))·MCSE)"
                value = v
                band = (v - t, v)
            case let .near(v, k):
                target = "= \(Num.sig(v)) within \(Num.sig(k))·MCSE"
                value = v
                if let m = g.mcse { band = (v - k * m, v + k * m) }
            }
        }
        self.init(claim: "\(g.measure.rawValue) of \(g.analysis)", scope: scope, estimate: g.estimate, mcse: g.mcse, target: target,
                  passed: g.passed, targetValue: value, band: band, note: g.message)
    }
}

/// The pieces every HTML report is built from, so all pages share one look and one set of
/// rules: verdict first, numbers with digits set by their MCSE, tables that scroll, charts that
/// scale, provenance collapsed at the end.
public enum HTMLPage {
    /// The style sheet: responsive (tables scroll inside `.scroll`, SVGs never exceed the
    /// column), numbers right-aligned and unwrapped, text left-aligned.
    static let css = """
    body{font-family:"DejaVu Sans",Verdana,sans-serif;max-width:1100px;margin:1.5em auto;padding:0 1em;color:#222;line-height:1.45}
    p,h1,h2,h3,li,figcaption,summary{overflow-wrap:anywhere}
    h1{font-size:1.6em;margin:.2em 0 .4em}h2{font-size:1.25em;margin-top:1.6em}h3{font-size:1.05em}
    .scroll{overflow-x:auto;max-width:100%;margin:.8em 0}
    table{border-collapse:collapse;font-size:13px}
    .scroll>table{width:max-content}
    td,th{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top;max-width:26em}
    th{background:#f4f4f4}
    td.n,th.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
    td.na{text-align:center;color:#666}
    .badge{display:inline-block;padding:1px 7px;border-radius:3px;font-weight:bold;font-size:12px;white-space:nowrap}
    .pass{background:#dff3e4;color:#0b5d1e;border:1px solid #0b5d1e}
    .fail{background:#fde2e1;color:#a40e26;border:1px solid #a40e26}
    svg{max-width:100%;height:auto;overflow:hidden}
    figure{margin:1em 0}figcaption{font-size:12px;color:#555}
    .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:8px}
    .foot{font-size:12px;color:#555}
    details{margin:2em 0 1em;font-size:13px}summary{cursor:pointer;font-weight:bold}
    table.verdict td{max-width:17em}
    th.group{background:#e8eef7;text-align:left}
    """

    /// The opening of a page, up to and including `<body>`.
    public static func head(title: String) -> String {
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
            + "<title>\(Escape.html(title))</title>\n<style>\(css)</style>\n</head><body>\n"
    }

    /// A pass/fail mark drawn with text and CSS (no emoji, which needs a font).
    public static func badge(_ passed: Bool, pass: String = "pass", fail: String = "FAIL") -> String {
        passed ? "<span class=\"badge pass\">\(pass)</span>" : "<span class=\"badge fail\">\(fail)</span>"
    }

    /// A table inside a horizontal scroll container.
    public static func table(header: [(String, numeric: Bool)], rows: [String], class cls: String? = nil) -> String {
        var h = "<div class=\"scroll\"><table\(cls.map { " class=\"\($0)\"" } ?? "")><thead><tr>"
        h += header.map { "<th\($0.numeric ? " class=\"n\"" : "")>\(Escape.html($0.0))</th>" }.joined()
        h += "</tr></thead><tbody>\n" + rows.joined(separator: "\n") + "\n</tbody></table></div>\n"
        return h
    }

    /// A numeric cell, with a tooltip naming the cell.
    static func num(_ text: String, tip: String) -> String {
        "<td class=\"n\" title=\"\(Escape.html(tip))\">\(Escape.html(text))</td>"
    }

    /// The footnote mark of an undefined cell.
    static let undefinedCell = "<td class=\"na\" title=\"not defined here (see the note under the table)\">—</td>"
    /// The footnote explaining "—".
    static let undefinedNote = "<p class=\"foot\">— : not defined for this row (for example coverage of a test that reports no interval, or a figure with no replication to average), so nothing is shown.</p>\n"

    /// The verdict table: claim, where, estimate, MCSE, target, verdict and a bar of
    /// estimate ± 2·MCSE against the target (line) and its band (shaded).
    public static func verdictTable(_ rows: [VerdictRow]) -> String {
        var lastGroup: String?
        let body = rows.map { r -> String in
            let tip = "\(r.claim) (\(r.scope))"
            var s = ""
            if let g = r.group, g != lastGroup { s += "<tr><th class=\"group\" colspan=\"7\">\(Escape.html(g))</th></tr>\n" }
            lastGroup = r.group
            s += "<tr><td>\(badge(r.passed))</td><td>\(Escape.html(r.claim))</td><td>\(Escape.html(r.scope))</td>"
            if let e = r.estimate {
                let (es, ms) = Num.pair(e, r.mcse)
                s += num(es, tip: "\(tip): Monte Carlo estimate")
                s += r.mcse != nil ? num(ms, tip: "\(tip): Monte Carlo standard error; the bar shows estimate ± 2 MCSE") : undefinedCell
            } else {
                s += undefinedCell + undefinedCell
            }
            s += "<td>\(Escape.html(r.target))</td><td>\(bar(r))</td></tr>"
            return s
        }
        var h = table(header: [("verdict", false), ("claim", false), ("where", false), ("estimate", true), ("MCSE", true), ("target", false), ("estimate ± 2 MCSE against the target", false)], rows: body, class: "verdict")
        if rows.contains(where: { $0.estimate == nil || $0.mcse == nil }) { h += undefinedNote }
        return h
    }

    /// A small horizontal bar: the interval estimate ± 2·MCSE, a dot at the estimate, the
    /// target as a solid line and its tolerance band shaded.
    static func bar(_ r: VerdictRow) -> String {
        guard let e = r.estimate else { return "" }
        let m = r.mcse ?? 0
        var values = [e - 2 * m, e + 2 * m]
        if let t = r.targetValue { values.append(t) }
        if let b = r.band { values += [b.lo, b.hi] }
        var lo = values.min() ?? e, hi = values.max() ?? e
        if hi - lo < 1e-12 { lo -= 0.5; hi += 0.5 }
        let pad = (hi - lo) * 0.1
        lo -= pad
        hi += pad
        let w = 180.0, h = 18.0
        func x(_ v: Double) -> String { String(format: "%.1f", (v - lo) / (hi - lo) * w) }
        let color = r.passed ? "#0b5d1e" : "#a40e26"
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"180\" height=\"18\" viewBox=\"0 0 180 18\" role=\"img\" aria-label=\"estimate plus or minus 2 MCSE against the target\">"
        s += "<title>\(Escape.html("\(r.claim) (\(r.scope)): estimate ± 2 MCSE (Monte Carlo standard errors)\(r.targetValue.map { ", target \(Num.sig($0))" } ?? "")"))</title>"
        s += "<line x1=\"0\" y1=\"\(h / 2)\" x2=\"\(w)\" y2=\"\(h / 2)\" stroke=\"#ddd\"/>"
        if let b = r.band {
            let x0 = (b.lo - lo) / (hi - lo) * w, x1 = (b.hi - lo) / (hi - lo) * w
            s += "<rect x=\"\(String(format: "%.1f", x0))\" y=\"2\" width=\"\(String(format: "%.1f", max(x1 - x0, 1)))\" height=\"14\" fill=\"#c9d7ee\"/>"
        }
        if let t = r.targetValue { s += "<line x1=\"\(x(t))\" y1=\"0\" x2=\"\(x(t))\" y2=\"18\" stroke=\"#333\" stroke-width=\"2\"/>" }
        s += "<line x1=\"\(x(e - 2 * m))\" y1=\"9\" x2=\"\(x(e + 2 * m))\" y2=\"9\" stroke=\"\(color)\" stroke-width=\"3\"/>"
        s += "<circle cx=\"\(x(e))\" cy=\"9\" r=\"4\" fill=\"\(color)\"/></svg>"
        return s
    }

    /// Provenance, collapsed, at the end of a page.
    public static func provenance(_ items: [(String, String)]) -> String {
        "<details><summary>Provenance</summary><ul>"
            + items.map { "<li><b>\(Escape.html($0.0))</b>: \(Escape.html($0.1))</li>" }.joined()
            + "</ul></details>\n"
    }

    /// A figure with its caption.
    static func figure(_ svg: String, _ caption: String) -> String {
        "<figure>\(svg)<figcaption>\(Escape.html(caption))</figcaption></figure>\n"
    }
}
