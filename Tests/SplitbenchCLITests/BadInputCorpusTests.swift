import Foundation
import Testing

/// The committed bad-input corpus (Tests/Fixtures/bad-inputs, written by its make_corpus.py):
/// every file is refused with its expected exit code and a message that contains the expected
/// fragment (the key path or line) and names the file, and nothing is written.
@Suite struct BadInputCorpusTests {
    struct Case: Decodable, CustomTestStringConvertible, Sendable {
        let file: String
        let command: [String]
        let exit: Int32
        let message: String
        /// For several cases on one file (bad options on a valid scenario).
        let name: String?
        var testDescription: String { name.map { "\(file) (\($0))" } ?? file }
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/bad-inputs")
    static let cases: [Case] = {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("cases.json")),
              let cases = try? JSONDecoder().decode([Case].self, from: data) else { return [] }
        return cases
    }()

    @Test func corpusIsLarge() {
        #expect(Self.cases.count >= 80)
        #expect(Set(Self.cases.map { $0.file.split(separator: "/").first ?? "" }).count >= 3)
    }

    @Test(arguments: cases) func refused(_ c: Case) throws {
        let path = Self.folder.appendingPathComponent(c.file).path
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let r = try CLIRunner.run(c.command.map { $0 == "FILE" ? path : $0 }, currentDirectory: scratch)
        #expect(r.status == c.exit, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.contains(c.message), "\(r.stderr)")
        let name = (c.file as NSString).lastPathComponent
        #expect(c.message.hasPrefix("--") || r.stderr.contains(name), "the message does not name \(name): \(r.stderr)")
        #expect(r.stderr.count < 2_000, "message too long (\(r.stderr.count) characters)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty, "files were written")
    }
}
