import Foundation
import Testing
@testable import Analysis

// Golden values: Fixtures/design-methods.json, written by scripts/reference/design_methods.py
// (statsmodels, scipy, numpy; versions in the file). CR1 and every panel covariance come from
// statsmodels OLS on unit- or cell-level data with dummy columns, CR2 and its Bell–McCaffrey df
// from the matrix formulas (numpy eigendecompositions), IPW from per-unit scores and
// statsmodels DescrStatsW, the period-stratified estimate from OLS + HC2 + t_test, SRM from
// scipy.stats.chisquare. Tolerance: 1e-9 relative + 1e-12 absolute throughout.

struct DMSummary: Decodable, Sendable { let n: Int, sum: Double, sumOfSquares: Double }
struct DMInference: Decodable, Sendable {
    let call: String, estimate: Double, standardError: Double, statistic: Double, df: Double, pValue: Double
    let lower: FD, upper: FD
}
struct DMPair<T: Decodable & Sendable>: Decodable, Sendable { let control: T, treatment: T }
struct DMClusterCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String, alpha: Double, alternative: String, control: [DMSummary], treatment: [DMSummary]
    let units: DMPair<Int>, means: DMPair<Double>, cr1: DMInference, cr2: DMInference, clusterMeans: DMInference
    var testDescription: String { name }
}
struct DMPanelResult: Decodable, Sendable {
    let covariance: String, maxLags: Int?, call: String, estimate: Double, standardError: Double, statistic: Double
    let df: Double, pValue: Double, lower: FD, upper: FD
}
struct DMPanelCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String, design: String, alpha: Double, alternative: String, y: [[Double]], z: [[Int]]
    let results: [DMPanelResult]
    var testDescription: String { name }
}
struct DMPeriod: Decodable, Sendable { let weights: [Double], arms: [DMSummary] }
struct DMIPW: Decodable, Sendable {
    let call: String, units: Int, treatmentMean: Double, controlMean: Double, treatmentStandardError: Double
    let controlStandardError: Double, estimate: Double, standardError: Double, statistic: Double, pValue: Double
    let lower: FD, upper: FD
}
struct DMStratified: Decodable, Sendable {
    let call: String, dropped: [Int], weights: [Double], estimate: Double, standardError: Double, statistic: Double
    let pValue: Double, lower: FD, upper: FD
}
struct DMSRM: Decodable, Sendable, CustomTestStringConvertible {
    let call: String, observed: [Int], expected: [Double], chiSquare: Double, pValue: Double, df: Int, flagged: Bool
    let threshold: Double, name: String?, counts: [[Int]]?, weights: [[Double]]?
    var testDescription: String { name ?? "\(observed)" }
}
struct DMAdaptiveCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String, treatment: Int, control: Int, alpha: Double, alternative: String, periods: [DMPeriod]
    let ipw: DMIPW, stratified: DMStratified, srm: DMSRM
    var testDescription: String { name }
}
struct DesignMethodsFixture: Decodable, Sendable {
    let generator: String, software: [String: String], seed: Int
    let cluster: [DMClusterCase], panel: [DMPanelCase], adaptive: [DMAdaptiveCase], srm: [DMSRM]

    static func load() throws -> DesignMethodsFixture {
        guard let url = Bundle.module.url(forResource: "design-methods", withExtension: "json", subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile)
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(DesignMethodsFixture.self, from: Data(contentsOf: url))
    }

    /// Loaded once; nil when loading failed (``DesignMethodsFixtureTests`` then fails and names the error).
    static let shared: DesignMethodsFixture? = try? load()
}

extension ClusterSummary {
    init(_ s: DMSummary) { self.init(n: s.n, sum: s.sum, sumOfSquares: s.sumOfSquares) }
}

extension AdaptivePeriod {
    init(_ p: DMPeriod) {
        self.init(weights: p.weights, arms: p.arms.map { MomentStatistic(n: $0.n, sum: $0.sum, sumOfSquares: $0.sumOfSquares) })
    }
}

/// The fixture's tolerance: 1e-9 relative + 1e-12 absolute.
func dmClose(_ actual: Double?, _ expected: Double) -> Bool { close(actual, expected, rel: 1e-9, abs: 1e-12) }

/// Moments of unit values (no covariate).
func unitMoments(_ values: [Double]) -> MomentStatistic {
    var m = MomentStatistic()
    for v in values { m.add(v, covariate: 0) }
    return m
}

@Suite struct DesignMethodsFixtureTests {
    @Test func fixtureLoadsWithVersionsAndEnoughCases() throws {
        let f = try DesignMethodsFixture.load()
        #expect(f.generator == "scripts/reference/design_methods.py")
        for key in ["python", "numpy", "scipy", "statsmodels", "pandas"] { #expect(f.software[key] != nil, "\(key)") }
        #expect(f.cluster.count >= 10 && f.panel.count >= 6 && f.adaptive.count >= 5 && f.srm.count >= 4)
        #expect(f.cluster.allSatisfy { $0.cr1.call.contains("statsmodels") && $0.cr2.call.contains("eigh") })
        #expect(f.panel.contains { $0.results.contains { $0.covariance == "hac" && Double($0.maxLags ?? 0) >= $0.df + 1 } },
                "a case with maxLags >= T")
        #expect(Set(f.cluster.map(\.alternative)) == ["two-sided", "greater", "less"])
        #expect(Set(f.panel.map(\.alternative)) == ["two-sided", "greater", "less"])
        #expect(Set(f.adaptive.map(\.alternative)) == ["two-sided", "greater", "less"])
        #expect(DesignMethodsFixture.shared != nil)
    }
}

// MARK: - Cluster-robust difference in means

