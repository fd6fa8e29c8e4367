import Analysis
import Distributions
import Foundation

// The stages of one replication (DESIGN.md §2a). Each implementation is one file in
// Population/, Designs/, Faults/ or Outcomes/; the engine only orchestrates them:
//
//   PopulationModel → columns · Design.assign(period) → arms · Faults → what is logged ·
//   OutcomeComponents → outcomes · Accumulator → sufficient statistics per period · looks.

/// What every stage of one replication may know: the cell's plan, the replication index, and
/// the named random streams of this replication.
public struct ReplicationContext {
    public let plan: CellPlan
    public let replication: Int

    public init(plan: CellPlan, replication: Int) {
        self.plan = plan
        self.replication = replication
    }

    /// The stream of `purpose` in this replication: `(seed, [scenario key, cell key,
    /// replication, purpose key])`. Each purpose has its own stream, so adding a component never
    /// moves the draws of another one.
    public func stream(_ purpose: StreamPurpose) -> RandomStream {
        RandomStream(seed: plan.study.seed, path: [plan.scenarioKey, plan.cellKey, UInt64(replication), purpose.key])
    }

    /// The assignment salt of this replication: `<study id>/<seed>/<cell key>/<replication>`, so
    /// the seed, the cell and the replication all reach the randomisation.
    public var salt: String { plan.salt(replication: replication) }
}

/// A named purpose of random draws (`population/latent`, `assignment`, `outcome/revenue`, …).
/// Its key is the FNV-1a 64 hash of the name, so a purpose's stream depends on its name alone,
/// never on the order in which components were declared.
public struct StreamPurpose: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let key: UInt64

    public init(_ name: String) {
        self.name = name
        key = CellPlan.fnv64(name)
    }

    public var description: String { name }

    public static let assignment = StreamPurpose("assignment")
    public static let latent = StreamPurpose("population/latent")
    public static func segment(_ attribute: String) -> StreamPurpose { StreamPurpose("population/segment/\(attribute)") }
    public static func attribute(_ name: String) -> StreamPurpose { StreamPurpose("population/attribute/\(name)") }
    public static func outcome(_ metric: String) -> StreamPurpose { StreamPurpose("outcome/\(metric)") }
    public static func design(_ kind: String) -> StreamPurpose { StreamPurpose("design/\(kind)") }
    /// The `n`-th fault of `kind` in the scenario (counting only faults of that kind).
    public static func fault(_ kind: String, _ n: Int) -> StreamPurpose { StreamPurpose("fault/\(kind)/\(n)") }
}

/// One step of the replication clock: the stages advance once per period. Periods are the
/// union of the look times and the design's update times.
public struct Period: Sendable, Equatable {
    /// 0-based position in the schedule.
    public let index: Int
    /// The period ends at this day (units arrived by then are in it).
    public let endDay: Double
    /// Units arrived by the end of the period (a prefix of the arrival order).
    public let unitsArrived: Int
    /// The look (0-based) that happens at the end of this period, if any.
    public let look: Int?
}

/// Fills the population columns of a replication (arrivals, attributes, segments, latent
/// factor, clusters, regions, bots) before anything is assigned, so targeting can read them.
public protocol PopulationModel: Sendable {
    /// The `kind:` name in a scenario.
    var kind: String { get }
    /// Fills `table` for this replication, each column from its own named stream.
    func fill(_ table: ColumnTable, context: ReplicationContext) throws(SimulationError)
}

/// What an analysis treats as independent observations.
public enum AnalysisUnitKind: String, Sendable, Equatable {
    /// Each unit (user): the classic A/B test.
    case unit
    /// Each cluster (cluster randomisation).
    case cluster
    /// Each region × time window (switchback).
    case regionWindow = "region_window"
}

/// Assigns arms, period by period.
///
/// A static design assigns each unit once, when it arrives, with weights that never change;
/// a bandit re-weights in ``DesignRun/periodEnded(_:statistics:)``; a switchback reassigns
/// region × window pairs. Assignment itself goes through the `Assignment` module.
public protocol Design: Sendable {
    /// The `kind:` name in a scenario.
    var kind: String { get }
    /// What the valid analysis treats as independent.
    var analysisUnit: AnalysisUnitKind { get }
    /// Days (within the experiment) at which the design updates, in addition to the looks.
    func updateDays(study: Study) -> [Double]
    /// Starts the design for one replication (salts, ledgers, bandit state).
    func start(_ context: ReplicationContext, table: ColumnTable) throws(SimulationError) -> any DesignRun
    /// The share of each arm the design expects among the first `unitsArrived` units (the SRM
    /// check's null); nil means the experiment's variant weights (a static split).
    func expectedArmShares(unitsArrived: Int, plan: CellPlan) -> [Double]?
}

extension Design {
    public func expectedArmShares(unitsArrived: Int, plan: CellPlan) -> [Double]? { nil }
}

