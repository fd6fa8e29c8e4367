import Foundation
import Testing
@testable import Assignment

/// `Fixtures/bandits.json`, written by `scripts/reference/bandits.py` (scipy quad, mpmath,
/// Evan Miller's exact sum and numpy Monte Carlo; versions in the file).
enum BanditFixtures {
    struct BetaCase: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let posteriors: [[Double]]
        let quad: [Double]
        let quad_abserr: [Double]
        let miller: [Double]?
        let mpmath: [Double]?
        let mc: [Double]
        let mc_se: [Double]
        let mc_draws: Int
        let stats: [[Int]]?
        let prior: [Double]?
        let call: String
        var testDescription: String { "beta: \(name)" }
    }

    struct NormalCase: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let posteriors: [[Double]]
        let quad: [Double]
        let mpmath: [Double]
        let mc: [Double]
        let mc_se: [Double]
        let mc_draws: Int
        let call: String
        var testDescription: String { "normal: \(name)" }
    }

    struct GaussianStatsCase: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let stats: [[Double]]
        let posteriors: [[Double]]
        let pbest: [Double]
        let call: String
        var testDescription: String { "gaussian stats: \(name)" }
    }

    struct TopTwoCase: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let model: String
        let prior: [Double]?
        let beta: Double
        let stats: [[Double]]
        let alpha: [Double]
        let weights: [Double]
        let mc: [Double]
        let mc_se: [Double]
        let mc_draws: Int
        let call: String
        var testDescription: String { "top-two: \(name)" }
    }

    struct LaiCase: Decodable, Sendable {
        let means: [Double]
        let value: Double
        let call: String
    }

    struct File: Decodable, Sendable {
        let generated_by: String
        let reference: [String: String]
        let beta_pbest: [BetaCase]
        let normal_pbest: [NormalCase]
        let gaussian_stats: [GaussianStatsCase]
        let top_two: [TopTwoCase]
        let lai_robbins: [LaiCase]
    }

    static func load() throws -> File {
        try JSONDecoder().decode(File.self, from: TestSupport.fixture("bandits"))
    }

    /// Loaded once for the parameterised tests; `fixtureIsComplete` fails if loading failed.
    static let file: File? = try? load()
}

/// |got − want| ≤ abs + rel·|want|.
private func close(_ got: Double, _ want: Double, abs: Double, rel: Double = 0) -> Bool {
    Swift.abs(got - want) <= abs + rel * Swift.abs(want)
}

/// Evan Miller's exact P(p_B > p_A) for p_A ~ Beta(aA, bA), p_B ~ Beta(aB, bB) with integer aA, aB
/// ("Formulas for Bayesian A/B testing", 2015):
/// Σ_{i=0}^{aB−1} B(aA + i, bA + bB) / ((bB + i) B(1 + i, bB) B(aA, bA)). No log-gamma (whose
/// absolute rounding at arguments ~10⁵ is ~10⁻¹⁰): the first term is
/// B(aA, bA + bB)/B(aA, bA) = Π_{m<aA} (bA + m)/(bA + bB + m), consecutive terms have the ratio
/// (aA + i)(bB + i) / ((aA + bA + bB + i)(i + 1)), and products are rescaled by exact powers of
/// two so terms far below the double range (e.g. 2⁻⁵⁰⁰⁰) keep full precision.
private func millerExact(aA: Int, bA: Double, aB: Int, bB: Double) -> Double {
    struct Scaled {
        var t = 1.0, e = 0
        mutating func multiply(_ x: Double) {
            t *= x
            if t < 0x1p-500 || t > 0x1p500 {
                let k = Int(t.exponent)
                t *= Double(sign: .plus, exponent: -k, significand: 1)
                e += k
            }
        }
    }
    var term = Scaled()
    for m in 0..<aA { term.multiply((bA + Double(m)) / (bA + bB + Double(m))) }
    var terms: [Scaled] = []
    terms.reserveCapacity(aB)
    for i in 0..<aB {
        terms.append(term)
        let x = Double(i)
        term.multiply((Double(aA) + x) / (x + 1))
        term.multiply((bB + x) / (Double(aA) + bA + bB + x))
    }
    let top = terms.map(\.e).max() ?? 0
    let sum = terms.reduce(0.0) { $0 + $1.t * Double(sign: .plus, exponent: $1.e - top, significand: 1) }
    return Double(sign: .plus, exponent: top, significand: sum)
}