@Suite struct DesignMethodsClusterRobustFixtureTests {
    func check(_ r: ClusterRobustResult, _ e: DMInference, _ name: String) {
        #expect(r.status == .ok, "\(name)")
        #expect(dmClose(r.estimate, e.estimate), "\(name): estimate \(String(describing: r.estimate)) vs \(e.estimate)")
        #expect(dmClose(r.standardError, e.standardError),
                "\(name): SE \(String(describing: r.standardError)) vs \(e.standardError) [\(e.call)]")
        #expect(dmClose(r.statistic, e.statistic), "\(name)")
        #expect(dmClose(r.degreesOfFreedom, e.df), "\(name): df \(String(describing: r.degreesOfFreedom)) vs \(e.df)")
        #expect(dmClose(r.pValue, e.pValue), "\(name): p \(String(describing: r.pValue)) vs \(e.pValue)")
        #expect(dmClose(r.lower, e.lower.v) && dmClose(r.upper, e.upper.v), "\(name): interval")
        #expect(r.isSignificant == (e.pValue < r.alpha))
    }

    @Test(arguments: DesignMethodsFixture.shared?.cluster ?? [])
    func cr1MatchesStatsmodelsClusterCovariance(_ c: DMClusterCase) throws {
        let r = try ClusterRobust.differenceInMeans(control: c.control.map(ClusterSummary.init),
                                                    treatment: c.treatment.map(ClusterSummary.init), type: .cr1,
                                                    alpha: c.alpha, alternative: alternative(c.alternative))
        check(r, c.cr1, c.name)
        #expect(r.type == .cr1 && r.controlClusters == c.control.count && r.treatmentClusters == c.treatment.count)
        #expect(r.controlN == c.units.control && r.treatmentN == c.units.treatment)
        #expect(dmClose(r.controlMean, c.means.control) && dmClose(r.treatmentMean, c.means.treatment))
        #expect(r.degreesOfFreedom == Double(c.control.count + c.treatment.count - 1))
    }

    @Test(arguments: DesignMethodsFixture.shared?.cluster ?? [])
    func cr2MatchesMatrixFormulaWithBellMcCaffreyDF(_ c: DMClusterCase) throws {
        let r = try ClusterRobust.differenceInMeans(control: c.control.map(ClusterSummary.init),
                                                    treatment: c.treatment.map(ClusterSummary.init), type: .cr2,
                                                    alpha: c.alpha, alternative: alternative(c.alternative))
        check(r, c.cr2, c.name)
        #expect(r.type == .cr2)
    }

    @Test(arguments: DesignMethodsFixture.shared?.cluster ?? [])
    func clusterMeansMatchesScipyWelch(_ c: DMClusterCase) throws {
        let r = try ClusterRobust.clusterMeans(control: c.control.map(ClusterSummary.init),
                                               treatment: c.treatment.map(ClusterSummary.init), alpha: c.alpha,
                                               alternative: alternative(c.alternative))
        let e = c.clusterMeans
        #expect(r.status == .ok && r.method == .welch)
        #expect(r.controlN == c.control.count && r.treatmentN == c.treatment.count)
        #expect(dmClose(r.estimate, e.estimate) && dmClose(r.standardError, e.standardError), "\(c.name)")
        #expect(dmClose(r.statistic, e.statistic) && dmClose(r.degreesOfFreedom, e.df), "\(c.name)")
        #expect(dmClose(r.pValue, e.pValue), "\(c.name): p \(String(describing: r.pValue)) vs \(e.pValue)")
        #expect(dmClose(r.lower, e.lower.v) && dmClose(r.upper, e.upper.v), "\(c.name)")
    }
}

@Suite struct DesignMethodsClusterRobustPropertyTests {
    /// Clusters of `size` units each with values level + cluster effect + spread (deterministic).
    func clusters(_ count: Int, size: Int, level: Double, seed: Int) -> [ClusterSummary] {
        (0..<count).map { g in
            let effect = sin(Double(g * 7 + seed)) * 0.8
            return ClusterSummary(values: (0..<size).map { i in level + effect + cos(Double(i * 13 + g * 3 + seed)) })
        }
    }

    @Test func equalSizesManyClustersCR1AndCR2Agree() throws {
        let c = clusters(150, size: 10, level: 5, seed: 1), t = clusters(150, size: 10, level: 5.2, seed: 2)
        let r1 = try ClusterRobust.differenceInMeans(control: c, treatment: t, type: .cr1)
        let r2 = try ClusterRobust.differenceInMeans(control: c, treatment: t, type: .cr2)
        let se1 = try #require(r1.standardError), se2 = try #require(r2.standardError)
        #expect(r1.estimate == r2.estimate)
        #expect(abs(se1 / se2 - 1) < 0.005, "CR1 \(se1) vs CR2 \(se2)")
        // Equal sizes and equal cluster counts: V_CR2 = G_A/(G_A − 1)·V_CR0 and
        // V_CR1 = G/(G − 1)·(N − 1)/(N − 2)·V_CR0, exactly.
        let gA = 150.0, g = 300.0, n = 3000.0
        let ratio = (gA / (gA - 1)) / (g / (g - 1) * (n - 1) / (n - 2))
        #expect(close(se2 * se2 / (se1 * se1), ratio, rel: 1e-12))
        // Bell–McCaffrey df with equal sizes: (N_C + N_T)²/(N_T²/(G_C − 1) + N_C²/(G_T − 1)) = G − 2 here.
        #expect(close(r2.degreesOfFreedom, 298, rel: 1e-12))
        #expect(r1.degreesOfFreedom == 299)
    }

    @Test func equalSizesUnequalCountsGiveTheSingletonDFInClusterCounts() throws {
        let c = clusters(7, size: 4, level: 1, seed: 3), t = clusters(12, size: 9, level: 1, seed: 4)
        let r = try ClusterRobust.differenceInMeans(control: c, treatment: t, type: .cr2)
        let nC = 28.0, nT = 108.0
        let expected = (nC + nT) * (nC + nT) / (nT * nT / 6 + nC * nC / 11)
        #expect(close(r.degreesOfFreedom, expected, rel: 1e-12))
    }

    @Test func oneUnitPerClusterCR1EstimateIsWelchsAndCR2IsWelchsVariance() throws {
        let yC = [3.1, 2.4, 5.0, 4.4, 3.9, 2.2, 4.8], yT = [4.0, 5.5, 3.8, 6.1, 4.9]
        let c = yC.map { ClusterSummary(values: [$0]) }, t = yT.map { ClusterSummary(values: [$0]) }
        let welch = try Comparisons.welch(control: MeanStatistic(values: yC), treatment: MeanStatistic(values: yT))
        let r1 = try ClusterRobust.differenceInMeans(control: c, treatment: t, type: .cr1)
        let r2 = try ClusterRobust.differenceInMeans(control: c, treatment: t, type: .cr2)
        #expect(close(r1.estimate, welch.estimate ?? .nan, rel: 1e-14))
        #expect(close(r2.estimate, welch.estimate ?? .nan, rel: 1e-14))
        // HC2 with one unit per cluster is Welch's s_T²/n_T + s_C²/n_C.
        #expect(close(r2.standardError, welch.standardError ?? .nan, rel: 1e-12))
        // ... and the df is Imbens & Kolesár's HC2 df, not Welch–Satterthwaite's.
        let nC = 7.0, nT = 5.0
        let ik = (nC + nT) * (nC + nT) * (nC - 1) * (nT - 1) / (nT * nT * (nT - 1) + nC * nC * (nC - 1))
        #expect(close(r2.degreesOfFreedom, ik, rel: 1e-12))
        // CR1 is HC1-like: V = G/(G − 1)·(N − 1)/(N − 2)·Σ e²/N_A² with G = N.
        let vC = try #require(MeanStatistic(values: yC).variance), vT = try #require(MeanStatistic(values: yT).variance)
        let v0 = vC * (nC - 1) / (nC * nC) + vT * (nT - 1) / (nT * nT)
        #expect(close(r1.standardError, (v0 * 12 / 11 * 11 / 10).squareRoot(), rel: 1e-12))
        // The cluster-means test is Welch's test itself.
        let means = try ClusterRobust.clusterMeans(control: c, treatment: t)
        #expect(means.estimate == welch.estimate && close(means.standardError, welch.standardError ?? .nan, rel: 1e-12))
    }

