import Analysis
import Distributions
import Foundation

/// Everything about one cell that is the same for every replication, prepared once:
/// samplers validated, effects resolved per arm, look cutoffs, comparisons and their true values.
public final class CellPlan: Sendable {
    public let study: Study
    /// The 64-bit key of the scenario id (FNV-1a 64), part of every replication's stream path.
    public let scenarioKey: UInt64
    /// The cell's index in its scenario (its position in the sweep, for display).
    public let cellIndex: Int
    /// The cell's key: a hash of its factor values (not its position), part of every stream
    /// path and of the assignment salt, so adding a sweep value or an exclusion never changes
    /// another cell's numbers.
    public let cellKey: UInt64
    public let generators: [MetricGenerator]
    /// Per metric, ``MetricGenerator/binaryThresholds`` (computed once; the fast path counts
    /// successes of such a metric instead of drawing through its generator).
    let binaryThresholds: [[Double]?]
    /// ``binaryThresholds`` spread over the fast path's (look interval, arm) cells: entry
    /// `m · cells + cell` is metric m's success probability in the cell's arm (`cell mod arms`),
    /// 0 for a metric without thresholds; built once so a replication needs no division.
    let cellThresholds: [Double]
    /// Per metric, its outcome stream's purpose (`outcome/<metric>`).
    let outcomePurposes: [StreamPurpose]
    /// The indices of the periods that end with a look, in look order.
    let lookPeriods: [Int]
    /// The column table's dimensions for a replication of this cell (``ColumnTable/reset``).
    let tableShape: (units: Int, segments: Int, attributes: Int, metrics: Int, latent: Bool, daily: Bool)
    /// The stages of a replication.
    public let population: any PopulationModel
    public let design: any Design
    public let faults: [any Fault]
    /// Each fault's named stream purpose (`fault/<kind>/<n>`).
    public let faultPurposes: [StreamPurpose]
    /// The replication clock: the union of the look times and the design's update times.
    public let periods: [Period]
    /// Per metric: the components that transform draws at random, each with its stream purpose
    /// (`component/<metric>/<kind>/<n>`).
    public let randomComponents: [[(component: any OutcomeComponent, purpose: StreamPurpose)]]
    /// Per metric, per adjustment (the treatment effect first): the stream purpose of a
    /// component that starts per replication (`component/<metric>/<kind>/<n>`), else nil.
    public let startPurposes: [[StreamPurpose?]]
    /// Units arrived at each look, and the look's day.
    public let looks: [(units: Int, day: Double)]
    public let armWeights: [Double]
    public let analyses: [PlannedAnalysis]
    /// Each unit's arrival time in days (the same in every replication: units are
    /// exchangeable, so unit i arrives at the ((i + ½)/N)-quantile of the arrival distribution).
    public let arrivalDays: [Double]
    /// The replication-independent head of every assignment salt, `<study id>/<seed>/<cell key>/`
    /// (see ``salt(study:cellKey:replication:)``), built once per cell.
    let saltHead: String

