import Analysis

/// The comparison of two sets of results measure by measure (`splitbench diff`, `gate
/// --baseline`): every (scenario, cell, analysis, comparison, measure) present in both, with
/// both estimates and MCSEs and z = Δ/√(MCSE_old² + MCSE_new²) (``RegressionCheck``); rows
/// present in one set only; and, per scenario, whether the comparison is enforced (the
/// scenario file is unchanged) or only reported (its hash differs).
public struct ResultDiff: Codable, Equatable, Sendable {
    /// One measure in both runs.
    public struct Row: Codable, Equatable, Sendable {
        public let scenario: String
        public let cell: String
        public let analysis: String
        public let comparison: String
        public let measure: String
        public let oldEstimate: Double
        public let oldMCSE: Double?
        public let newEstimate: Double
        public let newMCSE: Double?
        /// nil when an MCSE is missing or not finite (the row is then not tested).
        public let z: Double?
        /// |z| above the threshold.
        public let flagged: Bool
        /// False when the scenario changed: reported, not enforced.
        public let enforced: Bool
    }

    /// A row present in one run only.
    public struct Unmatched: Codable, Equatable, Sendable {
        public let scenario: String
        public let cell: String
        public let analysis: String
        public let comparison: String
        public let measure: String
        public let estimate: Double
    }

    /// What happened to one scenario.
    public struct ScenarioStatus: Codable, Equatable, Sendable {
        public let scenario: String
        /// `identical` (same hash, seed and every measure equal), `compared` (same file; the same
        /// seed or independent seeds), `scenario_changed` (the file's hash differs: reported, not
        /// enforced), `added` or `removed`.
        public let status: String
        public let note: String
    }

    public let familywiseAlpha: Double
    /// The number of rows tested (with both MCSEs), m in the Bonferroni rule.
    public let tested: Int
    /// |z| above which a row is flagged: z_{1 − α/(2m)}.
    public let threshold: Double
    public let scenarios: [ScenarioStatus]
    public let rows: [Row]
    /// Rows of scenarios in both runs that one of them lacks (a whole scenario added or
    /// removed is in ``scenarios`` only).
    public let added: [Unmatched]
    public let removed: [Unmatched]

    /// The flagged rows that are enforced: the regressions a gate fails on.
    public var regressions: [Row] { rows.filter { $0.flagged && $0.enforced } }

