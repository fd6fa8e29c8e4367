import Foundation
import Distributions

/// The noncentral t distribution's CDF, for t-test power (internal).
///
/// Algorithm AS 243 (Lenth 1989, Applied Statistics 38:185–189) with Guenther's twin series,
/// as implemented in R's `pnt` (R Core, nmath/pnt.c): for t ≥ 0,
/// P(T ≤ t) = Φ(−δ) + Σ_j [p_j I_x(j + ½, ν/2) + q_j I_x(j + 1, ν/2)], x = t²/(t² + ν),
/// p_j = ½ e^{−δ²/2}(δ²/2)^j/j!, q_j = δ e^{−δ²/2}(δ²/2)^j/(√2 Γ(j + 3/2)); the regularised
/// incomplete beta comes from GSL (`BetaDistribution.cdf`). Series error bound 1e-12. For
/// ν > 4·10⁵ or δ² > 1415 the Abramowitz & Stegun 26.7.10 normal approximation is used, as in R.
enum NoncentralT {
    /// P(T ≤ t) (lowerTail) or P(T > t) for T ~ t'(ν, δ); nil when the inputs are unusable.
    static func cdf(_ t: Double, df: Double, ncp: Double, lowerTail: Bool = true) -> Double? {
        guard df > 0, df.isFinite, ncp.isFinite, !t.isNaN else { return nil }
        if ncp == 0 {
            guard let d = try? StudentT(nu: df) else { return nil }
            return lowerTail ? d.cdf(t) : d.sf(t)
        }
        if t.isInfinite { return (t < 0) == lowerTail ? 0 : 1 }
        let negdel: Bool
        let tt: Double, del: Double
        if t >= 0 {
            negdel = false; tt = t; del = ncp
        } else {
            if ncp > 40 { return lowerTail ? 0 : 1 }  // R: P(T ≤ t) ≤ Φ(−δ) ≈ 0
            negdel = true; tt = -t; del = -ncp
        }
        let lower = lowerTail != negdel
        if df > 4e5 || del * del > 2 * M_LN2 * 1021 {
            let s = 1 / (4 * df)
            let z = (tt * (1 - s) - del) / (1 + tt * tt * 2 * s).squareRoot()
            return lower ? Normal.standard.cdf(z) : Normal.standard.sf(z)
        }
        var x = t * t
        var rxb = df / (x + df)
        x = x / (x + df)
        var tnc = 0.0
        if x > 0 {
            let lambda = del * del
            var p = 0.5 * Foundation.exp(-0.5 * lambda)
            if p == 0 { return lower ? 0 : 1 }
            var q = (2 / Double.pi).squareRoot() * p * del
            var s = 0.5 - p
            if s < 1e-7 { s = -0.5 * Foundation.expm1(-0.5 * lambda) }
            var a = 0.5
            let b = 0.5 * df
            rxb = Foundation.pow(rxb, b)
            guard let lgb = try? SpecialFunctions.logGamma(b), let lgb5 = try? SpecialFunctions.logGamma(0.5 + b),
                  let beta = try? BetaDistribution(a: a, b: b) else { return nil }
            let albeta = 0.5 * Foundation.log(Double.pi) + lgb - lgb5
            var xodd = beta.cdf(x)
            var godd = 2 * rxb * Foundation.exp(a * Foundation.log(x) - albeta)
            tnc = b * x
            var xeven = tnc < Double.ulpOfOne ? tnc : 1 - rxb
            var geven = tnc * rxb
            tnc = p * xodd + q * xeven
            for it in 1...1000 {
                a += 1
                xodd -= godd
                xeven -= geven
                godd *= x * (a + b - 1) / a
                geven *= x * (a + b - 0.5) / (a + 0.5)
                p *= lambda / Double(2 * it)
                q *= lambda / Double(2 * it + 1)
                tnc += p * xodd + q * xeven
                s -= p
                if s < -1e-10 { break }
                if s <= 0 && it > 1 { break }
                let errbd = 2 * s * (xodd - godd)
                if abs(errbd) < 1e-12 { break }
            }
        }
        tnc += Normal.standard.cdf(-del)
        let v = min(tnc, 1)
        return lower ? v : 0.5 - v + 0.5
    }
}
