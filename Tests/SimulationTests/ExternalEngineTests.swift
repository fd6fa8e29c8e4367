import Analysis
import Foundation
import Testing
@testable import Simulation

/// The external-engine protocol, driven by the fake engine of Tests/Fixtures/engines and the
/// template adapter of scripts/adapters (python3 is needed, as for the reference scripts).
@Suite(.serialized) struct ExternalEngineTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fake = root.appendingPathComponent("Tests/Fixtures/engines/fake_engine.py").path

    static func study(_ engine: ExternalEngineSpec, replications: Int = 40, units: Int = 400, estimand: Estimand = .absolute,
                      looks: LookSchedule = .final, policy: StoppingPolicy = .fixedHorizon) -> Study {
        var ext = AnalysisSpec(id: "ext", metric: "rev", method: .external, estimand: estimand, policy: policy)
        ext.external = engine
        return Study(id: "test.engine", seed: 11, replications: replications,
                     population: PopulationSpec(units: units, days: 10),
                     metrics: [MetricSpec(name: "rev", kind: .distribution(.lognormal(mu: 0, sigma: 1)), prePeriodCorrelation: 0.5)],
                     experiment: ExperimentSpec(variants: [("control", 0.5), ("treatment", 0.5)], assignment: .ideal),
                     analyses: [ext, AnalysisSpec(id: "welch", metric: "rev", method: .welchT, estimand: estimand, policy: policy)],
                     looks: looks)
    }

    static func fakeEngine(_ args: String..., timeout: Double = 20) -> ExternalEngineSpec {
        ExternalEngineSpec(command: ["python3", fake] + args, engine: "fake", timeoutSeconds: timeout)
    }

    func run(_ study: Study, threads: Int = 2, records: Bool = false) async throws -> SimulationRunner.Output {
        var runner = SimulationRunner(threads: threads)
        runner.keepRecords = records
        return try await runner.run(scenarioID: study.id, cells: [CellInput(index: 0, label: "base", factors: [], study: study)], gates: [])
    }

    /// A fake engine that adds 0.25 to Welch's difference: on an A/A (truth 0) the harness
    /// measures a bias within 4 MCSE of 0.25, and the in-process Welch test's within 4 MCSE of 0.
    @Test func biasedEngineBiasIsMeasured() async throws {
        let out = try await run(Self.study(Self.fakeEngine("biased", "0.25"), replications: 200))
        let ext = try #require(out.cells[0].comparisons.first { $0.analysis == "ext" })
        let welch = try #require(out.cells[0].comparisons.first { $0.analysis == "welch" })
        let b = try #require(ext.value(.bias)), w = try #require(welch.value(.bias))
        #expect(ext.replications == 200 && ext.failed.isEmpty)
        #expect(abs(b.estimate - 0.25) <= 4 * (b.mcse ?? 0), "engine bias \(b)")
        #expect(abs(w.estimate) <= 4 * (w.mcse ?? 0), "welch bias \(w)")
        // The engine's biased estimates and the in-process ones differ by exactly the bias.
        #expect(abs(b.estimate - w.estimate - 0.25) < 1e-9)
        #expect(ext.method == "external")
        #expect(ext.engine == EngineInfo(command: ["python3", Self.fake, "biased", "0.25"], engine: "fake", version: "fake-1", protocolVersion: 1, needs: ["moments"]))
    }

    /// With no bias the engine is Welch's statistic: each replication's estimate and SE equal
    /// the in-process `welch_t` ones to 1e-9 (relative), at every look of a peeking analysis.
    @Test func unbiasedEngineMatchesWelchPerReplication() async throws {
        let out = try await run(Self.study(Self.fakeEngine("biased", "0"), looks: .equallySpaced(3), policy: .naivePeeking), records: true)
        let ext = out.rows.filter { $0.analysis == "ext" }, welch = out.rows.filter { $0.analysis == "welch" }
        #expect(ext.count == 40 && welch.count == 40)
        for (e, w) in zip(ext, welch) {
            #expect(e.outcome.status == .ok)
            #expect(e.outcome.stopLook == w.outcome.stopLook)
            #expect(abs(e.outcome.estimate - w.outcome.estimate) <= 1e-9 * max(1, abs(w.outcome.estimate)))
            #expect(abs(e.outcome.standardError - w.outcome.standardError) <= 1e-9 * w.outcome.standardError)
        }
    }

    /// Results are byte-identical for 1 and 3 threads (the answers are keyed by id and placed
    /// by (replication, look, comparison)).
    @Test func identicalForAnyThreadCount() async throws {
        let study = Self.study(Self.fakeEngine("biased", "0.1"), replications: 48, looks: .equallySpaced(2), policy: .naivePeeking)
        let one = try await run(study, threads: 1), three = try await run(study, threads: 3)
        #expect(one.cells == three.cells)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let a = try encoder.encode(one.cells), b = try encoder.encode(three.cells)
        #expect(a == b)
    }

    /// A failure is data: only the replication whose request failed carries the status and a
    /// message; the others are analysed.
    func failure(_ mode: String, timeout: Double = 20) async throws -> CellResult {
        let out = try await run(Self.study(Self.fakeEngine(mode, "5", timeout: timeout)))
        let cell = out.cells[0]
        let ext = try #require(cell.comparisons.first { $0.analysis == "ext" })
        #expect(ext.replications == 39, "\(mode): \(ext.failed)")
        #expect(cell.failures.filter { $0.analysis == "ext" }.map(\.replication) == [5])
        return cell
    }

    @Test func crashingEngineGivesCrashStatus() async throws {
        let cell = try await failure("crash-at")
        let f = try #require(cell.failures.first { $0.analysis == "ext" })
        #expect(f.status == "engine_crashed")
        #expect(f.message?.contains("exit status 3") == true, "\(f.message ?? "")")
        #expect(f.message?.contains("crashing on purpose") == true, "\(f.message ?? "")")
    }

    @Test func hangingEngineGivesTimeoutStatus() async throws {
        // 3 s: far above a real answer's milliseconds even on a loaded machine.
        let cell = try await failure("hang-at", timeout: 3)
        let f = try #require(cell.failures.first { $0.analysis == "ext" })
        #expect(f.status == "engine_timeout")
        #expect(f.message?.contains("no answer within 3.0 s") == true, "\(f.message ?? "")")
    }

    @Test func malformedAnswerGivesMalformedStatus() async throws {
        let cell = try await failure("malformed-at")
        let f = try #require(cell.failures.first { $0.analysis == "ext" })
        #expect(f.status == "engine_malformed")
        #expect(f.message?.contains("this is not JSON") == true, "\(f.message ?? "")")
    }

    @Test func itemErrorGivesEngineErrorWithItsMessage() async throws {
        let cell = try await failure("error-at")
        let f = try #require(cell.failures.first { $0.analysis == "ext" })
        #expect(f.status == "engine_error")
        #expect(f.message?.contains("fake engine refuses this item") == true, "\(f.message ?? "")")
    }

    /// An engine that always dies exhausts the restart budget: the run ends with a message that
    /// names the engine, the failure and the request.
    @Test func alwaysCrashingEngineEndsTheRunNamingEngineAndRequest() async throws {
        do {
            _ = try await run(Self.study(Self.fakeEngine("crash-always")))
            Issue.record("the run should have failed")
        } catch let e as SimulationError {
            #expect(e.description.contains("external engine fake"), "\(e)")
            #expect(e.description.contains("engine_crashed"), "\(e)")
            #expect(e.description.contains("the failing request began: {\"type\":\"analyse\""), "\(e)")
        }
    }

    @Test func handshakeWithAnotherNameEndsTheRun() async throws {
        do {
            _ = try await run(Self.study(Self.fakeEngine("wrong-name")))
            Issue.record("the run should have failed")
        } catch let e as SimulationError {
            #expect(e.description.contains("calls itself \"someone-else\""), "\(e)")
        }
    }

    /// The shipped template adapter: Welch's difference (absolute) and the delta-method lift
    /// (relative) from the same sums as the in-process `welch_t`, to 1e-9; with config
    /// `unit_values: true` (protocol 2) from the unit values instead, to the same tolerance.
    @Test(arguments: [Estimand.absolute, .relative], [false, true])
    func templateAdapterMatchesInProcessWelch(_ estimand: Estimand, unitValues: Bool) async throws {
        let template = ExternalEngineSpec(command: ["python3", Self.root.appendingPathComponent("scripts/adapters/template_adapter.py").path], engine: "template",
                                          configJSON: unitValues ? "{\"unit_values\":true}" : "{}")
        let out = try await run(Self.study(template, replications: 24, estimand: estimand), records: true)
        #expect(out.cells[0].comparisons.first { $0.analysis == "ext" }?.engine?.needs == (unitValues ? ["moments", "unit_values"] : ["moments"]))
        let ext = out.rows.filter { $0.analysis == "ext" }, welch = out.rows.filter { $0.analysis == "welch" }
        #expect(ext.count == 24)
        for (e, w) in zip(ext, welch) {
            #expect(e.outcome.status == .ok)
            #expect(abs(e.outcome.estimate - w.outcome.estimate) <= 1e-9 * max(1, abs(w.outcome.estimate)))
            #expect(abs(e.outcome.standardError - w.outcome.standardError) <= 1e-9 * w.outcome.standardError)
        }
    }
}

