import Distributions
import Foundation

/// Which Bayesian model produced a ``BayesianResult``.
public enum BayesianModel: String, Codable, Sendable {
    /// Beta prior, binomial likelihood, per arm.
    case betaBinomial = "beta_binomial"
    /// Normal prior on the lift, normal likelihood of the estimated lift.
    case normalNormal = "normal_normal"
}

/// A Beta(a, b) prior for a conversion rate; Beta(1, 1) is uniform.
public struct BetaPrior: Equatable, Codable, Sendable {
    public let a: Double
    public let b: Double

    /// Throws unless a and b are finite and positive.
    public init(a: Double = 1, b: Double = 1) throws(AnalysisError) {
        guard a.isFinite, b.isFinite, a > 0, b > 0 else {
            throw AnalysisError("BetaPrior", "a and b must be finite and > 0, got a = \(a), b = \(b)")
        }
        self.a = a
        self.b = b
    }

    private init(uncheckedA a: Double, b: Double) { self.a = a; self.b = b }

    /// The uniform prior Beta(1, 1).
    public static let uniform = BetaPrior(uncheckedA: 1, b: 1)
}

/// A normal prior N(mean, variance) on the lift (on the scale analysed), or a flat prior.
public enum NormalPrior: Equatable, Codable, Sendable {
    /// The improper flat prior: the posterior is N(d̂, SE²).
    case flat
    /// N(mean, variance), variance > 0.
    case normal(mean: Double, variance: Double)
}

/// Posterior summaries of treatment against control.
///
/// "Lift" is treatment − control (absolute) or treatment/control − 1 (relative). When
/// `status != .ok` the fields that could not be computed are `nil`.
public struct BayesianResult: Equatable, Codable, Sendable {
    public let status: AnalysisStatus
    public let model: BayesianModel
    public let scale: LiftScale
    /// Posterior mean of the control rate (Beta–Binomial) or the control sample mean (Normal–Normal).
    public let controlMean: Double?
    /// Posterior mean of the treatment rate, or the treatment sample mean.
    public let treatmentMean: Double?
    /// Posterior mean of the lift.
    public let liftMean: Double?
    /// Posterior standard deviation of the lift.
    public let liftStandardDeviation: Double?
    public let credibleLevel: Double
    public let credibleLower: Double?
    public let credibleUpper: Double?
    /// P(treatment > control | data).
    public let chanceToBeatControl: Double?
    /// E[max(control − treatment, 0) | data]: what shipping treatment risks losing.
    public let expectedLossTreatment: Double?
    /// E[max(treatment − control, 0) | data]: what keeping control risks losing.
    public let expectedLossControl: Double?

    static func failed(_ s: AnalysisStatus, model: BayesianModel, scale: LiftScale, level: Double,
                       controlMean: Double? = nil, treatmentMean: Double? = nil) -> BayesianResult {
        BayesianResult(status: s, model: model, scale: scale, controlMean: controlMean, treatmentMean: treatmentMean,
                       liftMean: nil, liftStandardDeviation: nil, credibleLevel: level, credibleLower: nil,
                       credibleUpper: nil, chanceToBeatControl: nil, expectedLossTreatment: nil,
                       expectedLossControl: nil)
    }
}

