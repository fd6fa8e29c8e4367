import Assignment
import Distributions
import Foundation

/// The strata of a unit, from the population's columns: quantile bins of the latent factor, or
/// the levels of a segment attribute. Used by the stratified design (blocking) and by a
/// post-stratified analysis (`stratify: {latent_quantiles: q}`), so both cut the same strata.
public enum UnitStrata: Equatable, Sendable {
    /// q equal-probability bins of the latent N(0, 1) factor Z: stratum j holds
    /// Φ⁻¹(j/q) ≤ Z < Φ⁻¹((j + 1)/q) (fixed cut points, so every replication cuts the same bins).
    case latentQuantiles(Int)
    /// The levels of segment attribute `index` (population order) named `name`, `levels` of them.
    case segment(index: Int, name: String, levels: Int)

    /// Number of strata.
    public var count: Int {
        switch self {
        case let .latentQuantiles(q): return q
        case let .segment(_, _, levels): return levels
        }
    }

    /// Whether the strata read the latent column.
    public var usesLatent: Bool { if case .latentQuantiles = self { return true } else { return false } }

    /// The cut points Φ⁻¹(j/q), j = 1 … q − 1 (empty for a segment).
    public var cutPoints: [Double] {
        guard case let .latentQuantiles(q) = self else { return [] }
        return (1..<q).map { (try? Normal.standard.quantile(Double($0) / Double(q))) ?? 0 }
    }

    /// A reader of unit strata over one table (the cut points computed once).
    public func reader(_ table: ColumnTable) -> (Int) -> Int {
        switch self {
        case .latentQuantiles:
            let cuts = cutPoints, latent = table.latent
            return { i in
                let z = latent[i]
                var s = 0
                while s < cuts.count && z >= cuts[s] { s += 1 }
                return s
            }
        case let .segment(index, _, _):
            let col = table.segmentLevels[index]
            return { i in Int(col[i]) }
        }
    }

    /// Reads `{latent_quantiles: q}` (q an integer in 2 … 100) or `{segment: name}` at `keyPath`.
    public static func parse(_ value: ComponentValue?, keyPath: String, population: PopulationSpec) throws(SimulationError) -> UnitStrata {
        guard case let .map(m)? = value, m.count == 1, let (key, v) = m.first else {
            throw SimulationError(keyPath: keyPath, "expected {latent_quantiles: q} or {segment: NAME}")
        }
        switch key {
        case "latent_quantiles":
            guard case let .number(x) = v, x == x.rounded(), x >= 2, x <= 100 else {
                throw SimulationError(keyPath: "\(keyPath).latent_quantiles", "expected an integer number of quantile bins in 2 … 100")
            }
            return .latentQuantiles(Int(x))
        case "segment":
            guard case let .string(name) = v else { throw SimulationError(keyPath: "\(keyPath).segment", "expected a segment attribute name") }
            guard let k = population.segments.firstIndex(where: { $0.attribute == name }) else {
                let known = population.segments.map(\.attribute)
                throw SimulationError(keyPath: "\(keyPath).segment", "unknown segment \"\(name)\"; expected one of: \(known.isEmpty ? "(the population has no segments)" : known.joined(separator: ", "))")
            }
            return .segment(index: k, name: name, levels: population.segments[k].levels.count)
        default:
            throw SimulationError(keyPath: "\(keyPath).\(key)", "unknown strata key; expected latent_quantiles or segment")
        }
    }
}

/// Stratified assignment (`design: {kind: stratified, method: simple|blocked|resalt, strata:
/// {latent_quantiles: 4} | {segment: NAME}, block_size: B, salts: k}`), through the Assignment
/// module's `PermutedBlocks` / `BlockedAssigner` and `Resalting`:
///
/// - `simple`: the plain hash split of the experiment (the baseline; the same arms as
///   `fixed_split` with `assignment: hashed`).
/// - `blocked`: units enrolled by the hash (the allocation) are assigned in arrival order
///   within their stratum through permuted blocks of B slots (default 2 × arms), each block's
///   order drawn from the hash of (replication salt, stratum, block index). Every block ends
///   exactly balanced, so at most B·w_a units of an arm per stratum are ever off their share.
/// - `resalt`: the most balanced of k candidate salts `<salt>/0 … <salt>/(k−1)` (default 10) on
///   the latent factor, by the absolute standardised mean difference (max over treatments vs
///   control). Simplification: the selection sees every unit's latent value at the start, as
///   Statsig re-salts on the pre-experiment data of the eligible population; units are then
///   assigned by the chosen salt's hash when they arrive.
///
/// Keys of the other methods are accepted and ignored (so one design mapping can be swept over
/// `method`); unknown keys are errors. The balancing covariate (and the strata of
/// `latent_quantiles`) is the population's latent N(0, 1) factor, which exists when some normal
/// metric has `shared_factor_correlation: c > 0`; its outcome is then mean + sd·(√c·Z + √(1 − c)·ε),
/// so Z is a pre-experiment covariate with R² = c.
///
/// Estimand: the difference in means (the assignment changes only the variance). For the
/// difference in means: Var(resalt)/Var(simple) = 1 − (1 − v_k)·c (``Resalting``), and for
/// blocking on q latent quantiles ≈ 1 − c·B_q with B_q the share of Var Z between the q bins
/// (``UnitStrata/betweenShare(quantiles:)``). Welch's SE does not see either, so an unadjusted
/// test is conservative (``predictedUnadjustedFPR(varianceRatio:alpha:)``); CUPED on the latent
/// (`covariate: latent`) or the post-stratified comparison (`stratify: {latent_quantiles: q}`)
/// restores the nominal size.
public struct StratifiedDesign: Design {
    public enum Method: String, Sendable, Equatable, CaseIterable {
        case simple, blocked, resalt
    }

