import Foundation

/// Why a unit is not in an experiment.
public enum NotInExperimentReason: Sendable, Equatable {
    /// The experiment is not running (status), or `time` is outside its start/end window.
    case inactive(String)
    /// The unit attribute the experiment randomises by is absent.
    case missingUnit(attribute: String)
    /// The targeting condition does not hold.
    case notTargeted
    /// The unit is in this holdout.
    case inHoldout(String)
    /// In the experiment's layer, the unit's bucket belongs to another experiment (or to none).
    case layerTaken(by: String?)
    /// The unit's bucket is outside the traffic allocation.
    case outsideAllocation
    /// The enrollment cap (`max_sample_size`) is reached.
    case sampleCapReached

    /// A stable machine-readable code (`not_targeted`, `in_holdout`, …).
    public var code: String {
        switch self {
        case .inactive: "inactive"
        case .missingUnit: "missing_unit"
        case .notTargeted: "not_targeted"
        case .inHoldout: "in_holdout"
        case .layerTaken: "layer_taken"
        case .outsideAllocation: "outside_allocation"
        case .sampleCapReached: "sample_cap_reached"
        }
    }

    /// A human-readable explanation.
    public var detail: String {
        switch self {
        case .inactive(let why): why
        case .missingUnit(let a): "attribute '\(a)' (the randomisation unit) is missing"
        case .notTargeted: "targeting condition not met"
        case .inHoldout(let h): "held out by holdout '\(h)'"
        case .layerTaken(let owner?): "layer bucket belongs to experiment '\(owner)'"
        case .layerTaken(nil): "layer bucket is not allocated to this experiment"
        case .outsideAllocation: "bucket outside the traffic allocation"
        case .sampleCapReached: "enrollment cap reached"
        }
    }
}

/// The result of evaluating one unit against one experiment.
public struct Assignment: Sendable, Equatable {
    /// In or out.
    public enum Outcome: Sendable, Equatable {
        case variant(index: Int, name: String, config: JSONValue)
        case notInExperiment(NotInExperimentReason)
    }

    /// The experiment id.
    public let experiment: String
    /// The unit id hashed (the unit attribute's value), nil when it is missing.
    public let unit: String?
    /// The experiment bucket of the unit (nil when it was not hashed).
    public let bucket: UInt32?
    /// The outcome.
    public let outcome: Outcome
    /// For switchback experiments, the window the time falls in.
    public let window: SwitchbackWindow?

    /// The variant's name when the unit is in the experiment.
    public var variant: String? {
        if case .variant(_, let name, _) = outcome { return name }
        return nil
    }

    /// The reason when the unit is not in the experiment.
    public var reason: NotInExperimentReason? {
        if case .notInExperiment(let r) = outcome { return r }
        return nil
    }
}

/// Evaluates units against a ruleset: targeting, holdouts, layers, allocation, bucketing and
/// sample caps (DESIGN.md §3). Evaluation is a pure function of (ruleset, attributes, time)
/// except for capped experiments, whose enrollments live in the explicit `ledger`. Safe to
/// share between tasks.
public struct Evaluator: Sendable {
    public let ruleset: Ruleset
    /// The enrollment ledger for `max_sample_size` (shared by copies of the evaluator).
    public let ledger: EnrollmentLedger

    /// Which checks to skip; `assign --check` skips targeting, status and caps to test bucketing.
    public struct Options: Sendable, Equatable {
        public var ignoreTargeting = false
        public var ignoreStatusAndTime = false
        public var ignoreSampleCaps = false
        /// Options; all checks are on by default.
        public init(ignoreTargeting: Bool = false, ignoreStatusAndTime: Bool = false, ignoreSampleCaps: Bool = false) {
            self.ignoreTargeting = ignoreTargeting
            self.ignoreStatusAndTime = ignoreStatusAndTime
            self.ignoreSampleCaps = ignoreSampleCaps
        }
    }

    public let options: Options
    private let holdoutByID: [String: Holdout]
    private let layerByID: [String: Layer]

