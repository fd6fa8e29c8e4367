import Assignment
import Foundation

/// The A/B/n and MVT design (`design: {kind: fixed_split}`, the default): every unit gets one
/// arm when it arrives, from fixed weights, and keeps it. The analysis unit is the unit.
///
/// Assignment, by `experiment.assignment`:
/// - `ideal`: an independent draw from the weights (stream `assignment`);
/// - `hashed` with no `experiment.ruleset`: the Assignment module's hash-and-range step on a
///   ruleset built from the scenario (``HashedAssigner``, proven equal to the evaluator);
/// - `hashed` with `experiment.ruleset`: `Evaluator.evaluate` on the production ruleset for
///   every unit, with the unit's population attributes, so targeting, holdouts, layers and
///   sample caps all act (``EvaluatorAssigner``).
///
/// Every salt of the ruleset is suffixed with the replication's salt, which carries the seed,
/// the cell key and the replication index.
public struct FixedSplit: Design {
    public var kind: String { "fixed_split" }
    public var analysisUnit: AnalysisUnitKind { .unit }
    let study: Study

    public init(_ study: Study) throws(SimulationError) {
        self.study = study
        if let r = study.experiment.ruleset {
            _ = try EvaluatorAssigner.ruleset(r, salt: "check", file: r.file)
        }
    }

    /// Whether assignment is the plain hash-and-range case (no production ruleset).
    public var usesPlainHash: Bool { study.experiment.assignment == .hashed && study.experiment.ruleset == nil }

    public func updateDays(study: Study) -> [Double] { [] }

    public func start(_ context: ReplicationContext, table: ColumnTable) throws(SimulationError) -> any DesignRun {
        let e = study.experiment
        switch e.assignment {
        case .ideal:
            return FixedSplitRun(IdealAssigner(stream: context.stream(.assignment), weights: context.plan.armWeights, allocation: e.allocation))
        case .hashed:
            if let r = e.ruleset {
                return FixedSplitRun(try EvaluatorAssigner(source: r, study: study, salt: context.salt, table: table))
            }
            return FixedSplitRun(try HashedAssigner(study: study, salt: context.salt))
        }
    }
}

/// A fixed split's state in one replication: units are assigned as they arrive.
final class FixedSplitRun<A: ArmAssigner>: DesignRun {
    var assigner: A
    init(_ assigner: A) { self.assigner = assigner }

    func assign(period: Period, units: Range<Int>, table: ColumnTable) {
        let arm = table.arm, exposure = table.firstExposure, arrival = table.arrival
        // The period's arms at once (batched hashing), then the exposures.
        assigner.arms(ofUnits: units, into: UnsafeMutableBufferPointer(rebasing: arm[units]))
        for i in units where arm[i] >= 0 { exposure[i] = arrival[i] }
    }

    func periodEnded(_ period: Period, statistics: PeriodStatistics) {}
}

/// Assignment by the Assignment module's `Evaluator` on a production ruleset, unit by unit:
/// status, targeting (on the unit's population attributes and segments), holdouts, layers,
/// allocation and the sample cap (a fresh enrollment ledger per replication, units enrolled in
/// arrival order). Unit i has id `u<i>` in the attribute each experiment, layer and holdout
/// randomises by, and arrives at `start + arrival days` (start: the analysed experiment's
/// start, or 2026-01-01T00:00Z).
public struct EvaluatorAssigner: ArmAssigner {
    let evaluator: Evaluator
    let experiment: Experiment
    let unitAttributes: [String]
    let origin: Date
    let table: ColumnTable
    let segmentNames: [String]
    let segmentValues: [[AttributeValue]]
    let attributeNames: [String]
    let attributeValues: [[AttributeValue]]

    public init(source: RulesetSource, study: Study, salt: String, table: ColumnTable) throws(SimulationError) {
        let ruleset = try EvaluatorAssigner.ruleset(source, salt: salt, file: source.file)
        guard let x = ruleset.experiment(source.analyse) else {
            throw SimulationError("experiment.analyse: the ruleset \(source.file) has no experiment \"\(source.analyse)\"")
        }
        experiment = x
        evaluator = Evaluator(ruleset: ruleset, ledger: EnrollmentLedger())
        unitAttributes = Array(Set(ruleset.experiments.map(\.unit) + ruleset.layers.map(\.unit) + ruleset.holdouts.map(\.unit))).sorted()
        origin = x.start ?? Date(timeIntervalSince1970: 1_767_225_600)
        self.table = table
        segmentNames = study.population.segments.map(\.attribute)
        segmentValues = study.population.segments.map { $0.levels.map { AttributeValue.string($0) } }
        attributeNames = study.population.attributes.map(\.name)
        attributeValues = study.population.attributes.map(\.values)
    }

    /// The ruleset with every experiment, layer and holdout salt suffixed by `/salt` (the
    /// salt defaults to the id, as the loader does), validated by the Assignment module.
    public static func ruleset(_ source: RulesetSource, salt: String, file: String) throws(SimulationError) -> Ruleset {
        guard case var .object(top) = source.json else {
            throw SimulationError("experiment.ruleset: \(file) is not a JSON object")
        }
        for key in ["experiments", "layers", "holdouts"] {
            guard case let .array(items)? = top[key] else { continue }
            top[key] = .array(items.map { item in
                guard case var .object(o) = item else { return item }
                let base: String
                if case let .string(s)? = o["salt"] { base = s } else if case let .string(id)? = o["id"] { base = id } else { return item }
                o["salt"] = .string("\(base)/\(salt)")
                return .object(o)
            })
        }
        do {
            return try Ruleset(jsonValue: .object(top))
        } catch {
            throw SimulationError("experiment.ruleset: \(file): \(error)")
        }
    }

    /// The attributes of unit i: its id under every unit attribute, its segments and its
    /// population attributes.
    public func attributes(ofUnit i: Int) -> Attributes {
        var a = Attributes(minimumCapacity: unitAttributes.count + segmentNames.count + attributeNames.count)
        let id = AttributeValue.string("u\(i)")
        for u in unitAttributes { a[u] = id }
        for (k, name) in segmentNames.enumerated() { a[name] = segmentValues[k][Int(table.segmentLevels[k][i])] }
        for (k, name) in attributeNames.enumerated() { a[name] = attributeValues[k][Int(table.attributeLevels[k][i])] }
        return a
    }

    public mutating func arm(ofUnit i: Int) -> Int {
        let time = origin.addingTimeInterval(table.arrival[i] * 86_400)
        let a = evaluator.evaluate(experiment, attributes(ofUnit: i), at: time)
        if case let .variant(index, _, _) = a.outcome { return index }
        return -1
    }
}
