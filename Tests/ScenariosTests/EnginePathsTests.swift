import Foundation
import Testing
import Scenarios
import Simulation

/// The staged engine equals the fused fast path byte for byte on every shipped gate and
/// example scenario: for every cell, the first replications observe identical statistics
/// and produce identical analysis records.
@Suite struct EnginePathsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var files: [String] {
        ["scenarios/gates", "scenarios/examples"].flatMap { dir -> [String] in
            let path = root.appendingPathComponent(dir).path
            return ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
                .filter { $0.hasSuffix(".yaml") }.sorted().map { "\(path)/\($0)" }
        }
    }

    @Test func everyShippedScenarioIsCovered() {
        #expect(Self.files.count >= 12, "\(Self.files)")
    }

    @Test(arguments: files)
    func stagedEqualsFastOnShippedScenario(_ file: String) throws {
        let cwd = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(Self.root.path)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(cwd) }
        let scenario = try Scenario.load(path: file)
        let table = ColumnTable()
        var compared = 0
        for cell in scenario.cellInputs() {
            let plan = try CellPlan(study: cell.study, scenarioID: scenario.id, cellIndex: cell.index, factors: cell.factors)
            guard plan.fastPathApplies else { continue }
            let fast = ReplicationEngine(plan: plan), staged = ReplicationEngine(plan: plan, path: .staged)
            for r in [0, 1] {
                let a = try fast.observe(replication: r, table: table)
                let b = try staged.observe(replication: r, table: table)
                #expect(a == b, "\(scenario.id) cell \(cell.label) replication \(r)")
                #expect(try fast.analyse(a).comparisons == (try staged.analyse(b)).comparisons)
                compared += 1
            }
        }
        // A production ruleset (the Evaluator), faults, daily metrics, other designs, population
        // graphs, bots, components that draw at random and analyses of unit-level values run on
        // the staged path only.
        let stagedOnly = scenario.cells.allSatisfy { cell in
            let s = cell.study
            return s.experiment.ruleset != nil || !s.faults.isEmpty || s.metrics.contains(where: \.isDaily)
                || (s.design.map { !($0 is FixedSplit) } ?? false) || s.population.clusters > 0 || s.population.regions > 0
                || s.population.botShare > 0 || s.components.contains { $0.component.drawsRandomly }
                || s.analyses.contains { $0.options.needsUnitLevel }
        }
        #expect(compared > 0 || stagedOnly, "\(scenario.id): no cell takes the fast path")
    }
}
