import Testing
@testable import Simulation

/// Report verdicts are interval tests at 3 MCSE, computed in Simulation (reports render them).
@Suite struct VerdictTests {
    static func cell(rate: Double, rateMCSE: Double, coverage: Double, coverageMCSE: Double) -> CellResult {
        let s = ComparisonSummary(analysis: "b.naive", comparison: "treatment", method: "z_test", policy: "naive", truth: 0,
                                  replications: 1000, failed: [:],
                                  measures: [MeasureValue(measure: .rejectionRate, estimate: rate, mcse: rateMCSE, replications: 1000),
                                             MeasureValue(measure: .coverage, estimate: coverage, mcse: coverageMCSE, replications: 1000)],
                                  pValueHistogram: [], rejectionsByLook: [0, 0, 0, 0, 0])
        return CellResult(index: 3, label: "x", factors: [], comparisons: [s])
    }

    @Test func verdictsAreIntervalTests() {
        // 0.08 − 3·0.005 = 0.065 > 0.05: exceeds; 0.055 − 0.015 = 0.040: does not.
        let over = Verdicts.comparisons([Self.cell(rate: 0.08, rateMCSE: 0.005, coverage: 0.90, coverageMCSE: 0.01)], alpha: 0.05)[0]
        #expect(over.exceedsAlpha && !over.conservative && over.underCovers && over.cell == 3)
        let holds = Verdicts.comparisons([Self.cell(rate: 0.055, rateMCSE: 0.005, coverage: 0.94, coverageMCSE: 0.005)], alpha: 0.05)[0]
        #expect(!holds.exceedsAlpha && !holds.underCovers)
        let conservative = Verdicts.comparisons([Self.cell(rate: 0.01, rateMCSE: 0.003, coverage: 0.99, coverageMCSE: 0.003)], alpha: 0.05)[0]
        #expect(conservative.conservative && !conservative.exceedsAlpha)
        // The exact reference: (0.1417 + 2·0.0035 − 0.1417) / 0.0035 = +2.
        let exact = Verdicts.comparisons([Self.cell(rate: 0.1487, rateMCSE: 0.0035, coverage: 0.9, coverageMCSE: 0.01)], alpha: 0.05) { _, s in
            s.rejectionsByLook.count == 5 ? 0.1417 : nil
        }[0]
        #expect(abs((exact.differenceFromExact ?? 0) - 2) < 1e-9)
        #expect(Verdicts.comparisons([Self.cell(rate: 0.1, rateMCSE: 0.01, coverage: 0.9, coverageMCSE: 0.01)], alpha: 0.05)[0].differenceFromExact == nil)
    }
}