    @Test func clusterOrderDoesNotMatter() throws {
        let c = clusters(5, size: 6, level: 2, seed: 5), t = clusters(4, size: 3, level: 2.5, seed: 6)
        let a = try ClusterRobust.differenceInMeans(control: c, treatment: t)
        let b = try ClusterRobust.differenceInMeans(control: c.reversed(), treatment: t.reversed())
        #expect(close(a.standardError, b.standardError ?? .nan, rel: 1e-12))
        #expect(close(a.degreesOfFreedom, b.degreesOfFreedom ?? .nan, rel: 1e-12))
    }

    @Test func emptyClustersTakeNoPart() throws {
        let c = clusters(3, size: 5, level: 1, seed: 7), t = clusters(3, size: 5, level: 1.5, seed: 8)
        let empty = ClusterSummary(n: 0, sum: 0, sumOfSquares: 0)
        for type in ClusterRobustType.allCases {
            let a = try ClusterRobust.differenceInMeans(control: c, treatment: t, type: type)
            let b = try ClusterRobust.differenceInMeans(control: c + [empty], treatment: [empty] + t, type: type)
            #expect(a == b && b.controlClusters == 3 && b.treatmentClusters == 3)
        }
        let m = try ClusterRobust.clusterMeans(control: c + [empty], treatment: t)
        #expect(m.controlN == 3 && m.status == .ok)
    }

    @Test func moreClusterVariationWidensTheInterval() throws {
        // Same unit-level spread, but the between-cluster differences are doubled.
        func data(_ k: Double) -> ([ClusterSummary], [ClusterSummary]) {
            let make = { (base: Double, seed: Int) in
                (0..<8).map { g in ClusterSummary(values: (0..<10).map { i in
                    base + k * sin(Double(g * 5 + seed)) + cos(Double(i * 11 + g)) }) }
            }
            return (make(1, 1), make(1.3, 2))
        }
        let (c1, t1) = data(0.5), (c2, t2) = data(1.0)
        let r1 = try ClusterRobust.differenceInMeans(control: c1, treatment: t1)
        let r2 = try ClusterRobust.differenceInMeans(control: c2, treatment: t2)
        let se1 = try #require(r1.standardError), se2 = try #require(r2.standardError)
        #expect(se2 > se1)
    }
}

@Suite struct DesignMethodsClusterRobustDegenerateTests {
    let good = [ClusterSummary(values: [1, 2, 3]), ClusterSummary(values: [2, 4]), ClusterSummary(values: [0, 5, 1])]

    @Test func invalidAlphaThrows() {
        for a in [0.0, 1, -0.2, .nan] {
            #expect(throws: AnalysisError.self) { try ClusterRobust.differenceInMeans(control: good, treatment: good, alpha: a) }
            #expect(throws: AnalysisError.self) { try ClusterRobust.clusterMeans(control: good, treatment: good, alpha: a) }
        }
    }

    @Test func fewerThanTwoClustersInAnArm() throws {
        for type in ClusterRobustType.allCases {
            let one = try ClusterRobust.differenceInMeans(control: [good[0]], treatment: good, type: type)
            #expect(one.status == .insufficientSample && one.standardError == nil && one.pValue == nil && !one.isSignificant)
            #expect(one.estimate != nil && one.controlClusters == 1)
            let none = try ClusterRobust.differenceInMeans(control: good, treatment: [], type: type)
            #expect(none.status == .emptyArm && none.estimate == nil)
            let onlyEmpty = try ClusterRobust.differenceInMeans(control: good, treatment: [ClusterSummary(n: 0, sum: 0, sumOfSquares: 0)],
                                                                type: type)
            #expect(onlyEmpty.status == .emptyArm)
        }
        #expect(try ClusterRobust.clusterMeans(control: [good[0]], treatment: good).status == .insufficientSample)
        #expect(try ClusterRobust.clusterMeans(control: [], treatment: good).status == .emptyArm)
    }

    @Test func equalClusterMeansAreZeroVarianceEvenWithRounding() throws {
        // Every unit is 0.1: cluster sums of 0.1 are not exact, so the residual totals are rounding noise.
        let c = [3, 7, 11].map { n in ClusterSummary(values: [Double](repeating: 0.1, count: n)) }
        let t = [5, 13].map { n in ClusterSummary(values: [Double](repeating: 0.1, count: n)) }
        for type in ClusterRobustType.allCases {
            let r = try ClusterRobust.differenceInMeans(control: c, treatment: t, type: type)
            #expect(r.status == .zeroVariance && r.standardError == nil && r.pValue == nil, "\(type)")
            #expect(abs(r.estimate ?? .nan) < 1e-15)
        }
        let m = try ClusterRobust.clusterMeans(control: c, treatment: t)
        #expect(m.status == .zeroVariance && m.pValue == nil, "\(m)")
        // Units vary within clusters but every cluster has the arm's mean: still no between-cluster variance.
        let c2 = [ClusterSummary(values: [1, 3]), ClusterSummary(values: [0, 4]), ClusterSummary(values: [2, 2, 2])]
        let t2 = [ClusterSummary(values: [5, 7]), ClusterSummary(values: [6, 6])]
        let r2 = try ClusterRobust.differenceInMeans(control: c2, treatment: t2, type: .cr1)
        #expect(r2.status == .zeroVariance && r2.estimate == 4)
    }

    @Test func malformedSummariesAreStatusesNotCrashes() throws {
        let bad: [(ClusterSummary, AnalysisStatus)] = [
            (ClusterSummary(n: -1, sum: 0, sumOfSquares: 0), .invalidStatistics),
            (ClusterSummary(n: 2, sum: 1, sumOfSquares: -1), .invalidStatistics),
            (ClusterSummary(n: 0, sum: 3, sumOfSquares: 9), .invalidStatistics),
            (ClusterSummary(n: 2, sum: .nan, sumOfSquares: 1), .nonFiniteInput),
            (ClusterSummary(n: 2, sum: 1, sumOfSquares: .infinity), .nonFiniteInput),
        ]
        for (summary, status) in bad {
            for type in ClusterRobustType.allCases {
                let r = try ClusterRobust.differenceInMeans(control: good + [summary], treatment: good, type: type)
                #expect(r.status == status && r.estimate == nil, "\(summary)")
            }
            let m = try ClusterRobust.clusterMeans(control: good, treatment: good + [summary])
            #expect(m.status == status && m.estimate == nil, "\(summary)")
        }
        let overflow = [ClusterSummary(n: 1, sum: 1e308, sumOfSquares: 0), ClusterSummary(n: 1, sum: 1e308, sumOfSquares: 0)]
        #expect(try ClusterRobust.differenceInMeans(control: overflow, treatment: good).status == .nonFiniteInput)
    }
}

// MARK: - Two-way fixed effects