    /// Compares `old` with `new`, matching scenarios by id, cells by label, comparisons by
    /// (analysis, comparison) and measures by name. The threshold is fixed before any value is
    /// looked at: Bonferroni over every row that has both MCSEs, at `familywiseAlpha`.
    public static func compare(old: [ScenarioResult], new: [ScenarioResult], familywiseAlpha: Double = 0.05) throws(AnalysisError) -> ResultDiff {
        typealias Key = String
        func rows(_ r: ScenarioResult) -> [(key: Key, cell: String, analysis: String, comparison: String, measure: String, value: MeasureValue)] {
            var out: [(key: Key, cell: String, analysis: String, comparison: String, measure: String, value: MeasureValue)] = []
            for cell in r.cells {
                for c in cell.comparisons {
                    for m in c.measures {
                        out.append(("\(cell.label)\u{1}\(c.analysis)\u{1}\(c.comparison)\u{1}\(m.measure.rawValue)", cell.label, c.analysis, c.comparison, m.measure.rawValue, m))
                    }
                }
            }
            return out
        }
        let oldByID = Dictionary(old.map { ($0.scenario, $0) }, uniquingKeysWith: { a, _ in a })
        let newByID = Dictionary(new.map { ($0.scenario, $0) }, uniquingKeysWith: { a, _ in a })
        var statuses: [ScenarioStatus] = []
        var pairs: [(ScenarioResult, ScenarioResult, Bool)] = []
        var added: [Unmatched] = [], removed: [Unmatched] = []
        for id in Set(oldByID.keys).union(newByID.keys).sorted() {
            switch (oldByID[id], newByID[id]) {
            case let (o?, n?):
                // A changed file is a different experiment: reported, not enforced. A changed seed
                // (`--baseline-seed-offset`) is the same experiment on independent replications.
                let changed = o.scenarioHash != n.scenarioHash
                pairs.append((o, n, !changed))
                if changed {
                    statuses.append(ScenarioStatus(scenario: id, status: "scenario_changed", note: "the scenario file changed (hash \(o.scenarioHash.prefix(12)) → \(n.scenarioHash.prefix(12))): differences are reported, not enforced; update the baseline"))
                } else if o.seed != n.seed {
                    statuses.append(ScenarioStatus(scenario: id, status: "compared", note: "independent replications (seeds \(o.seed) and \(n.seed)): the z rule is exact"))
                } else if o.cells == n.cells {
                    let code = o.run.gitCommit == n.run.gitCommit && o.run.splitbenchVersion == n.run.splitbenchVersion
                        ? "same code (\(o.run.gitCommit.map { String($0.prefix(12)) } ?? o.run.splitbenchVersion))"
                        : "code changed (\(o.run.gitCommit.map { String($0.prefix(12)) } ?? "?") → \(n.run.gitCommit.map { String($0.prefix(12)) } ?? "?"))"
                    statuses.append(ScenarioStatus(scenario: id, status: "identical", note: "same scenario and seed, \(code), every measure identical"))
                } else {
                    statuses.append(ScenarioStatus(scenario: id, status: "compared", note: "same scenario and seed: the runs share random streams, so the z rule (for independent runs) is conservative"))
                }
            case let (o?, nil):
                statuses.append(ScenarioStatus(scenario: id, status: "removed", note: "in the baseline only (\(rows(o).count) measures)"))
            case let (nil, n?):
                statuses.append(ScenarioStatus(scenario: id, status: "added", note: "in the new results only (\(rows(n).count) measures)"))
            case (nil, nil):
                break
            }
        }
        // Match rows; count the testable ones first so the threshold is fixed before any z.
        var matched: [(scenario: String, cell: String, analysis: String, comparison: String, measure: String, old: MeasureValue, new: MeasureValue, enforced: Bool)] = []
        for (o, n, enforced) in pairs {
            let newRows = Dictionary(rows(n).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            let oldRows = rows(o)
            let oldKeys = Set(oldRows.map(\.key))
            for r in oldRows {
                if let m = newRows[r.key] {
                    matched.append((o.scenario, r.cell, r.analysis, r.comparison, r.measure, r.value, m.value, enforced))
                } else {
                    removed.append(Unmatched(scenario: o.scenario, cell: r.cell, analysis: r.analysis, comparison: r.comparison, measure: r.measure, estimate: r.value.estimate))
                }
            }
            for r in rows(n) where !oldKeys.contains(r.key) {
                added.append(Unmatched(scenario: n.scenario, cell: r.cell, analysis: r.analysis, comparison: r.comparison, measure: r.measure, estimate: r.value.estimate))
            }
        }
        func testable(_ v: MeasureValue) -> Double? { v.mcse.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil } }
        let tested = matched.filter { testable($0.old) != nil && testable($0.new) != nil }.count
        let threshold = try RegressionCheck.threshold(comparisons: tested, familywiseAlpha: familywiseAlpha)
        let out = matched.map { m -> Row in
            var z: Double? = nil
            if let so = testable(m.old), let sn = testable(m.new) {
                z = RegressionCheck.zScore(old: m.old.estimate, oldMCSE: so, new: m.new.estimate, newMCSE: sn)
            }
            return Row(scenario: m.scenario, cell: m.cell, analysis: m.analysis, comparison: m.comparison, measure: m.measure,
                       oldEstimate: m.old.estimate, oldMCSE: m.old.mcse, newEstimate: m.new.estimate, newMCSE: m.new.mcse,
                       z: z, flagged: z.map { abs($0) > threshold } ?? false, enforced: m.enforced)
        }
        return ResultDiff(familywiseAlpha: familywiseAlpha, tested: tested, threshold: threshold, scenarios: statuses,
                          rows: out, added: added, removed: removed)
    }
}
