import Foundation
import Distributions

/// Settings shared by the power, sample-size and MDE calculations of ``PowerAnalysis``.
public struct PowerSettings: Sendable, Equatable, Hashable {
    /// Significance level α (two-sided total for `.twoSided`).
    public var alpha: Double
    /// `.twoSided` (the default), or one-sided `.greater` (treatment > control) / `.less`.
    public var alternative: Alternative
    /// Allocation ratio r = n_treatment / n_control. Sample sizes are returned for the
    /// control arm; the treatment arm has r times as many units.
    public var ratio: Double
    /// For a two-sided test, also count rejections in the tail opposite to the effect (R's
    /// `strict = TRUE`; `pwr` and statsmodels always do). Default false: R's default, and the
    /// textbook closed forms.
    public var countOppositeTail: Bool
    /// CUPED: correlation ρ between the metric and its pre-period covariate, 0 ≤ ρ < 1. The
    /// variance of the estimated difference is multiplied by 1 − ρ² (Deng, Xu, Kohavi & Walker
    /// 2013, WSDM, §3.2), so sample sizes shrink by the same factor.
    public var cupedRho: Double

    /// Settings with the usual defaults (α = 0.05 two-sided, 1:1, one tail counted, no CUPED);
    /// values are validated by the functions that use them.
    public init(alpha: Double = 0.05, alternative: Alternative = .twoSided, ratio: Double = 1,
                countOppositeTail: Bool = false, cupedRho: Double = 0) {
        self.alpha = alpha
        self.alternative = alternative
        self.ratio = ratio
        self.countOppositeTail = countOppositeTail
        self.cupedRho = cupedRho
    }

    func validated(_ context: String) throws(AnalysisError) -> PowerSettings {
        try AnalysisError.checkAlpha(alpha, in: context + " alpha")
        guard ratio > 0, ratio.isFinite else { throw AnalysisError(context, "ratio must be positive and finite, got \(ratio)") }
        guard cupedRho >= 0, cupedRho < 1 else { throw AnalysisError(context, "cupedRho must be in [0, 1), got \(cupedRho)") }
        return self
    }

    /// The one-tail level used for the critical value: α/2 two-sided, α one-sided.
    var tailAlpha: Double { alternative == .twoSided ? alpha / 2 : alpha }
    /// √(1 − ρ²), the CUPED factor on standard deviations.
    var cupedFactor: Double { (1 - cupedRho * cupedRho).squareRoot() }
}

/// How the power of a comparison of two means is computed.
public enum MeanPowerMethod: String, Sendable, Codable, CaseIterable {
    /// Two-sample Student t-test with pooled variance, df = n_c + n_t − 2, power from the
    /// noncentral t (R `power.t.test`/`pwr.t.test`, statsmodels `TTestIndPower`).
    case tTest = "t"
    /// Normal approximation, a z-test with known variance (statsmodels `NormalIndPower`;
    /// n = (z_{1−α/2} + z_{1−β})² σ²(1 + 1/r)/δ²).
    case normal
}

/// Power, sample size and minimum detectable effect (MDE) for two-arm comparisons of
/// proportions and means.
///
/// Conventions (each function's notes repeat the formula):
/// - **Proportions**: pooled variance under H0 and unpooled under H1, no continuity correction
///   (Fleiss, Levin & Paik 2003, *Statistical Methods for Rates and Proportions*, eq. 4.14
///   without the correction) — R `power.prop.test` for r = 1, statsmodels
///   `samplesize_proportions_2indep_onetail` for any r. 0.60 → 0.62 at α = 0.05 two-sided and
///   power 0.8 needs 9335.063 per arm (ORACLES §4; the ~4,700 of seed 001 is the one-sample
///   formula).
/// - **Means**: see ``MeanPowerMethod``.
/// - Sample sizes are real numbers for the control arm (round up to plan).
/// - Closed forms are used where they exist (no opposite tail); otherwise Brent's method to a
///   relative tolerance of about 1e-13.
public enum PowerAnalysis {