@Suite struct BanditTests {
    // MARK: fixture

    @Test func fixtureIsComplete() throws {
        let f = try BanditFixtures.load()
        #expect(f.generated_by == "scripts/reference/bandits.py")
        for key in ["python", "numpy", "scipy", "mpmath"] { #expect(f.reference[key] != nil, "no version of \(key)") }
        #expect(f.beta_pbest.count >= 18)
        #expect(f.normal_pbest.count >= 6)
        #expect(f.gaussian_stats.count >= 3)
        #expect(f.top_two.count >= 5)
        #expect(f.lai_robbins.count == 5)
        // The cases the brief asks for: 2 and 3 arms, lopsided posteriors and n = 10⁵.
        #expect(f.beta_pbest.contains { $0.posteriors.count == 2 })
        #expect(f.beta_pbest.contains { $0.posteriors.count == 3 })
        #expect(f.beta_pbest.contains { c in c.quad.contains { $0 > 1e-7 && $0 < 1e-5 } }, "no P(best) near 1e-6")
        #expect(f.beta_pbest.contains { c in c.quad.contains { $0 < 1e-9 } }, "no P(best) below 1e-9")
        #expect(f.beta_pbest.contains { c in c.stats?.contains { $0[0] == 100_000 } ?? false }, "no n = 1e5 case")
        #expect(f.beta_pbest.contains { $0.miller != nil })
        for c in f.beta_pbest { #expect(!c.call.isEmpty && c.mc_draws == 10_000_000) }
        for c in f.normal_pbest { #expect(!c.call.isEmpty) }
        for c in f.top_two { #expect(!c.call.isEmpty) }
    }

    // MARK: Beta P(best)

    @Test(arguments: BanditFixtures.file?.beta_pbest ?? [])
    func betaProbabilityBestMatchesReference(_ c: BanditFixtures.BetaCase) throws {
        let posteriors = c.posteriors.map { (alpha: $0[0], beta: $0[1]) }
        let p = try BanditAllocator.probabilityBest(betaPosteriors: posteriors)
        #expect(p.count == c.quad.count)
        #expect(close(p.reduce(0, +), 1, abs: 1e-12))
        for i in p.indices {
            // scipy quad (its own error estimate is ≤ 1e-12 relative).
            #expect(close(p[i], c.quad[i], abs: 1e-12, rel: 1e-9), "arm \(i): \(p[i]) vs quad \(c.quad[i])")
            if let m = c.miller {
                #expect(close(p[i], m[i], abs: 1e-13, rel: 1e-10), "arm \(i): \(p[i]) vs Miller \(m[i])")
            }
            if let m = c.mpmath {
                #expect(close(p[i], m[i], abs: 1e-13, rel: 1e-10), "arm \(i): \(p[i]) vs mpmath \(m[i])")
            }
            // Monte Carlo: within 5 standard errors of the computed value (SE under p[i]).
            let se = (p[i] * (1 - p[i]) / Double(c.mc_draws)).squareRoot()
            #expect(Swift.abs(p[i] - c.mc[i]) <= 5 * se + 1e-12, "arm \(i): \(p[i]) vs MC \(c.mc[i]) ± \(c.mc_se[i])")
        }
        // Through the policy: the same numbers from the arm statistics.
        if let stats = c.stats, let prior = c.prior {
            let allocator = try BanditAllocator(policy: .thompsonBernoulli(priorAlpha: prior[0], priorBeta: prior[1]),
                                                arms: stats.count)
            let w = try allocator.weights(stats.map { ArmStatistics(n: $0[0], successes: $0[1]) })
            let total = p.reduce(0, +)  // the weights are P(best) normalised to sum 1
            for i in w.indices { #expect(close(w[i], p[i] / total, abs: 1e-16, rel: 1e-14)) }
        }
    }

    /// The quadrature against Evan Miller's exact finite sum, computed here, for two arms with
    /// integer parameters: small, large (n = 10⁵), lopsided and rare-event posteriors.
    @Test func betaProbabilityBestMatchesExactTwoArmSum() throws {
        // (successes, n) of A and B under a uniform prior.
        let cases: [(Int, Int, Int, Int)] = [
            (0, 0, 0, 0), (1, 1, 0, 1), (3, 10, 5, 10), (10, 100, 15, 100), (3, 40, 31, 250),
            (100, 1000, 175, 1000), (100, 1000, 210, 1000), (200, 1000, 100, 1000),
            (5000, 100_000, 5100, 100_000), (5000, 100_000, 5300, 100_000), (10, 100_000, 30, 100_000),
            (0, 100_000, 0, 10), (50_000, 100_000, 49_000, 100_000), (7, 7, 0, 7), (0, 20, 1, 20),
        ]
        var worstAbs = 0.0, worstRel = 0.0
        for (sA, nA, sB, nB) in cases {
            let aA = 1 + sA, bA = Double(1 + nA - sA), aB = 1 + sB, bB = Double(1 + nB - sB)
            let exact = millerExact(aA: aA, bA: bA, aB: aB, bB: bB)
            let p = try BanditAllocator.probabilityBest(betaPosteriors: [(Double(aA), bA), (Double(aB), bB)])
            #expect(close(p[1], exact, abs: 1e-13, rel: 1e-9), "A \(sA)/\(nA), B \(sB)/\(nB): \(p[1]) vs exact \(exact)")
            #expect(close(p[0], 1 - exact, abs: 1e-13, rel: 1e-9))
            worstAbs = max(worstAbs, Swift.abs(p[1] - exact))
            if exact > 0 { worstRel = max(worstRel, Swift.abs(p[1] - exact) / exact) }
        }
        // Measured: 1.2e-13 absolute (n = 10⁵), 1e-10 relative (P = 3.9e-6 at n = 10⁵), from GSL's cdf.
        #expect(worstAbs < 5e-13, "worst absolute error \(worstAbs)")
        #expect(worstRel < 5e-10, "worst relative error \(worstRel)")
        // A sanity check of the exact sum itself: symmetric arms tie.
        #expect(close(millerExact(aA: 11, bA: 91, aB: 11, bB: 91), 0.5, abs: 1e-13))
    }

    // MARK: Gaussian P(best)

    @Test(arguments: BanditFixtures.file?.normal_pbest ?? [])
    func normalProbabilityBestMatchesReference(_ c: BanditFixtures.NormalCase) throws {
        let p = try BanditAllocator.probabilityBest(normalPosteriors: c.posteriors.map { (mean: $0[0], sd: $0[1]) })
        #expect(close(p.reduce(0, +), 1, abs: 1e-12))
        for i in p.indices {
            #expect(close(p[i], c.quad[i], abs: 1e-12, rel: 1e-9), "arm \(i): \(p[i]) vs quad \(c.quad[i])")
            #expect(close(p[i], c.mpmath[i], abs: 1e-13, rel: 1e-10), "arm \(i): \(p[i]) vs mpmath \(c.mpmath[i])")
            let se = (p[i] * (1 - p[i]) / Double(c.mc_draws)).squareRoot()
            #expect(Swift.abs(p[i] - c.mc[i]) <= 5 * se + 1e-12, "arm \(i): \(p[i]) vs MC \(c.mc[i]) ± \(c.mc_se[i])")
        }
    }

    @Test(arguments: BanditFixtures.file?.gaussian_stats ?? [])
    func thompsonGaussianFromStatistics(_ c: BanditFixtures.GaussianStatsCase) throws {
        let stats = c.stats.map { ArmStatistics(n: Int($0[0]), sum: $0[1], sumOfSquares: $0[2]) }
        let w = try BanditAllocator(policy: .thompsonGaussian, arms: stats.count).weights(stats)
        for i in w.indices {
            // The reference posterior uses two-pass np.var; the one-pass Σy² − (Σy)²/n agrees to ~1e-12.
            #expect(close(w[i], c.pbest[i], abs: 1e-10, rel: 1e-8), "arm \(i): \(w[i]) vs \(c.pbest[i])")
        }
    }

    @Test func thompsonGaussianColdStartAndPointMasses() throws {
        let ts = try BanditAllocator(policy: .thompsonGaussian, arms: 3)
        // n < 2 somewhere: equal shares on those arms.
        let cold = try ts.weights([ArmStatistics(n: 0, sum: 0, sumOfSquares: 0),
                                   ArmStatistics(n: 50, sum: 10, sumOfSquares: 10),
                                   ArmStatistics(n: 1, sum: 3, sumOfSquares: 9)])
        #expect(cold == [0.5, 0, 0.5])
        // All-zero conversions: a point mass at 0, which a continuous arm well above it beats.
        let w = try ts.weights([ArmStatistics(n: 40, successes: 0),
                                ArmStatistics(n: 400, successes: 40),
                                ArmStatistics(n: 400, successes: 44)])
        #expect(w[0] < 1e-20)
        let direct = try BanditAllocator.probabilityBest(normalPosteriors: [
            (0, 0), (0.1, (0.1 * 0.9 * 400 / 399 / 400).squareRoot()), (0.11, (0.11 * 0.89 * 400 / 399 / 400).squareRoot()),
        ])
        for i in 0..<3 { #expect(close(w[i], direct[i], abs: 1e-12)) }
        // Two point masses tied at the top split what the continuous arms leave.
        let tied = try BanditAllocator.probabilityBest(normalPosteriors: [(1, 0), (1, 0), (0, 1)])
        let below = 0.841344746068542948585232545632  // Φ(1)
        #expect(close(tied[0], below / 2, abs: 1e-15) && close(tied[1], below / 2, abs: 1e-15))
        #expect(close(tied[2], 1 - below, abs: 1e-13))
    }

    // MARK: top-two

    @Test(arguments: BanditFixtures.file?.top_two ?? [])
    func topTwoMatchesReference(_ c: BanditFixtures.TopTwoCase) throws {
        let model: BanditModel = c.model == "gaussian" ? .gaussian
            : .bernoulli(priorAlpha: c.prior?[0] ?? 1, priorBeta: c.prior?[1] ?? 1)
        let stats = c.stats.map { s in
            s.count == 2 ? ArmStatistics(n: Int(s[0]), successes: Int(s[1])) : ArmStatistics(n: Int(s[0]), sum: s[1], sumOfSquares: s[2])
        }
        let allocator = try BanditAllocator(policy: .topTwoThompson(beta: c.beta, model: model), arms: stats.count)
        let w = try allocator.weights(stats)
        #expect(close(w.reduce(0, +), 1, abs: 1e-12))
        for i in w.indices {
            #expect(close(w[i], c.weights[i], abs: 1e-12, rel: 1e-10), "arm \(i): \(w[i]) vs \(c.weights[i])")
            // The algorithm itself, run by Monte Carlo, realises these probabilities.
            let se = (w[i] * (1 - w[i]) / Double(c.mc_draws)).squareRoot()
            #expect(Swift.abs(w[i] - c.mc[i]) <= 5 * se, "arm \(i): \(w[i]) vs MC \(c.mc[i]) ± \(c.mc_se[i])")
        }
        // And from the reference P(best) directly.
        let fromAlpha = try BanditAllocator.topTwoProbabilities(probabilityBest: c.alpha, beta: c.beta)
        for i in w.indices { #expect(close(fromAlpha[i], c.weights[i], abs: 1e-15, rel: 1e-13)) }
    }

    @Test func topTwoHandWorked() throws {
        // α = (0.5, 0.3, 0.2), β = 0.5: Σⱼ≠ᵢ αⱼ/(1 − αⱼ) = 0.3/0.7 + 0.2/0.8 = 0.678571… for arm 0,
        // 0.5/0.5 + 0.2/0.8 = 1.25 for arm 1, 0.5/0.5 + 0.3/0.7 = 1.428571… for arm 2.
        let w = try BanditAllocator.topTwoProbabilities(probabilityBest: [0.5, 0.3, 0.2], beta: 0.5)
        let want = [0.5 * (0.5 + 0.5 * (0.3 / 0.7 + 0.25)), 0.3 * (0.5 + 0.5 * 1.25), 0.2 * (0.5 + 0.5 * (1 + 0.3 / 0.7))]
        for i in 0..<3 { #expect(close(w[i], want[i], abs: 1e-15)) }
        // β = 1 is Thompson sampling; two arms: wᵢ = β αᵢ + (1 − β)(1 − αᵢ).
        #expect(try BanditAllocator.topTwoProbabilities(probabilityBest: [0.5, 0.3, 0.2], beta: 1) == [0.5, 0.3, 0.2])
        let two = try BanditAllocator.topTwoProbabilities(probabilityBest: [0.9, 0.1], beta: 0.25)
        #expect(close(two[0], 0.25 * 0.9 + 0.75 * 0.1, abs: 1e-15) && close(two[1], 0.25 * 0.1 + 0.75 * 0.9, abs: 1e-15))
        // A certain leader: the challenger share is split equally among the others.
        #expect(try BanditAllocator.topTwoProbabilities(probabilityBest: [1, 0, 0], beta: 0.5) == [0.5, 0.25, 0.25])
    }

    // MARK: UCB1 and ε-greedy

    @Test func ucb1HandWorked() throws {
        let ucb = try BanditAllocator(policy: .ucb1, arms: 2)
        // Means 0.5 and 0.6, N = 30: indices 0.5 + √(2 ln 30/10) = 1.3248 and 0.6 + √(2 ln 30/20) = 1.1832.
        #expect(try ucb.weights([ArmStatistics(n: 10, sum: 5, sumOfSquares: 5), ArmStatistics(n: 20, sum: 12, sumOfSquares: 12)]) == [1, 0])
        // With more data on arm 0 (N = 220): 0.5 + √(2 ln 220/200) = 0.7320 < 0.6 + √(2 ln 220/20) = 1.3347.
        #expect(try ucb.weights([ArmStatistics(n: 200, successes: 100), ArmStatistics(n: 20, successes: 12)]) == [0, 1])
        // The bonus uses the total N, not nᵢ: means 0.9 (n = 100) and 0.2 (n = 5), N = 105:
        // 0.9 + √(2 ln 105/100) = 1.2051 < 0.2 + √(2 ln 105/5) = 1.5644 (with ln nᵢ it would be
        // 1.2035 > 1.0021).
        #expect(try ucb.weights([ArmStatistics(n: 100, successes: 90), ArmStatistics(n: 5, successes: 1)]) == [0, 1])
        // Ties split; an arm with n = 0 comes first; all unplayed: uniform.
        let three = try BanditAllocator(policy: .ucb1, arms: 3)
        #expect(try three.weights([ArmStatistics(n: 10, successes: 4), ArmStatistics(n: 10, successes: 4),
                                   ArmStatistics(n: 10, successes: 1)]) == [0.5, 0.5, 0])
        #expect(try three.weights([ArmStatistics(n: 0, successes: 0), ArmStatistics(n: 10, successes: 9),
                                   ArmStatistics(n: 0, successes: 0)]) == [0.5, 0, 0.5])
        let cold = try three.weights(Array(repeating: ArmStatistics(n: 0, successes: 0), count: 3))
        #expect(cold.allSatisfy { close($0, 1.0 / 3, abs: 1e-16) })
        // Floor 0.05: w = 0.05 + 0.85·raw.
        let floored = try BanditAllocator(policy: .ucb1, arms: 3, floor: 0.05)
        let w = try floored.weights([ArmStatistics(n: 10, successes: 4), ArmStatistics(n: 10, successes: 4),
                                     ArmStatistics(n: 10, successes: 1)])
        #expect(close(w[0], 0.475, abs: 1e-15) && close(w[1], 0.475, abs: 1e-15) && w[2] == 0.05)
    }

    @Test func epsilonGreedyHandWorked() throws {
        let eg = try BanditAllocator(policy: .epsilonGreedy(epsilon: 0.1), arms: 3)
        // Means 0.2, 0.5, 0.5: ε/3 = 0.0333… everywhere, the two best split 0.9.
        let w = try eg.weights([ArmStatistics(n: 10, successes: 2), ArmStatistics(n: 10, successes: 5),
                                ArmStatistics(n: 20, successes: 10)])
        #expect(close(w[0], 0.1 / 3, abs: 1e-16) && close(w[1], 0.1 / 3 + 0.45, abs: 1e-15) && close(w[2], 0.1 / 3 + 0.45, abs: 1e-15))
        // Single best.
        let single = try eg.weights([ArmStatistics(n: 10, successes: 2), ArmStatistics(n: 10, successes: 6),
                                     ArmStatistics(n: 20, successes: 10)])
        #expect(close(single[1], 0.1 / 3 + 0.9, abs: 1e-15))
        // An arm with n = 0 takes the greedy share first.
        let cold = try eg.weights([ArmStatistics(n: 10, successes: 9), ArmStatistics(n: 0, successes: 0),
                                   ArmStatistics(n: 10, successes: 1)])
        #expect(close(cold[1], 0.1 / 3 + 0.9, abs: 1e-15) && close(cold[0], 0.1 / 3, abs: 1e-16))
        // ε = 1: uniform; ε = 0: greedy.
        let s = [ArmStatistics(n: 10, successes: 2), ArmStatistics(n: 10, successes: 6), ArmStatistics(n: 20, successes: 10)]
        #expect(try BanditAllocator(policy: .epsilonGreedy(epsilon: 1), arms: 3).weights(s).allSatisfy { close($0, 1.0 / 3, abs: 1e-16) })
        #expect(try BanditAllocator(policy: .epsilonGreedy(epsilon: 0), arms: 3).weights(s) == [0, 1, 0])
        // Means of general outcomes (not Bernoulli), including negatives.
        let g = try BanditAllocator(policy: .epsilonGreedy(epsilon: 0.2), arms: 2)
            .weights([ArmStatistics(n: 4, sum: -2, sumOfSquares: 5), ArmStatistics(n: 2, sum: -1.5, sumOfSquares: 1.25)])
        #expect(close(g[0], 0.9, abs: 1e-15) && close(g[1], 0.1, abs: 1e-15))
    }

    // MARK: floors and validation

    static let policies: [BanditPolicy] = [
        .thompsonBernoulli(), .thompsonBernoulli(priorAlpha: 0.5, priorBeta: 0.5), .thompsonGaussian,
        .topTwoThompson(), .topTwoThompson(beta: 0.3, model: .gaussian), .ucb1, .epsilonGreedy(epsilon: 0.1),
    ]

    @Test(arguments: policies)
    func flooredWeightsAreValid(_ policy: BanditPolicy) throws {
        let statsSets: [[ArmStatistics]] = [
            [.init(n: 0, successes: 0), .init(n: 0, successes: 0), .init(n: 0, successes: 0), .init(n: 0, successes: 0)],
            [.init(n: 100, successes: 10), .init(n: 100, successes: 12), .init(n: 100, successes: 30), .init(n: 3, successes: 0)],
            [.init(n: 100_000, successes: 5000), .init(n: 100_000, successes: 5600), .init(n: 50, successes: 1), .init(n: 2, successes: 1)],
            [.init(n: 1000, successes: 0), .init(n: 1000, successes: 1000), .init(n: 7, successes: 3), .init(n: 9, successes: 9)],
        ]
        for floor in [0.0, 0.01, 0.1, 0.25] {
            let allocator = try BanditAllocator(policy: policy, arms: 4, floor: floor)
            for stats in statsSets {
                let w = try allocator.weights(stats)
                #expect(w.count == 4)
                #expect(w.allSatisfy { $0 >= floor && $0 <= 1 }, "\(policy) floor \(floor): \(w)")
                #expect(close(w.reduce(0, +), 1, abs: 1e-12), "\(policy) floor \(floor): sum \(w.reduce(0, +))")
                // The floor rule: w = floor + (1 − k·floor)·raw.
                let raw = try BanditAllocator(policy: policy, arms: 4).weights(stats)
                for i in 0..<4 { #expect(close(w[i], floor + (1 - 4 * floor) * raw[i], abs: 1e-15)) }
                // Deterministic.
                #expect(try allocator.weights(stats) == w)
                // The weights are valid bucket ranges.
                _ = try BanditAllocator.ranges(weights: w)
            }
        }
    }

    @Test func invalidConfigurationsThrow() {
        func rejects(_ policy: BanditPolicy, arms: Int = 3, floor: Double = 0, mentioning text: String) {
            do {
                _ = try BanditAllocator(policy: policy, arms: arms, floor: floor)
                Issue.record("accepted \(policy), arms \(arms), floor \(floor)")
            } catch {
                #expect(error.description.contains(text), "\(error)")
            }
        }
        rejects(.ucb1, arms: 3, floor: 0.34, mentioning: "exceeds 1")   // k·floor > 1
        rejects(.ucb1, floor: -0.01, mentioning: "floor")
        rejects(.ucb1, floor: .nan, mentioning: "floor")
        rejects(.ucb1, arms: 0, mentioning: "arms")
        rejects(.thompsonBernoulli(priorAlpha: 0, priorBeta: 1), mentioning: "priorAlpha")
        rejects(.thompsonBernoulli(priorAlpha: 1, priorBeta: .infinity), mentioning: "priorBeta")
        rejects(.thompsonBernoulli(priorAlpha: 0.05, priorBeta: 1), mentioning: "0.05")
        rejects(.topTwoThompson(beta: 1.5), mentioning: "beta")
        rejects(.topTwoThompson(beta: 0.5, model: .bernoulli(priorAlpha: -1, priorBeta: 1)), mentioning: "priorAlpha")
        rejects(.epsilonGreedy(epsilon: -0.1), mentioning: "epsilon")
        rejects(.epsilonGreedy(epsilon: .nan), mentioning: "epsilon")
        // k·floor = 1 exactly is allowed: uniform.
        #expect(throws: Never.self) { _ = try BanditAllocator(policy: .ucb1, arms: 4, floor: 0.25) }
    }

    @Test func invalidStatisticsThrow() throws {
        func rejects(_ policy: BanditPolicy, _ stats: [ArmStatistics], mentioning text: String) {
            do {
                _ = try BanditAllocator(policy: policy, arms: 2).weights(stats)
                Issue.record("accepted \(stats) under \(policy)")
            } catch {
                #expect(error.description.contains(text), "\(error)")
            }
        }
        let ok = ArmStatistics(n: 10, successes: 3)
        for policy in BanditTests.policies {
            rejects(policy, [ok], mentioning: "expected statistics for 2 arms")
            rejects(policy, [ok, ArmStatistics(n: -1, sum: 0, sumOfSquares: 0)], mentioning: "n = -1")
            rejects(policy, [ok, ArmStatistics(n: 5, sum: .nan, sumOfSquares: 1)], mentioning: "finite")
            rejects(policy, [ok, ArmStatistics(n: 5, sum: 1, sumOfSquares: -1)], mentioning: "sumOfSquares -1")
            rejects(policy, [ok, ArmStatistics(n: 0, sum: 1, sumOfSquares: 1)], mentioning: "n = 0 but sum")
            rejects(policy, [ok, ArmStatistics(n: 4, sum: 4, sumOfSquares: 3)], mentioning: "sum²/n")
        }
        // Bernoulli models: 0 ≤ sum ≤ n.
        for policy: BanditPolicy in [.thompsonBernoulli(), .topTwoThompson()] {
            rejects(policy, [ok, ArmStatistics(n: 10, sum: 11, sumOfSquares: 13)], mentioning: "0 ≤ sum ≤ n")
            rejects(policy, [ok, ArmStatistics(n: 10, sum: -1, sumOfSquares: 1)], mentioning: "0 ≤ sum ≤ n")
        }
        // The same statistics are fine for a Gaussian model.
        _ = try BanditAllocator(policy: .thompsonGaussian, arms: 2).weights([ok, ArmStatistics(n: 10, sum: -1, sumOfSquares: 1)])

        #expect(throws: BanditError.self) { try BanditAllocator.probabilityBest(betaPosteriors: []) }
        #expect(throws: BanditError.self) { try BanditAllocator.probabilityBest(betaPosteriors: [(1, 1), (0, 1)]) }
        #expect(throws: BanditError.self) { try BanditAllocator.probabilityBest(normalPosteriors: [(0, 1), (1, -1)]) }
        #expect(throws: BanditError.self) { try BanditAllocator.probabilityBest(normalPosteriors: [(.nan, 1), (1, 1)]) }
        #expect(throws: BanditError.self) { try BanditAllocator.topTwoProbabilities(probabilityBest: [0.5, -0.1], beta: 0.5) }
        #expect(throws: BanditError.self) { try BanditAllocator.topTwoProbabilities(probabilityBest: [0, 0], beta: 0.5) }
        #expect(throws: BanditError.self) { try BanditAllocator.topTwoProbabilities(probabilityBest: [0.5, 0.5], beta: -0.5) }
        #expect(throws: BanditError.self) { try BanditAllocator.laiRobbinsConstant(bernoulliMeans: [0.5, 1.2]) }
        #expect(throws: BanditError.self) { try BanditAllocator.laiRobbinsConstant(bernoulliMeans: []) }
    }

    // MARK: Lai–Robbins

    @Test func laiRobbinsConstants() throws {
        // ORACLES values from the brief.
        let oracles: [([Double], Double)] = [
            ([0.05, 0.06], 10.67320124), ([0.10, 0.12], 10.03303584), ([0.5, 0.6], 4.899319652),
            ([0.9, 0.8], 2.252099699), ([0.05, 0.06, 0.07], 18.32945215),
        ]
        for (means, value) in oracles {
            #expect(close(try BanditAllocator.laiRobbinsConstant(bernoulliMeans: means), value, abs: 1e-8), "\(means)")
        }
        // And the 40-digit mpmath values of the reference script (full double precision).
        for c in try BanditFixtures.load().lai_robbins {
            #expect(close(try BanditAllocator.laiRobbinsConstant(bernoulliMeans: c.means), c.value, abs: 0, rel: 1e-12), "\(c.means)")
        }
        // Equal means: no suboptimal arm; p* = 1: infinite divergence, no contribution.
        #expect(try BanditAllocator.laiRobbinsConstant(bernoulliMeans: [0.3, 0.3]) == 0)
        #expect(try BanditAllocator.laiRobbinsConstant(bernoulliMeans: [0.5, 1]) == 0)
        // p = 0: KL(0‖q) = −ln(1 − q).
        #expect(close(try BanditAllocator.laiRobbinsConstant(bernoulliMeans: [0, 0.5]), 0.5 / log(2), abs: 1e-15))
    }

    // MARK: assignment

    @Test func rangesAreTheRulesetRanges() throws {
        let w = [0.2, 0.5, 0.3]
        #expect(try BanditAllocator.ranges(weights: w) == bucketRanges(experiment: "bandit", weights: w, coverage: 1))
        #expect(try BanditAllocator.ranges(weights: w, coverage: 0.5) == bucketRanges(experiment: "x", weights: w, coverage: 0.5))
        #expect(throws: BucketRangeError.self) { try BanditAllocator.ranges(weights: [0.5, 0.6]) }
        let r = try BanditAllocator.ranges(weights: w)
        #expect(BanditAllocator.arm(forBucket: 0, bucketCount: 10_000, ranges: r) == 0)
        #expect(BanditAllocator.arm(forBucket: 1_999, bucketCount: 10_000, ranges: r) == 0)
        #expect(BanditAllocator.arm(forBucket: 2_000, bucketCount: 10_000, ranges: r) == 1)
        #expect(BanditAllocator.arm(forBucket: 6_999, bucketCount: 10_000, ranges: r) == 1)
        #expect(BanditAllocator.arm(forBucket: 7_000, bucketCount: 10_000, ranges: r) == 2)
        #expect(BanditAllocator.arm(forBucket: 9_999, bucketCount: 10_000, ranges: r) == 2)
        let half = try BanditAllocator.ranges(weights: w, coverage: 0.5)
        #expect(BanditAllocator.arm(forBucket: 1_500, bucketCount: 10_000, ranges: half) == nil)
    }

    /// Units keep their arm across weight changes; new units follow the current ranges.
    @Test func assignmentIsStickyAcrossUpdates() throws {
        let hasher = SaltedHasher(scheme: .sha256, salt: "bandit-test")
        let ledger = EnrollmentLedger()
        let first = try BanditAllocator.ranges(weights: [0.5, 0.5])
        let early = (0..<4_000).map { "u\($0)" }
        var armOf: [String: Int] = [:]
        for u in early {
            let arm = try #require(BanditAllocator.assign(unit: u, experiment: "b", hasher: hasher, ranges: first, ledger: ledger))
            #expect(arm == BanditAllocator.arm(forBucket: hasher.bucket(u), bucketCount: 10_000, ranges: first))
            armOf[u] = arm
        }
        let second = try BanditAllocator.ranges(weights: [0.1, 0.9])
        var moved = 0
        for u in early {
            #expect(BanditAllocator.assign(unit: u, experiment: "b", hasher: hasher, ranges: second, ledger: ledger) == armOf[u])
            if BanditAllocator.arm(forBucket: hasher.bucket(u), bucketCount: 10_000, ranges: second) != armOf[u] { moved += 1 }
        }
        #expect(moved > 1_000, "the hash alone would move ~40% of the early units; the ledger keeps them")
        var late = [0, 0]
        for i in 0..<4_000 {
            let u = "late\(i)"
            let arm = try #require(BanditAllocator.assign(unit: u, experiment: "b", hasher: hasher, ranges: second, ledger: ledger))
            #expect(arm == BanditAllocator.arm(forBucket: hasher.bucket(u), bucketCount: 10_000, ranges: second))
            late[arm] += 1
        }
        #expect(Swift.abs(Double(late[0]) / 4_000 - 0.1) < 0.02, "\(late)")
        #expect(ledger.count(experiment: "b") == 8_000)
    }

    @Test func updateRoundTripsThroughJSON() throws {
        let u = BanditUpdate(period: 3, day: 2.5, weights: [0.25, 0.75], counts: [120, 380])
        let back = try JSONDecoder().decode(BanditUpdate.self, from: JSONEncoder().encode(u))
        #expect(back == u)
    }
}
