import Testing
@testable import Analysis

@Suite struct SufficientStatisticsTests {
    @Test func meanStatisticMatchesDirectComputation() {
        // ORACLES §11: a = [12.1, ...] has mean 13.525 and variance 1.496428571 (ddof 1).
        let a = [12.1, 14.3, 13.8, 15.2, 11.9, 13.4, 14.8, 12.7]
        let s = MeanStatistic(values: a)
        #expect(s.n == 8)
        #expect(abs((s.mean ?? .nan) - 13.525) < 1e-12)
        #expect(abs((s.variance ?? .nan) - 1.496428571428571) < 1e-9)
    }

    @Test func additionEqualsConcatenation() {
        let x = [1.0, 2.5, -3.0], y = [4.0, 0.5]
        #expect(MeanStatistic(values: x) + MeanStatistic(values: y) == MeanStatistic(values: x + y))
        #expect(ProportionStatistic(n: 10, successes: 3) + .zero == ProportionStatistic(n: 10, successes: 3))
    }

    @Test func degenerateGroupsHaveNoMeanOrVariance() {
        #expect(MeanStatistic.zero.mean == nil)
        #expect(MeanStatistic(values: [3.0]).variance == nil)
        #expect(ProportionStatistic.zero.proportion == nil)
    }
}
