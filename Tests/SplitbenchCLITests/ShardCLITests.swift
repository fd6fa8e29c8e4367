import Foundation
import Testing

/// `run|gate --shard i/n` and `merge` end to end, each shard in its own process: merged
/// results byte-identical to a single run, and every way a set of shards can be wrong.
@Suite struct ShardCLITests {
    /// Two cells of different cost (units 200 and 900), a sequential CUPED analysis with three
    /// looks, a Bayesian stop (an optional field in the outcomes) and an SRM check.
    static let scenario = """
    schema: 1
    id: cli.shards
    description: sharded runs merge into a single run
    seed: 5
    replications: 45
    population: {units: 300, days: 7}
    metrics:
      - {name: conversion, kind: binary, baseline: 0.3}
      - {name: revenue, kind: continuous, distribution: {lognormal: {mu: 1.0, sigma: 1.0}}, pre_period_correlation: 0.5}
    experiment:
      hash: sha256
      variants: {control: 0.5, treatment: 0.5}
    effects:
      treatment: {conversion: {absolute: 0.03}}
    analyses:
      - {id: z, metric: conversion, method: z_test}
      - {id: cuped, metric: revenue, method: cuped, policy: {group_sequential: {spending: obf}}}
      - {id: bayes, metric: conversion, method: z_test, policy: {bayes_stop: {threshold: 0.95}}}
      - {id: srm, method: srm}
    looks: {count: 3}
    sweep:
      population.units: [200, 900]
    gates:
      - {measure: rejection_rate, analysis: srm, at_most: 0.01, tolerance: 0.05}
    """

    /// A multiple-testing family (the records' family outcomes).
    static let family = """
    schema: 1
    id: cli.shards-family
    seed: 3
    replications: 30
    population: {units: 200}
    experiment:
      variants: {control: 0.5, treatment: 0.5}
    family: {metrics: 4, correlation: 0.3, effect_fraction: 0.5, effect: 0.3, policies: [none, bonferroni, bh]}
    """

    let dir: URL
    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("splitbench-shards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func write(_ text: String, _ name: String) throws -> String {
        try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        return name
    }

