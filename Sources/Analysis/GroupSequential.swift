import Foundation
import Distributions

/// A Lan–DeMets α-spending function α*(t): the cumulative *two-sided* type I error that may be
/// spent by information fraction t ∈ [0, 1], with α*(0) = 0 and α*(1) = α.
///
/// **Two-sided convention.** Designs are symmetric: reject at look k when |Z_k| ≥ c_k. The
/// default O'Brien–Fleming-type function is rpact's `asOF` for `sided = 2`, which spends α/2
/// per side with the one-sided OBF-type function: α*(t) = 4[1 − Φ(z_{1−α/4}/√t)] (ORACLES §2b;
/// gives the widely tabulated 4.877, 3.357, 2.680, 2.290, 2.031 for K = 5). The original
/// two-sided form of Lan & DeMets (1983), α*(t) = 2[1 − Φ(z_{1−α/2}/√t)], is offered as
/// ``obrienFlemingTwoSided`` (rpact `asUser` with those values). The Pocock-type and power
/// functions are linear in α, so both conventions coincide for them.
///
/// Sources: Lan & DeMets (1983), Biometrika 70:659–663, eqs. (2.1)–(2.2); Kim & DeMets (1987),
/// Biometrics 43:857–864 (power family); Jennison & Turnbull (2000), §7.2.
public enum AlphaSpending: Sendable, Equatable, Hashable {
    /// O'Brien–Fleming type, α/2 per side: α*(t) = 4[1 − Φ(z_{1−α/4}/√t)] (rpact `asOF`, sided = 2).
    case obrienFleming
    /// O'Brien–Fleming type, original two-sided form: α*(t) = 2[1 − Φ(z_{1−α/2}/√t)].
    case obrienFlemingTwoSided
    /// Pocock type: α*(t) = α ln(1 + (e − 1)t) (rpact `asP`).
    case pocock
    /// Power family (Kim & DeMets 1987): α*(t) = α t^ρ, ρ > 0 (rpact `asKD`, gammaA = ρ).
    case power(rho: Double)

    /// α*(t), the cumulative two-sided α spent at information fraction t (t is clamped to
    /// [0, 1]). Throws for α outside (0, 1) or a non-positive or non-finite ρ.
    public func cumulativeAlpha(at t: Double, alpha: Double) throws(AnalysisError) -> Double {
        try AnalysisError.checkAlpha(alpha, in: "AlphaSpending.cumulativeAlpha(alpha:)")
        guard !t.isNaN else { throw AnalysisError("AlphaSpending.cumulativeAlpha(at:)", "t is NaN") }
        let t = min(max(t, 0), 1)
        if t == 0 { return 0 }
        switch self {
        case .obrienFleming:
            let z = try quantile(alpha / 4)
            return min(alpha, 4 * Normal.standard.sf(z / t.squareRoot()))
        case .obrienFlemingTwoSided:
            let z = try quantile(alpha / 2)
            return min(alpha, 2 * Normal.standard.sf(z / t.squareRoot()))
        case .pocock:
            return alpha * Foundation.log(1 + (M_E - 1) * t)
        case .power(let rho):
            guard rho > 0, rho.isFinite else {
                throw AnalysisError("AlphaSpending.power(rho:)", "rho must be positive and finite, got \(rho)")
            }
            return alpha * Foundation.pow(t, rho)
        }
    }

    private func quantile(_ upperTail: Double) throws(AnalysisError) -> Double {
        do { return try Normal.standard.inverseSurvival(upperTail) } catch {
            throw AnalysisError("AlphaSpending", "normal quantile failed: \(error)")
        }
    }
}

/// The boundary of one look of a two-sided group sequential test.
public struct GroupSequentialLook: Sendable, Equatable {
    /// 1-based look number.
    public let index: Int
    /// Information fraction t_k (observed information ÷ planned maximum information).
    public let informationFraction: Double
    /// Critical value c_k on the Z scale: reject H0 when |Z_k| ≥ c_k (+∞ when nothing is spent).
    public let criticalValue: Double
    /// Nominal two-sided p-value threshold of the look, 2[1 − Φ(c_k)]: reject when p_k ≤ this.
    public let nominalPValue: Double
    /// Cumulative two-sided α spent up to and including this look (the spending target; the
    /// integration reproduces it to about 1e-12).
    public let cumulativeAlpha: Double
    /// True when this look was the last (declared final, or information reached the plan).
    public let isFinal: Bool
}

