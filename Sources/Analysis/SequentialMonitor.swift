import Distributions

/// What one analysis of one comparison found at one look whose data could be analysed: the
/// method's estimate, standard error, statistic, interval, p-value and significance (from a
/// ``FixedHorizonResult`` with status `ok`), and for a Bayesian stop the posterior chance to beat
/// control.
///
/// Looks whose comparison could not be computed (status ≠ `ok`) are not observed: they make no
/// decision and leave every running quantity (the running-minimum p-values) unchanged.
public struct LookObservation: Equatable, Sendable {
    /// The 0-based index of the look among the monitor's active looks
    /// (``MonitoringPlan/activeLooks``); a group sequential monitor takes its critical value
    /// c_k from it, a fixed-horizon monitor decides only at its final look.
    public var look: Int
    /// θ̂: treatment − control (absolute) or the relative lift, or a contrast.
    public var estimate: Double
    /// SE(θ̂), the interval standard error of the method.
    public var standardError: Double
    /// The method's test statistic (z or t) of H0: θ = 0.
    public var statistic: Double
    /// The method's interval (or, for a Bayesian stop, the credible interval; see ``withPosterior(_:)``).
    public var lower: Double
    public var upper: Double
    /// The method's fixed-horizon p-value.
    public var pValue: Double
    /// The method's own decision, p < α.
    public var isSignificant: Bool
    /// Units in the comparison at this look (n_control + n_treatment), the n of a confidence sequence.
    public var sampleSize: Int
    /// Bayesian stop only: P(treatment > control | data).
    public var chanceToBeat: Double?

    public init(look: Int, estimate: Double, standardError: Double, statistic: Double, lower: Double, upper: Double,
                pValue: Double, isSignificant: Bool, sampleSize: Int, chanceToBeat: Double? = nil) {
        self.look = look
        self.estimate = estimate
        self.standardError = standardError
        self.statistic = statistic
        self.lower = lower
        self.upper = upper
        self.pValue = pValue
        self.isSignificant = isSignificant
        self.sampleSize = sampleSize
        self.chanceToBeat = chanceToBeat
    }

    /// The observation of a comparison result, or nil when its status is not `ok` (or the
    /// estimate, SE or p-value is missing): a missing interval bound is ∓∞, a missing statistic
    /// is estimate/SE, and the sample size is controlN + treatmentN.
    public init?(look: Int, result: FixedHorizonResult) {
        guard result.status == .ok, let estimate = result.estimate, let se = result.standardError,
              let p = result.pValue else { return nil }
        self.init(look: look, estimate: estimate, standardError: se, statistic: result.statistic ?? estimate / se,
                  lower: result.lower ?? -.infinity, upper: result.upper ?? .infinity, pValue: p,
                  isSignificant: result.isSignificant, sampleSize: result.controlN + result.treatmentN)
    }

    /// This observation with the posterior of a Bayesian stop: the chance to beat control, and
    /// the credible interval in place of the method's interval (a bound the posterior lacks
    /// keeps the method's). Nil when the posterior's status is not `ok` or it has no chance to
    /// beat control: the look cannot be analysed.
    public func withPosterior(_ posterior: BayesianResult) -> LookObservation? {
        guard posterior.status == .ok, let chance = posterior.chanceToBeatControl else { return nil }
        var o = self
        o.chanceToBeat = chance
        o.lower = posterior.credibleLower ?? lower
        o.upper = posterior.credibleUpper ?? upper
        return o
    }
}

/// What a monitor made of one look.
public struct LookVerdict: Equatable, Sendable {
    /// H0 is rejected at this look (for a Bayesian stop: the chance to beat control exceeds the threshold).
    public var rejected: Bool
    /// The p-value to report at this look (the rule's own: a running minimum for the always-valid
    /// rules, 2·(1 − Φ(|z|)) for a group sequential design, 1 − chance for a Bayesian stop).
    public var pValue: Double
    /// The interval to report at this look.
    public var lower: Double
    public var upper: Double
    /// The experiment stops here (every rule but the fixed horizon stops at its first rejection).
    public var stops: Bool

    public init(rejected: Bool, pValue: Double, lower: Double, upper: Double, stops: Bool) {
        self.rejected = rejected
        self.pValue = pValue
        self.lower = lower
        self.upper = upper
        self.stops = stops
    }

