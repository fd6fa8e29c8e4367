import Testing
@testable import Scenarios

@Suite struct ScenarioErrorTests {
    @Test func messageNamesFileKeyPathAndExpectation() {
        let e = ScenarioError(file: "scenarios/x.yaml", keyPath: "metrics[1].baseline", message: "expected a number in [0, 1], got 1.5")
        #expect(e.description == "scenarios/x.yaml: metrics[1].baseline: expected a number in [0, 1], got 1.5")
        #expect(ScenarioError(file: "f.yaml", keyPath: "", message: "not YAML").description == "f.yaml: not YAML")
    }
}
