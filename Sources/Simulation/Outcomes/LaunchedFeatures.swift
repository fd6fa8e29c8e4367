import Analysis
import Distributions
import Foundation

/// One feature of a launch programme in one replication: its test, its decision and its truth.
public struct LaunchRecord: Sendable, Equatable {
    /// Quarter day its A/B test starts; it ships (if it does) at `start + test days`.
    public let start: Double
    /// Its long-run effect τ_f.
    public let effect: Double
    /// Its novelty bonus ν_f at exposure (0 for a feature without novelty).
    public let novelty: Double
    /// The test's Welch estimate and standard error.
    public let estimate: Double
    public let standardError: Double
    /// Whether it shipped: the two-sided test rejected at α with a positive estimate.
    public let shipped: Bool
}

/// A component that runs a programme of individual experiments in each replication.
public protocol LaunchProgramme {
    /// This replication's features, in launch order.
    var launches: [LaunchRecord] { get }
}

/// The features a team launched over a quarter, seen from a long-term holdout
/// (`components: [{kind: launched_features, metric: m, variant: launched, launches: K,
/// every_days: 7, test_days: 14, users_per_arm: n, effect: {mean, sd}, novelty: {share,
/// initial, half_life_days}, alpha: 0.05, readout_day: 91}]`).
///
/// In each replication feature f = 0…K−1 is tested from quarter day s_f = f·every_days for
/// `test_days` T on n users per arm of the non-held-out traffic. Its long-run effect is
/// τ_f ~ N(mean, sd²); with probability `share` it also has a novelty bonus ν = `initial` that
/// halves every h days, so t days after exposure its effect is τ_f + ν·2^(−t/h).
///
/// - **The test.** Its users are exposed at the start, so its mean effect over the window is
///   θ_f = τ_f + ν·ḡ with ḡ = (1/T)∫₀ᵀ 2^(−t/h) dt = h(1 − 2^(−T/h))/(T ln 2). Each arm's
///   sufficient statistics are drawn exactly for a normal metric N(μ, σ²): mean ~ N(μ (+θ_f),
///   σ²/n) and variance ~ σ²·χ²_{n−1}/(n−1), independent (a 10⁵-user test per feature would
///   otherwise dominate the run). The Analysis module's Welch test decides: ship when it
///   rejects at α with a positive estimate.
/// - **After shipping** at S_f = s_f + T the feature reaches every non-held-out user: on quarter
///   day d ≥ S_f the `variant` arm's mean gains τ_f + ν·2^(−(d − S_f)/h) (the novelty clock of
///   the launched population starts at launch).
/// - **The readout.** The study's population is the readout window: its day 0 is quarter day
///   `readout_day` (≥ every feature's ship day). The arm `variant` (the launched traffic) has
///   every shipped feature, the control (the holdout) none.
///
/// Truth: random per replication (which features shipped): the difference of the arm means over
/// the readout's units, computed by the engine from this replication's started component
/// (``OutcomeComponent/truthPerReplication``). `method: summed_lifts` sums the shipped tests'
/// estimates, the figure a team reports as the quarter's impact; its bias against the same truth
/// is the overstatement (winner's curse plus novelty read as lasting).
public struct LaunchedFeatures: OutcomeComponent, LaunchProgramme {
    public var kind: String { "launched_features" }
    public var estimand: String { "the shipped features' effect over the readout window (random per replication)" }
    public var dependsOnCalendarDay: Bool { true }
    public var needsStart: Bool { true }
    public var truthPerReplication: Bool { true }

    public let arm: Int
    public let count: Int
    public let everyDays: Double
    public let testDays: Double
    public let usersPerArm: Int
    public let effectMean: Double
    public let effectSD: Double
    public let noveltyShare: Double
    public let noveltyInitial: Double
    public let halfLife: Double
    public let alpha: Double
    public let readoutDay: Double
    /// The metric's normal distribution (μ, σ): the individual tests' outcome model.
    public let mean: Double
    public let sd: Double
    /// This replication's features (empty before ``started(_:stream:)``).
    public private(set) var launches: [LaunchRecord] = []

    public init(arm: Int, count: Int, everyDays: Double, testDays: Double, usersPerArm: Int, effectMean: Double, effectSD: Double,
                noveltyShare: Double, noveltyInitial: Double, halfLife: Double, alpha: Double, readoutDay: Double, mean: Double, sd: Double) {
        self.arm = arm
        self.count = count
        self.everyDays = everyDays
        self.testDays = testDays
        self.usersPerArm = usersPerArm
        self.effectMean = effectMean
        self.effectSD = effectSD
        self.noveltyShare = noveltyShare
        self.noveltyInitial = noveltyInitial
        self.halfLife = halfLife
        self.alpha = alpha
        self.readoutDay = readoutDay
        self.mean = mean
        self.sd = sd
    }

