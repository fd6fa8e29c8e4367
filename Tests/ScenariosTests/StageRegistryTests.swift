import Distributions
import Foundation
import Testing
import Scenarios
import Simulation

/// A fault registered from outside Simulation under a `kind:` name: every treated unit's
/// exposure is lost with probability `loss` (its own stream).
struct DropTreatmentExposures: Fault {
    var kind: String { "test_drop_treatment" }
    let loss: Double
    let arm: Int
    func start(_ context: ReplicationContext, stream: RandomStream) -> any FaultRun { Run(self, stream) }
    final class Run: FaultRun {
        let fault: DropTreatmentExposures
        let stream: RandomStream
        init(_ f: DropTreatmentExposures, _ s: RandomStream) { fault = f; stream = s }
        func apply(period: Period, units: Range<Int>, table: ColumnTable) {
            for i in units where Int(table.arm[i]) == fault.arm && stream.uniform() < fault.loss { table.loggedArm[i] = -1 }
        }
    }
}

/// Scenario files name stages by `kind:`; the registry builds them with key-path errors.
@Suite struct StageRegistryTests {
    static let registered: Bool = {
        StageRegistry.shared.register(fault: "test_drop_treatment") { (c, study) throws(SimulationError) in
            try c.checkKeys(["loss", "arm"])
            return DropTreatmentExposures(loss: try c.number("loss", in: 0...1), arm: try c.arm("arm", in: study, default: "treatment"))
        }
        return true
    }()

    static func text(_ extra: String) -> String {
        """
        schema: 1
        id: registry.check
        seed: 3
        replications: 200
        population: {units: 2000, days: 7}
        metrics:
          - {name: conversion, kind: binary, baseline: 0.2}
        experiment: {hash: sha256, variants: {control: 0.5, treatment: 0.5}}
        analyses:
          - {id: srm, method: srm}
        \(extra)
        """
    }

    func run(_ s: Scenario) async throws -> Double {
        let out = try await SimulationRunner(threads: 2).run(scenarioID: s.id, cells: s.cellInputs(), gates: [])
        return try #require(out.cells[0].comparisons[0].value(.rejectionRate)).estimate
    }

    /// A registered fault runs from a scenario file: losing 20% of the treatment's exposures
    /// is flagged by the SRM check in most replications (power ≈ 0.92, see PluginTests), and
    /// the same scenario without it is flagged at most at α + 4 MCSE.
    @Test func registeredFaultRunsFromAScenario() async throws {
        #expect(Self.registered)
        let faulty = try Scenario.parse(Self.text("faults:\n  - {kind: test_drop_treatment, loss: 0.2}"), file: "f.yaml")
        #expect(faulty.cells[0].study.faults.map(\.kind) == ["test_drop_treatment"])
        let flagged = try await run(faulty)
        let clean = try await run(try Scenario.parse(Self.text("design: {kind: fixed_split}"), file: "c.yaml"))
        #expect(abs(flagged - 0.92) <= 4 * (0.92 * 0.08 / 200).squareRoot(), "\(flagged)")
        #expect(clean <= 0.001 + 4 * (0.001 * 0.999 / 200).squareRoot(), "\(clean)")
    }

    @Test func badStagesNameTheKeyPath() throws {
        #expect(Self.registered)
        func message(_ extra: String) -> String {
            do { _ = try Scenario.parse(Self.text(extra), file: "bad.yaml"); return "" } catch { return error.description }
        }
        let unknown = message("faults:\n  - {kind: nonsense}")
        #expect(unknown.contains("bad.yaml") && unknown.contains("faults[0].kind") && unknown.contains("test_drop_treatment"), "\(unknown)")
        let range = message("faults:\n  - {kind: test_drop_treatment, loss: 2}")
        #expect(range.contains("faults[0].loss") && range.contains("expected a number in [0.0, 1.0]"), "\(range)")
        let arm = message("faults:\n  - {kind: test_drop_treatment, loss: 0.1, arm: nope}")
        #expect(arm.contains("faults[0].arm") && arm.contains("control, treatment"), "\(arm)")
        let key = message("faults:\n  - {kind: test_drop_treatment, loss: 0.1, los: 1}")
        #expect(key.contains("faults[0].los") && key.contains("unknown key"), "\(key)")
        let design = message("design: {kind: bandit_of_doom}")
        #expect(design.contains("design.kind") && design.contains("fixed_split"), "\(design)")
        let missing = message("faults:\n  - {loss: 0.1}")
        #expect(missing.contains("faults[0].kind") && missing.contains("missing"), "\(missing)")
    }
}