/// Computes two-sided Lan–DeMets boundaries look by look from *observed* information
/// fractions, for monitoring a live experiment (or a simulated one whose traffic differs from
/// the plan).
///
/// At look k with fraction t_k the bound c_k solves
/// P_0(|Z_k| ≥ c_k, |Z_j| < c_j for j < k) = α*(t_k) − α*(t_{k−1})
/// by recursive numerical integration (Jennison & Turnbull 2000, ch. 19; Lan & DeMets 1983).
///
/// **Information different from plan.**
/// - A look declared final (`isFinal: true`) spends all remaining α, α − α*(t_{k−1}), whatever
///   its fraction: an experiment that under-runs its plan (e.g. reaches only 50% of the planned
///   information) still has exact type I error α.
/// - A look with t_k ≥ 1 (information at or beyond the plan) is final automatically: it spends
///   all remaining α and the design is truncated there; later looks throw.
/// Both behaviours are checked against rpact `asUser` designs with the same cumulative spending.
public struct GroupSequentialMonitor: Sendable {
    /// Overall two-sided significance level.
    public let alpha: Double
    /// The spending function; see ``AlphaSpending`` for the two-sided convention.
    public let spending: AlphaSpending
    /// The boundaries computed so far.
    public private(set) var looks: [GroupSequentialLook] = []
    /// True once a final look has been computed.
    public var isFinished: Bool { looks.last?.isFinal ?? false }

    private var grid = ScoreGrid.start
    private var pending: ScoreRegion? = nil
    private var spent = 0.0

    /// Starts a monitor; throws for α outside (0, 1) or an invalid spending parameter.
    public init(alpha: Double, spending: AlphaSpending = .obrienFleming) throws(AnalysisError) {
        try AnalysisError.checkAlpha(alpha, in: "GroupSequentialMonitor(alpha:)")
        _ = try spending.cumulativeAlpha(at: 1, alpha: alpha)
        self.alpha = alpha
        self.spending = spending
    }

    /// Computes the boundary of the next look at information fraction `fraction` (> previous
    /// fraction). `isFinal` forces the look to spend all remaining α (see the type's notes).
    /// Throws when the fraction is not finite, not positive, not increasing, or the monitor has
    /// already finished.
    @discardableResult
    public mutating func nextLook(informationFraction fraction: Double, isFinal: Bool = false) throws(AnalysisError) -> GroupSequentialLook {
        let context = "GroupSequentialMonitor.nextLook(informationFraction:)"
        guard !isFinished else { throw AnalysisError(context, "the design has already had its final look") }
        guard fraction.isFinite, fraction > 0 else {
            throw AnalysisError(context, "information fraction must be finite and positive, got \(fraction)")
        }
        let previous = looks.last?.informationFraction ?? 0
        guard fraction > previous else {
            throw AnalysisError(context, "information fractions must increase strictly: \(fraction) after \(previous)")
        }
        guard fraction - previous >= GroupSequentialDesign.minimumRelativeIncrement * fraction else {
            throw AnalysisError(context, "looks at \(previous) and \(fraction) are too close: the increment must be at least 1e-6 of the fraction")
        }
        let final = isFinal || fraction >= 1
        let cumulative = final ? alpha : try spending.cumulativeAlpha(at: fraction, alpha: alpha)
        let target = max(0, cumulative - spent)
        if let region = pending {
            grid = SequentialIntegration.materialize(from: grid, on: region, nextT: fraction, drift: 0)
        }
        let c = SequentialIntegration.symmetricBound(from: grid, t: fraction, target: target)
        spent = max(spent, cumulative)
        pending = SequentialIntegration.region(t: fraction, lower: -c, upper: c, drift: 0)
        let look = GroupSequentialLook(index: looks.count + 1, informationFraction: fraction, criticalValue: c,
                                       nominalPValue: c.isFinite ? 2 * Normal.standard.sf(c) : 0,
                                       cumulativeAlpha: spent, isFinal: final)
        looks.append(look)
        return look
    }
}

/// How the boundaries of a ``GroupSequentialDesign`` were obtained.
public enum GroupSequentialBoundaryKind: Sendable, Equatable, Hashable {
    /// Lan–DeMets α-spending.
    case spending(AlphaSpending)
    /// Pocock (1977): the same critical value c_P at every look.
    case pocockConstant
    /// O'Brien & Fleming (1979): c_k = c_B/√t_k.
    case obrienFlemingConstant
}

