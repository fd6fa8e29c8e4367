import CGSL
import Foundation

/// A univariate distribution with cumulative distribution, survival and quantile functions
/// computed by GSL (`gsl_cdf_*`), and a sampler (`gsl_ran_*`).
///
/// `cdf` and `sf` are total for finite and infinite `x` (NaN in gives NaN out, by IEEE rules).
/// `quantile` and `inverseSurvival` throw ``DistributionError`` for a probability outside
/// [0, 1] or when GSL's inversion fails.
public protocol UnivariateDistribution: Sendable {
    /// P(X ≤ x).
    func cdf(_ x: Double) -> Double
    /// P(X > x), computed directly (not as 1 − cdf) so upper tails keep their precision.
    func sf(_ x: Double) -> Double
    /// The smallest x with P(X ≤ x) ≥ p.
    func quantile(_ p: Double) throws(DistributionError) -> Double
    /// The x with P(X > x) = q, computed from the upper tail for precision.
    func inverseSurvival(_ q: Double) throws(DistributionError) -> Double
    /// The distribution's mean (NaN-free for the parameters where it exists; see each type).
    var mean: Double { get }
    /// The distribution's variance (`.infinity` where it diverges).
    var variance: Double { get }
}

/// Normal distribution N(μ, σ²). GSL: `gsl_cdf_gaussian_{P,Q,Pinv,Qinv}`, sampler
/// `gsl_ran_gaussian_ziggurat` (Marsaglia & Tsang 2000).
public struct Normal: UnivariateDistribution, Equatable {
    public let mu: Double
    public let sigma: Double

    /// The standard normal N(0, 1).
    public static let standard = Normal(uncheckedMu: 0, sigma: 1)

    /// N(mu, sigma²); sigma must be finite and positive, mu finite.
    public init(mu: Double = 0, sigma: Double = 1) throws(DistributionError) {
        try Check.finite(mu, "mu", in: "Normal")
        try Check.positive(sigma, "sigma", in: "Normal")
        self.init(uncheckedMu: mu, sigma: sigma)
    }

    private init(uncheckedMu mu: Double, sigma: Double) {
        GSL.ensureInitialized()
        self.mu = mu
        self.sigma = sigma
    }

    public var mean: Double { mu }
    public var variance: Double { sigma * sigma }

    public func density(_ x: Double) -> Double { gsl_ran_gaussian_pdf(x - mu, sigma) }
    public func cdf(_ x: Double) -> Double { gsl_cdf_gaussian_P(x - mu, sigma) }
    public func sf(_ x: Double) -> Double { gsl_cdf_gaussian_Q(x - mu, sigma) }

    public func quantile(_ p: Double) throws(DistributionError) -> Double {
        try Check.probability(p, "p", in: "Normal.quantile")
        return mu + (try Check.result(gsl_cdf_gaussian_Pinv(p, sigma), in: "Normal.quantile", "p = \(p)"))
    }

    public func inverseSurvival(_ q: Double) throws(DistributionError) -> Double {
        try Check.probability(q, "q", in: "Normal.inverseSurvival")
        return mu + (try Check.result(gsl_cdf_gaussian_Qinv(q, sigma), in: "Normal.inverseSurvival", "q = \(q)"))
    }

    /// One draw by the ziggurat method.
    @inlinable
    public func sample(using stream: RandomStream) -> Double {
        mu + sigma * stream.standardNormal()
    }
}

extension RandomStream {
    /// One standard normal draw (`gsl_ran_gaussian_ziggurat` with σ = 1).
    public func standardNormal() -> Double {
        withGSL { gsl_ran_gaussian_ziggurat($0, 1.0) }
    }
}

/// Student's t distribution with ν > 0 degrees of freedom (ν need not be an integer, as in
/// Welch's test). GSL: `gsl_cdf_tdist_*`, sampler `gsl_ran_tdist`.
public struct StudentT: UnivariateDistribution, Equatable {
    public let nu: Double

    public init(nu: Double) throws(DistributionError) {
        try Check.positive(nu, "nu", in: "StudentT")
        GSL.ensureInitialized()
        self.nu = nu
    }

