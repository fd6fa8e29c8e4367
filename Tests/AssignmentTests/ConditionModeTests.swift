import Foundation
import Testing
@testable import Assignment

/// The two condition languages side by side: the cases where `strict` and `growthbook` differ
/// (README, "Targeting: growthbook and strict"), each evaluated through a loaded ruleset.
@Suite struct ConditionModeTests {
    struct Contrast: Sendable, CustomTestStringConvertible {
        let name: String
        let targeting: String
        let attributes: Attributes
        /// nil: the strict ruleset is rejected at load.
        let strict: Bool?
        let growthbook: Bool
        var testDescription: String { name }
    }

    static let contrasts: [Contrast] = [
        .init(name: "empty $or", targeting: #"{"$or": []}"#, attributes: [:], strict: false, growthbook: true),
        .init(name: "$gt with a missing attribute", targeting: #"{"age": {"$lt": 10}}"#, attributes: [:], strict: false, growthbook: true),
        .init(name: "$gte with a missing attribute", targeting: #"{"age": {"$gte": 0}}"#, attributes: [:], strict: false, growthbook: true),
        .init(name: "$in without an array", targeting: #"{"n": {"$in": 1}}"#, attributes: ["n": 1], strict: nil, growthbook: false),
        .init(name: "array literal", targeting: #"{"country": ["SG", "MY"]}"#, attributes: ["country": "SG"], strict: true, growthbook: false),
        .init(name: "$eq across types", targeting: #"{"n": {"$eq": 10}}"#, attributes: ["n": "10"], strict: true, growthbook: false),
        .init(name: "implicit equality across types", targeting: #"{"n": 10}"#, attributes: ["n": "10"], strict: true, growthbook: true),
        .init(name: "boolean literal with the string \"false\"", targeting: #"{"beta": true}"#, attributes: ["beta": "false"], strict: false, growthbook: true),
        .init(name: "$gt with a string literal", targeting: #"{"word": {"$gt": "alpha"}}"#, attributes: ["word": "beta"], strict: nil, growthbook: true),
        .init(name: "null literal", targeting: #"{"user": null}"#, attributes: [:], strict: nil, growthbook: true),
        .init(name: "unknown operator", targeting: #"{"n": {"$between": [1, 2]}}"#, attributes: ["n": 1], strict: nil, growthbook: false),
        .init(name: "$nor", targeting: #"{"$nor": [{"a": 1}]}"#, attributes: ["a": 2], strict: nil, growthbook: true),
        .init(name: "dotted path to a flat attribute", targeting: #"{"app.version": {"$vgte": "3.12.0"}}"#, attributes: ["app.version": "3.12.1"], strict: nil, growthbook: true),
        .init(name: "$ne with a missing attribute (same in both)", targeting: #"{"plan": {"$ne": "pro"}}"#, attributes: [:], strict: true, growthbook: true),
        .init(name: "membership with $in (same in both)", targeting: #"{"country": {"$in": ["SG", "MY"]}}"#, attributes: ["country": "MY"], strict: true, growthbook: true),
    ]

    static func ruleset(_ mode: ConditionMode, _ targeting: String) throws -> Ruleset {
        try Ruleset(json: #"{"conditions": "\#(mode.rawValue)", "experiments": [{"id": "e", "salt": "s", "targeting": \#(targeting), "variants": [{"name": "a", "weight": 1}]}]}"#)
    }

    @Test(arguments: contrasts)
    func strictAndGrowthbookSideBySide(_ c: Contrast) throws {
        var attrs = c.attributes
        attrs["user_id"] = "u1"
        let gb = try Self.ruleset(.growthbook, c.targeting)
        #expect((Evaluator(ruleset: gb).evaluate(attrs, at: TestSupport.now)[0].variant != nil) == c.growthbook)
        if let want = c.strict {
            let strict = try Self.ruleset(.strict, c.targeting)
            #expect((Evaluator(ruleset: strict).evaluate(attrs, at: TestSupport.now)[0].variant != nil) == want)
        } else {
            #expect(throws: RulesetError.self) { try Self.ruleset(.strict, c.targeting) }
        }
    }

    @Test func aRulesetWithoutTheKeyReadsGrowthbookConditions() throws {
        let r = try Ruleset(json: #"{"experiments": [{"id": "e", "salt": "s", "targeting": {"$or": []}, "variants": [{"name": "a", "weight": 1}]}]}"#)
        #expect(r.conditions == .growthbook)
        guard case .growthbook? = r.experiments[0].targeting else { Issue.record("not a GrowthBook condition"); return }
    }

    @Test func growthbookWarningsNameTheKeyPath() throws {
        let r = try Ruleset(json: """
        {"saved_groups": {"beta": ["u1"]}, "experiments": [{"id": "e", "salt": "s", "variants": [{"name": "a", "weight": 1}],
          "targeting": {"$and": [{"n": {"$between": [1, 2]}}, {"ua": {"$regex": "(a"}}, {"user_id": {"$inGroup": "alpha"}}]}}]}
        """)
        let paths = r.warnings.map(\.path)
        #expect(paths.contains("experiments[0].targeting.$and[0].n.$between"), "\(r.warnings)")
        #expect(paths.contains("experiments[0].targeting.$and[1].ua.$regex"), "\(r.warnings)")
        #expect(paths.contains("experiments[0].targeting.$and[2].user_id.$inGroup"), "\(r.warnings)")
        #expect(RulesetCheck(ruleset: r, units: 100).warnings == r.warnings)
    }

    @Test func savedGroupsDriveInGroup() throws {
        let r = try Ruleset(json: """
        {"saved_groups": {"beta": ["u1", "u2"]}, "experiments": [{"id": "e", "salt": "s", "variants": [{"name": "a", "weight": 1}],
          "targeting": {"user_id": {"$inGroup": "beta"}}}]}
        """)
        let e = Evaluator(ruleset: r)
        #expect(e.evaluate(["user_id": "u2"], at: TestSupport.now)[0].variant == "a")
        #expect(e.evaluate(["user_id": "u3"], at: TestSupport.now)[0].reason == .notTargeted)
    }

    /// A hostile pattern in a loaded ruleset cannot hang assignment.
    @Test func hostileRegexInARulesetIsBounded() throws {
        let r = try Ruleset(json: #"{"experiments": [{"id": "e", "salt": "s", "targeting": {"ua": {"$regex": "(a+)+$"}}, "variants": [{"name": "a", "weight": 1}]}]}"#)
        let ua = String(repeating: "a", count: 20_000) + "b"
        let t = ContinuousClock().measure {
            #expect(Evaluator(ruleset: r).evaluate(["user_id": "u", "ua": .string(ua)], at: TestSupport.now)[0].reason == .notTargeted)
        }
        #expect(t < .seconds(5))
    }
}

/// GrowthBook's bucket-range rules as a ruleset option.
@Suite struct GrowthBookBucketRangeOptionTests {
    static func load(_ rules: String?, allocation: Double, weights: [Double]) throws -> Ruleset {
        let v = weights.enumerated().map { #"{"name": "v\#($0)", "weight": \#($1)}"# }.joined(separator: ", ")
        let key = rules.map { #""bucket_ranges": "\#($0)", "# } ?? ""
        return try Ruleset(json: #"{\#(key)"experiments": [{"id": "e", "salt": "s", "allocation": \#(allocation), "variants": [\#(v)]}]}"#)
    }

    @Test func strictIsTheDefaultAndRejects() {
        #expect(throws: RulesetError.self) { try Self.load(nil, allocation: 1, weights: [0.5, 0.495]) }
        #expect(throws: RulesetError.self) { try Self.load("strict", allocation: 1.5, weights: [0.5, 0.5]) }
    }

    @Test func growthbookRulesRepairAndWarn() throws {
        let near = try Self.load("growthbook", allocation: 1, weights: [0.5, 0.495])
        #expect(near.bucketRangeRules == .growthbook)
        #expect(near.experiments[0].variants.map(\.range) == [BucketRange(start: 0, end: 0.5), BucketRange(start: 0.5, end: 0.995)])
        #expect(near.warnings.map(\.path) == ["experiments[0].variants"])
        #expect(RulesetCheck(ruleset: near, units: 1_000).warnings.first?.message.contains("accepted") == true)

        let far = try Self.load("growthbook", allocation: 1.5, weights: [0.7, 0.6])
        #expect(far.experiments[0].variants.map(\.weight) == [0.5, 0.5])
        #expect(far.experiments[0].allocation == 1)
        #expect(far.experiments[0].variants.map(\.range) == [BucketRange(start: 0, end: 0.5), BucketRange(start: 0.5, end: 1)])
        #expect(Set(far.warnings.map(\.path)) == ["experiments[0].allocation", "experiments[0].variants"], "\(far.warnings)")

        let clean = try Self.load("growthbook", allocation: 0.5, weights: [0.5, 0.5])
        #expect(clean.warnings.isEmpty)
    }
}
