import Testing
@testable import Scenarios

@Suite struct ScenarioErrorTests {
    @Test func messageNamesFileKeyPathAndExpectation() {
        let e = ScenarioError(file: "scenarios/x.yaml", keyPath: "metrics[1].baseline", message: "expected a number in [0, 1], got 1.5")
        #expect(e.description == "scenarios/x.yaml: metrics[1].baseline: expected a number in [0, 1], got 1.5")
        #expect(ScenarioError(file: "f.yaml", keyPath: "", message: "not YAML").description == "f.yaml: not YAML")
    }
}

/// Limits on what a scenario document may expand to, each with a message that names the file and
/// line and never echoes the input.
@Suite struct ScenarioLimitTests {
    /// A 9-level "billion laughs" alias bomb is refused by the node budget, quickly.
    @Test func aliasBombIsRefused() {
        var text = "schema: 1\nid: x\na: &a [1,1,1,1,1,1,1,1,1]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for k in 1..<names.count {
            text += "\(names[k]): &\(names[k]) [" + [String](repeating: "*\(names[k - 1])", count: 9).joined(separator: ",") + "]\n"
        }
        let start = ContinuousClock.now
        do { _ = try Scenario.parse(text, file: "bomb.yaml"); Issue.record("accepted") } catch {
            #expect(error.description.hasPrefix("bomb.yaml: line "))
            #expect(error.description.contains("more than \(YAMLLimits.maximumNodes) values"))
        }
        #expect(start.duration(to: .now) < .seconds(10))
    }

    /// The fuzzer-found hang: an alias of a billion-laughs node used as a mapping key. Yams
    /// hashes keys whole to find duplicates, which took 12 s (release) before any limit was
    /// checked; the expansion is now counted first. Both the fuzzer's input (a syntax error
    /// after the key) and a well-formed variant are refused at once, and a document with a few
    /// harmless aliases (and `*` in a comment and a quoted string) still reads.
    @Test func aliasOfAHugeNodeAsAMappingKeyIsRefusedFirst() throws {
        var bomb = "schema: 1\nid: x\na: &a [1,1,1,1,1,1,1,1,1]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h"]
        for k in 1..<names.count {
            bomb += "\(names[k]): &\(names[k]) [" + [String](repeating: "*\(names[k - 1])", count: 9).joined(separator: ",") + "]\n"
        }
        for (text, want) in [(bomb + "i: [*h: 10, sd: 2}}*h,*h]\n", "line 11, column 18"), (bomb + "i: {*h: 1}\n", "more than \(YAMLLimits.maximumNodes) values")] {
            let start = ContinuousClock.now
            do { _ = try Scenario.parse(text, file: "key.yaml"); Issue.record("accepted") } catch {
                #expect(error.description.hasPrefix("key.yaml: "), "\(error.description)")
                #expect(error.description.contains(want), "\(error.description)")
            }
            #expect(start.duration(to: .now) < .seconds(5))
        }
        let aliases = "schema: 1\nid: a\n# 2 * 3 in a comment\ndescription: \"3 * 4\"\nseed: &s 7\nreplications: *s\npopulation: {units: 100}\nmetrics: [{name: c, kind: binary, baseline: 0.1}]\nexperiment: {variants: {control: 0.5, treatment: 0.5}}\nanalyses: [{id: z, metric: c, method: z_test}]\n"
        let s = try Scenario.parse(aliases, file: "a.yaml")
        #expect(s.cells[0].study.seed == 7 && s.cells[0].study.replications == 7)
        #expect(s.description == "3 * 4")
    }

    /// Deep nesting and a long line: the message has the position, not the 20 KB line.
    @Test func deepNestingDoesNotEchoTheInput() {
        let text = "schema: 1\nid: x\nd: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n"
        do { _ = try Scenario.parse(text, file: "deep.yaml"); Issue.record("accepted") } catch {
            #expect(error.description.contains("line 3"))
            #expect(error.description.count < 400)
        }
    }

    /// Ids name result folders: "..", ".", a path or non-ASCII are refused with the key path.
    @Test(arguments: ["..", ".", "a/b", "../x", "ü", ".hidden", String(repeating: "x", count: 101)])
    func unsafeIdsAreRefused(_ id: String) {
        let text = "schema: 1\nid: \"\(id)\"\nseed: 1\nreplications: 10\npopulation: {units: 100}\nmetrics: [{name: c, kind: binary, baseline: 0.1}]\nexperiment: {variants: {control: 0.5, treatment: 0.5}}\nanalyses: [{id: z, metric: c, method: z_test}]\n"
        do { _ = try Scenario.parse(text, file: "s.yaml"); Issue.record("accepted \(id)") } catch {
            #expect(error.description.hasPrefix("s.yaml: id: expected a name"))
        }
    }

    /// Weights and shares may be fractions (`1/3`) and are accepted within 1e-6 of 1, then
    /// normalised; further off is an error that says how to write thirds.
    @Test func weightsAsFractionsAndNearOne() throws {
        func text(_ variants: String) -> String {
            "schema: 1\nid: w\nseed: 1\nreplications: 10\npopulation: {units: 100}\nmetrics: [{name: c, kind: binary, baseline: 0.1}]\nexperiment: {variants: \(variants)}\nanalyses: [{id: z, metric: c, method: z_test}]\n"
        }
        let thirds = try Scenario.parse(text("{a: 1/3, b: 1/3, c: 1/3}"), file: "w.yaml")
        let third: Double = 1.0 / 3
        let weights: [Double] = thirds.cells[0].study.experiment.variants.map(\.weight)
        #expect(weights == [third, third, third])
        let near = try Scenario.parse(text("{a: 0.3333333, b: 0.3333333, c: 0.3333334}"), file: "w.yaml")
        let total: Double = near.cells[0].study.experiment.variants.map(\.weight).reduce(0, +)
        #expect(abs(total - 1) < 1e-15)
        do { _ = try Scenario.parse(text("{a: 0.3333, b: 0.3333, c: 0.3333}"), file: "w.yaml"); Issue.record("accepted") } catch {
            #expect(error.description.contains("experiment.variants: the variant weights must sum to 1 (within 1e-6), got 0.9999"))
            #expect(error.description.contains("1/3"))
        }
        do { _ = try Scenario.parse(text("{a: 2/1, b: 1/3}"), file: "w.yaml"); Issue.record("accepted") } catch {
            #expect(error.description.contains("experiment.variants.a: expected a number in [0, 1] or a fraction such as 1/3"))
        }
    }
}
