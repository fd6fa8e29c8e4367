import Foundation

/// Which direction of change is good for a metric.
public enum MetricDirection: String, Codable, Sendable {
    /// Higher is better (conversion, revenue).
    case increase
    /// Lower is better (error rate, latency).
    case decrease
}

/// The verdict on an experiment.
public enum DecisionOutcome: String, Codable, Sendable {
    /// The primary metric improved significantly and no guardrail is harmed beyond its margin.
    case ship
    /// The primary metric got significantly worse, or a guardrail is significantly harmed.
    case dontShip = "dont_ship"
    /// The data do not settle it (no significant primary effect, or a guardrail not shown
    /// non-inferior).
    case inconclusive
    /// The experiment cannot be trusted (SRM, or the primary metric could not be analysed).
    case invalid
}

/// A guardrail: a metric that must not get significantly worse, and, when a non-inferiority
/// margin is given, must be shown not to get worse by more than that margin.
public struct Guardrail: Equatable, Codable, Sendable {
    public let name: String
    public let result: FixedHorizonResult
    public let direction: MetricDirection
    /// Non-inferiority margin δ ≥ 0 on the scale of `result` (absolute or relative): the largest
    /// harm that is still acceptable. `nil`: only a significant harm blocks shipping (the
    /// "no significant change" guardrail of most platforms).
    public let margin: Double?
    /// When the guardrail is in the multiple-testing family: its adjusted p-value, which replaces
    /// `result.pValue` when judging a significant harm.
    public let adjustedPValue: Double?

    /// Throws when the margin is negative or not finite.
    public init(name: String, result: FixedHorizonResult, direction: MetricDirection, margin: Double? = nil,
                adjustedPValue: Double? = nil) throws(AnalysisError) {
        if let margin, !(margin.isFinite && margin >= 0) {
            throw AnalysisError("Guardrail(margin:)", "margin must be finite and ≥ 0, got \(margin)")
        }
        self.name = name
        self.result = result
        self.direction = direction
        self.margin = margin
        self.adjustedPValue = adjustedPValue
    }
}

/// A decision with the reasons that led to it, in the order the rules were applied.
public struct Decision: Equatable, Codable, Sendable {
    public let outcome: DecisionOutcome
    public let reasons: [String]

    /// Decides from the primary metric, the guardrails and the SRM check.
    ///
    /// Rules, in order (the primary and guardrail results carry their own α and intervals; pass
    /// two-sided results or results whose interval bound on the harmful side exists):
    /// 1. `invalid` if the SRM check is flagged, or the SRM or primary result's status is not ok
    ///    (Kohavi, Tang & Xu 2020, ch. 21: an SRM invalidates the experiment).
    /// 2. `dont_ship` if a guardrail is significantly harmed: its (adjusted, if given) p-value is
    ///    below its α and the estimate points the harmful way.
    /// 3. `dont_ship` if the primary metric is significantly worse.
    /// 4. `inconclusive` if the primary metric is not significant.
    /// 5. `inconclusive` if a guardrail with a margin is not shown non-inferior: the bound of its
    ///    interval on the harmful side lies beyond −margin (for `increase`: lower < −margin; for `decrease`:
    ///    upper > margin) — the confidence-interval form of a non-inferiority test
    ///    (Schuirmann 1987; FDA 2016 non-inferiority guidance) — or its status is not ok.
    /// 6. `ship` otherwise.
    ///
    /// `primaryPValue`, when given, replaces the primary result's p-value for significance: pass
    /// the multiplicity-adjusted p-value from ``MultipleTesting/adjust(_:method:alpha:)``.
    public static func make(primary: FixedHorizonResult, primaryDirection: MetricDirection = .increase,
                            primaryPValue: Double? = nil, guardrails: [Guardrail] = [], srm: SRMResult?) -> Decision {
        var reasons: [String] = []
        if let srm {
            if srm.status != .ok {
                reasons.append("SRM check could not run: \(srm.status.explanation)")
            } else if srm.flagged {
                reasons.append("sample ratio mismatch: χ² p = \(format(srm.pValue)) < \(format(srm.threshold))")
            }
        }
        if primary.status != .ok {
            reasons.append("primary metric could not be analysed: \(primary.status.explanation)")
        }
        if !reasons.isEmpty { return Decision(outcome: .invalid, reasons: reasons) }

        var harmed: [String] = [], unproven: [String] = []
        for g in guardrails {
            guard g.result.status == .ok, let lower = g.result.lower, let upper = g.result.upper else {
                unproven.append("guardrail \(g.name) could not be analysed: \(g.result.status.explanation)")
                continue
            }
            let gp = g.adjustedPValue ?? g.result.pValue
            let worse = g.direction == .increase ? (g.result.estimate ?? 0) < 0 : (g.result.estimate ?? 0) > 0
            let significantHarm = (gp ?? 1) < g.result.alpha && worse
            if significantHarm {
                harmed.append("guardrail \(g.name) significantly worse (p = \(format(gp)), CI [\(format(lower)), \(format(upper))])")
            } else if let margin = g.margin, g.direction == .increase ? lower < -margin : upper > margin {
                unproven.append("guardrail \(g.name) not shown non-inferior: CI [\(format(lower)), \(format(upper))] crosses the margin \(g.direction == .increase ? "-" : "+")\(format(margin))")
            }
        }
        if !harmed.isEmpty { return Decision(outcome: .dontShip, reasons: harmed) }

        let better = primaryDirection == .increase ? (primary.estimate ?? 0) > 0 : (primary.estimate ?? 0) < 0
        let p = primaryPValue ?? primary.pValue
        let significant = (p ?? 1) < primary.alpha
        if significant && !better {
            return Decision(outcome: .dontShip, reasons: ["primary metric significantly worse (p = \(format(p)))"] + unproven)
        }
        if !significant {
            return Decision(outcome: .inconclusive,
                            reasons: ["primary metric not significant (p = \(format(p)) ≥ α = \(format(primary.alpha)))"] + unproven)
        }
        if !unproven.isEmpty { return Decision(outcome: .inconclusive, reasons: ["primary metric significantly better (p = \(format(p)))"] + unproven) }
        return Decision(outcome: .ship, reasons: ["primary metric significantly better (p = \(format(p)))",
                                                  guardrails.isEmpty ? "no guardrails" : "no guardrail harmed"])
    }

    static func format(_ x: Double?) -> String {
        guard let x else { return "n/a" }
        return String(format: "%.4g", x)
    }
}
