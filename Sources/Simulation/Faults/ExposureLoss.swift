import Distributions

/// Exposure loss in one arm (`faults: [{kind: exposure_loss, arm: treatment, fraction: 0.2}]`):
/// each unit of `arm` is served but its exposure is never logged with probability `fraction`
/// (a redirect that drops the tracking call, a client that crashes before logging). With
/// `metric` and `below`, only units whose outcome on that metric is below `below` can be lost
/// — loss correlated with the outcome, as when a slower treatment page loses impatient,
/// low-value users.
///
/// Truth: unchanged (the estimand is the effect in the population served). What it changes:
/// the logged arm sizes (the SRM check's χ² against the design weights), and — when the loss
/// depends on the outcome — the estimate, which is biased away from the truth. Random loss
/// leaves the estimate unbiased with a smaller sample.
public struct ExposureLoss: Fault {
    public var kind: String { "exposure_loss" }
    public let arm: Int
    public let fraction: Double
    /// Only units whose outcome on this metric (index) is below `below` can be lost.
    public let condition: (metric: Int, below: Double)?

    public init(arm: Int, fraction: Double, condition: (metric: Int, below: Double)? = nil) {
        self.arm = arm
        self.fraction = fraction
        self.condition = condition
    }

    /// Builds the fault from its scenario entry: `arm` (default `treatment`, else the second
    /// variant), `fraction` in [0, 1], optional `metric` (a once-observed metric) and `below`.
    public static func make(_ c: ComponentConfig, _ study: Study) throws(SimulationError) -> any Fault {
        try c.checkKeys(["arm", "fraction", "metric", "below"])
        let fallback = study.experiment.variants.count > 1 ? study.experiment.variants[1].name : "treatment"
        let arm = try c.arm("arm", in: study, default: study.experiment.variants.contains { $0.name == "treatment" } ? "treatment" : fallback)
        let fraction = try c.number("fraction", in: 0...1)
        var condition: (Int, Double)? = nil
        if c.parameters["metric"] != nil || c.parameters["below"] != nil {
            let name = try c.string("metric")
            guard let m = study.metrics.firstIndex(where: { $0.name == name }) else {
                throw SimulationError(keyPath: "\(c.keyPath).metric", "unknown metric \"\(name)\"; expected one of: \(study.metrics.map(\.name).joined(separator: ", "))")
            }
            guard !study.metrics[m].isDaily else {
                throw SimulationError(keyPath: "\(c.keyPath).metric", "a loss that depends on the outcome needs a metric observed once")
            }
            condition = (m, try c.number("below"))
        }
        return ExposureLoss(arm: arm, fraction: fraction, condition: condition)
    }

    public func start(_ context: ReplicationContext, stream: RandomStream) -> any FaultRun { Run(self, stream) }

    final class Run: FaultRun {
        let fault: ExposureLoss
        let stream: RandomStream
        init(_ fault: ExposureLoss, _ stream: RandomStream) {
            self.fault = fault
            self.stream = stream
        }

        func apply(period: Period, units: Range<Int>, table: ColumnTable) {
            let arm = table.arm, logged = table.loggedArm, target = Int32(fault.arm)
            let outcome = fault.condition.map { table.outcome[$0.metric] }
            for i in units where arm[i] == target {
                // One draw per unit of the arm, whether or not it is eligible, so the stream's
                // use does not depend on the outcomes.
                let u = stream.uniform()
                if let c = fault.condition, let y = outcome, !(y[i] < c.below) { continue }
                if u < fault.fraction { logged[i] = -1 }
            }
        }
    }
}
