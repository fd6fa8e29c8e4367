import Assignment
import Foundation

/// A long-term (global) holdout (`design: {kind: holdout}` with `experiment.variants:
/// {holdout: h, launched: 1 − h}`): a salted share h of users is withheld from every launched
/// feature for a quarter; everyone else gets what shipped. Assignment goes through the
/// Assignment module: a real `Ruleset` with a holdout of fraction h (`all_experiments`) and one
/// experiment `launched` serving a single variant, evaluated per user by the `Evaluator`
/// (`in_holdout` → arm 0, served → arm 1).
///
/// Estimand: the cumulative effect of the shipped features over the readout window (the
/// `launched_features` component's truth, random per replication). The holdout comparison is a
/// plain randomised comparison, so Welch's difference in means is unbiased for it; the sum of the
/// individual tests' lifts (`method: summed_lifts`) is not (winner's curse, novelty).
public struct LongTermHoldout: Design {
    public var kind: String { "holdout" }
    public var analysisUnit: AnalysisUnitKind { .unit }
    let study: Study

    public init(study: Study) {
        self.study = study
    }

    public func updateDays(study: Study) -> [Double] { [] }

    /// The held-out fraction: the first variant's weight.
    public var fraction: Double { study.experiment.variants.first?.weight ?? 0 }

    /// The ruleset: holdout `long_term` (fraction h, every experiment) and experiment `launched`
    /// (one variant, weight 1), both salted with the replication's salt.
    public static func rulesetJSON(study: Study, salt: String) -> JSONValue {
        let e = study.experiment
        let launched = e.variants.count > 1 ? e.variants[1].name : "launched"
        return .object([
            "holdouts": .array([.object([
                "id": .string("long_term"), "salt": .string("holdout/\(salt)"), "hash": .string(e.hash),
                "unit": .string("id"), "fraction": .number(e.variants.first?.weight ?? 0), "all_experiments": .bool(true),
            ])]),
            "experiments": .array([.object([
                "id": .string("launched"), "salt": .string(salt), "hash": .string(e.hash), "unit": .string("id"),
                "variants": .array([.object(["name": .string(launched), "weight": .number(1)])]),
            ])]),
        ])
    }

    public func start(_ context: ReplicationContext, table: ColumnTable) throws(SimulationError) -> any DesignRun {
        let ruleset: Ruleset
        do {
            ruleset = try Ruleset(jsonValue: Self.rulesetJSON(study: study, salt: context.salt))
        } catch {
            throw SimulationError(keyPath: "design", "the Assignment module rejected the holdout ruleset: \(error)")
        }
        guard let experiment = ruleset.experiments.first else { throw SimulationError(keyPath: "design", "empty ruleset") }
        return Run(evaluator: Evaluator(ruleset: ruleset), experiment: experiment)
    }

    /// Builds the design (no parameters): two variants, the first the holdout with a weight in (0, 1).
    public static func make(_ c: ComponentConfig, _ study: Study) throws(SimulationError) -> any Design {
        try c.checkKeys([])
        let v = study.experiment.variants
        guard v.count == 2, v[0].weight > 0, v[0].weight < 1 else {
            throw SimulationError(keyPath: "experiment.variants", "a holdout design has two variants: the holdout (first, its weight the held-out share in (0, 1)) and the launched traffic")
        }
        guard study.experiment.ruleset == nil, study.experiment.factors.isEmpty, study.experiment.allocation == 1 else {
            throw SimulationError(keyPath: "\(c.keyPath).kind", "a holdout design builds its ruleset from experiment.variants (no ruleset, factors or allocation)")
        }
        return LongTermHoldout(study: study)
    }

    final class Run: DesignRun {
        let evaluator: Evaluator
        let experiment: Experiment
        let origin = Date(timeIntervalSince1970: 1_767_225_600)

        init(evaluator: Evaluator, experiment: Experiment) {
            self.evaluator = evaluator
            self.experiment = experiment
        }

        func assign(period: Period, units: Range<Int>, table: ColumnTable) {
            let arm = table.arm, exposure = table.firstExposure, arrival = table.arrival
            for i in units {
                let a = evaluator.evaluate(experiment, ["id": .string("u\(i)")], at: origin)
                switch a.outcome {
                case .notInExperiment(.inHoldout(_)): arm[i] = 0
                case .variant: arm[i] = 1
                default: arm[i] = -1
                }
                if arm[i] >= 0 { exposure[i] = arrival[i] }
            }
        }

        func periodEnded(_ period: Period, statistics: PeriodStatistics) {}
    }
}
