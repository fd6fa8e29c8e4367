import Foundation
import Testing
@testable import Assignment

@Suite struct EvaluatorTests {
    static let units = (0..<20_000).map { "user-\($0)" }

    static func simple(allocation: Double, hash: HashScheme = .sha256, weights: [Double] = [0.5, 0.5], extra: String = "") -> String {
        let variants = weights.enumerated().map { #"{"name": "v\#($0)", "weight": \#($1)}"# }.joined(separator: ", ")
        return #"{"experiments": [{"id": "e", "salt": "salt-e", "hash": "\#(hash.rawValue)", "allocation": \#(allocation), "variants": [\#(variants)]\#(extra)}]}"#
    }

    @Test(arguments: HashScheme.allCases)
    func sameInputSameAssignment(_ scheme: HashScheme) throws {
        let r = try TestSupport.ruleset(Self.simple(allocation: 0.7, hash: scheme))
        let a = Evaluator(ruleset: r), b = Evaluator(ruleset: try TestSupport.ruleset(Self.simple(allocation: 0.7, hash: scheme)))
        for u in Self.units.prefix(2_000) {
            let x = a.evaluate(["user_id": .string(u)], at: TestSupport.now)
            #expect(x == a.evaluate(["user_id": .string(u)], at: TestSupport.now))
            #expect(x == b.evaluate(["user_id": .string(u)], at: TestSupport.now.addingTimeInterval(86_400)))
        }
    }

    /// Lowering the allocation never moves a unit between variants: it only takes units out.
    @Test(arguments: HashScheme.allCases)
    func loweringAllocationNeverMovesAUnit(_ scheme: HashScheme) throws {
        let allocations = [1.0, 0.9, 0.5, 0.33, 0.1, 0.0]
        let evaluators = try allocations.map { Evaluator(ruleset: try TestSupport.ruleset(Self.simple(allocation: $0, hash: scheme, weights: [0.2, 0.3, 0.5]))) }
        var moved = 0, enrolledAtHigh = 0, keptAtLow = 0
        for u in Self.units.prefix(5_000) {
            let vs = evaluators.map { $0.evaluate(experiment: "e", ["user_id": .string(u)], at: TestSupport.now)?.variant }
            for (hi, lo) in zip(vs, vs.dropFirst()) {
                if hi != nil { enrolledAtHigh += 1 }
                if let l = lo {
                    keptAtLow += 1
                    if l != hi { moved += 1 }
                }
            }
            #expect(vs[0] != nil)      // allocation 1 enrolls everyone
            #expect(vs.last == .some(nil))   // allocation 0 enrolls no one
        }
        #expect(moved == 0)
        #expect(keptAtLow > 0 && keptAtLow < enrolledAtHigh)
    }

    @Test func splitMatchesWeights() throws {
        let e = Evaluator(ruleset: try TestSupport.ruleset(Self.simple(allocation: 0.5, weights: [0.25, 0.75])))
        var counts = [String: Int]()
        for u in Self.units { counts[e.evaluate(experiment: "e", ["user_id": .string(u)], at: TestSupport.now)?.variant ?? "out", default: 0] += 1 }
        // 20 000 units: expected out 10 000, v0 2 500, v1 7 500; allow 4.5 standard deviations.
        #expect(abs(Double(counts["out", default: 0]) - 10_000) < 4.5 * 70.7)
        #expect(abs(Double(counts["v0", default: 0]) - 2_500) < 4.5 * 48.4)
        #expect(abs(Double(counts["v1", default: 0]) - 7_500) < 4.5 * 75.0)
    }

    static let layered = """
    {"layers": [{"id": "L", "salt": "layer-L"}],
     "holdouts": [{"id": "H", "salt": "hold-H", "fraction": 0.1, "all_experiments": true}],
     "experiments": [
       {"id": "a", "salt": "sa", "layer": {"id": "L", "range": [0, 0.3]}, "variants": [{"name": "x", "weight": 0.5}, {"name": "y", "weight": 0.5}]},
       {"id": "b", "salt": "sb", "layer": {"id": "L", "range": [0.3, 0.7]}, "variants": [{"name": "x", "weight": 1}]},
       {"id": "c", "salt": "sc", "layer": {"id": "L", "range": [0.7, 0.9]}, "variants": [{"name": "x", "weight": 0.5}, {"name": "y", "weight": 0.5}]},
       {"id": "free", "salt": "sf", "variants": [{"name": "x", "weight": 0.5}, {"name": "y", "weight": 0.5}]}
     ]}
    """

    @Test func noUnitInTwoExperimentsOfALayer() throws {
        let e = Evaluator(ruleset: try TestSupport.ruleset(Self.layered))
        var perExperiment = [String: Int]()
        var takenByOwner = 0, unowned = 0
        for u in Self.units {
            let all = e.evaluate(["user_id": .string(u)], at: TestSupport.now)
            let inLayer = all.filter { $0.experiment != "free" && $0.variant != nil }
            #expect(inLayer.count <= 1, "unit \(u) is in \(inLayer.map(\.experiment))")
            for a in all where a.variant != nil { perExperiment[a.experiment, default: 0] += 1 }
            for a in all {
                if case .layerTaken(let owner)? = a.reason { if owner != nil { takenByOwner += 1 } else { unowned += 1 } }
            }
        }
        // Shares: 0.9 (not held out) × layer range width.
        #expect(abs(Double(perExperiment["a", default: 0]) / 20_000 - 0.27) < 0.015)
        #expect(abs(Double(perExperiment["b", default: 0]) / 20_000 - 0.36) < 0.015)
        #expect(abs(Double(perExperiment["c", default: 0]) / 20_000 - 0.18) < 0.015)
        #expect(abs(Double(perExperiment["free", default: 0]) / 20_000 - 0.90) < 0.015)
        #expect(takenByOwner > 0 && unowned > 0)  // [0.9, 1) of the layer is unowned
    }

    @Test func holdoutUnitsAreNeverEnrolled() throws {
        let r = try TestSupport.ruleset(Self.layered)
        let e = Evaluator(ruleset: r)
        let holdout = try #require(r.holdout("H"))
        var held = 0
        for u in Self.units {
            let all = e.evaluate(["user_id": .string(u)], at: TestSupport.now)
            if holdout.holds(u) {
                held += 1
                for a in all {
                    #expect(a.variant == nil)
                    #expect(a.reason == .inHoldout("H"))
                }
            } else {
                #expect(!all.contains { $0.reason == .inHoldout("H") })
            }
        }
        #expect(abs(Double(held) / 20_000 - 0.1) < 0.01)
    }

    @Test func holdoutAppliesOnlyToListedExperiments() throws {
        let r = try TestSupport.ruleset("""
        {"holdouts": [{"id": "H", "salt": "h", "fraction": 0.5}],
         "experiments": [
           {"id": "listed", "salt": "s1", "holdouts": ["H"], "variants": [{"name": "x", "weight": 1}]},
           {"id": "other", "salt": "s2", "variants": [{"name": "x", "weight": 1}]}]}
        """)
        let e = Evaluator(ruleset: r)
        let holdout = try #require(r.holdout("H"))
        let heldUnit = try #require(Self.units.first { holdout.holds($0) })
        let all = e.evaluate(["user_id": .string(heldUnit)], at: TestSupport.now)
        #expect(all[0].reason == .inHoldout("H"))
        #expect(all[1].variant == "x")
    }

    /// Seed 002: enrollment stops at the cap, even with many tasks enrolling at once, and an
    /// enrolled unit keeps its variant.
    @Test func capIsNeverExceededUnderConcurrentEnrollment() async throws {
        let r = try TestSupport.ruleset(Self.simple(allocation: 1, extra: #", "max_sample_size": 250"#))
        let evaluator = Evaluator(ruleset: r)
        let results = await withTaskGroup(of: [Assignment].self) { group in
            for worker in 0..<8 {
                group.addTask {
                    // Every worker tries the same 400 units (in a different order) plus 100 of its own.
                    let shared = (0..<400).map { "user-\(($0 * 7 + worker * 53) % 400)" }
                    let own = (0..<100).map { "w\(worker)-\($0)" }
                    return (shared + own).map { evaluator.evaluate(experiment: "e", ["user_id": .string($0)], at: TestSupport.now)! }
                }
            }
            var all: [Assignment] = []
            for await part in group { all += part }
            return all
        }
        #expect(evaluator.ledger.count(experiment: "e") == 250)
        let enrolledUnits = Set(results.filter { $0.variant != nil }.compactMap(\.unit))
        #expect(enrolledUnits.count == 250)
        #expect(results.filter { $0.reason == .sampleCapReached }.count == results.count - results.filter { $0.variant != nil }.count)
        // Each enrolled unit got one variant, every time it was evaluated.
        var variantOf = [String: String]()
        for a in results {
            guard let v = a.variant, let u = a.unit else { continue }
            if let earlier = variantOf[u] { #expect(earlier == v) } else { variantOf[u] = v }
        }
        // After the cap, a new unit is refused and an enrolled one still gets its variant.
        let newcomer = evaluator.evaluate(experiment: "e", ["user_id": "never-seen"], at: TestSupport.now)
        #expect(newcomer?.reason == .sampleCapReached)
        let (someUnit, itsVariant) = try #require(variantOf.first)
        #expect(evaluator.evaluate(experiment: "e", ["user_id": .string(someUnit)], at: TestSupport.now)?.variant == itsVariant)
    }

    @Test func ledgerKeepsTheFirstVariant() {
        let ledger = EnrollmentLedger()
        #expect(ledger.enroll(experiment: "e", unit: "u", variant: 1, cap: 2) == .enrolled(variant: 1))
        #expect(ledger.enroll(experiment: "e", unit: "u", variant: 0, cap: 2) == .alreadyEnrolled(variant: 1))
        #expect(ledger.enroll(experiment: "e", unit: "v", variant: 0, cap: 2) == .enrolled(variant: 0))
        #expect(ledger.enroll(experiment: "e", unit: "w", variant: 0, cap: 2) == .capReached)
        #expect(ledger.enroll(experiment: "f", unit: "w", variant: 0, cap: 1) == .enrolled(variant: 0))
        #expect(ledger.count(experiment: "e") == 2)
    }

    @Test func reasons() throws {
        // Strict conditions: seed 001's {"country": [...]} membership shorthand and "30" as a number.
        let r = try TestSupport.ruleset("""
        {"conditions": "strict", "experiments": [
          {"id": "paused", "salt": "s", "status": "paused", "variants": [{"name": "x", "weight": 1}]},
          {"id": "window", "salt": "s", "start": "2026-06-01T00:00:00Z", "end": "2026-07-01T00:00:00Z", "variants": [{"name": "x", "weight": 1}]},
          {"id": "sg", "salt": "s", "targeting": {"country": ["SG", "MY"], "age": {"$gte": 18}}, "variants": [{"name": "x", "weight": 1}]},
          {"id": "device", "salt": "s", "unit": "device_id", "variants": [{"name": "x", "weight": 1}]},
          {"id": "none", "salt": "s", "allocation": 0, "variants": [{"name": "x", "weight": 1}]}
        ]}
        """)
        let e = Evaluator(ruleset: r)
        let june = try #require(parseISO8601("2026-06-15T12:00:00Z"))
        let july = try #require(parseISO8601("2026-07-01T00:00:00Z"))
        let attrs: Attributes = ["user_id": "u1", "country": "SG", "age": "30"]
        let a = e.evaluate(attrs, at: june)
        #expect(a[0].reason?.code == "inactive")
        #expect(a[1].variant == "x")
        #expect(e.evaluate(experiment: "window", attrs, at: july)?.reason?.code == "inactive")  // end is exclusive
        #expect(a[2].variant == "x")
        #expect(e.evaluate(experiment: "sg", ["user_id": "u1", "country": "TH", "age": 30], at: june)?.reason == .notTargeted)
        #expect(e.evaluate(experiment: "sg", ["user_id": "u1", "country": "SG", "age": 17], at: june)?.reason == .notTargeted)
        #expect(e.evaluate(experiment: "sg", ["user_id": "u1", "country": "SG"], at: june)?.reason == .notTargeted)
        #expect(a[3].reason == .missingUnit(attribute: "device_id"))
        #expect(a[4].reason == .outsideAllocation)
        #expect(e.evaluate(experiment: "nope", attrs, at: june) == nil)
    }

    @Test func switchbackAssignsRegionWindowPairsAndFlagsBurnIn() throws {
        let r = try TestSupport.ruleset("""
        {"experiments": [{"id": "surge", "salt": "surge-v3", "unit": "region",
          "switchback": {"window_minutes": 60, "burn_in_minutes": 10, "origin": "2026-01-01T00:00:00Z"},
          "variants": [{"name": "control", "weight": 0.5}, {"name": "treatment", "weight": 0.5}]}]}
        """)
        let e = Evaluator(ruleset: r)
        let origin = try #require(parseISO8601("2026-01-01T00:00:00Z"))
        var perWindow: [String] = []
        for hour in 0..<48 {
            let start = origin.addingTimeInterval(Double(hour) * 3_600)
            let early = try #require(e.evaluate(experiment: "surge", ["region": "SG"], at: start.addingTimeInterval(5 * 60)))
            let late = try #require(e.evaluate(experiment: "surge", ["region": "SG"], at: start.addingTimeInterval(59 * 60)))
            #expect(early.variant != nil && early.variant == late.variant)  // one variant per (region, window)
            #expect(early.window?.index == Int64(hour) && early.window?.burnIn == true)
            #expect(late.window?.burnIn == false)
            #expect(early.window?.start == start)
            perWindow.append(early.variant ?? "")
        }
        // Both arms occur over 48 windows (probability of one arm only: 2 × 2⁻⁴⁸).
        #expect(Set(perWindow) == ["control", "treatment"])
        // Before the origin, windows have negative indices.
        #expect(e.evaluate(experiment: "surge", ["region": "SG"], at: origin.addingTimeInterval(-1))?.window?.index == -1)
    }

    @Test func exposureIsLoggedWhenServedNotWhenAssigned() throws {
        let r = try TestSupport.ruleset("""
        {"experiments": [{"id": "e", "salt": "s", "allocation": 0.5, "variants": [{"name": "a", "weight": 0.5}, {"name": "b", "weight": 0.5}]}]}
        """)
        let e = Evaluator(ruleset: r)
        let sink = InMemoryExposureSink()
        var served = 0
        for u in Self.units.prefix(200) {
            _ = e.evaluate(["user_id": .string(u), "client": "web"], at: TestSupport.now)  // assignment only
            let a = try #require(try e.serve(experiment: "e", ["user_id": .string(u), "client": "web"], at: TestSupport.now, to: sink))
            if a.variant != nil { served += 1 }
        }
        #expect(served > 50 && served < 150)
        #expect(sink.events.count == served)  // out-of-experiment units are not exposed, evaluate() logs nothing
        let first = try #require(sink.events.first)
        #expect(first.experiment == "e" && first.timestamp == TestSupport.now && first.attributes["client"] == "web")
        #expect(["a", "b"].contains(first.variant))
    }

    @Test func jsonLinesSinkWritesOneEventPerLine() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("exposures-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        let sink = try JSONLinesExposureSink(url: url)
        let t = try #require(parseISO8601("2026-04-19T10:22:00Z"))
        try sink.record(ExposureEvent(unit: "user-abc123", experiment: "exp-1", variant: "treatment", timestamp: t,
                                      attributes: ["client": "web", "app_version": "3.12.1"]))
        try sink.record(ExposureEvent(unit: "SG", experiment: "surge", variant: "control", timestamp: t, attributes: [:], burnIn: true))
        try sink.close()
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0] == #"{"attributes":{"app_version":"3.12.1","client":"web"},"experiment":"exp-1","timestamp":"2026-04-19T10:22:00.000Z","unit":"user-abc123","variant":"treatment"}"#)
        #expect(lines[1].contains(#""burn_in":true"#))
        // Appends rather than truncates.
        let again = try JSONLinesExposureSink(url: url)
        try again.record(ExposureEvent(unit: "u", experiment: "e", variant: "v", timestamp: t, attributes: [:]))
        try again.close()
        #expect(try String(contentsOf: url, encoding: .utf8).split(separator: "\n").count == 3)
    }
}

@Suite struct ConditionTests {
    static func parse(_ json: String) throws -> Condition {
        var problems: [RulesetProblem] = []
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        let c = Condition.parse(value, path: "targeting", problems: &problems)
        #expect(problems.isEmpty, "\(problems)")
        return try #require(c)
    }

    @Test(arguments: [
        (#"{"country": "SG"}"#, ["country": "SG"] as Attributes, true),
        (#"{"country": "SG"}"#, ["country": "MY"], false),
        (#"{"country": "SG"}"#, [:], false),
        (#"{"country": ["SG", "MY"]}"#, ["country": "MY"], true),
        (#"{"country": {"$nin": ["SG", "MY"]}}"#, ["country": "MY"], false),
        (#"{"country": {"$nin": ["SG", "MY"]}}"#, [:], true),
        (#"{"country": {"$ne": "SG"}}"#, [:], true),
        (#"{"age": {"$gt": 30, "$lt": 60}}"#, ["age": 50], true),
        (#"{"age": {"$gt": 30, "$lt": 60}}"#, ["age": 60], false),
        (#"{"age": {"$gte": 30, "$lte": 60}}"#, ["age": "30"], true),
        (#"{"age": {"$gt": 30}}"#, ["age": "thirty"], false),
        (#"{"age": {"$gt": 30}}"#, [:], false),
        (#"{"premium": true}"#, ["premium": true], true),
        (#"{"premium": true}"#, ["premium": "true"], true),
        (#"{"premium": true}"#, ["premium": false], false),
        (#"{"n": 10}"#, ["n": "10"], true),
        (#"{"beta": {"$exists": true}}"#, ["beta": "x"], true),
        (#"{"beta": {"$exists": false}}"#, ["beta": "x"], false),
        (#"{"$or": [{"a": 1}, {"b": 2}]}"#, ["b": 2], true),
        (#"{"$or": []}"#, [:], false),
        (#"{"$and": []}"#, [:], true),
        (#"{"$not": {"a": 1}}"#, ["a": 1], false),
        (#"{"$and": [{"a": 1}, {"$not": {"b": {"$in": [2, 3]}}}]}"#, ["a": 1, "b": 4], true),
        (#"{}"#, [:], true),
    ])
    func matches(_ json: String, _ attributes: Attributes, _ expected: Bool) throws {
        #expect(try Self.parse(json).matches(attributes) == expected)
    }
}

/// Nested attributes through the evaluator: GrowthBook conditions see dotted paths and arrays,
/// the unit id comes from the top level, and flat and JSON attributes agree where both apply.
@Suite struct EvaluatorJSONAttributesTests {
    static let ruleset = #"""
    {"schema": 1,
     "holdouts": [{"id": "h", "salt": "hs", "fraction": 0.2, "unit": "id"}],
     "experiments": [
       {"id": "nested", "salt": "s", "unit": "id", "holdouts": ["h"],
        "targeting": {"app.version": {"$vgte": "3.1.0"}, "devices": {"$elemMatch": {"os": "ios"}}},
        "variants": [{"name": "a", "weight": 0.5}, {"name": "b", "weight": 0.5}]},
       {"id": "flat", "salt": "t", "unit": "id", "targeting": {"country": {"$in": ["SG", "MY"]}},
        "variants": [{"name": "a", "weight": 0.5}, {"name": "b", "weight": 0.5}]}
     ]}
    """#
    static let at = Date(timeIntervalSince1970: 1_780_000_000)

    @Test func nestedValuesReachTheConditionAndTheIdIsTheTopLevelAttribute() throws {
        let evaluator = Evaluator(ruleset: try Ruleset(json: Self.ruleset))
        var inHoldout = 0, targeted = 0, candidates = 0
        for i in 0..<400 {
            let ios: JSONValue = .object(["os": .string("ios")])
            let android: JSONValue = .object(["os": .string("android")])
            let version = i % 2 == 0 ? "3.2.0" : "3.0.9"
            let devices: [JSONValue] = i % 3 == 0 ? [android] : [android, ios]
            let json = JSONValue.object(["id": .number(Double(i)), "country": .string("SG"),
                                         "app": .object(["version": .string(version)]), "devices": .array(devices)])
            let a = evaluator.evaluate(json: json, at: Self.at)
            let shouldTarget = i % 2 == 0 && i % 3 != 0
            if shouldTarget { candidates += 1 }
            // The flat evaluation of the same unit (id as a string, no nested values).
            let flat = evaluator.evaluate(["id": .string("\(i)"), "country": "SG"], at: Self.at)
            // The un-nested experiment agrees exactly: a numeric id hashes like its decimal string.
            #expect(a[1] == flat[1], "unit \(i)")
            if case .notInExperiment(.inHoldout) = a[0].outcome {
                // Targeting is checked before holdouts, so only targeted units reach the holdout.
                #expect(shouldTarget, "unit \(i) reached the holdout without being targeted")
                inHoldout += 1; continue
            }
            if case .notInExperiment(.notTargeted) = a[0].outcome {
                #expect(!shouldTarget, "unit \(i) should be targeted")
            } else {
                #expect(shouldTarget, "unit \(i) should not be targeted")
                targeted += 1
                #expect(a[0].bucket == flat[0].bucket || flat[0].bucket == nil)
            }
        }
        // 20% of the targeted units held out: binomial sd √(n·0.2·0.8) ≈ 4.6 for n = 133; ±4 sd.
        let expected = 0.2 * Double(candidates), sd = (Double(candidates) * 0.16).squareRoot()
        #expect(abs(Double(inHoldout) - expected) <= 4 * sd, "\(inHoldout) of \(candidates) in the holdout")
        #expect(targeted > 0)
    }

    @Test func missingUnitAttributeIsReported() throws {
        let evaluator = Evaluator(ruleset: try Ruleset(json: Self.ruleset))
        let a = evaluator.evaluate(json: .object(["country": .string("SG"), "id": .object([:])]), at: Self.at)
        for x in a {
            guard case .notInExperiment(.missingUnit(attribute: "id")) = x.outcome else {
                Issue.record("\(x.experiment): \(x.outcome)"); continue
            }
        }
    }
}
