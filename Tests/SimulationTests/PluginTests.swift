import Analysis
import Distributions
import Foundation
import Testing
import Simulation  // not @testable: plug-ins use the public protocols only

/// A toy design defined outside Simulation: alternate arms by arrival rank, update on days 3
/// and 6, and record every period it sees.
struct AlternatingDesign: Design {
    var kind: String { "alternating" }
    var analysisUnit: AnalysisUnitKind { .unit }
    let log: PeriodLog
    func updateDays(study: Study) -> [Double] { [3, 6] }
    func start(_ context: ReplicationContext, table: ColumnTable) throws(SimulationError) -> any DesignRun { Run(log: log) }

    final class Run: DesignRun {
        let log: PeriodLog
        init(log: PeriodLog) { self.log = log }
        func assign(period: Period, units: Range<Int>, table: ColumnTable) {
            for i in units { table.arm[i] = Int32(i % 2); table.firstExposure[i] = table.arrival[i] }
        }
        func periodEnded(_ period: Period, statistics: PeriodStatistics) {
            log.append(period, statistics.counts)
        }
    }
}

/// Records (period, logged counts per arm) across calls; thread-safe.
final class PeriodLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(Period, [Int])] = []
    func append(_ p: Period, _ counts: [Int]) { lock.lock(); entries.append((p, counts)); lock.unlock() }
    var all: [(Period, [Int])] { lock.lock(); defer { lock.unlock() }; return entries }
}

/// A toy fault defined outside Simulation: each treated unit's exposure is lost (not logged)
/// with probability `loss`, drawn from the fault's own stream.
struct LoseTreatmentExposures: Fault {
    var kind: String { "lose_treatment_exposures" }
    let loss: Double
    func start(_ context: ReplicationContext, stream: RandomStream) -> any FaultRun { Run(loss: loss, stream: stream) }

    final class Run: FaultRun {
        let loss: Double
        let stream: RandomStream
        init(loss: Double, stream: RandomStream) { self.loss = loss; self.stream = stream }
        func apply(period: Period, units: Range<Int>, table: ColumnTable) {
            for i in units where table.arm[i] == 1 && stream.uniform() < loss { table.loggedArm[i] = -1 }
        }
    }
}

/// The architecture test: a design and a fault from a test target plug into the engine
/// through the public protocols, without touching Simulation's sources.
@Suite struct PluginTests {
    func study(design: (any Design)? = nil, faults: [any Fault] = []) -> Study {
        var s = Study(id: "plugin", seed: 11, replications: 300,
                      population: PopulationSpec(units: 2000, days: 10),
                      metrics: [MetricSpec(name: "conv", kind: .binary(baseline: 0.2))],
                      experiment: ExperimentSpec(variants: [("control", 0.5), ("treatment", 0.5)], assignment: .ideal),
                      analyses: [AnalysisSpec(id: "z", metric: "conv", method: .zTest),
                                 AnalysisSpec(id: "srm", metric: nil, method: .srm, alpha: 0.001)],
                      looks: .everyDays(5))
        s.design = design
        s.faults = faults
        return s
    }

    /// The toy design runs period by period: looks on days 5 and 10 plus its update days 3
    /// and 6 make four periods, each handed to `periodEnded` with its own logged counts, and
    /// its alternating assignment is exactly balanced.
    @Test func toyDesignRunsByPeriod() throws {
        let log = PeriodLog()
        let plan = try CellPlan(study: study(design: AlternatingDesign(log: log)), scenarioID: "plugin", cellIndex: 0)
        #expect(!plan.fastPathApplies)
        #expect(plan.periods.map(\.endDay) == [3, 5, 6, 10])
        #expect(plan.periods.map(\.look) == [nil, 0, nil, 1])
        let engine = ReplicationEngine(plan: plan)
        let stats = try engine.observe(replication: 0, table: ColumnTable())
        #expect(stats.looks == 2)
        #expect(stats.counts == [500, 500, 1000, 1000])
        let seen = log.all
        #expect(seen.map(\.0.index) == [0, 1, 2, 3])
        #expect(seen.map { $0.1.reduce(0, +) } == [600, 400, 200, 800])
    }

    /// The toy fault loses 20% of the treatment's exposures. Expected logged counts are 1000
    /// and 800, so χ² ≈ 2·100²/900 = 22.2 (non-centrality), and the SRM check at α = 0.001
    /// (|Z| ≥ 3.29) has power ≈ Φ(√22.2 − 3.29) = Φ(1.42) ≈ 0.92: the estimate is within 4 MCSE
    /// of it. The logged treatment share is 0.8/1.8 of the logged units, and
    /// without the fault the SRM check flags at most its α = 0.001 (+ 4 MCSE).
    @Test func toyFaultIsCaughtBySRM() async throws {
        let runner = SimulationRunner(threads: 2)
        let faulty = try await runner.run(scenarioID: "plugin", cells: [EngineTests.cell(study(faults: [LoseTreatmentExposures(loss: 0.2)]))], gates: []).cells[0]
        let clean = try await runner.run(scenarioID: "plugin", cells: [EngineTests.cell(study())], gates: []).cells[0]
        let srmFaulty = try #require(faulty.comparisons.first { $0.analysis == "srm" }?.value(.rejectionRate))
        let srmClean = try #require(clean.comparisons.first { $0.analysis == "srm" }?.value(.rejectionRate))
        #expect(abs(srmFaulty.estimate - 0.92) <= 4 * (0.92 * 0.08 / 300).squareRoot(), "\(srmFaulty)")
        #expect(srmClean.estimate <= 0.001 + 4 * (0.001 * 0.999 / 300).squareRoot(), "\(srmClean)")
        let plan = try CellPlan(study: study(faults: [LoseTreatmentExposures(loss: 0.2)]), scenarioID: "plugin", cellIndex: 0)
        let stats = try ReplicationEngine(plan: plan).observe(replication: 0, table: ColumnTable())
        let control = Double(stats.counts[2]), treated = Double(stats.counts[3])
        let share = treated / (control + treated), expected = 0.8 / 1.8
        #expect(abs(share - expected) <= 4 * (expected * (1 - expected) / (control + treated)).squareRoot(), "share \(share)")
    }
}