    /// The method's own fixed-horizon verdict at a look: p < α, its p-value and interval.
    static func method(_ o: LookObservation, stops: Bool) -> LookVerdict {
        LookVerdict(rejected: o.isSignificant, pValue: o.pValue, lower: o.lower, upper: o.upper, stops: stops)
    }
}

/// A stopping rule applied look by look to one comparison of one experiment (one replication
/// of the harness). A monitor is a value: copy a fresh one for every comparison and replication,
/// feed it the analysable looks in order, and stop at the first verdict that ``LookVerdict/stops``.
public protocol SequentialMonitor: Sendable {
    /// The verdict at one more look (looks in increasing order).
    mutating func observe(_ look: LookObservation) -> LookVerdict
}

extension SequentialMonitor {
    /// Observes `looks` in order up to and including the first that stops; returns the verdicts.
    public mutating func observeUntilStop(_ looks: some Sequence<LookObservation>) -> [LookVerdict] {
        var out: [LookVerdict] = []
        for o in looks {
            let v = observe(o)
            out.append(v)
            if v.stops { break }
        }
        return out
    }
}

/// Fixed horizon: analyse once, at the final look, with the method's own p-value, interval and
/// significance p < α. Never stops early; interim looks get no decision (not rejected, the
/// method's p-value and interval for information only).
public struct FixedHorizonRule: SequentialMonitor, Equatable {
    /// The index (``LookObservation/look``) of the final look; 0 when the only active look is the last.
    public let finalLook: Int

    public init(finalLook: Int = 0) { self.finalLook = finalLook }

    public mutating func observe(_ look: LookObservation) -> LookVerdict {
        guard look.look == finalLook else {
            return LookVerdict(rejected: false, pValue: look.pValue, lower: look.lower, upper: look.upper, stops: false)
        }
        return .method(look, stops: false)
    }
}

/// Naive peeking: the method's fixed-horizon test at nominal α at every look, stopping at the
/// first p < α. Its type I error grows with the number of looks (Armitage, McPherson & Rowe
/// 1969, JRSS A 132:235–244; 0.142 for 5 equally spaced z looks at α = 0.05, see
/// ``NaivePeekingPolicy``): the policy the sequential methods are calibrated against.
public struct NaivePeekingRule: SequentialMonitor, Equatable {
    public init() {}

    public mutating func observe(_ look: LookObservation) -> LookVerdict {
        .method(look, stops: look.isSignificant)
    }
}

/// A two-sided group sequential design (Lan & DeMets 1983, Biometrika 70:659–663; Jennison &
/// Turnbull 2000, ch. 7): at active look k with statistic Z_k (the method's statistic),
///
/// - reject H0 and stop when |Z_k| ≥ c_k;
/// - report the repeated confidence interval θ̂_k ± c_k·SE_k (Jennison & Turnbull 1989, JRSS B
///   51:305–361; 2000, §9.1);
/// - report the nominal p-value 2[1 − Φ(|Z_k|)].
///
/// The critical values come from ``GroupSequentialMonitor`` on the looks' observed information
/// fractions (``boundaries(alpha:spending:informationFractions:)``). A look outside the design
/// (index ≥ K) never rejects.
public struct GroupSequentialRule: SequentialMonitor, Equatable {
    /// c_k per active look.
    public let criticalValues: [Double]

    public init(criticalValues: [Double]) { self.criticalValues = criticalValues }

    /// The design's active looks and critical values for looks at information fractions t_j
    /// (units by look j ÷ planned units, in look order), computed look by look with
    /// ``GroupSequentialMonitor``: a look with no new information (t_j ≤ the previous active
    /// fraction) is skipped; the last look is declared final (it spends all remaining α); a look
    /// with t_j ≥ 1 is final (truncation) and ends the design. Returns the indices j of the active
    /// looks and their c_k. Throws for α outside (0, 1), an invalid spending parameter, or
    /// fractions the monitor rejects (not finite, or closer than 1e-6 relative).
    public static func boundaries(alpha: Double, spending: AlphaSpending,
                                  informationFractions: [Double]) throws(AnalysisError) -> (activeLooks: [Int], criticalValues: [Double]) {
        var monitor = try GroupSequentialMonitor(alpha: alpha, spending: spending)
        var active: [Int] = [], critical: [Double] = []
        var previous = 0.0
        for (k, t) in informationFractions.enumerated() {
            guard t > previous else { continue }  // no new information at this look
            let l = try monitor.nextLook(informationFraction: t, isFinal: k == informationFractions.count - 1)
            active.append(k)
            critical.append(l.criticalValue)
            previous = t
            if l.isFinal { break }
        }
        return (active, critical)
    }

