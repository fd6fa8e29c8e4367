import Foundation

/// A Monte Carlo estimate with its Monte Carlo standard error.
public struct MonteCarloEstimate: Equatable, Codable, Sendable {
    public let estimate: Double
    /// The Monte Carlo standard error; `nil` where no formula applies (e.g. fewer than two
    /// replications).
    public let mcse: Double?
    /// The number of replications it rests on.
    public let replications: Int

    public init(estimate: Double, mcse: Double?, replications: Int) {
        self.estimate = estimate
        self.mcse = mcse
        self.replications = replications
    }
}

/// Performance measures of a simulation study and their Monte Carlo standard errors, as
/// defined by Morris, White & Crowther, "Using simulation studies to evaluate statistical
/// methods", Statistics in Medicine 38:2074–2102 (2019), Table 6 (the forms implemented by
/// the R package rsimsum).
///
/// Every function sums in index order, so the same inputs give bit-identical outputs. Each
/// returns `nil` for an empty input: a measure of nothing is undefined, not NaN.
public enum PerformanceMeasures {
    /// A proportion of replications (rejection rate, coverage, SRM flag rate):
    /// p̂ = k/R with MCSE √(p̂(1−p̂)/R).
    public static func proportion(_ count: Int, of replications: Int) -> MonteCarloEstimate? {
        guard replications > 0, count >= 0, count <= replications else { return nil }
        let p = Double(count) / Double(replications)
        return MonteCarloEstimate(estimate: p, mcse: (p * (1 - p) / Double(replications)).squareRoot(), replications: replications)
    }

    /// The mean of a per-replication quantity (sample size at stop, FDP, regret) with MCSE
    /// s/√R, s the sample standard deviation (ddof 1).
    public static func mean(_ values: [Double]) -> MonteCarloEstimate? {
        guard !values.isEmpty else { return nil }
        let m = mean(of: values)
        let r = Double(values.count)
        let mcse = values.count > 1 ? (sumOfSquaredDeviations(values, from: m) / (r - 1) / r).squareRoot() : nil
        return MonteCarloEstimate(estimate: m, mcse: mcse, replications: values.count)
    }

    /// Bias: mean(θ̂) − θ, MCSE √(Σ(θ̂ᵢ − θ̄)² / (R(R−1))).
    public static func bias(_ estimates: [Double], truth: Double) -> MonteCarloEstimate? {
        guard let m = mean(estimates) else { return nil }
        return MonteCarloEstimate(estimate: m.estimate - truth, mcse: m.mcse, replications: m.replications)
    }

    /// Empirical SE: sd(θ̂) (ddof 1), MCSE EmpSE/√(2(R−1)). Needs R ≥ 2.
    public static func empiricalSE(_ estimates: [Double]) -> MonteCarloEstimate? {
        guard estimates.count >= 2 else { return nil }
        let r = Double(estimates.count)
        let s = (sumOfSquaredDeviations(estimates, from: mean(of: estimates)) / (r - 1)).squareRoot()
        return MonteCarloEstimate(estimate: s, mcse: s / (2 * (r - 1)).squareRoot(), replications: estimates.count)
    }

    /// Mean squared error: mean((θ̂ − θ)²), MCSE √(Σ((θ̂ᵢ−θ)² − MSE)² / (R(R−1))).
    public static func mse(_ estimates: [Double], truth: Double) -> MonteCarloEstimate? {
        mean(estimates.map { ($0 - truth) * ($0 - truth) })
    }

    /// Root mean squared error √MSE, MCSE by the delta method: MCSE(MSE) / (2·RMSE).
    public static func rmse(_ estimates: [Double], truth: Double) -> MonteCarloEstimate? {
        guard let m = mse(estimates, truth: truth) else { return nil }
        let root = m.estimate.squareRoot()
        let mcse = m.mcse.flatMap { root > 0 ? $0 / (2 * root) : nil }
        return MonteCarloEstimate(estimate: root, mcse: mcse, replications: m.replications)
    }

    /// Average model SE: ModSE = √(mean(SEᵢ²)), MCSE ≈ √(Var(SEᵢ²) / (4·R·ModSE²)).
    public static func modelSE(_ standardErrors: [Double]) -> MonteCarloEstimate? {
        guard !standardErrors.isEmpty else { return nil }
        let v = standardErrors.map { $0 * $0 }
        let r = Double(v.count)
        let meanV = mean(of: v)
        let modSE = meanV.squareRoot()
        var mcse: Double? = nil
        if v.count > 1, modSE > 0 {
            let varV = sumOfSquaredDeviations(v, from: meanV) / (r - 1)
            mcse = (varV / (4 * r * meanV)).squareRoot()
        }
        return MonteCarloEstimate(estimate: modSE, mcse: mcse, replications: v.count)
    }