    func run(_ args: [String]) throws -> CLIResult { try CLIRunner.run(args, currentDirectory: dir) }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: dir.appendingPathComponent(path)) }

    /// result.json without its run block.
    func resultWithoutRun(_ path: String) throws -> NSDictionary {
        var object = try #require(try JSONSerialization.jsonObject(with: bytes(path)) as? [String: Any])
        #expect(object["run"] != nil)
        object.removeValue(forKey: "run")
        return object as NSDictionary
    }

    /// Runs `file` as n shards (separate processes), merges them, and checks the merge against
    /// the single run in `single/`.
    func checkShards(_ file: String, id: String, command: String, n: Int, extra: [String] = []) throws {
        let shardDir = "shards-\(n)"
        for i in 1...n {
            let r = try run([command, file, "--shard", "\(i)/\(n)", "--out", shardDir, "--quiet", "--threads", i % 2 == 0 ? "1" : "2"] + extra)
            #expect(r.status == 0, "shard \(i)/\(n): \(r.stderr)")
            #expect(r.stdout.contains("shard \(i)/\(n)"))
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("\(shardDir)/\(id)/shard-\(i)-of-\(n).jsonl").path))
        }
        // No results in a shard run.
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("\(shardDir)/\(id)/result.json").path))
        let merged = "merged-\(n)"
        // Shards listed in reverse order: the merge orders them by slice.
        let files = (1...n).reversed().map { "\(shardDir)/\(id)/shard-\($0)-of-\(n).jsonl" }
        let m = try run(["merge"] + files + ["--out", merged, "--records"])
        #expect(m.status == 0, "merge of \(n): \(m.stderr)")
        // records.csv holds the comparisons' outcomes (none in a family-only study).
        let hasRecords = FileManager.default.fileExists(atPath: dir.appendingPathComponent("single/\(id)/records.csv").path)
        #expect(hasRecords == FileManager.default.fileExists(atPath: dir.appendingPathComponent("\(merged)/\(id)/records.csv").path))
        for f in ["measures.csv", "report.md", "report.html"] + (hasRecords ? ["records.csv"] : []) {
            #expect(try bytes("single/\(id)/\(f)") == bytes("\(merged)/\(id)/\(f)"), "\(f) differs after merging \(n) shards")
        }
        #expect(try resultWithoutRun("single/\(id)/result.json") == resultWithoutRun("\(merged)/\(id)/result.json"))
        let run = try #require(try JSONSerialization.jsonObject(with: bytes("\(merged)/\(id)/result.json")) as? [String: Any])["run"] as? [String: Any]
        #expect((run?["hosts"] as? [String])?.count == n)
    }

    @Test func oneThreeAndSevenShardsMergeIntoTheSingleRun() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try write(Self.scenario, "shards.yaml")
        let single = try run(["gate", file, "--out", "single", "--quiet", "--records"])
        #expect(single.status == 0, "\(single.stderr)")
        // `gate --records` writes records.csv too.
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("single/cli.shards/records.csv").path))
        for n in [1, 3, 7] { try checkShards(file, id: "cli.shards", command: "gate", n: n) }
        // Slices are balanced by cost: the 900-unit cell's replications weigh ~4× the 200-unit
        // cell's, so the first of 3 shards takes all 45 cheap ones and a few expensive ones.
        let header = try String(decoding: bytes("shards-3/cli.shards/shard-1-of-3.jsonl"), as: UTF8.self).split(separator: "\n")[0]
        #expect(header.contains("\"ranges\":[{\"cell\":0,\"lower\":0,\"upper\":45},{\"cell\":1,\"lower\":0,\"upper\":"))
        // A merge of gate shards checks the gates like `gate`.
        let m = try run(["merge", "shards-3/cli.shards", "--out", "again", "--junit", "junit.xml"])
        #expect(m.status == 0, "\(m.stderr)")
        #expect(m.stdout.contains("PASS cli.shards: 2/2 gates passed"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("junit.xml").path))
    }

    @Test func familyShardsAndOverridesMerge() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try write(Self.family, "family.yaml")
        let overrides = ["--seed", "99", "--replications", "20"]
        let single = try run(["run", file, "--out", "single", "--quiet", "--records"] + overrides)
        #expect(single.status == 0, "\(single.stderr)")
        try checkShards(file, id: "cli.shards-family", command: "run", n: 3, extra: overrides)
        let csv = String(decoding: try bytes("merged-3/cli.shards-family/measures.csv"), as: UTF8.self)
        #expect(csv.contains(",fwer,") && csv.contains(",fdr,"))
    }

    @Test func calibrationShardsMergeIntoTheSameReport() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try write(Self.family.replacingOccurrences(of: "policies: [none, bonferroni, bh]",
                                                              with: "policies: [none, bonferroni, holm, hochberg, bh, by]"), "mt.yaml")
        let single = try run(["calibrate", "multiple-testing", "--scenario", file, "--out", "single", "--quiet"])
        #expect(single.status == 0, "\(single.stderr)")
        for i in 1...3 {
            let r = try run(["calibrate", "multiple-testing", "--scenario", file, "--out", "cal", "--shard", "\(i)/3", "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("cal/multiple-testing.csv").path), "a shard writes no report")
        }
        let merged = try run(["calibrate", "multiple-testing", "--scenario", file, "--out", "merged", "--merge", "cal/cli.shards-family"])
        #expect(merged.status == 0, "\(merged.stderr)")
        // The report is identical byte for byte: its Markdown and HTML name only what determines
        // the numbers (threads, hosts and timings stay in the JSON's run block).
        for name in ["multiple-testing.csv", "multiple-testing.md", "multiple-testing.html"] {
            #expect(try bytes("single/\(name)") == bytes("merged/\(name)"), "\(name)")
        }
        let missing = try run(["calibrate", "multiple-testing", "--scenario", file, "--out", "m", "--merge", "cal/cli.shards-family/shard-1-of-3.jsonl"])
        #expect(missing.status == 2 && missing.stderr.contains("missing"), "\(missing.stderr)")
    }

    @Test func progressOffATerminalIsALineAndCoversTheShard() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try write(Self.scenario, "shards.yaml")
        // Off a terminal, one line per interval (0 here: every block) with the rate and ETA.
        let r = try CLIRunner.run(["run", file, "--shard", "2/3", "--out", "s", "--threads", "1"],
                                  environment: ["SPLITBENCH_PROGRESS_SECONDS": "0"], currentDirectory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        // (A loaded machine can take over 2 s, which adds the one-off "estimated time" line.)
        let lines = r.stderr.split(separator: "\n").filter { !$0.contains(": estimated time ") }
        #expect(lines.count >= 2 && lines.allSatisfy { $0.hasPrefix("cli.shards 2/3: ") && $0.contains("/s, ETA ") }, "\(r.stderr)")
        // The total is the shard's replications, not the scenario's.
        let shardReplications = try #require(r.stdout.split(separator: ",").dropFirst().first.flatMap { Int($0.split(separator: " ")[0]) })
        #expect(lines.last?.contains("\(shardReplications)/\(shardReplications) replications") == true, "\(r.stdout) \(r.stderr)")
        #expect(!r.stderr.contains("\u{1B}"), "no terminal codes in a log")
        // The default interval (10 s) prints nothing for a short run; --quiet never does.
        let quiet = try CLIRunner.run(["run", file, "--out", "q", "--quiet"], environment: ["SPLITBENCH_PROGRESS_SECONDS": "0"], currentDirectory: dir)
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
        let started = Date()
        let short = try run(["run", file, "--out", "q"])
        // (Only when the run was indeed short: on a loaded machine it can outlast the 10 s.)
        let took = Date().timeIntervalSince(started)
        #expect(short.status == 0 && (short.stderr.isEmpty || took > 9), "\(short.stderr) (\(took) s)")
    }

    @Test func aRunLargerThanTheMachineIsRefusedBeforeItStarts() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        // 10^8 units × 22 columns × 8 bytes × 64 threads is far beyond any test machine.
        let file = try write(Self.scenario.replacingOccurrences(of: "population.units: [200, 900]", with: "population.units: [100000000]"), "huge.yaml")
        for args in [["run", file, "--out", "out"], ["run", file, "--shard", "1/2", "--out", "out"], ["gate", file]] {
            let r = try run(args + ["--threads", "64", "--quiet"])
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("huge.yaml: cell population.units=100000000 needs about") && r.stderr.contains("--force"), "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path), "nothing is written")
    }

    @Test func badShardSetsExitTwoNamingTheProblem() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try write(Self.scenario, "shards.yaml")
        for i in 1...3 {
            let r = try run(["run", file, "--shard", "\(i)/3", "--out", "s", "--quiet", "--replications", "10"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let s = (1...3).map { "s/cli.shards/shard-\($0)-of-3.jsonl" }
        func expectError(_ args: [String], _ fragments: [String], _ note: Comment) throws {
            let r = try run(["merge"] + args + ["--out", "m"])
            #expect(r.status == 2, note)
            for f in fragments { #expect(r.stderr.contains(f), "\(note): \(r.stderr)") }
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("m").path), "\(note): nothing is written")
        }
        try expectError([s[0], s[2]], ["slice 2 of 3 missing"], "missing slice")
        try expectError([s[0], s[1], s[1], s[2]], [s[1], "slice 2 of 3 given twice"], "doubled slice")
        // Another seed.
        let other = try run(["run", file, "--shard", "2/3", "--out", "seed", "--quiet", "--replications", "10", "--seed", "6"])
        #expect(other.status == 0)
        try expectError([s[0], "seed/cli.shards/shard-2-of-3.jsonl", s[2]], ["seed/cli.shards/shard-2-of-3.jsonl", "seed 6 differs from 5"], "mismatched seed")
        // Another replication count.
        _ = try run(["run", file, "--shard", "2/3", "--out", "reps", "--quiet", "--replications", "12"])
        try expectError([s[0], "reps/cli.shards/shard-2-of-3.jsonl", s[2]], ["reps/cli.shards/shard-2-of-3.jsonl", "replications 12 differs from 10"], "mismatched replications")
        // Another slice count.
        _ = try run(["run", file, "--shard", "2/4", "--out", "four", "--quiet", "--replications", "10"])
        try expectError([s[0], "four/cli.shards/shard-2-of-4.jsonl", s[2]], ["slice count 2/4 differs from 1/3"], "mismatched n")
        // The scenario file edited between shards: another hash.
        let edited = try write(Self.scenario + "\n# edited\n", "shards.yaml")
        _ = try run(["run", edited, "--shard", "3/3", "--out", "edited", "--quiet", "--replications", "10"])
        try expectError([s[0], s[1], "edited/cli.shards/shard-3-of-3.jsonl"], ["edited/cli.shards/shard-3-of-3.jsonl", "scenario hash"], "mismatched hash")
        // ... and the merge of the original shards now finds the file changed.
        try expectError(s, ["shards.yaml", "the file changed since the shards ran"], "scenario changed")
        _ = try write(Self.scenario, "shards.yaml")
        // An interrupted shard: its closing line is missing.
        let full = try String(decoding: bytes(s[1]), as: UTF8.self)
        var lines = full.split(separator: "\n")
        lines.removeLast()
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("cut.jsonl"), atomically: true, encoding: .utf8)
        try expectError([s[0], "cut.jsonl", s[2]], ["cut.jsonl", "without its closing"], "truncated shard")
        // Not a shard file at all.
        try expectError([s[0], file, s[2]], ["shards.yaml", "not a SplitBench shard file"], "not a shard")
        try expectError([s[0], "nowhere.jsonl"], ["nowhere.jsonl", "no such file"], "missing file")
        // A bad --shard.
        for bad in ["0/3", "4/3", "2", "a/b"] {
            let r = try run(["run", file, "--shard", bad, "--out", "x", "--quiet"])
            #expect(r.status == 2, "--shard \(bad)")
            #expect(r.stderr.contains("expected i/n with 1 ≤ i ≤ n"), "--shard \(bad): \(r.stderr)")
        }
        // The good set still merges.
        let ok = try run(["merge"] + s + ["--out", "m"])
        #expect(ok.status == 0, "\(ok.stderr)")
    }
}
