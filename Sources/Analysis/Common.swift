/// A programmer error in a call to the Analysis module: an argument outside its domain
/// (α outside (0, 1), arrays of different lengths, an unknown variant). Data that merely cannot
/// be analysed (an empty arm, zero variance) is *not* an error: it comes back as a result with
/// a status (see each result type).
public struct AnalysisError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The function or parameter concerned, e.g. `"welchTest(alpha:)"`.
    public let context: String
    /// What was wrong and what was expected.
    public let message: String

    public init(_ context: String, _ message: String) {
        self.context = context
        self.message = message
    }

    public var description: String { "\(context): \(message)" }

    /// Throws unless 0 < alpha < 1.
    public static func checkAlpha(_ alpha: Double, in context: String) throws(AnalysisError) {
        guard alpha > 0, alpha < 1 else {
            throw AnalysisError(context, "alpha must be in (0, 1), got \(alpha)")
        }
    }
}

/// The alternative hypothesis of a test of treatment minus control.
public enum Alternative: String, Codable, Sendable, CaseIterable {
    /// H1: the difference is not zero.
    case twoSided = "two-sided"
    /// H1: treatment > control.
    case greater
    /// H1: treatment < control.
    case less
}
