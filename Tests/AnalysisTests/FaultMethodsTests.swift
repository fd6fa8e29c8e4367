import Foundation
import Testing
@testable import Analysis

// Golden values: Fixtures/fault-methods.json, written by scripts/reference/fault_methods.py
// (ssrm-test, statsmodels, scipy, numpy; versions in the file).
//
// Tolerances: 1e-9 relative (+1e-14 absolute) for everything computed in O(n) floating-point
// operations (WLS, per-age Welch, stratified contrast, caps, Welch on capped values). The
// sequential SRM's log Bayes factor is a difference of log-gammas of size N ln N, so it is
// compared to 1e-9 relative + 1e-14·(N + c)·ln(N + c) absolute (≈ 75 ulps of the largest term,
// 1.4e-7 at N = 10⁶); its p = e^(−ln BF) to the same bound relative.

struct FMLook: Decodable, Sendable {
    let cumulative: [Int], logBayesFactor: Double, pValue: Double, runningPValue: FD, flagged: Bool
}
struct FMSequentialSRMCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String, weights: [Double], concentration: Double, threshold: Double, call: String, looks: [FMLook]
    var testDescription: String { name }
}
struct FMQuadratureCase: Decodable, Sendable, CustomTestStringConvertible {
    let observed: [Int], weights: [Double], concentration: Double, call: String, logBayesFactor: Double
    var testDescription: String { "\(observed) c=\(concentration)" }
}
struct FMNoveltyCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String, ages: [FD], estimates: [FD], standardErrors: [FD], alpha: Double, alternative: String, call: String
    let points: Int, slope: Double, standardError: Double, intercept: Double, statistic: Double, pValue: Double
    let isSignificant: Bool
    var testDescription: String { name }
}
struct FMPerAge: Decodable, Sendable { let estimate: Double, standardError: Double }
struct FMNoveltyByAgeCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String, ages: [FD], control: [[FD]], treatment: [[FD]], alpha: Double, alternative: String, call: String
    let points: Int, slope: Double, standardError: Double, intercept: Double, statistic: Double, pValue: Double
    let isSignificant: Bool, perAge: [FMPerAge]
    var testDescription: String { name }
}
struct FMStratumValues: Decodable, Sendable { let control: [FD], treatment: [FD] }
struct FMPerStratum: Decodable, Sendable { let stratum: Int, weight: Double, estimate: Double, standardError: Double }
struct FMStratifiedCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String, strata: [FMStratumValues], weights: [Double]?, alpha: Double, alternative: String, call: String
    let dropped: [Int], perStratum: [FMPerStratum], estimate: Double, standardError: Double, statistic: Double
    let pValue: Double, lower: FD, upper: FD, controlMean: Double, treatmentMean: Double, controlN: Int, treatmentN: Int
    var testDescription: String { name }
}
struct FMWelch: Decodable, Sendable {
    let estimate: Double, standardError: Double, statistic: Double, df: Double, pValue: Double, lower: Double, upper: Double
}
struct FMCappedCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String, groups: [[FD]], lowerP: Double, upperP: Double, call: String, lowerCap: Double, upperCap: Double
    let capped: Int, cappedSums: [Double], welch: FMWelch, covariates: [[FD]]?
    var testDescription: String { name }
}
struct FaultMethodsFixture: Decodable, Sendable {
    let generator: String, software: [String: String]
    let sequentialSrm: [FMSequentialSRMCase], sequentialSrmQuadrature: [FMQuadratureCase]
    let novelty: [FMNoveltyCase], noveltyByAge: [FMNoveltyByAgeCase], stratified: [FMStratifiedCase]
    let cappedMoments: [FMCappedCase]

    static func load() throws -> FaultMethodsFixture {
        guard let url = Bundle.module.url(forResource: "fault-methods", withExtension: "json", subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile)
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(FaultMethodsFixture.self, from: Data(contentsOf: url))
    }

    /// Loaded once; nil when loading failed (``FaultMethodsFixtureTests`` then fails and names the error).
    static let shared: FaultMethodsFixture? = try? load()
}

/// The sequential SRM's tolerance on ln BF for counts summing to N and concentration c.
func logBFTolerance(_ expected: Double, counts: [Int], concentration: Double) -> Double {
    let m = Double(counts.reduce(0, +)) + concentration
    return 1e-9 * abs(expected) + 1e-14 * m * log(m)
}

