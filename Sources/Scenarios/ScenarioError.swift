/// A problem in a scenario file: which file, where in it (a key path such as
/// `metrics[1].distribution.lognormal.sigma`), and what was expected instead.
///
/// The CLI prints it as `FILE: KEY.PATH: MESSAGE` and exits with status 2.
public struct ScenarioError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The scenario file's path as the user gave it.
    public let file: String
    /// The key path inside the file; empty for a problem with the file as a whole.
    public let keyPath: String
    /// What is wrong and what was expected.
    public let message: String

    public init(file: String, keyPath: String, message: String) {
        self.file = file
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        keyPath.isEmpty ? "\(file): \(message)" : "\(file): \(keyPath): \(message)"
    }
}