/// A design's state in one replication (created inside the task that runs it).
public protocol DesignRun: AnyObject {
    /// Sets `table.arm` (−1: not in the experiment), `table.firstExposure` and, when the design
    /// analyses groups, `table.group` for the units that arrived in `period` (`units`), and
    /// may reassign earlier units (switchbacks).
    func assign(period: Period, units: Range<Int>, table: ColumnTable)
    /// Called after the period's outcomes were accumulated; a bandit updates its weights from
    /// the logged statistics of the period.
    func periodEnded(_ period: Period, statistics: PeriodStatistics)
    /// The allocation weights in force in each period so far (adaptive designs log them for
    /// the adaptive analyses); empty for a static design.
    var allocationLog: [[Double]] { get }
}

extension DesignRun {
    public var allocationLog: [[Double]] { [] }
}

/// One piece of a metric's outcome model: it adds its shift of the unit's mean parameter,
/// given the unit's arm, segments, calendar day, days since first exposure and exposure map
/// (``UnitContext``). The outcome is baseline (the metric's distribution) ∘ the sum of the
/// components' shifts ∘ noise (the draw). The treatment effect is one component; novelty
/// decay, seasonality and interference are each one more type in Outcomes/.
///
/// The truth lives with the component that creates it: ``estimand`` names what an analysis
/// of this component's effect estimates, and the harness computes the true value from the
/// same shifts (averaged over the population).
public protocol OutcomeComponent: Sendable {
    /// The `kind:` name in a scenario.
    var kind: String { get }
    /// What the effect means, in words, for result files ("constant effect").
    var estimand: String { get }
    func addShift(for unit: UnitContext, to shift: inout MeanShift)
    /// The shift every unit of `arm` gets, when it does not depend on the unit (then the
    /// runner applies it without calling ``addShift(for:to:)`` per unit); nil otherwise.
    func constantShift(forArm arm: Int) -> MeanShift?
    /// Whether the shift depends on time since exposure (novelty, primacy); then results also
    /// report bias against the long-run effect (the shift as days since exposure → ∞).
    var isTimeVarying: Bool { get }
    /// Whether the shift depends on the calendar day (seasonality, drift); then the truth of a
    /// look averages over the calendar days of the units it saw, and results also report bias
    /// against the whole-week effect (``PlannedComparison/longRunTruth``). Such a shift may
    /// depend on the whole day ⌊calendarDay⌋ only (the truth groups units by day).
    var dependsOnCalendarDay: Bool { get }
    /// Whether the component also changes the drawn outcome at random (a heavy-tailed bot
    /// process, extra noise); then ``transform(_:_:unit:stream:)`` runs after the draw, on
    /// the component's own stream `component/<metric>/<kind>/<n>`.
    var drawsRandomly: Bool { get }
    /// Changes a drawn (outcome, covariate) pair; the default returns it unchanged.
    func transform(_ y: Double, _ x: Double, unit: UnitContext, stream: RandomStream) -> (y: Double, x: Double)
    /// Whether the component draws a per-replication state (a region's time series) when a
    /// replication starts; then the engine calls ``started(_:stream:)`` with the component's own
    /// stream `component/<metric>/<kind>/<n>` and uses what it returns. The unstarted component
    /// (the truth's) must add no random shift.
    var needsStart: Bool { get }
    /// The component for one replication (the default: itself).
    func started(_ context: ReplicationContext, stream: RandomStream) -> any OutcomeComponent
    /// Whether the started component's effect is itself random per replication (which launched
    /// features shipped); then each replication's truth is computed from its started components
    /// (``ComparisonOutcome/replicationTruth``: the contrast of the arm means over the units of
    /// the look) and results report `mean_truth`. The unstarted component adds nothing.
    var truthPerReplication: Bool { get }
}

extension OutcomeComponent {
    public var isTimeVarying: Bool { false }
    public var dependsOnCalendarDay: Bool { false }
    public var drawsRandomly: Bool { false }
    public func transform(_ y: Double, _ x: Double, unit: UnitContext, stream: RandomStream) -> (y: Double, x: Double) { (y, x) }
    public var needsStart: Bool { false }
    public func started(_ context: ReplicationContext, stream: RandomStream) -> any OutcomeComponent { self }
    public var truthPerReplication: Bool { false }
}

/// A fault acts between the truth and what the analysis sees: it edits what is logged
/// (`table.loggedArm`, `table.loggedDay`), never the potential outcomes. It runs after the
/// period's once-observed outcomes are drawn, so a loss can depend on a unit's outcome.
public protocol Fault: Sendable {
    /// The `kind:` name in a scenario.
    var kind: String { get }
    /// Starts the fault for one replication; `stream` is its own named stream.
    func start(_ context: ReplicationContext, stream: RandomStream) -> any FaultRun
}

/// A fault's state in one replication.
public protocol FaultRun: AnyObject {
    /// Edits the logged view of the units that arrived in `period`.
    func apply(period: Period, units: Range<Int>, table: ColumnTable)
}

/// The logged statistics of one period, handed to ``DesignRun/periodEnded(_:statistics:)``.
public struct PeriodStatistics {
    /// Units logged in the period, per arm.
    public let counts: [Int]
    /// The period's sums per (arm, metric): `sums[arm * metrics + metric]`.
    public let sums: [MomentStatistic]
    public let metrics: Int

    /// The sums of `metric` in `arm` during the period.
    public func sums(arm: Int, metric: Int) -> MomentStatistic { sums[arm * metrics + metric] }
}