func moments(_ values: [FD]) -> MomentStatistic {
    var m = MomentStatistic()
    for v in values { m.add(v.v, covariate: 0) }
    return m
}

@Suite struct FaultMethodsFixtureTests {
    @Test func fixtureLoadsWithVersionsAndEnoughCases() throws {
        let f = try FaultMethodsFixture.load()
        #expect(f.generator == "scripts/reference/fault_methods.py")
        for key in ["python", "numpy", "scipy", "statsmodels", "ssrm-test"] { #expect(f.software[key] != nil, "\(key)") }
        #expect(f.software["ssrm-test"] == "0.1.5")
        #expect(f.sequentialSrm.count >= 10 && f.sequentialSrmQuadrature.count >= 3)
        #expect(f.novelty.count >= 10 && f.noveltyByAge.count >= 3)
        #expect(f.stratified.count >= 10 && f.cappedMoments.count >= 5)
        #expect(f.sequentialSrm.contains { $0.looks.contains { $0.cumulative.reduce(0, +) >= 1_000_000 } })
        #expect(f.sequentialSrm.contains { $0.weights.count == 3 })
        #expect(FaultMethodsFixture.shared != nil)
    }
}

// MARK: - Sequential SRM

@Suite struct FaultMethodsSequentialSRMTests {
    @Test(arguments: FaultMethodsFixture.shared?.sequentialSrm ?? [])
    func bayesFactorAndPValuesMatchSsrmTest(_ c: FMSequentialSRMCase) throws {
        var monitor = try SequentialSRMMonitor(weights: c.weights, concentration: c.concentration, threshold: c.threshold)
        for look in c.looks {
            let tol = logBFTolerance(look.logBayesFactor, counts: look.cumulative, concentration: c.concentration)
            let r = try SequentialSRM.test(observed: look.cumulative, weights: c.weights, concentration: c.concentration,
                                           threshold: c.threshold)
            #expect(r.status == .ok && r.observed == look.cumulative)
            let lbf = try #require(r.logBayesFactor)
            #expect(abs(lbf - look.logBayesFactor) <= tol, "\(c.name) \(look.cumulative): \(lbf) vs \(look.logBayesFactor)")
            #expect(close(r.pValue, look.pValue, rel: tol + 1e-12, abs: 1e-300), "\(c.name) \(look.cumulative)")
            #expect(r.flagged == (look.pValue < c.threshold))

            let m = try monitor.observe(look.cumulative)
            #expect(m.status == .ok && m.logBayesFactor == r.logBayesFactor)
            #expect(close(m.pValue, look.runningPValue.v, rel: tol + 1e-12, abs: 1e-300),
                    "\(c.name) \(look.cumulative): running \(String(describing: m.pValue)) vs \(look.runningPValue.v) [\(c.call)]")
            #expect(m.flagged == look.flagged)
        }
    }

    /// The gamma-function formula against a direct integral of the Beta-binomial likelihood ratio.
    @Test(arguments: FaultMethodsFixture.shared?.sequentialSrmQuadrature ?? [])
    func logBayesFactorMatchesQuadrature(_ c: FMQuadratureCase) throws {
        let r = try SequentialSRM.test(observed: c.observed, weights: c.weights, concentration: c.concentration)
        #expect(abs((r.logBayesFactor ?? .nan) - c.logBayesFactor) <= 1e-9, "\(c.observed): \(String(describing: r.logBayesFactor)) vs \(c.logBayesFactor)")
    }

    @Test func exactlyBalancedCountsGiveBayesFactorBelowOneAndPOne() throws {
        for (observed, weights) in [([5000, 5000], [1.0, 1.0]), ([3000, 3000, 3000], [1, 1, 1]), ([200, 800], [0.2, 0.8]),
                                    ([500_000, 500_000], [1, 1])] {
            let r = try SequentialSRM.test(observed: observed, weights: weights)
            #expect(r.status == .ok)
            #expect((r.logBayesFactor ?? 0) < 0, "\(observed)")
            #expect(r.pValue == 1 && !r.flagged, "\(observed)")
        }
    }

    @Test func onePercentSRMOnAMillionUnitsFlags() throws {
        // One arm loses 1% of its units: 500,000 vs 495,000 (ln BF ≈ 10.13, p ≈ 4.0e-5).
        let r = try SequentialSRM.test(observed: [500_000, 495_000], weights: [0.5, 0.5])
        #expect(r.status == .ok && r.flagged)
        #expect((r.pValue ?? 1) < 1e-4)
        // The same shares at 1/100 of the size carry far less evidence.
        #expect(try !SequentialSRM.test(observed: [5_000, 4_950], weights: [0.5, 0.5]).flagged)
    }

