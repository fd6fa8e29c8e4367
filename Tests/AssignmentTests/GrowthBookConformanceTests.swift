import Foundation
import Testing
@testable import Assignment

/// GrowthBook's published SDK conformance cases (`cases.json`, spec 0.8.0), transcribed into
/// `Fixtures/growthbook-cases.json` by `scripts/reference/growthbook_cases.py`. One
/// parameterised test per section; every case runs, and passes or fails, under its name.
enum GrowthBookCases {
    static let fixture: [String: JSONValue] = {
        guard let url = Bundle.module.url(forResource: "growthbook-cases", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url),
              case .object(let o)? = try? JSONDecoder().decode(JSONValue.self, from: data) else { return [:] }
        return o
    }()

    static func section(_ name: String) -> [[String: JSONValue]] {
        guard case .array(let items)? = fixture[name] else { return [] }
        return items.compactMap { if case .object(let o) = $0 { return o } else { return nil } }
    }

    static func string(_ v: JSONValue?) -> String { if case .string(let s)? = v { s } else { "" } }
    static func number(_ v: JSONValue?) -> Double? { if case .number(let d)? = v { d } else { nil } }
    static func ranges(_ v: JSONValue?) -> [BucketRange] {
        guard case .array(let items)? = v else { return [] }
        return items.compactMap {
            guard case .array(let p) = $0, p.count == 2, let a = number(p[0]), let b = number(p[1]) else { return nil }
            return BucketRange(start: a, end: b)
        }
    }

    /// One case: its unique name and its fields.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let fields: [String: JSONValue]
        var testDescription: String { name }
        subscript(_ key: String) -> JSONValue? { fields[key] }
    }

    static func cases(_ section: String) -> [Case] {
        self.section(section).map { Case(name: string($0["name"]), fields: $0) }
    }

    static let evalCondition = cases("evalCondition")
    static let getBucketRange = cases("getBucketRange")
    static let chooseVariation = cases("chooseVariation")
    static let inNamespace = cases("inNamespace")
    static let getEqualWeights = cases("getEqualWeights")
    static let hash = cases("hash")

    /// Compiles a case's condition as a ruleset in growthbook mode would.
    static func condition(_ c: Case) -> GrowthBookCondition? {
        var groups: [String: [JSONValue]] = [:]
        if case .object(let g)? = c["savedGroups"] {
            for (k, v) in g { if case .array(let a) = v { groups[k] = a } }
        }
        var problems: [RulesetProblem] = [], warnings: [RulesetProblem] = []
        return GrowthBookCondition.parse(c["condition"] ?? .null, savedGroups: groups, path: "condition",
                                         problems: &problems, warnings: &warnings)
    }
}

@Suite struct GrowthBookConformanceTests {
    @Test func fixtureIsCompleteAndNamesTheSpecVersion() {
        #expect(GrowthBookCases.string(GrowthBookCases.fixture["specVersion"]) == "0.8.0")
        #expect(GrowthBookCases.evalCondition.count == 248)
        #expect(GrowthBookCases.getBucketRange.count == 13)
        #expect(GrowthBookCases.chooseVariation.count == 13)
        #expect(GrowthBookCases.inNamespace.count == 16)
        #expect(GrowthBookCases.getEqualWeights.count == 6)
        #expect(GrowthBookCases.hash.count == 15)
        #expect(Set(GrowthBookCases.evalCondition.map(\.name)).count == 248, "case names must be unique")
    }

    @Test(arguments: GrowthBookCases.evalCondition)
    func evalCondition(_ c: GrowthBookCases.Case) throws {
        let condition = try #require(GrowthBookCases.condition(c))
        let expected = c["expected"] == .bool(true)
        #expect(condition.matches(json: c["attributes"] ?? .object([:])) == expected)
    }

    @Test(arguments: GrowthBookCases.getBucketRange)
    func getBucketRange(_ c: GrowthBookCases.Case) throws {
        let n = Int(try #require(GrowthBookCases.number(c["numVariations"])))
        var weights: [Double]?
        if case .array(let w)? = c["weights"] { weights = w.compactMap(GrowthBookCases.number) }
        let got = growthBookBucketRanges(variations: n, coverage: GrowthBookCases.number(c["coverage"]), weights: weights).ranges
        let want = GrowthBookCases.ranges(c["expected"])
        #expect(got.count == want.count)
        for (g, w) in zip(got, want) {
            #expect(abs(g.start - w.start) < 1e-9 && abs(g.end - w.end) < 1e-9, "\(got) vs \(want)")
        }
    }

    @Test(arguments: GrowthBookCases.chooseVariation)
    func chooseVariation(_ c: GrowthBookCases.Case) throws {
        let n = try #require(GrowthBookCases.number(c["n"]))
        let expected = Int(try #require(GrowthBookCases.number(c["expected"])))
        #expect((growthBookChooseVariation(n, ranges: GrowthBookCases.ranges(c["ranges"])) ?? -1) == expected)
    }

    @Test(arguments: GrowthBookCases.inNamespace)
    func inNamespace(_ c: GrowthBookCases.Case) throws {
        let start = try #require(GrowthBookCases.number(c["start"])), end = try #require(GrowthBookCases.number(c["end"]))
        #expect(growthBookInNamespace(GrowthBookCases.string(c["id"]), namespace: GrowthBookCases.string(c["namespace"]),
                                      start: start, end: end) == (c["expected"] == .bool(true)))
    }

