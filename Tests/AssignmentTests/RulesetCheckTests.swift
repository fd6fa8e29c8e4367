import Foundation
import Testing
@testable import Assignment

@Suite struct RulesetCheckTests {
    /// ORACLES.md §7 (SRM): scipy.stats.chisquare values, 10 significant digits.
    @Test(arguments: [
        ([600.0, 400], [0.5, 0.5], 40.0, 2.539628589e-10),
        ([50_000.0, 49_000], [0.5, 0.5], 10.1010101, 0.001481880775),
        ([821_588.0, 815_482], [0.5, 0.5], 22.77436884, 1.821792873e-06),
        ([5_100.0, 2_400, 2_500], [0.5, 0.25, 0.25], 6.0, 0.04978706837),
        ([20_200.0, 79_800], [0.2, 0.8], 2.5, 0.113846298),
    ])
    func srmMatchesOracles(_ observed: [Double], _ weights: [Double], _ chi2: Double, _ p: Double) throws {
        let n = observed.reduce(0, +)
        let t = try #require(ChiSquareTest.goodnessOfFit(observed: observed, expected: weights.map { $0 * n }, degreesOfFreedom: weights.count - 1))
        #expect(abs(t.chiSquare - chi2) / chi2 < 1e-8)
        #expect(abs(t.pValue - p) / p < 1e-8)
    }

    @Test func independenceOfAKnownTable() throws {
        // scipy.stats.chi2_contingency([[10, 20], [30, 40]], correction=False):
        // statistic 0.7936507937, p 0.3729984836, df 1 (scipy 1.17.1).
        let t = try #require(ChiSquareTest.independence([[10, 20], [30, 40]]))
        #expect(abs(t.chiSquare - 0.7936507937) < 1e-9)
        #expect(abs(t.pValue - 0.3729984836) < 1e-9)
        #expect(t.degreesOfFreedom == 1)
        #expect(ChiSquareTest.independence([[5, 0], [7, 0]]) == nil)  // one non-empty column
    }

    @Test func shippedExamplePasses() throws {
        let data = try Data(contentsOf: TestSupport.repoRoot.appendingPathComponent("scenarios/examples/ruleset.json"))
        let check = RulesetCheck(ruleset: try Ruleset(json: data), units: 20_000)
        #expect(check.passed, "\(check.experiments.map { ($0.id, $0.srm?.pValue, $0.uniformity?.pValue) }) \(check.pairs.map { ($0.a, $0.b, $0.test?.pValue) })")
        #expect(check.experiments.count == 5 && check.pairs.count == 10)
        #expect(check.pairs.first { $0.a == "exp-checkout-progress-bar" && $0.b == "exp-checkout-one-page" }?.skipped?.contains("same layer") == true)
        let one = try #require(check.experiments.first { $0.id == "exp-checkout-one-page" })
        // 20 000 × 0.95 (global holdout) × 0.5 (layer half) × 0.8 (allocation) ≈ 7 600.
        #expect(abs(Double(one.enrolled) - 7_600) < 300)
        #expect(one.uniformityBins == 2_000)
    }

    @Test func seed001BugIsFlagged() throws {
        let check = RulesetCheck(ruleset: try Ruleset(json: TestSupport.fixture("seed001-buggy-ranges")), units: 20_000)
        #expect(!check.passed)
        let e = try #require(check.experiments.first)
        #expect(e.srmFailed)
        #expect(try #require(e.srm).pValue < 1e-10)
        #expect(!e.uniformityFailed)  // the hash is fine; the ranges are wrong
        #expect(e.variants[0].count < 200 && e.variants[1].count > 19_800)
    }

    @Test func reusedSaltMakesExperimentsDependent() throws {
        let r = try Ruleset(json: """
        {"experiments": [
          {"id": "a", "salt": "same", "variants": [{"name": "x", "weight": 0.5}, {"name": "y", "weight": 0.5}]},
          {"id": "b", "salt": "same", "variants": [{"name": "x", "weight": 0.5}, {"name": "y", "weight": 0.5}]},
          {"id": "c", "salt": "other", "variants": [{"name": "x", "weight": 0.5}, {"name": "y", "weight": 0.5}]}]}
        """)
        let check = RulesetCheck(ruleset: r, units: 5_000)
        #expect(!check.passed)
        #expect(check.pairs.first { $0.a == "a" && $0.b == "b" }?.failed == true)
        #expect(check.pairs.first { $0.a == "a" && $0.b == "c" }?.failed == false)
        #expect(check.experiments.allSatisfy { !$0.srmFailed && !$0.uniformityFailed })
    }
}