    public mutating func observe(_ look: LookObservation) -> LookVerdict {
        let crit = criticalValues.indices.contains(look.look) ? criticalValues[look.look] : .infinity
        let z = look.statistic
        let rejected = abs(z) >= crit
        return LookVerdict(rejected: rejected, pValue: 2 * Normal.standard.sf(abs(z)),
                           lower: look.estimate - crit * look.standardError,
                           upper: look.estimate + crit * look.standardError, stops: rejected)
    }
}

/// The mixture SPRT with a normal mixture N(0, τ²) on the effect (Johari, Koomen, Pekelis &
/// Walsh 2017, KDD, §4; Johari, Pekelis & Walsh 2022, Oper. Res. 70(3), eq. (10)), applied to
/// the method's θ̂_k and V_k = SE_k²:
///
///     Λ_k = √(V_k/(V_k + τ²)) · exp(τ² θ̂_k² / (2 V_k (V_k + τ²)))
///
/// - reject and stop when Λ_k ≥ 1/α (``MixtureSPRT/evaluate(estimate:variance:)``);
/// - report the always-valid p-value p_k = min(p_{k−1}, min(1, 1/Λ_k)), p_0 = 1;
/// - report the always-valid interval θ̂_k ± √(V(V + τ²)/τ² · (2 ln(1/α) + ln((V + τ²)/V)))
///   (``MixtureSPRT/confidenceInterval(estimate:variance:)``), or the method's interval when
///   it cannot be computed.
public struct MixtureSPRTRule: SequentialMonitor, Equatable {
    public let test: MixtureSPRT
    /// The running minimum p_k so far (1 before any look).
    public private(set) var runningPValue = 1.0

    public init(test: MixtureSPRT) { self.test = test }

    public mutating func observe(_ look: LookObservation) -> LookVerdict {
        let variance = look.standardError * look.standardError
        let r = test.evaluate(estimate: look.estimate, variance: variance)
        runningPValue = min(runningPValue, r.pValue ?? 1)
        var lower = look.lower, upper = look.upper
        if let ci = test.confidenceInterval(estimate: look.estimate, variance: variance) {
            lower = ci.lower
            upper = ci.upper
        }
        return LookVerdict(rejected: r.rejects, pValue: runningPValue, lower: lower, upper: upper, stops: r.rejects)
    }
}

/// The asymptotic confidence sequence (Howard, Ramdas, McAuliffe & Sekhon 2021, Ann. Statist.
/// 49(2); Waudby-Smith et al., arXiv 2103.06476v7, eqs. 9 and 155; GrowthBook's form, see
/// ``AsymptoticConfidenceSequence``) at the method's θ̂_k, SE_k and the total sample size n_k:
///
/// - the interval is the sequence θ̂_k ± halfwidth(SE_k, n_k) (±∞ where it is undefined);
/// - reject and stop when it excludes 0;
/// - report the running minimum of the sequential p-values, p_k = min(p_{k−1}, p_look), p_0 = 1.
public struct ConfidenceSequenceRule: SequentialMonitor, Equatable {
    public let sequence: AsymptoticConfidenceSequence
    /// The running minimum p_k so far (1 before any look).
    public private(set) var runningPValue = 1.0

    public init(sequence: AsymptoticConfidenceSequence) { self.sequence = sequence }

    public mutating func observe(_ look: LookObservation) -> LookVerdict {
        let r = sequence.evaluate(estimate: look.estimate, standardError: look.standardError,
                                  totalSampleSize: Double(look.sampleSize))
        runningPValue = min(runningPValue, r.pValue ?? 1)
        return LookVerdict(rejected: r.rejects, pValue: runningPValue, lower: r.lower ?? -.infinity,
                           upper: r.upper ?? .infinity, stops: r.rejects)
    }
}

/// Stop and ship when the posterior chance to beat control exceeds a threshold (the
/// normal–normal model with a flat prior, ``ExperimentAnalysis/chanceToBeat(control:treatment:scale:level:)``;
/// Deng 2015; GrowthBook's "chance to win"):
///
/// - "reject" and stop when P(treatment > control | data) > threshold (strictly);
/// - report p = 1 − P(treatment > control | data) and the look's interval (the credible
///   interval, see ``LookObservation/withPosterior(_:)``).
///
/// A look without a chance to beat control (e.g. a linear contrast of more than two groups)
/// falls back on the method's own test at nominal α, as naive peeking does.
public struct BayesianStopRule: SequentialMonitor, Equatable {
    public let threshold: Double

