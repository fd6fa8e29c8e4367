import Foundation

/// The outcome of asking the ledger to enroll a unit.
public enum EnrollmentDecision: Sendable, Equatable {
    /// Newly enrolled in the given variant (index into the experiment's variants).
    case enrolled(variant: Int)
    /// Enrolled earlier; keeps the variant it got then.
    case alreadyEnrolled(variant: Int)
    /// The cap is reached and the unit was not enrolled before.
    case capReached
}

/// Who is enrolled in each capped experiment (seed 002: "the backend should maintain a
/// collection of users that are part of a given experiment"; enrollment stops once
/// `maximum_sample_size` is reached, and an enrolled unit keeps its variant).
///
/// The only mutable state of assignment: every method takes one lock, so the cap can never be
/// exceeded however many tasks enroll at once. (An `NSLock` rather than `Synchronization.Mutex`,
/// because the package still supports macOS 13, where `Mutex` is unavailable.)
public final class EnrollmentLedger: @unchecked Sendable {
    private struct ExperimentState {
        var variantOf: [String: Int] = [:]
    }

    private let lock = NSLock()
    private var experiments: [String: ExperimentState] = [:]

    /// An empty ledger.
    public init() {}

    /// Enrolls `unit` in `experiment` with `variant` unless `cap` units are already enrolled; a
    /// unit enrolled before keeps its earlier variant (and does not count twice).
    public func enroll(experiment: String, unit: String, variant: Int, cap: Int) -> EnrollmentDecision {
        lock.lock()
        defer { lock.unlock() }
        var state = experiments[experiment, default: ExperimentState()]
        if let earlier = state.variantOf[unit] { return .alreadyEnrolled(variant: earlier) }
        guard state.variantOf.count < cap else { return .capReached }
        state.variantOf[unit] = variant
        experiments[experiment] = state
        return .enrolled(variant: variant)
    }

    /// The number of units enrolled in `experiment`.
    public func count(experiment: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return experiments[experiment]?.variantOf.count ?? 0
    }

    /// The variant index `unit` was enrolled with, if any.
    public func variant(experiment: String, unit: String) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        return experiments[experiment]?.variantOf[unit]
    }
}
