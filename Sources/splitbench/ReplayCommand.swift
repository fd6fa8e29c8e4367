import ArgumentParser
import Foundation
import Reports
import Scenarios
import Simulation

/// `splitbench replay`: re-runs one replication of one cell alone and prints what it saw.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-run one replication of one cell alone and print what it saw: the assignment salt, the units and sums per look and arm, and every comparison's outcome.",
        discussion: """
        A replication's numbers depend only on (seed, scenario, cell key, replication), so this reproduces exactly \
        what `run` computed for it (compare with `run --records`). Failed replications are listed by index under \
        "failures" in result.json. Exit codes: 0 done, 2 bad input.
        """)

    @Argument(help: "The scenario file.")
    var scenario: String

    @Option(help: "The cell: its index (as in measures.csv), its label (`population.units=200`) or its key (hex).")
    var cell: String = "0"

    @Option(help: "The replication index (0-based).")
    var replication: Int

    @Option(help: "Override the scenario's seed (as `run --seed` does).")
    var seed: UInt64?

    @Option(help: "Replication engine: automatic or staged. The numbers are identical.")
    var engine: EngineChoice = .automatic

    @Flag(help: "Print the comparison outcomes as CSV rows (records.csv's format) only.")
    var csv = false

    func run() throws {
        let s: Scenario
        do { s = try Scenario.load(path: scenario) } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        let inputs = s.cellInputs(seed: seed)
        guard let input = inputs.first(where: { String($0.index) == cell || $0.label == cell })
                ?? inputs.first(where: { c in (try? CellPlan(study: c.study, scenarioID: s.id, cellIndex: c.index, factors: c.factors))?.cellKeyHex == cell.lowercased() }) else {
            printError("error: --cell: \(scenario) has no cell \"\(cell)\"; its cells are: \(inputs.map { "\($0.index) (\($0.label))" }.joined(separator: ", "))")
            throw ExitCode(2)
        }
        guard replication >= 0 else {
            printError("error: --replication: expected an index ≥ 0, got \(replication)")
            throw ExitCode(2)
        }
        let plan: CellPlan
        let stats: LookStatistics
        let record: ReplicationRecord
        do {
            plan = try CellPlan(study: input.study, scenarioID: s.id, cellIndex: input.index, factors: input.factors)
            let e = ReplicationEngine(plan: plan, path: engine.path)
            stats = try e.observe(replication: replication, table: ColumnTable())
            record = try e.analyse(stats)
        } catch {
            printError("error: \(scenario): \(error)")
            throw ExitCode(2)
        }
        let rows = record.rows(plan: plan, replication: replication)
        if csv {
            print(ResultFiles.recordsCSV(rows, scenario: s.id), terminator: "")
            return
        }
        let fast = ReplicationEngine(plan: plan, path: engine.path).usesFastPath
        print(Self.text(plan: plan, replication: replication, stats: stats, rows: rows, fastPath: fast))
    }

    static func g(_ x: Double) -> String { x.isFinite ? String(format: "%.6g", x) : (x > 0 ? "+inf" : (x < 0 ? "-inf" : "nan")) }

    /// What the replication saw, as text.
    static func text(plan: CellPlan, replication r: Int, stats: LookStatistics, rows: [ReplicationRow], fastPath: Bool) -> String {
        let study = plan.study
        let context = ReplicationContext(plan: plan, replication: r)
        var out = "\(study.id), cell \(plan.cellIndex) (key \(plan.cellKeyHex)), replication \(r), seed \(study.seed)\n"
        out += "engine: \(fastPath ? "fast path (fused)" : "staged"); design \(plan.design.kind); assignment \(study.experiment.assignment.rawValue)"
        out += study.experiment.assignment == .hashed ? ", salt \"\(context.salt)\"\n" : "\n"
        let arms = study.experiment.variants.map(\.name)
        for k in 0..<stats.looks {
            let day = plan.looks[k].day
            let counts = (0..<stats.arms).map { stats.counts[k * stats.arms + $0] }
            out += "look \(k + 1) (day \(g(day))): units " + zip(arms, counts).map { "\($0)=\($1)" }.joined(separator: ", ") + "\n"
            for (m, metric) in study.metrics.enumerated() {
                let means = (0..<stats.arms).map { a -> String in
                    let s = stats.sums(look: k, arm: a, metric: m)
                    return "\(arms[a])=\(s.mean.mean.map(g) ?? "-")"
                }
                out += "  \(metric.name) mean: " + means.joined(separator: ", ") + "\n"
            }
        }
        for row in rows {
            let o = row.outcome
            out += "\(row.analysis) [\(row.comparison)]: "
            if o.status != .ok {
                out += "cannot analyse (\(o.status.rawValue)) at look \(o.stopLook)\n"
                continue
            }
            out += "estimate \(g(o.estimate)), SE \(g(o.standardError)), CI [\(g(o.lower)), \(g(o.upper))], p \(g(o.pValue)), "
            out += "\(o.rejected ? "rejected" : "not rejected") at look \(o.stopLook), n \(o.sampleSize)\n"
        }
        return out
    }
}
