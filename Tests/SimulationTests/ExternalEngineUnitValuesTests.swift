import Analysis
import Foundation
import Testing
@testable import Simulation

/// Protocol 2: an engine that asks for `unit_values` in its handshake gets each arm's unit-level
/// values; a protocol-1 engine in the same run still gets the sums alone.
extension ExternalEngineTests {
    /// A study with a protocol-2 engine (`ext`, answering from the arrays alone), a protocol-1
    /// engine (`v1`, from the sums) and the in-process Welch test, all on the same metric.
    static func unitValuesStudy(covariate: Bool, options: AnalysisOptions = AnalysisOptions(), looks: LookSchedule = .equallySpaced(3)) -> Study {
        var ext = AnalysisSpec(id: "ext", metric: "rev", method: .external, policy: .naivePeeking)
        ext.external = fakeEngine("unit-values", covariate ? "1" : "0")
        ext.options = options
        var v1 = AnalysisSpec(id: "v1", metric: "rev", method: .external, policy: .naivePeeking)
        v1.external = fakeEngine("biased", "0")
        v1.options = options
        var welch = AnalysisSpec(id: "welch", metric: "rev", method: .welchT, policy: .naivePeeking)
        welch.options = options
        return Study(id: "test.engine.values", seed: 23, replications: 32,
                     population: PopulationSpec(units: 500, days: 10),
                     metrics: [MetricSpec(name: "rev", kind: .distribution(.lognormal(mu: 0, sigma: 1)), prePeriodCorrelation: 0.5)],
                     experiment: ExperimentSpec(variants: [("control", 0.5), ("treatment", 0.5)], assignment: .ideal),
                     analyses: [ext, v1, welch], looks: looks)
    }

    /// Checks, replication by replication, that the engine's difference in means computed from
    /// the unit arrays equals the in-process difference of means (from the sums) to 1e-12, and
    /// its two-pass Welch SE the in-process one to 1e-9 (relative); the v1 engine likewise.
    func expectArraysMatchInProcess(_ out: SimulationRunner.Output) {
        let ext = out.rows.filter { $0.analysis == "ext" }, v1 = out.rows.filter { $0.analysis == "v1" }
        let welch = out.rows.filter { $0.analysis == "welch" }
        #expect(ext.count == 32 && v1.count == 32 && welch.count == 32)
        for ((e, o), w) in zip(zip(ext, v1), welch) {
            #expect(e.outcome.status == .ok, "\(e.outcome.status) \(e.outcome.message ?? "")")
            #expect(e.outcome.stopLook == w.outcome.stopLook)
            #expect(abs(e.outcome.estimate - w.outcome.estimate) <= 1e-12 * max(1, abs(w.outcome.estimate)),
                    "\(e.outcome.estimate) vs \(w.outcome.estimate)")
            #expect(abs(e.outcome.standardError - w.outcome.standardError) <= 1e-9 * w.outcome.standardError)
            #expect(o.outcome.status == .ok)
            #expect(abs(o.outcome.estimate - w.outcome.estimate) <= 1e-12 * max(1, abs(w.outcome.estimate)))
        }
    }

    /// Unit values (no filters): the arrays' mean difference is the in-process one; the handshake
    /// is recorded as protocol 2 beside the v1 engine's protocol 1; and the in-process Welch rows
    /// equal, bit for bit, those of a run without the protocol-2 engine (which takes the fast
    /// path: keeping values switches to the staged path, which gives the same bytes).
    @Test func unitValuesEngineMatchesInProcessDifferenceOfMeans() async throws {
        let study = Self.unitValuesStudy(covariate: false)
        let out = try await run(study, records: true)
        expectArraysMatchInProcess(out)
        let engines = out.cells[0].comparisons.compactMap { c in c.engine.map { (c.analysis, $0) } }
        #expect(engines.first { $0.0 == "ext" }?.1.protocolVersion == 2)
        #expect(engines.first { $0.0 == "ext" }?.1.needs == ["moments", "unit_values"])
        #expect(engines.first { $0.0 == "v1" }?.1.protocolVersion == 1)

        var withoutValues = study
        withoutValues.analyses.removeFirst()
        #expect(CellPlan.fastPathAppliesTo(withoutValues))
        let fast = try await run(withoutValues, records: true)
        #expect(fast.rows.filter { $0.analysis == "welch" } == out.rows.filter { $0.analysis == "welch" })
    }

    /// Unit values with covariate and winsorisation at the 95th percentile: the arrays hold the
    /// capped values the in-process analysis reads (their difference in means matches to 1e-12;
    /// uncapped values would differ by far more), and the x arrays agree with Σx (else the
    /// engine answers status error).
    @Test func unitValuesAreTheFilteredValues() async throws {
        let out = try await run(Self.unitValuesStudy(covariate: true, options: AnalysisOptions(winsorize: WinsorizeRule(upper: 0.95))), records: true)
        expectArraysMatchInProcess(out)
        #expect(out.cells[0].comparisons.first { $0.analysis == "ext" }?.engine?.needs == ["moments", "unit_values", "covariate"])
    }

    /// An engine that asks for unit values while speaking protocol 1 is refused at the
    /// handshake, with a message naming the need and the protocol that provides it.
    @Test func unitValuesNeedProtocol2() async throws {
        do {
            _ = try await run(Self.study(Self.fakeEngine("v1-unit-values")))
            Issue.record("the run should have failed")
        } catch let e as SimulationError {
            #expect(e.description.contains("needs \"unit_values\", which protocol 1 does not provide"), "\(e)")
            #expect(e.description.contains("answer protocol 2"), "\(e)")
        }
    }
}