/// OLS of y on [1, region dummies 1..R−1, window dummies 1..T−1, z] by the normal equations
/// (Gaussian elimination with partial pivoting): β on z and its classical SE.
func dummyRegression(y: [[Double]], z: [[Double]]) -> (beta: Double, se: Double)? {
    let regions = y.count, windows = y[0].count, k = regions + windows
    var rows: [[Double]] = [], ys: [Double] = []
    for r in 0..<regions {
        for t in 0..<windows {
            var x = [Double](repeating: 0, count: k)
            x[0] = 1
            if r > 0 { x[r] = 1 }
            if t > 0 { x[regions - 1 + t] = 1 }
            x[k - 1] = z[r][t]
            rows.append(x); ys.append(y[r][t])
        }
    }
    // [X'X | X'y | e_k] so one elimination gives the coefficients and the last column of (X'X)⁻¹.
    var a = [[Double]](repeating: [Double](repeating: 0, count: k + 2), count: k)
    for (x, yv) in zip(rows, ys) {
        for i in 0..<k {
            for j in 0..<k { a[i][j] += x[i] * x[j] }
            a[i][k] += x[i] * yv
        }
    }
    a[k - 1][k + 1] = 1
    for col in 0..<k {
        guard let pivot = (col..<k).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }), abs(a[pivot][col]) > 1e-12 else { return nil }
        a.swapAt(col, pivot)
        for row in 0..<k where row != col {
            let factor = a[row][col] / a[col][col]
            for j in col..<(k + 2) { a[row][j] -= factor * a[col][j] }
        }
    }
    let coefficients = (0..<k).map { a[$0][k] / a[$0][$0] }
    let inverseKK = a[k - 1][k + 1] / a[k - 1][k - 1]
    var sse = 0.0
    for (x, yv) in zip(rows, ys) {
        let e = yv - zip(x, coefficients).reduce(0) { $0 + $1.0 * $1.1 }
        sse += e * e
    }
    let sigma2 = sse / Double(rows.count - k)
    return (coefficients[k - 1], (sigma2 * inverseKK).squareRoot())
}

func transpose(_ m: [[Double]]) -> [[Double]] {
    guard let first = m.first else { return [] }
    return first.indices.map { t in m.map { $0[t] } }
}

@Suite struct DesignMethodsPanelRegressionFixtureTests {
    @Test(arguments: DesignMethodsFixture.shared?.panel ?? [])
    func everyCovarianceMatchesStatsmodelsDummyRegression(_ c: DMPanelCase) throws {
        let z = c.z.map { $0.map(Double.init) }
        for e in c.results {
            let covariance: PanelCovariance = switch e.covariance {
            case "classical": .classical
            case "cluster": .clusterByRegion
            default: .hac(maxLags: e.maxLags ?? -1)
            }
            let r = try PanelRegression.twoWayFixedEffects(y: c.y, z: z, covariance: covariance, alpha: c.alpha,
                                                           alternative: alternative(c.alternative))
            let label = "\(c.name) \(covariance)"
            #expect(r.status == .ok && r.identified, "\(label)")
            #expect(r.regions == c.y.count && r.windows == c.y[0].count && r.treatedCells == c.z.joined().reduce(0, +))
            #expect(dmClose(r.estimate, e.estimate), "\(label): \(String(describing: r.estimate)) vs \(e.estimate)")
            #expect(dmClose(r.standardError, e.standardError),
                    "\(label): SE \(String(describing: r.standardError)) vs \(e.standardError) [\(e.call)]")
            #expect(dmClose(r.statistic, e.statistic), "\(label)")
            #expect(r.degreesOfFreedom == e.df, "\(label)")
            #expect(dmClose(r.pValue, e.pValue), "\(label): p \(String(describing: r.pValue)) vs \(e.pValue)")
            #expect(dmClose(r.lower, e.lower.v) && dmClose(r.upper, e.upper.v), "\(label)")
            #expect(r.isSignificant == (e.pValue < c.alpha))
        }
    }
}

@Suite struct DesignMethodsPanelRegressionPropertyTests {
    /// A deterministic 5 × 12 switchback with region and window effects, noise and β = 0.7.
    let z: [[Double]] = (0..<5).map { r in (0..<12).map { t in Double(((t / 2) + r) % 2) } }
    var y: [[Double]] {
        (0..<5).map { r in
            (0..<12).map { t in
                let level: Double = 10 + Double(r) * 1.5 + sin(Double(t))
                let noise: Double = 0.3 * cos(Double(r * 17 + t * 5))
                return level + 0.7 * z[r][t] + noise
            }
        }
    }

    @Test func classicalEqualsOLSWithDummies() throws {
        let r = try PanelRegression.twoWayFixedEffects(y: y, z: z, covariance: .classical)
        let ols = try #require(dummyRegression(y: y, z: z))
        #expect(close(r.estimate, ols.beta, rel: 1e-10), "\(String(describing: r.estimate)) vs \(ols.beta)")
        #expect(close(r.standardError, ols.se, rel: 1e-9), "\(String(describing: r.standardError)) vs \(ols.se)")
        #expect(r.degreesOfFreedom == Double(60 - 5 - 12))
        // Every covariance shares the point estimate.
        for cov in [PanelCovariance.clusterByRegion, .hac(maxLags: 0), .hac(maxLags: 3)] {
            #expect(try PanelRegression.twoWayFixedEffects(y: y, z: z, covariance: cov).estimate == r.estimate)
        }
    }

    @Test func hacWithoutLagsIsClusteringByWindow() throws {
        // Clustering the transposed panel by "region" clusters the original by window: same K, N, factor and df.
        let hac = try PanelRegression.twoWayFixedEffects(y: y, z: z, covariance: .hac(maxLags: 0))
        let byWindow = try PanelRegression.twoWayFixedEffects(y: transpose(y), z: transpose(z), covariance: .clusterByRegion)
        #expect(close(hac.standardError, byWindow.standardError ?? .nan, rel: 1e-12))
        #expect(hac.degreesOfFreedom == byWindow.degreesOfFreedom && hac.degreesOfFreedom == 11)
        #expect(close(hac.pValue, byWindow.pValue ?? .nan, rel: 1e-10))
    }

    @Test func hacLagsBeyondThePanelAddNothingButTheKernelWeights() throws {
        // Lags ≥ T have no pairs; the Bartlett weights 1 − l/(L + 1) still depend on L.
        let a = try PanelRegression.twoWayFixedEffects(y: y, z: z, covariance: .hac(maxLags: 40))
        let b = try PanelRegression.twoWayFixedEffects(y: y, z: z, covariance: .hac(maxLags: 11))
        #expect(a.status == .ok && b.status == .ok && a.standardError != b.standardError)
    }

    @Test func relabellingRegionsChangesNothing() throws {
        let order = [3, 0, 4, 2, 1]
        for cov in [PanelCovariance.classical, .clusterByRegion, .hac(maxLags: 2)] {
            let a = try PanelRegression.twoWayFixedEffects(y: y, z: z, covariance: cov)
            let b = try PanelRegression.twoWayFixedEffects(y: order.map { y[$0] }, z: order.map { z[$0] }, covariance: cov)
            #expect(close(a.estimate, b.estimate ?? .nan, rel: 1e-12) && close(a.standardError, b.standardError ?? .nan, rel: 1e-10))
        }
    }

