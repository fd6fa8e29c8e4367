import Foundation
import Testing

/// `splitbench calibrate gbstats --from`: re-renders the committed gbstats scenario result
/// (results/calibration/calibration.gbstats/result.json) as gbstats.{md,html,csv,json} without
/// running gbstats (so it needs no venv).
@Suite struct CalibrateGbstatsCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let committed = root.appendingPathComponent("results/calibration/calibration.gbstats/result.json")

    /// The analyses of one cell of a result.json, by id: (measure → estimate).
    static func measures(_ json: Any, cell: Int) -> [String: [String: Double]] {
        guard let top = json as? [String: Any], let cells = top["cells"] as? [[String: Any]], cell < cells.count,
              let comparisons = cells[cell]["comparisons"] as? [[String: Any]] else { return [:] }
        var out: [String: [String: Double]] = [:]
        for c in comparisons {
            guard let id = c["analysis"] as? String, let ms = c["measures"] as? [[String: Any]] else { continue }
            for m in ms { if let name = m["measure"] as? String, let e = m["estimate"] as? Double { out[id, default: [:]][name] = e } }
        }
        return out
    }

    @Test func reRendersTheCommittedResultAsFourFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("splitbench-gb-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        let r = try CLIRunner.run(["calibrate", "gbstats", "--from", Self.committed.path, "--out", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(names == ["gbstats.csv", "gbstats.html", "gbstats.json", "gbstats.md"])
        let md = try String(contentsOf: out.appendingPathComponent("gbstats.md"), encoding: .utf8)
        #expect(md.contains("## What the numbers show"))
        // Every pair's two analyses have a row in each cell's table.
        for id in ["gb.freq", "sb.welch", "gb.freq.naive", "sb.welch.naive", "gb.seq", "sb.cs", "gb.bayes", "sb.bayes", "gb.cuped", "sb.cuped", "gb.conv", "sb.z"] {
            #expect(md.components(separatedBy: "| \(id) (").count - 1 == 2, "\(id)")
        }
        // The findings quote the result's numbers: the A/A rejection rates of gbstats' t test,
        // its daily peeking and the Bayesian ship rate, as percentages.
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.committed))
        let h0 = Self.measures(json, cell: 0)
        for (id, m) in [("gb.freq", "rejection_rate"), ("gb.freq.naive", "rejection_rate"), ("gb.bayes", "ship_rate"), ("gb.seq", "rejection_rate")] {
            let e = try #require(h0[id]?[m])
            #expect(md.contains(String(format: "%.1f%% ±", 100 * e)), "\(id) \(m) \(e)")
        }
        // Tidy CSV: one row per (cell, pair side, measure).
        let csv = try String(contentsOf: out.appendingPathComponent("gbstats.csv"), encoding: .utf8)
        let expectedRows = (0..<2).reduce(0) { n, cell in n + Self.measures(json, cell: cell).filter { $0.key.hasPrefix("gb.") || $0.key.hasPrefix("sb.") }.values.reduce(0) { $0 + $1.count } }
        #expect(csv.split(separator: "\n").count == 1 + expectedRows)
        // Re-render from the report's own JSON: identical Markdown.
        let again = dir.appendingPathComponent("again")
        let rr = try CLIRunner.run(["calibrate", "gbstats", "--from", out.appendingPathComponent("gbstats.json").path, "--out", again.path])
        #expect(rr.status == 0, "\(rr.stderr)")
        #expect(try String(contentsOf: again.appendingPathComponent("gbstats.md"), encoding: .utf8) == md)
    }

    /// A result without one of the pairs' analyses is refused (exit 2) with its name.
    @Test func resultWithoutAPairIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("splitbench-gb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try String(contentsOf: Self.committed, encoding: .utf8).replacingOccurrences(of: "\"gb.seq\"", with: "\"gb.other\"")
        let file = dir.appendingPathComponent("result.json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLIRunner.run(["calibrate", "gbstats", "--from", file.path, "--out", dir.appendingPathComponent("out").path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no analysis gb.seq"), "\(r.stderr)")
    }
}