    @Test func monitorPValueIsTheRunningMinimum() throws {
        // An early imbalance that later disappears: the single-look p goes back up, the monitor's does not.
        let looks = [[60, 40], [300, 200], [700, 600], [2000, 2000], [5000, 5000], [5100, 5200]]
        var monitor = try SequentialSRMMonitor(weights: [1, 1], threshold: 0.05)
        var runningMin = 1.0, wasFlagged = false, previous = 1.0
        var sawRise = false
        for look in looks {
            let single = try SequentialSRM.test(observed: look, weights: [1, 1], threshold: 0.05)
            let m = try monitor.observe(look)
            let p = try #require(single.pValue)
            runningMin = min(runningMin, p)
            #expect(m.pValue == runningMin, "\(look)")
            #expect((m.pValue ?? 2) <= previous)
            #expect(m.flagged == (runningMin < 0.05))
            if wasFlagged { #expect(m.flagged) }
            wasFlagged = m.flagged
            if let mp = m.pValue, p > mp { sawRise = true }
            previous = m.pValue ?? previous
        }
        #expect(sawRise, "the sequence should contain a look whose own p exceeds the running minimum")
        #expect(monitor.runningPValue == runningMin && monitor.lastObserved == looks.last)
    }

    @Test func noUnitsIsEmptyArmNotAPValue() throws {
        let r = try SequentialSRM.test(observed: [0, 0, 0], weights: [1, 1, 1])
        #expect(r.status == .emptyArm && r.pValue == nil && r.logBayesFactor == nil && !r.flagged)
        var monitor = try SequentialSRMMonitor(weights: [1, 1])
        let first = try monitor.observe([0, 0])
        #expect(first.status == .emptyArm && first.pValue == nil && monitor.runningPValue == nil)
        let second = try monitor.observe([10, 3])
        let direct = try SequentialSRM.test(observed: [10, 3], weights: [1, 1])
        #expect(second.status == .ok && second.pValue != nil && second.pValue == direct.pValue)
    }

    @Test func invalidArgumentsThrow() throws {
        #expect(throws: AnalysisError.self) { try SequentialSRM.test(observed: [1], weights: [1]) }
        #expect(throws: AnalysisError.self) { try SequentialSRM.test(observed: [1, 2], weights: [1, 1, 1]) }
        #expect(throws: AnalysisError.self) { try SequentialSRM.test(observed: [1, -2], weights: [1, 1]) }
        for w in [0.0, -1, .infinity, .nan] {
            #expect(throws: AnalysisError.self) { try SequentialSRM.test(observed: [1, 2], weights: [1, w]) }
        }
        for t in [0.0, 1, -0.1, .nan] {
            #expect(throws: AnalysisError.self) { try SequentialSRM.test(observed: [1, 2], weights: [1, 1], threshold: t) }
        }
        for c in [0.0, -5, .infinity, .nan] {
            #expect(throws: AnalysisError.self) { try SequentialSRM.test(observed: [1, 2], weights: [1, 1], concentration: c) }
            #expect(throws: AnalysisError.self) { try SequentialSRMMonitor(weights: [1, 1], concentration: c) }
        }
        #expect(throws: AnalysisError.self) { try SequentialSRMMonitor(weights: [1]) }
        #expect(throws: AnalysisError.self) { try SequentialSRMMonitor(weights: [1, 1], threshold: 1) }
        #expect(SequentialSRM.defaultConcentration == 10_000)
    }

    @Test func monitorRejectsDecreasingOrMalformedCountsAndStaysUnchanged() throws {
        var monitor = try SequentialSRMMonitor(weights: [1, 1, 2])
        let a = try monitor.observe([100, 90, 210])
        #expect(throws: AnalysisError.self) { try monitor.observe([101, 89, 220]) }
        #expect(throws: AnalysisError.self) { try monitor.observe([100, 90]) }
        #expect(throws: AnalysisError.self) { try monitor.observe([100, 90, -1]) }
        #expect(monitor.lastObserved == [100, 90, 210] && monitor.runningPValue == a.pValue)
        // Equal counts (a look with no new units) are allowed.
        let b = try monitor.observe([100, 90, 210])
        #expect(b == a)
    }
}

// MARK: - Novelty trend

@Suite struct FaultMethodsNoveltyTrendTests {
    @Test(arguments: FaultMethodsFixture.shared?.novelty ?? [])
    func weightedLeastSquaresMatchesStatsmodels(_ c: FMNoveltyCase) throws {
        let r = try NoveltyTrend.test(ages: c.ages.map(\.v), estimates: c.estimates.map(\.v),
                                      standardErrors: c.standardErrors.map(\.v), alpha: c.alpha,
                                      alternative: alternative(c.alternative))
        #expect(r.status == .ok && r.points == c.points)
        #expect(close(r.slope, c.slope), "\(c.name): slope \(String(describing: r.slope)) vs \(c.slope)")
        #expect(close(r.standardError, c.standardError), "\(c.name)")
        #expect(close(r.intercept, c.intercept), "\(c.name)")
        #expect(close(r.statistic, c.statistic), "\(c.name)")
        #expect(close(r.pValue, c.pValue), "\(c.name): p \(String(describing: r.pValue)) vs \(c.pValue) [\(c.call)]")
        #expect(r.isSignificant == c.isSignificant && r.alpha == c.alpha)
    }

