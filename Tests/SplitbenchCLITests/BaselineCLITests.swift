import Foundation
import Testing

/// `gate --baseline` and `diff` end to end: a clean re-run compares identical, a baseline whose
/// value moved is a regression (exit 1, naming the cell, the measure, both values and z), and
/// a baseline from another version of the scenario file is reported, not enforced.
@Suite struct BaselineCLITests {
    static let scenario = """
    schema: 1
    id: baseline.test
    seed: 5
    replications: 200
    population: {units: 400, days: 7}
    metrics:
      - {name: y, kind: continuous, distribution: {normal: {mean: 10, sd: 2}}}
    experiment:
      assignment: ideal
      variants: {control: 0.5, treatment: 0.5}
    analyses:
      - {id: w, metric: y, method: welch_t}
    measures: [rejection_rate, coverage, bias]
    gates:
      - {measure: bias, analysis: w, near: 0, within_mcse: 4}

    """

    func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("baseline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Self.scenario.write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    /// Rewrites the baseline's result.json with `edit` applied to its JSON object.
    func doctor(_ dir: URL, _ edit: (inout [String: Any]) throws -> Void) throws {
        let url = dir.appendingPathComponent("base/baseline.test/result.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        try edit(&json)
        try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]).write(to: url)
    }

    @Test func cleanMovedAndChanged() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = dir.appendingPathComponent("s.yaml").path, base = dir.appendingPathComponent("base").path
        let first = try CLIRunner.run(["gate", s, "--quiet", "--out", base])
        #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
        let clean = try CLIRunner.run(["gate", s, "--quiet", "--baseline", base])
        #expect(clean.status == 0 && clean.stdout.contains("identical"), "\(clean.stdout)")
        let d = try CLIRunner.run(["diff", base, base, "--format", "markdown"])
        #expect(d.status == 0 && d.stdout.contains("Identical"))

        // Move the baseline's bias by 10 of its MCSEs: inside the gate's window of the new run,
        // but a regression against the baseline.
        try doctor(dir) { json in
            var cells = try #require(json["cells"] as? [[String: Any]])
            var comparisons = try #require(cells[0]["comparisons"] as? [[String: Any]])
            var measures = try #require(comparisons[0]["measures"] as? [[String: Any]])
            let i = try #require(measures.firstIndex { $0["measure"] as? String == "bias" })
            let e = try #require(measures[i]["estimate"] as? Double), m = try #require(measures[i]["mcse"] as? Double)
            measures[i]["estimate"] = e + 10 * m
            comparisons[0]["measures"] = measures
            cells[0]["comparisons"] = comparisons
            json["cells"] = cells
        }
        let moved = try CLIRunner.run(["gate", s, "--quiet", "--baseline", base, "--junit", dir.appendingPathComponent("j.xml").path])
        #expect(moved.status == 1, "\(moved.stdout)")
        #expect(moved.stdout.contains("REGRESSION against the baseline: baseline.test, cell base, w/treatment bias"))
        #expect(moved.stdout.contains("gates: 1 passed, 0 failed"))
        let junit = try String(contentsOf: dir.appendingPathComponent("j.xml"), encoding: .utf8)
        #expect(junit.contains("<testsuite name=\"baseline\" tests=\"3\" failures=\"1\">"))

        // Another version of the scenario file: reported, not enforced.
        try doctor(dir) { json in json["scenarioHash"] = "0000" }
        let changed = try CLIRunner.run(["gate", s, "--quiet", "--baseline", base])
        #expect(changed.status == 0, "\(changed.stdout)")
        #expect(changed.stdout.contains("NOT ENFORCED baseline.test: the scenario file changed"))
        #expect(try CLIRunner.run(["gate", s, "--quiet", "--baseline", dir.appendingPathComponent("nothing").path]).status == 2)
    }
}
