import CGSL

/// Special functions backed by GSL's `gsl_sf_*_e` routines, whose status codes are checked.
public enum SpecialFunctions {
    /// ln|Γ(x)| (Lanczos approximation and reflection; GSL `gsl_sf_lngamma_e`). Throws a
    /// domain error at the poles x = 0, −1, −2, ….
    public static func logGamma(_ x: Double) throws(DistributionError) -> Double {
        GSL.ensureInitialized()
        var r = gsl_sf_result()
        let status = gsl_sf_lngamma_e(x, &r)
        if let e = GSL.error(status: status, function: "logGamma", context: "x = \(x)") { throw e }
        return r.val
    }

    /// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b) for a, b > 0 (GSL `gsl_sf_lnbeta_e`, which
    /// avoids the cancellation of the naive sum for large arguments).
    public static func logBeta(_ a: Double, _ b: Double) throws(DistributionError) -> Double {
        GSL.ensureInitialized()
        guard a > 0, b > 0 else {
            throw DistributionError(.domain, "logBeta", "a and b must be > 0, got a = \(a), b = \(b)")
        }
        var r = gsl_sf_result()
        let status = gsl_sf_lnbeta_e(a, b, &r)
        if let e = GSL.error(status: status, function: "logBeta", context: "a = \(a), b = \(b)") { throw e }
        return r.val
    }
}
