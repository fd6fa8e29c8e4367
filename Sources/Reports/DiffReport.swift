import Foundation
import Simulation

/// Renders a ``ResultDiff`` (computed in Simulation) as text for a terminal, Markdown for a CI
/// step summary, and JSON.
public enum DiffReport {
    /// How many of the largest unflagged changes to show beside the flagged ones.
    static let largestShown = 10
    /// How many added or removed rows to list by name.
    static let unmatchedShown = 50

    static func z(_ z: Double?) -> String {
        guard let z else { return "n/a" }
        if z.isInfinite { return z > 0 ? "+∞" : "−∞" }
        return String(format: "%+.2f", z)
    }

    static func where_(_ r: ResultDiff.Row) -> String { "\(r.scenario) [\(r.cell)] \(r.analysis)/\(r.comparison) \(r.measure)" }
    static func values(_ r: ResultDiff.Row) -> String {
        "\(Num.withMCSE(r.oldEstimate, r.oldMCSE)) → \(Num.withMCSE(r.newEstimate, r.newMCSE))"
    }

    /// The one-line rule, stated before any result.
    public static func rule(_ d: ResultDiff) -> String {
        "flag |z| > \(String(format: "%.2f", d.threshold)), z = Δ/√(MCSE_old² + MCSE_new²): Bonferroni over the \(d.tested) measures with an MCSE, familywise α = \(Num.sig(d.familywiseAlpha))"
    }

    static func summary(_ d: ResultDiff) -> String {
        var counts: [String: Int] = [:]
        for s in d.scenarios { counts[s.status, default: 0] += 1 }
        let parts = ["identical", "compared", "scenario_changed", "added", "removed"].compactMap { k in counts[k].map { "\($0) \(k.replacingOccurrences(of: "_", with: " "))" } }
        return "\(d.scenarios.count) scenario\(d.scenarios.count == 1 ? "" : "s") (\(parts.joined(separator: ", "))), \(d.rows.count) measures in both"
    }

    static func largest(_ d: ResultDiff) -> [ResultDiff.Row] {
        Array(d.rows.filter { !$0.flagged && ($0.z ?? 0) != 0 }.sorted { abs($0.z ?? 0) > abs($1.z ?? 0) }.prefix(largestShown))
    }

    /// Plain text for a terminal.
    public static func text(_ d: ResultDiff) -> String {
        var out = ["splitbench diff: \(summary(d))", "rule: \(rule(d))"]
        if d.scenarios.allSatisfy({ $0.status == "identical" }) {
            out.append("identical: same scenarios and seeds, every measure byte-for-byte equal")
        }
        for s in d.scenarios where s.status == "scenario_changed" { out.append("NOT ENFORCED \(s.scenario): \(s.note)") }
        for s in d.scenarios where s.status == "added" || s.status == "removed" { out.append("\(s.status) scenario \(s.scenario): \(s.note)") }
        let flagged = d.rows.filter(\.flagged)
        for r in flagged {
            out.append("\(r.enforced ? "REGRESSION" : "changed (not enforced)") \(where_(r)): \(values(r)), z = \(z(r.z))")
        }
        if flagged.isEmpty { out.append("no measure moved beyond the threshold") }
        let top = largest(d)
        if !top.isEmpty {
            out.append("largest changes within the threshold:")
            for r in top { out.append("  \(where_(r)): \(values(r)), z = \(z(r.z))") }
        }
        for (label, rows) in [("added", d.added), ("removed", d.removed)] where !rows.isEmpty {
            out.append("\(label): \(rows.count) measure\(rows.count == 1 ? "" : "s")")
            for u in rows.prefix(unmatchedShown) { out.append("  \(u.scenario) [\(u.cell)] \(u.analysis)/\(u.comparison) \(u.measure) = \(Num.sig(u.estimate))") }
            if rows.count > unmatchedShown { out.append("  … and \(rows.count - unmatchedShown) more") }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Markdown for a CI step summary (`$GITHUB_STEP_SUMMARY`).
    public static func markdown(_ d: ResultDiff) -> String {
        var out = ["## splitbench diff", "", summary(d) + ".", "", "Rule: " + rule(d) + ".", ""]
        for s in d.scenarios where s.status == "scenario_changed" { out.append("- **Not enforced:** `\(s.scenario)`: \(s.note)") }
        for s in d.scenarios where s.status == "added" || s.status == "removed" { out.append("- **\(s.status.capitalized) scenario** `\(s.scenario)`: \(s.note)") }
        let flagged = d.rows.filter(\.flagged)
        func table(_ rows: [ResultDiff.Row]) {
            out.append("| | scenario | cell | analysis | measure | baseline | new | z |")
            out.append("| --- | --- | --- | --- | --- | --- | --- | ---: |")
            for r in rows {
                let mark = r.flagged ? (r.enforced ? "**regression**" : "not enforced") : ""
                out.append("| \(mark) | \(Escape.markdownCell(r.scenario)) | \(Escape.markdownCell(r.cell)) | \(Escape.markdownCell("\(r.analysis)/\(r.comparison)")) | \(r.measure) | \(Num.withMCSE(r.oldEstimate, r.oldMCSE)) | \(Num.withMCSE(r.newEstimate, r.newMCSE)) | \(z(r.z)) |")
            }
            out.append("")
        }
        if flagged.isEmpty {
            out.append(d.scenarios.allSatisfy { $0.status == "identical" } ? "Identical: every measure is byte-for-byte equal." : "No measure moved beyond the threshold.")
            out.append("")
        } else {
            out.append("### Flagged")
            out.append("")
            table(flagged)
        }
        let top = largest(d)
        if !top.isEmpty {
            out.append("### Largest changes within the threshold")
            out.append("")
            table(top)
        }
        for (label, rows) in [("Added", d.added), ("Removed", d.removed)] where !rows.isEmpty {
            out.append("### \(label) (\(rows.count))")
            out.append("")
            for u in rows.prefix(unmatchedShown) { out.append("- `\(u.scenario)` [\(Escape.markdownCell(u.cell))] \(u.analysis)/\(u.comparison) \(u.measure) = \(Num.sig(u.estimate))") }
            if rows.count > unmatchedShown { out.append("- … and \(rows.count - unmatchedShown) more") }
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    /// JSON (keys sorted, as every SplitBench output).
    public static func json(_ d: ResultDiff) throws -> Data { try ResultFiles.encode(d) }
}