/// Bayesian summaries for A/B tests (Stucchio 2015, "Bayesian A/B Testing at VWO"; Deng 2015,
/// "Objective Bayesian two sample hypothesis testing for online controlled experiments";
/// GrowthBook gbstats `bayesian/tests.py`).
public enum Bayesian {
    /// Beta–Binomial model for a conversion rate, absolute lift p_T − p_C.
    ///
    /// Posteriors p_C ~ Beta(a + x_C, b + n_C − x_C), p_T ~ Beta(a + x_T, b + n_T − x_T)
    /// (conjugacy; Gelman et al., BDA3 §2.4), independent.
    /// - Lift posterior: exact mean μ_T − μ_C and sd √(Var_T + Var_C); the credible interval is the
    ///   normal approximation mean ± z_{(1+level)/2}·sd (good once each arm has a few dozen
    ///   successes and failures; it is the interval GrowthBook reports).
    /// - Chance to beat control P(p_T > p_C) = ∫₀¹ f_T(x) F_C(x) dx.
    /// - Expected loss of shipping treatment E[(p_C − p_T)⁺] =
    ///   ∫₀¹ f_T(x) [μ_C (1 − I_x(a_C + 1, b_C)) − x (1 − F_C(x))] dx (using
    ///   ∫_x¹ y f_C(y) dy = μ_C (1 − I_x(a_C + 1, b_C))); of keeping control
    ///   E[(p_T − p_C)⁺] = (μ_T − μ_C) + E[(p_C − p_T)⁺].
    /// The integrals use composite 10-point Gauss–Legendre quadrature on panels of half a
    /// posterior sd of p_T over μ_T ± 40 sd (clipped to [0, 1]), skipping panels with
    /// treatment mass < 1e−17; checked against scipy `integrate.quad` to 1e−9 absolute for
    /// a, b ≥ 1.
    ///
    /// Status: `empty_arm`, `invalid_statistics`. Throws when `level` is outside (0, 1).
    public static func betaBinomial(control: ProportionStatistic, treatment: ProportionStatistic,
                                    prior: BetaPrior = .uniform, level: Double = 0.95) throws(AnalysisError) -> BayesianResult {
        try AnalysisError.checkAlpha(1 - level, in: "Bayesian.betaBinomial(level:)")
        let model = BayesianModel.betaBinomial
        guard control.n >= 0, treatment.n >= 0, control.successes >= 0, treatment.successes >= 0,
              control.successes <= control.n, treatment.successes <= treatment.n else {
            return .failed(.invalidStatistics, model: model, scale: .absolute, level: level)
        }
        guard control.n > 0, treatment.n > 0 else { return .failed(.emptyArm, model: model, scale: .absolute, level: level) }
        let aC = prior.a + Double(control.successes), bC = prior.b + Double(control.n - control.successes)
        let aT = prior.a + Double(treatment.successes), bT = prior.b + Double(treatment.n - treatment.successes)
        let mC = aC / (aC + bC), mT = aT / (aT + bT)
        do {
            let postC = try BetaDistribution(a: aC, b: bC), postT = try BetaDistribution(a: aT, b: bT)
            let postC1 = try BetaDistribution(a: aC + 1, b: bC)
            let sd = (postC.variance + postT.variance).squareRoot()
            let z = try Normal.standard.inverseSurvival((1 - level) / 2)
            let sT = postT.variance.squareRoot()
            var chance = 0.0, loss = 0.0
            let lo = max(0, mT - 40 * sT), hi = min(1, mT + 40 * sT)
            let panels = Int(((hi - lo) / (0.5 * sT)).rounded(.up))
            let width = (hi - lo) / Double(max(panels, 1))
            var left = lo, cdfLeft = postT.cdf(lo)
            for k in 0..<max(panels, 1) {
                let right = k == panels - 1 ? hi : left + width
                let cdfRight = postT.cdf(right)
                if cdfRight - cdfLeft > 1e-17 {
                    let half = (right - left) / 2, mid = (right + left) / 2
                    for (node, weight) in GaussLegendre.ten {
                        let x = mid + half * node
                        let f = postT.density(x) * weight * half
                        let fc = postC.cdf(x)
                        chance += f * fc
                        loss += f * (mC * postC1.sf(x) - x * (1 - fc))
                    }
                }
                left = right
                cdfLeft = cdfRight
            }
            chance = min(max(chance, 0), 1)
            loss = max(loss, 0)
            let mean = mT - mC
            return BayesianResult(status: .ok, model: model, scale: .absolute, controlMean: mC, treatmentMean: mT,
                                  liftMean: mean, liftStandardDeviation: sd, credibleLevel: level,
                                  credibleLower: mean - z * sd, credibleUpper: mean + z * sd,
                                  chanceToBeatControl: chance, expectedLossTreatment: loss,
                                  expectedLossControl: max(mean + loss, 0))
        } catch {
            return .failed(.numericalFailure, model: model, scale: .absolute, level: level, controlMean: mC, treatmentMean: mT)
        }
    }