    @Test(arguments: GrowthBookCases.getEqualWeights)
    func getEqualWeights(_ c: GrowthBookCases.Case) throws {
        let n = Int(try #require(GrowthBookCases.number(c["n"])))
        guard case .array(let e)? = c["expected"] else { Issue.record("no expected"); return }
        let want = e.compactMap(GrowthBookCases.number)
        let got = growthBookEqualWeights(n)
        #expect(got.count == want.count)
        // The spec rounds 1/3 to 8 decimals.
        for (g, w) in zip(got, want) { #expect(abs(g - w) < 1e-8) }
    }

    /// GrowthBook's `hash(seed, value, version)`: version 1 is `growthbook_v1` (salt after the
    /// id), version 2 `growthbook_v2`; other versions have no hash (null).
    @Test(arguments: GrowthBookCases.hash)
    func hash(_ c: GrowthBookCases.Case) throws {
        let version = Int(try #require(GrowthBookCases.number(c["version"])))
        let scheme: HashScheme? = version == 1 ? .growthbookV1 : version == 2 ? .growthbookV2 : nil
        let got = scheme.map { SaltedHasher(scheme: $0, salt: GrowthBookCases.string(c["seed"])).unitInterval(GrowthBookCases.string(c["value"])) }
        if let want = GrowthBookCases.number(c["expected"]) {
            let g = try #require(got)
            #expect(abs(g - want) < 1e-12)
        } else {
            #expect(got == nil)
        }
    }
}

/// Properties over every published condition and its attributes.
@Suite struct GrowthBookConditionPropertyTests {
    static func compile(_ json: JSONValue, groups: JSONValue?) -> GrowthBookCondition? {
        var g: [String: [JSONValue]] = [:]
        if case .object(let o)? = groups { for (k, v) in o { if case .array(let a) = v { g[k] = a } } }
        var problems: [RulesetProblem] = [], warnings: [RulesetProblem] = []
        return GrowthBookCondition.parse(json, savedGroups: g, path: "c", problems: &problems, warnings: &warnings)
    }

    @Test func notInvertsEveryCondition() throws {
        for c in GrowthBookCases.evalCondition {
            let cond = try #require(c["condition"])
            let attrs = c["attributes"] ?? .object([:])
            let plain = try #require(Self.compile(cond, groups: c["savedGroups"]))
            let negated = try #require(Self.compile(.object(["$not": cond]), groups: c["savedGroups"]))
            #expect(negated.matches(json: attrs) == !plain.matches(json: attrs), "\(c.name)")
        }
    }

    @Test func andOfOneEqualsTheCondition() throws {
        for c in GrowthBookCases.evalCondition {
            let cond = try #require(c["condition"])
            let attrs = c["attributes"] ?? .object([:])
            let plain = try #require(Self.compile(cond, groups: c["savedGroups"]))
            let single = try #require(Self.compile(.object(["$and": .array([cond])]), groups: c["savedGroups"]))
            #expect(single.matches(json: attrs) == plain.matches(json: attrs), "\(c.name)")
        }
    }

    /// Every published condition, put in a ruleset as an experiment's targeting (with its saved
    /// groups), loads; the loaded condition equals the directly compiled one and gives the
    /// published answer; and writing the ruleset's condition back out and loading it again
    /// gives the same condition.
    @Test func conditionsRoundTripThroughTheRulesetLoader() throws {
        for c in GrowthBookCases.evalCondition {
            let cond = try #require(c["condition"])
            func ruleset(_ targeting: JSONValue) throws -> Ruleset {
                let doc = JSONValue.object([
                    "saved_groups": c["savedGroups"] ?? .object([:]),
                    "experiments": .array([.object([
                        "id": .string("e"), "salt": .string("s"), "targeting": targeting,
                        "variants": .array([.object(["name": .string("a"), "weight": .number(1)])]),
                    ])]),
                ])
                let data = try JSONEncoder().encode(doc)
                return try Ruleset(json: data)
            }
            let loaded = try #require(try ruleset(cond).experiments.first?.targeting)
            guard case .growthbook(let g) = loaded else { Issue.record("\(c.name): not a GrowthBook condition"); continue }
            #expect(g == Self.compile(cond, groups: c["savedGroups"]), "\(c.name)")
            #expect(loaded.matches(json: c["attributes"] ?? .object([:])) == (c["expected"] == .bool(true)), "\(c.name)")
            let again = try #require(try ruleset(g.source).experiments.first?.targeting)
            #expect(again == loaded, "\(c.name)")
        }
    }
}
