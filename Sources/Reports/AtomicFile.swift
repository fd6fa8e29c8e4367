import Foundation

/// An error writing an output file.
public struct OutputError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "cannot write \(path): \(reason)" }
}

/// Writes files so that a reader never sees a partial one: the bytes go to a temporary file in
/// the same directory, which is then renamed over the destination (`rename(2)` is atomic
/// within a file system). On failure the temporary file is removed and the destination is left
/// as it was.
public enum AtomicFile {
    /// Writes `data` to `url` atomically, creating the parent directory if needed.
    public static func write(_ data: Data, to url: URL) throws(OutputError) {
        let fm = FileManager.default
        let dir = url.deletingLastPathComponent()
        do {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw OutputError(path: url.path, reason: "cannot create directory \(dir.path): \(error.localizedDescription)")
        }
        let temp = dir.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UInt64.random(in: 0...UInt64.max)).tmp")
        guard fm.createFile(atPath: temp.path, contents: data) else {
            throw OutputError(path: url.path, reason: "cannot create temporary file in \(dir.path)")
        }
        guard rename(temp.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(at: temp)
            throw OutputError(path: url.path, reason: reason)
        }
    }

    /// Writes `text` as UTF-8 to `url` atomically.
    public static func write(_ text: String, to url: URL) throws(OutputError) {
        try write(Data(text.utf8), to: url)
    }
}
