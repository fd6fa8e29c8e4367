import Assignment
import Distributions
import Foundation

/// A switchback (`design: {kind: switchback, window_hours: 2, burn_in_hours: 0}`, with
/// `population: {regions: {count: R}}`): time is cut into windows, and each (region, window) pair
/// is randomised as a unit — through the Assignment module's switchback experiments: a real
/// `Ruleset` whose experiment randomises by `region` with `switchback: {window_minutes,
/// burn_in_minutes}` (the hashed unit is `region@window`), evaluated once per pair by the
/// `Evaluator`. Every unit that arrives in a region during a window gets the pair's arm.
///
/// Units that arrive in a window's burn-in (its first `burn_in_hours`) are served but left out
/// of the analysis, as the Assignment module's exposure flag asks. The analysis unit is the
/// region × window (group `region · windows + window`). The design also tells outcome
/// components the region's arm in the previous window and the time since the switch, so a
/// `carryover` component can leak the previous arm into the start of a window.
///
/// Estimand: the global average treatment effect (every region always treated vs never).
/// What goes wrong: units within a region × window share the region's time-series shock, so a
/// unit-level test treats correlated observations as independent (FPR ≈ 2[1 − Φ(1.96/√DEFF)],
/// DEFF = 1 + 2Σ_{k<L}(1 − k/L)φ^k for AR(1) steps with coefficient φ and L steps per window;
/// ORACLES §10.2); with carryover the difference in means is biased toward 0 unless a burn-in
/// of at least the carryover removes the contaminated time.
public struct SwitchbackDesign: Design {
    public var kind: String { "switchback" }
    public var analysisUnit: AnalysisUnitKind { .regionWindow }
    let study: Study
    public let windowDays: Double
    public let burnInDays: Double

    public init(study: Study, windowDays: Double, burnInDays: Double) {
        self.study = study
        self.windowDays = windowDays
        self.burnInDays = burnInDays
    }

    /// The unit-level test's approximate FPR when each window holds L consecutive AR(1) steps
    /// with coefficient φ (one unit per step): 2[1 − Φ(z_{1−α/2}/√DEFF)], DEFF = 1 +
    /// 2Σ_{k=1}^{L−1}(1 − k/L)φ^k (ORACLES §10.2).
    public static func predictedUnitLevelFPR(phi: Double, steps: Int, alpha: Double = 0.05) -> Double {
        var deff = 1.0
        for k in stride(from: 1, to: max(steps, 1), by: 1) { deff += 2 * (1 - Double(k) / Double(steps)) * pow(phi, Double(k)) }
        guard let z = try? Normal.standard.inverseSurvival(alpha / 2) else { return .nan }
        return 2 * Normal.standard.sf(z / deff.squareRoot())
    }

    /// Windows over the experiment.
    public var windows: Int { Int((Double(study.population.days) / windowDays).rounded(.up)) }

    public func updateDays(study: Study) -> [Double] { [] }

    /// The ruleset the design evaluates: one experiment randomising `region` by window.
    public static func rulesetJSON(study: Study, salt: String, windowDays: Double, burnInDays: Double) -> JSONValue {
        let e = study.experiment
        let variants = e.variants.map { JSONValue.object(["name": .string($0.name), "weight": .number($0.weight)]) }
        return .object(["experiments": .array([.object([
            "id": .string(study.id), "salt": .string(salt), "hash": .string(e.hash), "unit": .string("region"),
            "allocation": .number(1), "variants": .array(variants),
            "switchback": .object(["window_minutes": .number(windowDays * 1440), "burn_in_minutes": .number(burnInDays * 1440),
                                   "origin": .string("2026-01-01T00:00:00Z")]),
        ])])])
    }

