/// Names the harness accepts, shared with the scenario parser.
public enum SimulationDefaults {
    /// The hash schemes of the Assignment module.
    public static let hashSchemes = ["sha256", "growthbook_v1", "growthbook_v2", "statsig", "eppo", "optimizely"]
}
