import Foundation
import Testing

/// `splitbench replay` re-runs one replication alone and reproduces exactly what `run`
/// recorded for it (`run --records`), on either engine path; bad cells are named.
@Suite struct ReplayCLITests {
    static let scenario = """
    schema: 1
    id: replay.check
    seed: 5
    replications: 6
    population: {units: 400, days: 7, segments: {platform: {web: 0.5, ios: 0.5}}}
    metrics:
      - {name: conversion, kind: binary, baseline: 0.3}
      - {name: revenue, kind: continuous, distribution: {lognormal: {mu: 0, sigma: 1}}, pre_period_correlation: 0.5}
    experiment: {hash: sha256, variants: {control: 0.5, treatment: 0.5}}
    effects: {treatment: {conversion: {relative: 0.1}}}
    analyses:
      - {id: z, metric: conversion, method: z_test, policy: naive}
      - {id: c, metric: revenue, method: cuped}
      - {id: srm, method: srm}
    looks: {count: 3}
    sweep: {population.units: [400, 800]}
    """

    @Test func replayReproducesRecordedReplications() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("splitbench-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("s.yaml")
        try Self.scenario.write(to: file, atomically: true, encoding: .utf8)
        let run = try CLIRunner.run(["run", file.path, "--records", "--out", dir.path, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let records = try String(contentsOf: dir.appendingPathComponent("replay.check/records.csv"), encoding: .utf8)
        let lines = records.split(separator: "\n").map(String.init)
        #expect(lines.count == 1 + 2 * 6 * 3)
        for (cell, r, engine) in [("1", 4, "automatic"), ("population.units=400", 0, "staged"), ("0", 5, "automatic")] {
            let replay = try CLIRunner.run(["replay", file.path, "--cell", cell, "--replication", String(r), "--csv", "--engine", engine])
            #expect(replay.status == 0, "\(replay.stderr)")
            let rows = replay.stdout.split(separator: "\n").dropFirst().map(String.init)
            let index = cell == "1" ? "1" : "0"
            let recorded = lines.filter { $0.hasPrefix("replay.check,\(index),\(r),") }
            #expect(rows.count == 3)
            #expect(rows == recorded, "cell \(cell) replication \(r)")
        }
        let text = try CLIRunner.run(["replay", file.path, "--cell", "1", "--replication", "2"])
        #expect(text.stdout.contains("salt \"replay.check/5/"))
        #expect(text.stdout.contains("look 3"))
        let bad = try CLIRunner.run(["replay", file.path, "--cell", "population.units=999", "--replication", "0"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("has no cell") && bad.stderr.contains("population.units=400"))
    }
}
