import Foundation
import Testing
@testable import Reports

/// The result folder is replaced as a whole: managed files never mix old and new, other
/// entries survive, and what a killed write leaves behind is recovered by the next one.
@Suite struct AtomicFolderTests {
    func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("splitbench-folder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }
    func list(_ url: URL) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() }

    @Test func replacesManagedFilesAndKeepsTheRest() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("cli.x")
        try AtomicFolder.write([("result.json", Data("old".utf8)), ("records.csv", Data("old rows".utf8))], to: folder, managed: ["records.csv"])
        // Someone else's entries: a checkpoint folder and a shard file.
        try FileManager.default.createDirectory(at: folder.appendingPathComponent(".checkpoint"), withIntermediateDirectories: true)
        try Data("part".utf8).write(to: folder.appendingPathComponent(".checkpoint/part-0.jsonl"))
        try Data("shard".utf8).write(to: folder.appendingPathComponent("shard-1-of-2.jsonl"))
        // The new run writes no records.csv: the old one must not survive beside the new result.
        try AtomicFolder.write([("result.json", Data("new".utf8))], to: folder, managed: ["records.csv"])
        #expect(try list(folder) == [".checkpoint", "result.json", "shard-1-of-2.jsonl"])
        #expect(try read(folder.appendingPathComponent("result.json")) == "new")
        #expect(try read(folder.appendingPathComponent(".checkpoint/part-0.jsonl")) == "part")
        #expect(try read(folder.appendingPathComponent("shard-1-of-2.jsonl")) == "shard")
        #expect(try list(dir) == ["cli.x"], "no temporary or old folder left beside the result")
    }

    @Test func leftoversOfAKilledWriteAreRecovered() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        // Killed after renaming the old folder aside and before renaming the new one in:
        // only `.x.old-*` (holding a checkpoint) and a half-written `.x.tmp-*` exist.
        let old = dir.appendingPathComponent(".x.old-1-2")
        try fm.createDirectory(at: old.appendingPathComponent(".checkpoint"), withIntermediateDirectories: true)
        try Data("old".utf8).write(to: old.appendingPathComponent("result.json"))
        try Data("part".utf8).write(to: old.appendingPathComponent(".checkpoint/part-0.jsonl"))
        let tmp = dir.appendingPathComponent(".x.tmp-1-2")
        try fm.createDirectory(at: tmp, withIntermediateDirectories: true)
        try Data("half".utf8).write(to: tmp.appendingPathComponent("result.json"))
        try AtomicFolder.write([("result.json", Data("new".utf8))], to: dir.appendingPathComponent("x"))
        #expect(try list(dir) == ["x"])
        #expect(try read(dir.appendingPathComponent("x/result.json")) == "new")
        #expect(try read(dir.appendingPathComponent("x/.checkpoint/part-0.jsonl")) == "part")
    }

    @Test func aFileInTheWayIsAnErrorAndChangesNothing() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let blocker = dir.appendingPathComponent("x")
        try Data("user file".utf8).write(to: blocker)
        #expect(throws: OutputError.self) { try AtomicFolder.write([("result.json", Data("new".utf8))], to: blocker) }
        #expect(try read(blocker) == "user file")
        #expect(try list(dir) == ["x"])
    }
}
