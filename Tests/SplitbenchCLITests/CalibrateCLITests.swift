import Foundation
import Testing

/// `splitbench calibrate peeking` end to end on a small calibration family.
@Suite struct CalibrateCLITests {
    static let scenario = """
    schema: 1
    id: calibration.tiny
    description: a tiny peeking family
    seed: 2
    replications: 30
    population: {units: 400, days: 28}
    metrics:
      - {name: conversion, kind: binary, baseline: 0.3}
      - {name: value, kind: continuous, distribution: {normal: {mean: 0, sd: 1}}}
    experiment: {hash: sha256, assignment: ideal, variants: {control: 0.5, treatment: 0.5}}
    effects: {}
    looks: {count: 5}
    analyses:
      - {id: b.naive, metric: conversion, method: z_test, policy: naive}
      - {id: b.obf, metric: conversion, method: z_test, policy: {group_sequential: {spending: obf}}}
      - {id: c.naive, metric: value, method: welch_t, policy: naive}
    measures: [rejection_rate, coverage, mean_sample_size]
    sweep:
      looks: [{count: 1}, {count: 5}, {every_days: 1}]
      effects: [{}, {treatment: {value: {absolute: 0.2}}}]
    """

    @Test func writesTheFourFilesAndReRendersFromJSON() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("splitbench-cal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("peeking.yaml")
        try Self.scenario.write(to: file, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let r = try CLIRunner.run(["calibrate", "peeking", "--scenario", file.path, "--out", out.path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(names == ["peeking.csv", "peeking.html", "peeking.json", "peeking.md"])
        let md = try String(contentsOf: out.appendingPathComponent("peeking.md"), encoding: .utf8)
        #expect(md.contains("## 1. Naive peeking against the exact repeated-significance probability"))
        // The exact value at K = 5 comes from the Analysis module's recursive integration.
        #expect(md.contains("| 5 | 0.1417 |"))
        #expect(md.contains("| 28 | 0.2747 |"))
        #expect(md.contains("**obf** (group sequential"))
        #expect(r.stdout.contains("binary naive K=5: FPR"))
        // Re-render from the JSON: identical Markdown.
        let again = dir.appendingPathComponent("again")
        let rr = try CLIRunner.run(["calibrate", "peeking", "--from", out.appendingPathComponent("peeking.json").path, "--out", again.path])
        #expect(rr.status == 0, "\(rr.stderr)")
        #expect(try String(contentsOf: again.appendingPathComponent("peeking.md"), encoding: .utf8) == md)
        let bad = try CLIRunner.run(["calibrate", "peeking", "--from", file.path, "--out", again.path])
        #expect(bad.status == 2)
    }

    /// α comes from the scenario: at α = 0.10 the exact naive value at K = 5 is 0.2596
    /// (scipy: 1 − multivariate_normal(cov = √(min(i,j)/max(i,j))).cdf(±z₀.₉₅) = 0.25963; at
    /// α = 0.05 it is 0.1417), K = 1 gives α itself, and analyses with different α values are
    /// refused.
    @Test func alphaComesFromTheScenario() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("splitbench-cal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let tenPercent = Self.scenario.replacingOccurrences(of: "policy: naive}", with: "policy: naive, alpha: 0.1}")
            .replacingOccurrences(of: "{spending: obf}}}", with: "{spending: obf}}, alpha: 0.1}")
        let file = dir.appendingPathComponent("p.yaml")
        try tenPercent.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLIRunner.run(["calibrate", "peeking", "--scenario", file.path, "--out", dir.appendingPathComponent("out").path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let md = try String(contentsOf: dir.appendingPathComponent("out/peeking.md"), encoding: .utf8)
        #expect(md.contains("α = 0.1"))
        #expect(md.contains("| 5 | 0.2596 |"))
        #expect(md.contains("| 1 | 0.1000 |"))
        #expect(r.stderr.contains("no rpact comparison"))
        let mixed = Self.scenario.replacingOccurrences(of: "{id: c.naive, metric: value, method: welch_t, policy: naive}",
                                                       with: "{id: c.naive, metric: value, method: welch_t, policy: naive, alpha: 0.1}")
        try mixed.write(to: file, atomically: true, encoding: .utf8)
        let bad = try CLIRunner.run(["calibrate", "peeking", "--scenario", file.path, "--out", dir.appendingPathComponent("bad").path, "--quiet"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("one α shared by every analysis"))
    }
}