    @Test(arguments: FaultMethodsFixture.shared?.noveltyByAge ?? [])
    func perAgeWelchThenTrendMatchesScipyAndStatsmodels(_ c: FMNoveltyByAgeCase) throws {
        let byAge = c.ages.indices.map { (age: c.ages[$0].v, control: moments(c.control[$0]), treatment: moments(c.treatment[$0])) }
        for (i, point) in byAge.enumerated() {
            let w = try ExperimentAnalysis.compare(control: point.control, treatment: point.treatment, method: .welchT).result
            #expect(close(w.estimate, c.perAge[i].estimate), "\(c.name) age \(point.age)")
            #expect(close(w.standardError, c.perAge[i].standardError), "\(c.name) age \(point.age)")
        }
        let r = try NoveltyTrend.test(byAge: byAge, alpha: c.alpha, alternative: alternative(c.alternative))
        #expect(r.status == .ok && r.points == c.points)
        #expect(close(r.slope, c.slope), "\(c.name)")
        #expect(close(r.standardError, c.standardError), "\(c.name)")
        #expect(close(r.intercept, c.intercept), "\(c.name)")
        #expect(close(r.statistic, c.statistic), "\(c.name)")
        #expect(close(r.pValue, c.pValue), "\(c.name) [\(c.call)]")
        #expect(r.isSignificant == c.isSignificant)
    }

    @Test func pointsOnALineGiveThatLineAndOneSidedPValues() throws {
        let ages = [0.0, 1, 2, 3, 5, 8, 13]
        let estimates = ages.map { 0.5 - 0.02 * $0 }
        let ses = [0.1, 0.2, 0.05, 0.3, 0.1, 0.15, 0.2]
        let two = try NoveltyTrend.test(ages: ages, estimates: estimates, standardErrors: ses)
        #expect(close(two.slope, -0.02, rel: 1e-12) && close(two.intercept, 0.5, rel: 1e-12))
        let less = try NoveltyTrend.test(ages: ages, estimates: estimates, standardErrors: ses, alternative: .less)
        let greater = try NoveltyTrend.test(ages: ages, estimates: estimates, standardErrors: ses, alternative: .greater)
        let pl = try #require(less.pValue), pg = try #require(greater.pValue), p2 = try #require(two.pValue)
        #expect(pl < 0.5 && pg > 0.5 && close(pl + pg, 1, rel: 1e-14) && close(p2, 2 * pl, rel: 1e-12))
    }

