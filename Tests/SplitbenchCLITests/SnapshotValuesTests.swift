import Foundation
import Testing

/// Why the snapshot's numbers are right (issue #18: a snapshot is a change detector, not a
/// test). The tiny scenario of ``SnapshotTests`` is run with `--records`, and every row of its
/// `measures.csv` (the file the snapshot pins) is recomputed here from the replication records
/// with the textbook formulas (Morris, White & Crowther 2019, table 6) and the truth worked out
/// by hand: conversion 0.3 × 10% = +0.03, revenue +0.5. Whoever re-records the snapshot after a
/// change that moves a measure away from its definition fails here.
///
/// The per-replication outcomes themselves (estimates, intervals, p-values) are checked against
/// scipy/statsmodels in AnalysisTests; CUPED's variance reduction (2 rows) needs the
/// unadjusted variance, which the records do not carry, and is checked in RunnerTests
/// (≈ ρ² within 4 MCSE) instead.
@Suite struct SnapshotValuesTests {
    /// RFC 4180 rows (no quoted fields occur in these files; a quote would fail the count check).
    static func rows(_ text: String) -> [[String: String]] {
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first else { return [] }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    @Test func everyMeasureFollowsFromTheRecords() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("splitbench-snapvalues-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tiny.yaml")
        try SnapshotTests.scenario.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLIRunner.run(["run", file.path, "--out", dir.appendingPathComponent("out").path, "--quiet", "--threads", "2", "--records"])
        #expect(r.status == 0, "\(r.stderr)")
        let folder = dir.appendingPathComponent("out/snapshot.tiny")
        let measuresText = try String(contentsOf: folder.appendingPathComponent("measures.csv"), encoding: .utf8)
        let measures = Self.rows(measuresText)
        let records = Self.rows(try String(contentsOf: folder.appendingPathComponent("records.csv"), encoding: .utf8))
        // The snapshot pins exactly this file.
        let snapshot = try String(contentsOf: SnapshotTests.snapshots.appendingPathComponent("tiny.measures.csv"), encoding: .utf8)
        #expect(measuresText == snapshot)

        let truth: [String: Double] = ["z": 0.3 * 0.1, "cuped": 0.5]
        var checked = 0
        for m in measures {
            let (cell, analysis, comparison, measure) = (m["cell"] ?? "", m["analysis"] ?? "", m["comparison"] ?? "", m["measure"] ?? "")
            let reps = records.filter { $0["cell"] == cell && $0["analysis"] == analysis && $0["comparison"] == comparison && $0["status"] == "ok" }
            let R = Double(reps.count)
            #expect(m["replications"] == String(reps.count), "\(m)")
            func col(_ k: String) -> [Double] { reps.map { Double($0[k] ?? "") ?? .nan } }
            func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }
            func sd(_ x: [Double]) -> Double { let mu = mean(x); return (x.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(x.count - 1)).squareRoot() }
            func proportion(_ k: Int) -> (Double, Double) { let p = Double(k) / R; return (p, (p * (1 - p) / R).squareRoot()) }
            let est = col("estimate"), lower = col("lower"), upper = col("upper"), se = col("standard_error")
            let t = truth[analysis] ?? .nan
            let expected: (Double, Double)?
            switch measure {
            case "rejection_rate": expected = proportion(reps.filter { $0["rejected"] == "1" }.count)
            case "coverage": expected = proportion(zip(lower, upper).filter { $0 <= t && t <= $1 }.count)
            case "bias": expected = (mean(est) - t, sd(est) / R.squareRoot())
            case "empirical_se": let s = sd(est); expected = (s, s / (2 * (R - 1)).squareRoot())
            case "model_se":
                let v = se.map { $0 * $0 }, mv = mean(v)
                expected = (mv.squareRoot(), (sd(v) * sd(v) / (4 * R * mv)).squareRoot())
            case "rmse":
                let sq = est.map { ($0 - t) * ($0 - t) }, root = mean(sq).squareRoot()
                expected = (root, sd(sq) / R.squareRoot() / (2 * root))
            case "ci_width": let w = zip(upper, lower).map { $0 - $1 }; expected = (mean(w), sd(w) / R.squareRoot())
            case "mean_sample_size": let n = col("sample_size"); expected = (mean(n), sd(n) / R.squareRoot())
            case "mean_stop_look": let n = col("stop_look"); expected = (mean(n), sd(n) / R.squareRoot())
            default: expected = nil
            }
            guard let (e, mcse) = expected else { continue }
            let (gotE, gotM) = (Double(m["estimate"] ?? "") ?? .nan, Double(m["mcse"] ?? "") ?? .nan)
            #expect(abs(gotE - e) <= 1e-9 * max(1, abs(e)), "\(cell) \(analysis) \(measure): estimate \(gotE), from the records \(e)")
            #expect(abs(gotM - mcse) <= 1e-9 * max(1, abs(mcse)), "\(cell) \(analysis) \(measure): mcse \(gotM), from the records \(mcse)")
            checked += 1
        }
        // All rows but CUPED's two variance_reduction rows are explained.
        #expect(checked == measures.count - 2, "\(checked) of \(measures.count) rows checked")
    }
}
