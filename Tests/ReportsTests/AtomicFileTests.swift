import Foundation
import Testing
@testable import Reports

@Suite struct AtomicFileTests {
    func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("splitbench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    @Test func writesAndReplacesWithoutLeavingTemporaries() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("sub/result.json")
        try AtomicFile.write("first", to: url)
        try AtomicFile.write("second", to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path) == ["result.json"])
    }

    @Test func failureLeavesDestinationUntouched() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The destination is a non-empty directory: rename(2) must fail, and nothing may remain.
        let url = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("keep"), withIntermediateDirectories: true)
        #expect(throws: OutputError.self) { try AtomicFile.write("x", to: url) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out"])
    }

    @Test func gitHeadIsResolvedFromFiles() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let git = dir.appendingPathComponent(".git")
        try FileManager.default.createDirectory(at: git.appendingPathComponent("refs/heads"), withIntermediateDirectories: true)
        try "ref: refs/heads/main\n".write(to: git.appendingPathComponent("HEAD"), atomically: true, encoding: .utf8)
        let hash = String(repeating: "ab", count: 20)
        try "\(hash) refs/heads/main\n".write(to: git.appendingPathComponent("packed-refs"), atomically: true, encoding: .utf8)
        let deep = dir.appendingPathComponent("a/b")
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        #expect(BuildInfo.headCommit(above: deep) == hash)
    }
}
