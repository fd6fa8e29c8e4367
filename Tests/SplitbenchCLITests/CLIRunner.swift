import Foundation

/// Runs the built `splitbench` binary (next to the test bundle) with arguments and captures
/// its standard output, standard error and exit status.
struct CLIResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

enum CLIRunner {
    static var binary: URL {
        // The test bundle lives in the same build products directory as the executable.
        var dir = Bundle.main.bundleURL
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let exe = candidate.appendingPathComponent("splitbench")
            if FileManager.default.isExecutableFile(atPath: exe.path) { return exe }
        }
        dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return dir.appendingPathComponent(".build/debug/splitbench")
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil) throws -> CLIResult {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus,
                         stdout: String(decoding: o, as: UTF8.self),
                         stderr: String(decoding: e, as: UTF8.self))
    }
}
