import Distributions
import Foundation

/// The quadrature behind the bandit P(best) integrals P(i) = ∫ fᵢ(x) Πⱼ≠ᵢ Fⱼ(x) dx.
///
/// Every integrand is bounded by fᵢ, so only where some arm has mass matters. Each arm gets a
/// region (mean ± 12 sd, widened until each tail beyond it holds < `tail` of the arm's mass)
/// and a panel width (half its sd). The union of the regions is cut at every region end; each
/// piece is split into equal panels no wider than the narrowest width of the regions covering
/// it, so every cdf Fⱼ is resolved where it rises; each panel gets 10-point Gauss–Legendre.
/// All arms are evaluated at one shared set of nodes and every P(i) is accumulated from them.
/// Truncation error ≤ (number of arms)·3·`tail`.
enum BanditQuadrature {
    /// Tail mass left out per region end (and below the last graded panel).
    static let tail = 1e-30
    /// Initial half-width of a region in sds.
    static let regionSDs = 12.0
    /// Panel width as a fraction of the sd.
    static let panelSDs = 0.5
    /// Gauss–Legendre rule on [−1, 1].
    static let rule: [(node: Double, weight: Double)] = gaussLegendre(10)

    struct Region {
        var lo: Double
        var hi: Double
        var width: Double
    }

    /// Panels covering the union of `regions` (each panel inside the regions' union, as wide as
    /// the narrowest region covering it), with extra cut points `cuts`.
    static func panels(_ regions: [Region], cuts: [Double]) -> [(Double, Double)] {
        var points = Set<Double>(cuts)
        for r in regions where r.hi > r.lo { points.insert(r.lo); points.insert(r.hi) }
        let sorted = points.sorted()
        var out: [(Double, Double)] = []
        for (p, q) in zip(sorted, sorted.dropFirst()) {
            let covering = regions.filter { $0.lo <= p && $0.hi >= q && $0.hi > $0.lo }
            guard let width = covering.map(\.width).min() else { continue }
            let count = max(1, Int(((q - p) / width).rounded(.up)))
            let step = (q - p) / Double(count)
            var left = p
            for c in 0..<count {
                let right = c == count - 1 ? q : p + Double(c + 1) * step
                out.append((left, right))
                left = right
            }
        }
        return out
    }

    /// Accumulates Σ w·fᵢ Πⱼ≠ᵢ Fⱼ into `p` and Σ w·fᵢ into `mass`, given f and F at one node.
    @inline(__always)
    static func accumulate(_ p: inout [Double], _ mass: inout [Double], weight: Double, f: [Double], F: [Double],
                           prefix: inout [Double]) {
        let k = f.count
        prefix[0] = 1
        for j in 0..<k { prefix[j + 1] = prefix[j] * F[j] }
        var suffix = 1.0
        for i in stride(from: k - 1, through: 0, by: -1) {
            p[i] += weight * f[i] * prefix[i] * suffix
            mass[i] += weight * f[i]
            suffix *= F[i]
        }
    }

    /// P(i) divided by the quadrature of ∫ fᵢ (1 up to the truncated 10⁻³⁰), which cancels a
    /// constant relative error of the density: GSL's Beta density carries one of up to ~2·10⁻¹⁰
    /// at parameters ~10⁵ (its log-gamma normaliser); its cdf is good to ~10⁻¹².
    static func normalised(_ p: [Double], _ mass: [Double]) -> [Double] {
        zip(p, mass).map { pm in pm.1 > 0 ? min(max(pm.0 / pm.1, 0), 1) : 0 }
    }

    // MARK: Beta

    static func betaProbabilityBest(_ posteriors: [(alpha: Double, beta: Double)]) throws(DistributionError) -> [Double] {
        let k = posteriors.count
        if k == 1 { return [1] }
        var lower: [BetaDistribution] = []      // Beta(α, β), evaluated at x ∈ [0, ½]
        var reflected: [BetaDistribution] = []  // Beta(β, α), evaluated at t = 1 − x ∈ [0, ½]
        for p in posteriors {
            lower.append(try BetaDistribution(a: p.alpha, b: p.beta))
            reflected.append(try BetaDistribution(a: p.beta, b: p.alpha))
        }
        var regions: [Region] = []
        for d in lower {
            let m = d.mean, s = d.variance.squareRoot()
            var kLo = regionSDs, kHi = regionSDs
            var lo = max(0, m - kLo * s)
            while lo > 0 && d.cdf(lo) > tail { kLo *= 2; lo = max(0, m - kLo * s) }
            var hi = min(1, m + kHi * s)
            while hi < 1 && d.sf(hi) > tail { kHi *= 2; hi = min(1, m + kHi * s) }
            regions.append(Region(lo: lo, hi: hi, width: panelSDs * s))
        }
        // Nodes as (side, t): side false = x = t, side true = x = 1 − t.
        var p = [Double](repeating: 0, count: k), mass = p
        var f = [Double](repeating: 0, count: k), F = f
        var prefix = [Double](repeating: 0, count: k + 1)
        func integrate(upper: Bool, _ a: Double, _ b: Double) {
            let half = (b - a) / 2, mid = (a + b) / 2
            for (node, weight) in rule {
                let t = mid + half * node
                for j in 0..<k {
                    if upper {
                        f[j] = reflected[j].density(t)
                        F[j] = reflected[j].sf(t)
                    } else {
                        f[j] = lower[j].density(t)
                        F[j] = lower[j].cdf(t)
                    }
                }
                accumulate(&p, &mass, weight: weight * half, f: f, F: F, prefix: &prefix)
            }
        }
        /// Panels [t/2, t], [t/4, t/2], … towards the endpoint until every arm's mass within the
        /// remaining distance is < `tail` (or the distance is below 1e-300).
        func graded(upper: Bool, from t0: Double) {
            var t = t0
            while t > 1e-300 {
                let masses = upper ? reflected.map { $0.cdf(t) } : lower.map { $0.cdf(t) }
                if masses.allSatisfy({ $0 < tail }) { break }
                integrate(upper: upper, t / 2, t)
                t /= 2
            }
        }
        for (a, b) in panels(regions, cuts: [0.5]) {
            if b <= 0.5 {
                if a == 0 { graded(upper: false, from: b) } else { integrate(upper: false, a, b) }
            } else {
                // a ≥ ½: t = 1 − x is exact (Sterbenz).
                if b == 1 { graded(upper: true, from: 1 - a) } else { integrate(upper: true, 1 - b, 1 - a) }
            }
        }
        return normalised(p, mass)
    }

