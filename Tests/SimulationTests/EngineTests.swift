import Analysis
import Assignment
import Distributions
import Foundation
import Testing
@testable import Simulation

/// The replication engine's two paths, its stream identity and its plug-in stages.
@Suite struct EngineTests {
    static func cell(_ study: Study, factors: [FactorValue] = [], index: Int = 0) -> CellInput {
        CellInput(index: index, label: factors.isEmpty ? "base" : factors.map { "\($0.key)=\($0.value)" }.joined(separator: ", "),
                  factors: factors, study: study)
    }

    static func effectStudy(assignment: AssignmentMode, looks: LookSchedule = .equallySpaced(4)) -> Study {
        var s = Studies.aa(replications: 6, units: 900, assignment: assignment, looks: looks, policy: .naivePeeking)
        s.population.segments = [Segment(attribute: "platform", levels: ["web", "ios"], shares: [0.6, 0.4])]
        s.effects = ["treatment": ["conv": EffectSpec(.relative(0.2), bySegment: ["platform": ["ios": .absolute(0.05)]]),
                                   "rev": EffectSpec(.absolute(0.3))]]
        s.metrics.append(MetricSpec(name: "visits", kind: .distribution(.poisson(mean: 3))))
        s.metrics.append(MetricSpec(name: "ctr", kind: .ratio(denominator: .poisson(mean: 5), rate: 0.1)))
        s.analyses.append(AnalysisSpec(id: "v", metric: "visits", method: .welchT))
        s.analyses.append(AnalysisSpec(id: "r", metric: "ctr", method: .deltaRatio))
        return s
    }

    /// The staged path and the fused fast path observe exactly the same statistics (bit for
    /// bit) for static designs, with ideal and hashed assignment, segments, effects by segment,
    /// count and ratio metrics and several looks.
    @Test(arguments: [AssignmentMode.ideal, .hashed])
    func stagedEqualsFast(assignment: AssignmentMode) throws {
        let plan = try CellPlan(study: Self.effectStudy(assignment: assignment), scenarioID: "engine", cellIndex: 0)
        #expect(plan.fastPathApplies)
        let fast = ReplicationEngine(plan: plan), staged = ReplicationEngine(plan: plan, path: .staged)
        #expect(fast.usesFastPath && !staged.usesFastPath)
        let table = ColumnTable()
        for r in 0..<4 {
            let a = try fast.observe(replication: r, table: table)
            let b = try staged.observe(replication: r, table: table)
            #expect(a == b, "replication \(r)")
            #expect(a.counts.reduce(0, +) > 0)
        }
    }

    /// Golden streams: the stream identity (seed, scenario key, cell key, replication, purpose
    /// name) is pinned to literal values, so any change to how streams are derived — and so
    /// to every committed baseline — fails here first.
    @Test func goldenStreams() throws {
        #expect(CellPlan.fnv64("") == 0xCBF2_9CE4_8422_2325)
        #expect(StreamPurpose.outcome("revenue").key == CellPlan.fnv64("outcome/revenue"))
        let study = Studies.aa(replications: 2, units: 10)
        let plan = try CellPlan(study: study, scenarioID: "golden", cellIndex: 7, factors: [FactorValue(key: "population.units", value: "10")])
        let context = ReplicationContext(plan: plan, replication: 3)
        #expect(context.salt == "test.aa/7/\(String(format: "%016llx", plan.cellKey))/3")
        let s = context.stream(.outcome("revenue"))
        let draws = (0..<3).map { _ in s.nextUInt64() }
        #expect(draws == EngineGolden.revenueDraws, "\(draws.map { String($0, radix: 16) })")
        #expect(plan.cellKey == EngineGolden.cellKey, "\(String(plan.cellKey, radix: 16))")
    }

    /// The seed reaches the randomisation: two seeds give different hashed assignments.
    @Test func seedReachesTheSalt() throws {
        var study = Studies.aa(replications: 2, units: 400, assignment: .hashed)
        let p1 = try CellPlan(study: study, scenarioID: "s", cellIndex: 0)
        study.seed = 8
        let p2 = try CellPlan(study: study, scenarioID: "s", cellIndex: 0)
        var a = try HashedAssigner(study: p1.study, salt: ReplicationContext(plan: p1, replication: 0).salt)
        var b = try HashedAssigner(study: p2.study, salt: ReplicationContext(plan: p2, replication: 0).salt)
        let x = (0..<400).map { a.arm(ofUnit: $0) }, y = (0..<400).map { b.arm(ofUnit: $0) }
        #expect(x != y)
    }

    /// A cell's numbers depend on its factor values, not on its position: the cell
    /// `population.units=600` is identical whether the sweep is [300, 600] or [300, 450, 600].
    /// Adding an unrelated metric (with its own analysis) or a targeting attribute leaves the
    /// other analyses' numbers unchanged too.
    @Test func pinnedCellIgnoresUnrelatedChanges() async throws {
        let base = Studies.aa(replications: 24, units: 600, assignment: .hashed)
        let f = [FactorValue(key: "population.units", value: "600")]
        let runner = SimulationRunner(threads: 2)
        let a = try await runner.run(scenarioID: "pin", cells: [Self.cell(base, factors: f, index: 1)], gates: []).cells[0]
        let b = try await runner.run(scenarioID: "pin", cells: [Self.cell(base, factors: f, index: 2)], gates: []).cells[0]
        #expect(a.comparisons == b.comparisons)
        var more = base
        more.metrics.append(MetricSpec(name: "extra", kind: .binary(baseline: 0.4)))
        more.analyses.append(AnalysisSpec(id: "x", metric: "extra", method: .zTest))
        more.population.attributes = [PopulationAttribute(name: "country", values: [.string("SG"), .string("MY")], shares: [0.5, 0.5])]
        let c = try await runner.run(scenarioID: "pin", cells: [Self.cell(more, factors: f, index: 1)], gates: []).cells[0]
        #expect(Array(c.comparisons.prefix(a.comparisons.count)) == a.comparisons)
        #expect(c.comparisons.count == a.comparisons.count + 1)
        // And a different cell key does change the numbers (the test can fail).
        let d = try await runner.run(scenarioID: "pin", cells: [Self.cell(base, factors: [FactorValue(key: "population.units", value: "601")])], gates: []).cells[0]
        #expect(d.comparisons != a.comparisons)
    }
}

/// Values pinned by ``EngineTests/goldenStreams()``.
enum EngineGolden {
    static let cellKey: UInt64 = 12_976_270_248_349_204_731
    static let revenueDraws: [UInt64] = [5_669_593_364_421_037_047, 16_153_223_281_242_815_071, 7_124_991_492_897_572_694]
}
