import Foundation

/// A gate: a statement about a performance measure fixed before the run, checked as an
/// interval test against the Monte Carlo uncertainty (SimDesign's Bradley 1978 / Serlin 2000
/// style), so that with a fixed seed it is deterministic and never flakes.
public struct GateSpec: Equatable, Sendable {
    public enum Rule: Equatable, Sendable {
        /// Passes when estimate + z·MCSE ≤ value + tolerance (the upper bound is inside).
        case atMost(Double, tolerance: Double)
        /// Passes when estimate − z·MCSE ≥ value − tolerance (the lower bound is inside).
        case atLeast(Double, tolerance: Double)
        /// Passes when |estimate − target| ≤ k·MCSE (the estimate agrees with a known value,
        /// e.g. the Armitage–McPherson–Rowe false-positive rate of naive peeking).
        case near(Double, withinMCSE: Double)
    }

    public var measure: Measure
    /// The analysis id.
    public var analysis: String
    /// Restricts the gate to one comparison (e.g. `treatment`); nil = every comparison.
    public var comparison: String?
    /// Restricts the gate to cells whose swept factors have these values (key path → value as
    /// written in the scenario); empty = every cell.
    public var cells: [String: String]
    public var rule: Rule
    /// The multiple of the MCSE used for the bound (default 3: a one-sided 99.87% bound).
    public var z: Double

    public init(measure: Measure, analysis: String, comparison: String? = nil, cells: [String: String] = [:],
                rule: Rule, z: Double = 3) {
        self.measure = measure
        self.analysis = analysis
        self.comparison = comparison
        self.cells = cells
        self.rule = rule
        self.z = z
    }

    /// A one-line statement of the gate, e.g. `rejection_rate of z ≤ 0.05 (+0.01)`.
    public var statement: String {
        let target = comparison.map { "\(analysis)[\($0)]" } ?? analysis
        switch rule {
        case let .atMost(v, t): return "\(measure.rawValue) of \(target) ≤ \(fmt(v)) (tolerance \(fmt(t)), bound estimate + \(fmt(z))·MCSE)"
        case let .atLeast(v, t): return "\(measure.rawValue) of \(target) ≥ \(fmt(v)) (tolerance \(fmt(t)), bound estimate − \(fmt(z))·MCSE)"
        case let .near(v, k): return "\(measure.rawValue) of \(target) = \(fmt(v)) within \(fmt(k))·MCSE"
        }
    }

    /// Checks one estimate. Returns whether it passes and the bound that decided it.
    /// An estimate without an MCSE (fewer than two replications) fails: nothing can be claimed.
    public func check(_ e: MonteCarloEstimate) -> (passed: Bool, bound: Double?) {
        guard let mcse = e.mcse else { return (false, nil) }
        switch rule {
        case let .atMost(v, t):
            let bound = e.estimate + z * mcse
            return (bound <= v + t, bound)
        case let .atLeast(v, t):
            let bound = e.estimate - z * mcse
            return (bound >= v - t, bound)
        case let .near(v, k):
            let distance = abs(e.estimate - v)
            return (distance <= k * mcse, distance / max(mcse, .leastNonzeroMagnitude))
        }
    }
}

func fmt(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
    var s = String(format: "%.6g", x)
    if s.contains("e") { return s }
    while s.contains(".") && (s.hasSuffix("0")) { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s
}