    @Test func regionAndWindowEffectsAreAbsorbed() throws {
        // Adding any α_r + λ_t leaves β̂ and every SE unchanged.
        let shifted = y.indices.map { r in y[r].indices.map { t in y[r][t] + 100 * Double(r) - 7 * Double(t * t) } }
        for cov in [PanelCovariance.classical, .clusterByRegion, .hac(maxLags: 2)] {
            let a = try PanelRegression.twoWayFixedEffects(y: y, z: z, covariance: cov)
            let b = try PanelRegression.twoWayFixedEffects(y: shifted, z: z, covariance: cov)
            #expect(close(a.estimate, b.estimate ?? .nan, rel: 1e-9) && close(a.standardError, b.standardError ?? .nan, rel: 1e-7))
        }
    }
}

@Suite struct DesignMethodsPanelRegressionDegenerateTests {
    let y: [[Double]] = [[1, 2, 3.5], [2, 2.5, 4], [0.5, 3, 2]]
    let z: [[Double]] = [[0, 1, 0], [1, 0, 0], [0, 0, 1]]

    @Test func raggedOrMalformedInputThrows() {
        #expect(throws: AnalysisError.self) {
            try PanelRegression.twoWayFixedEffects(y: [[1, 2, 3], [1, 2]], z: [[0, 1, 0], [1, 0]], covariance: .classical)
        }
        #expect(throws: AnalysisError.self) {
            try PanelRegression.twoWayFixedEffects(y: y, z: [[0, 1, 0], [1, 0, 0], [0, 1]], covariance: .classical)
        }
        #expect(throws: AnalysisError.self) { try PanelRegression.twoWayFixedEffects(y: y, z: Array(z.prefix(2)), covariance: .classical) }
        for bad in [0.5, 2, -1, .nan] {
            var zb = z
            zb[1][2] = bad
            #expect(throws: AnalysisError.self) { try PanelRegression.twoWayFixedEffects(y: y, z: zb, covariance: .classical) }
        }
        #expect(throws: AnalysisError.self) { try PanelRegression.twoWayFixedEffects(y: y, z: z, covariance: .hac(maxLags: -1)) }
        for a in [0.0, 1, .nan] {
            #expect(throws: AnalysisError.self) { try PanelRegression.twoWayFixedEffects(y: y, z: z, covariance: .classical, alpha: a) }
        }
    }

    @Test func tooFewRegionsOrWindows() throws {
        for (yy, zz) in [([[Double]](), [[Double]]()), ([[1.0, 2, 3]], [[0.0, 1, 0]]), ([[1.0], [2]], [[0.0], [1]])] {
            let r = try PanelRegression.twoWayFixedEffects(y: yy, z: zz, covariance: .clusterByRegion)
            #expect(r.status == .insufficientSample && r.estimate == nil && !r.identified)
        }
        // 2 × 2 with one treated cell: β̂ is the difference in differences but there are no residual df.
        let r = try PanelRegression.twoWayFixedEffects(y: [[1, 2], [3, 7]], z: [[0, 0], [0, 1]], covariance: .classical)
        #expect(r.status == .insufficientSample && r.identified && r.pValue == nil)
        #expect(close(r.estimate, 3, rel: 1e-12))
    }

    @Test func noTreatedOrNoControlCell() throws {
        for value in [0.0, 1.0] {
            let zz = z.map { $0.map { _ in value } }
            let r = try PanelRegression.twoWayFixedEffects(y: y, z: zz, covariance: .classical)
            #expect(r.status == .emptyArm && !r.identified && r.estimate == nil)
        }
    }

    @Test func treatmentCollinearWithTheFixedEffects() throws {
        // Every region switches at the same times (z depends on the window only) or a region is always
        // treated (z depends on the region only): β is not identified.
        let byWindow: [[Double]] = [[0, 1, 0], [0, 1, 0], [0, 1, 0]]
        let byRegion: [[Double]] = [[1, 1, 1], [0, 0, 0], [0, 0, 0]]
        // (For binary z these are the only collinear patterns: z = u_r + v_t ∈ {0, 1} forces u or v constant.)
        for zz in [byWindow, byRegion] {
            for cov in [PanelCovariance.classical, .clusterByRegion, .hac(maxLags: 1)] {
                let r = try PanelRegression.twoWayFixedEffects(y: y, z: zz, covariance: cov)
                #expect(r.status == .zeroVariance && !r.identified && r.estimate == nil && r.standardError == nil, "\(zz)")
            }
        }
    }

    @Test func twoClustersAlongTheClusteredDimensionGiveZeroVariance() throws {
        // Two regions: z̃ and e change sign between them, so the region scores are equal and sum to 0.
        let yy: [[Double]] = [[1, 2.5, 3, 0.5, 2, 4], [2, 1, 3.5, 1, 0, 2]]
        let zz: [[Double]] = [[0, 1, 1, 0, 1, 0], [1, 0, 0, 0, 1, 1]]
        let cluster = try PanelRegression.twoWayFixedEffects(y: yy, z: zz, covariance: .clusterByRegion)
        #expect(cluster.status == .zeroVariance && cluster.identified && cluster.estimate != nil && cluster.pValue == nil)
        #expect(try PanelRegression.twoWayFixedEffects(y: yy, z: zz, covariance: .classical).status == .ok)
        #expect(try PanelRegression.twoWayFixedEffects(y: yy, z: zz, covariance: .hac(maxLags: 1)).status == .ok)
        // Two windows: the same for the window sums of Driscoll–Kraay, whatever the lag.
        for lags in [0, 1, 5] {
            let hac = try PanelRegression.twoWayFixedEffects(y: transpose(yy), z: transpose(zz), covariance: .hac(maxLags: lags))
            #expect(hac.status == .zeroVariance && hac.estimate != nil)
        }
        #expect(try PanelRegression.twoWayFixedEffects(y: transpose(yy), z: transpose(zz), covariance: .clusterByRegion).status == .ok)
    }

    @Test func nonFiniteOutcome() throws {
        var yb = y
        yb[2][0] = .infinity
        #expect(try PanelRegression.twoWayFixedEffects(y: yb, z: z, covariance: .classical).status == .nonFiniteInput)
        yb[2][0] = .nan
        #expect(try PanelRegression.twoWayFixedEffects(y: yb, z: z, covariance: .hac(maxLags: 1)).status == .nonFiniteInput)
    }

    @Test func exactFitIsZeroVarianceWithTheEstimate() throws {
        // y = α_r + λ_t + 0.3 z exactly (no noise): residuals are rounding error.
        let zz: [[Double]] = [[0, 1, 0, 1], [1, 0, 0, 1], [0, 0, 1, 1], [1, 1, 0, 0]]
        let yy = zz.indices.map { r in zz[r].indices.map { t in 0.1 * Double(r) + 1.7 * Double(t) + 0.3 * zz[r][t] } }
        for cov in [PanelCovariance.classical, .clusterByRegion, .hac(maxLags: 2)] {
            let r = try PanelRegression.twoWayFixedEffects(y: yy, z: zz, covariance: cov)
            #expect(r.status == .zeroVariance && r.identified && r.standardError == nil, "\(cov)")
            #expect(close(r.estimate, 0.3, rel: 1e-12))
        }
    }
}

