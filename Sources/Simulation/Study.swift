import Analysis
import Assignment
import Foundation

/// A simulation study: one scenario cell, fully resolved (sweeps already applied).
///
/// The types here are plain values produced by the `Scenarios` module from a YAML file (with
/// validation and key paths) or built directly in Swift. They describe the Aims, Data-generating
/// mechanism, Estimands, Methods and Performance measures of the study (Morris, White &
/// Crowther 2019, "ADEMP").
public struct Study: Sendable {
    public var id: String
    public var description: String
    public var seed: UInt64
    public var replications: Int
    public var population: PopulationSpec
    public var metrics: [MetricSpec]
    public var experiment: ExperimentSpec
    /// Effects by variant name, then metric name.
    public var effects: [String: [String: EffectSpec]]
    public var analyses: [AnalysisSpec]
    public var looks: LookSchedule
    public var measures: [Measure]
    /// A multiple-testing family (then `metrics` are the family's and `analyses` is empty).
    public var family: FamilySpec?
    /// How units get their arms, period by period (default: ``FixedSplit``, the A/B/n and MVT
    /// design). Any type conforming to ``Design`` plugs in here.
    public var design: (any Design)?
    /// Faults between the truth and the log, applied in order (each on its own stream).
    public var faults: [any Fault] = []
    /// Outcome components beyond the treatment effect, each applied to the metric it names.
    public var components: [MetricComponent] = []
    /// The population model (default: ``StandardPopulation`` of `population`).
    public var populationModel: (any PopulationModel)?

    public init(id: String, description: String = "", seed: UInt64, replications: Int,
                population: PopulationSpec, metrics: [MetricSpec], experiment: ExperimentSpec,
                effects: [String: [String: EffectSpec]] = [:], analyses: [AnalysisSpec],
                looks: LookSchedule = .final, measures: [Measure] = Measure.standard) {
        self.id = id
        self.description = description
        self.seed = seed
        self.replications = replications
        self.population = population
        self.metrics = metrics
        self.experiment = experiment
        self.effects = effects
        self.analyses = analyses
        self.looks = looks
        self.measures = measures
        self.family = nil
        self.design = nil
    }

    /// The metric named `name`, if any.
    public func metric(named name: String) -> MetricSpec? { metrics.first { $0.name == name } }

    /// The study restricted to units in the given segment levels (attribute → allowed levels):
    /// the other levels' shares become 0 and the allowed ones are renormalised, so averages over
    /// segments (the truth) are taken over that subpopulation. Unknown attributes are ignored.
    public func restricted(to levels: [String: [String]]) -> Study {
        guard !levels.isEmpty else { return self }
        var s = self
        for k in s.population.segments.indices {
            guard let allowed = levels[s.population.segments[k].attribute] else { continue }
            let seg = s.population.segments[k]
            let kept = seg.levels.indices.map { allowed.contains(seg.levels[$0]) ? seg.shares[$0] : 0 }
            let total = kept.reduce(0, +)
            if total > 0 { s.population.segments[k].shares = kept.map { $0 / total } }
        }
        return s
    }
}

/// Who is in the population and when they arrive.
public struct PopulationSpec: Equatable, Sendable {
    public static func == (a: PopulationSpec, b: PopulationSpec) -> Bool {
        a.units == b.units && a.days == b.days && a.arrivals == b.arrivals && a.segments == b.segments && a.attributes == b.attributes
            && a.clusters == b.clusters && a.regions == b.regions && a.botShare == b.botShare && a.equalClusterSizes == b.equalClusterSizes
            && a.graph?.degree == b.graph?.degree && a.graph?.withinShare == b.graph?.withinShare
    }

    /// Units per replication (before assignment).
    public var units: Int
    /// The experiment's length in days.
    public var days: Int
    public var arrivals: Arrivals
    /// Segment attributes: attribute name → [(level, share)], shares summing to 1.
    public var segments: [Segment]
    /// Attributes that targeting reads (and effects do not): each a categorical draw of
    /// typed values, made before assignment. Segments are attributes for targeting too.
    public var attributes: [PopulationAttribute]
    /// Clusters (households, companies, markets): each unit belongs to one of `clusters`
    /// equally likely clusters (0 = no clusters). A unit's neighbours are the other units of
    /// its cluster; its exposure map is the treated share of those already assigned.
    public var clusters: Int
    /// Regions (for switchbacks): each unit is in one of `regions` equally likely regions
    /// (0 = no regions).
    public var regions: Int
    /// The share of units that are bots (flagged in the population; what bots do is a fault's).
    public var botShare: Double
    /// Clusters of equal sizes (unit i in cluster i mod C) instead of equally likely clusters.
    public var equalClusterSizes: Bool = false
    /// A neighbour graph (a stochastic block model over the clusters): each unit has `degree`
    /// neighbours, round(withinShare · degree) of them drawn from its own cluster and the rest
    /// from the other clusters; its exposure map is then the treated share of its neighbours.
    public var graph: (degree: Int, withinShare: Double)? = nil

