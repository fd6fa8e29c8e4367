import Foundation
import Testing
@testable import Assignment

/// A ruleset that must be rejected, the JSON path the error must name and a fragment of the message.
struct BadRuleset: Sendable, CustomTestStringConvertible {
    let name: String
    let json: String
    let path: String
    let message: String
    var testDescription: String { name }
}

private func experiment(_ body: String) -> String {
    """
    {"experiments": [
      {"id": "ok", "salt": "s0", "variants": [{"name": "a", "weight": 0.5}, {"name": "b", "weight": 0.5}]},
      \(body)
    ]}
    """
}

/// The same, in a ruleset that reads its targeting with the strict condition language.
private func strictExperiment(_ body: String) -> String {
    """
    {"conditions": "strict", "experiments": [
      {"id": "ok", "salt": "s0", "variants": [{"name": "a", "weight": 0.5}, {"name": "b", "weight": 0.5}]},
      \(body)
    ]}
    """
}

@Suite struct RulesetTests {
    static let bad: [BadRuleset] = [
        .init(name: "not JSON", json: "{\"experiments\": [", path: "$", message: "not valid JSON"),
        .init(name: "top level is an array", json: "[]", path: "$", message: "expected an object"),
        .init(name: "missing experiments", json: "{}", path: "experiments", message: "missing required array"),
        .init(name: "unknown top-level key", json: "{\"experiments\": [], \"experiment\": []}", path: "experiment", message: "unknown key"),
        .init(name: "weights sum to 0.9",
              json: experiment(#"{"id": "e", "salt": "s", "variants": [{"name": "a", "weight": 0.5}, {"name": "b", "weight": 0.4}]}"#),
              path: "experiments[1].variants", message: "sum to 0.9"),
        .init(name: "weight is a string",
              json: experiment(#"{"id": "e", "salt": "s", "variants": [{"name": "a", "weight": 0.5}, {"name": "b", "weight": "0.5"}]}"#),
              path: "experiments[1].variants[1].weight", message: "expected a number, got string"),
        .init(name: "negative weight",
              json: experiment(#"{"id": "e", "salt": "s", "variants": [{"name": "a", "weight": 1.2}, {"name": "b", "weight": -0.2}]}"#),
              path: "experiments[1].variants[1].weight", message: "negative weight"),
        .init(name: "allocation above 1",
              json: experiment(#"{"id": "e", "salt": "s", "allocation": 1.5, "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].allocation", message: "outside [0, 1]"),
        .init(name: "allocation wrong type",
              json: experiment(#"{"id": "e", "salt": "s", "allocation": "half", "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].allocation", message: "expected a number, got string"),
        .init(name: "unknown hash",
              json: experiment(#"{"id": "e", "salt": "s", "hash": "md5", "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].hash", message: "unknown hash scheme 'md5'"),
        .init(name: "duplicate experiment id",
              json: experiment(#"{"id": "ok", "salt": "s", "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].id", message: "duplicate experiment id 'ok'"),
        .init(name: "duplicate variant name",
              json: experiment(#"{"id": "e", "salt": "s", "variants": [{"name": "a", "weight": 0.5}, {"name": "a", "weight": 0.5}]}"#),
              path: "experiments[1].variants[1].name", message: "duplicate variant name"),
        .init(name: "missing salt", json: experiment(#"{"id": "e", "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].salt", message: "missing required string"),
        .init(name: "empty variants", json: experiment(#"{"id": "e", "salt": "s", "variants": []}"#),
              path: "experiments[1].variants", message: "non-empty array"),
        .init(name: "unknown experiment key",
              json: experiment(#"{"id": "e", "salt": "s", "alocation": 0.5, "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].alocation", message: "unknown key"),
        .init(name: "bad status", json: experiment(#"{"id": "e", "salt": "s", "status": "live", "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].status", message: "unknown status"),
        .init(name: "fractional cap", json: experiment(#"{"id": "e", "salt": "s", "max_sample_size": 2.5, "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].max_sample_size", message: "positive integer"),
        .init(name: "bad start time", json: experiment(#"{"id": "e", "salt": "s", "start": "yesterday", "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].start", message: "ISO 8601"),
        .init(name: "unknown targeting operator (strict)",
              json: strictExperiment(#"{"id": "e", "salt": "s", "targeting": {"age": {"$between": [1, 2]}}, "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].targeting.age.$between", message: "unknown operator"),
        .init(name: "comparison with a string (strict)",
              json: strictExperiment(#"{"id": "e", "salt": "s", "targeting": {"$or": [{"age": {"$gt": "18"}}]}, "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].targeting.$or[0].age.$gt", message: "needs a number"),
        .init(name: "unknown layer",
              json: experiment(#"{"id": "e", "salt": "s", "layer": {"id": "nope", "range": [0, 1]}, "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].layer.id", message: "unknown layer 'nope'"),
        .init(name: "unknown holdout",
              json: experiment(#"{"id": "e", "salt": "s", "holdouts": ["nope"], "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].holdouts[0]", message: "unknown holdout 'nope'"),
        .init(name: "over-allocated layer", json: """
            {"layers": [{"id": "L", "salt": "ls"}],
             "experiments": [
               {"id": "a", "salt": "sa", "layer": {"id": "L", "range": [0, 0.6]}, "variants": [{"name": "x", "weight": 1}]},
               {"id": "b", "salt": "sb", "layer": {"id": "L", "range": [0.5, 1]}, "variants": [{"name": "x", "weight": 1}]}]}
            """, path: "experiments[1].layer.range", message: "layer 'L' is over-allocated"),
        .init(name: "layer unit mismatch", json: """
            {"layers": [{"id": "L", "salt": "ls", "unit": "device_id"}],
             "experiments": [{"id": "a", "salt": "sa", "layer": {"id": "L", "range": [0, 1]}, "variants": [{"name": "x", "weight": 1}]}]}
            """, path: "experiments[0].layer.id", message: "must match"),
        .init(name: "holdout fraction out of range",
              json: #"{"holdouts": [{"id": "h", "salt": "hs", "fraction": 5}], "experiments": [{"id": "a", "salt": "sa", "variants": [{"name": "x", "weight": 1}]}]}"#,
              path: "holdouts[0].fraction", message: "outside [0, 1]"),
        .init(name: "overlapping explicit ranges",
              json: experiment(#"{"id": "e", "salt": "s", "variants": [{"name": "a", "weight": 0.5, "range": [0, 0.6]}, {"name": "b", "weight": 0.5, "range": [0.5, 1]}]}"#),
              path: "experiments[1].variants[1].range", message: "overlaps"),
        .init(name: "switchback burn-in longer than window",
              json: experiment(#"{"id": "e", "salt": "s", "unit": "region", "switchback": {"window_minutes": 30, "burn_in_minutes": 45}, "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].switchback.burn_in_minutes", message: "burn-in"),
        .init(name: "switchback window of zero minutes",
              json: experiment(#"{"id": "e", "salt": "s", "unit": "region", "switchback": {"window_minutes": 0}, "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].switchback.window_minutes", message: "between"),
        .init(name: "odd attribute names are quoted in paths (strict)",
              json: strictExperiment(#"{"id": "e", "salt": "s", "targeting": {"app.version": null}, "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].targeting[\"app.version\"]", message: "$exists"),
        .init(name: "$in without an array (strict)",
              json: strictExperiment(#"{"id": "e", "salt": "s", "targeting": {"n": {"$in": 1}}, "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].targeting.n.$in", message: "expected an array"),
        .init(name: "GrowthBook operator in a strict ruleset",
              json: strictExperiment(#"{"id": "e", "salt": "s", "targeting": {"v": {"$vgt": "1.2.3"}}, "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].targeting.v.$vgt", message: "\"conditions\": \"growthbook\""),
        .init(name: "unknown condition language",
              json: #"{"conditions": "mongo", "experiments": []}"#, path: "conditions", message: "growthbook"),
        .init(name: "unknown bucket-range rules",
              json: #"{"bucket_ranges": "loose", "experiments": []}"#, path: "bucket_ranges", message: "strict"),
        .init(name: "$or needs an array (growthbook)",
              json: experiment(#"{"id": "e", "salt": "s", "targeting": {"$or": {"a": 1}}, "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].targeting.$or", message: "needs an array"),
        .init(name: "$not needs a condition object (growthbook)",
              json: experiment(#"{"id": "e", "salt": "s", "targeting": {"$and": [{"$not": 3}]}, "variants": [{"name": "a", "weight": 1}]}"#),
              path: "experiments[1].targeting.$and[0].$not", message: "expected a condition object"),
        .init(name: "saved group values must be scalars",
              json: #"{"saved_groups": {"beta": [1, [2]]}, "experiments": []}"#, path: "saved_groups.beta[1]", message: "expected a string"),
        .init(name: "GrowthBook bucket ranges still reject negative weights",
              json: #"{"bucket_ranges": "growthbook", "experiments": [{"id": "e", "salt": "s", "variants": [{"name": "a", "weight": -0.5}, {"name": "b", "weight": 1.5}]}]}"#,
              path: "experiments[0].variants[0].weight", message: "negative weight"),
    ]

    @Test(arguments: bad)
    func badRulesetIsRejectedWithPath(_ c: BadRuleset) {
        do {
            _ = try Ruleset(json: c.json)
            Issue.record("accepted")
        } catch {
            let hit = error.problems.first { $0.path == c.path }
            #expect(hit != nil, "no problem at \(c.path); got \(error.problems)")
            #expect(hit?.message.contains(c.message) == true, "message: \(hit?.message ?? "-")")
        }
    }

    @Test func everyProblemIsReported() {
        let json = """
        {"experiments": [
          {"id": "a", "salt": 3, "variants": [{"name": "x", "weight": 0.9}]},
          {"id": "b", "salt": "s", "hash": "crc32", "variants": [{"name": "x", "weight": 1}]},
          {"id": "a", "salt": "s", "variants": [{"name": "x", "weight": 1, "colour": "red"}]}
        ]}
        """
        do {
            _ = try Ruleset(json: json)
            Issue.record("accepted")
        } catch {
            let paths = Set(error.problems.map(\.path))
            #expect(paths.isSuperset(of: ["experiments[0].salt", "experiments[0].variants", "experiments[1].hash", "experiments[2].variants[0].colour"]),
                    "\(error.problems)")
            #expect(error.description.contains("experiments[1].hash: unknown hash scheme 'crc32'"))
        }
    }

    @Test func seed001FormatLoads() throws {
        // The ruleset printed in seeds/001, verbatim apart from whitespace.
        // Seed 001's shorthand {"attr": [values]} means membership in the strict language
        // (in GrowthBook's language an array literal is exact equality), so the ruleset opts in.
        let r = try TestSupport.ruleset("""
        {"conditions": "strict", "experiments": [{"id": "exp-checkout-progress-bar", "salt": "x7f2k", "allocation": 1.0,
          "variants": [
            { "name": "control", "allocation": 0.5, "config": { "show_progress_bar": false } },
            { "name": "treatment", "allocation": 0.5, "config": { "show_progress_bar": true } }],
          "targeting": { "user_country": ["SG", "MY", "TH"] }}]}
        """)
        let e = try #require(r.experiment("exp-checkout-progress-bar"))
        #expect(e.hash == .sha256 && e.unit == "user_id" && e.status == .running)
        #expect(e.variants.map(\.weight) == [0.5, 0.5])
        #expect(e.variants[1].config == .object(["show_progress_bar": .bool(true)]))
        #expect(e.targeting == .attribute("user_country", .isIn(["SG", "MY", "TH"])))
        #expect(e.lowerBounds == [0, 5_000] && e.upperBounds == [5_000, 10_000])
    }

    @Test func rulesetFromAJSONValue() throws {
        let value = JSONValue.object(["experiments": .array([.object([
            "id": .string("e"), "salt": .string("replication-17"), "hash": .string("optimizely"),
            "variants": .array([.object(["name": .string("a"), "weight": .number(0.5)]),
                                .object(["name": .string("b"), "weight": .number(0.5)])]),
        ])])])
        let r = try Ruleset(jsonValue: value)
        #expect(r.experiments.first?.hash == .optimizely)
        #expect(throws: RulesetError.self) { try Ruleset(jsonValue: .object(["experiments": .string("none")])) }
    }

    @Test func shippedExampleLoads() throws {
        let data = try Data(contentsOf: TestSupport.repoRoot.appendingPathComponent("scenarios/examples/ruleset.json"))
        let r = try Ruleset(json: data)
        #expect(r.experiments.count == 5)
        #expect(r.layers.map(\.id) == ["checkout"])
        #expect(r.experiment("exp-pricing-anchor")?.holdouts == ["global-2026", "pricing-h2"])
        #expect(r.experiment("exp-checkout-one-page")?.holdouts == ["global-2026"])
        #expect(r.experiment("exp-surge-pricing")?.switchback?.windowLength == 3_600)
    }

    @Test func explicitRangesOverrideWeights() throws {
        let r = try Ruleset(json: TestSupport.fixture("seed001-buggy-ranges"))
        let e = try #require(r.experiments.first)
        #expect(e.explicitRanges)
        #expect(e.variants.map(\.weight) == [0.5, 0.5])
        #expect(e.lowerBounds == [0, 50] && e.upperBounds == [50, 10_000])
    }

    /// The fixture reproduces seeds/001's `assign_variant` exactly (cases from
    /// scripts/reference/seed001_buggy.py, which runs that code verbatim).
    @Test func buggyFixtureMatchesSeedCode() throws {
        struct File: Decodable { let experiment: String; let cases: [[String]] }
        let file = try JSONDecoder().decode(File.self, from: TestSupport.fixture("seed001-buggy-cases"))
        let evaluator = Evaluator(ruleset: try Ruleset(json: TestSupport.fixture("seed001-buggy-ranges")))
        #expect(file.cases.count > 300)
        for c in file.cases {
            let a = evaluator.evaluate(experiment: file.experiment, ["user_id": .string(c[0])], at: TestSupport.now)
            #expect(a?.variant == c[1], "unit \(c[0])")
        }
    }
}