    // MARK: Proportions

    /// Power of the two-proportion z-test for control rate p_c, treatment rate p_t, n_c control
    /// units and r·n_c treatment units:
    ///
    ///     p̄ = (p_c + r p_t)/(1 + r),  SE₀ = √(p̄(1−p̄)(1/n_c + 1/n_t)),  SE₁ = √(p_c q_c/n_c + p_t q_t/n_t)
    ///     power = Φ((|p_t − p_c| − z_{1−α/2} SE₀)/SE₁)  [+ Φ((−|p_t − p_c| − z_{1−α/2} SE₀)/SE₁) if countOppositeTail]
    ///
    /// (one-sided: z_{1−α} and the signed difference in the direction of the alternative). Both
    /// SEs are multiplied by √(1 − ρ²) under CUPED. R `power.prop.test` (r = 1).
    public static func proportionPower(control: Double, treatment: Double, controlSize: Double,
                                       settings: PowerSettings = PowerSettings()) throws(AnalysisError) -> Double {
        let s = try settings.validated("PowerAnalysis.proportionPower")
        try checkProportions(control, treatment, s, "PowerAnalysis.proportionPower")
        try checkSize(controlSize, "PowerAnalysis.proportionPower")
        let z = try criticalZ(s)
        return proportionPower(pc: control, pt: treatment, n: controlSize, z: z, s: s)
    }

    /// Control-arm sample size n_c for the two-proportion z-test to reach `power`.
    ///
    /// Closed form (no opposite tail): n_c = (z_{1−α/2} s₀ + z_{1−β} s₁)² / (p_t − p_c)², with
    /// s₀ = √(p̄ q̄ (1 + 1/r)), s₁ = √(p_c q_c + p_t q_t / r), both × √(1 − ρ²) under CUPED
    /// (statsmodels `samplesize_proportions_2indep_onetail`; R `power.prop.test` for r = 1).
    /// With `countOppositeTail` the power equation is solved numerically (R `strict = TRUE`).
    public static func proportionSampleSize(control: Double, treatment: Double, power: Double,
                                            settings: PowerSettings = PowerSettings()) throws(AnalysisError) -> Double {
        let context = "PowerAnalysis.proportionSampleSize"
        let s = try settings.validated(context)
        try checkProportions(control, treatment, s, context)
        try checkPower(power, s, context)
        let z = try criticalZ(s)
        let zb = try quantile(1 - power, context)
        let r = s.ratio
        let pbar = (control + r * treatment) / (1 + r)
        let s0 = (pbar * (1 - pbar) * (1 + 1 / r)).squareRoot() * s.cupedFactor
        let s1 = (control * (1 - control) + treatment * (1 - treatment) / r).squareRoot() * s.cupedFactor
        let d = treatment - control
        let closed = Foundation.pow(z * s0 + zb * s1, 2) / (d * d)
        if s.alternative != .twoSided || !s.countOppositeTail { return closed }
        return try solveSize(start: closed, lowest: 1e-9, context: context) {
            proportionPower(pc: control, pt: treatment, n: $0, z: z, s: s) - power
        }
    }

    /// Minimum detectable treatment proportion for n_c control units: the p_t (above p_c, or
    /// below it for `.less`) at which ``proportionPower(control:treatment:controlSize:settings:)``
    /// equals `power`, by Brent's method (R `power.prop.test(n =, p1 =, power =)$p2`).
    /// Throws when no proportion in (0, 1) reaches the power.
    public static func proportionMinimumDetectableTreatment(control: Double, controlSize: Double, power: Double,
                                                            settings: PowerSettings = PowerSettings()) throws(AnalysisError) -> Double {
        let context = "PowerAnalysis.proportionMinimumDetectableTreatment"
        let s = try settings.validated(context)
        guard control > 0, control < 1 else { throw AnalysisError(context, "control proportion must be in (0, 1), got \(control)") }
        try checkSize(controlSize, context)
        try checkPower(power, s, context)
        let z = try criticalZ(s)
        let down = s.alternative == .less
        let eps = 1e-12
        let lo = down ? eps : control + eps, hi = down ? control - eps : 1 - eps
        let f: (Double) -> Double = { proportionPower(pc: control, pt: $0, n: controlSize, z: z, s: s) - power }
        guard let root = BrentSolver.brent(lo, hi, tolerance: 1e-15, f) else {
            throw AnalysisError(context, "no treatment proportion reaches power \(power) with \(controlSize) control units")
        }
        return root
    }