    /// Prepares `study` as cell `cellIndex` of scenario `scenarioID`, whose factor values are
    /// `factors` (empty when nothing is swept).
    public init(study: Study, scenarioID: String, cellIndex: Int, factors: [FactorValue] = []) throws(SimulationError) {
        self.study = study
        self.cellIndex = cellIndex
        cellKey = CellPlan.cellKey(factors)
        saltHead = CellPlan.saltHead(study: study, cellKey: cellKey)
        scenarioKey = CellPlan.fnv64(scenarioID)
        armWeights = study.experiment.variants.map(\.weight)
        looks = LookPlan.cutoffs(study.looks, population: study.population)
        arrivalDays = (0..<study.population.units).map { LookPlan.arrivalTime(ofUnit: $0, study.population) }
        if let p = study.populationModel { population = p } else { population = try StandardPopulation(study.population) }
        if let d = study.design { design = d } else { design = try FixedSplit(study) }
        faults = study.faults
        periods = CellPlan.schedule(looks: looks, updateDays: design.updateDays(study: study), population: study.population)
        lookPeriods = periods.filter { $0.look != nil }.map(\.index)
        var seen: [String: Int] = [:]
        faultPurposes = study.faults.map { f in
            defer { seen[f.kind, default: 0] += 1 }
            return .fault(f.kind, seen[f.kind, default: 0])
        }
        randomComponents = study.metrics.map { metric in
            var seen: [String: Int] = [:]
            return study.components.filter { $0.metric == metric.name && $0.component.drawsRandomly }.map { c in
                defer { seen[c.component.kind, default: 0] += 1 }
                return (c.component, StreamPurpose("component/\(metric.name)/\(c.component.kind)/\(seen[c.component.kind, default: 0])"))
            }
        }
        for c in study.components where study.metric(named: c.metric) == nil {
            throw SimulationError("components: \(c.component.kind) names an unknown metric \"\(c.metric)\"")
        }
        var gens: [MetricGenerator] = []
        for metric in study.metrics {
            let effect = try CellPlan.treatmentEffect(for: metric, in: study)
            let extra = study.components.filter { $0.metric == metric.name }.map(\.component)
            do {
                gens.append(try MetricGenerator(spec: metric, adjustments: [effect] + extra, arms: study.experiment.variants.count))
            } catch {
                throw SimulationError("metric \(metric.name): \(error)")
            }
        }
        generators = gens
        binaryThresholds = gens.map(\.binaryThresholds)
        let arms = study.experiment.variants.count, cells = looks.count * arms
        cellThresholds = binaryThresholds.flatMap { t in (0..<cells).map { t?[$0 % arms] ?? 0 } }
        outcomePurposes = study.metrics.map { .outcome($0.name) }
        tableShape = (study.population.units, study.population.segments.count, study.population.attributes.count, study.metrics.count,
                      study.metrics.contains { $0.sharedFactorCorrelation > 0 }, study.metrics.contains(where: \.isDaily))
        startPurposes = gens.map { g in
            var seen: [String: Int] = [:]
            return g.adjustments.map { a -> StreamPurpose? in
                guard a.needsStart else { return nil }
                defer { seen[a.kind, default: 0] += 1 }
                return StreamPurpose("component/\(g.spec.name)/\(a.kind)/start/\(seen[a.kind, default: 0])")
            }
        }
        var planned: [PlannedAnalysis] = []
        for a in study.analyses {
            planned.append(try PlannedAnalysis(a, study: study, generators: gens, looks: looks, design: design))
        }
        analyses = planned
    }