    // MARK: Normal

    static func normalProbabilityBest(_ posteriors: [(mean: Double, sd: Double)]) throws(DistributionError) -> [Double] {
        let k = posteriors.count
        if k == 1 { return [1] }
        let continuous = posteriors.indices.filter { posteriors[$0].sd > 0 }
        let pointMasses = posteriors.indices.filter { posteriors[$0].sd == 0 }
        var dists: [Normal] = []
        for i in continuous { dists.append(try Normal(mu: posteriors[i].mean, sigma: posteriors[i].sd)) }
        var p = [Double](repeating: 0, count: k)
        // The best point mass c: continuous arms must beat it, point masses below it never win.
        let c = pointMasses.map { posteriors[$0].mean }.max() ?? -.infinity
        if !pointMasses.isEmpty {
            let tied = pointMasses.filter { posteriors[$0].mean == c }
            let allBelow = dists.reduce(1.0) { $0 * $1.cdf(c) }
            for i in tied { p[i] = allBelow / Double(tied.count) }
        }
        let m = continuous.count
        guard m > 0 else { return p }
        if m == 1 && pointMasses.isEmpty { p[continuous[0]] = 1; return p }
        var regions: [Region] = []
        for d in dists {
            regions.append(Region(lo: max(c, d.mu - regionSDs * d.sigma), hi: d.mu + regionSDs * d.sigma,
                                  width: panelSDs * d.sigma))
        }
        var q = [Double](repeating: 0, count: m), mass = q
        var f = [Double](repeating: 0, count: m), F = f
        var prefix = [Double](repeating: 0, count: m + 1)
        for (a, b) in panels(regions, cuts: []) {
            let half = (b - a) / 2, mid = (a + b) / 2
            for (node, weight) in rule {
                let x = mid + half * node
                for j in 0..<m {
                    f[j] = dists[j].density(x)
                    F[j] = dists[j].cdf(x)
                }
                accumulate(&q, &mass, weight: weight * half, f: f, F: F, prefix: &prefix)
            }
        }
        // Not normalised by ∫ fᵢ: the regions may be cut at c, and GSL's normal density is exact
        // to rounding.
        for (j, value) in q.enumerated() { p[continuous[j]] = min(max(value, 0), 1) }
        return p
    }

    // MARK: Gauss–Legendre

    /// Nodes and weights of the n-point Gauss–Legendre rule on [−1, 1] by Newton's method on
    /// the Legendre recurrence (Press et al., Numerical Recipes 3rd ed., §4.6, `gauleg`).
    static func gaussLegendre(_ n: Int) -> [(node: Double, weight: Double)] {
        var out: [(node: Double, weight: Double)] = []
        for i in 1...n {
            var x = Foundation.cos(Double.pi * (Double(i) - 0.25) / (Double(n) + 0.5))
            var dp = 0.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = 0.0
                for j in 1...n {
                    let p2 = p1
                    p1 = p0
                    p0 = ((2 * Double(j) - 1) * x * p1 - (Double(j) - 1) * p2) / Double(j)
                }
                dp = Double(n) * (x * p0 - p1) / (x * x - 1)
                let dx = p0 / dp
                x -= dx
                if abs(dx) < 1e-15 { break }
            }
            // Recompute the derivative at the converged node for the weight.
            var p0 = 1.0, p1 = 0.0
            for j in 1...n {
                let p2 = p1
                p1 = p0
                p0 = ((2 * Double(j) - 1) * x * p1 - (Double(j) - 1) * p2) / Double(j)
            }
            dp = Double(n) * (x * p0 - p1) / (x * x - 1)
            out.append((x, 2 / ((1 - x * x) * dp * dp)))
        }
        return out
    }
}
