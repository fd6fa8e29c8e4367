import Foundation

/// One problem found while loading a ruleset, with the JSON path of the offending value
/// (e.g. `experiments[2].variants[1].weight`).
public struct RulesetProblem: Sendable, Equatable, CustomStringConvertible {
    /// JSON path of the value, `$` for the document itself.
    public let path: String
    /// What is wrong with it.
    public let message: String

    /// A problem at `path` (empty means the document, written `$`).
    public init(_ path: String, _ message: String) {
        self.path = path.isEmpty ? "$" : path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// A ruleset that failed validation: every problem found, in document order.
public struct RulesetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// All problems, each with its JSON path.
    public let problems: [RulesetProblem]

    public var description: String {
        "invalid ruleset (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n"
            + problems.map { "  \($0)" }.joined(separator: "\n")
    }
}

/// The lifecycle state of an experiment; only `running` experiments enroll units.
public enum ExperimentStatus: String, Sendable, Codable, CaseIterable {
    case draft, running, paused, stopped
}

/// One arm of an experiment.
public struct Variant: Sendable, Equatable {
    /// Its name, unique within the experiment.
    public let name: String
    /// Its design weight (the share of enrolled units it should receive).
    public let weight: Double
    /// The configuration served to its units.
    public let config: JSONValue
    /// The part of the unit interval it owns (computed from weights and allocation, or given).
    public let range: BucketRange
}

/// A layer (namespace): experiments in one layer own disjoint ranges of the layer's own
/// buckets, so no unit is ever in two of them.
public struct Layer: Sendable {
    public let id: String
    public let salt: String
    public let hash: HashScheme
    /// The attribute hashed (all experiments of the layer must use the same unit).
    public let unit: String
    /// The layer's hasher (salt absorbed).
    public let hasher: SaltedHasher
}

/// A holdout: a salted fraction of units withheld from a set of experiments (served the
/// default experience).
public struct Holdout: Sendable {
    public let id: String
    public let salt: String
    public let hash: HashScheme
    /// The attribute hashed.
    public let unit: String
    /// The fraction of units held out, in [0, 1].
    public let fraction: Double
    /// Whether it applies to every experiment (otherwise to those that list it).
    public let allExperiments: Bool
    /// The holdout's hasher (salt absorbed).
    public let hasher: SaltedHasher
    /// Units with a holdout bucket below this are held out.
    public let bucketLimit: UInt32

    /// Whether `unitID` is held out.
    public func holds(_ unitID: String) -> Bool { hasher.bucket(unitID) < bucketLimit }
}

/// Where an experiment sits in its layer.
public struct LayerSlot: Sendable, Equatable {
    /// The layer's id.
    public let layer: String
    /// The part of the layer's unit interval the experiment owns.
    public let range: BucketRange
}

/// Switchback design: the randomised unit is the pair (switch unit, time window), e.g.
/// (region, hour). Windows are `[origin + k·length, origin + (k+1)·length)`; assignments in
/// the first `burnIn` seconds of a window are flagged for exclusion from analysis (carry-over).
public struct Switchback: Sendable, Equatable {
    /// Window length in seconds (> 0).
    public let windowLength: TimeInterval
    /// Burn-in at the start of each window in seconds (0 ≤ burnIn < windowLength).
    public let burnIn: TimeInterval
    /// Start of window 0.
    public let origin: Date

