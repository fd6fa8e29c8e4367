import Analysis
import Assignment
import Foundation
import Testing
@testable import Simulation

/// The cluster design, the neighbour graph and the interference truth.
@Suite struct ClusterDesignTests {
    static func study(graph: (Int, Double)? = (20, 0.75), clusters: Int = 200, units: Int = 2000) -> Study {
        var s = Study(id: "cl", seed: 4, replications: 2,
                      population: PopulationSpec(units: units, days: 7, arrivals: .atStart, clusters: clusters),
                      metrics: [MetricSpec(name: "y", kind: .distribution(.normal(mean: 0, sd: 1)))],
                      experiment: ExperimentSpec(hash: "growthbook_v2", variants: [("control", 0.5), ("treatment", 0.5)]),
                      effects: ["treatment": ["y": EffectSpec(.absolute(1))]],
                      analyses: [AnalysisSpec(id: "w", metric: "y", method: .welchT)])
        s.population.equalClusterSizes = true
        s.population.graph = graph.map { (degree: $0.0, withinShare: $0.1) }
        s.design = ClusterDesign(study: s)
        s.components = [MetricComponent(metric: "y", component: Interference(gamma: 2))]
        return s
    }

    /// Every unit has exactly `degree` neighbours, never itself, round(w·d) of them in its own
    /// cluster; and the out-of-cluster neighbours spread over the other clusters (their
    /// cluster counts are uniform within 4 SE of a χ²-free check: the mean share per cluster).
    @Test func graphHasTheAskedDegreeAndWithinShare() throws {
        let plan = try CellPlan(study: Self.study(), scenarioID: "cl", cellIndex: 0)
        let table = ColumnTable()
        _ = try ReplicationEngine(plan: plan).observe(replication: 0, table: table)
        #expect(table.degree == 20 && table.neighbours.count == 2000 * 20)
        var outside = [Int](repeating: 0, count: 200)
        for i in 0..<table.count {
            let nb = table.neighbours[(i * 20)..<((i + 1) * 20)]
            #expect(!nb.contains(Int32(i)))
            let inside = nb.filter { table.cluster[Int($0)] == table.cluster[i] }.count
            #expect(inside == 15, "unit \(i): \(inside) inside")
            for j in nb where table.cluster[Int(j)] != table.cluster[i] { outside[Int(table.cluster[Int(j)])] += 1 }
        }
        // 2000 × 5 outside draws over 200 clusters: 50 each in expectation (each cluster is a
        // target for the units of the 199 others: 10 000 · 1/199·… ≈ 50); sd ≈ √50.
        let mean = Double(outside.reduce(0, +)) / 200
        #expect(abs(mean - 50) < 1e-9)
        #expect(outside.allSatisfy { abs(Double($0) - 50) <= 6 * 50.0.squareRoot() }, "\(outside.min() ?? 0)…\(outside.max() ?? 0)")
    }

    /// Each cluster's units share the arm the Assignment module's evaluator gives `c<id>`.
    @Test func clustersAreRandomisedWhole() throws {
        let s = Self.study(graph: nil)
        let plan = try CellPlan(study: s, scenarioID: "cl", cellIndex: 0)
        let table = ColumnTable()
        _ = try ReplicationEngine(plan: plan).observe(replication: 3, table: table)
        let ruleset = try Ruleset(jsonValue: ClusterDesign.rulesetJSON(study: s, salt: CellPlan.salt(study: s, cellKey: plan.cellKey, replication: 3)))
        let evaluator = Evaluator(ruleset: ruleset)
        var treated = 0
        for c in 0..<200 {
            let a = evaluator.evaluate(experiment: "cl", ["cluster": .string("c\(c)")], at: Date(timeIntervalSince1970: 1_767_225_600))
            let want = Int32(a?.variant.flatMap { v in s.experiment.variants.firstIndex { $0.name == v } } ?? -1)
            if want == 1 { treated += 1 }
            for i in stride(from: c, to: 2000, by: 200) {
                #expect(table.arm[i] == want && table.group[i] == Int32(c), "unit \(i)")
            }
        }
        #expect(abs(Double(treated) - 100) <= 4 * 50.0.squareRoot())
    }

    /// The truth of an interference study is the total effect β + γ = 3.
    @Test func truthIsTheTotalEffect() throws {
        let plan = try CellPlan(study: Self.study(), scenarioID: "cl", cellIndex: 0)
        #expect(abs((plan.analyses[0].comparisons[0].truth ?? 0) - 3) < 1e-12)
    }

    @Test func entriesAreChecked() throws {
        var s = Self.study(graph: nil)
        s.population.clusters = 0
        for (kind, maker) in [("cluster", { (c: ComponentConfig) throws(SimulationError) in _ = try StageRegistry.shared.makeDesign(c, study: s) }),
                              ("interference", { (c: ComponentConfig) throws(SimulationError) in _ = try StageRegistry.shared.makeComponent(c, study: s) }),
                              ("cluster_effect", { (c: ComponentConfig) throws(SimulationError) in _ = try StageRegistry.shared.makeComponent(c, study: s) })] {
            do {
                try maker(ComponentConfig(kind: kind, keyPath: "x[0]", parameters: ["metric": .string("y"), "gamma": .number(1), "sd": .number(1)].filter { kind == "cluster" ? false : ($0.key != "gamma" || kind == "interference") && ($0.key != "sd" || kind == "cluster_effect") }))
                Issue.record("\(kind): no error without clusters")
            } catch {
                #expect(error.description.contains("clusters: {count: C}"), "\(kind): \(error)")
            }
        }
    }
}