    /// 0 (by symmetry; the mean exists only for ν > 1, see ``meanIfDefined``).
    public var mean: Double { 0 }
    /// The mean, or nil when ν ≤ 1 (Cauchy-like tails).
    public var meanIfDefined: Double? { nu > 1 ? 0 : nil }
    /// ν/(ν−2) for ν > 2, infinite for 1 < ν ≤ 2.
    public var variance: Double { nu > 2 ? nu / (nu - 2) : .infinity }

    public func density(_ x: Double) -> Double { gsl_ran_tdist_pdf(x, nu) }
    public func cdf(_ x: Double) -> Double { gsl_cdf_tdist_P(x, nu) }
    public func sf(_ x: Double) -> Double { gsl_cdf_tdist_Q(x, nu) }

    /// For ν = 1 (Cauchy) the closed form −cot(πp) is used: GSL's `tan(π(p − ½))` loses
    /// relative precision in the tails (1.4e−5 at p = 1e−12).
    public func quantile(_ p: Double) throws(DistributionError) -> Double {
        try Check.probability(p, "p", in: "StudentT.quantile")
        if nu == 1, p > 0, p < 1 {
            return p < 0.5 ? -1 / Foundation.tan(Double.pi * p) : 1 / Foundation.tan(Double.pi * (1 - p))
        }
        return try Check.result(gsl_cdf_tdist_Pinv(p, nu), in: "StudentT.quantile", "p = \(p), nu = \(nu)")
    }

    public func inverseSurvival(_ q: Double) throws(DistributionError) -> Double {
        try Check.probability(q, "q", in: "StudentT.inverseSurvival")
        if nu == 1, q > 0, q < 1 {
            return q < 0.5 ? 1 / Foundation.tan(Double.pi * q) : -1 / Foundation.tan(Double.pi * (1 - q))
        }
        return try Check.result(gsl_cdf_tdist_Qinv(q, nu), in: "StudentT.inverseSurvival", "q = \(q), nu = \(nu)")
    }

    public func sample(using stream: RandomStream) -> Double {
        stream.withGSL { gsl_ran_tdist($0, nu) }
    }
}

/// The χ² distribution with ν > 0 degrees of freedom. GSL: `gsl_cdf_chisq_*`, sampler
/// `gsl_ran_chisq`.
public struct ChiSquared: UnivariateDistribution, Equatable {
    public let nu: Double

    public init(nu: Double) throws(DistributionError) {
        try Check.positive(nu, "nu", in: "ChiSquared")
        GSL.ensureInitialized()
        self.nu = nu
    }

    public var mean: Double { nu }
    public var variance: Double { 2 * nu }

    public func density(_ x: Double) -> Double { gsl_ran_chisq_pdf(x, nu) }
    public func cdf(_ x: Double) -> Double { gsl_cdf_chisq_P(x, nu) }
    public func sf(_ x: Double) -> Double { gsl_cdf_chisq_Q(x, nu) }

    public func quantile(_ p: Double) throws(DistributionError) -> Double {
        try Check.probability(p, "p", in: "ChiSquared.quantile")
        return try Check.result(gsl_cdf_chisq_Pinv(p, nu), in: "ChiSquared.quantile", "p = \(p), nu = \(nu)")
    }

    public func inverseSurvival(_ q: Double) throws(DistributionError) -> Double {
        try Check.probability(q, "q", in: "ChiSquared.inverseSurvival")
        return try Check.result(gsl_cdf_chisq_Qinv(q, nu), in: "ChiSquared.inverseSurvival", "q = \(q), nu = \(nu)")
    }

    public func sample(using stream: RandomStream) -> Double {
        stream.withGSL { gsl_ran_chisq($0, nu) }
    }
}

/// The beta distribution Beta(a, b), a, b > 0. GSL: `gsl_cdf_beta_*`, sampler `gsl_ran_beta`
/// (ratio of gammas).
public struct BetaDistribution: UnivariateDistribution, Equatable {
    public let a: Double
    public let b: Double

