import Analysis
import Assignment
import Foundation
import Simulation

/// The scenario file schema (version 1): every key, its type and its checks. The README's
/// "Scenario file reference" documents the same keys.
enum ScenarioSchema {
    static let topLevelKeys = SchemaKeys.top

    /// The text of a swept value or cell selector: a scalar as written, a mapping or list in
    /// compact flow style (`{count: 5}`).
    static func scalarText(_ v: Value) throws(ScenarioError) -> String {
        if case .scalar(_, .null) = v.node.kind { throw v.expected("a value") }
        return flowText(v.node)
    }

    static func flowText(_ n: YNode) -> String {
        switch n.kind {
        case let .scalar(text, _): return text
        case let .sequence(items): return "[" + items.map(flowText).joined(separator: ", ") + "]"
        case let .mapping(pairs): return "{" + pairs.map { "\($0.key): \(flowText($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    static func study(_ root: Value) throws(ScenarioError) -> Study {
        let top = try root.object(allowed: topLevelKeys)
        let id = try top.required("id").identifier()
        let description = try top.optional("description")?.string() ?? ""
        let seed = try top.required("seed").uint64()
        let replications = try top.required("replications").int(in: Scenario.replicationRange)
        let population = try self.population(top.required("population"))
        let experiment = try self.experiment(top.required("experiment"))
        let looks = try top.optional("looks").map { (v) throws(ScenarioError) in try self.looks(v, days: population.days) } ?? .final
        var family: FamilySpec? = nil
        let metrics: [MetricSpec]
        var effects: [String: [String: EffectSpec]] = [:]
        let analyses: [AnalysisSpec]
        if let f = top.optional("family") {
            for k in ["metrics", "effects", "analyses"] where top.has(k) {
                throw ScenarioError(file: root.file, keyPath: k, message: "a family study generates its metrics, effects and analyses: remove this key")
            }
            guard experiment.factors.isEmpty else {
                throw ScenarioError(file: root.file, keyPath: "family", message: "a family study needs variants, not MVT factors")
            }
            let spec = try self.family(f)
            family = spec
            metrics = spec.metricSpecs
            for (name, _) in experiment.variants.dropFirst() where spec.affected > 0 {
                var byMetric: [String: EffectSpec] = [:]
                for m in metrics.prefix(spec.affected) { byMetric[m.name] = EffectSpec(.absolute(spec.effect)) }
                effects[name] = byMetric
            }
            analyses = []
        } else {
            metrics = try self.metrics(top.required("metrics"))
            effects = try top.optional("effects").map { (v) throws(ScenarioError) in try self.effects(v, metrics: metrics, experiment: experiment) } ?? [:]
            analyses = try self.analyses(top.required("analyses"), metrics: metrics, experiment: experiment, population: population)
        }
        var measures = Measure.standard
        if let m = top.optional("measures") {
            measures = []
            for item in try m.nonEmptyList() {
                let name = try item.string()
                guard let measure = Measure(rawValue: name) else {
                    throw item.fail("unknown measure \"\(name)\"; expected one of: \(Measure.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                measures.append(measure)
            }
        }
        if family != nil, !top.has("measures") { measures = [.fwer, .fdr, .averagePower, .anyPower] }
        var study = Study(id: id, description: description, seed: seed, replications: replications, population: population,
                          metrics: metrics, experiment: experiment, effects: effects, analyses: analyses, looks: looks,
                          measures: measures)
        study.family = family
        try stages(top, root: root, into: &study)
        return study
    }

    // MARK: stages (design, faults, outcome components): built by the Simulation registry

    /// Reads `design`, `faults` and `components`, each built by the stage registry from its
    /// `kind:` and parameters; a problem names the file and the key path.
    static func stages(_ top: Object, root: Value, into study: inout Study) throws(ScenarioError) {
        let registry = StageRegistry.shared
        func config(_ v: Value) throws(ScenarioError) -> ComponentConfig {
            var parameters: [String: ComponentValue] = [:]
            var kind: String?
            for (key, item) in try v.entries() {
                if key == "kind" { kind = try item.identifier(); continue }
                parameters[key] = try componentValue(item)
            }
            guard let kind else { throw ScenarioError(file: v.file, keyPath: "\(v.path).kind", message: "required key is missing") }
            return ComponentConfig(kind: kind, keyPath: v.path, parameters: parameters)
        }
        func wrap<T>(_ body: () throws(SimulationError) -> T) throws(ScenarioError) -> T {
            do { return try body() } catch { throw ScenarioError(file: root.file, keyPath: error.keyPath, message: error.message) }
        }
        let base = study
        if let d = top.optional("design") {
            let c = try config(d)
            study.design = try wrap { () throws(SimulationError) in try registry.makeDesign(c, study: base) }
        }
        if let f = top.optional("faults") {
            for item in try f.list() {
                let c = try config(item)
                study.faults.append(try wrap { () throws(SimulationError) in try registry.makeFault(c, study: base) })
            }
        }
        if let cs = top.optional("components") {
            for item in try cs.list() {
                let c = try config(item)
                let component = try wrap { () throws(SimulationError) in try registry.makeComponent(c, study: base) }
                guard study.metric(named: component.metric) != nil else {
                    throw ScenarioError(file: root.file, keyPath: "\(item.path).metric", message: "unknown metric \"\(component.metric)\"")
                }
                study.components.append(component)
            }
        }
    }

    /// A stage parameter as a ``ComponentValue`` (scalars typed as YAML reads them).
    static func componentValue(_ v: Value) throws(ScenarioError) -> ComponentValue {
        switch v.node.kind {
        case let .scalar(text, type):
            switch type {
            case .int, .float: return .number(try v.double())
            case .bool: return .bool(["true", "yes", "on"].contains(text.lowercased()))
            case .string: return .string(text)
            case .null: throw v.expected("a value")
            }
        case .sequence:
            var out: [ComponentValue] = []
            for item in try v.list() { out.append(try componentValue(item)) }
            return .list(out)
        case .mapping:
            var out: [String: ComponentValue] = [:]
            for (key, item) in try v.entries() { out[key] = try componentValue(item) }
            return .map(out)
        }
    }

    static func family(_ v: Value) throws(ScenarioError) -> FamilySpec {
        let o = try v.object(allowed: SchemaKeys.family)
        let m = try o.required("metrics").int(in: 1...500)
        let rho = try o.optional("correlation")?.double(in: 0, 1) ?? 0
        if rho >= 1 { throw try o.required("correlation").fail("expected a correlation in [0, 1), got \(rho)") }
        let fraction = try o.optional("effect_fraction")?.probability() ?? 0
        let effect = try o.optional("effect")?.double() ?? 0
        let alpha = try o.optional("alpha")?.double(in: 0, 1, open: true) ?? 0.05
        var policies: [FamilyPolicy] = [.correction(.none), .correction(.bonferroni), .correction(.holm), .correction(.hochberg),
                                        .correction(.benjaminiHochberg), .correction(.benjaminiYekutieli), .primaryUncorrected]
        if let p = o.optional("policies") {
            policies = []
            for item in try p.nonEmptyList() {
                let name = try item.string()
                if name == "primary_uncorrected" { policies.append(.primaryUncorrected); continue }
                guard let method = CorrectionMethod(rawValue: name) else {
                    throw item.fail("unknown policy \"\(name)\"; expected none, bonferroni, holm, hochberg, bh, by or primary_uncorrected")
                }
                policies.append(.correction(method))
            }
        }
        return FamilySpec(metrics: m, correlation: rho, effectFraction: fraction, effect: effect, alpha: alpha, policies: policies)
    }

    // MARK: population

    static func population(_ v: Value) throws(ScenarioError) -> PopulationSpec {
        let o = try v.object(allowed: SchemaKeys.population)
        let units = try o.required("units").int(in: 2...100_000_000)
        let days = try o.optional("days")?.int(in: 1...3650) ?? 14
        var arrivals = Arrivals.uniform
        if let a = o.optional("arrivals") {
            if case .scalar = a.node.kind {
                switch try a.string() {
                case "start": arrivals = .atStart
                case "uniform": arrivals = .uniform
                default: throw a.fail("expected start, uniform or {daily_profile: [weights…]}, got \"\(try a.string())\"")
                }
            } else {
                let (_, profile) = try a.single(of: ["daily_profile"])
                var weights: [Double] = []
                for w in try profile.nonEmptyList() {
                    let x = try w.double()
                    guard x >= 0 else { throw w.fail("expected a weight ≥ 0, got \(x)") }
                    weights.append(x)
                }
                guard weights.contains(where: { $0 > 0 }) else { throw profile.fail("the daily profile must have a positive weight") }
                arrivals = .dailyProfile(weights)
            }
        }
        var segments: [Segment] = []
        if let s = o.optional("segments") {
            for (attribute, levelsValue) in try s.entries() {
                var levels: [String] = [], shares: [Double] = []
                for (level, share) in try levelsValue.entries() {
                    levels.append(level)
                    shares.append(try share.share())
                }
                guard !levels.isEmpty else { throw levelsValue.fail("expected at least one level") }
                shares = try levelsValue.normalisedShares(shares, what: "shares")
                segments.append(Segment(attribute: attribute, levels: levels, shares: shares))
            }
        }
        var attributes: [PopulationAttribute] = []
        if let a = o.optional("attributes") {
            for (name, valuesNode) in try a.entries() {
                guard !segments.contains(where: { $0.attribute == name }) else {
                    throw valuesNode.fail("\"\(name)\" is already a segment (segments are attributes for targeting too)")
                }
                var values: [AttributeValue] = [], shares: [Double] = []
                for (value, share) in try valuesNode.entries() {
                    values.append(.string(value))
                    shares.append(try share.share())
                }
                guard !values.isEmpty else { throw valuesNode.fail("expected at least one value") }
                shares = try valuesNode.normalisedShares(shares, what: "shares")
                attributes.append(PopulationAttribute(name: name, values: values, shares: shares))
            }
        }
        var clusters = 0, regions = 0, bots = 0.0
        var equalSizes = false
        var graph: (degree: Int, withinShare: Double)? = nil
        if let c = o.optional("clusters") {
            let co = try c.object(allowed: SchemaKeys.clusters)
            clusters = try co.required("count").int(in: 1...100_000_000)
            if let sv = co.optional("sizes") {
                switch try sv.string() {
                case "equal": equalSizes = true
                case "random": equalSizes = false
                default: throw sv.fail("expected equal (unit i in cluster i mod count) or random (equally likely clusters)")
                }
            }
            if let gv = co.optional("graph") {
                let go = try gv.object(allowed: SchemaKeys.graph)
                let degree = try go.required("degree").int(in: 1...1000)
                guard units * degree <= 100_000_000 else { throw gv.fail("units × degree exceeds 100 000 000") }
                graph = (degree, try go.required("within_share").double(in: 0, 1))
            }
        }
        if let r = o.optional("regions") {
            regions = try r.object(allowed: SchemaKeys.regions).required("count").int(in: 1...1_000_000)
        }
        if let b = o.optional("bots") {
            bots = try b.object(allowed: SchemaKeys.bots).required("share").double(in: 0, 1)
        }
        var population = PopulationSpec(units: units, days: days, arrivals: arrivals, segments: segments, attributes: attributes,
                                        clusters: clusters, regions: regions, botShare: bots)
        population.equalClusterSizes = equalSizes
        population.graph = graph
        return population
    }

    // MARK: metrics

    static func metrics(_ v: Value) throws(ScenarioError) -> [MetricSpec] {
        var out: [MetricSpec] = []
        for item in try v.nonEmptyList() {
            let o = try item.object(allowed: SchemaKeys.metric)
            let name = try o.required("name").identifier()
            guard !out.contains(where: { $0.name == name }) else { throw try o.required("name").fail("duplicate metric name \"\(name)\"") }
            let kindValue = try o.required("kind")
            let kind: MetricKind
            func forbid(_ keys: [String]) throws(ScenarioError) {
                for k in keys where o.has(k) {
                    throw ScenarioError(file: o.file, keyPath: "\(o.path).\(k)", message: "not used by a \(try kindValue.string()) metric")
                }
            }
            switch try kindValue.string() {
            case "binary":
                try forbid(["distribution", "denominator", "rate"])
                kind = .binary(baseline: try o.required("baseline").double(in: 0, 1, open: true))
            case "continuous":
                try forbid(["baseline", "denominator", "rate"])
                let d = try distribution(o.required("distribution"), allowed: ["normal", "lognormal", "gamma"])
                kind = .distribution(d)
            case "count":
                try forbid(["baseline", "denominator", "rate"])
                kind = .distribution(try distribution(o.required("distribution"), allowed: ["poisson", "negative_binomial"]))
            case "ratio":
                try forbid(["baseline", "distribution"])
                let den = try distribution(o.required("denominator"), allowed: ["poisson", "negative_binomial"])
                kind = .ratio(denominator: den, rate: try o.required("rate").double(in: 0, 1, open: true))
            default:
                throw kindValue.fail("expected binary, continuous, count or ratio, got \"\(try kindValue.string())\"")
            }
            let rho = try o.optional("pre_period_correlation")?.double(in: 0, 1) ?? 0
            if rho >= 1 { throw try o.required("pre_period_correlation").fail("expected a correlation in [0, 1), got \(rho)") }
            if case .ratio = kind, rho > 0 {
                throw try o.required("pre_period_correlation").fail("a ratio metric has no pre-period value in schema 1")
            }
            var observation = Observation.once
            if let ob = o.optional("observe") {
                guard let x = Observation(rawValue: try ob.string()) else {
                    throw ob.fail("expected once, daily_total or daily_mean, got \"\(try ob.string())\"")
                }
                observation = x
                if x != .once, rho > 0 {
                    throw try o.required("pre_period_correlation").fail("a daily metric has no pre-period value in schema 1 (use observe: once for CUPED)")
                }
            }
            var shared = 0.0
            if let sf = o.optional("shared_factor_correlation") {
                shared = try sf.double(in: 0, 1)
                guard shared < 1 else { throw sf.fail("expected a correlation in [0, 1), got \(shared)") }
                guard case .distribution(.normal) = kind else {
                    throw sf.fail("the latent factor drives normal metrics only: give a continuous metric with distribution {normal: {mean, sd}}")
                }
            }
            out.append(MetricSpec(name: name, kind: kind, prePeriodCorrelation: rho, sharedFactorCorrelation: shared, observation: observation))
        }
        return out
    }

    static func distribution(_ v: Value, allowed: [String]) throws(ScenarioError) -> OutcomeDistribution {
        let (name, params) = try v.single(of: allowed)
        switch name {
        case "normal":
            let o = try params.object(allowed: SchemaKeys.normal)
            return .normal(mean: try o.required("mean").double(), sd: try o.required("sd").positive())
        case "lognormal":
            let o = try params.object(allowed: SchemaKeys.lognormal)
            return .lognormal(mu: try o.required("mu").double(), sigma: try o.required("sigma").positive())
        case "gamma":
            let o = try params.object(allowed: SchemaKeys.gamma)
            return .gamma(shape: try o.required("shape").positive(), scale: try o.required("scale").positive())
        case "poisson":
            let o = try params.object(allowed: SchemaKeys.poisson)
            return .poisson(mean: try o.required("mean").positive())
        default:
            let o = try params.object(allowed: SchemaKeys.negativeBinomial)
            return .negativeBinomial(mean: try o.required("mean").positive(), size: try o.required("size").positive())
        }
    }

    // MARK: experiment

    static func experiment(_ v: Value) throws(ScenarioError) -> ExperimentSpec {
        let o = try v.object(allowed: SchemaKeys.experiment)
        if let r = o.optional("ruleset") { return try productionRuleset(o, r) }
        if o.has("analyse") {
            throw ScenarioError(file: o.file, keyPath: "\(o.path).analyse", message: "analyse names an experiment of experiment.ruleset, which is missing")
        }
        let hash = try o.optional("hash")?.string() ?? "sha256"
        guard SimulationDefaults.hashSchemes.contains(hash) else {
            throw try o.required("hash").fail("unknown hash scheme \"\(hash)\"; expected one of: \(SimulationDefaults.hashSchemes.joined(separator: ", "))")
        }
        let allocation = try o.optional("allocation")?.double(in: 0, 1, open: false) ?? 1
        if allocation == 0 { throw try o.required("allocation").fail("expected an allocation in (0, 1], got 0") }
        var mode = AssignmentMode.hashed
        if let a = o.optional("assignment") {
            guard let m = AssignmentMode(rawValue: try a.string()) else {
                throw a.fail("expected hashed or ideal, got \"\(try a.string())\"")
            }
            mode = m
        }
        var variants: [(name: String, weight: Double)] = []
        var factors: [Factor] = []
        switch (o.optional("variants"), o.optional("factors")) {
        case let (vs?, nil):
            for (name, w) in try vs.entries() {
                let weight = try w.share()
                guard weight > 0 else { throw w.fail("expected a weight > 0, got 0") }
                variants.append((name, weight))
            }
            guard variants.count >= 2 else { throw vs.fail("expected at least two variants (the first is the control)") }
            let normalised = try vs.normalisedShares(variants.map(\.weight), what: "variant weights")
            variants = zip(variants, normalised).map { ($0.0.name, $0.1) }
        case let (nil, fs?):
            for (name, levelsValue) in try fs.entries() {
                var levels: [String] = []
                for l in try levelsValue.list() { levels.append(try l.identifier()) }
                guard levels.count >= 2, Set(levels).count == levels.count else {
                    throw levelsValue.fail("expected at least two distinct levels (the first is the factor's control)")
                }
                factors.append(Factor(name: name, levels: levels))
            }
            guard factors.count >= 2 else { throw fs.fail("an MVT needs at least two factors") }
            var combos: [[String]] = [[]]
            for f in factors { combos = combos.flatMap { c in f.levels.map { c + ["\(f.name)=\($0)"] } } }
            let w = 1 / Double(combos.count)
            variants = combos.map { ($0.joined(separator: ","), w) }
        case (_?, _?):
            throw ScenarioError(file: o.file, keyPath: "\(o.path).factors", message: "give either variants or factors (an MVT's variants are its full factorial), not both")
        case (nil, nil):
            throw ScenarioError(file: o.file, keyPath: "\(o.path).variants", message: "required key is missing (or give factors for an MVT)")
        }
        return ExperimentSpec(hash: hash, variants: variants, allocation: allocation, assignment: mode, factors: factors)
    }

    /// `experiment: {ruleset: FILE, analyse: EXPERIMENT_ID}`: a production ruleset, read and
    /// validated by the Assignment module; the study's arms are the analysed experiment's
    /// variants. FILE is relative to the working directory, or else to the scenario's folder.
    static func productionRuleset(_ o: Object, _ r: Value) throws(ScenarioError) -> ExperimentSpec {
        for k in ["hash", "variants", "factors", "allocation"] where o.has(k) {
            throw ScenarioError(file: o.file, keyPath: "\(o.path).\(k)", message: "with experiment.ruleset the variants, hash and allocation come from the ruleset: remove this key")
        }
        let path = try r.string()
        let base = o.file.components(separatedBy: " [cell ").first ?? o.file
        let candidates = path.hasPrefix("/") ? [path] : [path, ((base as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path)]
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }),
              let data = FileManager.default.contents(atPath: found) else {
            throw r.fail("cannot read the ruleset file \"\(path)\" (looked in the working directory and beside the scenario)")
        }
        let json: JSONValue
        let ruleset: Ruleset
        do {
            json = try JSONDecoder().decode(JSONValue.self, from: data)
            ruleset = try Ruleset(jsonValue: json)
        } catch {
            throw r.fail("the ruleset \(found) is invalid: \(error)")
        }
        let analyseValue = try o.required("analyse")
        let id = try analyseValue.string()
        guard let x = ruleset.experiment(id) else {
            throw analyseValue.fail("the ruleset has no experiment \"\(id)\"; expected one of: \(ruleset.experiments.map(\.id).joined(separator: ", "))")
        }
        guard x.variants.count >= 2 else { throw analyseValue.fail("the experiment \"\(id)\" needs at least two variants (the first is the control)") }
        var mode = AssignmentMode.hashed
        if let a = o.optional("assignment") {
            guard try a.string() == "hashed" else { throw a.fail("a production ruleset is evaluated by the hash; expected hashed") }
            mode = .hashed
        }
        var e = ExperimentSpec(hash: x.hash.rawValue, variants: x.variants.map { ($0.name, $0.weight) }, allocation: x.allocation, assignment: mode)
        e.ruleset = RulesetSource(file: path, json: json, analyse: id)
        return e
    }

    // MARK: effects

    static func effects(_ v: Value, metrics: [MetricSpec], experiment: ExperimentSpec) throws(ScenarioError) -> [String: [String: EffectSpec]] {
        var out: [String: [String: EffectSpec]] = [:]
        let levelKeys = Set(experiment.factors.flatMap { f in f.levels.map { "\(f.name)=\($0)" } })
        for (variant, perMetric) in try v.entries() {
            let known = experiment.variants.contains { $0.name == variant } || levelKeys.contains(variant)
                || (variant.contains(",") && variant.split(separator: ",").allSatisfy { levelKeys.contains(String($0)) })
            guard known else {
                throw perMetric.fail("unknown variant \"\(variant)\"; expected one of: \(experiment.variants.map(\.name).joined(separator: ", "))")
            }
            guard variant != experiment.control else { throw perMetric.fail("the control variant cannot have an effect") }
            var byMetric: [String: EffectSpec] = [:]
            for (metricName, e) in try perMetric.entries() {
                guard let metric = metrics.first(where: { $0.name == metricName }) else {
                    throw e.fail("unknown metric \"\(metricName)\"; expected one of: \(metrics.map(\.name).joined(separator: ", "))")
                }
                let o = try e.object(allowed: SchemaKeys.effect)
                let size = try effectSize(o, metric: metric)
                var bySegment: [String: [String: EffectSpec.Size]] = [:]
                if let s = o.optional("by_segment") {
                    for (attribute, levels) in try s.entries() {
                        for (level, sizeValue) in try levels.entries() {
                            let so = try sizeValue.object(allowed: SchemaKeys.segmentEffect)
                            bySegment[attribute, default: [:]][level] = try effectSize(so, metric: metric)
                        }
                    }
                }
                byMetric[metricName] = EffectSpec(size, bySegment: bySegment)
            }
            out[variant] = byMetric
        }
        return out
    }

    static func effectSize(_ o: Object, metric: MetricSpec) throws(ScenarioError) -> EffectSpec.Size {
        switch (o.optional("absolute"), o.optional("relative")) {
        case let (a?, nil):
            let x = try a.double()
            if case let .binary(p) = metric.kind, !(p + x > 0 && p + x < 1) {
                throw a.fail("the treated probability \(p) + \(x) must stay in (0, 1)")
            }
            return .absolute(x)
        case let (nil, r?):
            let x = try r.double()
            guard x > -1 else { throw r.fail("expected a relative effect > −1, got \(x)") }
            if case let .binary(p) = metric.kind, !(p * (1 + x) < 1) {
                throw r.fail("the treated probability \(p)·(1 + \(x)) must stay below 1")
            }
            return .relative(x)
        default:
            throw o.value.fail("expected exactly one of absolute or relative")
        }
    }

    // MARK: looks

    static func looks(_ v: Value, days: Int) throws(ScenarioError) -> LookSchedule {
        if case .scalar = v.node.kind {
            guard try v.string() == "final" else { throw v.fail("expected final or a mapping such as {every_days: 1}") }
            return .final
        }
        let (kind, value) = try v.single(of: ["every_days", "days", "fractions", "count"])
        switch kind {
        case "every_days":
            return .everyDays(try value.int(in: 1...days))
        case "count":
            return .equallySpaced(try value.int(in: 1...100_000))
        case "days":
            var ds: [Double] = []
            for d in try value.nonEmptyList() {
                let x = try d.double(in: 0, Double(days), open: false)
                guard x > (ds.last ?? 0) else { throw d.fail("expected increasing days > 0") }
                ds.append(x)
            }
            return .days(ds)
        default:
            var fs: [Double] = []
            for f in try value.nonEmptyList() {
                let x = try f.double(in: 0, 1)
                guard x > (fs.last ?? 0) else { throw f.fail("expected increasing fractions in (0, 1]") }
                fs.append(x)
            }
            return .fractions(fs)
        }
    }

    // MARK: analyses

    static func analyses(_ v: Value, metrics: [MetricSpec], experiment: ExperimentSpec,
                         population: PopulationSpec = PopulationSpec(units: 1)) throws(ScenarioError) -> [AnalysisSpec] {
        var out: [AnalysisSpec] = []
        var guards: [(Value, String)] = []
        for item in try v.nonEmptyList() {
            let o = try item.object(allowed: SchemaKeys.analysis)
            let id = try o.required("id").identifier()
            guard !out.contains(where: { $0.id == id }) else { throw try o.required("id").fail("duplicate analysis id \"\(id)\"") }
            let methodValue = try o.required("method")
            let method: AnalysisMethod
            var external: ExternalEngineSpec? = nil
            if case .mapping = methodValue.node.kind {
                external = try externalEngine(methodValue)
                method = .external
            } else {
                guard let m = AnalysisMethod(rawValue: try methodValue.string()), m != .external else {
                    throw methodValue.fail("unknown method \"\(try methodValue.string())\"; expected one of: \(AnalysisMethod.allCases.filter { $0 != .external }.map(\.rawValue).joined(separator: ", ")), or {external: {command: [...], engine: NAME}}")
                }
                method = m
            }
            var metricName: String? = nil
            if method.isSampleRatioCheck {
                if o.has("metric") { throw try o.required("metric").fail("the srm check uses unit counts, not a metric") }
            } else {
                let m = try o.required("metric")
                let name = try m.string()
                guard let metric = metrics.first(where: { $0.name == name }) else {
                    throw m.fail("unknown metric \"\(name)\"; expected one of: \(metrics.map(\.name).joined(separator: ", "))")
                }
                try checkCompatible(method, metric, at: methodValue, latentCovariate: o.has("covariate"))
                metricName = name
            }
            var estimand = Estimand.absolute
            if let e = o.optional("estimand") {
                guard let x = Estimand(rawValue: try e.string()) else { throw e.fail("expected absolute or relative") }
                if method.isSampleRatioCheck || method == .noveltyTrend || method.analysesGroups || method.isAdaptive || method == .deltaRatio || method == .summedLifts, x == .relative {
                    throw e.fail("\(method.rawValue) estimates an absolute difference only")
                }
                estimand = x
            }
            let alpha = try o.optional("alpha")?.double(in: 0, 1, open: true) ?? (method.isSampleRatioCheck ? 0.001 : 0.05)
            var alternative = Alternative.twoSided
            if let a = o.optional("alternative") {
                guard let x = Alternative(rawValue: try a.string()) else { throw a.fail("expected two-sided, greater or less") }
                alternative = x
            }
            var policy = StoppingPolicy.fixedHorizon
            if let p = o.optional("policy") {
                policy = try self.policy(p)
                if method.isSampleRatioCheck || method == .noveltyTrend || method.analysesGroups || method.isAdaptive || method == .summedLifts, policy != .fixedHorizon, policy != .naivePeeking {
                    throw p.fail("the srm check supports the fixed and naive policies only")
                }
                switch policy {
                case .groupSequential, .mixtureSPRT, .bayesianStop:
                    if alternative != .twoSided { throw p.fail("this policy is two-sided: remove alternative or set it to two-sided") }
                default: break
                }
            }
            var contrast = Contrast.eachVariantVsControl
            if let c = o.optional("contrast") {
                contrast = try self.contrast(c, experiment: experiment)
            } else if !experiment.factors.isEmpty, !method.isSampleRatioCheck {
                throw ScenarioError(file: o.file, keyPath: "\(o.path).contrast",
                                    message: "an MVT analysis needs a contrast: {main_effect: FACTOR} or {interaction: [A, B]}")
            }
            let options = try analysisOptions(o, method: method, metrics: metrics, population: population)
            if external != nil {
                // The engine gets two groups' sums per look: no strata, no group-level means, no 2×2 contrast.
                for key in ["stratify", "level"] where o.has(key) {
                    throw try o.required(key).fail("an external engine analyses per-arm sums of units; \(key) is not available with it")
                }
                if case .interaction = contrast { throw try o.required("contrast").fail("an external engine compares two groups: use main_effect") }
            }
            if let g = o.optional("guard") { guards.append((g, try g.string())) }
            var spec = AnalysisSpec(id: id, metric: metricName, method: method, estimand: estimand, alpha: alpha,
                                    alternative: alternative, policy: policy, contrast: contrast, options: options)
            spec.external = external
            out.append(spec)
        }
        for (g, name) in guards {
            guard let target = out.first(where: { $0.id == name }) else {
                throw g.fail("unknown analysis \"\(name)\"; expected the id of an srm analysis: \(out.filter { $0.method.isSampleRatioCheck }.map(\.id).joined(separator: ", "))")
            }
            guard target.method.isSampleRatioCheck else { throw g.fail("a guard must be an srm analysis; \"\(name)\" is \(target.method.rawValue)") }
        }
        return out
    }

    /// The unit-level options of an analysis: `where`, `from_day`, `exclude`, `winsorize`,
    /// `stratify`, `estimand_in` (metric analyses) and `min_deviation` (SRM), `guard`.
    static func analysisOptions(_ o: Object, method: AnalysisMethod, metrics: [MetricSpec],
                                population: PopulationSpec) throws(ScenarioError) -> AnalysisOptions {
        var options = AnalysisOptions()
        func segmentLevels(_ v: Value) throws(ScenarioError) -> [String: [String]] {
            var out: [String: [String]] = [:]
            for (attribute, levels) in try v.entries() {
                guard let segment = population.segments.first(where: { $0.attribute == attribute }) else {
                    throw levels.fail("unknown segment \"\(attribute)\"; expected one of: \(population.segments.map(\.attribute).joined(separator: ", "))")
                }
                var names: [String] = []
                if case .sequence = levels.node.kind {
                    for l in try levels.nonEmptyList() { names.append(try l.string()) }
                } else {
                    names = [try levels.string()]
                }
                for n in names where !segment.levels.contains(n) {
                    throw levels.fail("unknown level \"\(n)\" of \(attribute); expected one of: \(segment.levels.joined(separator: ", "))")
                }
                out[attribute] = names
            }
            guard !out.isEmpty else { throw v.fail("expected at least one segment") }
            return out
        }
        let unitLevelKeys = ["where", "from_day", "exclude", "winsorize", "stratify", "estimand_in", "level", "covariate"]
        if method.isSampleRatioCheck {
            for k in unitLevelKeys + ["guard"] where o.has(k) {
                throw try o.required(k).fail("the srm check counts every logged unit; \(k) applies to metric analyses")
            }
            options.minimumShareDeviation = try o.optional("min_deviation")?.double(in: 0, 1)
            return options
        }
        if let m = o.optional("min_deviation") { throw m.fail("min_deviation applies to the srm check") }
        if let w = o.optional("where") { options.segmentFilter = try segmentLevels(w) }
        if let e = o.optional("estimand_in") { options.estimandIn = try segmentLevels(e) }
        if let d = o.optional("from_day") { options.fromDay = try d.double(in: 0, Double(population.days)) }
        if let x = o.optional("exclude") {
            let e = try x.object(allowed: SchemaKeys.exclude)
            let mv = try e.required("metric")
            let name = try mv.string()
            guard let metric = metrics.first(where: { $0.name == name }) else {
                throw mv.fail("unknown metric \"\(name)\"; expected one of: \(metrics.map(\.name).joined(separator: ", "))")
            }
            guard !metric.isDaily else { throw mv.fail("an activity filter needs a metric observed once") }
            options.exclude = ActivityRule(metric: name, above: try e.required("above").double())
        }
        if let w = o.optional("winsorize") {
            if case .scalar = w.node.kind {
                options.winsorize = WinsorizeRule(upper: try w.double(in: 0, 1, open: true))
            } else {
                let r = try w.object(allowed: SchemaKeys.winsorize)
                let lower = try r.optional("lower")?.double(in: 0, 1) ?? 0
                let upper = try r.optional("upper")?.double(in: 0, 1) ?? 1
                guard lower < upper else { throw w.fail("need lower < upper, got \(lower) and \(upper)") }
                options.winsorize = WinsorizeRule(lower: lower, upper: upper)
            }
        }
        if let st = o.optional("stratify") {
            if case .scalar = st.node.kind {
                guard try st.string() == "allocation_period" else { throw st.fail("expected allocation_period, {latent_quantiles: q} or {segment: NAME}") }
                options.stratify = .allocationPeriod
            } else {
                let value = try componentValue(st)
                do {
                    options.stratify = .units(try UnitStrata.parse(value, keyPath: st.path, population: population))
                } catch {
                    throw ScenarioError(file: st.file, keyPath: error.keyPath, message: error.message)
                }
            }
        }
        if let cv = o.optional("covariate") {
            guard try cv.string() == "latent" else { throw cv.fail("expected latent (the population's latent factor)") }
            guard method == .cuped else { throw cv.fail("covariate: latent is CUPED's covariate: use it with method: cuped") }
            options.latentCovariate = true
        }
        if let g = o.optional("guard") { options.guardBy = try g.string() }
        if let l = o.optional("level") {
            switch try l.string() {
            case "unit": options.groupLevel = false
            case "group":
                guard !options.needsUnitLevel else { throw l.fail("a group-level analysis cannot also filter, winsorise or stratify units") }
                options.groupLevel = true
            default: throw l.fail("expected unit or group (the design's cluster or region × window)")
            }
        }
        return options
    }

    static func policy(_ p: Value) throws(ScenarioError) -> StoppingPolicy {
        if case .scalar = p.node.kind {
            switch try p.string() {
            case "fixed": return .fixedHorizon
            case "naive": return .naivePeeking
            default: throw p.fail("expected fixed, naive, or a mapping {group_sequential: …}, {msprt: …}, {confidence_sequence: …}, {bayes_stop: …}; got \"\(try p.string())\"")
            }
        }
        let (kind, value) = try p.single(of: ["group_sequential", "msprt", "confidence_sequence", "bayes_stop"])
        switch kind {
        case "group_sequential":
            let o = try value.object(allowed: SchemaKeys.groupSequential)
            let sv = try o.required("spending")
            let spending: SpendingFunction
            switch try sv.string() {
            case "obf": spending = .obrienFleming
            case "pocock": spending = .pocock
            case "power": spending = .power(rho: try o.required("rho").positive())
            default: throw sv.fail("expected obf, pocock or power, got \"\(try sv.string())\"")
            }
            if case .power = spending {} else if o.has("rho") {
                throw try o.required("rho").fail("rho goes with spending: power")
            }
            return .groupSequential(spending: spending, plannedUnits: try o.optional("planned_units")?.positiveInt())
        case "msprt":
            let o = try value.object(allowed: SchemaKeys.msprt)
            return .mixtureSPRT(tau2: try o.required("tau2").positive())
        case "confidence_sequence":
            let o = try value.object(allowed: SchemaKeys.confidenceSequence)
            return .confidenceSequence(tuningSampleSize: try o.required("n_star").positive())
        default:
            let o = try value.object(allowed: SchemaKeys.bayesStop)
            return .bayesianStop(threshold: try o.required("threshold").double(in: 0.5, 1, open: true))
        }
    }

    static func checkCompatible(_ method: AnalysisMethod, _ metric: MetricSpec, at v: Value, latentCovariate: Bool = false) throws(ScenarioError) {
        switch (method, metric.kind) {
        case (.zTest, .binary), (.welchT, .binary), (.welchT, .distribution), (.studentT, .binary),
             (.studentT, .distribution), (.deltaRatio, .ratio):
            return
        case (.ipw, .binary), (.ipw, .distribution), (.regret, .binary), (.regret, .distribution),
             (.periodStratified, .binary), (.periodStratified, .distribution):
            guard !metric.isDaily else { throw v.fail("\(method.rawValue) analyses a metric observed once") }
        case (.external, .binary), (.external, .distribution):
            guard !metric.isDaily else { throw v.fail("an external engine analyses a metric observed once") }
        case (.summedLifts, .distribution):
            guard !metric.isDaily else { throw v.fail("summed_lifts analyses a metric observed once") }
        case (.clusterRobust, .binary), (.clusterRobust, .distribution), (.panelHAC, .binary), (.panelHAC, .distribution):
            guard !metric.isDaily else { throw v.fail("\(method.rawValue) analyses a metric observed once") }
        case (.noveltyTrend, .binary), (.noveltyTrend, .distribution):
            guard metric.isDaily else {
                throw v.fail("novelty_trend regresses the daily effect on days since exposure: give metric \"\(metric.name)\" observe: daily_total or daily_mean")
            }
        case (.cuped, .binary), (.cuped, .distribution):
            guard metric.prePeriodCorrelation > 0 || latentCovariate else {
                throw v.fail("cuped needs a pre-period value: give metric \"\(metric.name)\" a pre_period_correlation > 0")
            }
        default:
            throw v.fail("method \(method.rawValue) cannot analyse metric \"\(metric.name)\" of this kind")
        }
    }

    /// `method: {external: {command: [PROGRAM, ARGS...], engine: NAME, config: {...},
    /// timeout_seconds: 60, max_restarts: 3}}`: an external stats engine (README, "Testing
    /// your own stats engine"). The config is kept as canonical JSON (keys sorted).
    static func externalEngine(_ v: Value) throws(ScenarioError) -> ExternalEngineSpec {
        let (_, inner) = try v.single(of: ["external"])
        let o = try inner.object(allowed: ["command", "engine", "config", "timeout_seconds", "max_restarts"])
        var command: [String] = []
        for item in try o.required("command").nonEmptyList() {
            let s = try item.string()
            guard !s.isEmpty else { throw item.fail("expected a non-empty program name or argument") }
            command.append(s)
        }
        let engine = try o.required("engine").identifier()
        var config = "{}"
        if let c = o.optional("config") {
            guard case .mapping = c.node.kind else { throw c.expected("a mapping (sent to the engine as JSON)") }
            config = try jsonText(c)
        }
        let timeout = try o.optional("timeout_seconds")?.double(in: 0, 3600, open: true) ?? 60
        let restarts = try o.optional("max_restarts")?.int(in: 0...100) ?? 3
        return ExternalEngineSpec(command: command, engine: engine, configJSON: config, timeoutSeconds: timeout, maxRestarts: restarts)
    }

    /// A YAML value as canonical JSON text (mapping keys sorted, numbers as written).
    static func jsonText(_ v: Value) throws(ScenarioError) -> String {
        func quote(_ s: String) -> String {
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "\r": out += "\\r"
                default:
                    if u.value < 0x20 { out += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16) } else { out.unicodeScalars.append(u) }
                }
            }
            return out + "\""
        }
        switch v.node.kind {
        case let .scalar(text, type):
            switch type {
            case .null: return "null"
            case .bool: return try v.bool() ? "true" : "false"
            case .int: return String(try v.int())
            case .float: return "\(try v.double())"
            case .string: return quote(text)
            }
        case .sequence:
            var parts: [String] = []
            for item in try v.list() { parts.append(try jsonText(item)) }
            return "[" + parts.joined(separator: ",") + "]"
        case .mapping:
            var parts: [String] = []
            for (key, value) in try v.entries().sorted(by: { $0.key < $1.key }) { parts.append(quote(key) + ":" + (try jsonText(value))) }
            return "{" + parts.joined(separator: ",") + "}"
        }
    }