    public var kind: String { "stratified" }
    public var analysisUnit: AnalysisUnitKind { .unit }
    let study: Study
    public let method: Method
    public let strata: UnitStrata?
    public let blockSize: Int
    public let salts: Int

    public init(study: Study, method: Method, strata: UnitStrata?, blockSize: Int, salts: Int) {
        self.study = study
        self.method = method
        self.strata = strata
        self.blockSize = blockSize
        self.salts = salts
    }

    public func updateDays(study: Study) -> [Double] { [] }

    /// The unadjusted two-sided test's rejection rate under H0 when the true variance of the
    /// difference in means is `varianceRatio` times what Welch's SE estimates:
    /// 2Φ̄(z_{1−α/2}/√ratio).
    public static func predictedUnadjustedFPR(varianceRatio: Double, alpha: Double = 0.05) -> Double {
        guard varianceRatio > 0, let z = try? Normal.standard.inverseSurvival(alpha / 2) else { return .nan }
        return 2 * Normal.standard.sf(z / varianceRatio.squareRoot())
    }

    public func start(_ context: ReplicationContext, table: ColumnTable) throws(SimulationError) -> any DesignRun {
        switch method {
        case .simple:
            return FixedSplitRun(try HashedAssigner(study: study, salt: context.salt))
        case .blocked:
            guard let strata, let scheme = HashScheme(rawValue: study.experiment.hash) else {
                throw SimulationError(keyPath: "design", "blocked assignment needs strata and a known hash scheme")
            }
            let blocks: PermutedBlocks
            do {
                blocks = try PermutedBlocks(scheme: scheme, salt: context.salt, weights: context.plan.armWeights, blockSize: blockSize)
            } catch {
                throw SimulationError(keyPath: "design.block_size", "\(error)")
            }
            return BlockedRun(enrolment: try HashedAssigner(study: study, salt: context.salt),
                              assigner: BlockedAssigner(blocks: blocks, strata: strata.count), stratum: strata.reader(table))
        case .resalt:
            let n = table.count, latent = Array(table.latent.prefix(n))
            guard latent.count == n else { throw SimulationError(keyPath: "design", "re-salting needs the population's latent factor") }
            var armsBySalt: [String: [Int]] = [:]
            for salt in Resalting.candidateSalts(context.salt, count: salts) {
                var a = try HashedAssigner(study: study, salt: salt)
                var arms = [Int](repeating: -1, count: n)
                for i in 0..<n { arms[i] = a.arm(ofUnit: i) }
                armsBySalt[salt] = arms
            }
            let selection: Resalting.Selection
            do {
                selection = try Resalting.select(salt: context.salt, candidates: salts, armCount: context.plan.armWeights.count,
                                                 covariate: latent) { armsBySalt[$0] ?? [] }
            } catch {
                throw SimulationError(keyPath: "design.salts", "\(error)")
            }
            guard let chosen = armsBySalt[selection.salt], chosen.count == n else {
                throw SimulationError(keyPath: "design.salts", "no arms for the chosen salt \(selection.salt)")
            }
            return ResaltRun(arms: chosen.map { Int32(truncatingIfNeeded: $0) })
        }
    }

