import Assignment
import Distributions
import Foundation

/// Cluster randomisation (`design: {kind: cluster}`, with `population: {clusters: {count: C}}`):
/// every cluster (household, company, market) is randomised as a whole through the Assignment
/// module — a real `Ruleset` whose experiment randomises by the attribute `cluster` (`c<id>`),
/// evaluated once per cluster by the `Evaluator` — and each unit gets its cluster's arm. The
/// analysis unit is the cluster (group = cluster id).
///
/// Estimand: with network interference, the total (global) effect: everyone treated vs nobody
/// (β + γ for a direct effect β and a spillover γ × treated share of neighbours). Unit-level
/// randomisation estimates only β (bias −γ: a unit's neighbours are treated half the time in
/// both arms); cluster randomisation estimates β + γw (bias −γ(1 − w), w = the share of a
/// unit's neighbours inside its cluster; ORACLES §10.3). What goes wrong without it: units of
/// a cluster share a cluster effect, so a unit-level test of a cluster-randomised experiment
/// treats correlated units as independent (FPR ≈ 2[1 − Φ(1.96/√DEFF)], DEFF = 1 + (m − 1)·ICC;
/// ORACLES §10.1).
public struct ClusterDesign: Design {
    public var kind: String { "cluster" }
    public var analysisUnit: AnalysisUnitKind { .cluster }
    let study: Study

    public init(study: Study) {
        self.study = study
    }

    public func updateDays(study: Study) -> [Double] { [] }

    /// The unit-level test's approximate FPR for clusters of m units with intra-cluster
    /// correlation ICC: 2[1 − Φ(z_{1−α/2}/√DEFF)], DEFF = 1 + (m − 1)·ICC (Kish; ORACLES §10.1).
    public static func predictedUnitLevelFPR(icc: Double, clusterSize m: Double, alpha: Double = 0.05) -> Double {
        let deff = 1 + (m - 1) * icc
        guard let z = try? Normal.standard.inverseSurvival(alpha / 2) else { return .nan }
        return 2 * Normal.standard.sf(z / deff.squareRoot())
    }

    /// The ruleset the design evaluates: one experiment randomising `cluster`.
    public static func rulesetJSON(study: Study, salt: String) -> JSONValue {
        let e = study.experiment
        let variants = e.variants.map { JSONValue.object(["name": .string($0.name), "weight": .number($0.weight)]) }
        return .object(["experiments": .array([.object([
            "id": .string(study.id), "salt": .string(salt), "hash": .string(e.hash), "unit": .string("cluster"),
            "allocation": .number(e.allocation), "variants": .array(variants),
        ])])])
    }

    public func start(_ context: ReplicationContext, table: ColumnTable) throws(SimulationError) -> any DesignRun {
        let ruleset: Ruleset
        do {
            ruleset = try Ruleset(jsonValue: Self.rulesetJSON(study: study, salt: context.salt))
        } catch {
            throw SimulationError(keyPath: "design", "the Assignment module rejected the cluster ruleset: \(error)")
        }
        guard let experiment = ruleset.experiments.first else { throw SimulationError(keyPath: "design", "empty ruleset") }
        let evaluator = Evaluator(ruleset: ruleset)
        let origin = Date(timeIntervalSince1970: 1_767_225_600)
        let arms: [Int32] = (0..<study.population.clusters).map { c in
            let a = evaluator.evaluate(experiment, ["cluster": .string("c\(c)")], at: origin)
            if case let .variant(index, _, _) = a.outcome { return Int32(index) }
            return -1
        }
        return Run(arms: arms)
    }

    /// Builds the design (no parameters); the population needs clusters.
    public static func make(_ c: ComponentConfig, _ study: Study) throws(SimulationError) -> any Design {
        try c.checkKeys([])
        guard study.population.clusters > 0 else {
            throw SimulationError(keyPath: "\(c.keyPath).kind", "cluster randomisation needs clusters: give the population clusters: {count: C}")
        }
        guard study.experiment.ruleset == nil, study.experiment.factors.isEmpty else {
            throw SimulationError(keyPath: "\(c.keyPath).kind", "a cluster design builds its ruleset from experiment.variants")
        }
        return ClusterDesign(study: study)
    }

    final class Run: DesignRun {
        let arms: [Int32]
        init(arms: [Int32]) { self.arms = arms }

        func assign(period: Period, units: Range<Int>, table: ColumnTable) {
            let arm = table.arm, exposure = table.firstExposure, arrival = table.arrival, cluster = table.cluster, group = table.group
            for i in units {
                let c = cluster[i]
                arm[i] = arms[Int(c)]
                if arm[i] >= 0 { exposure[i] = arrival[i] }
                group[i] = c
            }
        }

        func periodEnded(_ period: Period, statistics: PeriodStatistics) {}
    }
}
