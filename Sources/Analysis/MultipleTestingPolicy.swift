/// How a family of p-values is turned into rejections.
///
/// The family is ordered with the primary hypotheses first (for the harness's multiple-testing
/// studies: metric-major, so the first `primaryCount` hypotheses are the primary metric against
/// every treatment).
public enum MultipleTestingPolicy: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// One correction over the whole family (``MultipleTesting/adjust(_:method:alpha:)``):
    /// reject H_i when the adjusted p̃_i ≤ α. `.none` rejects p_i ≤ α.
    case correction(CorrectionMethod)
    /// The primary hypotheses at α uncorrected (reject p_i < α, strictly), the others corrected
    /// with Holm (1979, Scand. J. Statist. 6:65–70) among themselves (reject p̃_i ≤ α,
    /// p̃₍ᵢ₎ = max_{j≤i} min(1, (m' − j + 1) p₍ⱼ₎) over the m' secondary p-values). The
    /// common "primary metric plus corrected secondary metrics" practice: it controls the FWER
    /// of the secondary family only; over all hypotheses the family-wise error is bounded only
    /// by (k + 1)α for k primary hypotheses (Bonferroni's inequality).
    case primaryUncorrected

    /// `bonferroni`, `holm`, `hochberg`, `bh`, `by`, `none`, or `primary_uncorrected`.
    public var description: String {
        switch self {
        case let .correction(m): return m.rawValue
        case .primaryUncorrected: return "primary_uncorrected"
        }
    }

    /// Which hypotheses are rejected, in the order of `pValues`. `primaryCount` is the number
    /// of primary hypotheses at the front of the family (used by ``primaryUncorrected`` only;
    /// a count beyond the family makes every hypothesis primary).
    ///
    /// Equals statsmodels `multipletests(p, alpha, method)[0]` for a correction, and for
    /// ``primaryUncorrected`` `p[:k] < alpha` followed by `multipletests(p[k:], alpha, 'holm')[0]`.
    /// Throws for an empty family, a p-value outside [0, 1] (or NaN), α outside (0, 1), or a
    /// negative `primaryCount`.
    public func rejections(_ pValues: [Double], primaryCount: Int, alpha: Double) throws(AnalysisError) -> [Bool] {
        switch self {
        case let .correction(method):
            return try MultipleTesting.adjust(pValues, method: method, alpha: alpha).rejected
        case .primaryUncorrected:
            let context = "MultipleTestingPolicy.rejections"
            try AnalysisError.checkAlpha(alpha, in: context + "(alpha:)")
            guard primaryCount >= 0 else { throw AnalysisError(context, "primaryCount must be ≥ 0, got \(primaryCount)") }
            guard !pValues.isEmpty else { throw AnalysisError(context, "the family of p-values is empty") }
            guard pValues.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
                throw AnalysisError(context, "p-values must be in [0, 1], got \(pValues)")
            }
            var rejected = pValues.prefix(primaryCount).map { $0 < alpha }
            let rest = Array(pValues.dropFirst(primaryCount))
            if !rest.isEmpty { rejected += try MultipleTesting.adjust(rest, method: .holm, alpha: alpha).rejected }
            return rejected
        }
    }

    /// ``rejections(_:primaryCount:alpha:)`` followed by ``FamilyErrorSummary/init(rejected:isNull:)``.
    public func summary(pValues: [Double], isNull: [Bool], primaryCount: Int, alpha: Double) throws(AnalysisError) -> FamilyErrorSummary {
        try FamilyErrorSummary(rejected: try rejections(pValues, primaryCount: primaryCount, alpha: alpha), isNull: isNull)
    }
}

/// The error and power of one set of rejections in a family with known truth (one Monte Carlo
/// replication), in the notation of Benjamini & Hochberg (1995, JRSS B 57:289–300, Table 1):
/// m₀ true nulls, m₁ = m − m₀ true effects, V false rejections, S true rejections, R = V + S.
/// Averaged over replications these give the FWER = P(V ≥ 1), the FDR = E[V/max(R, 1)], the
/// average power E[S/m₁] and the any-power P(S ≥ 1).
public struct FamilyErrorSummary: Equatable, Hashable, Codable, Sendable {
    /// V, true nulls rejected.
    public let falseRejections: Int
    /// S, true effects rejected.
    public let trueRejections: Int
    /// m₁, true effects in the family.
    public let trueEffects: Int

    /// V ≥ 1 (a family-wise error).
    public var anyFalseRejection: Bool { falseRejections > 0 }
    /// The false discovery proportion V / max(R, 1) (0 when nothing is rejected).
    public var falseDiscoveryProportion: Double {
        let r = falseRejections + trueRejections
        return r > 0 ? Double(falseRejections) / Double(r) : 0
    }
    /// S / m₁, the share of the true effects rejected (0 when there are none).
    public var power: Double { trueEffects > 0 ? Double(trueRejections) / Double(trueEffects) : 0 }
    /// S ≥ 1.
    public var anyTrueRejection: Bool { trueRejections > 0 }

    /// Counts V, S and m₁ from the rejections and which hypotheses are true nulls
    /// (`isNull[i]`). Throws when the lengths differ.
    public init(rejected: [Bool], isNull: [Bool]) throws(AnalysisError) {
        guard rejected.count == isNull.count else {
            throw AnalysisError("FamilyErrorSummary(rejected:isNull:)",
                                "rejected and isNull must have the same length, got \(rejected.count) and \(isNull.count)")
        }
        var v = 0, s = 0
        for (r, null) in zip(rejected, isNull) where r { if null { v += 1 } else { s += 1 } }
        falseRejections = v
        trueRejections = s
        trueEffects = isNull.filter { !$0 }.count
    }

    /// A summary from its stored counts V, S and m₁ (as read back from a shard file).
    public init(falseRejections: Int, trueRejections: Int, trueEffects: Int) {
        self.falseRejections = falseRejections
        self.trueRejections = trueRejections
        self.trueEffects = trueEffects
    }
}