    public func start(_ context: ReplicationContext, table: ColumnTable) throws(SimulationError) -> any DesignRun {
        let ruleset: Ruleset
        do {
            ruleset = try Ruleset(jsonValue: Self.rulesetJSON(study: study, salt: context.salt, windowDays: windowDays, burnInDays: burnInDays))
        } catch {
            throw SimulationError(keyPath: "design", "the Assignment module rejected the switchback ruleset: \(error)")
        }
        guard let experiment = ruleset.experiments.first else { throw SimulationError(keyPath: "design", "empty ruleset") }
        return Run(design: self, evaluator: Evaluator(ruleset: ruleset), experiment: experiment,
                   regions: max(study.population.regions, 1))
    }

    /// Builds the design: `window_hours` > 0 (at most the experiment), `burn_in_hours` in
    /// [0, window_hours). The population needs regions.
    public static func make(_ c: ComponentConfig, _ study: Study) throws(SimulationError) -> any Design {
        try c.checkKeys(["window_hours", "burn_in_hours"])
        guard study.population.regions > 0 else {
            throw SimulationError(keyPath: "\(c.keyPath).kind", "a switchback randomises regions: give the population regions: {count: R}")
        }
        guard study.experiment.ruleset == nil, study.experiment.factors.isEmpty else {
            throw SimulationError(keyPath: "\(c.keyPath).kind", "a switchback builds its ruleset from experiment.variants")
        }
        let window = try c.number("window_hours", in: 1.0 / 60...Double(study.population.days) * 24)
        let burn = try c.number("burn_in_hours", default: 0, in: 0...window)
        guard burn < window else { throw SimulationError(keyPath: "\(c.keyPath).burn_in_hours", "the burn-in must be shorter than the window") }
        return SwitchbackDesign(study: study, windowDays: window / 24, burnInDays: burn / 24)
    }

    /// One replication: the arm of each (region, window) pair, evaluated once.
    final class Run: DesignRun {
        let design: SwitchbackDesign
        let evaluator: Evaluator
        let experiment: Experiment
        let regions: Int
        var arms: [Int32]
        let origin = Date(timeIntervalSince1970: 1_767_225_600)

        init(design: SwitchbackDesign, evaluator: Evaluator, experiment: Experiment, regions: Int) {
            self.design = design
            self.evaluator = evaluator
            self.experiment = experiment
            self.regions = regions
            arms = [Int32](repeating: -2, count: regions * max(design.windows, 1))
        }

        /// The arm of `region` in window `w` (evaluated at the window's midpoint).
        func arm(region: Int, window w: Int) -> Int32 {
            let k = region * design.windows + w
            if arms[k] != -2 { return arms[k] }
            let time = origin.addingTimeInterval((Double(w) + 0.5) * design.windowDays * 86_400)
            let a = evaluator.evaluate(experiment, ["region": .string("r\(region)")], at: time)
            if case let .variant(index, _, _) = a.outcome { arms[k] = Int32(index) } else { arms[k] = -1 }
            return arms[k]
        }

        func assign(period: Period, units: Range<Int>, table: ColumnTable) {
            table.hasSwitches = true
            table.hasExclusions = design.burnInDays > 0
            let armColumn = table.arm, exposure = table.firstExposure, arrival = table.arrival, group = table.group
            let region = table.region, prior = table.priorArm, since = table.sinceSwitch, excluded = table.excluded
            let windows = design.windows
            for i in units {
                let r = Int(region[i]), t = arrival[i]
                let w = min(max(Int((t / design.windowDays).rounded(.down)), 0), windows - 1)
                let a = arm(region: r, window: w)
                armColumn[i] = a
                if a >= 0 { exposure[i] = t }
                prior[i] = w > 0 ? arm(region: r, window: w - 1) : -1
                since[i] = t - Double(w) * design.windowDays
                excluded[i] = since[i] < design.burnInDays ? 1 : 0
                group[i] = Int32(r * windows + w)
            }
        }

        func periodEnded(_ period: Period, statistics: PeriodStatistics) {}
    }
}