    /// Relative error of the model SE in percent, 100(ModSE/EmpSE − 1), MCSE
    /// ≈ 100 (ModSE/EmpSE) √(Var(SEᵢ²)/(4 R ModSE⁴) + 1/(2(R−1))).
    public static func relativeErrorModelSE(estimates: [Double], standardErrors: [Double]) -> MonteCarloEstimate? {
        guard estimates.count == standardErrors.count,
              let emp = empiricalSE(estimates), emp.estimate > 0,
              let mod = modelSE(standardErrors), mod.estimate > 0
        else { return nil }
        let r = Double(standardErrors.count)
        let v = standardErrors.map { $0 * $0 }
        let varV = sumOfSquaredDeviations(v, from: mean(of: v)) / (r - 1)
        let ratio = mod.estimate / emp.estimate
        let m4 = mod.estimate * mod.estimate * mod.estimate * mod.estimate
        let mcse = 100 * ratio * (varV / (4 * r * m4) + 1 / (2 * (r - 1))).squareRoot()
        return MonteCarloEstimate(estimate: 100 * (ratio - 1), mcse: mcse, replications: estimates.count)
    }

    // MARK: Streaming forms (the harness's summariser; same formulas from running moments)

    /// The mean of the values in `m`, MCSE s/√R (as ``mean(_:)-swift.type.method``).
    public static func mean(_ m: RunningMoments) -> MonteCarloEstimate? {
        guard m.count > 0 else { return nil }
        return MonteCarloEstimate(estimate: m.mean, mcse: m.count > 1 ? (m.sampleVariance / Double(m.count)).squareRoot() : nil, replications: m.count)
    }

    /// Bias against a fixed truth from the running moments of the estimates: mean(θ̂) − θ,
    /// MCSE s/√R.
    public static func bias(_ estimates: RunningMoments, truth: Double) -> MonteCarloEstimate? {
        guard let m = mean(estimates) else { return nil }
        return MonteCarloEstimate(estimate: m.estimate - truth, mcse: m.mcse, replications: m.replications)
    }

    /// Empirical SE from running moments: s (ddof 1), MCSE s/√(2(R−1)). Needs R ≥ 2.
    public static func empiricalSE(_ estimates: RunningMoments) -> MonteCarloEstimate? {
        guard estimates.count >= 2 else { return nil }
        let s = estimates.sampleVariance.squareRoot()
        return MonteCarloEstimate(estimate: s, mcse: s / (2 * Double(estimates.count - 1)).squareRoot(), replications: estimates.count)
    }

    /// Model SE from the running moments of SEᵢ²: √(mean SEᵢ²), MCSE √(Var(SEᵢ²)/(4·R·ModSE²)).
    public static func modelSE(variances v: RunningMoments) -> MonteCarloEstimate? {
        guard v.count > 0 else { return nil }
        let modSE = v.mean.squareRoot()
        var mcse: Double? = nil
        if v.count > 1, modSE > 0 { mcse = (v.sampleVariance / (4 * Double(v.count) * v.mean)).squareRoot() }
        return MonteCarloEstimate(estimate: modSE, mcse: mcse, replications: v.count)
    }

    /// RMSE from the running moments of the squared errors: √MSE, MCSE MCSE(MSE)/(2·RMSE).
    public static func rmse(squaredErrors: RunningMoments) -> MonteCarloEstimate? {
        guard let m = mean(squaredErrors) else { return nil }
        let root = m.estimate.squareRoot()
        return MonteCarloEstimate(estimate: root, mcse: m.mcse.flatMap { root > 0 ? $0 / (2 * root) : nil }, replications: m.replications)
    }

    /// Σ in index order.
    static func mean(of values: [Double]) -> Double {
        var s = 0.0
        for v in values { s += v }
        return s / Double(values.count)
    }

    static func sumOfSquaredDeviations(_ values: [Double], from m: Double) -> Double {
        var s = 0.0
        for v in values { s += (v - m) * (v - m) }
        return s
    }
}

/// Running count, mean and sum of squared deviations of a sequence, updated one value at a
/// time by Welford's algorithm (Welford, "Note on a method for calculating corrected sums of
/// squares and products", Technometrics 4(3):419–420, 1962; Knuth TAOCP vol. 2, §4.2.2):
/// `δ = x − m; m += δ/n; M₂ += δ·(x − m)`. Numerically stable, O(1) memory; the same values
/// added in the same order give bit-identical moments.
public struct RunningMoments: Codable, Equatable, Sendable {
    /// Values added.
    public private(set) var count = 0
    /// Their mean (0 when none).
    public private(set) var mean = 0.0
    /// Σ(xᵢ − x̄)².
    public private(set) var sumOfSquaredDeviations = 0.0

    public init() {}

    /// Adds one value.
    public mutating func add(_ x: Double) {
        count += 1
        let delta = x - mean
        mean += delta / Double(count)
        sumOfSquaredDeviations += delta * (x - mean)
    }

    /// The sample variance M₂/(n − 1) (ddof 1; NaN below two values).
    public var sampleVariance: Double { count > 1 ? sumOfSquaredDeviations / Double(count - 1) : .nan }
}
