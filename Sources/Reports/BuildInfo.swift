import Foundation

/// Provenance of a SplitBench binary, recorded in every result file and printed by
/// `splitbench --version`.
public enum BuildInfo {
    /// The package version (semantic versioning).
    public static let packageVersion = "0.1.0"

    /// The Swift compiler that built this binary (from compile-time `#if compiler` checks).
    public static let swiftVersion: String = {
        #if compiler(>=6.5)
        return "6.5 or later"
        #elseif compiler(>=6.4)
        return "6.4"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }()

    /// The git commit of the checkout this binary was built in, if it can be found:
    /// `$SPLITBENCH_GIT_COMMIT` when set, else the `HEAD` of the nearest `.git` above the
    /// executable (read from the files; no `git` process is started). `nil` when unknown.
    public static let gitCommit: String? = {
        if let env = ProcessInfo.processInfo.environment["SPLITBENCH_GIT_COMMIT"], !env.isEmpty {
            return env
        }
        guard let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() else { return nil }
        return headCommit(above: exe.deletingLastPathComponent())
    }()

    /// The one-line version string: `splitbench 0.1.0 (GSL 2.7.1, Swift 6.3, commit abc1234)`.
    /// The GSL version is handed in by the caller (Reports does not link the numerics).
    public static func versionLine(gslVersion: String) -> String {
        var parts = ["GSL \(gslVersion)", "Swift \(swiftVersion)"]
        parts.append("commit \(gitCommit.map { String($0.prefix(12)) } ?? "unknown")")
        return "splitbench \(packageVersion) (\(parts.joined(separator: ", ")))"
    }

    /// Walks up from `directory` to the first folder holding `.git` and resolves its `HEAD`.
    static func headCommit(above directory: URL) -> String? {
        let fm = FileManager.default
        var dir = directory.standardizedFileURL
        while true {
            let git = dir.appendingPathComponent(".git")
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: git.path, isDirectory: &isDir) {
                var gitDir = git
                if !isDir.boolValue {  // a worktree or submodule: ".git" is a file "gitdir: PATH"
                    guard let text = try? String(contentsOf: git, encoding: .utf8),
                          let line = text.split(separator: "\n").first, line.hasPrefix("gitdir: ")
                    else { return nil }
                    let path = String(line.dropFirst("gitdir: ".count))
                    gitDir = path.hasPrefix("/") ? URL(fileURLWithPath: path) : dir.appendingPathComponent(path)
                }
                return resolveHead(gitDir: gitDir)
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }

    static func resolveHead(gitDir: URL) -> String? {
        guard let head = try? String(contentsOf: gitDir.appendingPathComponent("HEAD"), encoding: .utf8)
        else { return nil }
        let trimmed = head.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("ref: ") else { return isCommitHash(trimmed) ? trimmed : nil }
        let ref = String(trimmed.dropFirst("ref: ".count))
        // A linked worktree keeps its HEAD in its own git dir and the branches in the common
        // one (named by the `commondir` file).
        var dirs = [gitDir]
        if let common = try? String(contentsOf: gitDir.appendingPathComponent("commondir"), encoding: .utf8) {
            let path = common.trimmingCharacters(in: .whitespacesAndNewlines)
            dirs.append(path.hasPrefix("/") ? URL(fileURLWithPath: path) : gitDir.appendingPathComponent(path).standardizedFileURL)
        }
        for dir in dirs {
            if let direct = try? String(contentsOf: dir.appendingPathComponent(ref), encoding: .utf8) {
                let hash = direct.trimmingCharacters(in: .whitespacesAndNewlines)
                return isCommitHash(hash) ? hash : nil
            }
            guard let packed = try? String(contentsOf: dir.appendingPathComponent("packed-refs"), encoding: .utf8) else { continue }
            for line in packed.split(separator: "\n") {
                let fields = line.split(separator: " ")
                if fields.count == 2, fields[1] == ref, isCommitHash(String(fields[0])) { return String(fields[0]) }
            }
        }
        return nil
    }

    static func isCommitHash(_ s: String) -> Bool {
        (s.count == 40 || s.count == 64) && s.allSatisfy(\.isHexDigit)
    }
}
