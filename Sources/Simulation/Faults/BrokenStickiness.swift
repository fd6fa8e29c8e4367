import Distributions
import Foundation

/// Broken stickiness (`faults: [{kind: broken_stickiness, share: 0.3, sessions: 3}]`): a share
/// of the units are randomised per session instead of once (a session-level id, cleared
/// cookies, a cache that re-buckets), so they see more than one arm. Each enrolled unit is such
/// a unit with probability `share`; its `sessions − 1` later sessions each draw an arm from the
/// design weights (the fault's stream), and if one of them differs from its first arm the unit
/// is logged in that arm too (the first such arm: with more than two arms a unit is logged in
/// at most two). Its outcome is the one drawn under its first arm.
///
/// Truth: unchanged (the effect of the arm a unit is given). What it changes: the logged
/// counts — the same unit in two arms; under unequal weights the minority arm gains more
/// duplicates than it loses, an SRM the check sees — and the estimate, attenuated towards 0:
/// with duplicate rates d_C = s(1 − w_C^(k−1)) and d_T = s(1 − w_T^(k−1)), the treatment mean
/// is μ_C + τ·w_T/(w_T + w_C d_C) and the control mean μ_C + τ·w_T d_T/(w_C + w_T d_T).
public struct BrokenStickiness: Fault {
    public var kind: String { "broken_stickiness" }
    public let share: Double
    public let sessions: Int
    /// The design weights, normalised (cumulative), that later sessions draw from.
    let cumulative: [Double]

    public init(share: Double, sessions: Int, weights: [Double]) {
        self.share = share
        self.sessions = sessions
        let total = weights.reduce(0, +)
        var acc = 0.0
        cumulative = weights.map { acc += $0 / total; return acc }
    }

    /// The expected difference in logged means for a two-arm test with control weight w_C,
    /// treatment weight w_T and effect τ (large-sample: ratio of expectations):
    /// τ·w_T/(w_T + w_C d_C) − τ·w_T d_T/(w_C + w_T d_T), d_X = s(1 − w_X^(k−1)).
    public static func expectedEstimate(effect tau: Double, control wC: Double, treatment wT: Double, share s: Double, sessions k: Int) -> Double {
        let total = wC + wT, c = wC / total, t = wT / total
        let dC = s * (1 - pow(c, Double(k - 1))), dT = s * (1 - pow(t, Double(k - 1)))
        return tau * t / (t + c * dC) - tau * t * dT / (c + t * dT)
    }

    /// Builds the fault: `share` in [0, 1] and `sessions` (an integer ≥ 2, default 2).
    public static func make(_ c: ComponentConfig, _ study: Study) throws(SimulationError) -> any Fault {
        try c.checkKeys(["share", "sessions"])
        let sessions = try c.number("sessions", default: 2, in: 2...1000)
        guard sessions == sessions.rounded() else { throw SimulationError(keyPath: "\(c.keyPath).sessions", "expected a whole number of sessions ≥ 2") }
        return BrokenStickiness(share: try c.number("share", in: 0...1), sessions: Int(sessions),
                                weights: study.experiment.variants.map(\.weight))
    }

    public func start(_ context: ReplicationContext, stream: RandomStream) -> any FaultRun { Run(self, stream) }

    final class Run: FaultRun {
        let fault: BrokenStickiness
        let stream: RandomStream
        init(_ fault: BrokenStickiness, _ stream: RandomStream) {
            self.fault = fault
            self.stream = stream
        }

        func apply(period: Period, units: Range<Int>, table: ColumnTable) {
            table.hasSecondArm = true
            let arm = table.arm, second = table.secondArm, cumulative = fault.cumulative
            for i in units {
                second[i] = -1
                guard arm[i] >= 0, stream.uniform() < fault.share else { continue }
                for _ in 1..<fault.sessions {
                    let u = stream.uniform()
                    var a = cumulative.count - 1
                    for (k, c) in cumulative.enumerated() where u < c { a = k; break }
                    if second[i] < 0, a != Int(arm[i]) { second[i] = Int32(a) }
                }
            }
        }
    }
}
