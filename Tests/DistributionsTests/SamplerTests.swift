import Foundation
import Testing
@testable import Distributions

/// Moments and goodness of fit of every sampler at a fixed seed.
///
/// Mean: |x̄ − μ| ≤ 4·MCSE with MCSE = σ/√n. Variance: |s² − σ²| ≤ 4·MCSE with
/// MCSE = √((m₄ − s⁴)/n), m₄ the sample fourth central moment. Goodness of fit: a one-sample
/// Kolmogorov–Smirnov test (continuous) or Pearson χ² (discrete) must not reject at 0.001.
/// The seed is fixed, so these are deterministic; a failure prints the seed and path.
enum SamplerCheck {
    static let n = 100_000
    static let seed: UInt64 = 20_261_121

    struct Moments { let mean: Double; let variance: Double; let m4: Double }

    static func moments(_ xs: [Double]) -> Moments {
        let n = Double(xs.count)
        let mean = xs.reduce(0, +) / n
        var m2 = 0.0, m4 = 0.0
        for x in xs { let d = x - mean; m2 += d * d; m4 += d * d * d * d }
        return Moments(mean: mean, variance: m2 / (n - 1), m4: m4 / n)
    }

    static func checkMoments(_ xs: [Double], mean mu: Double, variance sigma2: Double, _ label: String) {
        let m = moments(xs)
        let n = Double(xs.count)
        let mcseMean = (sigma2 / n).squareRoot()
        #expect(abs(m.mean - mu) <= 4 * mcseMean, "\(label): mean \(m.mean) vs \(mu), MCSE \(mcseMean) (seed \(seed))")
        let mcseVar = (max(m.m4 - m.variance * m.variance, 0) / n).squareRoot()
        #expect(abs(m.variance - sigma2) <= 4 * mcseVar, "\(label): variance \(m.variance) vs \(sigma2), MCSE \(mcseVar) (seed \(seed))")
    }

    /// Kolmogorov–Smirnov statistic D and its asymptotic p-value, with Stephens' (1970)
    /// small-sample correction λ = (√n + 0.12 + 0.11/√n)·D and
    /// Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²} (Numerical Recipes §14.3).
    static func ksPValue(_ xs: [Double], cdf: (Double) -> Double) -> Double {
        let sorted = xs.sorted()
        let n = Double(sorted.count)
        var d = 0.0
        for (i, x) in sorted.enumerated() {
            let f = cdf(x)
            d = max(d, Double(i + 1) / n - f, f - Double(i) / n)
        }
        let en = n.squareRoot()
        let lambda = (en + 0.12 + 0.11 / en) * d
        var sum = 0.0, sign = 1.0
        for k in 1...100 {
            let term = sign * 2 * exp(-2 * Double(k * k) * lambda * lambda)
            sum += term
            if abs(term) < 1e-12 { break }
            sign = -sign
        }
        return min(max(sum, 0), 1)
    }

    /// Pearson χ² p-value of integer draws against a pmf, pooling the tails until every
    /// expected count is ≥ 5.
    static func chiSquarePValue(_ draws: [Int], pmf: (Int) -> Double, support: ClosedRange<Int>) throws -> Double {
        let n = Double(draws.count)
        var observed: [Int: Int] = [:]
        for k in draws { observed[k, default: 0] += 1 }
        var bins: [(o: Double, e: Double)] = []
        var accO = 0.0, accE = 0.0
        for k in support {
            accO += Double(observed[k] ?? 0)
            accE += n * pmf(k)
            if accE >= 5 { bins.append((accO, accE)); accO = 0; accE = 0 }
        }
        // Everything above the support's end, and any remainder, goes into the last bin.
        let outside = Double(draws.filter { !support.contains($0) }.count)
        let restE = n - bins.reduce(0) { $0 + $1.e } - accE
        accO += outside
        accE += max(restE, 0)
        if !bins.isEmpty, accE < 5 || accO > 0 || accE > 0 {
            let last = bins.removeLast()
            bins.append((last.o + accO, last.e + accE))
        }
        let stat = bins.reduce(0) { $0 + ($1.o - $1.e) * ($1.o - $1.e) / $1.e }
        return try ChiSquared(nu: Double(bins.count - 1)).sf(stat)
    }
}