    // MARK: Means

    /// Power of the two-sample comparison of means for a true difference δ (treatment − control),
    /// common standard deviation σ (× √(1 − ρ²) under CUPED), n_c and r·n_c units:
    ///
    ///     θ = δ / (σ √(1/n_c + 1/n_t))
    ///     normal: Φ(|θ| − z_{1−α/2})  [+ Φ(−|θ| − z_{1−α/2})]
    ///     t-test: P(T'_{ν,|θ|} > t_{1−α/2,ν})  [+ P(T'_{ν,|θ|} < −t_{1−α/2,ν})],  ν = n_c + n_t − 2
    ///
    /// (bracketed terms with `countOppositeTail`; one-sided tests use α and the signed θ).
    /// T' is noncentral t (AS 243). R `power.t.test`/`pwr.t.test`; statsmodels
    /// `TTestIndPower`/`NormalIndPower`.
    public static func meanPower(difference: Double, standardDeviation: Double, controlSize: Double,
                                 method: MeanPowerMethod = .tTest, settings: PowerSettings = PowerSettings()) throws(AnalysisError) -> Double {
        let context = "PowerAnalysis.meanPower"
        let s = try settings.validated(context)
        try checkMeans(difference, standardDeviation, context)
        try checkSize(controlSize, context)
        if method == .tTest { guard controlSize * (1 + s.ratio) > 2 else { throw AnalysisError(context, "the t-test needs n_c + n_t > 2") } }
        let z = try criticalZ(s)
        guard let p = meanPower(delta: difference, sd: standardDeviation, n: controlSize, z: z, method: method, s: s) else {
            throw AnalysisError(context, "noncentral t evaluation failed")
        }
        return p
    }

    /// Control-arm sample size for the comparison of means to reach `power`.
    /// Normal method without the opposite tail: n_c = (z_{1−α/2} + z_{1−β})² σ² (1 + 1/r) / δ²
    /// (σ² × (1 − ρ²) under CUPED). Otherwise the power equation of
    /// ``meanPower(difference:standardDeviation:controlSize:method:settings:)`` is solved by Brent's method
    /// (R `power.t.test`/`pwr.t.test` use `uniroot` the same way).
    public static func meanSampleSize(difference: Double, standardDeviation: Double, power: Double,
                                      method: MeanPowerMethod = .tTest, settings: PowerSettings = PowerSettings()) throws(AnalysisError) -> Double {
        let context = "PowerAnalysis.meanSampleSize"
        let s = try settings.validated(context)
        try checkMeans(difference, standardDeviation, context)
        try checkDirection(difference, s, context)
        try checkPower(power, s, context)
        let z = try criticalZ(s)
        let zb = try quantile(1 - power, context)
        let sd = standardDeviation * s.cupedFactor
        let closed = Foundation.pow((z + zb) * sd / difference, 2) * (1 + 1 / s.ratio)
        if method == .normal && (s.alternative != .twoSided || !s.countOppositeTail) { return closed }
        let lowest = method == .tTest ? 2 / (1 + s.ratio) + 1e-9 : 1e-9
        return try solveSize(start: max(closed, lowest * 2), lowest: lowest, context: context) {
            (meanPower(delta: difference, sd: standardDeviation, n: $0, z: z, method: method, s: s) ?? .nan) - power
        }
    }