/// The gbstats adapter against the in-process methods where the maths is the same. Runs only
/// when `scripts/setup --adapters` has made .build/adapters-venv (skipped with a message
/// otherwise).
let gbstatsPython = ExternalEngineTests.root.appendingPathComponent(".build/adapters-venv/bin/python").path
let gbstatsAvailable = FileManager.default.isExecutableFile(atPath: gbstatsPython)

@Suite(.serialized, .enabled(if: gbstatsAvailable, "gbstats venv absent: run scripts/setup --adapters"))
struct GbstatsAdapterTests {
    static let python = gbstatsPython
    static let adapter = ExternalEngineTests.root.appendingPathComponent("scripts/adapters/gbstats_adapter.py").path

    static func engine(_ config: String) -> ExternalEngineSpec {
        ExternalEngineSpec(command: [python, adapter], engine: "gbstats", configJSON: config)
    }

    /// Rows of the gbstats analysis and of the in-process one, replication by replication.
    func rows(_ config: String, method: AnalysisMethod, estimand: Estimand = .relative, looks: LookSchedule = .final,
              gbPolicy: StoppingPolicy = .fixedHorizon, policy: StoppingPolicy = .fixedHorizon) async throws -> [(ReplicationRow, ReplicationRow)] {
        var ext = AnalysisSpec(id: "gb", metric: "rev", method: .external, estimand: estimand, policy: gbPolicy)
        ext.external = Self.engine(config)
        let study = Study(id: "test.gbstats", seed: 5, replications: 24, population: PopulationSpec(units: 600, days: 10),
                          metrics: [MetricSpec(name: "rev", kind: .distribution(.lognormal(mu: 0, sigma: 1)), prePeriodCorrelation: 0.6)],
                          experiment: ExperimentSpec(variants: [("control", 0.5), ("treatment", 0.5)], assignment: .ideal),
                          analyses: [ext, AnalysisSpec(id: "sb", metric: "rev", method: method, estimand: estimand, policy: policy)],
                          looks: looks)
        var runner = SimulationRunner(threads: 2)
        runner.keepRecords = true
        let out = try await runner.run(scenarioID: study.id, cells: [CellInput(index: 0, label: "base", factors: [], study: study)], gates: [])
        let gb = out.rows.filter { $0.analysis == "gb" }, sb = out.rows.filter { $0.analysis == "sb" }
        #expect(gb.count == 24 && sb.count == 24)
        #expect(out.cells[0].comparisons[0].engine?.version == "gbstats 0.8.0")
        return Array(zip(gb, sb))
    }

