import Foundation
import Testing

/// A tiny scenario's full outputs against committed snapshots: `measures.csv` byte for byte,
/// and `report.md` / `result.json` with the run-dependent provenance (file path, git commit,
/// threads, timings) removed. Set `SPLITBENCH_RECORD_SNAPSHOTS=1` to re-record after an
/// intended change, and review the diff.
@Suite struct SnapshotTests {
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    static let scenario = """
    schema: 1
    id: snapshot.tiny
    description: A tiny A/B with two metrics, two cells and a gate, for the output snapshots.
    seed: 3
    replications: 25
    population: {units: 300, days: 7, segments: {platform: {web: 0.5, ios: 0.5}}}
    metrics:
      - {name: conversion, kind: binary, baseline: 0.3}
      - {name: revenue, kind: continuous, distribution: {gamma: {shape: 2, scale: 3}}, pre_period_correlation: 0.5}
    experiment:
      hash: sha256
      variants: {control: 0.5, treatment: 0.5}
    effects:
      treatment: {conversion: {relative: 0.1}, revenue: {absolute: 0.5}}
    analyses:
      - {id: z, metric: conversion, method: z_test}
      - {id: cuped, metric: revenue, method: cuped, policy: {group_sequential: {spending: obf}}}
      - {id: srm, method: srm}
    looks: {count: 3}
    sweep:
      population.units: [300, 600]
    gates:
      - {measure: coverage, analysis: z, at_least: 0.95, tolerance: 0.2}
    """

    func stripProvenance(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { line in !["**file**", "**git commit**", "**threads**", "**wall time**", "**started**", "**SplitBench**", "**GSL**", "**Swift**"].contains { line.contains($0) } }
            .joined(separator: "\n")
    }

    func resultWithoutRun(_ data: Data) throws -> String {
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object.removeValue(forKey: "run")
        object.removeValue(forKey: "file")
        let out = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: out, as: UTF8.self) + "\n"
    }

    @Test func tinyScenarioOutputsMatchSnapshots() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("splitbench-snap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tiny.yaml")
        try Self.scenario.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLIRunner.run(["run", file.path, "--out", dir.appendingPathComponent("out").path, "--quiet", "--threads", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        let folder = dir.appendingPathComponent("out/snapshot.tiny")
        let outputs: [(String, String)] = [
            ("tiny.measures.csv", try String(contentsOf: folder.appendingPathComponent("measures.csv"), encoding: .utf8)),
            ("tiny.report.md", stripProvenance(try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8))),
            ("tiny.result.json", try resultWithoutRun(Data(contentsOf: folder.appendingPathComponent("result.json")))),
        ]
        let record = ProcessInfo.processInfo.environment["SPLITBENCH_RECORD_SNAPSHOTS"] == "1"
        for (name, actual) in outputs {
            let url = Self.snapshots.appendingPathComponent(name)
            if record {
                try actual.write(to: url, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try String(contentsOf: url, encoding: .utf8)
            #expect(actual == expected, "\(name) differs from its snapshot; re-record with SPLITBENCH_RECORD_SNAPSHOTS=1 if intended")
        }
    }
}
