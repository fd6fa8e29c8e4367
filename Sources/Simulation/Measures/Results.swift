/// The measured performance of one comparison of one analysis in one cell.
public struct ComparisonSummary: Codable, Equatable, Sendable {
    public let analysis: String
    public let comparison: String
    public let method: String
    public let policy: String
    /// The true value of the estimand (nil for the SRM check).
    public let truth: Double?
    /// Replications analysed successfully (R in the MCSE formulas).
    public let replications: Int
    /// Replications whose data could not be analysed, by status (excluded from R).
    public let failed: [String: Int]
    public let measures: [MeasureValue]
    /// Counts of the final-look p-values in 20 equal bins of [0, 1] (uniform under H0 for a
    /// valid test).
    public let pValueHistogram: [Int]
    /// How many replications stopped with a rejection at each look (sequential policies).
    public let rejectionsByLook: [Int]
    /// What the truth is (nil for the SRM check and family policies): the contrast and the
    /// outcome components' estimands it was computed from.
    public var estimand: String? = nil
    /// External analyses: the engine's handshake (name, version, protocol, statistics asked for).
    public var engine: EngineInfo? = nil
    /// The first 100 analysed replications' intervals, for the coverage zip plot; nil in
    /// results written before it existed.
    public var intervalSample: [IntervalDraw]? = nil
    /// Regret analyses of a bandit: the mean weight the allocator gave the best arm in each update
    /// period, with its MCSE (allocation over time); nil otherwise.
    public var bestArmWeightByPeriod: [PeriodWeight]? = nil

    public func value(_ m: Measure) -> MeasureValue? { measures.first { $0.measure == m } }
}

/// The mean over replications of the best arm's weight in one update period of a bandit
/// (period 0 is the initial split), with its MCSE sd/√R.
public struct PeriodWeight: Codable, Equatable, Sendable {
    public let period: Int
    /// The day the period starts (0 for the first; a period ends at an update or a look).
    public var startDay: Double? = nil
    public let estimate: Double
    public let mcse: Double?
    public let replications: Int
}

/// One replication's interval and the truth it should cover (the coverage zip plot).
public struct IntervalDraw: Codable, Equatable, Sendable {
    public let replication: Int
    public let estimate: Double
    public let lower: Double
    public let upper: Double
    public let truth: Double

    public init(replication: Int, estimate: Double, lower: Double, upper: Double, truth: Double) {
        self.replication = replication
        self.estimate = estimate
        self.lower = lower
        self.upper = upper
        self.truth = truth
    }
}

/// One performance measure with its Monte Carlo standard error.
public struct MeasureValue: Codable, Equatable, Sendable {
    public let measure: Measure
    public let estimate: Double
    public let mcse: Double?
    public let replications: Int
}

/// The results of one cell.
public struct CellResult: Codable, Equatable, Sendable {
    public let index: Int
    public let label: String
    /// Swept key path and value, in factor order.
    public let factors: [FactorValue]
    public let comparisons: [ComparisonSummary]
    /// The cell's key (hex): the hash of its factor values that its random streams and
    /// assignment salts derive from.
    public var key: String = ""
    /// Replications whose analysis could not run, by index (the first
    /// ``CellResult/failureListLimit``), so `splitbench replay` can re-run any of them.
    public var failures: [ReplicationFailure] = []

    /// How many failures a cell lists by index.
    public static let failureListLimit = 100
}

/// A replication whose analysis could not run, and why.
public struct ReplicationFailure: Codable, Equatable, Sendable {
    public let replication: Int
    public let analysis: String
    public let comparison: String
    /// The Analysis module's status code (`empty_arm`, `zero_variance`, …).
    public let status: String
    /// External engines: the failure's message (timeout, exit status and stderr, the answer
    /// that broke the protocol, or the engine's own message).
    public var message: String? = nil
}

public struct FactorValue: Codable, Equatable, Sendable {
    public let key: String
    public let value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// One gate's verdict in one cell and comparison.
public struct GateResult: Codable, Equatable, Sendable {
    public let statement: String
    public let cell: String
    public let analysis: String
    public let comparison: String
    public let measure: Measure
    public let estimate: Double?
    public let mcse: Double?
    /// The bound compared with the gate's limit (for `near`: the distance in MCSE units).
    public let bound: Double?
    public let passed: Bool
    public let message: String
}

/// Everything a run of one scenario produced.
public struct ScenarioResult: Codable, Equatable, Sendable {
    public let scenario: String
    public let description: String
    public let file: String
    public let scenarioHash: String
    public let seed: UInt64
    public let replications: Int
    public let factors: [String]
    public let cells: [CellResult]
    public let gates: [GateResult]
    /// How the run was made: not part of the statistical result (it differs between runs).
    public var run: RunInfo

    public init(scenario: String, description: String, file: String, scenarioHash: String, seed: UInt64, replications: Int,
                factors: [String], cells: [CellResult], gates: [GateResult], run: RunInfo) {
        self.scenario = scenario
        self.description = description
        self.file = file
        self.scenarioHash = scenarioHash
        self.seed = seed
        self.replications = replications
        self.factors = factors
        self.cells = cells
        self.gates = gates
        self.run = run
    }

    public var gatesPassed: Bool { gates.allSatisfy(\.passed) }
}

/// Provenance and timing of a run.
public struct RunInfo: Codable, Equatable, Sendable {
    public var splitbenchVersion: String
    public var gitCommit: String?
    public var swiftVersion: String
    public var gslVersion: String
    public var threads: Int
    public var startedAt: String
    public var wallSeconds: Double
    public var cellSeconds: [Double]
    /// The machines that ran the replications: one for a single run, one per shard (in slice
    /// order) for a merge. Absent in results written before sharding existed.
    public var hosts: [String]?
    /// A merge only: each shard's wall time, in slice order.
    public var shardSeconds: [Double]?

    public init(splitbenchVersion: String, gitCommit: String?, swiftVersion: String, gslVersion: String, threads: Int,
                startedAt: String, wallSeconds: Double, cellSeconds: [Double], hosts: [String]? = nil, shardSeconds: [Double]? = nil) {
        self.hosts = hosts
        self.shardSeconds = shardSeconds
        self.splitbenchVersion = splitbenchVersion
        self.gitCommit = gitCommit
        self.swiftVersion = swiftVersion
        self.gslVersion = gslVersion
        self.threads = threads
        self.startedAt = startedAt
        self.wallSeconds = wallSeconds
        self.cellSeconds = cellSeconds
    }
}