    public init(units: Int, days: Int = 14, arrivals: Arrivals = .uniform, segments: [Segment] = [],
                attributes: [PopulationAttribute] = [], clusters: Int = 0, regions: Int = 0, botShare: Double = 0) {
        self.units = units
        self.days = days
        self.arrivals = arrivals
        self.segments = segments
        self.attributes = attributes
        self.clusters = clusters
        self.regions = regions
        self.botShare = botShare
    }
}

/// A unit attribute for targeting: values (strings, numbers or booleans, as the ruleset's
/// conditions compare them) with their population shares.
public struct PopulationAttribute: Equatable, Sendable {
    public var name: String
    public var values: [AttributeValue]
    public var shares: [Double]

    public init(name: String, values: [AttributeValue], shares: [Double]) {
        self.name = name
        self.values = values
        self.shares = shares
    }
}

/// An outcome component bound to the metric it shapes.
public struct MetricComponent: Sendable {
    public var metric: String
    public var component: any OutcomeComponent

    public init(metric: String, component: any OutcomeComponent) {
        self.metric = metric
        self.component = component
    }
}

/// A production ruleset under test: every experiment, layer and holdout of the file is
/// evaluated (targeting, holdouts, layers, caps), and `analyse` names the experiment whose
/// variants the study's arms are.
public struct RulesetSource: Equatable, Sendable {
    /// The file as named in the scenario (for messages).
    public var file: String
    /// The ruleset JSON as parsed.
    public var json: JSONValue
    /// The experiment analysed.
    public var analyse: String

    public init(file: String, json: JSONValue, analyse: String) {
        self.file = file
        self.json = json
        self.analyse = analyse
    }
}

/// A segment attribute with its levels and their population shares.
public struct Segment: Equatable, Sendable {
    public var attribute: String
    public var levels: [String]
    public var shares: [Double]

    public init(attribute: String, levels: [String], shares: [Double]) {
        self.attribute = attribute
        self.levels = levels
        self.shares = shares
    }
}

/// When units first appear. Arrival order is unit-index order (units are exchangeable, so this
/// loses nothing): unit i of N arrives at the ((i + ½)/N)-quantile of the arrival distribution.
public enum Arrivals: Equatable, Sendable {
    /// Everyone at time 0 (every look sees every unit).
    case atStart
    /// Uniformly over the experiment's days.
    case uniform
    /// Relative daily traffic (one weight per day, cycled if shorter than `days`), uniform
    /// within a day.
    case dailyProfile([Double])
}

/// What kind of outcome a metric is and how it is distributed under control.
public enum MetricKind: Equatable, Sendable {
    /// A conversion: Bernoulli(baseline).
    case binary(baseline: Double)
    /// A continuous or count outcome drawn from a distribution.
    case distribution(OutcomeDistribution)
    /// A ratio metric Σy/Σx over units: x ~ `denominator` (events per unit), y ~ Binomial(x, rate).
    case ratio(denominator: OutcomeDistribution, rate: Double)
}

/// When a metric's outcome is observed.
public enum Observation: String, Equatable, Sendable {
    /// One outcome per unit, drawn when it is first exposed (its calendar day is its arrival).
    case once
    /// One outcome per unit per day from the day of its first exposure (day ⌊exposure⌋) on;
    /// day d is complete, and seen, at time d + 1. A look at time t sees the unit's days
    /// ⌊exposure⌋ … ⌊t⌋ − 1 and analyses their total (`daily_total`) or their mean
    /// (`daily_mean`); a unit with no complete day yet is not in the look. Each day's draw
    /// sees its calendar day and the days since the unit's first exposure, so time-varying
    /// components (novelty, seasonality) act day by day.
    case dailyTotal = "daily_total"
    case dailyMean = "daily_mean"
}

/// A per-unit outcome distribution.
public enum OutcomeDistribution: Hashable, Sendable {
    case normal(mean: Double, sd: Double)
    case lognormal(mu: Double, sigma: Double)
    case gamma(shape: Double, scale: Double)
    case poisson(mean: Double)
    case negativeBinomial(mean: Double, size: Double)

    /// The distribution's mean.
    public var mean: Double {
        switch self {
        case let .normal(m, _): return m
        case let .lognormal(mu, sigma): return Foundation.exp(mu + sigma * sigma / 2)
        case let .gamma(k, theta): return k * theta
        case let .poisson(m): return m
        case let .negativeBinomial(m, _): return m
        }
    }

