import Analysis
import Testing
@testable import Simulation

enum Studies {
    static func aa(replications: Int = 400, units: Int = 2000, assignment: AssignmentMode = .ideal,
                   looks: LookSchedule = .final, policy: StoppingPolicy = .fixedHorizon) -> Study {
        Study(id: "test.aa", seed: 7, replications: replications,
              population: PopulationSpec(units: units, days: 10),
              metrics: [MetricSpec(name: "conv", kind: .binary(baseline: 0.2)),
                        MetricSpec(name: "rev", kind: .distribution(.lognormal(mu: 0, sigma: 1)), prePeriodCorrelation: 0.7)],
              experiment: ExperimentSpec(variants: [("control", 0.5), ("treatment", 0.5)], assignment: assignment),
              analyses: [AnalysisSpec(id: "z", metric: "conv", method: .zTest, policy: policy),
                         AnalysisSpec(id: "w", metric: "rev", method: .welchT, policy: policy),
                         AnalysisSpec(id: "c", metric: "rev", method: .cuped),
                         AnalysisSpec(id: "srm", metric: nil, method: .srm, alpha: 0.001)],
              looks: looks)
    }
}

@Suite struct RunnerTests {
    func run(_ study: Study, threads: Int) async throws -> [CellResult] {
        let runner = SimulationRunner(threads: threads)
        return try await runner.run(scenarioID: study.id, cells: [CellInput(index: 0, label: "base", factors: [], study: study)], gates: []).cells
    }

    @Test func resultsAreIdenticalForAnyThreadCount() async throws {
        let study = Studies.aa(replications: 60, units: 500)
        let one = try await run(study, threads: 1)
        let two = try await run(study, threads: 2)
        let five = try await run(study, threads: 5)
        #expect(one == two)
        #expect(one == five)
    }

    /// A/A with ideal randomisation: the z-test's false-positive rate is within 4 MCSE of 0.05
    /// and CUPED's variance reduction is within 4 MCSE of ρ² = 0.49.
    @Test func aaFalsePositiveRateAndCupedReduction() async throws {
        let cells = try await run(Studies.aa(), threads: 2)
        let z = try #require(cells[0].comparisons.first { $0.analysis == "z" })
        let fpr = try #require(z.value(.rejectionRate))
        #expect(abs(fpr.estimate - 0.05) <= 4 * (0.05 * 0.95 / 400.0).squareRoot(), "FPR \(fpr)")
        #expect(z.truth == 0)
        let c = try #require(cells[0].comparisons.first { $0.analysis == "c" })
        let vr = try #require(c.value(.varianceReduction))
        #expect(abs(vr.estimate - 0.49) <= 4 * (vr.mcse ?? 1), "variance reduction \(vr)")
        #expect(z.failed.isEmpty)
    }

    /// Naive peeking at 5 looks inflates the false-positive rate above 0.05.
    @Test func naivePeekingInflatesFalsePositives() async throws {
        let cells = try await run(Studies.aa(replications: 800, looks: .equallySpaced(5), policy: .naivePeeking), threads: 2)
        let z = try #require(cells[0].comparisons.first { $0.analysis == "z" })
        let fpr = try #require(z.value(.rejectionRate))
        // Armitage et al.: 0.1417 at K = 5; 4 MCSE at R = 800 is ≈ 0.049.
        #expect(abs(fpr.estimate - 0.1417) <= 4 * (0.1417 * 0.8583 / 800).squareRoot(), "naive FPR \(fpr)")
    }
}

@Suite struct SequentialPolicyTests {
    func run(_ policy: StoppingPolicy, replications: Int = 1500) async throws -> ComparisonSummary {
        var study = Studies.aa(replications: replications, units: 2000, looks: .equallySpaced(5))
        study.analyses = [AnalysisSpec(id: "p", metric: "conv", method: .zTest, policy: policy)]
        let cells = try await SimulationRunner(threads: 2).run(scenarioID: study.id,
            cells: [CellInput(index: 0, label: "base", factors: [], study: study)], gates: []).cells
        return try #require(cells[0].comparisons.first)
    }

    /// Valid sequential designs keep the false-positive rate at (or below) α: the estimate is
    /// at most 0.05 + 3 MCSE at this fixed seed.
    @Test(arguments: [StoppingPolicy.groupSequential(spending: .obrienFleming, plannedUnits: nil),
                      .groupSequential(spending: .pocock, plannedUnits: nil),
                      .groupSequential(spending: .power(rho: 2), plannedUnits: 4000),
                      .mixtureSPRT(tau2: 0.001), .confidenceSequence(tuningSampleSize: 2000)])
    func validPoliciesHoldAlpha(_ policy: StoppingPolicy) async throws {
        let s = try await run(policy)
        let fpr = try #require(s.value(.rejectionRate))
        #expect(fpr.estimate <= 0.05 + 3 * (0.05 * 0.95 / 1500).squareRoot(), "\(policy.name): \(fpr)")
        #expect(try #require(s.value(.coverage)).estimate >= 0.95 - 3 * (0.05 * 0.95 / 1500).squareRoot())
    }

    /// A group sequential design truncated because traffic exceeds plan stops at the look where
    /// the information fraction first reaches 1 (look 4 of 5 at 150% of plan).
    @Test func truncatedDesignStopsAtFullInformation() async throws {
        let s = try await run(.groupSequential(spending: .obrienFleming, plannedUnits: 1334), replications: 200)
        #expect(s.rejectionsByLook.count == 5)
        let stop = try #require(s.value(.meanStopLook))
        #expect(stop.estimate <= 4)
    }

    /// Stopping when the chance to beat control exceeds 95% at any of 5 looks is not a 5% test.
    @Test func bayesianStoppingInflatesFalsePositives() async throws {
        let s = try await run(.bayesianStop(threshold: 0.95))
        #expect(try #require(s.value(.rejectionRate)).estimate > 0.08)
    }
}
