import Assignment
import Foundation

/// A ramp-up (`design: {kind: ramp, stages: [{day: 0, weights: {control: 0.9, treatment: 0.1}},
/// {day: 2, weights: {control: 0.5, treatment: 0.5}}]}`): the allocation changes during the
/// test. A unit is assigned once, when it arrives, with the weights of the stage it arrives in,
/// and keeps its arm (sticky bucketing: a later stage never re-buckets earlier units).
///
/// Assignment goes through the Assignment module: with `assignment: hashed`, each stage is the
/// scenario's experiment (same hash, salt and allocation) with that stage's weights, a real
/// `Ruleset` per stage; with `ideal`, an independent draw from the stage's weights.
///
/// What it does to an analysis: when the baseline drifts over calendar time (seasonality,
/// `trend_per_day`) or the segment mix changes, the arms' arrival-time mixes differ, and the
/// pooled comparison mixes the drift into the effect — biased, and in a constructed case of the
/// opposite sign (Simpson's paradox). A comparison stratified by allocation period (`stratify:
/// allocation_period`) or one of the final period only (`from_day`) is unbiased. The SRM check's
/// null is the arrival-weighted mix of the stages' weights.
public struct Ramp: Design {
    public var kind: String { "ramp" }
    public var analysisUnit: AnalysisUnitKind { .unit }
    let study: Study
    /// Stages by start day (the first starts at day 0), each with weights summing to 1.
    public let stages: [(day: Double, weights: [Double])]

    public init(study: Study, stages: [(day: Double, weights: [Double])]) {
        self.study = study
        self.stages = stages
    }

    public func updateDays(study: Study) -> [Double] { stages.dropFirst().map(\.day) }

    /// The stage a unit arriving at `day` is assigned in.
    func stage(arrivingAt day: Double) -> Int {
        var s = 0
        while s + 1 < stages.count && day >= stages[s + 1].day { s += 1 }
        return s
    }

    public func expectedArmShares(unitsArrived: Int, plan: CellPlan) -> [Double]? {
        var shares = [Double](repeating: 0, count: study.experiment.variants.count)
        guard unitsArrived > 0 else { return nil }
        for i in 0..<min(unitsArrived, plan.arrivalDays.count) {
            let w = stages[stage(arrivingAt: plan.arrivalDays[i])].weights
            for a in shares.indices { shares[a] += w[a] }
        }
        return shares.map { $0 / Double(unitsArrived) }
    }

    public func start(_ context: ReplicationContext, table: ColumnTable) throws(SimulationError) -> any DesignRun {
        let e = study.experiment
        switch e.assignment {
        case .ideal:
            let stream = context.stream(.assignment)
            return RampRun(self, stages.map { IdealAssigner(stream: stream, weights: $0.weights, allocation: e.allocation) })
        case .hashed:
            var assigners: [HashedAssigner] = []
            for s in stages {
                var staged = study
                staged.experiment.variants = zip(e.variants, s.weights).map { ($0.0.name, $0.1) }
                assigners.append(try HashedAssigner(study: staged, salt: context.salt))
            }
            return RampRun(self, assigners)
        }
    }

    /// Builds the design: `stages`, a list of `{day, weights}` with the first at day 0, days
    /// increasing and inside the experiment, and weights a mapping of every variant to a weight
    /// ≥ 0 (normalised to sum 1; at least one positive).
    public static func make(_ c: ComponentConfig, _ study: Study) throws(SimulationError) -> any Design {
        try c.checkKeys(["stages"])
        guard study.experiment.ruleset == nil else {
            throw SimulationError(keyPath: "\(c.keyPath).kind", "a ramp builds its rulesets from the scenario's experiment; remove experiment.ruleset")
        }
        guard case let .list(items)? = c.parameters["stages"], !items.isEmpty else {
            throw SimulationError(keyPath: "\(c.keyPath).stages", "expected a non-empty list of {day, weights}")
        }
        let names = study.experiment.variants.map(\.name)
        var stages: [(day: Double, weights: [Double])] = []
        for (k, item) in items.enumerated() {
            let path = "\(c.keyPath).stages[\(k)]"
            guard case let .map(m) = item else { throw SimulationError(keyPath: path, "expected a mapping {day, weights}") }
            for key in m.keys.sorted() where key != "day" && key != "weights" {
                throw SimulationError(keyPath: "\(path).\(key)", "unknown key; expected day, weights")
            }
            guard case let .number(day)? = m["day"], day.isFinite, day >= 0, day < Double(study.population.days) else {
                throw SimulationError(keyPath: "\(path).day", "expected a day in [0, \(study.population.days))")
            }
            if k == 0, day != 0 { throw SimulationError(keyPath: "\(path).day", "the first stage starts at day 0") }
            if let last = stages.last, day <= last.day { throw SimulationError(keyPath: "\(path).day", "stage days must increase") }
            guard case let .map(w)? = m["weights"] else {
                throw SimulationError(keyPath: "\(path).weights", "expected a mapping of variant to weight: \(names.joined(separator: ", "))")
            }
            for key in w.keys.sorted() where !names.contains(key) {
                throw SimulationError(keyPath: "\(path).weights.\(key)", "unknown variant; expected one of: \(names.joined(separator: ", "))")
            }
            var weights: [Double] = []
            for n in names {
                guard case let .number(x)? = w[n], x.isFinite, x >= 0 else {
                    throw SimulationError(keyPath: "\(path).weights.\(n)", "expected a weight ≥ 0 for every variant")
                }
                weights.append(x)
            }
            let total = weights.reduce(0, +)
            guard total > 0 else { throw SimulationError(keyPath: "\(path).weights", "at least one weight must be positive") }
            stages.append((day, weights.map { $0 / total }))
        }
        return Ramp(study: study, stages: stages)
    }
}

/// A ramp's state in one replication: one assigner per stage.
final class RampRun<A: ArmAssigner>: DesignRun {
    let design: Ramp
    var assigners: [A]
    init(_ design: Ramp, _ assigners: [A]) {
        self.design = design
        self.assigners = assigners
    }

    func assign(period: Period, units: Range<Int>, table: ColumnTable) {
        let arm = table.arm, exposure = table.firstExposure, arrival = table.arrival
        for i in units {
            let a = assigners[design.stage(arrivingAt: arrival[i])].arm(ofUnit: i)
            arm[i] = Int32(truncatingIfNeeded: a)
            if a >= 0 { exposure[i] = arrival[i] }
        }
    }

    func periodEnded(_ period: Period, statistics: PeriodStatistics) {}
}