    /// The window containing `time`: its index, start, and whether `time` is in the burn-in.
    public func window(at time: Date) -> SwitchbackWindow {
        let elapsed = time.timeIntervalSince(origin)
        let q = (elapsed / windowLength).rounded(.down)
        // Clamp absurd times (beyond ±9e18 windows) instead of trapping on the conversion.
        let index = q.isNaN ? 0 : q >= 9e18 ? Int64(9e18) : q <= -9e18 ? Int64(-9e18) : Int64(q)
        let start = origin.addingTimeInterval(Double(index) * windowLength)
        return SwitchbackWindow(index: index, start: start, end: start.addingTimeInterval(windowLength),
                                burnIn: time.timeIntervalSince(start) < burnIn)
    }
}

/// One switchback window.
public struct SwitchbackWindow: Sendable, Equatable {
    public let index: Int64
    public let start: Date
    public let end: Date
    /// True when the assignment falls in the window's burn-in and should be excluded from analysis.
    public let burnIn: Bool
}

/// An experiment of a ruleset, validated and ready to evaluate.
public struct Experiment: Sendable {
    public let id: String
    public let salt: String
    public let hash: HashScheme
    /// The attribute that is the randomisation unit (user_id, session_id, device_id, cluster …).
    public let unit: String
    public let status: ExperimentStatus
    /// Enrollment window (optional): the experiment is active for `start ≤ t < end`.
    public let start: Date?
    public let end: Date?
    /// Traffic allocation (coverage) in [0, 1].
    public let allocation: Double
    public let variants: [Variant]
    public let targeting: Condition?
    public let layer: LayerSlot?
    /// Ids of the holdouts that apply (listed by the experiment, or applying to all).
    public let holdouts: [String]
    /// Enrollment cap (seed 002 `maximum_sample_size`), enforced by an `EnrollmentLedger`.
    public let maxSampleSize: Int?
    public let switchback: Switchback?
    /// Whether the variant ranges were given explicitly instead of derived from the weights.
    public let explicitRanges: Bool
    /// The experiment's hasher (salt absorbed).
    public let hasher: SaltedHasher
    /// Per variant, its range in integer buckets: bucket b is in variant i when
    /// `lowerBounds[i] ≤ b < upperBounds[i]`.
    public let lowerBounds: [UInt32]
    public let upperBounds: [UInt32]

    /// The index of the variant owning `bucket`, or nil when the bucket is outside the allocation.
    @inlinable
    public func variantIndex(forBucket bucket: UInt32) -> Int? {
        for i in lowerBounds.indices where bucket >= lowerBounds[i] && bucket < upperBounds[i] {
            return i
        }
        return nil
    }
}

extension Experiment {
    /// The same experiment under another salt: every field is kept, and the hasher is rebuilt
    /// for `salt`. A salt is any string (the loader puts no constraint on it), so an experiment
    /// that validated under one salt is valid under any other; the Monte Carlo harness
    /// validates a cell's experiment once and re-salts it per replication.
    public func resalted(_ salt: String) -> Experiment {
        Experiment(id: id, salt: salt, hash: hash, unit: unit, status: status, start: start, end: end,
                   allocation: allocation, variants: variants, targeting: targeting, layer: layer, holdouts: holdouts,
                   maxSampleSize: maxSampleSize, switchback: switchback, explicitRanges: explicitRanges,
                   hasher: SaltedHasher(scheme: hash, salt: salt), lowerBounds: lowerBounds, upperBounds: upperBounds)
    }
}

/// A validated ruleset: experiments, layers and holdouts (the seed-001 ruleset format, extended;
/// see README "Ruleset format").
public struct Ruleset: Sendable {
    public let experiments: [Experiment]
    public let layers: [Layer]
    public let holdouts: [Holdout]
    /// How targeting conditions are read (`"conditions"`, default `growthbook`).
    public let conditions: ConditionMode
    /// How weights and allocation become ranges (`"bucket_ranges"`, default `strict`).
    public let bucketRangeRules: BucketRangeRules
    /// Saved groups for `$inGroup`/`$notInGroup` (`"saved_groups"`: id → array of values).
    public let savedGroups: [String: [JSONValue]]
    /// Things that loaded but deserve a look: GrowthBook bucket-range repairs, unknown
    /// operators and invalid regexes (which GrowthBook evaluates as false), unknown saved
    /// groups. `assign --check` prints them.
    public let warnings: [RulesetProblem]

