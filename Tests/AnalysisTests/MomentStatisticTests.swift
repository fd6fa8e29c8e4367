import Foundation
import Testing
@testable import Analysis

@Suite struct MomentStatisticTests {
    /// y = (3, 1, 4, 1, 5), x = (2, 7, 1, 8, 2): Σy = 14, Σy² = 9 + 1 + 16 + 1 + 25 = 52,
    /// Σx = 20, Σx² = 4 + 49 + 1 + 64 + 4 = 122, Σxy = 6 + 7 + 4 + 8 + 10 = 35 (exact in binary).
    @Test func addAccumulatesTheSixSums() throws {
        var m = MomentStatistic()
        for (y, x) in zip([3.0, 1, 4, 1, 5], [2.0, 7, 1, 8, 2]) { m.add(y, covariate: x) }
        #expect(m == MomentStatistic(n: 5, sum: 14, sumOfSquares: 52, covariateSum: 20, covariateSumOfSquares: 122, crossSum: 35))
        #expect(try MomentStatistic(values: [3, 1, 4, 1, 5], covariates: [2, 7, 1, 8, 2]) == m)
        #expect(MomentStatistic() == .zero && MomentStatistic.zero.n == 0)
        #expect(throws: AnalysisError.self) { try MomentStatistic(values: [1, 2], covariates: [1]) }
    }