    /// ḡ = (1/T)∫₀ᵀ 2^(−t/h) dt, the mean novelty factor over a test of T days.
    public var testWindowFactor: Double {
        halfLife * (1 - Foundation.pow(2, -testDays / halfLife)) / (testDays * Foundation.log(2.0))
    }

    /// The shift of the launched arm on quarter day `day`: Σ over shipped features launched by
    /// then of τ_f + ν_f·2^(−(day − S_f)/h).
    public func launchedEffect(quarterDay day: Double) -> Double {
        var total = 0.0
        for f in launches where f.shipped {
            let age = day - (f.start + testDays)
            guard age >= 0 else { continue }
            total += f.effect + f.novelty * Foundation.pow(2, -age / halfLife)
        }
        return total
    }

    public func addShift(for unit: UnitContext, to shift: inout MeanShift) {
        guard unit.arm == arm, !launches.isEmpty else { return }
        shift.absolute += launchedEffect(quarterDay: readoutDay + unit.calendarDay.rounded(.down))
    }

    public func constantShift(forArm a: Int) -> MeanShift? { a == arm ? nil : MeanShift() }

    /// The programme's expected overstatement by the summed lifts, its expected truth and the
    /// expected number of features shipped, in closed form, for a readout of `readoutDays` days with
    /// equal traffic per day. With SE = σ√(2/n) (known), est_f ~ N(μ_e, σ_e²) marginally, μ_e =
    /// m + νḡ, σ_e² = s² + SE², shipping when est_f > c = z_{1−α/2}·SE, and a = (c − μ_e)/σ_e
    /// (normal regressions of θ_f and τ_f on est_f):
    ///
    ///     E[1{ship}(est − θ)] = (SE²/σ_e)·φ(a),   E[1{ship}·τ] = m·Q(a) + (s²/σ_e)·φ(a),
    ///
    /// so the overstatement Σ_f E[1{ship}(est_f − τ_f − ν r_f)] adds ν(ḡ − r_f)·Q(a) per feature and
    /// the truth Σ_f E[1{ship}(τ_f + ν r_f)] adds ν r_f·Q(a), r_f the mean of 2^(−(D + d − S_f)/h)
    /// over the readout days d; each averaged over the novelty flag (Lee & Shen 2018 for the
    /// winner's-curse term).
    public func expected(readoutDays: Int) -> (overstatement: Double, truth: Double, shipped: Double) {
        let se = sd * (2.0 / Double(usersPerArm)).squareRoot(), sigmaE = (effectSD * effectSD + se * se).squareRoot()
        let c = ((try? Normal.standard.inverseSurvival(alpha / 2)) ?? .nan) * se
        let g = testWindowFactor
        var over = 0.0, truth = 0.0, shipped = 0.0
        for f in 0..<count {
            let ship = Double(f) * everyDays + testDays
            let days = max(readoutDays, 1)
            let r = (0..<days).reduce(0.0) { $0 + Foundation.pow(2, -(readoutDay + Double($1) - ship) / halfLife) } / Double(days)
            for (nu, weight) in [(0.0, 1 - noveltyShare), (noveltyInitial, noveltyShare)] where weight > 0 {
                let a = (c - (effectMean + nu * g)) / sigmaE
                let phi = Normal.standard.density(a), q = Normal.standard.sf(a)
                over += weight * (se * se / sigmaE * phi + nu * (g - r) * q)
                truth += weight * (effectMean * q + effectSD * effectSD / sigmaE * phi + nu * r * q)
                shipped += weight * q
            }
        }
        return (over, truth, shipped)
    }

    /// Runs the quarter's tests on this replication's stream (feature f on child stream f).
    public func started(_ context: ReplicationContext, stream: RandomStream) -> any OutcomeComponent {
        var copy = self
        copy.launches = (0..<count).map { f in runTest(f, stream: stream.child(UInt64(f))) }
        return copy
    }

    /// Feature f's test: its effect and novelty drawn, each arm's statistics drawn exactly, and
    /// the Analysis module's Welch test.
    func runTest(_ f: Int, stream s: RandomStream) -> LaunchRecord {
        let tau = effectMean + effectSD * s.standardNormal()
        let nu = s.uniform() < noveltyShare ? noveltyInitial : 0
        let theta = tau + nu * testWindowFactor
        let n = Double(usersPerArm)
        func arm(_ shift: Double) -> MomentStatistic {
            let m = mean + shift + sd * s.standardNormal() / n.squareRoot()
            let chi2 = (try? ChiSquared(nu: n - 1))?.sample(using: s) ?? (n - 1)
            let variance = sd * sd * chi2 / (n - 1)
            return MomentStatistic(n: usersPerArm, sum: n * m, sumOfSquares: (n - 1) * variance + n * m * m)
        }
        let control = arm(0), treatment = arm(theta)
        let r = (try? ExperimentAnalysis.compare(control: control, treatment: treatment, method: .welchT, alpha: alpha))?.result
        let estimate = r?.estimate ?? 0, se = r?.standardError ?? 0
        let shipped = r?.status == .ok && (r?.isSignificant ?? false) && estimate > 0
        return LaunchRecord(start: Double(f) * everyDays, effect: tau, novelty: nu, estimate: estimate, standardError: se, shipped: shipped)
    }