    @Test func degenerateDataReturnsAStatus() throws {
        let two = try NoveltyTrend.test(ages: [0, 1], estimates: [0.1, 0.2], standardErrors: [0.1, 0.1])
        #expect(two.status == .insufficientSample && two.points == 2 && two.slope == nil && two.pValue == nil && !two.isSignificant)
        // Unusable points (SE 0, NaN, ∞) do not count.
        let skipped = try NoveltyTrend.test(ages: [0, 1, 2, 3, 4], estimates: [0.1, 0.2, 0.3, 0.4, 0.5],
                                            standardErrors: [0.1, 0, .nan, .infinity, 0.1])
        #expect(skipped.status == .insufficientSample && skipped.points == 2)
        let sameAge = try NoveltyTrend.test(ages: [3, 3, 3, 3], estimates: [0.1, 0.2, 0.3, 0.1], standardErrors: [0.1, 0.2, 0.1, 0.3])
        #expect(sameAge.status == .zeroVariance && sameAge.points == 4 && sameAge.slope == nil)
        // Ages equal among the usable points only.
        let sameUsable = try NoveltyTrend.test(ages: [3, 3, 3, 7], estimates: [0.1, 0.2, 0.3, 0.1], standardErrors: [0.1, 0.2, 0.1, 0])
        #expect(sameUsable.status == .zeroVariance && sameUsable.points == 3)
        let nanEstimate = try NoveltyTrend.test(ages: [0, 1, 2], estimates: [0.1, .nan, 0.3], standardErrors: [0.1, 0.1, 0.1])
        #expect(nanEstimate.status == .nonFiniteInput && nanEstimate.pValue == nil)
        // A NaN estimate at an unusable point is ignored.
        let ignored = try NoveltyTrend.test(ages: [0, 1, 2, 3], estimates: [0.1, .nan, 0.3, 0.2], standardErrors: [0.1, .nan, 0.1, 0.1])
        #expect(ignored.status == .ok && ignored.points == 3)
    }

    @Test func byAgeSkipsAgesWhoseWelchComparisonFails() throws {
        let c = try MomentStatistic(values: [1, 2, 3, 4], covariates: [0, 0, 0, 0])
        let t = try MomentStatistic(values: [2, 3, 5, 4], covariates: [0, 0, 0, 0])
        let single = try MomentStatistic(values: [2], covariates: [0])
        let flat = try MomentStatistic(values: [2, 2], covariates: [0, 0])
        let byAge = [(age: 0.0, control: c, treatment: t), (age: 1.0, control: c, treatment: single),
                     (age: 2.0, control: c, treatment: t), (age: 3.0, control: flat, treatment: flat),
                     (age: 4.0, control: c, treatment: t)]
        let r = try NoveltyTrend.test(byAge: byAge)
        #expect(r.status == .ok && r.points == 3)
        #expect(close(r.slope, 0, abs: 1e-15))
        #expect(try NoveltyTrend.test(byAge: Array(byAge.prefix(3))).status == .insufficientSample)
    }