@Suite struct SamplerTests {
    typealias C = SamplerCheck

    func draws(_ path: UInt64, _ body: (RandomStream) -> Double) -> [Double] {
        let s = RandomStream(seed: C.seed, path: [path])
        return (0..<C.n).map { _ in body(s) }
    }

    func checkContinuous(_ d: some UnivariateDistribution, path: UInt64, _ label: String, sample: (RandomStream) -> Double) {
        let xs = draws(path, sample)
        C.checkMoments(xs, mean: d.mean, variance: d.variance, label)
        let p = C.ksPValue(xs, cdf: d.cdf)
        #expect(p > 0.001, "\(label): KS p = \(p) (seed \(C.seed), path [\(path)])")
    }

    @Test func uniform() throws {
        let d = try Uniform(lower: -2, upper: 3)
        checkContinuous(d, path: 1, "uniform") { d.sample(using: $0) }
    }

    @Test func normal() throws {
        let d = try Normal(mu: 10, sigma: 2.5)
        checkContinuous(d, path: 2, "normal") { d.sample(using: $0) }
    }

    @Test func lognormal() throws {
        let d = try LogNormal(mu: 1.0, sigma: 0.5)
        checkContinuous(d, path: 3, "lognormal") { d.sample(using: $0) }
    }

    @Test(arguments: [(0.7, 1.0), (3.0, 2.0), (40.0, 0.25)])
    func gamma(shape: Double, scale: Double) throws {
        let d = try GammaDistribution(shape: shape, scale: scale)
        checkContinuous(d, path: 4, "gamma(\(shape), \(scale))") { d.sample(using: $0) }
    }

    @Test(arguments: [(0.5, 0.5), (2.0, 5.0), (121.0, 881.0)])
    func beta(a: Double, b: Double) throws {
        let d = try BetaDistribution(a: a, b: b)
        checkContinuous(d, path: 5, "beta(\(a), \(b))") { d.sample(using: $0) }
    }

    @Test func exponential() throws {
        let d = try Exponential(mean: 3)
        checkContinuous(d, path: 6, "exponential") { d.sample(using: $0) }
    }

    @Test func studentT() throws {
        // ν = 10: the fourth moment exists, so the variance check has a finite MCSE.
        let d = try StudentT(nu: 10)
        checkContinuous(d, path: 7, "t(10)") { d.sample(using: $0) }
    }

    @Test func chiSquared() throws {
        let d = try ChiSquared(nu: 4)
        checkContinuous(d, path: 8, "chisq(4)") { d.sample(using: $0) }
    }

    @Test func bernoulli() throws {
        let d = try Bernoulli(p: 0.12)
        let s = RandomStream(seed: C.seed, 9)
        let xs = (0..<C.n).map { _ in d.sample(using: s) ? 1 : 0 }
        C.checkMoments(xs.map(Double.init), mean: d.mean, variance: d.variance, "bernoulli")
        let p = try C.chiSquarePValue(xs, pmf: { $0 == 1 ? 0.12 : 0.88 }, support: 0...1)
        #expect(p > 0.001, "bernoulli: χ² p = \(p)")
    }

    @Test(arguments: [(UInt32(10), 0.3), (1000, 0.5), (20000, 0.01)])
    func binomial(n: UInt32, p: Double) throws {
        let d = try Binomial(n: n, p: p)
        let s = RandomStream(seed: C.seed, 10, UInt64(n))
        let xs = (0..<C.n).map { _ in d.sample(using: s) }
        C.checkMoments(xs.map(Double.init), mean: d.mean, variance: d.variance, "binomial(\(n), \(p))")
        let pv = try C.chiSquarePValue(xs, pmf: d.pmf, support: 0...Int(n))
        #expect(pv > 0.001, "binomial(\(n), \(p)): χ² p = \(pv)")
    }

