import Analysis
import Foundation
import Distributions
import Testing
@testable import Simulation

@Suite struct FamilyTests {
    /// Hand-computed: p = [0.001, 0.02, 0.04, 0.5], only the first hypothesis false.
    @Test func policiesCountFalseAndTrueRejections() throws {
        let f = FamilySpec(metrics: 4, correlation: 0, effectFraction: 0.25, effect: 1,
                           policies: [.correction(.none), .correction(.bonferroni), .correction(.benjaminiHochberg), .primaryUncorrected])
        let o = try f.outcomes(pValues: [0.001, 0.02, 0.04, 0.5], isNull: [false, true, true, true], treatments: 1)
        // none: rejects 0.001, 0.02, 0.04 → V = 2, R = 3.
        #expect(o[0].anyFalseRejection && abs(o[0].falseDiscoveryProportion - 2.0 / 3) < 1e-12 && o[0].power == 1 && o[0].anyTrueRejection)
        // Bonferroni at 0.05/4 = 0.0125: only 0.001.
        #expect(!o[1].anyFalseRejection && o[1].falseDiscoveryProportion == 0 && o[1].power == 1)
        // BH: 0.001 ≤ 0.0125, 0.02 ≤ 0.025, 0.04 > 0.0375 → rejects two, one false.
        #expect(o[2].anyFalseRejection && abs(o[2].falseDiscoveryProportion - 0.5) < 1e-12)
        // Primary (0.001) at α; Holm on [0.02, 0.04, 0.5]: 0.02 > 0.05/3 → nothing more.
        #expect(!o[3].anyFalseRejection && o[3].power == 1)
    }

    /// Two metrics sharing the latent factor are correlated at ρ (within 4 standard errors of
    /// the sample correlation, (1 − ρ²)/√n, at this fixed seed).
    @Test func sharedFactorGivesTheRequestedCorrelation() throws {
        let rho = 0.5
        let spec = MetricSpec(name: "a", kind: .distribution(.normal(mean: 0, sd: 2)), sharedFactorCorrelation: rho)
        let a = try MetricGenerator(spec: spec, adjustments: [], arms: 1), b = try MetricGenerator(spec: spec, adjustments: [], arms: 1)
        let s = RandomStream(seed: 8, 1)
        var unit = UnitContext()
        let n = 20_000
        var xs: [Double] = [], ys: [Double] = []
        for _ in 0..<n {
            unit.latent = s.standardNormal()
            xs.append(a.draw(unit, s).y)
            ys.append(b.draw(unit, s).y)
        }
        let mx = xs.reduce(0, +) / Double(n), my = ys.reduce(0, +) / Double(n)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<n { sxy += (xs[i] - mx) * (ys[i] - my); sxx += (xs[i] - mx) * (xs[i] - mx); syy += (ys[i] - my) * (ys[i] - my) }
        let r = sxy / (sxx * syy).squareRoot()
        #expect(abs(r - rho) <= 4 * (1 - rho * rho) / Double(n).squareRoot(), "r = \(r)")
        #expect(abs(sxx / Double(n - 1) - 4) < 0.15, "variance \(sxx / Double(n - 1))")
    }

    /// Under the global null with independent metrics, uncorrected testing of m = 5 metrics has
    /// FWER 1 − 0.95⁵ = 0.226 and Bonferroni at most 0.05 (4 MCSE at R = 1500).
    @Test func globalNullFamilyWiseErrorRates() async throws {
        var study = Studies.aa(replications: 1500, units: 400)
        let family = FamilySpec(metrics: 5, correlation: 0, effectFraction: 0, effect: 0, policies: [.correction(.none), .correction(.bonferroni)])
        study.metrics = family.metricSpecs
        study.analyses = []
        study.family = family
        let cells = try await SimulationRunner(threads: 2).run(scenarioID: study.id,
            cells: [CellInput(index: 0, label: "base", factors: [], study: study)], gates: []).cells
        let none = try #require(cells[0].comparisons.first { $0.comparison == "none" }?.value(.fwer))
        let bonf = try #require(cells[0].comparisons.first { $0.comparison == "bonferroni" }?.value(.fwer))
        let expected = 1 - pow(0.95, 5.0)
        #expect(abs(none.estimate - expected) <= 4 * (expected * (1 - expected) / 1500).squareRoot(), "\(none)")
        #expect(bonf.estimate <= 0.05 + 4 * (0.05 * 0.95 / 1500).squareRoot(), "\(bonf)")
    }
}
