import Foundation
import Testing

/// `splitbench calibrate multiple-testing` end to end on a small family.
@Suite struct CalibrateMultipleTestingCLITests {
    static let scenario = """
    schema: 1
    id: calibration.mt-tiny
    seed: 4
    replications: 40
    population: {units: 200}
    experiment: {assignment: ideal, variants: {control: 0.5, treatment: 0.5}}
    family: {metrics: 3, correlation: 0, effect_fraction: 0, effect: 0.2, policies: [none, bonferroni, holm, hochberg, bh, by]}
    sweep:
      family.metrics: [2, 4]
      family.effect_fraction: [0, 0.5]
    """

    @Test func writesTheReportWithGuaranteeChecks() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("splitbench-mt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("mt.yaml")
        try Self.scenario.write(to: file, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let r = try CLIRunner.run(["calibrate", "multiple-testing", "--scenario", file.path, "--out", out.path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
                == ["multiple-testing.csv", "multiple-testing.html", "multiple-testing.json", "multiple-testing.md"])
        let md = try String(contentsOf: out.appendingPathComponent("multiple-testing.md"), encoding: .utf8)
        #expect(md.contains("| Bonferroni: FWER ≤ α under any dependence |"))
        #expect(md.contains("**FWER** (rows: policy and ρ; columns: m metrics)"))
        let csv = try String(contentsOf: out.appendingPathComponent("multiple-testing.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("arms,metrics,correlation,effect_fraction,policy,measure,estimate,mcse,replications\n"))
        #expect(csv.contains("2,4,,0.5,bh,fdr,"))  // correlation not swept: empty column
        // A scenario without a family is bad input for this command.
        let notFamily = try CLIRunner.run(["calibrate", "multiple-testing", "--scenario", "scenarios/examples/02-peeking.yaml", "--out", out.path],
                                          currentDirectory: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent())
        #expect(notFamily.status == 2)
        #expect(notFamily.stderr.contains("not a multiple-testing family scenario"))
    }
}
