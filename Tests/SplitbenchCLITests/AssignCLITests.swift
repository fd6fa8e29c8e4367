import Foundation
import Testing

/// `splitbench assign` end to end: argv → stdout/stderr and exit code.
@Suite struct AssignCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let example = root.appendingPathComponent("scenarios/examples/ruleset.json").path
    static let buggy = root.appendingPathComponent("Tests/AssignmentTests/Fixtures/seed001-buggy-ranges.json").path

    static func json(_ s: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any])
    }

    static func temporaryRuleset(_ content: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ruleset-\(UUID().uuidString).json")
        try content.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func unitPrintsEveryExperiment() throws {
        let r = try CLIRunner.run(["assign", "--ruleset", Self.example, "--unit", "user-42", "--attr", "country=SG",
                                   "--attr", "platform=ios", "--attr", "app_version=3.14", "--at", "2026-04-19T10:05:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        let out = try Self.json(r.stdout)
        let list = try #require(out["assignments"] as? [[String: Any]])
        #expect(list.map { $0["experiment"] as? String } == ["exp-checkout-progress-bar", "exp-checkout-one-page", "exp-pricing-anchor", "exp-new-onboarding", "exp-surge-pricing"])
        // The two checkout experiments share a layer: at most one has the unit.
        #expect(list.prefix(2).filter { $0["in_experiment"] as? Bool == true }.count <= 1)
        // Not a new user: the onboarding experiment is not targeted.
        #expect(list[3]["reason"] as? String == "not_targeted")
        // Switchback: 10:05 is in the 10-minute burn-in of the 10:00 window.
        let window = try #require(list[4]["window"] as? [String: Any])
        #expect(window["burn_in"] as? Bool == true && window["start"] as? String == "2026-04-19T10:00:00Z")
        #expect(out["at"] as? String == "2026-04-19T10:05:00Z")
        for a in list where a["in_experiment"] as? Bool == true {
            #expect(a["variant"] is String && a["config"] is [String: Any])
        }
        for a in list where a["in_experiment"] as? Bool == false {
            #expect(a["reason"] is String && a["detail"] is String)
        }
    }

    @Test func unitOutsideTargeting() throws {
        let r = try CLIRunner.run(["assign", "--ruleset", Self.example, "--unit", "user-42", "--attr", "country=US",
                                   "--at", "2026-04-19T12:00:00Z"])
        #expect(r.status == 0)
        let list = try #require(try Self.json(r.stdout)["assignments"] as? [[String: Any]])
        #expect(list[0]["reason"] as? String == "not_targeted")
        #expect(list[2]["reason"] as? String == "not_targeted")  // no platform / app_version
    }

    @Test func checkPassesOnTheExample() throws {
        let r = try CLIRunner.run(["assign", "--ruleset", Self.example, "--check", "--units", "20000"])
        #expect(r.status == 0, "\(r.stderr)")
        let out = try Self.json(r.stdout)
        #expect(out["passed"] as? Bool == true)
        #expect((out["experiments"] as? [Any])?.count == 5)
        #expect((out["pairs"] as? [Any])?.count == 10)
        #expect(r.stderr.contains("check passed"))
    }

    /// seeds/001's `allocation * 100` bug (control gets buckets 0–49 of 10 000) is caught by SRM.
    @Test func checkFlagsTheSeed001Bug() throws {
        let r = try CLIRunner.run(["assign", "--ruleset", Self.buggy, "--check", "--units", "20000"])
        #expect(r.status == 1)
        let out = try Self.json(r.stdout)
        #expect(out["passed"] as? Bool == false)
        let e = try #require((out["experiments"] as? [[String: Any]])?.first)
        let srm = try #require(e["srm"] as? [String: Any])
        let p = try #require(srm["p_value"] as? Double)
        #expect(p < 1e-10)
        #expect(e["srm_failed"] as? Bool == true)
        #expect(r.stderr.contains("SRM in 'exp-checkout-progress-bar'"))
    }

    @Test func benchPrintsEveryScheme() throws {
        let r = try CLIRunner.run(["assign", "--bench", "--units", "2000"])
        #expect(r.status == 0)
        for scheme in ["sha256", "growthbook_v1", "growthbook_v2", "statsig", "eppo", "optimizely"] {
            #expect(r.stdout.contains("\n\(scheme) "), "missing \(scheme)")
        }
        #expect(r.stdout.contains("\n10-operator targeting, mixed ") && r.stdout.contains("\n10-operator targeting, all pass ")
                && r.stdout.contains("\nno targeting "))
    }

    @Test func benchCanSelectOneScheme() throws {
        let r = try CLIRunner.run(["assign", "--bench", "--units", "1000", "--scheme", "optimizely"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("\noptimizely ") && !r.stdout.contains("\nsha256 "))
    }

    static let badRulesets: [(String, String, String)] = [
        ("weights sum to 0.9", #"{"experiments": [{"id": "e", "salt": "s", "variants": [{"name": "a", "weight": 0.5}, {"name": "b", "weight": 0.4}]}]}"#,
         "experiments[0].variants: variant weights of experiment 'e' sum to 0.9"),
        ("wrong type", #"{"experiments": [{"id": "e", "salt": "s", "allocation": "all", "variants": [{"name": "a", "weight": 1}]}]}"#,
         "experiments[0].allocation: expected a number, got string"),
        ("unknown hash", #"{"experiments": [{"id": "e", "salt": "s", "hash": "sha1", "variants": [{"name": "a", "weight": 1}]}]}"#,
         "experiments[0].hash: unknown hash scheme 'sha1'"),
        ("duplicate ids", #"{"experiments": [{"id": "e", "salt": "s", "variants": [{"name": "a", "weight": 1}]}, {"id": "e", "salt": "t", "variants": [{"name": "a", "weight": 1}]}]}"#,
         "experiments[1].id: duplicate experiment id 'e'"),
        ("over-allocated layer", #"{"layers": [{"id": "L", "salt": "l"}], "experiments": [{"id": "a", "salt": "s", "layer": {"id": "L", "range": [0, 0.7]}, "variants": [{"name": "x", "weight": 1}]}, {"id": "b", "salt": "t", "layer": {"id": "L", "range": [0.5, 1]}, "variants": [{"name": "x", "weight": 1}]}]}"#,
         "experiments[1].layer.range: layer 'L' is over-allocated"),
        ("not JSON", #"{"experiments": "#, "$: not valid JSON"),
    ]

    /// `--check` prints the ruleset's load warnings (here a GrowthBook bucket-range repair) to stderr.
    @Test func checkPrintsGrowthBookRepairs() throws {
        let url = try Self.temporaryRuleset(#"{"bucket_ranges": "growthbook", "experiments": [{"id": "e", "salt": "s", "variants": [{"name": "a", "weight": 0.5}, {"name": "b", "weight": 0.495}]}]}"#)
        defer { try? FileManager.default.removeItem(at: url) }
        let r = try CLIRunner.run(["assign", "--ruleset", url.path, "--check", "--units", "2000"])
        #expect(r.stderr.contains("warning: experiments[0].variants: experiment 'e': weights sum to"), "stderr: \(r.stderr)")
    }

    @Test(arguments: badRulesets.indices)
    func badRulesetExitsTwoWithPath(_ i: Int) throws {
        let (name, content, expected) = Self.badRulesets[i]
        let url = try Self.temporaryRuleset(content)
        defer { try? FileManager.default.removeItem(at: url) }
        for mode in [["--unit", "u1"], ["--check", "--units", "100"]] {
            let r = try CLIRunner.run(["assign", "--ruleset", url.path] + mode)
            #expect(r.status == 2, "\(name): status \(r.status)")
            #expect(r.stderr.contains(expected), "\(name): stderr was \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
    }

    @Test(arguments: [
        (["assign", "--ruleset", "/nonexistent/r.json", "--unit", "u"], "cannot read ruleset"),
        (["assign", "--ruleset", example, "--unit", "u", "--attr", "country"], "--attr 'country' is not key=value"),
        (["assign", "--ruleset", example, "--unit", "u", "--at", "tomorrow"], "--at 'tomorrow'"),
        (["assign", "--ruleset", example], "exactly one of --unit, --check, --bench"),
        (["assign", "--ruleset", example, "--unit", "u", "--check"], "exactly one of"),
        (["assign", "--unit", "u"], "--ruleset is required"),
        (["assign", "--bench", "--scheme", "crc32"], "unknown --scheme 'crc32'"),
    ])
    func badInvocationExitsTwo(_ args: [String], _ message: String) throws {
        let r = try CLIRunner.run(args)
        #expect(r.status == 2)
        #expect(r.stderr.contains(message), "stderr: \(r.stderr)")
    }
}

/// `splitbench ruleset check`: the bucket-range repairs GrowthBook applies are printed as
/// warnings, and an invalid ruleset is refused with its JSON path.
@Suite struct RulesetCheckCLITests {
    @Test func warnsAboutGrowthBookRepairsAndRefusesInvalidRulesets() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("splitbench-rscheck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let repaired = dir.appendingPathComponent("repaired.json")
        try #"{"schema": 1, "bucket_ranges": "growthbook", "experiments": [{"id": "e", "salt": "s", "allocation": 1.4, "variants": [{"name": "a", "weight": 0.5}, {"name": "b", "weight": 0.505}]}]}"#
            .write(to: repaired, atomically: true, encoding: .utf8)
        let ok = try CLIRunner.run(["ruleset", "check", repaired.path, "--units", "20000"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stderr.contains("warning: experiments[0].allocation: experiment 'e': coverage 1.4 is above 1; clamped to 1"))
        #expect(ok.stderr.contains("warning: experiments[0].variants: experiment 'e': weights sum to 1.005"))
        #expect(ok.stderr.contains("check passed: 1 experiments"))
        // The same ruleset under the default (strict) bucket-range rules is invalid.
        let strict = dir.appendingPathComponent("strict.json")
        try #"{"schema": 1, "experiments": [{"id": "e", "salt": "s", "variants": [{"name": "a", "weight": 0.5}, {"name": "b", "weight": 0.505}]}]}"#
            .write(to: strict, atomically: true, encoding: .utf8)
        let bad = try CLIRunner.run(["ruleset", "check", strict.path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("experiments[0].variants: variant weights of experiment 'e' sum to 1.005"), "\(bad.stderr)")
    }
}

/// `assign --unit ID --attributes JSON`: nested attributes reach GrowthBook conditions.
@Suite struct AssignNestedAttributesCLITests {
    @Test func nestedAttributesDecideTargeting() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("splitbench-nested-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("r.json")
        try #"{"schema": 1, "experiments": [{"id": "e", "salt": "s", "unit": "id", "targeting": {"app.version": {"$vgte": "3.1.0"}, "devices": {"$elemMatch": {"os": "ios"}}}, "variants": [{"name": "a", "weight": 0.5}, {"name": "b", "weight": 0.5}]}]}"#
            .write(to: file, atomically: true, encoding: .utf8)
        func reason(_ attributes: String) throws -> (Int32, String) {
            let r = try CLIRunner.run(["assign", "--ruleset", file.path, "--unit", "123", "--attributes", attributes, "--at", "2026-06-01T00:00:00Z"])
            return (r.status, r.stdout + r.stderr)
        }
        let (s1, in1) = try reason(#"{"app": {"version": "3.2.0"}, "devices": [{"os": "android"}, {"os": "ios"}]}"#)
        #expect(s1 == 0 && in1.contains(#""in_experiment" : true"#), "\(in1)")
        let (s2, out2) = try reason(#"{"app": {"version": "3.0.9"}, "devices": [{"os": "ios"}]}"#)
        #expect(s2 == 0 && out2.contains(#""reason" : "not_targeted""#), "\(out2)")
        let (s3, out3) = try reason(#"{"app": {"version": "3.2.0"}, "devices": [{"os": "android"}]}"#)
        #expect(s3 == 0 && out3.contains(#""reason" : "not_targeted""#), "\(out3)")
        let (s4, bad) = try reason("[1, 2]")
        #expect(s4 == 2 && bad.contains("--attributes: expected a JSON object"), "\(bad)")
    }
}
