/// The allowed keys of every mapping in a scenario file, one line per nesting level. Each
/// mapping is read with `object(allowed:)`, which rejects any other key with the file, its key
/// path and line, and this list; so a new key is one line here (and one in the README's
/// "Scenario file reference"). The stage mappings (`design`, `faults[]`, `components[]`) are
/// checked by their own stage's `checkKeys` in the Simulation registry.
/// `ScenarioParsingTests.typoAtEveryLevel` puts a typo at each level and checks its key path.
enum SchemaKeys {
    static let top = ["schema", "id", "description", "seed", "replications", "population", "metrics",
                      "experiment", "effects", "analyses", "family", "looks", "sweep", "measures", "gates",
                      "design", "faults", "components"]
    static let population = ["units", "days", "arrivals", "segments", "attributes", "clusters", "regions", "bots"]
    static let clusters = ["count", "sizes", "graph"]
    static let graph = ["degree", "within_share"]
    static let regions = ["count"]
    static let bots = ["share"]
    static let metric = ["name", "kind", "baseline", "distribution", "denominator", "rate", "pre_period_correlation",
                         "shared_factor_correlation", "observe"]
    static let normal = ["mean", "sd"]
    static let lognormal = ["mu", "sigma"]
    static let gamma = ["shape", "scale"]
    static let poisson = ["mean"]
    static let negativeBinomial = ["mean", "size"]
    static let experiment = ["hash", "variants", "factors", "allocation", "assignment", "ruleset", "analyse"]
    static let family = ["metrics", "correlation", "effect_fraction", "effect", "alpha", "policies"]
    static let effect = ["absolute", "relative", "by_segment"]
    static let segmentEffect = ["absolute", "relative"]
    static let analysis = ["id", "metric", "method", "estimand", "alpha", "alternative", "policy", "contrast",
                           "where", "from_day", "exclude", "winsorize", "stratify", "estimand_in",
                           "min_deviation", "guard", "level", "covariate"]
    static let exclude = ["metric", "above"]
    static let winsorize = ["lower", "upper"]
    static let groupSequential = ["spending", "rho", "planned_units"]
    static let msprt = ["tau2"]
    static let confidenceSequence = ["n_star"]
    static let bayesStop = ["threshold"]
    static let gate = ["measure", "analysis", "comparison", "cell", "at_most", "at_least", "near", "tolerance", "within_mcse", "z"]
}
