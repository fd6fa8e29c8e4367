import Distributions

/// What an outcome component may look at for one unit.
public struct UnitContext: Sendable {
    /// The unit's index (its arrival rank).
    public var index: Int
    /// The unit's arm (variant index; 0 is the control).
    public var arm: Int
    /// The level index of each segment attribute, in `PopulationSpec.segments` order.
    public var segmentLevels: [Int]
    /// Arrival time in days since the start.
    public var arrivalDay: Double
    /// The unit's cluster (for cluster randomisation and network interference); 0 when the
    /// design has no clusters.
    public var cluster: Int
    /// Whether the unit is bot traffic (set by a bot fault model); false otherwise.
    public var isBot: Bool
    /// The unit's latent N(0, 1) factor shared by its correlated metrics (0 when none is).
    public var latent: Double = 0
    /// The calendar day (days since the start) the outcome belongs to.
    public var calendarDay: Double = 0
    /// Days since the unit's first exposure (0 at exposure).
    public var daysSinceExposure: Double = 0
    /// The exposure map: the treated share of the unit's neighbours (0 without a graph).
    public var treatedNeighbourShare: Double = 0
    /// The unit's region (switchbacks); 0 when the population has none.
    public var region: Int = 0
    /// Switchbacks: the arm of the unit's region in the previous window (−1: none, or not a
    /// switchback) and the days since the current window started.
    public var previousArm: Int = -1
    public var sinceSwitch: Double = .infinity

    public init(index: Int = 0, arm: Int = 0, segmentLevels: [Int] = [], arrivalDay: Double = 0, cluster: Int = 0, isBot: Bool = false) {
        self.index = index
        self.arm = arm
        self.segmentLevels = segmentLevels
        self.arrivalDay = arrivalDay
        self.cluster = cluster
        self.isBot = isBot
    }
}

/// A shift of a unit's mean parameter: μ ↦ μ·(1 + relative) + absolute.
public struct MeanShift: Equatable, Sendable {
    public var absolute: Double = 0
    public var relative: Double = 0

    public init(absolute: Double = 0, relative: Double = 0) {
        self.absolute = absolute
        self.relative = relative
    }

    public var isZero: Bool { absolute == 0 && relative == 0 }

    public func applied(to mu: Double) -> Double { mu * (1 + relative) + absolute }
}

/// One metric's data-generating mechanism: the control distribution, the adjustments, and the
/// pre-period covariate.
///
/// Potential outcomes: each unit has a control outcome Y(0) drawn from the metric's
/// distribution; its outcome under a shift μ ↦ μ' is
/// - binary: Y = 1[u < p'] with the same uniform u as Y(0) = 1[u < p] (monotone coupling);
/// - continuous: Y = Y(0)·(1 + r) + a;
/// - count: Y = Y(0) + Poisson(μ' − μ) when μ' > μ, else a Binomial(Y(0), μ'/μ) thinning —
///   E[Y] = μ' exactly (for a Poisson metric Y is exactly Poisson(μ'));
/// - ratio: denominator X ~ its distribution, numerator Y ~ Binomial(X, rate').
///
/// The pre-period value equals Y(0) with probability ρ and is otherwise an independent draw
/// from the same distribution, so corr(X_pre, Y(0)) = ρ exactly for every kind of metric and
/// CUPED's variance reduction is ρ² (Deng et al. 2013).
public final class MetricGenerator: Sendable {
    public let spec: MetricSpec
    public let adjustments: [any OutcomeComponent]
    /// Per arm, the total shift when every adjustment is constant for that arm (the common
    /// case), so the hot loop skips the per-unit calls; nil where a shift depends on the unit.
    let fixedShift: [MeanShift?]
    let binary: Double?
    let distribution: (spec: OutcomeDistribution, sampler: PreparedDistribution)?
    let ratio: (denominator: PreparedDistribution, rate: Double)?
    let rho: Double
    /// √ρ and √(1 − ρ) of the shared latent factor (normal metrics), or nil.
    let loading: (shared: Double, own: Double)?