    /// An evaluator for `ruleset` recording capped enrollments in `ledger`.
    public init(ruleset: Ruleset, ledger: EnrollmentLedger = EnrollmentLedger(), options: Options = Options()) {
        self.ruleset = ruleset
        self.ledger = ledger
        self.options = options
        holdoutByID = Dictionary(ruleset.holdouts.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        layerByID = Dictionary(ruleset.layers.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Every experiment's assignment for a unit with `attributes` at `time`, in ruleset order.
    public func evaluate(_ attributes: Attributes, at time: Date) -> [Assignment] {
        ruleset.experiments.map { evaluate($0, attributes, at: time) }
    }

    /// The assignment for the experiment with `id`, or nil if the ruleset has no such experiment.
    public func evaluate(experiment id: String, _ attributes: Attributes, at time: Date) -> Assignment? {
        ruleset.experiment(id).map { evaluate($0, attributes, at: time) }
    }

    /// The assignment of one unit to `experiment`. Checks, in order: status and time window,
    /// presence of the unit attribute, targeting, holdouts, layer, allocation and variant
    /// ranges, and finally the sample cap (which consults and updates the ledger).
    public func evaluate(_ experiment: Experiment, _ attributes: Attributes, at time: Date) -> Assignment {
        evaluate(experiment, source: attributes, at: time)
    }

    /// Every experiment's assignment for a unit whose attributes are a JSON object: nested
    /// objects and arrays are visible to GrowthBook conditions (dotted paths, `$elemMatch`,
    /// `$size` …), as in GrowthBook's SDKs; strict conditions see the top-level scalars. The unit
    /// id is the top-level attribute the experiment randomises by (a string, a number, or a
    /// boolean, as in `AttributeValue.unitID`).
    public func evaluate(json attributes: JSONValue, at time: Date) -> [Assignment] {
        let source = JSONAttributes(value: attributes)
        return ruleset.experiments.map { evaluate($0, source: source, at: time) }
    }

    func evaluate<A: AttributeSource>(_ experiment: Experiment, source attributes: A, at time: Date) -> Assignment {
        func out(_ r: NotInExperimentReason, unit: String? = nil, bucket: UInt32? = nil, window: SwitchbackWindow? = nil) -> Assignment {
            Assignment(experiment: experiment.id, unit: unit, bucket: bucket, outcome: .notInExperiment(r), window: window)
        }
        if !options.ignoreStatusAndTime {
            if experiment.status != .running { return out(.inactive("status is \(experiment.status.rawValue)")) }
            if let start = experiment.start, time < start { return out(.inactive("not started (starts \(start.formatted(.iso8601)))")) }
            if let end = experiment.end, time >= end { return out(.inactive("ended \(end.formatted(.iso8601))")) }
        }
        guard let unitID = attributes.unitID(experiment.unit) else {
            return out(.missingUnit(attribute: experiment.unit))
        }
        if !options.ignoreTargeting, let t = experiment.targeting, !attributes.satisfies(t) {
            return out(.notTargeted, unit: unitID)
        }
        for hid in experiment.holdouts {
            guard let h = holdoutByID[hid], let hu = attributes.unitID(h.unit) else { continue }
            if h.holds(hu) { return out(.inHoldout(hid), unit: unitID) }
        }
        if let slot = experiment.layer, let layer = layerByID[slot.layer] {
            let b = layer.hasher.bucket(unitID)
            let bounds = slot.range.bucketBounds(count: layer.hash.bucketCount)
            if !(b >= bounds.lower && b < bounds.upper) {
                let owner = ruleset.experiments.first { e in
                    guard let s = e.layer, s.layer == slot.layer else { return false }
                    let eb = s.range.bucketBounds(count: layer.hash.bucketCount)
                    return b >= eb.lower && b < eb.upper
                }
                return out(.layerTaken(by: owner?.id), unit: unitID)
            }
        }
        var window: SwitchbackWindow?
        var hashedUnit = unitID
        if let sb = experiment.switchback {
            let w = sb.window(at: time)
            window = w
            hashedUnit = "\(unitID)@\(w.index)"
        }
        let bucket = experiment.hasher.bucket(hashedUnit)
        guard var index = experiment.variantIndex(forBucket: bucket) else {
            return out(.outsideAllocation, unit: unitID, bucket: bucket, window: window)
        }
        if let cap = experiment.maxSampleSize, !options.ignoreSampleCaps {
            switch ledger.enroll(experiment: experiment.id, unit: hashedUnit, variant: index, cap: cap) {
            case .enrolled(let v), .alreadyEnrolled(let v): index = min(v, experiment.variants.count - 1)
            case .capReached: return out(.sampleCapReached, unit: unitID, bucket: bucket, window: window)
            }
        }
        let v = experiment.variants[index]
        return Assignment(experiment: experiment.id, unit: unitID, bucket: bucket,
                          outcome: .variant(index: index, name: v.name, config: v.config), window: window)
    }

    /// Serves `experiment` to a unit: evaluates it and, only when the unit is in the
    /// experiment, records an exposure event in `sink` (exposure is logged when a variant is
    /// served, not when it is computed; seed 001 "Exposure Logging"). Returns the assignment;
    /// nil when the ruleset has no such experiment.
    public func serve(experiment id: String, _ attributes: Attributes, at time: Date,
                      to sink: any ExposureSink) throws -> Assignment? {
        guard let a = evaluate(experiment: id, attributes, at: time) else { return nil }
        if let variant = a.variant, let unit = a.unit {
            try sink.record(ExposureEvent(unit: unit, experiment: a.experiment, variant: variant,
                                          timestamp: time, attributes: attributes, burnIn: a.window?.burnIn))
        }
        return a
    }
}

/// A unit's attributes as the evaluator reads them: the id a unit attribute gives, and whether
/// a targeting condition holds. Flat `Attributes` and JSON objects are the two sources.
protocol AttributeSource {
    func unitID(_ attribute: String) -> String?
    func satisfies(_ condition: Condition) -> Bool
}

extension Dictionary: AttributeSource where Key == String, Value == AttributeValue {
    func unitID(_ attribute: String) -> String? { self[attribute]?.unitID }
    func satisfies(_ condition: Condition) -> Bool { condition.matches(self) }
}

/// Attributes given as a JSON object (nested values allowed).
struct JSONAttributes: AttributeSource {
    let value: JSONValue

    func unitID(_ attribute: String) -> String? {
        guard case .object(let o) = value else { return nil }
        switch o[attribute] {
        case .string(let s): return AttributeValue.string(s).unitID
        case .number(let d): return AttributeValue.number(d).unitID
        case .bool(let b): return AttributeValue.bool(b).unitID
        default: return nil
        }
    }

    func satisfies(_ condition: Condition) -> Bool { condition.matches(json: value) }
}