/// A two-sided symmetric group sequential design: reject H0 at the first look k with
/// |Z_k| ≥ c_k.
///
/// Boundaries are computed (never looked up) by recursive numerical integration (Jennison &
/// Turnbull 2000, ch. 19) for arbitrary increasing information fractions; tested against rpact
/// 3.3.4 `getDesignGroupSequential` to 1e-6 or better.
public struct GroupSequentialDesign: Sendable, Equatable {
    /// Overall two-sided significance level.
    public let alpha: Double
    /// How the boundaries were obtained.
    public let kind: GroupSequentialBoundaryKind
    /// Information fractions t_1 < … < t_K of the looks.
    public let informationFractions: [Double]
    /// Critical values c_k on the Z scale.
    public let criticalValues: [Double]
    /// Nominal two-sided p-value thresholds 2[1 − Φ(c_k)].
    public let nominalPValues: [Double]
    /// Cumulative two-sided α spent by each look, computed by integration under H0.
    public let cumulativeAlphaSpent: [Double]

    /// Lan–DeMets α-spending design for planned information fractions 0 < t_1 < … < t_K.
    /// The last look spends all remaining α whatever t_K is (normally t_K = 1).
    /// Throws for α outside (0, 1), K < 1, or fractions that are not finite, positive and
    /// strictly increasing (consecutive looks closer than 1e-6 relative also throw). A fraction
    /// ≥ 1 before the last makes that look final, so later fractions throw: to follow traffic
    /// that exceeds the plan, pass the fractions up to the first one ≥ 1, or use
    /// ``GroupSequentialMonitor``.
    public static func lanDeMets(alpha: Double = 0.05, spending: AlphaSpending = .obrienFleming,
                                 informationFractions: [Double]) throws(AnalysisError) -> GroupSequentialDesign {
        try validate(alpha: alpha, fractions: informationFractions, context: "GroupSequentialDesign.lanDeMets")
        var monitor = try GroupSequentialMonitor(alpha: alpha, spending: spending)
        for (k, t) in informationFractions.enumerated() {
            try monitor.nextLook(informationFraction: t, isFinal: k == informationFractions.count - 1)
        }
        let c = monitor.looks.map(\.criticalValue)
        return GroupSequentialDesign(alpha: alpha, kind: .spending(spending), fractions: informationFractions, critical: c)
    }

    /// Lan–DeMets design with K equally spaced looks (t_k = k/K).
    public static func lanDeMets(alpha: Double = 0.05, spending: AlphaSpending = .obrienFleming,
                                 looks: Int) throws(AnalysisError) -> GroupSequentialDesign {
        try lanDeMets(alpha: alpha, spending: spending, informationFractions: try equallySpaced(looks))
    }

    /// Classical Pocock (1977) design: constant c_P with P_0(reject at some look) = α, solved by
    /// Brent's method over the full recursion (Jennison & Turnbull 2000, §2.4, Table 2.1).
    public static func pocock(alpha: Double = 0.05, informationFractions: [Double]) throws(AnalysisError) -> GroupSequentialDesign {
        try constantShape(alpha: alpha, fractions: informationFractions, kind: .pocockConstant) { _ in 1 }
    }

    /// Classical O'Brien & Fleming (1979) design: c_k = c_B/√t_k with P_0(reject) = α
    /// (Jennison & Turnbull 2000, §2.5, Table 2.3).
    public static func obrienFleming(alpha: Double = 0.05, informationFractions: [Double]) throws(AnalysisError) -> GroupSequentialDesign {
        try constantShape(alpha: alpha, fractions: informationFractions, kind: .obrienFlemingConstant) { 1 / $0.squareRoot() }
    }

    /// t_k = k/K; throws for K < 1.
    public static func equallySpaced(_ looks: Int) throws(AnalysisError) -> [Double] {
        guard looks >= 1 else { throw AnalysisError("equallySpaced(_:)", "the number of looks K must be at least 1, got \(looks)") }
        return (1...looks).map { Double($0) / Double(looks) }
    }