    @Test func invalidArgumentsThrow() {
        #expect(throws: AnalysisError.self) { try NoveltyTrend.test(ages: [0, 1, 2], estimates: [0, 1], standardErrors: [1, 1, 1]) }
        #expect(throws: AnalysisError.self) { try NoveltyTrend.test(ages: [0, 1, 2], estimates: [0, 1, 2], standardErrors: [1, 1]) }
        #expect(throws: AnalysisError.self) { try NoveltyTrend.test(ages: [0, .nan, 2], estimates: [0, 1, 2], standardErrors: [1, 1, 1]) }
        #expect(throws: AnalysisError.self) { try NoveltyTrend.test(ages: [0, 1, .infinity], estimates: [0, 1, 2], standardErrors: [1, 1, 1]) }
        #expect(throws: AnalysisError.self) { try NoveltyTrend.test(ages: [0, 1, 2], estimates: [0, 1, 2], standardErrors: [1, -1, 1]) }
        for a in [0.0, 1, .nan] {
            #expect(throws: AnalysisError.self) { try NoveltyTrend.test(ages: [0, 1, 2], estimates: [0, 1, 2], standardErrors: [1, 1, 1], alpha: a) }
            #expect(throws: AnalysisError.self) { try NoveltyTrend.test(byAge: [], alpha: a) }
        }
    }
}

// MARK: - Stratified comparison

@Suite struct FaultMethodsStratifiedTests {
    @Test(arguments: FaultMethodsFixture.shared?.stratified ?? [])
    func stratifiedContrastMatchesStatsmodelsHC2(_ c: FMStratifiedCase) throws {
        let strata = c.strata.map { (control: moments($0.control), treatment: moments($0.treatment)) }
        let r = try StratifiedComparison.compare(strata: strata, weights: c.weights, alpha: c.alpha,
                                                 alternative: alternative(c.alternative))
        #expect(r.status == .ok && r.result.method == .linearContrast && r.result.degreesOfFreedom == .infinity)
        #expect(r.droppedStrata == c.dropped && r.strata == c.perStratum.count)
        for p in c.perStratum { #expect(close(r.weights[p.stratum], p.weight, rel: 1e-12), "\(c.name) stratum \(p.stratum)") }
        for s in c.dropped { #expect(r.weights[s] == 0) }
        #expect(close(r.estimate, c.estimate), "\(c.name): \(String(describing: r.estimate)) vs \(c.estimate)")
        #expect(close(r.standardError, c.standardError), "\(c.name)")
        #expect(close(r.statistic, c.statistic), "\(c.name)")
        #expect(close(r.pValue, c.pValue), "\(c.name): p \(String(describing: r.pValue)) vs \(c.pValue) [\(c.call)]")
        #expect(close(r.lower, c.lower.v) && close(r.upper, c.upper.v), "\(c.name)")
        #expect(close(r.result.controlMean, c.controlMean) && close(r.result.treatmentMean, c.treatmentMean))
        #expect(r.controlN == c.controlN && r.treatmentN == c.treatmentN)
        #expect(r.isSignificant == (c.pValue < c.alpha))
    }

    @Test func oneStratumIsWelchWithAZInterval() throws {
        let c = try MomentStatistic(values: [3.1, 2.7, 4.4, 3.9, 2.2, 3.3, 5.0], covariates: Array(repeating: 0, count: 7))
        let t = try MomentStatistic(values: [4.0, 3.6, 5.9, 2.8, 4.4], covariates: Array(repeating: 0, count: 5))
        for alt in Alternative.allCases {
            let welch = try Comparisons.welch(control: c.mean, treatment: t.mean, alpha: 0.1, alternative: alt)
            let r = try StratifiedComparison.compare(strata: [(control: c, treatment: t)], alpha: 0.1, alternative: alt)
            let d = try #require(welch.estimate), se = try #require(welch.standardError)
            #expect(close(r.estimate, d, rel: 1e-14) && close(r.standardError, se, rel: 1e-12))
            #expect(close(r.statistic, d / se, rel: 1e-12))
            #expect(r.weights == [1] && r.strata == 1 && r.controlN == 7 && r.treatmentN == 5)
            let z2 = 1.6448536269514722, z1 = 1.2815515655446004  // Φ⁻¹(0.95), Φ⁻¹(0.90)
            switch alt {
            case .twoSided:
                #expect(close(r.lower, d - z2 * se, rel: 1e-12) && close(r.upper, d + z2 * se, rel: 1e-12))
            case .greater:
                #expect(close(r.lower, d - z1 * se, rel: 1e-12) && r.upper == .infinity)
            case .less:
                #expect(r.lower == -.infinity && close(r.upper, d + z1 * se, rel: 1e-12))
            }
            // A z interval is narrower than Welch's t interval with ~10 df.
            if alt == .twoSided, let wl = welch.lower, let rl = r.lower { #expect(rl > wl) }
        }
    }

    @Test func stratificationRemovesRampUpConfounding() throws {
        // No effect in either period, but the treatment share (10% then 50%) changes with a baseline
        // that rises from 10 to 12: the pooled comparison sees a spurious lift, the stratified one none.
        func stat(_ v: [Double]) throws -> MomentStatistic { try MomentStatistic(values: v, covariates: v.map { _ in 0 }) }
        let c1 = try stat(Array(repeating: [9.0, 10, 11], count: 6).flatMap { $0 }), t1 = try stat([9, 11])
        let c2 = try stat(Array(repeating: [11.0, 12, 13], count: 4).flatMap { $0 }), t2 = try stat(Array(repeating: [11.0, 13], count: 6).flatMap { $0 })
        let r = try StratifiedComparison.compare(strata: [(control: c1, treatment: t1), (control: c2, treatment: t2)])
        #expect(r.status == .ok && r.estimate == 0)
        let pooled = try ExperimentAnalysis.compare(control: c1 + c2, treatment: t1 + t2, method: .welchT).result
        #expect((pooled.estimate ?? 0) > 0.5)
        #expect(close(r.weights[0], 20.0 / 44) && close(r.weights[1], 24.0 / 44))
    }

    @Test func givenWeightsAreNormalised() throws {
        func stat(_ v: [Double]) throws -> MomentStatistic { try MomentStatistic(values: v, covariates: v.map { _ in 0 }) }
        let strata = [(control: try stat([1, 2, 3]), treatment: try stat([2, 3, 5])),
                      (control: try stat([4, 6, 5, 7]), treatment: try stat([6, 5, 9]))]
        let a = try StratifiedComparison.compare(strata: strata, weights: [2, 2])
        let b = try StratifiedComparison.compare(strata: strata, weights: [0.5, 0.5])
        #expect(a == b && a.weights == [0.5, 0.5])
        let zero = try StratifiedComparison.compare(strata: strata, weights: [0, 3])
        let only = try StratifiedComparison.compare(strata: [strata[1]])
        #expect(zero.strata == 1 && zero.droppedStrata.isEmpty && zero.weights == [0, 1])
        #expect(zero.estimate == only.estimate && zero.standardError == only.standardError && zero.controlN == 4)
    }

    @Test func strataTooSmallAreDroppedOrGiveAStatus() throws {
        func stat(_ v: [Double]) throws -> MomentStatistic { try MomentStatistic(values: v, covariates: v.map { _ in 0 }) }
        let ok = (control: try stat([1, 2, 3]), treatment: try stat([2, 3, 5]))
        let single = (control: try stat([1, 2, 3]), treatment: try stat([9]))
        let empty = (control: MomentStatistic.zero, treatment: try stat([2, 3]))
        let r = try StratifiedComparison.compare(strata: [single, ok, empty])
        #expect(r.status == .ok && r.droppedStrata == [0, 2] && r.strata == 1 && r.weights == [0, 1, 0])
        let alone = try StratifiedComparison.compare(strata: [ok])
        #expect(r.estimate != nil && r.estimate == alone.estimate && r.controlN == 3 && r.treatmentN == 3)
        let none = try StratifiedComparison.compare(strata: [single])
        #expect(none.status == .insufficientSample && none.estimate == nil && none.pValue == nil && none.droppedStrata == [0])
        let noneEmpty = try StratifiedComparison.compare(strata: [single, empty])
        #expect(noneEmpty.status == .emptyArm && noneEmpty.strata == 0 && !noneEmpty.isSignificant)
        // The only positively weighted stratum is dropped.
        #expect(try StratifiedComparison.compare(strata: [ok, single], weights: [0, 1]).status == .insufficientSample)
    }

    @Test func otherStatuses() throws {
        func stat(_ v: [Double]) throws -> MomentStatistic { try MomentStatistic(values: v, covariates: v.map { _ in 0 }) }
        let flat = (control: try stat([2, 2, 2]), treatment: try stat([3, 3]))
        let z = try StratifiedComparison.compare(strata: [flat, flat])
        #expect(z.status == .zeroVariance && z.standardError == nil && close(z.estimate, 1, rel: 1e-15))
        let nan = (control: try stat([1, .nan, 3]), treatment: try stat([2, 3]))
        #expect(try StratifiedComparison.compare(strata: [flat, nan]).status == .nonFiniteInput)
        let negative = (control: MomentStatistic(n: -2, sum: 1, sumOfSquares: 1), treatment: try stat([2, 3]))
        #expect(try StratifiedComparison.compare(strata: [negative]).status == .invalidStatistics)
    }

    @Test func invalidArgumentsThrow() throws {
        func stat(_ v: [Double]) throws -> MomentStatistic { try MomentStatistic(values: v, covariates: v.map { _ in 0 }) }
        let s = (control: try stat([1, 2, 3]), treatment: try stat([2, 3, 5]))
        #expect(throws: AnalysisError.self) { try StratifiedComparison.compare(strata: []) }
        #expect(throws: AnalysisError.self) { try StratifiedComparison.compare(strata: [s, s], weights: [1]) }
        #expect(throws: AnalysisError.self) { try StratifiedComparison.compare(strata: [s, s], weights: [1, -1]) }
        #expect(throws: AnalysisError.self) { try StratifiedComparison.compare(strata: [s, s], weights: [1, .nan]) }
        #expect(throws: AnalysisError.self) { try StratifiedComparison.compare(strata: [s, s], weights: [1, .infinity]) }
        #expect(throws: AnalysisError.self) { try StratifiedComparison.compare(strata: [s, s], weights: [0, 0]) }
        #expect(throws: AnalysisError.self) { try StratifiedComparison.compare(strata: [s], alpha: 1) }
    }
}

// MARK: - Unit filter and capped moments

@Suite struct FaultMethodsUnitFilterTests {
    @Test func activityFilterRule() throws {
        let f = try ActivityFilter(above: 100)
        #expect(f.excludes(100.5) && f.excludes(.infinity) && f.excludes(.nan))
        #expect(!f.excludes(100) && !f.excludes(3) && !f.excludes(-.infinity))
        for bad in [Double.nan, .infinity, -.infinity] {
            #expect(throws: AnalysisError.self) { try ActivityFilter(above: bad) }
        }
        let s = f.summarise([1, 100, 101, .nan, 5000, 99.9])
        #expect(s == FilterSummary(kept: 3, removed: 3) && s.removedShare == 0.5)
        let none = f.summarise([])
        #expect(none.kept == 0 && none.removed == 0 && none.removedShare == nil)
        #expect(f.summarise([1, 2]).removedShare == 0)
        let decoded = try JSONDecoder().decode(ActivityFilter.self, from: JSONEncoder().encode(f))
        #expect(decoded == f)
    }

    @Test(arguments: FaultMethodsFixture.shared?.cappedMoments ?? [])
    func cappedMomentsThenWelchMatchNumpyAndScipy(_ c: FMCappedCase) throws {
        let groups = c.groups.map { $0.map(\.v) }
        let covariates = c.covariates.map { $0.map { $0.map(\.v) } }
        let r = try Winsorization.cappedMoments(groups: groups, covariates: covariates, lower: c.lowerP, upper: c.upperP)
        #expect(close(r.caps.lower, c.lowerCap, rel: 1e-12) && close(r.caps.upper, c.upperCap, rel: 1e-12), "\(c.name)")
        #expect(r.capped == c.capped && r.moments.count == 2)
        for g in 0..<2 {
            #expect(r.moments[g].n == groups[g].count)
            #expect(close(r.moments[g].sum, c.cappedSums[g]), "\(c.name) group \(g)")
            let x = covariates?[g] ?? Array(repeating: 0, count: groups[g].count)
            #expect(r.moments[g].covariateSum == x.reduce(0, +))
        }
        let w = try ExperimentAnalysis.compare(control: r.moments[0], treatment: r.moments[1], method: .welchT).result
        #expect(w.status == .ok)
        #expect(close(w.estimate, c.welch.estimate), "\(c.name)")
        #expect(close(w.standardError, c.welch.standardError), "\(c.name)")
        #expect(close(w.statistic, c.welch.statistic), "\(c.name)")
        #expect(close(w.degreesOfFreedom, c.welch.df), "\(c.name)")
        #expect(close(w.pValue, c.welch.pValue), "\(c.name) [\(c.call)]")
        #expect(close(w.lower, c.welch.lower) && close(w.upper, c.welch.upper), "\(c.name)")
    }

    @Test func cappedMomentsSmallExample() throws {
        // Pooled sorted [1, 2, 3, 4, 100]; Q(0.75) at h = 3 is 4; Q(0.25) at h = 1 is 2.
        let r = try Winsorization.cappedMoments(groups: [[1, 2, 3], [4, 100]], covariates: [[5, 6, 7], [8, 9]], lower: 0.25, upper: 0.75)
        #expect(r.caps.lower == 2 && r.caps.upper == 4 && r.capped == 2)
        #expect(r.moments[0] == MomentStatistic(n: 3, sum: 7, sumOfSquares: 17, covariateSum: 18, covariateSumOfSquares: 110, crossSum: 5 * 2 + 6 * 2 + 7 * 3))
        #expect(r.moments[1].sum == 8 && r.moments[1].crossSum == 8 * 4 + 9 * 4)
        let empty = try Winsorization.cappedMoments(groups: [[], [3, 1]], upper: 1)
        #expect(empty.moments[0] == .zero && empty.capped == 0 && empty.caps == (1, 3))
    }

    @Test func cappedMomentsInvalidArgumentsThrow() {
        #expect(throws: AnalysisError.self) { try Winsorization.cappedMoments(groups: [[1, 2], [3]], covariates: [[1, 2]], upper: 0.9) }
        #expect(throws: AnalysisError.self) { try Winsorization.cappedMoments(groups: [[1, 2], [3]], covariates: [[1, 2], [3, 4]], upper: 0.9) }
        #expect(throws: AnalysisError.self) { try Winsorization.cappedMoments(groups: [[], []], upper: 0.9) }
        #expect(throws: AnalysisError.self) { try Winsorization.cappedMoments(groups: [[1, .nan]], upper: 0.9) }
        #expect(throws: AnalysisError.self) { try Winsorization.cappedMoments(groups: [[1, 2]], lower: 0.5, upper: 0.4) }
        #expect(throws: AnalysisError.self) { try Winsorization.cappedMoments(groups: [[1, 2]], upper: 1.5) }
    }
}
