import Foundation
import Testing
@testable import Analysis

/// Fixture written by scripts/reference/power.R + power.py (R stats, pwr, statsmodels).
struct PowerFixture: Decodable {
    struct Case: Decodable, CustomTestStringConvertible {
        let kind: String
        let quantity: String
        let inputs: [String: Input]
        let call: String
        let value: Double
        var testDescription: String { call }

        func number(_ key: String) -> Double? { if case .number(let v)? = inputs[key] { return v }; return nil }
        func text(_ key: String) -> String? { if case .text(let v)? = inputs[key] { return v }; return nil }
        func flag(_ key: String) -> Bool { if case .flag(let v)? = inputs[key] { return v }; return false }
    }
    enum Input: Decodable {
        case number(Double), text(String), flag(Bool)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .flag(b) }
            else if let d = try? c.decode(Double.self) { self = .number(d) }
            else { self = .text(try c.decode(String.self)) }
        }
    }
    let software: String
    let cases: [Case]

    static let cached: PowerFixture? = {
        guard let url = Bundle.module.url(forResource: "power", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(PowerFixture.self, from: data)
    }()
    static var cases: [Case] { cached?.cases ?? [] }
}

/// Settings for a fixture case; one-sided R cases take the direction of the effect (R uses |δ|).
private func settings(_ c: PowerFixture.Case, effect: Double) -> PowerSettings {
    let alt: Alternative = c.text("alternative") == "two-sided" ? .twoSided : (effect > 0 ? .greater : .less)
    return PowerSettings(alpha: c.number("alpha") ?? .nan, alternative: alt, ratio: c.number("ratio") ?? 1,
                         countOppositeTail: c.flag("strict"))
}

@Suite struct PowerTests {
    @Test func fixtureIsPresentAndNamesItsSoftware() throws {
        let f = try #require(PowerFixture.cached)
        #expect(f.software.contains("pwr 1.3.0") && f.software.contains("statsmodels 0.15"))
        #expect(f.cases.count >= 60)
    }

    @Test(arguments: PowerFixture.cases)
    func matchesReference(_ c: PowerFixture.Case) throws {
        // Exact closed forms and tight-tolerance roots: 1e-9 relative. Root finders with their
        // default tolerances (R uniroot tol = 1.2e-4 on n; statsmodels' solver) are compared at
        // the precision they deliver.
        var tolerance = 1e-9 * abs(c.value)
        let ours: Double
        switch (c.kind, c.quantity) {
        case ("proportion", "n"), ("proportion", "n_default_tol"):
            let pc = c.number("control") ?? .nan, pt = c.number("treatment") ?? .nan
            ours = try PowerAnalysis.proportionSampleSize(control: pc, treatment: pt, power: c.number("power") ?? .nan,
                                                          settings: settings(c, effect: pt - pc))
            if c.quantity == "n_default_tol" { tolerance = 2.5e-4 }
        case ("proportion", "power"):
            let pc = c.number("control") ?? .nan, pt = c.number("treatment") ?? .nan
            ours = try PowerAnalysis.proportionPower(control: pc, treatment: pt, controlSize: c.number("n") ?? .nan,
                                                     settings: settings(c, effect: pt - pc))
        case ("proportion", "power_statsmodels"):
            // statsmodels' sample 1 is the treatment arm (nobs1 = n); the control arm has ratio·n.
            let r = c.number("ratio") ?? 1, n = c.number("n") ?? .nan
            var s = settings(c, effect: 1)
            s.ratio = 1 / r
            ours = try PowerAnalysis.proportionPower(control: c.number("control") ?? .nan, treatment: c.number("treatment") ?? .nan,
                                                     controlSize: r * n, settings: s)
        case ("proportion", "mde_treatment"):
            ours = try PowerAnalysis.proportionMinimumDetectableTreatment(
                control: c.number("control") ?? .nan, controlSize: c.number("n") ?? .nan, power: c.number("power") ?? .nan,
                settings: settings(c, effect: 1))
        case ("mean", "n"), ("mean", "n_default_tol"), ("mean", "n_statsmodels_solver"):
            let d = c.number("delta") ?? .nan
            ours = try PowerAnalysis.meanSampleSize(difference: d, standardDeviation: c.number("sd") ?? .nan,
                                                    power: c.number("power") ?? .nan,
                                                    method: MeanPowerMethod(rawValue: c.text("method") ?? "") ?? .tTest,
                                                    settings: settings(c, effect: d))
            if c.quantity == "n_default_tol" { tolerance = 2.5e-4 }
            if c.quantity == "n_statsmodels_solver" { tolerance = 1e-6 * c.value }
        case ("mean", "power"):
            let d = c.number("delta") ?? .nan
            ours = try PowerAnalysis.meanPower(difference: d, standardDeviation: c.number("sd") ?? .nan,
                                               controlSize: c.number("n") ?? .nan,
                                               method: MeanPowerMethod(rawValue: c.text("method") ?? "") ?? .tTest,
                                               settings: settings(c, effect: d))
        case ("mean", "mde_delta"):
            ours = try PowerAnalysis.meanMinimumDetectableDifference(
                standardDeviation: c.number("sd") ?? .nan, controlSize: c.number("n") ?? .nan, power: c.number("power") ?? .nan,
                method: .tTest, settings: settings(c, effect: 1))
        default:
            Issue.record("unknown case \(c.kind)/\(c.quantity)")
            return
        }
        #expect(abs(ours - c.value) <= tolerance, "\(ours) vs \(c.value): \(c.call)")
    }