    /// A copy with its own storage. Each replication draws from private copies so that worker
    /// threads never touch (and never contend on the reference counts of) the same objects.
    public func privateCopy() -> MetricGenerator {
        MetricGenerator(copying: self)
    }

    /// A private copy whose components are started for one replication
    /// (``OutcomeComponent/started(_:stream:)``), each needing it with the stream of `purposes`
    /// (one per adjustment, in order).
    func started(_ context: ReplicationContext, purposes: [StreamPurpose?]) -> MetricGenerator {
        let g = MetricGenerator(copying: self)
        guard purposes.contains(where: { $0 != nil }) else { return g }
        return MetricGenerator(copying: g, adjustments: zip(adjustments, purposes).map { a, p in
            p.map { a.started(context, stream: context.stream($0)) } ?? a
        })
    }

    private init(copying g: MetricGenerator, adjustments replaced: [any OutcomeComponent]? = nil) {
        spec = g.spec
        adjustments = replaced ?? g.adjustments.map { $0 }
        fixedShift = g.fixedShift.map { $0 }
        binary = g.binary
        distribution = g.distribution
        ratio = g.ratio
        rho = g.rho
        loading = g.loading
    }

    /// Throws when a distribution parameter is invalid. `arms` is the number of variants.
    public init(spec: MetricSpec, adjustments: [any OutcomeComponent], arms: Int) throws(DistributionError) {
        self.spec = spec
        self.adjustments = adjustments
        fixedShift = (0..<arms).map { arm in
            var total = MeanShift()
            for a in adjustments {
                guard let c = a.constantShift(forArm: arm) else { return nil }
                total.absolute += c.absolute
                total.relative += c.relative
            }
            return total
        }
        rho = spec.prePeriodCorrelation
        let c = spec.sharedFactorCorrelation
        loading = c > 0 ? (c.squareRoot(), (1 - c).squareRoot()) : nil
        switch spec.kind {
        case let .binary(p): binary = p; distribution = nil; ratio = nil
        case let .distribution(d): binary = nil; distribution = (d, try PreparedDistribution(d)); ratio = nil
        case let .ratio(den, rate): binary = nil; distribution = nil; ratio = (try PreparedDistribution(den), rate)
        }
    }

    /// For a binary metric whose every arm's shift is constant and with no pre-period
    /// covariate (ρ = 0): per arm, the success probability p′ = clamp(shift(p), 0, 1), so that
    /// ``draw(_:_:)`` is exactly `(u < p′ ? 1 : 0, 0)` for one uniform u. Nil otherwise. The
    /// fused fast path uses it to count successes instead of calling `draw` per unit.
    public var binaryThresholds: [Double]? {
        guard let p = binary, rho == 0 else { return nil }
        var out: [Double] = []
        for shift in fixedShift {
            guard let shift else { return nil }
            out.append(shift.isZero ? p : min(max(shift.applied(to: p), 0), 1))
        }
        return out
    }