    /// Builds the component: `metric` (normal), `variant` (default the second), `launches` ≥ 1,
    /// `every_days` > 0, `test_days` > 0, `users_per_arm` ≥ 2, `effect: {mean, sd}`, optional
    /// `novelty: {share, initial, half_life_days}`, `alpha` (default 0.05), `readout_day` (default
    /// the last ship day) at or after every ship day.
    public static func make(_ c: ComponentConfig, _ study: Study) throws(SimulationError) -> MetricComponent {
        try c.checkKeys(["metric", "variant", "launches", "every_days", "test_days", "users_per_arm", "effect", "novelty", "alpha", "readout_day"])
        let metric = try c.string("metric")
        guard let m = study.metric(named: metric), case let .distribution(.normal(mu, sigma)) = m.kind, !m.isDaily else {
            throw SimulationError(keyPath: "\(c.keyPath).metric", "launched_features needs a normal metric observed once (its tests are drawn from N(mean, sd²))")
        }
        let fallback = study.experiment.variants.count > 1 ? study.experiment.variants[1].name : ""
        let arm = try c.arm("variant", in: study, default: fallback)
        guard arm > 0 else { throw SimulationError(keyPath: "\(c.keyPath).variant", "the control (the holdout) cannot receive the launched features") }
        let count = try c.number("launches", in: 1...1000)
        guard count == count.rounded() else { throw SimulationError(keyPath: "\(c.keyPath).launches", "expected a whole number of features") }
        let every = try c.number("every_days", in: 0.001...1e6)
        let test = try c.number("test_days", in: 0.001...1e6)
        let users = try c.number("users_per_arm", in: 2...1e9)
        guard users == users.rounded() else { throw SimulationError(keyPath: "\(c.keyPath).users_per_arm", "expected a whole number of users") }
        func sub(_ key: String, _ allowed: [String], required: Bool) throws(SimulationError) -> [String: Double] {
            guard let v = c.parameters[key] else {
                if required { throw SimulationError(keyPath: "\(c.keyPath).\(key)", "required key is missing") }
                return [:]
            }
            guard case let .map(o) = v else { throw SimulationError(keyPath: "\(c.keyPath).\(key)", "expected a mapping with keys \(allowed.joined(separator: ", "))") }
            var out: [String: Double] = [:]
            for (k, x) in o {
                guard allowed.contains(k) else { throw SimulationError(keyPath: "\(c.keyPath).\(key).\(k)", "unknown key; expected one of: \(allowed.joined(separator: ", "))") }
                guard case let .number(d) = x, d.isFinite else { throw SimulationError(keyPath: "\(c.keyPath).\(key).\(k)", "expected a number") }
                out[k] = d
            }
            for k in allowed where out[k] == nil { throw SimulationError(keyPath: "\(c.keyPath).\(key).\(k)", "required key is missing") }
            return out
        }
        let effect = try sub("effect", ["mean", "sd"], required: true)
        guard let em = effect["mean"], let es = effect["sd"], es >= 0 else { throw SimulationError(keyPath: "\(c.keyPath).effect.sd", "expected a number ≥ 0") }
        let novelty = try sub("novelty", ["share", "initial", "half_life_days"], required: false)
        let share = novelty["share"] ?? 0, initial = novelty["initial"] ?? 0, half = novelty["half_life_days"] ?? 1
        guard (0...1).contains(share) else { throw SimulationError(keyPath: "\(c.keyPath).novelty.share", "expected a share in [0, 1], got \(share)") }
        guard half > 0 else { throw SimulationError(keyPath: "\(c.keyPath).novelty.half_life_days", "expected a half-life > 0 days, got \(half)") }
        let lastShip = (count - 1) * every + test
        let readout = try c.number("readout_day", default: lastShip)
        guard readout >= lastShip else {
            throw SimulationError(keyPath: "\(c.keyPath).readout_day", "the readout must start after the last feature ships (day \(lastShip)), got \(readout)")
        }
        return MetricComponent(metric: metric, component: LaunchedFeatures(
            arm: arm, count: Int(count), everyDays: every, testDays: test, usersPerArm: Int(users), effectMean: em, effectSD: es,
            noveltyShare: share, noveltyInitial: initial, halfLife: half, alpha: try c.number("alpha", default: 0.05, in: 1e-9...0.5),
            readoutDay: readout, mean: mu, sd: sigma))
    }
}