    /// ORACLES §4: the seed article's ~4,700 is the one-sample formula; per arm it is 9335.063.
    @Test func seedArticleTrap() throws {
        let n = try PowerAnalysis.proportionSampleSize(control: 0.60, treatment: 0.62, power: 0.8)
        #expect(abs(n - 9335.063420514085) <= 1e-6)
        #expect(n.rounded(.up) == 9336)
        let p = try PowerAnalysis.proportionPower(control: 0.60, treatment: 0.62, controlSize: 4700,
                                                  settings: PowerSettings(countOppositeTail: true))
        #expect(abs(p - 0.511134) <= 1e-6)
        let normal = try PowerAnalysis.meanSampleSize(difference: 0.1, standardDeviation: 1, power: 0.8, method: .normal)
        #expect(abs(normal - 2 * 7.8488797343 / 0.01) <= 1e-6)
    }

    @Test(arguments: [0.3, 0.5, 0.7, 0.9])
    func cupedScalesSampleSizeByOneMinusRhoSquared(_ rho: Double) throws {
        let base = try PowerAnalysis.meanSampleSize(difference: 0.1, standardDeviation: 1, power: 0.8, method: .normal)
        let cuped = try PowerAnalysis.meanSampleSize(difference: 0.1, standardDeviation: 1, power: 0.8, method: .normal,
                                                     settings: PowerSettings(cupedRho: rho))
        #expect(abs(cuped / base - (1 - rho * rho)) <= 1e-12)
        let pBase = try PowerAnalysis.proportionSampleSize(control: 0.6, treatment: 0.62, power: 0.8)
        let pCuped = try PowerAnalysis.proportionSampleSize(control: 0.6, treatment: 0.62, power: 0.8, settings: PowerSettings(cupedRho: rho))
        #expect(abs(pCuped / pBase - (1 - rho * rho)) <= 1e-12)
    }

    @Test func sampleSizeAndPowerAndMDEAreConsistent() throws {
        for method in MeanPowerMethod.allCases {
            for ratio in [0.5, 1, 3] {
                let s = PowerSettings(ratio: ratio)
                let n = try PowerAnalysis.meanSampleSize(difference: 0.3, standardDeviation: 1.7, power: 0.85, method: method, settings: s)
                let p = try PowerAnalysis.meanPower(difference: 0.3, standardDeviation: 1.7, controlSize: n, method: method, settings: s)
                #expect(abs(p - 0.85) <= 1e-10)
                let d = try PowerAnalysis.meanMinimumDetectableDifference(standardDeviation: 1.7, controlSize: n, power: 0.85, method: method, settings: s)
                #expect(abs(d - 0.3) <= 1e-8)
            }
        }
        let n = try PowerAnalysis.proportionSampleSize(control: 0.2, treatment: 0.17, power: 0.9, settings: PowerSettings(alternative: .less, ratio: 2))
        let p = try PowerAnalysis.proportionPower(control: 0.2, treatment: 0.17, controlSize: n, settings: PowerSettings(alternative: .less, ratio: 2))
        #expect(abs(p - 0.9) <= 1e-12)
        let t = try PowerAnalysis.proportionMinimumDetectableTreatment(control: 0.2, controlSize: n, power: 0.9, settings: PowerSettings(alternative: .less, ratio: 2))
        #expect(abs(t - 0.17) <= 1e-9)
    }