    /// Minimum detectable difference δ > 0 (in the metric's units) for n_c control units.
    /// Normal method without the opposite tail: δ = (z_{1−α/2} + z_{1−β}) σ √(1/n_c + 1/n_t);
    /// otherwise solved by Brent's method (R `power.t.test(n =, sd =, power =)$delta`).
    public static func meanMinimumDetectableDifference(standardDeviation: Double, controlSize: Double, power: Double,
                                                       method: MeanPowerMethod = .tTest,
                                                       settings: PowerSettings = PowerSettings()) throws(AnalysisError) -> Double {
        let context = "PowerAnalysis.meanMinimumDetectableDifference"
        let s = try settings.validated(context)
        try checkMeans(1, standardDeviation, context)
        try checkSize(controlSize, context)
        try checkPower(power, s, context)
        if method == .tTest { guard controlSize * (1 + s.ratio) > 2 else { throw AnalysisError(context, "the t-test needs n_c + n_t > 2") } }
        let z = try criticalZ(s)
        let zb = try quantile(1 - power, context)
        let sd = standardDeviation * s.cupedFactor
        let closed = (z + zb) * sd * (1 / controlSize + 1 / (s.ratio * controlSize)).squareRoot()
        if method == .normal && (s.alternative != .twoSided || !s.countOppositeTail) { return closed }
        let sign: Double = s.alternative == .less ? -1 : 1
        let f: (Double) -> Double = {
            (meanPower(delta: sign * $0, sd: standardDeviation, n: controlSize, z: z, method: method, s: s) ?? .nan) - power
        }
        var hi = 2 * closed
        var tries = 0
        while f(hi) < 0 && tries < 60 { hi *= 2; tries += 1 }
        guard let root = BrentSolver.brent(closed * 1e-6, hi, tolerance: 1e-14 * closed, f) else {
            throw AnalysisError(context, "could not solve for the detectable difference")
        }
        return root
    }

    // MARK: Sequential

    /// Maximum sample size of a group sequential design with the same α and power as a fixed
    /// design needing `fixedSampleSize`: n_max = R · n_fixed, where R is the design's inflation
    /// factor (``GroupSequentialDesign/characteristics(power:)``; Jennison & Turnbull 2000,
    /// §2.4–2.5, Tables 2.1–2.4). Exact for the normal approximation; for proportions and t-tests
    /// it is the standard planning approximation. Throws unless the design's α equals `alpha`.
    public static func sequentialMaximumSampleSize(fixedSampleSize: Double, design: GroupSequentialDesign,
                                                   power: Double, alpha: Double) throws(AnalysisError) -> Double {
        let context = "PowerAnalysis.sequentialMaximumSampleSize"
        try checkSize(fixedSampleSize, context)
        guard abs(design.alpha - alpha) <= 1e-15 else {
            throw AnalysisError(context, "the design's alpha \(design.alpha) differs from the test's alpha \(alpha)")
        }
        return fixedSampleSize * (try design.characteristics(power: power).inflationFactor)
    }

    // MARK: Internals

    static func proportionPower(pc: Double, pt: Double, n: Double, z: Double, s: PowerSettings) -> Double {
        let r = s.ratio
        let nt = r * n
        let pbar = (pc + r * pt) / (1 + r)
        let se0 = (pbar * (1 - pbar) * (1 / n + 1 / nt)).squareRoot() * s.cupedFactor
        let se1 = (pc * (1 - pc) / n + pt * (1 - pt) / nt).squareRoot() * s.cupedFactor
        let d = pt - pc
        switch s.alternative {
        case .greater: return Normal.standard.cdf((d - z * se0) / se1)
        case .less: return Normal.standard.cdf((-d - z * se0) / se1)
        case .twoSided:
            let main = Normal.standard.cdf((abs(d) - z * se0) / se1)
            return s.countOppositeTail ? main + Normal.standard.cdf((-abs(d) - z * se0) / se1) : main
        }
    }