// MARK: - Adaptive allocation

@Suite struct DesignMethodsAdaptiveEstimationFixtureTests {
    @Test(arguments: DesignMethodsFixture.shared?.adaptive ?? [])
    func ipwMatchesUnitScoresAndDescrStatsW(_ c: DMAdaptiveCase) throws {
        let r = try AdaptiveEstimation.ipw(periods: c.periods.map(AdaptivePeriod.init), treatment: c.treatment,
                                           control: c.control, alpha: c.alpha, alternative: alternative(c.alternative))
        let e = c.ipw
        #expect(r.status == .ok && r.units == e.units, "\(c.name)")
        #expect(dmClose(r.treatmentMean, e.treatmentMean) && dmClose(r.controlMean, e.controlMean), "\(c.name)")
        #expect(dmClose(r.treatmentStandardError, e.treatmentStandardError), "\(c.name)")
        #expect(dmClose(r.controlStandardError, e.controlStandardError), "\(c.name)")
        #expect(dmClose(r.estimate, e.estimate), "\(c.name)")
        #expect(dmClose(r.standardError, e.standardError),
                "\(c.name): SE \(String(describing: r.standardError)) vs \(e.standardError) [\(e.call)]")
        #expect(dmClose(r.statistic, e.statistic) && dmClose(r.pValue, e.pValue), "\(c.name)")
        #expect(dmClose(r.lower, e.lower.v) && dmClose(r.upper, e.upper.v), "\(c.name)")
    }

    @Test(arguments: DesignMethodsFixture.shared?.adaptive ?? [])
    func stratifiedByPeriodMatchesStatsmodelsContrast(_ c: DMAdaptiveCase) throws {
        let r = try AdaptiveEstimation.stratifiedByPeriod(periods: c.periods.map(AdaptivePeriod.init), treatment: c.treatment,
                                                          control: c.control, alpha: c.alpha,
                                                          alternative: alternative(c.alternative))
        let e = c.stratified
        #expect(r.status == .ok && r.droppedStrata == e.dropped, "\(c.name)")
        #expect(zip(r.weights, e.weights).allSatisfy { dmClose($0, $1) } && r.weights.count == e.weights.count)
        #expect(dmClose(r.estimate, e.estimate) && dmClose(r.standardError, e.standardError), "\(c.name) [\(e.call)]")
        #expect(dmClose(r.statistic, e.statistic) && dmClose(r.pValue, e.pValue), "\(c.name)")
        #expect(dmClose(r.lower, e.lower.v) && dmClose(r.upper, e.upper.v), "\(c.name)")
    }

    @Test(arguments: (DesignMethodsFixture.shared?.adaptive ?? []).map(\.srm) + (DesignMethodsFixture.shared?.srm ?? []))
    func periodAwareSRMMatchesScipyChisquare(_ e: DMSRM) throws {
        let periods: [(count: [Int], weights: [Double])]
        if let counts = e.counts, let weights = e.weights {
            periods = zip(counts, weights).map { (count: $0, weights: $1) }
        } else {
            let c = try #require(DesignMethodsFixture.shared?.adaptive.first { $0.srm.observed == e.observed })
            periods = c.periods.map { (count: $0.arms.map(\.n), weights: $0.weights) }
        }
        let r = try AdaptiveEstimation.srm(periods: periods, threshold: e.threshold)
        #expect(r.status == .ok && r.observed == e.observed && r.degreesOfFreedom == e.df)
        #expect(zip(r.expected, e.expected).allSatisfy { dmClose($0, $1) })
        #expect(dmClose(r.chiSquare, e.chiSquare), "\(e.testDescription): \(String(describing: r.chiSquare)) vs \(e.chiSquare)")
        #expect(dmClose(r.pValue, e.pValue), "\(e.testDescription) [\(e.call)]")
        #expect(r.flagged == e.flagged)
    }

    @Test func fixtureCasesCoverTheInterestingSituations() throws {
        let f = try #require(DesignMethodsFixture.shared)
        #expect(f.adaptive.contains { !$0.stratified.dropped.isEmpty })
        #expect(f.adaptive.contains { $0.periods[0].arms.count >= 3 && $0.control != 0 })
        #expect(f.srm.contains { $0.flagged } && f.srm.contains { !$0.flagged })
    }
}

@Suite struct DesignMethodsAdaptiveEstimationHandWorkedTests {
    // Period 1, weights 1:1 — control 1, 3; treatment 2. Period 2, weights 1:3 — control 2; treatment 4, 6, 5.
    // Unit scores ψ = y/π_t (treatment), −y/π_c (control):
    //   −2, −6, 4; −8, 16/3, 8, 20/3.  N = 7, Σψ = 8, Δ̂ = 8/7; μ̂_t = 24/7, μ̂_c = 16/7.
    //   Σψ² = 2312/9, Σ(ψ − Δ̂)² = 2312/9 − 7·(8/7)² = 15608/63, V̂ = 15608/63/(7·6) = 15608/2646.
    let periods = [
        AdaptivePeriod(weights: [1, 1], arms: [unitMoments([1, 3]), unitMoments([2])]),
        AdaptivePeriod(weights: [1, 3], arms: [unitMoments([2]), unitMoments([4, 6, 5])]),
    ]

    @Test func ipwMatchesTheHandComputation() throws {
        let r = try AdaptiveEstimation.ipw(periods: periods, treatment: 1)
        #expect(r.status == .ok && r.units == 7 && r.treatmentN == 4 && r.controlN == 3)
        #expect(close(r.estimate, 8.0 / 7, rel: 1e-14))
        #expect(close(r.treatmentMean, 24.0 / 7, rel: 1e-14) && close(r.controlMean, 16.0 / 7, rel: 1e-14))
        #expect(close(r.standardError, (15608.0 / 2646).squareRoot(), rel: 1e-13))
        // Per arm: ψ_t = 0, 0, 4, 0, 16/3, 8, 20/3 (Σ 24, Σ² 1376/9); ψ_c = 2, 6, 0, 8, 0, 0, 0 (Σ 16, Σ² 104).
        #expect(close(r.treatmentStandardError, ((1376.0 / 9 - 24 * 24 / 7.0) / 42).squareRoot(), rel: 1e-13))
        #expect(close(r.controlStandardError, ((104 - 16 * 16 / 7.0) / 42).squareRoot(), rel: 1e-13))
        let z = 8.0 / 7 / (15608.0 / 2646).squareRoot()
        #expect(close(r.statistic, z, rel: 1e-13))
    }