    /// Draws (outcome, covariate) for one unit: the covariate is the pre-period value, or the
    /// denominator for a ratio metric, or 0.
    @inline(__always)
    public func draw(_ unit: borrowing UnitContext, _ s: RandomStream) -> (y: Double, x: Double) {
        var shift: MeanShift
        if let fixed = fixedShift[unit.arm] {
            shift = fixed
        } else {
            shift = MeanShift()
            let context = copy unit
            for a in adjustments { a.addShift(for: context, to: &shift) }
        }
        if let p = binary {
            let u = s.uniform()
            let p1 = shift.isZero ? p : min(max(shift.applied(to: p), 0), 1)
            let y: Double = u < p1 ? 1 : 0
            var x = 0.0
            if rho > 0 { x = s.uniform() < rho ? (u < p ? 1 : 0) : (s.uniform() < p ? 1 : 0) }
            return (y, x)
        }
        if let (d, sampler) = distribution {
            var y0: Double
            if let l = loading, case let .normal(mean, sd) = d {
                y0 = mean + sd * (l.shared * unit.latent + l.own * s.standardNormal())
            } else {
                y0 = sampler.draw(s)
            }
            var y = y0
            if !shift.isZero {
                if d.isCount {
                    let mu = d.mean, mu1 = max(shift.applied(to: mu), 0)
                    if mu1 > mu {
                        y = y0 + Double(CountDraws.poisson(mu1 - mu, s))
                    } else if mu1 < mu {
                        y = Double(CountDraws.binomial(Int(y0), mu1 / mu, s))
                    }
                } else {
                    y = y0 * (1 + shift.relative) + shift.absolute
                }
            }
            var x = 0.0
            if rho > 0 { x = s.uniform() < rho ? y0 : sampler.draw(s) }
            return (y, x)
        }
        if let r = ratio {
            let x = r.denominator.draw(s)
            let rate = shift.isZero ? r.rate : min(max(shift.applied(to: r.rate), 0), 1)
            let y = Double(CountDraws.binomial(Int(x), rate, s))
            return (y, x)
        }
        return (0, 0)
    }

    /// The population mean of the outcome for an arm whose shift is `shift` (the true value
    /// behind bias and coverage).
    public func mean(under shift: MeanShift) -> Double {
        switch spec.kind {
        case let .binary(p): return min(max(shift.applied(to: p), 0), 1)
        case let .distribution(d):
            return d.isCount ? max(shift.applied(to: d.mean), 0) : shift.applied(to: d.mean)
        case let .ratio(_, rate): return min(max(shift.applied(to: rate), 0), 1)
        }
    }
}

/// A distribution with its parameters validated once (so the hot loop never throws).
enum PreparedDistribution: Sendable {
    case normal(Normal)
    case lognormal(LogNormal)
    case gamma(GammaDistribution)
    case poisson(Poisson)
    case negativeBinomial(NegativeBinomial)

    init(_ d: OutcomeDistribution) throws(DistributionError) {
        switch d {
        case let .normal(m, sd): self = .normal(try Normal(mu: m, sigma: sd))
        case let .lognormal(mu, sigma): self = .lognormal(try LogNormal(mu: mu, sigma: sigma))
        case let .gamma(k, theta): self = .gamma(try GammaDistribution(shape: k, scale: theta))
        case let .poisson(m): self = .poisson(try Poisson(mean: m))
        case let .negativeBinomial(m, size): self = .negativeBinomial(try NegativeBinomial(mean: m, size: size))
        }
    }

    @inline(__always)
    func draw(_ s: RandomStream) -> Double {
        switch self {
        case let .normal(d): return d.sample(using: s)
        case let .lognormal(d): return d.sample(using: s)
        case let .gamma(d): return d.sample(using: s)
        case let .poisson(d): return Double(d.sample(using: s))
        case let .negativeBinomial(d): return Double(d.sample(using: s))
        }
    }
}

/// Draws used to apply a shift to a count outcome and to draw a ratio's numerator.
enum CountDraws {
    /// Poisson(μ) for μ ≥ 0.
    static func poisson(_ mu: Double, _ s: RandomStream) -> Int {
        guard mu > 0, let d = try? Poisson(mean: mu) else { return 0 }
        return d.sample(using: s)
    }

    /// Binomial(k, p) for k ≥ 0, p ∈ [0, 1].
    static func binomial(_ k: Int, _ p: Double, _ s: RandomStream) -> Int {
        guard k > 0, p > 0 else { return 0 }
        guard p < 1 else { return k }
        guard let d = try? Binomial(n: UInt32(clamping: k), p: p) else { return 0 }
        return d.sample(using: s)
    }
}
