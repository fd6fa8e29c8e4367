import Foundation

/// A parameter value of a stage as written in a scenario.
public indirect enum ComponentValue: Sendable, Equatable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case list([ComponentValue])
    case map([String: ComponentValue])
}

/// A stage's entry in a scenario (`faults: [{kind: exposure_loss, arm: treatment, fraction:
/// 0.02}]`): its kind, its parameters, and the key path every error must name.
public struct ComponentConfig: Sendable, Equatable {
    public let kind: String
    /// Where the entry sits in the scenario (`faults[0]`).
    public let keyPath: String
    public let parameters: [String: ComponentValue]

    public init(kind: String, keyPath: String, parameters: [String: ComponentValue]) {
        self.kind = kind
        self.keyPath = keyPath
        self.parameters = parameters
    }

    func fail(_ key: String, _ message: String) -> SimulationError {
        SimulationError(keyPath: "\(keyPath).\(key)", message)
    }

    /// Rejects keys other than `allowed` (and `kind`).
    public func checkKeys(_ allowed: [String]) throws(SimulationError) {
        for key in parameters.keys.sorted() where !allowed.contains(key) {
            throw fail(key, "unknown key for a \(kind); expected one of: \((["kind"] + allowed).joined(separator: ", "))")
        }
    }

    /// A number in `range` (inclusive), or `fallback` when absent (required when nil).
    public func number(_ key: String, default fallback: Double? = nil, in range: ClosedRange<Double>? = nil) throws(SimulationError) -> Double {
        guard let v = parameters[key] else {
            if let fallback { return fallback }
            throw fail(key, "required key is missing")
        }
        guard case let .number(x) = v, x.isFinite else { throw fail(key, "expected a number") }
        if let range, !range.contains(x) { throw fail(key, "expected a number in [\(range.lowerBound), \(range.upperBound)], got \(x)") }
        return x
    }

    /// A string, or `fallback` when absent (required when nil).
    public func string(_ key: String, default fallback: String? = nil) throws(SimulationError) -> String {
        guard let v = parameters[key] else {
            if let fallback { return fallback }
            throw fail(key, "required key is missing")
        }
        guard case let .string(s) = v else { throw fail(key, "expected a string") }
        return s
    }

    /// A distribution written as in a metric (`{lognormal: {mu: 5, sigma: 1.5}}`, `{normal:
    /// {mean, sd}}`, `{gamma: {shape, scale}}`, `{poisson: {mean}}`, `{negative_binomial: {mean,
    /// size}}`), with positive scale parameters.
    public func distribution(_ key: String) throws(SimulationError) -> OutcomeDistribution {
        let path = "\(keyPath).\(key)"
        guard case let .map(m)? = parameters[key], m.count == 1, let (kind, value) = m.first, case let .map(p) = value else {
            throw SimulationError(keyPath: path, "expected one of {normal: {mean, sd}}, {lognormal: {mu, sigma}}, {gamma: {shape, scale}}, {poisson: {mean}}, {negative_binomial: {mean, size}}")
        }
        func number(_ name: String, positive: Bool) throws(SimulationError) -> Double {
            guard case let .number(x)? = p[name], x.isFinite, !positive || x > 0 else {
                throw SimulationError(keyPath: "\(path).\(kind).\(name)", positive ? "expected a number > 0" : "expected a number")
            }
            return x
        }
        let allowed: [String: [String]] = ["normal": ["mean", "sd"], "lognormal": ["mu", "sigma"], "gamma": ["shape", "scale"],
                                           "poisson": ["mean"], "negative_binomial": ["mean", "size"]]
        guard let keys = allowed[kind] else { throw SimulationError(keyPath: "\(path).\(kind)", "unknown distribution; expected one of: \(allowed.keys.sorted().joined(separator: ", "))") }
        for k in p.keys.sorted() where !keys.contains(k) {
            throw SimulationError(keyPath: "\(path).\(kind).\(k)", "unknown key; expected one of: \(keys.joined(separator: ", "))")
        }
        switch kind {
        case "normal": return .normal(mean: try number("mean", positive: false), sd: try number("sd", positive: true))
        case "lognormal": return .lognormal(mu: try number("mu", positive: false), sigma: try number("sigma", positive: true))
        case "gamma": return .gamma(shape: try number("shape", positive: true), scale: try number("scale", positive: true))
        case "poisson": return .poisson(mean: try number("mean", positive: true))
        default: return .negativeBinomial(mean: try number("mean", positive: true), size: try number("size", positive: true))
        }
    }