    static func close(_ a: Double, _ b: Double, _ tol: Double = 1e-9) -> Bool { abs(a - b) <= tol * max(1, abs(b)) }

    /// Relative lift: gbstats' estimate and delta-method SE equal welch_t's (relative) to 1e-9;
    /// its p-value is Student t at the Welch df, SplitBench's the normal, so gbstats' is larger.
    @Test func frequentistRelativeLiftMatchesWelch() async throws {
        for (g, s) in try await rows("{\"test\":\"frequentist\"}", method: .welchT) {
            #expect(g.outcome.status == .ok)
            #expect(Self.close(g.outcome.estimate, s.outcome.estimate), "\(g.outcome.estimate) vs \(s.outcome.estimate)")
            #expect(Self.close(g.outcome.standardError, s.outcome.standardError), "\(g.outcome.standardError) vs \(s.outcome.standardError)")
            #expect(g.outcome.pValue >= s.outcome.pValue - 1e-12)
        }
    }

    /// Absolute difference: estimate, SE and (both Welch t) p-value equal to 1e-9.
    @Test func frequentistAbsoluteMatchesWelch() async throws {
        for (g, s) in try await rows("{\"test\":\"frequentist\"}", method: .welchT, estimand: .absolute) {
            #expect(Self.close(g.outcome.estimate, s.outcome.estimate))
            #expect(Self.close(g.outcome.standardError, s.outcome.standardError))
            #expect(Self.close(g.outcome.pValue, s.outcome.pValue, 1e-8), "\(g.outcome.pValue) vs \(s.outcome.pValue)")
            #expect(Self.close(g.outcome.lower, s.outcome.lower, 1e-8) && Self.close(g.outcome.upper, s.outcome.upper, 1e-8))
        }
    }