    static func validate(alpha: Double, fractions: [Double], context: String) throws(AnalysisError) {
        try AnalysisError.checkAlpha(alpha, in: context + "(alpha:)")
        guard !fractions.isEmpty else { throw AnalysisError(context, "the number of looks K must be at least 1") }
        var previous = 0.0
        for t in fractions {
            guard t.isFinite, t > previous else {
                throw AnalysisError(context, "information fractions must be finite, positive and strictly increasing, got \(fractions)")
            }
            guard t - previous >= minimumRelativeIncrement * t else {
                throw AnalysisError(context, "looks at \(previous) and \(t) are too close: the increment must be at least 1e-6 of the fraction")
            }
            previous = t
        }
    }

    /// Smallest allowed (t_k − t_{k−1})/t_k. The integration grid needs about 220·√(t_k/Δ_k)
    /// points, so this bounds it at about 220 000 points per look; real looks are never this close.
    static let minimumRelativeIncrement = 1e-6

    private static func constantShape(alpha: Double, fractions: [Double], kind: GroupSequentialBoundaryKind,
                                      shape: (Double) -> Double) throws(AnalysisError) -> GroupSequentialDesign {
        try validate(alpha: alpha, fractions: fractions, context: "GroupSequentialDesign.constant")
        let s = fractions.map(shape)
        let f: (Double) -> Double = { c in
            let b = s.map { c * $0 }
            let p = SequentialIntegration.crossingProbabilities(fractions: fractions, lower: b.map { -$0 }, upper: b, drift: 0)
            return p.reduce(0) { $0 + $1.upper + $1.lower } - alpha
        }
        guard let c = BrentSolver.brent(0, 40, tolerance: 1e-13, f) else {
            throw AnalysisError("GroupSequentialDesign.constant", "could not bracket the critical value")
        }
        return GroupSequentialDesign(alpha: alpha, kind: kind, fractions: fractions, critical: s.map { c * $0 })
    }

    private init(alpha: Double, kind: GroupSequentialBoundaryKind, fractions: [Double], critical: [Double]) {
        self.alpha = alpha
        self.kind = kind
        self.informationFractions = fractions
        self.criticalValues = critical
        self.nominalPValues = critical.map { $0.isFinite ? 2 * Normal.standard.sf($0) : 0 }
        let p = SequentialIntegration.crossingProbabilities(fractions: fractions, lower: critical.map { -$0 }, upper: critical, drift: 0)
        var cumulative = 0.0
        self.cumulativeAlphaSpent = p.map { cumulative += $0.upper + $0.lower; return cumulative }
    }

    /// Reject H0 at look `look` (1-based) given the test statistic Z there: |Z| ≥ c_k.
    /// Returns false for a look outside the design.
    @inlinable
    public func rejects(z: Double, atLook look: Int) -> Bool {
        guard look >= 1, look <= criticalValues.count else { return false }
        return abs(z) >= criticalValues[look - 1]
    }

    /// The repeated confidence interval at look k (1-based), θ̂_k ± c_k·SE_k: the intervals of all
    /// looks contain θ simultaneously with probability 1 − α (Jennison & Turnbull 1989, JRSS B
    /// 51:305–361; Jennison & Turnbull 2000, §9.1). Returns nil for a look outside the design or
    /// a non-finite estimate or standard error (an infinite c_k gives an infinite interval).
    public func repeatedConfidenceInterval(estimate: Double, standardError: Double, atLook look: Int) -> (lower: Double, upper: Double)? {
        guard look >= 1, look <= criticalValues.count, estimate.isFinite, standardError.isFinite, standardError >= 0 else { return nil }
        let c = criticalValues[look - 1]
        let hw = c.isFinite ? c * standardError : .infinity
        return (estimate - hw, estimate + hw)
    }

    /// Per-look probabilities of stopping above c_k and below −c_k when Z_k ~ N(θ√t_k, 1), with
    /// θ the drift at full information (θ = δ√I_max; θ = 0 is H0). Recursive integration.
    /// Throws for a non-finite drift.
    public func exitProbabilities(drift: Double) throws(AnalysisError) -> [ExitProbability] {
        guard drift.isFinite else { throw AnalysisError("GroupSequentialDesign.exitProbabilities(drift:)", "drift must be finite, got \(drift)") }
        return exits(drift: drift)
    }

    /// Overall rejection probability (both sides) at drift θ; throws for a non-finite drift.
    public func rejectionProbability(drift: Double) throws(AnalysisError) -> Double {
        try exitProbabilities(drift: drift).reduce(0) { $0 + $1.total }
    }