    @Test func ipwMatchesADirectUnitLevelComputation() throws {
        // Three arms, weights given unnormalised, comparing arm 2 with arm 1 (arm 0's units count in N).
        let data: [(weights: [Double], arms: [[Double]])] = [
            ([2, 1, 1], [[1.5, 2.5, 0.5], [3.0, 1.0], [2.0, 4.5]]),
            ([1, 1, 2], [[2.0], [1.5, 2.5, 3.5], [5.0, 3.0, 4.0, 6.5]]),
            ([1, 3, 6], [[0.0, 1.0], [2.0], [7.0, 1.0, 3.0, 2.0, 4.0]]),
        ]
        var scores: [Double] = []
        for p in data {
            let total = p.weights.reduce(0, +)
            for (a, values) in p.arms.enumerated() {
                for y in values {
                    scores.append(a == 2 ? y / (p.weights[2] / total) : a == 1 ? -y / (p.weights[1] / total) : 0)
                }
            }
        }
        let n = Double(scores.count)
        let mean = scores.reduce(0, +) / n
        let variance = scores.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1) / n
        let r = try AdaptiveEstimation.ipw(periods: data.map { AdaptivePeriod(weights: $0.weights, arms: $0.arms.map(unitMoments)) },
                                           treatment: 2, control: 1, alternative: .greater)
        #expect(r.units == scores.count)
        #expect(close(r.estimate, mean, rel: 1e-13) && close(r.standardError, variance.squareRoot(), rel: 1e-12))
        #expect(r.upper == .infinity && close(r.lower, mean - 1.6448536269514729 * variance.squareRoot(), rel: 1e-9))
    }

    @Test func stratifiedByPeriodIgnoresTheAllocationWeightsAndWeighsByAllArms() throws {
        let a = try AdaptiveEstimation.stratifiedByPeriod(periods: periods, treatment: 1)
        // Period 1 has one treated unit: dropped; period 2 has one control unit: dropped too.
        #expect(a.status == .insufficientSample && a.droppedStrata == [0, 1])
        let three = [
            AdaptivePeriod(weights: [1, 1, 1], arms: [unitMoments([1, 3, 2]), unitMoments([2, 5]), unitMoments([9, 9, 9, 9])]),
            AdaptivePeriod(weights: [1, 4, 1], arms: [unitMoments([2, 2.5]), unitMoments([4, 6, 5, 4.5]), .zero]),
        ]
        let r = try AdaptiveEstimation.stratifiedByPeriod(periods: three, treatment: 1)
        // W = (3 + 2 + 4, 2 + 4 + 0)/15: arm 2's units count in period 1's weight.
        #expect(close(r.weights[0], 9.0 / 15, rel: 1e-14) && close(r.weights[1], 6.0 / 15, rel: 1e-14))
        let d0 = 3.5 - 2.0, d1 = 4.875 - 2.25
        #expect(close(r.estimate, 0.6 * d0 + 0.4 * d1, rel: 1e-13))
        let reweighted = three.map { AdaptivePeriod(weights: [5, 1, 2], arms: $0.arms) }
        #expect(try AdaptiveEstimation.stratifiedByPeriod(periods: reweighted, treatment: 1) == r)
        // One period: Welch's difference and standard error with a normal reference.
        let one = try AdaptiveEstimation.stratifiedByPeriod(periods: [three[0]], treatment: 1)
        let welch = try Comparisons.welch(control: MeanStatistic(values: [1, 3, 2]), treatment: MeanStatistic(values: [2, 5]))
        #expect(close(one.estimate, welch.estimate ?? .nan, rel: 1e-14))
        #expect(close(one.standardError, welch.standardError ?? .nan, rel: 1e-14))
    }

    @Test func srmWithOnePeriodIsTheOrdinarySRMTest() throws {
        let a = try AdaptiveEstimation.srm(periods: [(count: [480, 520, 1100], weights: [1, 1, 2])])
        let b = try SampleRatioMismatch.test(observed: [480, 520, 1100], weights: [1, 1, 2])
        #expect(a.chiSquare == b.chiSquare && close(a.pValue, b.pValue ?? .nan, rel: 1e-14) && a.expected == b.expected)
    }

    @Test func srmUsesTheArrivalWeightedMixNotTheFinalWeights() throws {
        // A ramp 10% → 50%: 1,000 units at 10% and 1,000 at 50% give expected 600 treatment units.
        let periods: [(count: [Int], weights: [Double])] = [(count: [900, 100], weights: [9, 1]),
                                                           (count: [500, 500], weights: [1, 1])]
        let r = try AdaptiveEstimation.srm(periods: periods)
        #expect(r.expected == [1400, 600] && r.chiSquare == 0 && r.pValue == 1 && !r.flagged)
        let naive = try SampleRatioMismatch.test(observed: [1400, 600], weights: [1, 1])
        #expect(naive.flagged)
        // The AdaptivePeriod overload reads the counts from the arms.
        let fromArms = try AdaptiveEstimation.srm(periods: [
            AdaptivePeriod(weights: [9, 1], arms: [MomentStatistic(n: 900), MomentStatistic(n: 100)]),
            AdaptivePeriod(weights: [1, 1], arms: [MomentStatistic(n: 500), MomentStatistic(n: 500)]),
        ])
        #expect(fromArms == r)
    }
}

@Suite struct DesignMethodsAdaptiveEstimationDegenerateTests {
    let periods = [
        AdaptivePeriod(weights: [1, 1], arms: [unitMoments([1, 3, 2]), unitMoments([2, 4])]),
        AdaptivePeriod(weights: [1, 3], arms: [unitMoments([2, 1]), unitMoments([4, 6, 5])]),
    ]

