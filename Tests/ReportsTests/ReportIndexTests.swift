import Foundation
import Testing
@testable import Reports
import Simulation

/// The index page lists every scenario with the verdict its result.json states, the
/// calibrations with theirs, and links; the calibration pages open with their title and verdict.
@Suite struct ReportIndexTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func indexListsScenariosVerdictsAndLinks() throws {
        let failing = try Fixture.result(id: "fixture.failing")
        let passing = try Fixture.result(id: "fixture.<no-gates>", withGates: false)
        let html = ReportIndex.html(
            scenarios: [IndexScenario(result: failing, link: "gates/fixture.failing/report.html"),
                        IndexScenario(result: passing, link: "examples/x&y/report.html")],
            calibrations: [IndexCalibration(title: "Multiple-testing calibration", link: "calibration/multiple-testing.html", verdict: "3 of 4 hold", passed: false),
                           IndexCalibration(title: "Faults calibration", link: "calibration/faults.html", verdict: nil, passed: nil)])
        #expect(tagBalanceProblem(html) == nil, "\(tagBalanceProblem(html) ?? "")")
        #expect(html.contains("<h1>SplitBench results</h1>"))
        // One gate of the failing fixture failed: its verdict is the gate's, its count 1 / 2.
        #expect(html.contains("2 scenarios, 1 of 2 gate checks passed; failing: fixture.failing."))
        #expect(html.contains("<tr><td><span class=\"badge fail\">FAIL</span></td><td><a href=\"gates/fixture.failing/report.html\">fixture.failing</a></td>"))
        #expect(html.contains(">1 / 2</td>"))
        #expect(html.contains("<a href=\"examples/x&amp;y/report.html\">fixture.&lt;no-gates&gt;</a>"))
        #expect(html.contains("no gates"))
        #expect(html.contains("<span class=\"badge fail\">violated</span></td><td><a href=\"calibration/multiple-testing.html\">Multiple-testing calibration</a></td><td>3 of 4 hold</td>"))
        #expect(html.contains("<a href=\"calibration/faults.html\">Faults calibration</a></td><td>measured figures; read the page</td>"))
        #expect(html.contains("<details><summary>Provenance</summary><ul><li><b>git commit(s)</b>: abcdef123456</li>"))
        #expect(!hasEmoji(html))
    }

    /// The committed peeking calibration: title and policy verdicts come before any chart, one
    /// small-multiple panel per policy and metric, every policy keeps one colour in every chart.
    @Test func peekingPageOpensWithVerdictsAndUsesSmallMultiples() throws {
        let data = try Data(contentsOf: Self.root.appendingPathComponent("results/calibration/peeking.json"))
        let c = try ResultFiles.decode(PeekingCalibration.self, from: data)
        let html = PeekingReport.html(c)
        #expect(tagBalanceProblem(html) == nil, "\(tagBalanceProblem(html) ?? "")")
        let h1 = try #require(html.range(of: "<h1>Peeking calibration</h1>"))
        let table = try #require(html.range(of: "which policy holds α"))
        let svg = try #require(html.range(of: "<svg"))
        #expect(h1.upperBound <= table.lowerBound && table.upperBound <= svg.lowerBound)
        let pts = PeekingReport.points(c)
        var panels = 0
        for metric in ["b", "c"] { panels += PeekingReport.policies(pts.filter { $0.metric == metric }).count }
        func panelCount(after heading: String) -> Int {
            html.components(separatedBy: heading + "</h3>\n<div class=\"grid\">").dropFirst()
                .reduce(0) { $0 + ($1.components(separatedBy: "</div>").first ?? "").components(separatedBy: "<svg").count - 1 }
        }
        #expect(panelCount(after: "False-positive rate against the number of looks, one panel per policy") == panels)
        // Coverage against looks: one panel per metric and policy with a coverage under H1.
        var coverage = 0
        for metric in ["b", "c"] {
            coverage += PeekingReport.policies(pts.filter { $0.metric == metric }).filter { p in
                pts.contains { $0.metric == metric && $0.policy == p && $0.h1 && !$0.daily && $0.v(.coverage) != nil }
            }.count
        }
        #expect(coverage > 0)
        #expect(panelCount(after: "Coverage of the interval reported at the stop against the number of looks (H1), one panel per policy") == coverage)
        // The naive policy is drawn in the first palette colour everywhere it appears.
        let naive = try #require(PeekingReport.policies(pts).firstIndex(of: "naive"))
        #expect(html.contains("<title>naive, looks K (log scale) = ") && html.contains("fill=\"\(SVGChart.palette[naive])\"><title>naive,"))
        #expect(!hasEmoji(html))
        #expect(html.contains("<details><summary>Provenance</summary>"))
    }

    /// The committed multiple-testing calibration: guarantees first, and coinciding corrections
    /// (Bonferroni and Holm under the global null) drawn side by side, not on top of each other.
    @Test func multipleTestingPageShowsCoincidingSeries() throws {
        let data = try Data(contentsOf: Self.root.appendingPathComponent("results/calibration/multiple-testing.json"))
        let c = try ResultFiles.decode(MultipleTestingCalibration.self, from: data)
        let html = MultipleTestingReport.html(c)
        #expect(tagBalanceProblem(html) == nil, "\(tagBalanceProblem(html) ?? "")")
        let verdict = try #require(html.range(of: "published guarantees hold</h2>"))
        let svg = try #require(html.range(of: "<svg"))
        #expect(verdict.upperBound <= svg.lowerBound)
        #expect(!hasEmoji(html))
        // Every polyline of the first chart is distinct (dodged), even where the values coincide.
        let first = try #require(html.components(separatedBy: "<svg").dropFirst().first)
        let lines = first.components(separatedBy: "<polyline points=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        #expect(lines.count >= 2)
        #expect(Set(lines).count == lines.count)
    }
}