    public init(threshold: Double) { self.threshold = threshold }

    public mutating func observe(_ look: LookObservation) -> LookVerdict {
        guard let chance = look.chanceToBeat else { return .method(look, stops: look.isSignificant) }
        let rejected = chance > threshold
        return LookVerdict(rejected: rejected, pValue: 1 - chance, lower: look.lower, upper: look.upper, stops: rejected)
    }
}

/// When an analysis may stop and reject (the harness's stopping policies, with the spending
/// function of a group sequential design given directly).
public enum MonitoringPolicy: Equatable, Hashable, Sendable {
    /// Analyse once, at the last look (``FixedHorizonRule``).
    case fixedHorizon
    /// The method's test at nominal α at every look (``NaivePeekingRule``).
    case naivePeeking
    /// Lan–DeMets α-spending, two-sided, |Z| ≥ c_k (``GroupSequentialRule``).
    case groupSequential(spending: AlphaSpending)
    /// mSPRT with mixture variance τ² (``MixtureSPRTRule``).
    case mixtureSPRT(tau2: Double)
    /// Asymptotic confidence sequence with tuning sample size N* (``ConfidenceSequenceRule``).
    case confidenceSequence(tuningSampleSize: Double)
    /// Stop when the chance to beat control exceeds `threshold` (``BayesianStopRule``).
    case bayesianStop(threshold: Double)
}

/// The looks an analysis uses and the monitor that decides at them, built once per analysis
/// from its policy, α, alternative and the looks' information fractions.
public struct MonitoringPlan: Sendable {
    public let policy: MonitoringPolicy
    /// The indices (into the fractions passed) of the looks analysed, in order: the last only for
    /// a fixed horizon; for a group sequential design the looks with new information up to the
    /// final (truncated) one; otherwise every look. ``LookObservation/look`` is the position in
    /// this array.
    public let activeLooks: [Int]
    /// Group sequential only: c_k per active look (empty for the other policies).
    public let criticalValues: [Double]
    /// A fresh monitor (no looks observed). Copy it for every comparison and replication.
    public let monitor: any SequentialMonitor

    /// Builds the plan. `informationFractions[j]` is look j's information fraction — for a group
    /// sequential design the units arrived by look j over the planned units (see
    /// ``GroupSequentialRule/boundaries(alpha:spending:informationFractions:)``); the other
    /// policies use only their number. Throws for no looks, α outside (0, 1), or a parameter the
    /// underlying test rejects (τ² or N* not positive and finite, a one-sided confidence sequence
    /// with α ≥ 1/2, an invalid spending parameter or fractions).
    public init(policy: MonitoringPolicy, alpha: Double, alternative: Alternative = .twoSided,
                informationFractions: [Double]) throws(AnalysisError) {
        try AnalysisError.checkAlpha(alpha, in: "MonitoringPlan(alpha:)")
        guard !informationFractions.isEmpty else {
            throw AnalysisError("MonitoringPlan(informationFractions:)", "there must be at least one look")
        }
        self.policy = policy
        let all = Array(informationFractions.indices)
        var critical: [Double] = []
        switch policy {
        case .fixedHorizon:
            activeLooks = [informationFractions.count - 1]
            monitor = FixedHorizonRule(finalLook: 0)
        case .naivePeeking:
            activeLooks = all
            monitor = NaivePeekingRule()
        case let .groupSequential(spending):
            let b = try GroupSequentialRule.boundaries(alpha: alpha, spending: spending, informationFractions: informationFractions)
            activeLooks = b.activeLooks
            critical = b.criticalValues
            monitor = GroupSequentialRule(criticalValues: b.criticalValues)
        case let .mixtureSPRT(tau2):
            activeLooks = all
            monitor = MixtureSPRTRule(test: try MixtureSPRT(alpha: alpha, tau2: tau2))
        case let .confidenceSequence(n):
            activeLooks = all
            monitor = ConfidenceSequenceRule(sequence: try AsymptoticConfidenceSequence(alpha: alpha, tuningSampleSize: n,
                                                                                        alternative: alternative))
        case let .bayesianStop(threshold):
            activeLooks = all
            monitor = BayesianStopRule(threshold: threshold)
        }
        criticalValues = critical
    }
}
