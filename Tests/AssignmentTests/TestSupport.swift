import Foundation
import Testing
@testable import Assignment

enum TestSupport {
    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func fixture(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
        return try Data(contentsOf: url)
    }

    static func ruleset(_ json: String) throws -> Ruleset {
        do { return try Ruleset(json: json) } catch {
            Issue.record("ruleset rejected: \(error)")
            throw error
        }
    }

    static let now = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28
}