    /// The experiment with `id`, if any.
    public func experiment(_ id: String) -> Experiment? { experiments.first { $0.id == id } }
    /// The layer with `id`, if any.
    public func layer(_ id: String) -> Layer? { layers.first { $0.id == id } }
    /// The holdout with `id`, if any.
    public func holdout(_ id: String) -> Holdout? { holdouts.first { $0.id == id } }

    /// Parses and validates a ruleset from JSON, reporting every problem with its JSON path.
    public init(json data: Data) throws(RulesetError) {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw RulesetError(problems: [RulesetProblem("$", "not valid JSON: \(JSONSyntax.describe(data, decodingError: error))")])
        }
        self = try RulesetLoader.load(root)
    }

    /// Validates a ruleset given as an already-parsed JSON value (e.g. built in code by a
    /// simulation), with the same checks and JSON paths as `init(json:)`.
    public init(jsonValue: JSONValue) throws(RulesetError) {
        self = try RulesetLoader.load(jsonValue)
    }

    /// Parses and validates a ruleset from a JSON string.
    public init(json string: String) throws(RulesetError) {
        try self.init(json: Data(string.utf8))
    }

    init(experiments: [Experiment], layers: [Layer], holdouts: [Holdout], conditions: ConditionMode = .growthbook,
         bucketRangeRules: BucketRangeRules = .strict, savedGroups: [String: [JSONValue]] = [:], warnings: [RulesetProblem] = []) {
        self.experiments = experiments
        self.layers = layers
        self.holdouts = holdouts
        self.conditions = conditions
        self.bucketRangeRules = bucketRangeRules
        self.savedGroups = savedGroups
        self.warnings = warnings
    }
}

/// Turns a JSON parse failure into a message with a line and column, without echoing the input.
///
/// `JSONDecoder` only says "not valid JSON"; Foundation's `JSONSerialization` names the
/// problem ("Unexpected end of file", "Too many nested arrays or dictionaries around
/// character 517", "Number 1e400 is not representable in Swift"), so it is asked again and
/// its character offset is converted to a 1-based line and column.
enum JSONSyntax {
    static func describe(_ data: Data, decodingError: any Error) -> String {
        var detail = (decodingError as? DecodingError).map { "\($0)" } ?? "\(decodingError)"
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            detail = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? detail
        }
        let bytes = [UInt8](data)
        // Where: "around character N" (an offset in bytes), or the unrepresentable number.
        var offset: Int?
        if detail.contains("end of file") {
            offset = bytes.count
        } else if let r = detail.range(of: "around character ") {
            offset = Int(detail[r.upperBound...].prefix { $0.isNumber })
        } else if let r = detail.range(of: "Number "), let end = detail.range(of: " is not representable") {
            let token = Array(detail[r.upperBound..<end.lowerBound].utf8)
            if !token.isEmpty, token.count <= bytes.count {
                offset = (0...(bytes.count - token.count)).first { bytes[$0..<($0 + token.count)].elementsEqual(token) }
            }
        }
        if detail.hasPrefix("Too many nested") { detail = "nested deeper than JSON's limit of 512 arrays or objects" }
        else if detail.hasPrefix("Number ") { detail = detail.replacingOccurrences(of: "in Swift", with: "as a 64-bit floating-point number (its magnitude exceeds 1.8e308)") }
        else if let r = detail.range(of: " around character ") { detail = String(detail[..<r.lowerBound]) }
        if detail.hasSuffix(".") { detail.removeLast() }
        // Keep whatever else Foundation said short: it can quote large parts of the input.
        if detail.count > 200 { detail = String(detail.prefix(200)) + "…" }
        guard let at = offset, at >= 0, at <= bytes.count else { return detail }
        var line = 1, column = 1
        for b in bytes[..<at] {
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return "line \(line), column \(column): \(detail)"
    }
}

/// Parses an ISO 8601 timestamp (`2026-04-19T10:22:00Z`, optionally with fractional seconds
/// or a numeric offset).
public func parseISO8601(_ s: String) -> Date? {
    if let d = try? Date.ISO8601FormatStyle().parse(s) { return d }
    return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(s)
}