    func exits(drift: Double) -> [ExitProbability] {
        SequentialIntegration.crossingProbabilities(fractions: informationFractions, lower: criticalValues.map { -$0 },
                                                    upper: criticalValues, drift: drift).map { ExitProbability(upper: $0.upper, lower: $0.lower) }
    }

    /// Characteristics for a target power 1 − β (Jennison & Turnbull 2000, §2.4–2.5; rpact
    /// `getDesignCharacteristics`).
    ///
    /// - The drift θ > 0 solves P_θ(reject H0 by crossing the *upper* boundary) = 1 − β by Brent's
    ///   method: power counts rejections in the direction of the effect, as rpact's
    ///   `getDesignCharacteristics` does (a crossing of the lower boundary under θ > 0 stops the
    ///   experiment with the wrong sign; it still counts as a stop in the expected sample size).
    /// - Inflation factor R = θ² / (z_{1−α/2} + z_{1−β})²: maximum information (sample size)
    ///   relative to the fixed design with the same α and power (the fixed design ignores the
    ///   far tail, as rpact's `nFixed` does).
    /// - Expected information at stop, E_θ[t_stop] = Σ_k t_k P_θ(stop at k) with the last look
    ///   always stopping, as a fraction of the maximum and relative to the fixed design (× R).
    public func characteristics(power: Double) throws(AnalysisError) -> GroupSequentialCharacteristics {
        guard power > alpha, power < 1 else {
            throw AnalysisError("GroupSequentialDesign.characteristics(power:)", "power must be in (alpha, 1), got \(power)")
        }
        let zFixed: Double
        do {
            zFixed = try Normal.standard.inverseSurvival(alpha / 2) + Normal.standard.inverseSurvival(1 - power)
        } catch { throw AnalysisError("GroupSequentialDesign.characteristics(power:)", "\(error)") }
        let f: (Double) -> Double = { self.exits(drift: $0).reduce(0) { $0 + $1.upper } - power }
        guard let theta = BrentSolver.brent(0.5 * zFixed, 3 * zFixed, tolerance: 1e-13, f) else {
            throw AnalysisError("GroupSequentialDesign.characteristics(power:)", "could not bracket the drift for power \(power)")
        }
        let h1 = exits(drift: theta)
        let h0 = exits(drift: 0)
        let inflation = theta * theta / (zFixed * zFixed)
        return GroupSequentialCharacteristics(
            power: power, drift: theta, fixedDesignDrift: zFixed, inflationFactor: inflation,
            exitProbabilitiesH0: h0, exitProbabilitiesH1: h1,
            expectedFractionH0: expectedFraction(h0), expectedFractionH1: expectedFraction(h1))
    }

    /// E[t_stop] given per-look exit probabilities; the last look always stops.
    func expectedFraction(_ exits: [ExitProbability]) -> Double {
        var e = 0.0, stopped = 0.0
        for k in 0..<(exits.count - 1) {
            let p = exits[k].total
            e += informationFractions[k] * p
            stopped += p
        }
        return e + (informationFractions.last ?? 1) * (1 - stopped)
    }
}

/// Probabilities of stopping at one look by crossing the upper or the lower boundary.
public struct ExitProbability: Sendable, Equatable {
    public let upper: Double
    public let lower: Double
    public var total: Double { upper + lower }
}

/// Operating characteristics of a ``GroupSequentialDesign`` for a target power.
public struct GroupSequentialCharacteristics: Sendable, Equatable {
    public let power: Double
    /// θ with P_θ(reject) = power (rpact: √shift).
    public let drift: Double
    /// z_{1−α/2} + z_{1−β}, the fixed design's drift (rpact: √nFixed).
    public let fixedDesignDrift: Double
    /// Maximum sample size ÷ fixed-design sample size.
    public let inflationFactor: Double
    public let exitProbabilitiesH0: [ExitProbability]
    public let exitProbabilitiesH1: [ExitProbability]
    /// E[t_stop] under H0 and under H1, as fractions of the maximum information.
    public let expectedFractionH0: Double
    public let expectedFractionH1: Double
    /// Expected sample size ÷ fixed-design sample size (rpact `averageSampleNumber0/1`).
    public var expectedRelativeToFixedH0: Double { expectedFractionH0 * inflationFactor }
    public var expectedRelativeToFixedH1: Double { expectedFractionH1 * inflationFactor }
}