    static func meanPower(delta: Double, sd: Double, n: Double, z: Double, method: MeanPowerMethod, s: PowerSettings) -> Double? {
        let nt = s.ratio * n
        let theta = delta / (sd * s.cupedFactor * (1 / n + 1 / nt).squareRoot())
        switch method {
        case .normal:
            switch s.alternative {
            case .greater: return Normal.standard.cdf(theta - z)
            case .less: return Normal.standard.cdf(-theta - z)
            case .twoSided:
                let main = Normal.standard.cdf(abs(theta) - z)
                return s.countOppositeTail ? main + Normal.standard.cdf(-abs(theta) - z) : main
            }
        case .tTest:
            let df = n + nt - 2
            guard df > 0, let t = try? StudentT(nu: df), let crit = try? t.inverseSurvival(s.tailAlpha) else { return nil }
            switch s.alternative {
            case .greater: return NoncentralT.cdf(crit, df: df, ncp: theta, lowerTail: false)
            case .less: return NoncentralT.cdf(-crit, df: df, ncp: theta, lowerTail: true)
            case .twoSided:
                guard let main = NoncentralT.cdf(crit, df: df, ncp: abs(theta), lowerTail: false) else { return nil }
                if !s.countOppositeTail { return main }
                guard let other = NoncentralT.cdf(-crit, df: df, ncp: abs(theta), lowerTail: true) else { return nil }
                return main + other
            }
        }
    }

    /// Finds n with f(n) = 0, f increasing, starting from a guess.
    static func solveSize(start: Double, lowest: Double, context: String, _ f: (Double) -> Double) throws(AnalysisError) -> Double {
        var lo = max(lowest, start / 2), hi = start * 2 + 10
        var tries = 0
        while f(lo) > 0 && lo > lowest && tries < 100 { lo = max(lowest, lo / 2); tries += 1 }
        while f(hi) < 0 && tries < 200 { hi *= 2; tries += 1 }
        guard let n = BrentSolver.brent(lo, hi, tolerance: 1e-14 * start, f) else {
            throw AnalysisError(context, "could not solve for the sample size")
        }
        return n
    }

    static func criticalZ(_ s: PowerSettings) throws(AnalysisError) -> Double {
        try quantile(s.tailAlpha, "PowerAnalysis")
    }

    static func quantile(_ upper: Double, _ context: String) throws(AnalysisError) -> Double {
        do { return try Normal.standard.inverseSurvival(upper) } catch { throw AnalysisError(context, "\(error)") }
    }

    static func checkProportions(_ pc: Double, _ pt: Double, _ s: PowerSettings, _ context: String) throws(AnalysisError) {
        guard pc > 0, pc < 1, pt > 0, pt < 1 else {
            throw AnalysisError(context, "proportions must be in (0, 1), got control \(pc), treatment \(pt)")
        }
        guard pc != pt else { throw AnalysisError(context, "treatment and control proportions must differ") }
        try checkDirection(pt - pc, s, context)
    }

    static func checkDirection(_ d: Double, _ s: PowerSettings, _ context: String) throws(AnalysisError) {
        if s.alternative == .greater && d <= 0 { throw AnalysisError(context, "alternative 'greater' needs treatment > control") }
        if s.alternative == .less && d >= 0 { throw AnalysisError(context, "alternative 'less' needs treatment < control") }
    }

    static func checkMeans(_ delta: Double, _ sd: Double, _ context: String) throws(AnalysisError) {
        guard delta.isFinite, delta != 0 else { throw AnalysisError(context, "the difference must be finite and non-zero, got \(delta)") }
        guard sd.isFinite, sd > 0 else { throw AnalysisError(context, "the standard deviation must be positive, got \(sd)") }
    }

    static func checkSize(_ n: Double, _ context: String) throws(AnalysisError) {
        guard n.isFinite, n > 0 else { throw AnalysisError(context, "the sample size must be positive and finite, got \(n)") }
    }

    static func checkPower(_ power: Double, _ s: PowerSettings, _ context: String) throws(AnalysisError) {
        guard power > s.tailAlpha, power < 1 else {
            throw AnalysisError(context, "power must be in (\(s.tailAlpha), 1), got \(power)")
        }
    }
}