    public init(a: Double, b: Double) throws(DistributionError) {
        try Check.positive(a, "a", in: "BetaDistribution")
        try Check.positive(b, "b", in: "BetaDistribution")
        GSL.ensureInitialized()
        self.a = a
        self.b = b
    }

    public var mean: Double { a / (a + b) }
    public var variance: Double { a * b / ((a + b) * (a + b) * (a + b + 1)) }

    public func density(_ x: Double) -> Double { gsl_ran_beta_pdf(x, a, b) }
    public func cdf(_ x: Double) -> Double { gsl_cdf_beta_P(x, a, b) }
    public func sf(_ x: Double) -> Double { gsl_cdf_beta_Q(x, a, b) }

    public func quantile(_ p: Double) throws(DistributionError) -> Double {
        try Check.probability(p, "p", in: "BetaDistribution.quantile")
        return try Check.result(gsl_cdf_beta_Pinv(p, a, b), in: "BetaDistribution.quantile", "p = \(p), a = \(a), b = \(b)")
    }

    public func inverseSurvival(_ q: Double) throws(DistributionError) -> Double {
        try Check.probability(q, "q", in: "BetaDistribution.inverseSurvival")
        return try Check.result(gsl_cdf_beta_Qinv(q, a, b), in: "BetaDistribution.inverseSurvival", "q = \(q), a = \(a), b = \(b)")
    }

    public func sample(using stream: RandomStream) -> Double {
        stream.withGSL { gsl_ran_beta($0, a, b) }
    }
}

/// The gamma distribution with shape k > 0 and scale θ > 0 (mean kθ). GSL: `gsl_cdf_gamma_*`,
/// sampler `gsl_ran_gamma` (Marsaglia & Tsang, ACM TOMS 26(3), 2000).
public struct GammaDistribution: UnivariateDistribution, Equatable {
    public let shape: Double
    public let scale: Double

    public init(shape: Double, scale: Double) throws(DistributionError) {
        try Check.positive(shape, "shape", in: "GammaDistribution")
        try Check.positive(scale, "scale", in: "GammaDistribution")
        GSL.ensureInitialized()
        self.shape = shape
        self.scale = scale
    }

    public var mean: Double { shape * scale }
    public var variance: Double { shape * scale * scale }

    public func density(_ x: Double) -> Double { gsl_ran_gamma_pdf(x, shape, scale) }
    public func cdf(_ x: Double) -> Double { gsl_cdf_gamma_P(x, shape, scale) }
    public func sf(_ x: Double) -> Double { gsl_cdf_gamma_Q(x, shape, scale) }

    public func quantile(_ p: Double) throws(DistributionError) -> Double {
        try Check.probability(p, "p", in: "GammaDistribution.quantile")
        return try Check.result(gsl_cdf_gamma_Pinv(p, shape, scale), in: "GammaDistribution.quantile", "p = \(p)")
    }

    public func inverseSurvival(_ q: Double) throws(DistributionError) -> Double {
        try Check.probability(q, "q", in: "GammaDistribution.inverseSurvival")
        return try Check.result(gsl_cdf_gamma_Qinv(q, shape, scale), in: "GammaDistribution.inverseSurvival", "q = \(q)")
    }

    public func sample(using stream: RandomStream) -> Double {
        stream.withGSL { gsl_ran_gamma($0, shape, scale) }
    }
}

/// The lognormal distribution: exp of N(μ, σ²). GSL: `gsl_cdf_lognormal_*`, sampler
/// `gsl_ran_lognormal`.
public struct LogNormal: UnivariateDistribution, Equatable {
    public let mu: Double
    public let sigma: Double

    public init(mu: Double, sigma: Double) throws(DistributionError) {
        try Check.finite(mu, "mu", in: "LogNormal")
        try Check.positive(sigma, "sigma", in: "LogNormal")
        GSL.ensureInitialized()
        self.mu = mu
        self.sigma = sigma
    }

    public var mean: Double { Foundation.exp(mu + sigma * sigma / 2) }
    public var variance: Double { (Foundation.exp(sigma * sigma) - 1) * Foundation.exp(2 * mu + sigma * sigma) }

