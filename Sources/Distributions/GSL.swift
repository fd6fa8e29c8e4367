import CGSL

/// An error from a distribution function or sampler: a parameter outside its domain,
/// or a GSL routine that reported a failure.
public struct DistributionError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public enum Kind: String, Sendable {
        /// An argument or parameter outside the function's domain (GSL_EDOM).
        case domain
        /// A result that does not fit in a double (GSL_EOVRFLW / GSL_EUNDRFLW).
        case range
        /// An iterative inversion that did not converge (GSL_EMAXITER, GSL_ETOL...).
        case convergence
        /// Any other GSL status code.
        case gsl
    }

    public let kind: Kind
    /// The function that failed, e.g. `"StudentT.quantile"`.
    public let function: String
    /// A human-readable explanation naming the offending value.
    public let message: String

    public init(_ kind: Kind, _ function: String, _ message: String) {
        self.kind = kind
        self.function = function
        self.message = message
    }

    public var description: String { "\(function): \(message)" }
}

/// The boundary with the GNU Scientific Library.
///
/// GSL's default error handler calls `abort()`. The first use of any GSL-backed API in this
/// module switches that handler off (once, thread-safely, through a lazily initialised
/// global), and every call then checks GSL's status codes or result and turns a failure into a
/// ``DistributionError``.
public enum GSL {
    /// The version of the GSL library the process is running with (e.g. `"2.7.1"`).
    public static var version: String {
        ensureInitialized()
        return String(cString: sb_gsl_version())
    }

    /// The GSL version the package was compiled against.
    public static let compiledVersion: String = GSL_VERSION

    /// Switches GSL's abort-on-error handler off. Idempotent and thread-safe; every GSL entry
    /// point of this module calls it, and a program may call it early (before starting tasks).
    @inline(__always)
    public static func ensureInitialized() {
        _ = handlerSwitchedOff
    }

    /// Maps a GSL status code to an error, or `nil` for `GSL_SUCCESS`.
    static func error(status: Int32, function: String, context: String) -> DistributionError? {
        let code = Int(status)
        if code == Int(GSL_SUCCESS) { return nil }
        let text = String(cString: gsl_strerror(status))
        let kind: DistributionError.Kind
        switch code {
        case Int(GSL_EDOM): kind = .domain
        case Int(GSL_ERANGE), Int(GSL_EOVRFLW), Int(GSL_EUNDRFLW): kind = .range
        case Int(GSL_EMAXITER), Int(GSL_ETOL), Int(GSL_ENOPROG): kind = .convergence
        default: kind = .gsl
        }
        return DistributionError(kind, function, "\(context): \(text) (GSL status \(status))")
    }
}

/// Lazily initialised global: Swift runs the initialiser exactly once (swift_once).
private let handlerSwitchedOff: Bool = {
    _ = gsl_set_error_handler_off()
    return true
}()