    @Test func sequentialMaximumSampleSizeUsesTheInflationFactor() throws {
        let design = try GroupSequentialDesign.lanDeMets(spending: .obrienFleming, looks: 5)
        let fixed = try PowerAnalysis.proportionSampleSize(control: 0.6, treatment: 0.62, power: 0.8)
        let nmax = try PowerAnalysis.sequentialMaximumSampleSize(fixedSampleSize: fixed, design: design, power: 0.8, alpha: 0.05)
        #expect(abs(nmax / fixed - 1.024720) <= 1e-5)  // ORACLES §2b
        #expect(throws: AnalysisError.self) {
            try PowerAnalysis.sequentialMaximumSampleSize(fixedSampleSize: fixed, design: design, power: 0.8, alpha: 0.01)
        }
    }

    @Test func noncentralTMatchesCentralAndNormalLimits() throws {
        // ncp = 0 reduces to Student t; the AS 243 series against R 4.2.2:
        // pt(1.5, 7) = 0.911350756505015, pt(2, 10, ncp = 1) = 0.807611562530311 (scipy nct agrees).
        #expect(abs((NoncentralT.cdf(1.5, df: 7, ncp: 0) ?? .nan) - 0.911350756505015) <= 1e-12)
        #expect(abs((NoncentralT.cdf(2, df: 10, ncp: 1) ?? .nan) - 0.807611562530311) <= 1e-12)
        #expect(abs((NoncentralT.cdf(-1, df: 10, ncp: 1, lowerTail: false) ?? .nan) - (1 - (NoncentralT.cdf(-1, df: 10, ncp: 1) ?? .nan))) <= 1e-15)
    }

    @Test func programmerErrorsThrow() throws {
        #expect(throws: AnalysisError.self) { try PowerAnalysis.proportionSampleSize(control: 0.6, treatment: 0.6, power: 0.8) }
        #expect(throws: AnalysisError.self) { try PowerAnalysis.proportionSampleSize(control: 1.2, treatment: 0.6, power: 0.8) }
        #expect(throws: AnalysisError.self) { try PowerAnalysis.proportionSampleSize(control: 0.6, treatment: 0.62, power: 1) }
        #expect(throws: AnalysisError.self) { try PowerAnalysis.proportionSampleSize(control: 0.6, treatment: 0.62, power: 0.8, settings: PowerSettings(alpha: 0)) }
        #expect(throws: AnalysisError.self) { try PowerAnalysis.proportionSampleSize(control: 0.6, treatment: 0.62, power: 0.8, settings: PowerSettings(ratio: -1)) }
        #expect(throws: AnalysisError.self) { try PowerAnalysis.proportionSampleSize(control: 0.6, treatment: 0.62, power: 0.8, settings: PowerSettings(cupedRho: 1)) }
        #expect(throws: AnalysisError.self) { try PowerAnalysis.proportionSampleSize(control: 0.6, treatment: 0.58, power: 0.8, settings: PowerSettings(alternative: .greater)) }
        #expect(throws: AnalysisError.self) { try PowerAnalysis.meanSampleSize(difference: 0, standardDeviation: 1, power: 0.8) }
        #expect(throws: AnalysisError.self) { try PowerAnalysis.meanSampleSize(difference: 1, standardDeviation: 0, power: 0.8) }
        #expect(throws: AnalysisError.self) { try PowerAnalysis.meanPower(difference: 1, standardDeviation: 1, controlSize: -3) }
        #expect(throws: AnalysisError.self) {
            try PowerAnalysis.proportionMinimumDetectableTreatment(control: 0.6, controlSize: 3, power: 0.99, settings: PowerSettings(alpha: 0.0001))
        }
    }
}