    /// Sequential: gbstats' confidence sequence (N* = 5000) at each daily look against
    /// SplitBench's `confidence_sequence` policy with the same N*: the same stopping look, and
    /// at a final look without a stop the same interval, to 1e-9.
    @Test func sequentialMatchesConfidenceSequence() async throws {
        let pairs = try await rows("{\"test\":\"sequential\",\"sequential_tuning_parameter\":5000}", method: .welchT,
                                   looks: .everyDays(1), gbPolicy: .naivePeeking, policy: .confidenceSequence(tuningSampleSize: 5000))
        for (g, s) in pairs {
            #expect(g.outcome.rejected == s.outcome.rejected && g.outcome.stopLook == s.outcome.stopLook)
            #expect(Self.close(g.outcome.lower, s.outcome.lower) && Self.close(g.outcome.upper, s.outcome.upper),
                    "[\(g.outcome.lower), \(g.outcome.upper)] vs [\(s.outcome.lower), \(s.outcome.upper)]")
        }
    }

    /// Bayesian (flat prior): gbstats' chance to win equals SplitBench's normal–normal chance to
    /// beat control, and the 95% stopping rule stops at the same look.
    @Test func bayesianChanceToWinMatches() async throws {
        let pairs = try await rows("{\"test\":\"bayesian\"}", method: .welchT, looks: .everyDays(1),
                                   gbPolicy: .bayesianStop(threshold: 0.95), policy: .bayesianStop(threshold: 0.95))
        for (g, s) in pairs {
            #expect(g.outcome.stopLook == s.outcome.stopLook && g.outcome.rejected == s.outcome.rejected)
            #expect(Self.close(g.outcome.chanceToBeat ?? -1, s.outcome.chanceToBeat ?? -2), "\(g.outcome.chanceToBeat ?? -1) vs \(s.outcome.chanceToBeat ?? -2)")
        }
    }

    /// CUPED, absolute: gbstats' regression adjustment (θ pooled over both arms) gives the
    /// in-process CUPED estimate and SE to 1e-9.
    @Test func cupedMatches() async throws {
        for (g, s) in try await rows("{\"test\":\"frequentist\",\"cuped\":true}", method: .cuped, estimand: .absolute) {
            #expect(Self.close(g.outcome.estimate, s.outcome.estimate), "\(g.outcome.estimate) vs \(s.outcome.estimate)")
            #expect(Self.close(g.outcome.standardError, s.outcome.standardError), "\(g.outcome.standardError) vs \(s.outcome.standardError)")
        }
    }
}
