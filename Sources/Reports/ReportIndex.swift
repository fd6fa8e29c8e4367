import Foundation
import Simulation

/// One scenario on the index page: its result (whose gate verdicts are shown as they are) and
/// the path of its report relative to the index.
public struct IndexScenario: Sendable {
    public var result: ScenarioResult
    public var link: String
    public init(result: ScenarioResult, link: String) {
        self.result = result
        self.link = link
    }
}

/// One calibration report on the index page, with the verdict its own file states (nil when
/// the calibration states none, e.g. a table of measured figures).
public struct IndexCalibration: Sendable {
    public var title: String
    public var link: String
    public var verdict: String?
    public var passed: Bool?
    public init(title: String, link: String, verdict: String?, passed: Bool?) {
        self.title = title
        self.link = link
        self.verdict = verdict
        self.passed = passed
    }
}

/// `results/index.html`: every scenario with its verdict, the calibrations, links and the
/// run's provenance. Renders what it is handed; counts are of the handed-in gate verdicts.
public enum ReportIndex {
    public static func html(scenarios: [IndexScenario], calibrations: [IndexCalibration]) -> String {
        var h = HTMLPage.head(title: "SplitBench results")
        h += "<h1>SplitBench results</h1>\n"
        let checks = scenarios.flatMap(\.result.gates)
        let failedScenarios = scenarios.filter { $0.result.gates.contains { !$0.passed } }
        h += "<p>Every scenario run into this directory, with the verdict of its gates (each gate is checked in every cell and comparison it selects; a scenario passes when all its checks pass), then the calibration studies. "
        h += "\(scenarios.count) scenarios, \(checks.filter(\.passed).count) of \(checks.count) gate checks passed"
        h += failedScenarios.isEmpty ? ".</p>\n" : "; failing: \(failedScenarios.map { Escape.html($0.result.scenario) }.joined(separator: ", ")).</p>\n"
        h += "<h2>Scenarios</h2>\n"
        let rows = scenarios.map { s -> String in
            let r = s.result
            let passed = r.gates.filter(\.passed).count
            let verdict = r.gates.isEmpty ? "<span class=\"badge\" style=\"border:1px solid #888\">no gates</span>" : HTMLPage.badge(passed == r.gates.count)
            return "<tr><td>\(verdict)</td><td><a href=\"\(Escape.html(s.link))\">\(Escape.html(r.scenario))</a></td>"
                + HTMLPage.num(r.gates.isEmpty ? "—" : "\(passed) / \(r.gates.count)", tip: "\(r.scenario): gate checks passed of all")
                + "<td>\(Escape.html(r.description))</td>"
                + HTMLPage.num(String(r.cells.count), tip: "\(r.scenario): cells") + HTMLPage.num(String(r.replications), tip: "\(r.scenario): replications per cell")
                + "<td>\(Escape.html(String(r.scenarioHash.prefix(12))))</td></tr>"
        }
        h += HTMLPage.table(header: [("verdict", false), ("scenario", false), ("checks passed", true), ("what it tests", false), ("cells", true), ("R per cell", true), ("scenario hash", false)], rows: rows)
        if !calibrations.isEmpty {
            h += "<h2>Calibrations</h2>\n"
            let crow = calibrations.map { c -> String in
                let mark = c.passed.map { HTMLPage.badge($0, pass: "holds", fail: "violated") } ?? "<span class=\"badge\" style=\"border:1px solid #888\">figures</span>"
                return "<tr><td>\(mark)</td><td><a href=\"\(Escape.html(c.link))\">\(Escape.html(c.title))</a></td><td>\(Escape.html(c.verdict ?? "measured figures; read the page"))</td></tr>"
            }
            h += HTMLPage.table(header: [("verdict", false), ("calibration", false), ("what it states", false)], rows: crow)
        }
        var prov: [(String, String)] = []
        let commits = Set(scenarios.compactMap { $0.result.run.gitCommit.map { String($0.prefix(12)) } }).sorted()
        prov.append(("git commit(s)", commits.isEmpty ? "unknown" : commits.joined(separator: ", ")))
        prov.append(("SplitBench", Set(scenarios.map(\.result.run.splitbenchVersion)).sorted().joined(separator: ", ")))
        prov.append(("Swift", Set(scenarios.map(\.result.run.swiftVersion)).sorted().joined(separator: ", ")))
        prov.append(("GSL", Set(scenarios.map(\.result.run.gslVersion)).sorted().joined(separator: ", ")))
        h += HTMLPage.provenance(prov)
        h += "</body></html>\n"
        return h
    }
}