    /// The key of a cell: FNV-1a 64 of its `key=value` factor pairs sorted by key and joined
    /// by U+001F, so it depends on the cell's values only (FNV-1a 64 of "" without a sweep).
    public static func cellKey(_ factors: [FactorValue]) -> UInt64 {
        fnv64(factors.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{1F}"))
    }

    /// The assignment salt of replication r: `<study id>/<seed>/<cell key, 16 hex digits>/<r>`.
    public static func salt(study: Study, cellKey: UInt64, replication r: Int) -> String {
        saltHead(study: study, cellKey: cellKey) + String(r)
    }

    /// The salt without its replication number: `<study id>/<seed>/<cell key, 16 hex digits>/`.
    static func saltHead(study: Study, cellKey: UInt64) -> String {
        let hex = String(cellKey, radix: 16)
        return "\(study.id)/\(study.seed)/\(String(repeating: "0", count: 16 - hex.count) + hex)/"
    }

    /// ``salt(study:cellKey:replication:)`` of this cell: the cell's salt head plus the
    /// replication number (no per-replication formatting of the id, seed and key).
    func salt(replication r: Int) -> String { saltHead + String(r) }

    /// The periods: one per look (in look order) plus one per design update day that is not a
    /// look day, sorted by day; a period holds the units arrived by its end.
    static func schedule(looks: [(units: Int, day: Double)], updateDays: [Double], population: PopulationSpec) -> [Period] {
        var points: [(day: Double, units: Int, look: Int?)] = looks.enumerated().map { ($1.day, $1.units, $0) }
        for d in Set(updateDays).sorted() where d > 0 && d < Double(population.days) && !looks.contains(where: { $0.day == d }) {
            points.append((d, LookPlan.arrived(by: d, population), nil))
        }
        points.sort { ($0.day, $0.units, $0.look ?? -1) < ($1.day, $1.units, $1.look ?? -1) }
        var out: [Period] = []
        var arrived = 0
        for (i, p) in points.enumerated() {
            arrived = max(arrived, p.units)
            out.append(Period(index: i, endDay: p.day, unitsArrived: arrived, look: p.look))
        }
        return out
    }

    /// The first period at or after `p` whose end is at or after `day` (nil: after the last).
    func period(containing day: Double, from p: Int) -> Int? {
        periods[p...].first { $0.endDay >= day }?.index
    }

    /// The days (ascending, within the experiment) at which the design changes its allocation:
    /// the boundaries of the strata of `stratify: allocation_period`.
    public var allocationChanges: [Double] {
        Set(design.updateDays(study: study)).filter { $0 > 0 && $0 < Double(study.population.days) }.sorted()
    }

    /// Whether some analysis reads unit-level values (then the staged path runs).
    public var needsUnitLevel: Bool { analyses.contains { $0.spec.options.needsUnitLevel } }

    /// Whether the fused fast path would run `study` (a convenience for tests and tools).
    public static func fastPathAppliesTo(_ study: Study) -> Bool {
        (try? CellPlan(study: study, scenarioID: study.id, cellIndex: 0))?.fastPathApplies ?? false
    }

    /// Whether the fused fast path can run this cell: a static fixed split assigned ideally or
    /// by plain hash-and-range (no production ruleset), no faults, no clusters or regions.
    public var fastPathApplies: Bool {
        let p = study.population
        guard let split = design as? FixedSplit, faults.isEmpty, !study.metrics.contains(where: \.isDaily),
              p.clusters == 0, p.regions == 0, p.botShare == 0, randomComponents.allSatisfy(\.isEmpty),
              startPurposes.allSatisfy({ $0.allSatisfy { $0 == nil } }),
              !needsUnitLevel else { return false }
        return split.usesPlainHash || study.experiment.assignment == .ideal
    }

    /// The cell key as 16 hex digits.
    public var cellKeyHex: String {
        let hex = String(cellKey, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// FNV-1a 64 of the UTF-8 bytes (stable across runs and platforms).
    public static func fnv64(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// The effect table of one metric: the shift of each arm, summed over the effect keys that
    /// apply to it (its own name, and for an MVT each of its `factor=level` parts and any
    /// combination of them).
    static func treatmentEffect(for metric: MetricSpec, in study: Study) throws(SimulationError) -> TreatmentEffect {
        var byArm: [MeanShift] = []
        var overrides: [(attribute: Int, shifts: [MeanShift?])?] = []
        for (name, _) in study.experiment.variants {
            let parts = Set(name.split(separator: ",").map(String.init))
            var shift = MeanShift()
            var override: (attribute: Int, shifts: [MeanShift?])? = nil
            for (key, perMetric) in study.effects.sorted(by: { $0.key < $1.key }) {
                let keyParts = Set(key.split(separator: ",").map(String.init))
                guard key == name || (!study.experiment.factors.isEmpty && keyParts.isSubset(of: parts)),
                      let e = perMetric[metric.name] else { continue }
                switch e.size {
                case let .absolute(a): shift.absolute += a
                case let .relative(r): shift.relative += r
                }
                for (attribute, levels) in e.bySegment {
                    guard let ai = study.population.segments.firstIndex(where: { $0.attribute == attribute }) else {
                        throw SimulationError("effects.\(key).\(metric.name).by_segment: unknown segment attribute \"\(attribute)\"")
                    }
                    if let o = override, o.attribute != ai {
                        throw SimulationError("effects for \(name) on \(metric.name): overrides by two segment attributes are not supported")
                    }
                    let seg = study.population.segments[ai]
                    var shifts: [MeanShift?] = override?.shifts ?? Array(repeating: nil, count: seg.levels.count)
                    for (level, size) in levels {
                        guard let li = seg.levels.firstIndex(of: level) else {
                            throw SimulationError("effects.\(key).\(metric.name).by_segment.\(attribute): unknown level \"\(level)\"")
                        }
                        switch size {
                        case let .absolute(a): shifts[li] = MeanShift(absolute: a)
                        case let .relative(r): shifts[li] = MeanShift(relative: r)
                        }
                    }
                    override = (ai, shifts)
                }
            }
            byArm.append(shift)
            overrides.append(override)
        }
        return TreatmentEffect(byArm: byArm, segmentOverrides: overrides)
    }
}

/// An error in a study that the scenario parser could not catch (e.g. a parameter combination
/// found invalid when samplers are built).
public struct SimulationError: Error, CustomStringConvertible, Sendable {
    /// The scenario key path the problem is at (empty when it is not tied to one key).
    public let keyPath: String
    public let message: String
    public var description: String { keyPath.isEmpty ? message : "\(keyPath): \(message)" }
    public init(_ description: String) {
        keyPath = ""
        message = description
    }
    public init(keyPath: String, _ message: String) {
        self.keyPath = keyPath
        self.message = message
    }
}

/// One analysis with its comparisons resolved to arm groups and true values.
public final class PlannedAnalysis: Sendable {
    public let spec: AnalysisSpec
    /// The metric's index in the study (nil for SRM).
    public let metricIndex: Int?
    public let comparisons: [PlannedComparison]
    /// The looks this analysis uses (0-based): the last only for a fixed horizon; for a group
    /// sequential design the looks with new information up to its final (truncated) one.
    public var activeLooks: [Int] { monitoring.activeLooks }
    /// Group sequential critical values |z| ≥ c, per active look.
    public var criticalValues: [Double] { monitoring.criticalValues }
    /// The Analysis module's monitoring plan for the policy (a fresh monitor per comparison).
    public let monitoring: MonitoringPlan
    /// The metric an `exclude` rule reads (its index), when the analysis filters bots.
    public let exclusionMetric: Int?
    /// `method: regret`: the true mean of each arm.
    public let armMeans: [Double]

    init(_ spec: AnalysisSpec, study: Study, generators: [MetricGenerator], looks: [(units: Int, day: Double)],
         design: any Design) throws(SimulationError) {
        self.spec = spec
        // Information fraction of a look: units arrived by it over the planned units (the
        // group sequential design's; the other policies use only the number of looks).
        var planned = Double(study.population.units)
        if case let .groupSequential(_, plannedUnits?) = spec.policy { planned = Double(plannedUnits) }
        do {
            monitoring = try MonitoringPlan(policy: spec.policy.monitoringPolicy, alpha: spec.alpha, alternative: spec.alternative,
                                            informationFractions: looks.map { Double($0.units) / planned })
        } catch {
            throw SimulationError("analysis \(spec.id): \(error)")
        }
        metricIndex = spec.metric.flatMap { m in study.metrics.firstIndex { $0.name == m } }
        let options = spec.options
        // The truth is the effect in the units the analysis claims to estimate: `estimand_in`,
        // else the segments it reads (`where`), else everyone.
        let truthStudy = study.restricted(to: options.estimandIn.isEmpty ? options.segmentFilter : options.estimandIn)
        if options.needsUnitLevel {
            guard let mi = metricIndex, !study.metrics[mi].isDaily else {
                throw SimulationError(keyPath: "analyses.\(spec.id)", "where, from_day, exclude, winsorize and stratify need unit-level values: a metric observed once")
            }
        }
        if spec.method == .panelHAC, !(design is SwitchbackDesign) {
            throw SimulationError(keyPath: "analyses.\(spec.id).method", "panel_hac analyses region × window means: it needs design: {kind: switchback}")
        }
        if options.groupLevel || spec.method.analysesGroups {
            guard design.analysisUnit != .unit else {
                throw SimulationError(keyPath: "analyses.\(spec.id).level", "level: group needs a design that analyses groups (clusters or switchback windows); this one analyses units")
            }
            guard let mi = metricIndex, !study.metrics[mi].isDaily, spec.contrast == .eachVariantVsControl else {
                throw SimulationError(keyPath: "analyses.\(spec.id).level", "a group-level analysis needs a metric observed once and compares each variant with the control")
            }
        }
        let hasLatent = study.metrics.contains { $0.sharedFactorCorrelation > 0 }
        if options.latentCovariate, !hasLatent {
            throw SimulationError(keyPath: "analyses.\(spec.id).covariate", "covariate: latent needs the population's latent factor: give a normal metric shared_factor_correlation: c in (0, 1)")
        }
        if case let .units(u)? = options.stratify, u.usesLatent, !hasLatent {
            throw SimulationError(keyPath: "analyses.\(spec.id).stratify", "latent strata need the population's latent factor: give a normal metric shared_factor_correlation: c in (0, 1)")
        }
        if options.stratify != nil, spec.estimand == .relative {
            throw SimulationError(keyPath: "analyses.\(spec.id).stratify", "a stratified comparison estimates an absolute difference")
        }
        if let x = options.exclude {
            guard let m = study.metric(named: x.metric), !m.isDaily else {
                throw SimulationError(keyPath: "analyses.\(spec.id).exclude.metric", "an activity filter needs a metric observed once")
            }
            exclusionMetric = study.metrics.firstIndex { $0.name == x.metric }
        } else {
            exclusionMetric = nil
        }
        if options.stratify != nil, spec.contrast != .eachVariantVsControl {
            throw SimulationError(keyPath: "analyses.\(spec.id).stratify", "a stratified analysis compares each variant with the control")
        }
        let variants = study.experiment.variants.map(\.name)
        var comps: [PlannedComparison] = []
        if spec.method.isSampleRatioCheck || spec.method == .regret {
            comps = [PlannedComparison(label: "all_arms", groups: [], truthByLook: nil)]
        } else {
            guard let mi = metricIndex else { throw SimulationError("analysis \(spec.id): unknown metric") }
            let gen = generators[mi]
            let armMeansByLook = PlannedAnalysis.armMeansByLook(generator: gen, study: truthStudy, looks: looks)
            switch spec.contrast {
            case .eachVariantVsControl:
                for k in 1..<variants.count {
                    var c = [Double](repeating: 0, count: variants.count)
                    c[0] = -1
                    c[k] = 1
                    comps.append(PlannedComparison(label: variants[k], groups: [(-1, [0]), (1, [k])],
                                                   truthByLook: armMeansByLook.map { PlannedAnalysis.truth(c, $0, estimand: spec.estimand) }))
                }
            case let .mainEffect(factor):
                guard let f = study.experiment.factors.first(where: { $0.name == factor }) else {
                    throw SimulationError("analysis \(spec.id): unknown factor \(factor)")
                }
                for level in f.levels.dropFirst() {
                    // Treatment group: arms at `level`; control group: arms at the factor's first level.
                    let c = variants.map { v -> Double in
                        let parts = v.split(separator: ",").map(String.init)
                        if parts.contains("\(f.name)=\(level)") { return 1 }
                        if parts.contains("\(f.name)=\(f.levels[0])") { return -1 }
                        return 0
                    }
                    let groups: [(weight: Double, arms: [Int])] = [(-1, c.indices.filter { c[$0] < 0 }), (1, c.indices.filter { c[$0] > 0 })]
                    comps.append(PlannedComparison(label: "\(f.name)=\(level)", groups: groups,
                                                   truthByLook: armMeansByLook.map { PlannedAnalysis.truth(c, $0, estimand: spec.estimand) }))
                }
            case let .interaction(a, b):
                guard let fa = study.experiment.factors.first(where: { $0.name == a }),
                      let fb = study.experiment.factors.first(where: { $0.name == b }) else {
                    throw SimulationError("analysis \(spec.id): unknown factor")
                }
                // (a1,b1) − (a1,b0) − (a0,b1) + (a0,b0) on cell means, each averaged over the other factors.
                func level(_ v: String, _ f: Factor) -> Int? {
                    let parts = v.split(separator: ",").map(String.init)
                    return f.levels.prefix(2).firstIndex { parts.contains("\(f.name)=\($0)") }
                }
                var groups: [(weight: Double, arms: [Int])] = []
                for (la, lb, w) in [(1, 1, 1.0), (1, 0, -1.0), (0, 1, -1.0), (0, 0, 1.0)] {
                    groups.append((w, variants.indices.filter { level(variants[$0], fa) == la && level(variants[$0], fb) == lb }))
                }
                let c = variants.indices.map { i in groups.first { $0.arms.contains(i) }?.weight ?? 0 }
                comps.append(PlannedComparison(label: "\(a)×\(b)", groups: groups,
                                               truthByLook: armMeansByLook.map { PlannedAnalysis.truth(c, $0, estimand: .absolute, interaction: true) }))
            }
        }
        if let mi = metricIndex, generators[mi].adjustments.contains(where: { $0.isTimeVarying || $0.dependsOnCalendarDay }) {
            let longRun = PlannedAnalysis.longRunArmMeans(generator: generators[mi], study: truthStudy)
            for k in comps.indices {
                let c = variants.indices.map { i in comps[k].groups.first { $0.arms.contains(i) }?.weight ?? 0 }
                comps[k].longRunTruth = comps[k].groups.count == 2
                    ? PlannedAnalysis.truth(c, longRun, estimand: spec.estimand)
                    : PlannedAnalysis.truth(c, longRun, estimand: .absolute, interaction: true)
            }
        }
        if let mi = metricIndex {
            let components = generators[mi].adjustments.map(\.estimand)
            let contrast: String
            switch spec.contrast {
            case .eachVariantVsControl, .mainEffect: contrast = "\(spec.estimand.rawValue) difference in mean \(study.metrics[mi].name)"
            case .interaction: contrast = "interaction contrast (difference of differences) in mean \(study.metrics[mi].name)"
            }
            for k in comps.indices { comps[k].estimand = "\(contrast); truth from: \(components.joined(separator: " + "))" }
        }
        if spec.method.isAdaptive {
            guard design is BanditDesign else {
                throw SimulationError(keyPath: "analyses.\(spec.id).method", "\(spec.method.rawValue) reads the allocation log of an adaptive design: it needs design: {kind: bandit}")
            }
        }
        if spec.method == .summedLifts {
            guard let mi = metricIndex, generators[mi].adjustments.contains(where: { $0 is any LaunchProgramme }) else {
                throw SimulationError(keyPath: "analyses.\(spec.id).method", "summed_lifts sums a launch programme's shipped tests: give its metric a component {kind: launched_features}")
            }
        }
        armMeans = spec.method == .regret ? metricIndex.map { PlannedAnalysis.armMeans(generator: generators[$0], study: study) } ?? [] : []
        if spec.method == .noveltyTrend {
            // The slope of the per-age effect has no closed-form truth here: rejection rates only.
            comps = comps.map { PlannedComparison(label: $0.label, groups: $0.groups, truthByLook: nil) }
        }
        let powers = PlannedAnalysis.plannedPower(spec, study: study, generators: generators, looks: looks, design: design, comparisons: comps)
        for k in comps.indices { comps[k].plannedPower = powers[k] }
        comparisons = comps
    }

    /// The power a design-stage calculation gives each comparison, where one is exact: a binary
    /// metric observed once (an outcome with mean p is Bernoulli(p) whatever the segments, so
    /// the arm means fix the variance), a fixed-horizon z or Welch test of the absolute
    /// difference between two arms, a plain fixed split of independent units (no faults, bots,
    /// clusters or regions) analysing everyone. Then, with n_c = N · allocation · w_c / Σw the
    /// expected control units at the last look and r = w_t / w_c,
    /// `PowerAnalysis.proportionPower(control: p_c, treatment: p_t, controlSize: n_c, ratio: r)`
    /// (R `power.prop.test`). Nil for every other comparison, and under H0 (p_c = p_t).
    static func plannedPower(_ spec: AnalysisSpec, study: Study, generators: [MetricGenerator], looks: [(units: Int, day: Double)],
                             design: any Design, comparisons: [PlannedComparison]) -> [Double?] {
        let none = [Double?](repeating: nil, count: comparisons.count)
        let pop = study.population, options = spec.options
        guard let mi = spec.metric.flatMap({ m in study.metrics.firstIndex { $0.name == m } }), generators[mi].binary != nil,
              !study.metrics[mi].isDaily, spec.policy == .fixedHorizon, spec.estimand == .absolute,
              spec.method == .zTest || spec.method == .welchT, design is FixedSplit, study.faults.isEmpty,
              pop.botShare == 0, pop.clusters == 0, pop.regions == 0, !options.needsUnitLevel, !options.groupLevel,
              options.estimandIn.isEmpty, options.segmentFilter.isEmpty, let n = looks.last?.units,
              !generators[mi].adjustments.contains(where: { $0.isTimeVarying || $0.dependsOnCalendarDay || $0.truthPerReplication })
        else { return none }
        let means = PlannedAnalysis.armMeans(generator: generators[mi], study: study)
        let weights = study.experiment.variants.map(\.weight)
        let total = weights.reduce(0, +)
        return comparisons.map { c -> Double? in
            guard c.groups.count == 2, c.groups[0].arms.count == 1, c.groups[1].arms.count == 1 else { return nil }
            let control = c.groups[0].arms[0], treatment = c.groups[1].arms[0]
            // Under H0 a power calculation has nothing to say (its "power" would be α/2).
            guard control < means.count, treatment < means.count, weights[control] > 0, total > 0, means[control] != means[treatment] else { return nil }
            let nc = Double(n) * study.experiment.allocation * weights[control] / total
            let settings = PowerSettings(alpha: spec.alpha, alternative: spec.alternative, ratio: weights[treatment] / weights[control])
            return try? PowerAnalysis.proportionPower(control: means[control], treatment: means[treatment], controlSize: nc, settings: settings)
        }
    }

    /// Per look, per arm: the population mean of what the analysis sees. For a metric observed
    /// once it is ``armMeans(generator:study:)`` at every look. For a daily metric it is exact
    /// for the deterministic arrivals: the units arrived by the look with a complete day,
    /// grouped by their exposure day g = ⌊arrival⌋, each contributing Σ_{d=g}^{⌊t⌋−1} μ(shift(d,
    /// d − g)) (the total) or that sum ÷ (⌊t⌋ − g) (the mean), averaged over segments.
    static func armMeansByLook(generator: MetricGenerator, study: Study, looks: [(units: Int, day: Double)]) -> [[Double]] {
        guard generator.spec.isDaily else {
            guard generator.adjustments.contains(where: \.dependsOnCalendarDay) else {
                let m = armMeans(generator: generator, study: study)
                return looks.map { _ in m }
            }
            // Once-observed with a calendar component: the average over the units seen by the
            // look of the arm mean on each unit's arrival day (units grouped by whole day).
            var byDay: [Int: [Double]] = [:]
            var sums = [Double](repeating: 0, count: study.experiment.variants.count)
            var seen = 0
            return looks.map { look in
                while seen < look.units {
                    let d = Int(LookPlan.arrivalTime(ofUnit: seen, study.population).rounded(.down))
                    if byDay[d] == nil { byDay[d] = armMeans(generator: generator, study: study, calendarDay: Double(d)) }
                    if let m = byDay[d] { for a in sums.indices { sums[a] += m[a] } }
                    seen += 1
                }
                return sums.map { look.units > 0 ? $0 / Double(look.units) : 0 }
            }
        }
        let population = study.population
        return looks.map { look in
            let end = Int((look.day + 1e-9).rounded(.down))
            var groups: [Int: Int] = [:]
            for i in 0..<look.units {
                let g = Int(LookPlan.arrivalTime(ofUnit: i, population).rounded(.down))
                if g < end { groups[g, default: 0] += 1 }
            }
            let total = Double(groups.values.reduce(0, +))
            return study.experiment.variants.indices.map { arm in
                guard total > 0 else { return 0 }
                var sum = 0.0
                for (g, n) in groups.sorted(by: { $0.key < $1.key }) {
                    let v = segmentAverage(study) { levels in
                        var acc = 0.0
                        for d in g..<end {
                            var s = MeanShift()
                            var u = UnitContext(arm: arm, segmentLevels: levels, arrivalDay: Double(g))
                            u.calendarDay = Double(d)
                            u.daysSinceExposure = Double(d - g)
                            u.treatedNeighbourShare = arm > 0 ? 1 : 0
                            for a in generator.adjustments { a.addShift(for: u, to: &s) }
                            acc += generator.mean(under: s)
                        }
                        return generator.spec.observation == .dailyMean ? acc / Double(end - g) : acc
                    }
                    sum += Double(n) * v
                }
                return sum / total
            }
        }
    }

    /// The average of `value` over the joint distribution of segment levels (independent
    /// attributes, weighted by their shares).
    static func segmentAverage(_ study: Study, _ value: ([Int]) -> Double) -> Double {
        let segs = study.population.segments
        var total = 0.0
        var levels = [Int](repeating: 0, count: segs.count)
        func visit(_ i: Int, _ weight: Double) {
            if i == segs.count {
                total += weight * value(levels)
                return
            }
            for (l, share) in segs[i].shares.enumerated() {
                levels[i] = l
                visit(i + 1, weight * share)
            }
        }
        visit(0, 1)
        return total
    }

    /// The population mean of each arm (averaged over segments by their shares).
    static func armMeans(generator: MetricGenerator, study: Study, daysSinceExposure: Double = 0, calendarDay: Double = 0) -> [Double] {
        study.experiment.variants.indices.map { arm in
            segmentAverage(study) { levels in
                var s = MeanShift()
                var u = UnitContext(arm: arm, segmentLevels: levels, arrivalDay: calendarDay)
                u.daysSinceExposure = daysSinceExposure
                u.calendarDay = calendarDay
                // The global effect: every neighbour shares the arm (all treated vs all control).
                u.treatedNeighbourShare = arm > 0 ? 1 : 0
                for a in generator.adjustments { a.addShift(for: u, to: &s) }
                return generator.mean(under: s)
            }
        }
    }

    /// The long-run arm means: days since exposure → ∞ (novelty, primacy) and, when a
    /// component depends on the calendar, averaged over W = 7·⌈days/7⌉ days (whole weeks), day d
    /// weighted by its traffic for a metric observed once (the arrival profile; equal weights for
    /// uniform arrivals or everyone at the start) and equally for a daily metric.
    static func longRunArmMeans(generator: MetricGenerator, study: Study) -> [Double] {
        guard generator.adjustments.contains(where: \.dependsOnCalendarDay) else {
            return armMeans(generator: generator, study: study, daysSinceExposure: .infinity)
        }
        let w = 7 * max(1, (study.population.days + 6) / 7)
        var total = [Double](repeating: 0, count: study.experiment.variants.count), weights = 0.0
        for d in 0..<w {
            var weight = 1.0
            if !generator.spec.isDaily, case let .dailyProfile(profile) = study.population.arrivals { weight = profile[d % profile.count] }
            guard weight > 0 else { continue }
            let m = armMeans(generator: generator, study: study, daysSinceExposure: .infinity, calendarDay: Double(d))
            for a in total.indices { total[a] += weight * m[a] }
            weights += weight
        }
        return total.map { $0 / weights }
    }

    /// The true value of a contrast: for a two-group contrast, the treatment group's mean minus
    /// the control group's (each the average of its arms, since MVT arms have equal weights),
    /// or the relative difference; for an interaction, the difference of differences.
    static func truth(_ c: [Double], _ means: [Double], estimand: Estimand, interaction: Bool = false) -> Double {
        if interaction {
            let pos = c.filter { $0 > 0 }.count
            // Each of the four 2×2 cells is an average over the other factors' combinations.
            let perCell = Double(pos) / 2
            return zip(c, means).reduce(0) { $0 + $1.0 * $1.1 } / perCell
        }
        let t = zip(c, means).filter { $0.0 > 0 }.map(\.1), k = zip(c, means).filter { $0.0 < 0 }.map(\.1)
        let mt = t.reduce(0, +) / Double(t.count), mc = k.reduce(0, +) / Double(k.count)
        return estimand == .relative ? (mt - mc) / mc : mt - mc
    }
}

/// A comparison: weighted groups of arms — [(−1, control arms), (+1, treatment arms)] for a
/// two-group comparison, four ±1 cells for an interaction — and the true value it estimates.
/// A group's statistics are the sums over its arms.
public struct PlannedComparison: Sendable {
    public let label: String
    public let groups: [(weight: Double, arms: [Int])]
    /// The true value at the last look.
    public let truth: Double?
    /// The true value at each look (they differ when the metric is observed day by day).
    public let truthByLook: [Double]?
    /// What `truth` is: the contrast and the estimands of the outcome components behind it.
    public var estimand: String = ""
    /// The long-run value when a component varies with time since exposure (days since
    /// exposure → ∞) or with the calendar (the whole-week average,
    /// ``PlannedAnalysis/longRunArmMeans(generator:study:)``); nil otherwise.
    public var longRunTruth: Double? = nil
    /// The power a design-stage calculation predicts for this comparison
    /// (``PlannedAnalysis/plannedPower(_:study:generators:looks:design:comparisons:)``), nil
    /// where none is exact.
    public var plannedPower: Double? = nil

    init(label: String, groups: [(weight: Double, arms: [Int])], truthByLook: [Double]?) {
        self.label = label
        self.groups = groups
        self.truthByLook = truthByLook
        truth = truthByLook?.last
    }

    /// The true value at look k (0-based; the last look's when k is out of range).
    public func truth(atLook k: Int) -> Double? {
        guard let t = truthByLook, !t.isEmpty else { return nil }
        return t[min(max(k, 0), t.count - 1)]
    }

    /// The contrast's true value for given arm means (a replication's own, when its truth is
    /// random): each group's sign as the arm's coefficient, as in the planned truth.
    func truth(armMeans means: [Double], estimand: Estimand) -> Double? {
        guard groups.count == 2 else { return nil }
        var c = [Double](repeating: 0, count: means.count)
        for g in groups { for arm in g.arms where arm < c.count { c[arm] = g.weight < 0 ? -1 : 1 } }
        return PlannedAnalysis.truth(c, means, estimand: estimand)
    }

    /// Whether the truth is the same at every look.
    var truthIsConstant: Bool { Set(truthByLook ?? []).count <= 1 }
}