    /// Whether draws are integers.
    public var isCount: Bool {
        switch self {
        case .poisson, .negativeBinomial: return true
        default: return false
        }
    }
}

/// A metric of the study.
public struct MetricSpec: Equatable, Sendable {
    public var name: String
    public var kind: MetricKind
    /// Correlation ρ ∈ [0, 1) between the unit's pre-period value and its in-period outcome
    /// (for CUPED); 0 means no pre-period value is generated.
    public var prePeriodCorrelation: Double
    /// Normal metrics only: the correlation ρ with every other metric that has one, through a
    /// latent N(0, 1) factor Z shared by the unit's metrics: Y = μ + σ(√ρ·Z + √(1 − ρ)·ε).
    public var sharedFactorCorrelation: Double
    /// When the metric is observed: once per unit, or day by day (then a look sees each unit's
    /// days up to the look).
    public var observation: Observation

    public init(name: String, kind: MetricKind, prePeriodCorrelation: Double = 0, sharedFactorCorrelation: Double = 0,
                observation: Observation = .once) {
        self.name = name
        self.kind = kind
        self.prePeriodCorrelation = prePeriodCorrelation
        self.sharedFactorCorrelation = sharedFactorCorrelation
        self.observation = observation
    }

    /// Whether the metric is observed day by day.
    public var isDaily: Bool { observation != .once }

    /// The control mean of the per-unit outcome (for a ratio metric: the true ratio).
    public var controlMean: Double {
        switch kind {
        case let .binary(p): return p
        case let .distribution(d): return d.mean
        case let .ratio(_, rate): return rate
        }
    }
}

/// How units are put into variants.
public struct ExperimentSpec: Equatable, Sendable {
    /// The hash scheme's name (e.g. `sha256`, `growthbook_v2`).
    public var hash: String
    /// Variant names and weights, in order; the first is the control.
    public var variants: [(name: String, weight: Double)]
    /// The share of the population enrolled (traffic allocation / coverage).
    public var allocation: Double
    /// `hashed` pushes units through the real Assignment module; `ideal` draws a multinomial
    /// variant from the replication's stream (to separate hash effects from method effects).
    public var assignment: AssignmentMode
    /// For an MVT: the factors and their levels, in order; `variants` is then their full
    /// factorial, named `factor=level,factor=level`.
    public var factors: [Factor]
    /// A production ruleset to evaluate instead of the one built from `hash`, `variants` and
    /// `allocation` (whose variants then mirror the analysed experiment's).
    public var ruleset: RulesetSource?

    public init(hash: String = "sha256", variants: [(name: String, weight: Double)],
                allocation: Double = 1, assignment: AssignmentMode = .hashed, factors: [Factor] = []) {
        self.hash = hash
        self.variants = variants
        self.allocation = allocation
        self.assignment = assignment
        self.factors = factors
        self.ruleset = nil
    }

    public var control: String { variants.first?.name ?? "control" }

    public static func == (a: ExperimentSpec, b: ExperimentSpec) -> Bool {
        a.hash == b.hash && a.allocation == b.allocation && a.assignment == b.assignment && a.factors == b.factors
            && a.ruleset == b.ruleset
            && a.variants.map(\.name) == b.variants.map(\.name) && a.variants.map(\.weight) == b.variants.map(\.weight)
    }
}

/// A factor of a multivariate (full factorial) test.
public struct Factor: Equatable, Sendable {
    public var name: String
    /// Levels; the first is the factor's control level.
    public var levels: [String]

    public init(name: String, levels: [String]) {
        self.name = name
        self.levels = levels
    }
}

public enum AssignmentMode: String, Equatable, Sendable {
    case hashed
    case ideal
}

/// The true effect of a variant on a metric.
public struct EffectSpec: Equatable, Sendable {
    public enum Size: Equatable, Sendable {
        /// Added to the outcome (to the probability, for a binary metric; to the rate, for a ratio).
        case absolute(Double)
        /// Multiplies the outcome by (1 + r) (the probability or rate, for binary and ratio).
        case relative(Double)
    }

    public var size: Size
    /// Per-segment overrides: attribute → level → size.
    public var bySegment: [String: [String: Size]]

    public init(_ size: Size, bySegment: [String: [String: Size]] = [:]) {
        self.size = size
        self.bySegment = bySegment
    }
}

/// When analyses look at the data.
public enum LookSchedule: Equatable, Sendable {
    /// Once, at the end.
    case final
    /// Every `k` days, the last look at the end.
    case everyDays(Int)
    /// At the given days (ascending, the last ≤ the experiment's days).
    case days([Double])
    /// At the given fractions of the units (ascending, in (0, 1]).
    case fractions([Double])
    /// K equally spaced looks by information (units), the last at the end.
    case equallySpaced(Int)
}