    /// Sums of distinct integers per field, so a field added into the wrong field, or a missing
    /// term, changes the result; integers below 2⁵³ add exactly, so `+` must be exactly
    /// associative and commutative and equal the statistics of the concatenated data.
    @Test func plusIsFieldwiseAssociativeAndCommutativeOnIntegerData() throws {
        let a = try MomentStatistic(values: [1, 2, 3], covariates: [10, 20, 30])
        let b = try MomentStatistic(values: [100, 200], covariates: [7, 9])
        let c = try MomentStatistic(values: [5, 6, 7, 8], covariates: [1000, 2000, 3000, 4000])
        #expect(a + b == MomentStatistic(n: 5, sum: 306, sumOfSquares: 14 + 50_000, covariateSum: 76,
                                         covariateSumOfSquares: 1400 + 130, crossSum: 140 + 700 + 1800))
        #expect((a + b) + c == a + (b + c))
        #expect(a + b == b + a)
        #expect((a + b) + c == (try MomentStatistic(values: [1, 2, 3, 100, 200, 5, 6, 7, 8],
                                                     covariates: [10, 20, 30, 7, 9, 1000, 2000, 3000, 4000])))
        #expect(a + .zero == a)
        #expect(MomentStatistic(combining: [a, b, c]) == (a + b) + c)
    }

    /// The harness accumulated `Sums` per look interval, prefix-summed the intervals into
    /// cumulative statistics and pooled arms with `g = Sums(); g = g + s…`. Doing the same with
    /// ``MomentStatistic`` on non-integer data (where the order of additions matters) must give
    /// the same bits in every field and the same converted statistics.
    @Test func bitIdenticalToTheHarnessSums() {
        var rng = SplitMix64(seed: 20_240_601)
        let looks = 4, arms = 3
        var new = [MomentStatistic](repeating: MomentStatistic(), count: looks * arms)
        var old = [ReferenceSums](repeating: ReferenceSums(), count: looks * arms)
        for i in 0..<3000 {
            let interval = min(i / 700, looks - 1), arm = Int(rng.next() % UInt64(arms))
            let x = 3 + rng.normal(), y = 0.37 * x + rng.normal() * 1.7 + 1e-3 * Double(i)
            new[interval * arms + arm].add(y, covariate: x)
            old[interval * arms + arm].add(y, x)
        }
        for k in 1..<looks {
            for a in 0..<arms {
                new[k * arms + a] = new[(k - 1) * arms + a] + new[k * arms + a]
                old[k * arms + a] = old[(k - 1) * arms + a] + old[k * arms + a]
            }
        }
        for j in new.indices {
            #expect(sameBits(new[j], old[j]), "cell \(j)")
            #expect(new[j].mean == old[j].mean && new[j].ratio == old[j].ratio && new[j].covariate == old[j].covariate)
        }
        // Pooling arms 1 and 2 at the last look.
        var g = ReferenceSums()
        for arm in [1, 2] { g = g + old[(looks - 1) * arms + arm] }
        #expect(sameBits(MomentStatistic(combining: [1, 2].map { new[(looks - 1) * arms + $0] }), g))
    }

    /// Each conversion gives the statistic the existing constructors build from the same unit
    /// values (they sum in the same order, so bit for bit), and the comparisons on them agree.
    @Test func conversionsFeedTheComparisonsLikeHandBuiltStatistics() throws {
        var rng = SplitMix64(seed: 7)
        let c = armData(&rng, n: 400, mean: 5), t = armData(&rng, n: 380, mean: 5.3)
        let mc = try MomentStatistic(values: c.y, covariates: c.x), mt = try MomentStatistic(values: t.y, covariates: t.x)

        #expect(mc.mean == MeanStatistic(values: c.y))
        #expect(sameBits(try Comparisons.welch(control: mc.mean, treatment: mt.mean),
                         try Comparisons.welch(control: MeanStatistic(values: c.y), treatment: MeanStatistic(values: t.y))))
        #expect(sameBits(try Comparisons.student(control: mc.mean, treatment: mt.mean, scale: .relative),
                         try Comparisons.student(control: MeanStatistic(values: c.y), treatment: MeanStatistic(values: t.y), scale: .relative)))

        let rc = try RatioStatistic(numerators: c.y, denominators: c.x), rt = try RatioStatistic(numerators: t.y, denominators: t.x)
        #expect(mc.ratio == rc)
        #expect(sameBits(try Comparisons.ratio(control: mc.ratio, treatment: mt.ratio), try Comparisons.ratio(control: rc, treatment: rt)))

        let cc = try CovariateStatistic(values: c.y, preValues: c.x), ct = try CovariateStatistic(values: t.y, preValues: t.x)
        #expect(mc.covariate == cc)
        let cupedNew = try Comparisons.cuped(control: mc.covariate, treatment: mt.covariate)
        let cupedOld = try Comparisons.cuped(control: cc, treatment: ct)
        #expect(sameBits(cupedNew.comparison, cupedOld.comparison) && sameBits(cupedNew.varianceReduction, cupedOld.varianceReduction))
        // y = 5 + 0.6(x − 10) + ε with sd(x) = 2: ρ² = 1.44/2.44 ≈ 0.59, so CUPED removes about that share.
        #expect(abs((cupedNew.varianceReduction ?? 0) - 1.44 / 2.44) < 0.1)

        let bc = armData(&rng, n: 500, mean: 0.1, binary: true), bt = armData(&rng, n: 500, mean: 0.14, binary: true)
        let pc = try MomentStatistic(values: bc.y, covariates: bc.x), pt = try MomentStatistic(values: bt.y, covariates: bt.x)
        let hand = ProportionStatistic(n: 500, successes: bc.y.filter { $0 == 1 }.count)
        #expect(pc.proportion == hand)
        #expect(sameBits(try Comparisons.twoProportion(control: pc.proportion, treatment: pt.proportion),
                         try Comparisons.twoProportion(control: hand, treatment: ProportionStatistic(n: 500, successes: bt.y.filter { $0 == 1 }.count))))
    }

    /// successes = Σy rounded to the nearest integer, as the harness did; a Σy that cannot be a
    /// count is reported as invalid statistics instead of trapping.
    @Test func proportionRoundsTheSumAndRejectsNonFiniteSums() throws {
        #expect(MomentStatistic(n: 10, sum: 2.9999999999).proportion == ProportionStatistic(n: 10, successes: 3))
        #expect(MomentStatistic(n: 10, sum: 3.5).proportion.successes == 4)  // ties away from zero, like Double.rounded()
        #expect(MomentStatistic(n: 10, sum: 3.4999).proportion.successes == 3)
        for bad in [Double.nan, .infinity, -.infinity, 1e300] {
            let p = MomentStatistic(n: 10, sum: bad).proportion
            #expect(p.successes == -1)
            let r = try Comparisons.twoProportion(control: p, treatment: ProportionStatistic(n: 10, successes: 3))
            #expect(r.status == .invalidStatistics)
        }
    }

    @Test func codableRoundTripKeepsEveryField() throws {
        let m = MomentStatistic(n: 3, sum: 1.5, sumOfSquares: 2.25, covariateSum: -4, covariateSumOfSquares: 16, crossSum: 0.125)
        let back = try JSONDecoder().decode(MomentStatistic.self, from: JSONEncoder().encode(m))
        #expect(back == m)
        #expect(Set([m, back, .zero]).count == 2)
    }
}

/// Summaries read from files (`splitbench analyze`) become moments and come back unchanged, so
/// the CLI and the harness share one comparison entry point without changing a number.
@Suite struct MomentStatisticSummaryTests {
    @Test func summariesRoundTrip() throws {
        let m = MeanStatistic(n: 7, sum: 12.5, sumOfSquares: 40.25)
        #expect(MomentStatistic(m).mean == m)
        let p = ProportionStatistic(n: 90, successes: 13)
        #expect(MomentStatistic(p).proportion == p)
        let c = CovariateStatistic(n: 5, sum: 10, sumOfSquares: 30, preSum: 8, preSumOfSquares: 20, crossSum: 22)
        #expect(MomentStatistic(c).covariate == c)
        // A 0/1 outcome's moments: Σy² = Σy.
        let direct = try MomentStatistic(values: [1, 0, 1, 1, 0], covariates: [0, 0, 0, 0, 0])
        #expect(MomentStatistic(ProportionStatistic(n: 5, successes: 3)) == direct)
    }
}
