import Assignment
import Foundation

/// A multi-armed bandit (`design: {kind: bandit, policy: thompson, metric: converted,
/// update_days: 1, floor: 0.01}`; `policy` one of `thompson` (Beta–Bernoulli for a binary
/// metric, Gaussian otherwise), `top_two`, `ucb1`, `epsilon_greedy` with `epsilon`): the
/// allocation weights are recomputed at every update from the arms' logged statistics of the
/// reward `metric` by the Assignment module's `BanditAllocator`, with a floor per arm. A unit is
/// assigned by hash into the current weights' bucket ranges (`BanditAllocator.arm(forBucket:)`
/// over the scheme's bucket of `u<i>`, salted per replication) and keeps its arm.
///
/// Each update is logged with its weights (``allocationLog``): the adaptive analyses read them.
///
/// Estimands: the arms' difference in means (for inference) and the regret Σ_a n_a(μ* − μ_a)
/// (for the allocation). What goes wrong: the arm means of adaptively collected data are biased
/// and a fixed-horizon CI under-covers; inverse-propensity weighting with the logged weights
/// (the Analysis module's `AdaptiveEstimation`) restores coverage; a static SRM check against
/// the initial weights false-alarms while the period-aware one holds.
public struct BanditDesign: Design {
    public var kind: String { "bandit" }
    public var analysisUnit: AnalysisUnitKind { .unit }
    let study: Study
    public let policy: BanditPolicy
    public let metric: Int
    public let updateDays: Double
    public let floor: Double

    public init(study: Study, policy: BanditPolicy, metric: Int, updateDays: Double, floor: Double) {
        self.study = study
        self.policy = policy
        self.metric = metric
        self.updateDays = updateDays
        self.floor = floor
    }

    public func updateDays(study: Study) -> [Double] {
        var days: [Double] = []
        var d = updateDays
        while d < Double(study.population.days) - 1e-9 { days.append(d); d += updateDays }
        return days
    }

    public func start(_ context: ReplicationContext, table: ColumnTable) throws(SimulationError) -> any DesignRun {
        let arms = study.experiment.variants.count
        do {
            let ruleset = try Ruleset(jsonValue: HashedAssigner.rulesetJSON(study: study, salt: context.salt))
            guard let experiment = ruleset.experiments.first else { throw SimulationError(keyPath: "design", "empty ruleset") }
            let allocator = try BanditAllocator(policy: policy, arms: arms, floor: floor)
            let initial = study.experiment.variants.map(\.weight)
            return Run(design: self, allocator: allocator, hasher: experiment.hasher, weights: initial.map { $0 / initial.reduce(0, +) })
        } catch let e as SimulationError {
            throw e
        } catch {
            throw SimulationError(keyPath: "design", "\(error)")
        }
    }

    /// Builds the design: `policy`, `metric` (observed once), `update_days` > 0 (default 1),
    /// `floor` in [0, 1/arms] (default 0), `epsilon` for ε-greedy, `top_two_beta` (default 0.5).
    public static func make(_ c: ComponentConfig, _ study: Study) throws(SimulationError) -> any Design {
        try c.checkKeys(["policy", "metric", "update_days", "floor", "epsilon", "top_two_beta"])
        let name = try c.string("metric")
        guard let m = study.metrics.firstIndex(where: { $0.name == name }) else {
            throw SimulationError(keyPath: "\(c.keyPath).metric", "unknown metric \"\(name)\"; expected one of: \(study.metrics.map(\.name).joined(separator: ", "))")
        }
        guard !study.metrics[m].isDaily else { throw SimulationError(keyPath: "\(c.keyPath).metric", "the reward must be a metric observed once") }
        let binary: Bool
        if case .binary = study.metrics[m].kind { binary = true } else { binary = false }
        let policy: BanditPolicy
        switch try c.string("policy") {
        case "thompson": policy = binary ? .thompsonBernoulli() : .thompsonGaussian
        case "top_two": policy = .topTwoThompson(beta: try c.number("top_two_beta", default: 0.5, in: 0...1), model: binary ? .bernoulli() : .gaussian)
        case "ucb1": policy = .ucb1
        case "epsilon_greedy": policy = .epsilonGreedy(epsilon: try c.number("epsilon", in: 0...1))
        case let other: throw SimulationError(keyPath: "\(c.keyPath).policy", "unknown policy \"\(other)\"; expected thompson, top_two, ucb1, epsilon_greedy")
        }
        let update = try c.number("update_days", default: 1)
        guard update > 0 else { throw SimulationError(keyPath: "\(c.keyPath).update_days", "expected a positive number of days") }
        let arms = study.experiment.variants.count
        let floor = try c.number("floor", default: 0, in: 0...(1 / Double(arms)))
        guard study.experiment.ruleset == nil, study.experiment.factors.isEmpty else {
            throw SimulationError(keyPath: "\(c.keyPath).kind", "a bandit builds its ruleset from experiment.variants")
        }
        return BanditDesign(study: study, policy: policy, metric: m, updateDays: update, floor: floor)
    }

    /// One replication: cumulative arm statistics, the current weights and ranges, the log.
    final class Run: DesignRun {
        let design: BanditDesign
        let allocator: BanditAllocator
        let hasher: SaltedHasher
        var ranges: [BucketRange]
        var weights: [Double]
        var totals: [ArmStatistics]
        var log: [[Double]] = []
        /// The scheduled update days (the same values the cell's period schedule is built from).
        let updates: Set<Double>

        init(design: BanditDesign, allocator: BanditAllocator, hasher: SaltedHasher, weights: [Double]) {
            self.design = design
            updates = Set(design.updateDays(study: design.study))
            self.allocator = allocator
            self.hasher = hasher
            self.weights = weights
            ranges = (try? BanditAllocator.ranges(weights: weights)) ?? []
            totals = weights.map { _ in ArmStatistics(n: 0, sum: 0, sumOfSquares: 0) }
        }

        var allocationLog: [[Double]] { log }

        func assign(period: Period, units: Range<Int>, table: ColumnTable) {
            log.append(weights)
            let arm = table.arm, exposure = table.firstExposure, arrival = table.arrival
            for i in units {
                let a = BanditAllocator.arm(forBucket: hasher.bucket("u\(i)"), bucketCount: hasher.bucketCount, ranges: ranges) ?? -1
                arm[i] = Int32(a)
                if a >= 0 { exposure[i] = arrival[i] }
            }
        }

        func periodEnded(_ period: Period, statistics: PeriodStatistics) {
            for a in totals.indices {
                let s = statistics.sums(arm: a, metric: design.metric)
                totals[a].n += s.n
                totals[a].sum += s.sum
                totals[a].sumOfSquares += s.sumOfSquares
            }
            // The weights change on the design's schedule only (every `update_days`); a period
            // that ends at a look between two updates carries the statistics forward, so adding
            // looks does not change what the bandit does.
            guard updates.contains(period.endDay) else { return }
            guard let w = try? allocator.weights(totals), let r = try? BanditAllocator.ranges(weights: w) else { return }
            weights = w
            ranges = r
        }
    }
}