    static func contrast(_ v: Value, experiment: ExperimentSpec) throws(ScenarioError) -> Contrast {
        if case .scalar = v.node.kind {
            guard try v.string() == "each_vs_control" else { throw v.fail("expected each_vs_control, {main_effect: F} or {interaction: [A, B]}") }
            return .eachVariantVsControl
        }
        let (kind, value) = try v.single(of: ["main_effect", "interaction"])
        func factor(_ x: Value) throws(ScenarioError) -> String {
            let name = try x.string()
            guard experiment.factors.contains(where: { $0.name == name }) else {
                throw x.fail("unknown factor \"\(name)\"; the experiment's factors are: \(experiment.factors.map(\.name).joined(separator: ", "))")
            }
            return name
        }
        if kind == "main_effect" { return .mainEffect(factor: try factor(value)) }
        let pair = try value.list()
        guard pair.count == 2 else { throw value.fail("expected a list of two factors") }
        let a = try factor(pair[0]), b = try factor(pair[1])
        guard a != b else { throw value.fail("expected two different factors") }
        return .interaction(a, b)
    }

    // MARK: gates

    static func gate(_ v: Value, study: Study, factors: [String]) throws(ScenarioError) -> GateSpec {
        let o = try v.object(allowed: SchemaKeys.gate)
        let mv = try o.required("measure")
        guard let measure = Measure(rawValue: try mv.string()) else {
            throw mv.fail("unknown measure \"\(try mv.string())\"; expected one of: \(Measure.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard study.measures.contains(measure) else { throw mv.fail("the scenario's measures do not include \(measure.rawValue)") }
        let av = try o.required("analysis")
        let analysis = try av.string()
        guard study.analyses.contains(where: { $0.id == analysis }) || (study.family != nil && analysis == "family") else {
            throw av.fail("unknown analysis \"\(analysis)\"; expected one of: \(study.analyses.map(\.id).joined(separator: ", "))")
        }
        var comparison: String? = nil
        if let c = o.optional("comparison") {
            let name = try c.string()
            let familyPolicies = study.family?.policies.map(\.description) ?? []
            guard study.experiment.variants.dropFirst().contains(where: { $0.name == name }) || study.experiment.factors.contains(where: { $0.name == name })
                    || familyPolicies.contains(name) else {
                throw c.fail("unknown comparison \"\(name)\"; expected a non-control variant")
            }
            comparison = name
        }
        var cells: [String: String] = [:]
        if let c = o.optional("cell") {
            for (k, value) in try c.entries() {
                guard factors.contains(k) else { throw value.fail("\"\(k)\" is not a swept key path") }
                cells[k] = try scalarText(value)
            }
        }
        let z = try o.optional("z")?.positive() ?? 3
        let rules = ["at_most", "at_least", "near"].filter { o.has($0) }
        guard rules.count == 1 else { throw v.fail("expected exactly one of at_most, at_least or near") }
        let rule: GateSpec.Rule
        switch rules[0] {
        case "at_most", "at_least":
            if o.has("within_mcse") { throw try o.required("within_mcse").fail("within_mcse goes with near") }
            let value = try o.required(rules[0]).double()
            let tol = try o.optional("tolerance")?.double(in: 0, .greatestFiniteMagnitude) ?? 0
            rule = rules[0] == "at_most" ? .atMost(value, tolerance: tol) : .atLeast(value, tolerance: tol)
        default:
            if o.has("tolerance") { throw try o.required("tolerance").fail("tolerance goes with at_most / at_least; near uses within_mcse") }
            rule = .near(try o.required("near").double(), withinMCSE: try o.optional("within_mcse")?.positive() ?? 3)
        }
        return GateSpec(measure: measure, analysis: analysis, comparison: comparison, cells: cells, rule: rule, z: z)
    }
}