    @Test func malformedArgumentsThrow() {
        let ipw = { (p: [AdaptivePeriod], t: Int, c: Int, alpha: Double) throws(AnalysisError) in
            _ = try AdaptiveEstimation.ipw(periods: p, treatment: t, control: c, alpha: alpha)
        }
        let strat = { (p: [AdaptivePeriod], t: Int, c: Int, alpha: Double) throws(AnalysisError) in
            _ = try AdaptiveEstimation.stratifiedByPeriod(periods: p, treatment: t, control: c, alpha: alpha)
        }
        for f in [ipw, strat] {
            #expect(throws: AnalysisError.self) { try f([], 1, 0, 0.05) }
            #expect(throws: AnalysisError.self) { try f(periods, 1, 1, 0.05) }
            #expect(throws: AnalysisError.self) { try f(periods, 2, 0, 0.05) }
            #expect(throws: AnalysisError.self) { try f(periods, 1, -1, 0.05) }
            #expect(throws: AnalysisError.self) { try f(periods, 1, 0, 1) }
            let ragged = [periods[0], AdaptivePeriod(weights: [1, 1, 1], arms: periods[1].arms + [unitMoments([1])])]
            #expect(throws: AnalysisError.self) { try f(ragged, 1, 0, 0.05) }
            let oneArm = [AdaptivePeriod(weights: [1], arms: [unitMoments([1, 2])])]
            #expect(throws: AnalysisError.self) { try f(oneArm, 0, 0, 0.05) }
            for w in [[1.0], [1, 1, 1], [1, -1], [1, .nan], [0, 0], [.infinity, 1]] {
                let bad = [periods[0], AdaptivePeriod(weights: w, arms: periods[1].arms)]
                #expect(throws: AnalysisError.self, "\(w)") { try f(bad, 1, 0, 0.05) }
            }
        }
        #expect(throws: AnalysisError.self) { try AdaptiveEstimation.srm(periods: [(count: [1, -1], weights: [1, 1])]) }
        #expect(throws: AnalysisError.self) { try AdaptiveEstimation.srm(periods: [(count: [1, 1], weights: [1, 1, 1])]) }
        #expect(throws: AnalysisError.self) { try AdaptiveEstimation.srm(periods: [(count: [Int], weights: [Double])]()) }
        #expect(throws: AnalysisError.self) {
            try AdaptiveEstimation.srm(periods: [(count: [1, 1], weights: [1, 1]), (count: [1, 1, 1], weights: [1, 1, 1])])
        }
        for t in [0.0, 1, .nan] {
            #expect(throws: AnalysisError.self) { try AdaptiveEstimation.srm(periods: [(count: [1, 1], weights: [1, 1])], threshold: t) }
        }
    }

    @Test func ipwStatuses() throws {
        func status(_ p: [AdaptivePeriod]) throws -> AdaptiveIPWResult { try AdaptiveEstimation.ipw(periods: p, treatment: 1) }
        let empty = [AdaptivePeriod(weights: [1, 1], arms: [.zero, .zero])]
        #expect(try status(empty).status == .emptyArm)
        let noTreated = [AdaptivePeriod(weights: [1, 1], arms: [unitMoments([1, 2]), .zero])]
        let r = try status(noTreated)
        #expect(r.status == .emptyArm && r.estimate == nil && r.pValue == nil && !r.isSignificant)
        // Treatment switched off (weight 0) in a period that has units: no propensity to invert.
        let off = periods + [AdaptivePeriod(weights: [1, 0], arms: [unitMoments([1, 2]), .zero])]
        #expect(try status(off).status == .emptyArm)
        // ... but a period with no units at all may carry any weights.
        let quiet = periods + [AdaptivePeriod(weights: [1, 0], arms: [.zero, .zero])]
        #expect(try status(quiet) == status(periods))
        // Units in an arm whose weight was 0 are impossible under the design.
        let impossible = periods + [AdaptivePeriod(weights: [1, 0], arms: [unitMoments([1]), unitMoments([3])])]
        #expect(try status(impossible).status == .invalidStatistics)
        let negative = periods + [AdaptivePeriod(weights: [1, 1], arms: [MomentStatistic(n: -1), .zero])]
        #expect(try status(negative).status == .invalidStatistics)
        let nan = periods + [AdaptivePeriod(weights: [1, 1], arms: [.zero, MomentStatistic(n: 1, sum: .nan, sumOfSquares: 1)])]
        #expect(try status(nan).status == .nonFiniteInput)
        // All outcomes zero: every score is 0.
        let zeros = [AdaptivePeriod(weights: [1, 2], arms: [unitMoments([0, 0]), unitMoments([0, 0, 0])])]
        let z = try status(zeros)
        #expect(z.status == .zeroVariance && z.estimate == 0 && z.standardError == nil)
    }

    @Test func stratifiedStatuses() throws {
        let empty = [AdaptivePeriod(weights: [1, 1], arms: [.zero, .zero])]
        #expect(try AdaptiveEstimation.stratifiedByPeriod(periods: empty, treatment: 1).status == .emptyArm)
        let negative = periods + [AdaptivePeriod(weights: [1, 1], arms: [MomentStatistic(n: -3), .zero])]
        #expect(try AdaptiveEstimation.stratifiedByPeriod(periods: negative, treatment: 1).status == .invalidStatistics)
        let tiny = [AdaptivePeriod(weights: [1, 1], arms: [unitMoments([1]), unitMoments([2, 3])])]
        let r = try AdaptiveEstimation.stratifiedByPeriod(periods: tiny, treatment: 1)
        #expect(r.status == .insufficientSample && r.droppedStrata == [0])
    }

    @Test func srmStatusesAndZeroExpectedArms() throws {
        let none = try AdaptiveEstimation.srm(periods: [(count: [0, 0], weights: [1, 1])])
        #expect(none.status == .emptyArm && none.pValue == nil && !none.flagged)
        // Arm 2 never had weight and has no units: it takes no part (df = 1).
        let skip = try AdaptiveEstimation.srm(periods: [(count: [480, 520, 0], weights: [1, 1, 0])])
        let two = try SampleRatioMismatch.test(observed: [480, 520], weights: [1, 1])
        #expect(skip.status == .ok && skip.degreesOfFreedom == 1 && skip.chiSquare == two.chiSquare && skip.pValue == two.pValue)
        // Units in an arm that never had weight: impossible under the design.
        let leak = try AdaptiveEstimation.srm(periods: [(count: [480, 520, 3], weights: [1, 1, 0])])
        #expect(leak.status == .ok && leak.chiSquare == .infinity && leak.pValue == 0 && leak.flagged)
        // Only one arm could receive units: nothing to test.
        let single = try AdaptiveEstimation.srm(periods: [(count: [500, 0], weights: [1, 0])])
        #expect(single.status == .insufficientSample && single.pValue == nil && !single.flagged)
    }
}

/// ProgrammeLift.sum on a hand-worked case: 0.1 + 0.2 with SEs 0.03 and 0.04 is 0.3 with SE 0.05,
/// z = 6, p = 2·Q(6) = 1.973175290075389e-09 (scipy: 2 * norm.sf(6)).
@Suite struct ProgrammeLiftTests {
    @Test func handWorked() throws {
        let r = try ProgrammeLift.sum(estimates: [0.1, 0.2], standardErrors: [0.03, 0.04])
        #expect(r.status == .ok && abs((r.estimate ?? 0) - 0.3) < 1e-15 && abs((r.standardError ?? 0) - 0.05) < 1e-15)
        #expect(abs((r.statistic ?? 0) - 6) < 1e-12)
        #expect(abs((r.pValue ?? 1) - 1.973175290075389e-09) < 1e-18)
        #expect(abs((r.lower ?? 0) - (0.3 - 1.9599639845400545 * 0.05)) < 1e-12 && abs((r.upper ?? 0) - (0.3 + 1.9599639845400545 * 0.05)) < 1e-12)
        #expect(r.isSignificant)
        let none = try ProgrammeLift.sum(estimates: [], standardErrors: [])
        #expect(none.status == .ok && none.estimate == 0 && none.pValue == 1 && !none.isSignificant)
        #expect(try ProgrammeLift.sum(estimates: [0.1], standardErrors: [0]).status == .zeroVariance)
        #expect(try ProgrammeLift.sum(estimates: [.nan], standardErrors: [0.1]).status == .invalidStatistics)
        #expect(throws: AnalysisError.self) { try ProgrammeLift.sum(estimates: [0.1], standardErrors: []) }
    }
}
