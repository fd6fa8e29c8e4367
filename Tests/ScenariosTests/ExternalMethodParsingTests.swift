import Foundation
import Testing
@testable import Scenarios
@testable import Simulation

/// `method: {external: {...}}` in a scenario: the engine spec, its canonical JSON config, and
/// errors that name the key path and what was expected.
@Suite struct ExternalMethodParsingTests {
    func scenario(_ analysis: String) -> String {
        validScenario.replacingOccurrences(of: "  - {id: srm, method: srm}", with: "  - {id: srm, method: srm}\n" + analysis)
    }

    @Test func parsesCommandEngineAndCanonicalConfig() throws {
        let s = try Scenario.parse(scenario("""
          - {id: gb, metric: revenue, estimand: relative, method: {external: {command: [python3, a.py, "--x"], engine: gbstats, config: {test: sequential, b: [1, 2.5, true, null], a: {z: "q\\"uote"}}, timeout_seconds: 5}}}
        """), file: "f.yaml")
        let a = try #require(s.cells[0].study.analyses.first { $0.id == "gb" })
        #expect(a.method == .external)
        #expect(a.external == ExternalEngineSpec(command: ["python3", "a.py", "--x"], engine: "gbstats",
                                                  configJSON: #"{"a":{"z":"q\"uote"},"b":[1,2.5,true,null],"test":"sequential"}"#,
                                                  timeoutSeconds: 5, maxRestarts: 3))
    }

    @Test(arguments: [
        ("{id: e, metric: revenue, method: {external: {engine: x}}}", "analyses[6].method.external.command: required key is missing"),
        ("{id: e, metric: revenue, method: {external: {command: [], engine: x}}}", "analyses[6].method.external.command: expected a non-empty list"),
        ("{id: e, metric: revenue, method: {external: {command: [p], engine: x, confg: {}}}}", "analyses[6].method.external.confg: unknown key"),
        ("{id: e, metric: revenue, method: {internal: {command: [p], engine: x}}}", "unknown kind \"internal\"; expected one of: external"),
        ("{id: e, metric: revenue, method: {external: {command: [p], engine: x, config: [1]}}}", "analyses[6].method.external.config: expected a mapping"),
        ("{id: e, metric: ctr, method: {external: {command: [p], engine: x}}}", "cannot analyse metric \"ctr\""),
        ("{id: e, metric: revenue, stratify: allocation_period, method: {external: {command: [p], engine: x}}}", "stratify is not available"),
        ("{id: e, metric: revenue, method: external}", "unknown method \"external\""),
    ])
    func badExternalMethodsNameTheKey(_ analysis: String, _ message: String) {
        do {
            _ = try Scenario.parse(scenario("  - " + analysis), file: "f.yaml")
            Issue.record("expected an error containing \(message)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }
}
