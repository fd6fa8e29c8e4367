import Foundation
import Testing

/// `splitbench run / gate / validate / report` end to end: argv → stdout, exit code, files.
@Suite struct ScenarioCLITests {
    static let tiny = """
    schema: 1
    id: cli.tiny
    description: a tiny A/A for end-to-end tests
    seed: 11
    replications: 40
    population: {units: 400, days: 7}
    metrics:
      - {name: conversion, kind: binary, baseline: 0.3}
    experiment:
      hash: sha256
      assignment: ideal
      variants: {control: 0.5, treatment: 0.5}
    analyses:
      - {id: z, metric: conversion, method: z_test}
    gates:
      - {measure: rejection_rate, analysis: z, at_most: 0.05, tolerance: 0.5}
    """

    func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("splitbench-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    func write(_ text: String, _ name: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func runWritesAllFourFilesAndReportRerenders() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try write(Self.tiny, "tiny.yaml", in: dir)
        let out = dir.appendingPathComponent("out")
        let r = try CLIRunner.run(["run", file, "--out", out.path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("cli.tiny: 1 cell(s) × 40 replications"))
        let folder = out.appendingPathComponent("cli.tiny")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(files == ["measures.csv", "report.html", "report.md", "result.json"])
        let csv = try String(contentsOf: folder.appendingPathComponent("measures.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("scenario,cell,analysis,comparison,measure,estimate,mcse,replications,failed\n"))
        #expect(csv.contains("cli.tiny,0,z,treatment,rejection_rate,"))
        // Re-render from result.json into another folder: identical reports.
        let again = dir.appendingPathComponent("again")
        let rr = try CLIRunner.run(["report", folder.appendingPathComponent("result.json").path, "--out", again.path])
        #expect(rr.status == 0, "\(rr.stderr)")
        for name in ["measures.csv", "report.md", "report.html"] {
            #expect(try Data(contentsOf: folder.appendingPathComponent(name)) == Data(contentsOf: again.appendingPathComponent(name)), "\(name) differs")
        }
    }

    @Test func sameSeedSameBytesWhateverTheThreads() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try write(Self.tiny, "tiny.yaml", in: dir)
        var csvs: [Data] = []
        for t in ["1", "2", "3"] {
            let out = dir.appendingPathComponent("t\(t)")
            let r = try CLIRunner.run(["run", file, "--out", out.path, "--threads", t, "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
            csvs.append(try Data(contentsOf: out.appendingPathComponent("cli.tiny/measures.csv")))
        }
        #expect(csvs[0] == csvs[1] && csvs[1] == csvs[2])
    }

    @Test func gatePassesAndFailsWithExitCodesAndJUnit() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pass = try write(Self.tiny, "pass.yaml", in: dir)
        let junit = dir.appendingPathComponent("junit.xml")
        let summary = dir.appendingPathComponent("summary.md")
        let ok = try CLIRunner.run(["gate", pass, "--junit", junit.path, "--quiet"], environment: ["GITHUB_STEP_SUMMARY": summary.path])
        #expect(ok.status == 0, "\(ok.stdout) \(ok.stderr)")
        #expect(ok.stdout.contains("PASS cli.tiny: 1/1 gates passed"))
        let xml = try String(contentsOf: junit, encoding: .utf8)
        #expect(xml.contains("<testsuites name=\"splitbench gate\" tests=\"1\" failures=\"0\">"))
        #expect(try String(contentsOf: summary, encoding: .utf8).contains("SplitBench gates: 1 of 1 passed"))
        // An impossible gate fails with exit 1 and says why.
        let failing = Self.tiny.replacingOccurrences(of: "at_most: 0.05, tolerance: 0.5", with: "at_least: 0.9")
        let bad = try write(failing, "fail.yaml", in: dir)
        let r = try CLIRunner.run(["gate", bad, "--junit", junit.path, "--quiet"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("FAILED \(bad): rejection_rate of z ≥ 0.9"))
        #expect(try String(contentsOf: junit, encoding: .utf8).contains("<failure message="))
    }

    @Test func badScenarioExitsTwoNamesKeyPathAndWritesNothing() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = try write(Self.tiny, "a-good.yaml", in: dir)
        let badText = Self.tiny.replacingOccurrences(of: "baseline: 0.3", with: "baseline: 3")
        _ = try write(badText, "b-bad.yaml", in: dir)
        let out = dir.appendingPathComponent("out")
        // A directory with one good and one bad file: nothing runs, nothing is written.
        let r = try CLIRunner.run(["run", dir.path, "--out", out.path, "--quiet"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("b-bad.yaml: metrics[0].baseline: expected a number in (0.0, 1.0), got 3.0"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let v = try CLIRunner.run(["validate", good, dir.appendingPathComponent("b-bad.yaml").path])
        #expect(v.status == 2)
        #expect(v.stdout.contains("ok: \(good)"))
        let g = try CLIRunner.run(["gate", dir.appendingPathComponent("missing.yaml").path])
        #expect(g.status == 2)
        #expect(g.stderr.contains("no such file or directory"))
        let rep = try CLIRunner.run(["report", good])
        #expect(rep.status == 2)
        #expect(rep.stderr.contains("not a SplitBench result.json"))
    }
}
