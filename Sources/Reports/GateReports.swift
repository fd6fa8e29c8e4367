import Simulation

/// Gate verdicts for CI systems: JUnit XML (one test case per gate check) and a Markdown
/// table for GitHub's step summary.
public enum GateReports {
    /// JUnit XML: one `<testsuite>` per scenario, one `<testcase>` per gate check (a gate is
    /// checked in every cell and comparison it selects), with a `<failure>` when it failed.
    public static func junit(_ results: [ScenarioResult], baseline: ResultDiff? = nil) -> String {
        let tested = baseline?.rows.filter { $0.z != nil } ?? []
        let total = results.reduce(0) { $0 + $1.gates.count } + tested.count
        let failures = results.reduce(0) { $0 + $1.gates.filter { !$0.passed }.count } + (baseline?.regressions.count ?? 0)
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<testsuites name=\"splitbench gate\" tests=\"\(total)\" failures=\"\(failures)\">\n"
        for r in results {
            let f = r.gates.filter { !$0.passed }.count
            x += "  <testsuite name=\"\(Escape.html(r.scenario))\" tests=\"\(r.gates.count)\" failures=\"\(f)\" time=\"\(Num.sig(r.run.wallSeconds, 4))\">\n"
            for g in r.gates {
                let name = "\(g.statement) [cell: \(g.cell)\(g.comparison.isEmpty ? "" : ", comparison: \(g.comparison)")]"
                x += "    <testcase classname=\"\(Escape.html(r.scenario))\" name=\"\(Escape.html(name))\">"
                if g.passed {
                    x += "<system-out>\(Escape.html(g.message))</system-out></testcase>\n"
                } else {
                    x += "\n      <failure message=\"\(Escape.html(g.message))\">\(Escape.html("\(r.file): \(g.statement): \(g.message)"))</failure>\n    </testcase>\n"
                }
            }
            x += "  </testsuite>\n"
        }
        if let d = baseline {
            // One test case per measure compared with the baseline.
            x += "  <testsuite name=\"baseline\" tests=\"\(tested.count)\" failures=\"\(d.regressions.count)\">\n"
            for r in tested {
                let name = "\(r.measure) of \(r.analysis)/\(r.comparison) [cell: \(r.cell)] against the baseline"
                let message = "\(Num.withMCSE(r.oldEstimate, r.oldMCSE)) → \(Num.withMCSE(r.newEstimate, r.newMCSE)), z = \(DiffReport.z(r.z)) (flag |z| > \(String(format: "%.2f", d.threshold)))\(r.enforced ? "" : ", not enforced: the scenario changed")"
                x += "    <testcase classname=\"baseline.\(Escape.html(r.scenario))\" name=\"\(Escape.html(name))\">"
                if r.flagged && r.enforced {
                    x += "\n      <failure message=\"\(Escape.html(message))\">\(Escape.html(message))</failure>\n    </testcase>\n"
                } else {
                    x += "<system-out>\(Escape.html(message))</system-out></testcase>\n"
                }
            }
            x += "  </testsuite>\n"
        }
        x += "</testsuites>\n"
        return x
    }

    /// A Markdown table of every gate check (for `$GITHUB_STEP_SUMMARY`).
    public static func stepSummary(_ results: [ScenarioResult]) -> String {
        let total = results.reduce(0) { $0 + $1.gates.count }
        let passed = results.reduce(0) { $0 + $1.gates.filter(\.passed).count }
        var md = "### SplitBench gates: \(passed) of \(total) passed\n\n| | scenario | gate | cell | comparison | result |\n| --- | --- | --- | --- | --- | --- |\n"
        for r in results {
            for g in r.gates {
                md += "| \(g.passed ? "pass" : "**FAIL**") | \(Escape.markdownCell(r.scenario)) | \(Escape.markdownCell(g.statement)) | \(Escape.markdownCell(g.cell)) | \(Escape.markdownCell(g.comparison)) | \(Escape.markdownCell(g.message)) |\n"
            }
        }
        return md + "\n"
    }
}