    /// Normal–Normal model for the lift of a continuous metric (Gelman et al., BDA3 §2.5;
    /// Deng 2015; GrowthBook gbstats `GaussianEffectABTest`).
    ///
    /// Likelihood: the estimated lift d̂ ~ N(δ, SE²), with d̂ and SE from Welch's comparison
    /// (absolute: ȳ_T − ȳ_C and √(s_T²/n_T + s_C²/n_C); relative: the delta method, see
    /// ``Comparisons``). Prior δ ~ N(μ₀, σ₀²) or flat. Posterior
    /// δ | d̂ ~ N(μ₁, σ₁²), 1/σ₁² = 1/SE² + 1/σ₀², μ₁ = σ₁²(d̂/SE² + μ₀/σ₀²) (flat: μ₁ = d̂, σ₁ = SE).
    /// Chance to beat control Φ(μ₁/σ₁); expected loss of shipping
    /// E[(−δ)⁺] = σ₁ φ(μ₁/σ₁) − μ₁ Φ(−μ₁/σ₁); of keeping control E[δ⁺] = μ₁ + E[(−δ)⁺];
    /// credible interval μ₁ ± z_{(1+level)/2} σ₁.
    ///
    /// Status as ``Comparisons/welch(control:treatment:scale:alpha:alternative:)``. Throws when
    /// `level` is outside (0, 1) or the prior variance is not finite and positive.
    public static func normalNormal(control: MeanStatistic, treatment: MeanStatistic, scale: LiftScale = .absolute,
                                    prior: NormalPrior = .flat, level: Double = 0.95) throws(AnalysisError) -> BayesianResult {
        try AnalysisError.checkAlpha(1 - level, in: "Bayesian.normalNormal(level:)")
        if case let .normal(mean, variance) = prior, !(mean.isFinite && variance.isFinite && variance > 0) {
            throw AnalysisError("Bayesian.normalNormal(prior:)", "the prior needs a finite mean and a finite variance > 0, got \(mean), \(variance)")
        }
        let model = BayesianModel.normalNormal
        let freq = Comparisons.meanComparison(method: .welch, control: control, treatment: treatment, scale: scale,
                                              alpha: 1 - level, alternative: .twoSided)
        guard freq.status == .ok, let d = freq.estimate, let se = freq.standardError else {
            return .failed(freq.status, model: model, scale: scale, level: level,
                           controlMean: freq.controlMean, treatmentMean: freq.treatmentMean)
        }
        let mu: Double, sigma: Double
        switch prior {
        case .flat:
            mu = d; sigma = se
        case let .normal(m0, v0):
            let precision = 1 / (se * se) + 1 / v0
            mu = (d / (se * se) + m0 / v0) / precision
            sigma = (1 / precision).squareRoot()
        }
        let n = Normal.standard
        let zLevel: Double
        do { zLevel = try n.inverseSurvival((1 - level) / 2) } catch {
            return .failed(.numericalFailure, model: model, scale: scale, level: level)
        }
        let ratio = mu / sigma
        let lossT = max(sigma * n.density(ratio) - mu * n.cdf(-ratio), 0)
        return BayesianResult(status: .ok, model: model, scale: scale, controlMean: freq.controlMean,
                              treatmentMean: freq.treatmentMean, liftMean: mu, liftStandardDeviation: sigma,
                              credibleLevel: level, credibleLower: mu - zLevel * sigma, credibleUpper: mu + zLevel * sigma,
                              chanceToBeatControl: n.cdf(ratio), expectedLossTreatment: lossT,
                              expectedLossControl: max(mu + lossT, 0))
    }
}

/// Gauss–Legendre nodes and weights on [−1, 1], computed once by Newton's method on the
/// Legendre recurrence (Press et al., Numerical Recipes 3rd ed., §4.6, `gauleg`).
enum GaussLegendre {
    static let ten: [(Double, Double)] = nodes(10)

    static func nodes(_ n: Int) -> [(Double, Double)] {
        var out: [(Double, Double)] = []
        for i in 1...n {
            var x = cos(Double.pi * (Double(i) - 0.25) / (Double(n) + 0.5))
            var dp = 0.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = 0.0
                for j in 1...n {
                    let p2 = p1
                    p1 = p0
                    p0 = ((2 * Double(j) - 1) * x * p1 - (Double(j) - 1) * p2) / Double(j)
                }
                dp = Double(n) * (x * p0 - p1) / (x * x - 1)
                let dx = p0 / dp
                x -= dx
                if abs(dx) < 1e-15 { break }
            }
            out.append((x, 2 / ((1 - x * x) * dp * dp)))
        }
        return out
    }
}
