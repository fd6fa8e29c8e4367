import Assignment
import Foundation
import Testing
@testable import Simulation

/// The harness's assignment through a production ruleset is `Evaluator.evaluate`, unit by
/// unit, with targeting, a holdout, a layer and a sample cap all acting.
@Suite struct FixedSplitTests {
    static func rulesetJSON(salt: (String) -> String) -> String {
        """
        {"layers": [{"id": "L", "salt": "\(salt("layer"))", "hash": "sha256", "unit": "user_id"}],
         "holdouts": [{"id": "H", "salt": "\(salt("hold"))", "unit": "user_id", "fraction": 0.1, "all_experiments": true}],
         "experiments": [
           {"id": "exp", "salt": "\(salt("exp"))", "hash": "growthbook_v2", "unit": "user_id", "allocation": 0.9,
            "targeting": {"$and": [{"country": {"$in": ["SG", "MY"]}}, {"platform": {"$ne": "web"}}]},
            "layer": {"id": "L", "range": [0.0, 0.6]}, "max_sample_size": 150,
            "variants": [{"name": "control", "weight": 0.5}, {"name": "treatment", "weight": 0.5}]},
           {"id": "other", "salt": "\(salt("other"))", "unit": "user_id", "layer": {"id": "L", "range": [0.6, 1.0]},
            "variants": [{"name": "a", "weight": 0.5}, {"name": "b", "weight": 0.5}]}]}
        """
    }

    @Test func productionRulesetIsTheEvaluatorUnitByUnit() throws {
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(Self.rulesetJSON { $0 }.utf8))
        var study = Studies.aa(replications: 2, units: 3000, assignment: .hashed)
        study.population.segments = [Segment(attribute: "platform", levels: ["web", "ios", "android"], shares: [0.4, 0.3, 0.3])]
        study.population.attributes = [PopulationAttribute(name: "country", values: [.string("SG"), .string("MY"), .string("TH")], shares: [0.4, 0.4, 0.2])]
        study.experiment.ruleset = RulesetSource(file: "test.json", json: json, analyse: "exp")
        let plan = try CellPlan(study: study, scenarioID: "rs", cellIndex: 0)
        #expect(!plan.fastPathApplies)
        let context = ReplicationContext(plan: plan, replication: 4)
        let table = ColumnTable()
        table.reset(units: 3000, segments: 1, attributes: 1, metrics: 2, latent: false)
        try plan.population.fill(table, context: context)
        let run = try plan.design.start(context, table: table)
        run.assign(period: plan.periods[0], units: 0..<3000, table: table)

        // The same ruleset, salted by hand, and a fresh evaluator with its own ledger.
        let reference = Evaluator(ruleset: try Ruleset(json: Self.rulesetJSON { "\($0)/\(context.salt)" }))
        let platforms = ["web", "ios", "android"], countries = ["SG", "MY", "TH"]
        let origin = Date(timeIntervalSince1970: 1_767_225_600)
        var reasons: [String: Int] = [:]
        for i in 0..<3000 {
            let attributes: Attributes = ["user_id": .string("u\(i)"), "platform": .string(platforms[Int(table.segmentLevels[0][i])]),
                                          "country": .string(countries[Int(table.attributeLevels[0][i])])]
            let a = try #require(reference.evaluate(experiment: "exp", attributes, at: origin.addingTimeInterval(table.arrival[i] * 86_400)))
            switch a.outcome {
            case let .variant(index, _, _):
                #expect(Int(table.arm[i]) == index, "unit u\(i)")
                reasons["in", default: 0] += 1
            case let .notInExperiment(reason):
                #expect(table.arm[i] == -1, "unit u\(i): \(reason.code)")
                reasons[reason.code, default: 0] += 1
            }
        }
        // Every check acted: targeting, the holdout, the layer, the allocation and the cap.
        for code in ["in", "not_targeted", "in_holdout", "layer_taken", "outside_allocation", "sample_cap_reached"] {
            #expect(reasons[code, default: 0] > 0, "\(code): \(reasons)")
        }
        #expect(reasons["in"] == 150)
    }
}
