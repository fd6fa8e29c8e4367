import Foundation
import Testing
@testable import Simulation

/// The ramp design against its stated truth (issue #18): a ramp from 10% to 50% treatment at
/// day 7 of 14, revenue N(10, 3²) drifting by 2% of its day-0 mean per day (+0.2 per calendar
/// day, by whole day), and a harmful effect of −0.3.
///
/// The closed form, worked out here: arrivals are uniform over the 14 days, so half the units
/// arrive in each week, and the whole days since day 0 average 3 in week 1 and 10 in week 2.
/// The treatment's units come 0.5·0.1 / (0.5·0.1 + 0.5·0.5) = 1/6 from week 1 and 5/6 from week 2
/// (mean day 1/6·3 + 5/6·10 = 8.8333); the control's 0.45/0.7 = 9/14 and 5/14 (mean day
/// 9/14·3 + 5/14·10 = 5.5). The pooled difference in means is therefore
/// −0.3 + 0.2·(8.8333 − 5.5) = −0.3 + 0.6667 = +0.3667: a bias of +2/3 against the truth −0.3,
/// and of the opposite sign. Stratified by allocation period, each week compares units of the
/// same arrival mix: unbiased, with 95% intervals that cover 95% of the time.
///
/// Bands: 4 MCSE, two-sided for coverage (R = 600: 4·√(0.95·0.05/600) = 0.036, so coverage
/// stuck at 1 fails as surely as coverage of 0.9).
@Suite struct RampTests {
    static let replications = 600

    static func study(trend: Double) -> Study {
        var s = Study(id: "test.ramp", seed: 20_261_203, replications: replications,
                      population: PopulationSpec(units: 1000, days: 14),
                      metrics: [MetricSpec(name: "revenue", kind: .distribution(.normal(mean: 10, sd: 3)))],
                      experiment: ExperimentSpec(hash: "growthbook_v2", variants: [("control", 0.5), ("treatment", 0.5)]),
                      effects: ["treatment": ["revenue": EffectSpec(.absolute(-0.3))]],
                      analyses: [AnalysisSpec(id: "pooled", metric: "revenue", method: .welchT),
                                 AnalysisSpec(id: "stratified", metric: "revenue", method: .welchT,
                                              options: AnalysisOptions(stratify: .allocationPeriod))])
        s.components = [MetricComponent(metric: "revenue", component: Seasonality(weekly: [Double](repeating: 1, count: 7), trendPerDay: trend))]
        s.design = Ramp(study: s, stages: [(0, [0.9, 0.1]), (7, [0.5, 0.5])])
        return s
    }

    static func summaries(_ study: Study) async throws -> [String: ComparisonSummary] {
        let cells = try await SimulationRunner(threads: 2).run(
            scenarioID: study.id, cells: [CellInput(index: 0, label: "base", factors: [], study: study)], gates: []).cells
        let comparisons = try #require(cells.first?.comparisons)
        return Dictionary(uniqueKeysWithValues: comparisons.map { ($0.analysis, $0) })
    }

    @Test func pooledIsBiasedByTheDriftAndStratifiedIsNot() async throws {
        let s = try await Self.summaries(Self.study(trend: 0.02))
        let pooled = try #require(s["pooled"]), stratified = try #require(s["stratified"])
        // The truth is the effect, for both analyses.
        #expect(abs((pooled.truth ?? 0) + 0.3) < 1e-9 && abs((stratified.truth ?? 0) + 0.3) < 1e-9)
        #expect(pooled.replications == Self.replications && pooled.failed.isEmpty && stratified.failed.isEmpty)

        let expectedBias = 0.2 * (8.0 + 5.0 / 6.0 - 5.5)  // +2/3
        let pb = try #require(pooled.value(.bias)), pm = try #require(pb.mcse)
        #expect(abs(pb.estimate - expectedBias) <= 4 * pm, "pooled bias \(pb.estimate) ± \(pm), closed form \(expectedBias)")
        #expect(pb.estimate > 0.3)  // the sign flips: −0.3 + bias > 0

        let sb = try #require(stratified.value(.bias)), sm = try #require(sb.mcse)
        #expect(abs(sb.estimate) <= 4 * sm, "stratified bias \(sb.estimate) ± \(sm)")
        let cmcse = (0.95 * 0.05 / Double(Self.replications)).squareRoot()
        let sc = try #require(stratified.value(.coverage))
        #expect(abs(sc.estimate - 0.95) <= 4 * cmcse, "stratified coverage \(sc.estimate)")
        // The pooled interval is centred 2/3 away from the truth (about 4 of its SEs): it misses
        // almost always.
        let pc = try #require(pooled.value(.coverage))
        #expect(pc.estimate < 0.5, "pooled coverage \(pc.estimate)")
    }

    /// Without drift the ramp alone does no harm: the pooled comparison is unbiased and covers.
    @Test func withoutDriftPooledIsUnbiased() async throws {
        let s = try await Self.summaries(Self.study(trend: 0))
        let pooled = try #require(s["pooled"])
        let b = try #require(pooled.value(.bias)), m = try #require(b.mcse)
        #expect(abs(b.estimate) <= 4 * m, "pooled bias \(b.estimate) ± \(m)")
        let cmcse = (0.95 * 0.05 / Double(Self.replications)).squareRoot()
        let c = try #require(pooled.value(.coverage))
        #expect(abs(c.estimate - 0.95) <= 4 * cmcse, "pooled coverage \(c.estimate)")
    }
}
