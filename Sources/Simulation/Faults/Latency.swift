import Distributions

/// Late-arriving exposures (`faults: [{kind: latency, arm: treatment, share: 0.5, days: 2}]`):
/// with probability `share`, a unit's exposure (and its data) reaches the analysis `days`
/// days after it arrived; without `arm`, units of every arm can be late. A look at time t sees
/// only the units whose data has landed by t; data due after the experiment's end is never
/// seen.
///
/// Truth: unchanged. What it changes: the logged arm sizes at a look (when only one arm is
/// late, the SRM check flags the look although the randomisation is sound), and the sample at
/// interim looks. Delays independent of the outcome leave the estimate unbiased.
public struct Latency: Fault {
    public var kind: String { "latency" }
    /// The arm whose data is late, or nil for every arm.
    public let arm: Int?
    public let share: Double
    public let days: Double

    public init(arm: Int?, share: Double, days: Double) {
        self.arm = arm
        self.share = share
        self.days = days
    }

    /// Builds the fault from its scenario entry: optional `arm`, `share` in [0, 1], `days` ≥ 0.
    public static func make(_ c: ComponentConfig, _ study: Study) throws(SimulationError) -> any Fault {
        try c.checkKeys(["arm", "share", "days"])
        let arm: Int? = c.parameters["arm"] == nil ? nil : try c.arm("arm", in: study)
        return Latency(arm: arm, share: try c.number("share", in: 0...1), days: try c.number("days", in: 0...3650))
    }

    public func start(_ context: ReplicationContext, stream: RandomStream) -> any FaultRun { Run(self, stream) }

    final class Run: FaultRun {
        let fault: Latency
        let stream: RandomStream
        init(_ fault: Latency, _ stream: RandomStream) {
            self.fault = fault
            self.stream = stream
        }

        func apply(period: Period, units: Range<Int>, table: ColumnTable) {
            let arm = table.arm, day = table.loggedDay
            for i in units where arm[i] >= 0 && (fault.arm == nil || Int(arm[i]) == fault.arm) {
                if stream.uniform() < fault.share { day[i] += fault.days }
            }
            table.hasLatency = true
        }
    }
}
