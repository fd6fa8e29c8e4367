import Foundation
import Testing

/// `splitbench report --index DIR`: the index lists every scenario found under DIR with the
/// verdict its result.json holds, links to its report, and refuses a missing folder.
@Suite struct ReportIndexCLITests {
    static let scenario = """
    schema: 1
    id: cli.index-%@
    seed: 5
    replications: 40
    population: {units: 300, days: 7}
    metrics:
      - {name: conversion, kind: binary, baseline: 0.3}
    experiment:
      variants: {control: 0.5, treatment: 0.5}
    analyses:
      - {id: z, metric: conversion, method: z_test}
    gates:
      - {analysis: z, measure: rejection_rate, %@}
    """

    @Test func indexListsEachScenarioWithItsVerdict() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("splitbench-index-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // One scenario whose gate holds (A/A rejection rate at most 0.5) and one whose gate
        // cannot hold (at least 0.9).
        for (name, rule) in [("pass", "at_most: 0.5"), ("fail", "at_least: 0.9")] {
            let text = String(format: Self.scenario, name, rule)
            try text.write(to: dir.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
            let r = try CLIRunner.run(["run", "\(name).yaml", "--out", "out", "--quiet"], currentDirectory: dir)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let r = try CLIRunner.run(["report", "--index", "out"], currentDirectory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOf: dir.appendingPathComponent("out/index.html"), encoding: .utf8)
        for id in ["cli.index-pass", "cli.index-fail"] {
            #expect(html.contains(id), "\(id) missing from the index")
            #expect(html.contains("\(id)/report.html"), "no link to \(id)'s report")
        }
        // Each scenario's row: its badge and its count of gate checks passed, as result.json holds them.
        func row(_ id: String) -> String {
            let rows = html.components(separatedBy: "<tr>").filter { $0.contains(">\(id)</a>") }
            return rows.first.map { String($0.prefix { $0 != "\n" }) } ?? ""
        }
        #expect(row("cli.index-pass").contains(#"<span class="badge pass">pass</span>"#), "\(row("cli.index-pass"))")
        #expect(row("cli.index-pass").contains(">1 / 1<"))
        #expect(row("cli.index-fail").contains(#"<span class="badge fail">"#), "\(row("cli.index-fail"))")
        #expect(row("cli.index-fail").contains(">0 / 1<"))
        let missing = try CLIRunner.run(["report", "--index", "nowhere"], currentDirectory: dir)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("nowhere"))
    }

    /// The designs calibration's row counts the claims its JSON holds, as the calibration code
    /// judged them: the committed designs.json with one claim flipped to failed must show one
    /// claim fewer holding, name the section, and carry a fail badge.
    @Test func calibrationRowCountsStoredClaims() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("results/calibration/designs.json"))
        guard var json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              var sections = json["sections"] as? [[String: Any]], sections.count >= 2,
              var claims = sections[1]["claims"] as? [[String: Any]], !claims.isEmpty else {
            Issue.record("results/calibration/designs.json has no sections with claims")
            return
        }
        let total = sections.reduce(0) { $0 + (($1["claims"] as? [[String: Any]])?.count ?? 0) }
        let heldBefore = sections.reduce(0) { $0 + (($1["claims"] as? [[String: Any]])?.filter { $0["passed"] as? Bool == true }.count ?? 0) }
        #expect(heldBefore == total, "the committed designs calibration should hold every claim")
        claims[0]["passed"] = false
        sections[1]["claims"] = claims
        json["sections"] = sections
        let title = sections[1]["title"] as? String ?? "?"

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("splitbench-index-cal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("out/calibration"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try JSONSerialization.data(withJSONObject: json).write(to: dir.appendingPathComponent("out/calibration/designs.json"))
        let r = try CLIRunner.run(["report", "--index", "out"], currentDirectory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOf: dir.appendingPathComponent("out/index.html"), encoding: .utf8)
        let row = html.components(separatedBy: "<tr>").first { $0.contains("calibration/designs.html") } ?? ""
        #expect(row.contains("\(total - 1) of \(total) claims hold across \(sections.count) sections"), "\(row)")
        #expect(row.contains("failing in: \(title)"), "\(row)")
        #expect(row.contains(#"<span class="badge fail">"#), "\(row)")
    }
}
