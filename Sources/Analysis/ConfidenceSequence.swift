import Foundation

/// One look of an asymptotic confidence sequence.
public struct ConfidenceSequenceResult: Sendable, Equatable {
    public let status: SequentialStatus
    public let estimate: Double?
    /// Lower and upper limits (−∞ / +∞ on the open side of a one-sided sequence).
    public let lower: Double?
    public let upper: Double?
    /// This look's sequential p-value (take the running minimum with ``AlwaysValidPValue``).
    public let pValue: Double?
    /// The interval excludes 0.
    public let rejects: Bool

    static func unavailable(_ status: SequentialStatus) -> ConfidenceSequenceResult {
        ConfidenceSequenceResult(status: status, estimate: nil, lower: nil, upper: nil, pValue: nil, rejects: false)
    }
}

/// Asymptotic confidence sequences in the form GrowthBook uses (gbstats
/// `frequentist/tests.py`: `sequential_rho`, `sequential_interval_halfwidth`,
/// `SequentialTwoSidedTTest.p_value`), from Howard, Ramdas, McAuliffe & Sekhon (2021), Ann.
/// Statist. 49(2), and Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas, arXiv 2103.06476v7, eq. 9
/// (the boundary) and eq. 155 (the p-value); ORACLES §3b.
///
/// With n the **total** sample size, SE the usual standard error of the effect estimate θ̂,
/// s² = SE²·n and tuning size N* (where the sequence is tightest):
///
///     ρ = √( (−2 ln α + ln(−2 ln α + 1)) / N* )             (two-sided; one-sided uses 2α)
///     halfwidth = s √( 2(nρ² + 1) ln(√(nρ² + 1)/α) / (nρ)² )    (two-sided)
///     halfwidth = √( s² · 2(nρ² + 1)/(nρ)² · ln(1 + √(nρ² + 1)/(2α)) )   (one-sided)
///     p = min(1, √(nρ² + 1) · exp(−ρ² t² / (2(nρ² + 1)))),  t² = θ̂² n / SE²   (two-sided)
///
/// The two-sided p-value is exactly 1/Λ of the mSPRT with V = SE² and τ² = ρ²s². For one-sided
/// sequences GrowthBook finds the p-value by bisection over α; here the same equation
/// (the one-sided bound touches 0) is solved in closed form:
/// p = √(nρ² + 1) / (2(e^L − 1)), L = θ̂²(nρ)²/(2s²(nρ² + 1)), for θ̂ on the side of the
/// alternative (capped at 1/2; 1/2 when θ̂ is on the other side). ρ stays at its design value.
///
/// Each call is O(1) with no allocation.
public struct AsymptoticConfidenceSequence: Sendable, Equatable, Hashable {
    public let alpha: Double
    /// N*, the total sample size at which the sequence is tightest (GrowthBook default 5000).
    public let tuningSampleSize: Double
    public let alternative: Alternative
    /// ρ as above.
    public let rho: Double

    /// Throws for α outside (0, 1) (one-sided: (0, 1/2)) or N* not positive and finite.
    public init(alpha: Double = 0.05, tuningSampleSize: Double = 5000, alternative: Alternative = .twoSided) throws(AnalysisError) {
        try AnalysisError.checkAlpha(alpha, in: "AsymptoticConfidenceSequence(alpha:)")
        if alternative != .twoSided, alpha >= 0.5 {
            throw AnalysisError("AsymptoticConfidenceSequence(alpha:)", "a one-sided sequence needs alpha < 0.5, got \(alpha)")
        }
        guard tuningSampleSize > 0, tuningSampleSize.isFinite else {
            throw AnalysisError("AsymptoticConfidenceSequence(tuningSampleSize:)", "N* must be positive and finite, got \(tuningSampleSize)")
        }
        self.alpha = alpha
        self.tuningSampleSize = tuningSampleSize
        self.alternative = alternative
        self.rho = Self.rho(alpha: alternative == .twoSided ? alpha : 2 * alpha, tuningSampleSize: tuningSampleSize)
    }

    /// ρ = √((−2 ln a + ln(−2 ln a + 1))/N*) (gbstats `sequential_rho`; a = α two-sided, 2α one-sided).
    public static func rho(alpha a: Double, tuningSampleSize: Double) -> Double {
        let l = -2 * Foundation.log(a)
        return ((l + Foundation.log(l + 1)) / tuningSampleSize).squareRoot()
    }

    /// The half-width at total sample size n for standard error SE (formulas above).
    public func halfwidth(standardError se: Double, totalSampleSize n: Double) -> Double {
        let s2 = se * se * n
        let nr2p1 = n * rho * rho + 1
        let nr = n * rho
        if alternative == .twoSided {
            return (s2 * 2 * nr2p1 * Foundation.log(nr2p1.squareRoot() / alpha) / (nr * nr)).squareRoot()
        }
        return (s2 * 2 * nr2p1 / (nr * nr) * Foundation.log(1 + nr2p1.squareRoot() / (2 * alpha))).squareRoot()
    }

    /// The sequence and p-value at one look for an estimate θ̂ (absolute or relative effect),
    /// its standard error and the total sample size n = n_A + n_B.
    public func evaluate(estimate: Double, standardError se: Double, totalSampleSize n: Double) -> ConfidenceSequenceResult {
        guard estimate.isFinite, se.isFinite, n.isFinite else { return .unavailable(.nonFinite) }
        guard n >= 2 else { return .unavailable(.insufficientData) }
        guard se > 0 else { return .unavailable(.zeroVariance) }
        let hw = halfwidth(standardError: se, totalSampleSize: n)
        let nr2p1 = n * rho * rho + 1
        switch alternative {
        case .twoSided:
            let t2 = estimate * estimate * n / (se * se)
            let logE = rho * rho * t2 / (2 * nr2p1) - 0.5 * Foundation.log(nr2p1)
            let p = min(1, Foundation.exp(-logE))
            let lo = estimate - hw, hi = estimate + hw
            return ConfidenceSequenceResult(status: .ok, estimate: estimate, lower: lo, upper: hi, pValue: p, rejects: lo > 0 || hi < 0)
        case .greater, .less:
            let directed = alternative == .greater ? estimate : -estimate
            var p = 0.5
            if directed > 0 {
                let s2 = se * se * n
                let nr = n * rho
                let l = directed * directed * nr * nr / (2 * s2 * nr2p1)
                p = min(0.5, nr2p1.squareRoot() / (2 * Foundation.expm1(l)))
            }
            let lo = alternative == .greater ? estimate - hw : -Double.infinity
            let hi = alternative == .greater ? Double.infinity : estimate + hw
            return ConfidenceSequenceResult(status: .ok, estimate: estimate, lower: lo, upper: hi, pValue: p,
                                            rejects: alternative == .greater ? lo > 0 : hi < 0)
        }
    }
}