    public func density(_ x: Double) -> Double { gsl_ran_lognormal_pdf(x, mu, sigma) }
    public func cdf(_ x: Double) -> Double { gsl_cdf_lognormal_P(x, mu, sigma) }
    public func sf(_ x: Double) -> Double { gsl_cdf_lognormal_Q(x, mu, sigma) }

    public func quantile(_ p: Double) throws(DistributionError) -> Double {
        try Check.probability(p, "p", in: "LogNormal.quantile")
        return try Check.result(gsl_cdf_lognormal_Pinv(p, mu, sigma), in: "LogNormal.quantile", "p = \(p)")
    }

    public func inverseSurvival(_ q: Double) throws(DistributionError) -> Double {
        try Check.probability(q, "q", in: "LogNormal.inverseSurvival")
        return try Check.result(gsl_cdf_lognormal_Qinv(q, mu, sigma), in: "LogNormal.inverseSurvival", "q = \(q)")
    }

    public func sample(using stream: RandomStream) -> Double {
        stream.withGSL { gsl_ran_lognormal($0, mu, sigma) }
    }
}

/// The exponential distribution with the given mean (rate 1/mean). GSL: `gsl_cdf_exponential_*`,
/// sampler `gsl_ran_exponential`.
public struct Exponential: UnivariateDistribution, Equatable {
    public let scale: Double

    /// Exponential with mean `mean` > 0.
    public init(mean: Double) throws(DistributionError) {
        try Check.positive(mean, "mean", in: "Exponential")
        GSL.ensureInitialized()
        self.scale = mean
    }

    public var mean: Double { scale }
    public var variance: Double { scale * scale }

    public func cdf(_ x: Double) -> Double { gsl_cdf_exponential_P(x, scale) }
    public func sf(_ x: Double) -> Double { gsl_cdf_exponential_Q(x, scale) }

    public func quantile(_ p: Double) throws(DistributionError) -> Double {
        try Check.probability(p, "p", in: "Exponential.quantile")
        return try Check.result(gsl_cdf_exponential_Pinv(p, scale), in: "Exponential.quantile", "p = \(p)")
    }

    public func inverseSurvival(_ q: Double) throws(DistributionError) -> Double {
        try Check.probability(q, "q", in: "Exponential.inverseSurvival")
        return try Check.result(gsl_cdf_exponential_Qinv(q, scale), in: "Exponential.inverseSurvival", "q = \(q)")
    }

    public func sample(using stream: RandomStream) -> Double {
        stream.withGSL { gsl_ran_exponential($0, scale) }
    }
}

/// The continuous uniform distribution on [lower, upper).
public struct Uniform: UnivariateDistribution, Equatable {
    public let lower: Double
    public let upper: Double

    public init(lower: Double = 0, upper: Double = 1) throws(DistributionError) {
        try Check.finite(lower, "lower", in: "Uniform")
        try Check.finite(upper, "upper", in: "Uniform")
        guard upper > lower else {
            throw DistributionError(.domain, "Uniform", "upper must exceed lower, got [\(lower), \(upper))")
        }
        GSL.ensureInitialized()
        self.lower = lower
        self.upper = upper
    }

    public var mean: Double { (lower + upper) / 2 }
    public var variance: Double { (upper - lower) * (upper - lower) / 12 }

    public func cdf(_ x: Double) -> Double { gsl_cdf_flat_P(x, lower, upper) }
    public func sf(_ x: Double) -> Double { gsl_cdf_flat_Q(x, lower, upper) }

    public func quantile(_ p: Double) throws(DistributionError) -> Double {
        try Check.probability(p, "p", in: "Uniform.quantile")
        return lower + p * (upper - lower)
    }

    public func inverseSurvival(_ q: Double) throws(DistributionError) -> Double {
        try Check.probability(q, "q", in: "Uniform.inverseSurvival")
        return upper - q * (upper - lower)
    }

    /// `lower + (upper − lower)·u` with u from ``RandomStream/uniform()`` (as `gsl_ran_flat`).
    @inlinable
    public func sample(using stream: RandomStream) -> Double {
        lower + (upper - lower) * stream.uniform()
    }
}