    /// The index of the arm named by `key` among `study`'s variants.
    public func arm(_ key: String, in study: Study, default fallback: String? = nil) throws(SimulationError) -> Int {
        let name = try string(key, default: fallback)
        guard let i = study.experiment.variants.firstIndex(where: { $0.name == name }) else {
            throw fail(key, "unknown variant \"\(name)\"; expected one of: \(study.experiment.variants.map(\.name).joined(separator: ", "))")
        }
        return i
    }
}

/// The `kind:` names a scenario may use for designs, faults and outcome components, and how
/// each is built from its parameters. A new stage is one file that defines the type and a
/// `make` function, plus one line in ``StageRegistry/builtIn``; a test target (or an embedding
/// application) can ``register(design:_:)`` more at run time.
public final class StageRegistry: @unchecked Sendable {
    public typealias DesignMaker = @Sendable (ComponentConfig, Study) throws(SimulationError) -> any Design
    public typealias FaultMaker = @Sendable (ComponentConfig, Study) throws(SimulationError) -> any Fault
    public typealias ComponentMaker = @Sendable (ComponentConfig, Study) throws(SimulationError) -> MetricComponent

    private let lock = NSLock()
    private var designs: [String: DesignMaker] = [:]
    private var faults: [String: FaultMaker] = [:]
    private var components: [String: ComponentMaker] = [:]

    /// The registry the scenario parser reads.
    public static let shared: StageRegistry = {
        let r = StageRegistry()
        r.builtIn()
        return r
    }()

    /// The stages that ship with SplitBench.
    func builtIn() {
        register(design: "fixed_split") { (config, study) throws(SimulationError) in
            try config.checkKeys([])
            return try FixedSplit(study)
        }
        register(design: "percent_ranges_bug", PercentRangesBug.make)
        register(design: "ramp", Ramp.make)
        register(design: "switchback", SwitchbackDesign.make)
        register(design: "cluster", ClusterDesign.make)
        register(design: "bandit", BanditDesign.make)
        register(design: "holdout", LongTermHoldout.make)
        register(design: "stratified", StratifiedDesign.make)
        register(fault: "exposure_loss", ExposureLoss.make)
        register(fault: "latency", Latency.make)
        register(fault: "broken_stickiness", BrokenStickiness.make)
        register(component: "novelty", Novelty.make)
        register(component: "seasonality", Seasonality.make)
        register(component: "bots", Bots.make)
        register(component: "region_series", RegionSeries.make)
        register(component: "carryover", Carryover.make)
        register(component: "interference", Interference.make)
        register(component: "cluster_effect", ClusterEffect.make)
        register(component: "launched_features", LaunchedFeatures.make)
    }

    public func register(design kind: String, _ make: @escaping DesignMaker) { lock.lock(); designs[kind] = make; lock.unlock() }
    public func register(fault kind: String, _ make: @escaping FaultMaker) { lock.lock(); faults[kind] = make; lock.unlock() }
    public func register(component kind: String, _ make: @escaping ComponentMaker) { lock.lock(); components[kind] = make; lock.unlock() }

    /// The registered kinds, sorted (for messages and the README).
    public var designKinds: [String] { lock.lock(); defer { lock.unlock() }; return designs.keys.sorted() }
    public var faultKinds: [String] { lock.lock(); defer { lock.unlock() }; return faults.keys.sorted() }
    public var componentKinds: [String] { lock.lock(); defer { lock.unlock() }; return components.keys.sorted() }

    private func maker<M>(_ table: [String: M], _ config: ComponentConfig, _ what: String, _ kinds: [String]) throws(SimulationError) -> M {
        lock.lock()
        let m = table[config.kind]
        lock.unlock()
        guard let m else {
            throw SimulationError(keyPath: "\(config.keyPath).kind",
                                  "unknown \(what) kind \"\(config.kind)\"; expected one of: \(kinds.isEmpty ? "(none registered)" : kinds.joined(separator: ", "))")
        }
        return m
    }

    public func makeDesign(_ config: ComponentConfig, study: Study) throws(SimulationError) -> any Design {
        try maker(designs, config, "design", designKinds)(config, study)
    }

    public func makeFault(_ config: ComponentConfig, study: Study) throws(SimulationError) -> any Fault {
        try maker(faults, config, "fault", faultKinds)(config, study)
    }

    public func makeComponent(_ config: ComponentConfig, study: Study) throws(SimulationError) -> MetricComponent {
        try maker(components, config, "outcome component", componentKinds)(config, study)
    }
}