    @Test(arguments: [0.5, 4.0, 150.0])
    func poisson(mu: Double) throws {
        let d = try Poisson(mean: mu)
        let s = RandomStream(seed: C.seed, 11)
        let xs = (0..<C.n).map { _ in d.sample(using: s) }
        C.checkMoments(xs.map(Double.init), mean: d.mean, variance: d.variance, "poisson(\(mu))")
        let pv = try C.chiSquarePValue(xs, pmf: d.pmf, support: 0...Int(mu * 3 + 30))
        #expect(pv > 0.001, "poisson(\(mu)): χ² p = \(pv)")
    }

    @Test(arguments: [(3.0, 2.0), (20.0, 0.8)])
    func negativeBinomial(mean: Double, size: Double) throws {
        let d = try NegativeBinomial(mean: mean, size: size)
        #expect(abs(d.mean - mean) < 1e-12)
        #expect(abs(d.variance - (mean + mean * mean / size)) < 1e-9)
        let s = RandomStream(seed: C.seed, 12)
        let xs = (0..<C.n).map { _ in d.sample(using: s) }
        C.checkMoments(xs.map(Double.init), mean: d.mean, variance: d.variance, "negbin(\(mean), \(size))")
        let pv = try C.chiSquarePValue(xs, pmf: d.pmf, support: 0...Int(mean * 20 + 50))
        #expect(pv > 0.001, "negbin(\(mean), \(size)): χ² p = \(pv)")
    }

    @Test func categorical() throws {
        let w = [0.5, 0.2, 0.2, 0.1, 0.0]
        let d = try Categorical(weights: w)
        let s = RandomStream(seed: C.seed, 13)
        let xs = (0..<C.n).map { _ in d.sample(using: s) }
        #expect(!xs.contains(4), "a zero-weight category was drawn")
        let pv = try C.chiSquarePValue(xs, pmf: { w[$0] }, support: 0...3)
        #expect(pv > 0.001, "categorical: χ² p = \(pv)")
        for k in 0..<4 {
            let count = Double(xs.filter { $0 == k }.count)
            let mcse = (Double(C.n) * w[k] * (1 - w[k])).squareRoot()
            #expect(abs(count - Double(C.n) * w[k]) <= 4 * mcse, "category \(k): \(count)")
        }
    }

    @Test func multinomial() throws {
        let w = [0.25, 0.25, 0.5]
        let d = try Multinomial(trials: 100, weights: w)
        let s = RandomStream(seed: C.seed, 14)
        let reps = 20_000
        var totals = [Double](repeating: 0, count: 3)
        var firstCounts: [Double] = []
        for _ in 0..<reps {
            let c = d.sample(using: s)
            #expect(c.reduce(0, +) == 100)
            for k in 0..<3 { totals[k] += Double(c[k]) }
            firstCounts.append(Double(c[0]))
        }
        C.checkMoments(firstCounts, mean: 25, variance: 100 * 0.25 * 0.75, "multinomial[0]")
        // χ² of the pooled category totals against 100·reps·w.
        let n = 100.0 * Double(reps)
        let stat = (0..<3).reduce(0.0) { $0 + pow(totals[$1] - n * w[$1], 2) / (n * w[$1]) }
        #expect(try ChiSquared(nu: 2).sf(stat) > 0.001)
    }

    /// Negative control: the goodness-of-fit test must be able to fail. N(0.05, 1) draws are
    /// rejected against N(0, 1) at this seed (power ≈ 1 at n = 100 000).
    @Test func goodnessOfFitDetectsAShiftedDistribution() throws {
        let shifted = try Normal(mu: 0.05, sigma: 1)
        let xs = draws(15) { shifted.sample(using: $0) }
        #expect(C.ksPValue(xs, cdf: Normal.standard.cdf) < 0.001)
        let binomial = try Binomial(n: 100, p: 0.5)
        let s = RandomStream(seed: C.seed, 16)
        let ks = (0..<C.n).map { _ in binomial.sample(using: s) }
        let wrong = try Binomial(n: 100, p: 0.51)
        #expect(try C.chiSquarePValue(ks, pmf: wrong.pmf, support: 0...100) < 0.001)
    }
}
