/// Parameter and result checks shared by the distribution types.
enum Check {
    static func finite(_ x: Double, _ name: String, in function: String) throws(DistributionError) {
        guard x.isFinite else {
            throw DistributionError(.domain, function, "\(name) must be finite, got \(x)")
        }
    }

    static func positive(_ x: Double, _ name: String, in function: String) throws(DistributionError) {
        guard x.isFinite, x > 0 else {
            throw DistributionError(.domain, function, "\(name) must be finite and > 0, got \(x)")
        }
    }

    static func probability(_ p: Double, _ name: String, in function: String) throws(DistributionError) {
        guard p >= 0, p <= 1 else {
            throw DistributionError(.domain, function, "\(name) must be in [0, 1], got \(p)")
        }
    }

    /// GSL's cdf routines report failures (domain, non-convergence) through the error handler
    /// and return NaN; with the handler off the NaN is what we see.
    static func result(_ value: Double, in function: String, _ context: @autoclosure () -> String) throws(DistributionError) -> Double {
        guard !value.isNaN else {
            throw DistributionError(.convergence, function, "GSL returned no result for \(context())")
        }
        return value
    }
}