    /// Builds the design: `method` (default simple), `strata` (blocked: required), `block_size`
    /// (default 2 × arms; B·w_a must be whole for every arm), `salts` (resalt: k in 1 … 1000,
    /// default 10). Needs `experiment.variants` with hashed assignment and no ruleset.
    public static func make(_ c: ComponentConfig, _ study: Study) throws(SimulationError) -> any Design {
        try c.checkKeys(["method", "strata", "block_size", "salts"])
        let name = try c.string("method", default: "simple")
        guard let method = Method(rawValue: name) else {
            throw SimulationError(keyPath: "\(c.keyPath).method", "unknown method \"\(name)\"; expected simple, blocked or resalt")
        }
        guard study.experiment.ruleset == nil, study.experiment.factors.isEmpty else {
            throw SimulationError(keyPath: "\(c.keyPath).kind", "a stratified design builds its ruleset from experiment.variants")
        }
        guard study.experiment.assignment == .hashed else {
            throw SimulationError(keyPath: "\(c.keyPath).kind", "a stratified design hashes units: remove experiment.assignment: ideal")
        }
        let arms = study.experiment.variants.count
        func integer(_ key: String, default d: Int, in range: ClosedRange<Int>) throws(SimulationError) -> Int {
            let x = try c.number(key, default: Double(d), in: Double(range.lowerBound)...Double(range.upperBound))
            guard x == x.rounded() else { throw SimulationError(keyPath: "\(c.keyPath).\(key)", "expected an integer, got \(x)") }
            return Int(x)
        }
        let blockSize = try integer("block_size", default: 2 * arms, in: 2...10_000)
        let salts = try integer("salts", default: 10, in: 1...1_000)
        var strata: UnitStrata?
        if c.parameters["strata"] != nil { strata = try UnitStrata.parse(c.parameters["strata"], keyPath: "\(c.keyPath).strata", population: study.population) }
        let hasLatent = study.metrics.contains { $0.sharedFactorCorrelation > 0 }
        let latentHint = "give a normal metric shared_factor_correlation: c in (0, 1) (the population's latent N(0, 1) factor)"
        switch method {
        case .simple: break
        case .blocked:
            guard let s = strata else {
                throw SimulationError(keyPath: "\(c.keyPath).strata", "method: blocked needs strata: {latent_quantiles: q} or {segment: NAME}")
            }
            if s.usesLatent, !hasLatent { throw SimulationError(keyPath: "\(c.keyPath).strata.latent_quantiles", "latent strata need a latent factor: \(latentHint)") }
            do {
                _ = try PermutedBlocks(scheme: .sha256, salt: "check", weights: study.experiment.variants.map(\.weight), blockSize: blockSize)
            } catch {
                throw SimulationError(keyPath: "\(c.keyPath).block_size", "\(error)")
            }
        case .resalt:
            guard hasLatent else { throw SimulationError(keyPath: "\(c.keyPath).method", "re-salting balances the latent factor: \(latentHint)") }
        }
        return StratifiedDesign(study: study, method: method, strata: strata, blockSize: blockSize, salts: salts)
    }

    /// Blocked: enrolment by the hash, then the next slot of the unit's stratum's block.
    final class BlockedRun: DesignRun {
        var enrolment: HashedAssigner
        var assigner: BlockedAssigner
        let stratum: (Int) -> Int

        init(enrolment: HashedAssigner, assigner: BlockedAssigner, stratum: @escaping (Int) -> Int) {
            self.enrolment = enrolment
            self.assigner = assigner
            self.stratum = stratum
        }

        func assign(period: Period, units: Range<Int>, table: ColumnTable) {
            let arm = table.arm, exposure = table.firstExposure, arrival = table.arrival
            for i in units {
                guard enrolment.arm(ofUnit: i) >= 0 else { arm[i] = -1; continue }
                arm[i] = Int32(truncatingIfNeeded: assigner.nextArm(stratum: stratum(i)))
                exposure[i] = arrival[i]
            }
        }

        func periodEnded(_ period: Period, statistics: PeriodStatistics) {}
    }

    /// Re-salted: the chosen salt's arms, handed out as units arrive.
    final class ResaltRun: DesignRun {
        let arms: [Int32]
        init(arms: [Int32]) { self.arms = arms }

        func assign(period: Period, units: Range<Int>, table: ColumnTable) {
            let arm = table.arm, exposure = table.firstExposure, arrival = table.arrival
            for i in units {
                arm[i] = arms[i]
                if arms[i] >= 0 { exposure[i] = arrival[i] }
            }
        }

        func periodEnded(_ period: Period, statistics: PeriodStatistics) {}
    }
}

extension UnitStrata {
    /// The share of Var Z between q equal-probability bins of Z ~ N(0, 1): the bin means are
    /// q·(φ(Φ⁻¹(j/q)) − φ(Φ⁻¹((j + 1)/q))), and the share is Σ_j (1/q)·mean_j² (0.6366 for
    /// q = 2, 0.8606 for q = 4). Blocking (or post-stratifying) on these bins leaves a share
    /// 1 − c·B_q of the difference in means' variance for a metric with R² = c on Z.
    public static func betweenShare(quantiles q: Int) -> Double {
        guard q >= 2 else { return 0 }
        let cuts = UnitStrata.latentQuantiles(q).cutPoints
        let phi = [0.0] + cuts.map { Normal.standard.density($0) } + [0.0]
        var share = 0.0
        for j in 0..<q {
            let mean = Double(q) * (phi[j] - phi[j + 1])
            share += mean * mean / Double(q)
        }
        return share
    }
}
