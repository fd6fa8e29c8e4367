import Analysis
import Distributions
import ArgumentParser
import Foundation
import Reports
import Scenarios
import Simulation

struct Calibrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Calibration reports: peeking policies, multiple testing, fault models, designs, gbstats.",
        subcommands: [CalibratePeeking.self, CalibrateMultipleTesting.self, CalibrateFaults.self, CalibrateDesigns.self, CalibrateGbstats.self])
}

/// Options shared by the calibration commands.
struct CalibrationOptions: ParsableArguments {
    @Option(help: "The calibration scenario (default: the command's file in scenarios/calibration/).")
    var scenario: String?

    @Option(help: "Override the replications per cell.")
    var replications: Int?

    @Option(help: "Output directory.")
    var out = "results/calibration"

    @Option(help: "Worker threads (default: every core).")
    var threads: Int?

    @Flag(help: "No progress bar.")
    var quiet = false

    @Option(help: "Re-render the report from an earlier JSON of the same command instead of running.")
    var from: String?

    @Option(help: ArgumentHelp("Run only slice i of n (1-based) of each calibration scenario and write OUT/<id>/shard-i-of-n.jsonl; make the report from all n with --merge.",
                               valueName: "i/n"),
            transform: ShardSpec.parse)
    var shard: ShardSpec?

    @Option(parsing: .upToNextOption, help: "Make the report from these shard files (or directories of them) of `--shard i/n` runs instead of running.")
    var merge: [String] = []

    /// The results of the calibration's scenarios: run here, or merged from `--merge` shards
    /// (exit 2 when a scenario's shards are missing or belong to another file); nil after
    /// `--shard` wrote one shard per scenario (there is no report to write then).
    func results(_ driver: ScenarioDriver, _ scenarios: [Scenario]) async throws -> [ScenarioResult]? {
        if shard != nil && !merge.isEmpty {
            printError("error: --shard and --merge: give one (run a slice, or make the report from all of them)")
            throw ExitCode(2)
        }
        if let shard {
            for s in scenarios { try await driver.runShard(s, shard, command: "run", out: out) }
            return nil
        }
        if !merge.isEmpty {
            let merged = try await Merge.mergeAll(merge, scenario: nil, records: false)
            return try scenarios.map { s in
                guard let r = merged.first(where: { $0.result.scenario == s.id })?.result else {
                    printError("error: --merge: no shards of \(s.id) (\(s.file)) among \(merge.joined(separator: " "))")
                    throw ExitCode(2)
                }
                guard r.scenarioHash == s.sourceHash else {
                    printError("error: \(s.file): SHA-256 \(s.sourceHash.prefix(16))… is not the shards' \(r.scenarioHash.prefix(16))… (the file changed since the shards ran)")
                    throw ExitCode(2)
                }
                return r
            }
        }
        var out: [ScenarioResult] = []
        for s in scenarios { out.append(try await driver.run(s).result) }
        return out
    }

    /// The scenario and a driver with these options (exit 2 on a bad file).
    func load(defaultScenario: String) throws -> (ScenarioDriver, Scenario) {
        var args = [scenario ?? defaultScenario, "--out", out]
        if let replications { args += ["--replications", String(replications)] }
        if let threads { args += ["--threads", String(threads)] }
        if quiet { args.append("--quiet") }
        let driver = ScenarioDriver(options: try RunOptions.parse(args))
        guard let s = try driver.loadAll().first else { throw ExitCode(2) }
        return (driver, s)
    }

    /// The calibration read from `--from`, or nil when it is not given (exit 2 on a bad file).
    func previous<T: Decodable>(_ type: T.Type, kind: String) throws -> T? {
        guard let from else { return nil }
        do {
            return try ResultFiles.decode(type, from: Data(contentsOf: URL(fileURLWithPath: from)))
        } catch {
            printError("error: \(from): not a \(kind) JSON (\(error))")
            throw ExitCode(2)
        }
    }
}

struct CalibratePeeking: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peeking",
        abstract: "Run the peeking calibration and write peeking.{md,html,csv,json}.",
        discussion: """
        Runs scenarios/calibration/peeking.yaml (naive peeking, group sequential designs with correct and \
        misestimated traffic, mSPRT, confidence sequences and Bayesian stopping, for K = 1…100 looks and \
        daily looks, under H0 and H1), computes the exact naive-peeking probabilities and the group \
        sequential boundaries beside rpact's, and writes the report. Exit codes: 0 done, 2 bad input.
        """)

    @OptionGroup var options: CalibrationOptions
    static let defaultScenario = "scenarios/calibration/peeking.yaml"

    func run() async throws {
        if var previous = try options.previous(PeekingCalibration.self, kind: "peeking calibration") {
            if previous.verdicts == nil { previous.verdicts = Self.verdicts(previous.result, alpha: previous.alpha, exact: previous.exactNaive) }
            try write(previous)
            return
        }
        let (driver, s) = try options.load(defaultScenario: Self.defaultScenario)
        // α is the scenario's: every non-SRM analysis must share one.
        let alphas = Set(s.cells.flatMap { $0.study.analyses.filter { !$0.method.isSampleRatioCheck }.map(\.alpha) })
        guard alphas.count == 1, let alpha = alphas.first else {
            printError("error: \(s.file): the peeking calibration needs one α shared by every analysis; found \(alphas.sorted().map { "\($0)" }.joined(separator: ", "))")
            throw ExitCode(2)
        }
        guard let result = try await options.results(driver, [s])?.first else { return }
        // Exact naive probabilities for every K the scenario uses.
        var ks = Set<Int>()
        for cell in result.cells { if let c = cell.comparisons.first { ks.insert(c.rejectionsByLook.count) } }
        let policy = try NaivePeekingPolicy(alpha: alpha)
        let exact = try ks.sorted().map { ExactNaive(looks: $0, probability: try policy.rejectionProbabilityUnderH0(looks: $0)) }
        // Boundaries beside rpact's.
        let refURL = URL(fileURLWithPath: options.scenario ?? Self.defaultScenario).deletingLastPathComponent().appendingPathComponent("rpact-boundaries.json")
        var rows: [BoundaryRow] = []
        struct RefFile: Decodable { struct D: Decodable { let design: String; let looks: Int; let criticalValues: [Double] }; let designs: [D] }
        if alpha != 0.05 {
            printError("warning: the rpact boundaries in \(refURL.lastPathComponent) are for α = 0.05, the scenario's α is \(alpha): the report has no rpact comparison")
        } else if let data = try? Data(contentsOf: refURL), let ref = try? JSONDecoder().decode(RefFile.self, from: data) {
            for d in ref.designs {
                let spending: AlphaSpending = d.design == "obf" ? .obrienFleming : d.design == "pocock" ? .pocock : .power(rho: 2)
                let design = try GroupSequentialDesign.lanDeMets(alpha: alpha, spending: spending, looks: d.looks)
                for (i, (mine, theirs)) in zip(design.criticalValues, d.criticalValues).enumerated() {
                    rows.append(BoundaryRow(design: d.design, looks: d.looks, look: i + 1, splitbench: mine, rpact: theirs))
                }
            }
        } else {
            printError("warning: \(refURL.path) not found: the report has no rpact comparison")
        }
        let calibration = PeekingCalibration(result: result, exactNaive: exact, boundaries: rows, alpha: alpha,
                                             verdicts: Self.verdicts(result, alpha: alpha, exact: exact))
        try write(calibration)
    }

    /// The report's verdicts: every comparison against α (Simulation's ``Verdicts``), and the
    /// naive policy under H0 (a cell without effects) against its exact probability at K looks.
    static func verdicts(_ result: ScenarioResult, alpha: Double, exact: [ExactNaive]) -> [ComparisonVerdict] {
        Verdicts.comparisons(result.cells, alpha: alpha) { cell, s in
            let h0 = (cell.factors.first { $0.key == "effects" }?.value ?? "{}") == "{}"
            guard h0, s.policy == StoppingPolicy.naivePeeking.name else { return nil }
            return exact.first { $0.looks == s.rejectionsByLook.count }?.probability
        }
    }

    func write(_ calibration: PeekingCalibration) throws {
        let folder = URL(fileURLWithPath: options.out)
        try AtomicFile.write(PeekingReport.markdown(calibration), to: folder.appendingPathComponent("peeking.md"))
        try AtomicFile.write(PeekingReport.html(calibration), to: folder.appendingPathComponent("peeking.html"))
        try AtomicFile.write(PeekingReport.csv(calibration), to: folder.appendingPathComponent("peeking.csv"))
        try AtomicFile.write(try PeekingReport.json(calibration), to: folder.appendingPathComponent("peeking.json"))
        let r = calibration.result
        print("peeking calibration: \(r.cells.count) cells × \(r.replications) replications in \(String(format: "%.1f", r.run.wallSeconds)) s → \(folder.path)/peeking.{md,html,csv,json}")
        for line in PeekingReport.headlines(calibration) { print("  " + line) }
    }
}

struct CalibrateMultipleTesting: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "multiple-testing",
        abstract: "Run the multiple-testing calibration and write multiple-testing.{md,html,csv,json}.",
        discussion: """
        Runs scenarios/calibration/multiple-testing.yaml (m metrics × treatments, correlation rho, a share with a true \
        effect; no correction, Bonferroni, Holm, Hochberg, BH, BY, primary uncorrected), measures FWER, FDR and power, and \
        checks the known guarantees. Exit codes: 0 done, 2 bad input.
        """)

    @OptionGroup var options: CalibrationOptions
    static let defaultScenario = "scenarios/calibration/multiple-testing.yaml"

    func run() async throws {
        if let previous = try options.previous(MultipleTestingCalibration.self, kind: "multiple-testing calibration") {
            try write(MultipleTestingCalibration(result: previous.result, checks: Self.checks(previous.result, alpha: previous.alpha), alpha: previous.alpha))
            return
        }
        let (driver, s) = try options.load(defaultScenario: Self.defaultScenario)
        guard let family = s.cells.first?.study.family else {
            printError("error: \(s.file): not a multiple-testing family scenario (no family key)")
            throw ExitCode(2)
        }
        guard let result = try await options.results(driver, [s])?.first else { return }
        try write(MultipleTestingCalibration(result: result, checks: Self.checks(result, alpha: family.alpha), alpha: family.alpha))
    }

    func write(_ calibration: MultipleTestingCalibration) throws {
        let result = calibration.result
        let folder = URL(fileURLWithPath: options.out)
        try AtomicFile.write(MultipleTestingReport.markdown(calibration), to: folder.appendingPathComponent("multiple-testing.md"))
        try AtomicFile.write(MultipleTestingReport.html(calibration), to: folder.appendingPathComponent("multiple-testing.html"))
        try AtomicFile.write(MultipleTestingReport.csv(calibration), to: folder.appendingPathComponent("multiple-testing.csv"))
        try AtomicFile.write(try MultipleTestingReport.json(calibration), to: folder.appendingPathComponent("multiple-testing.json"))
        print("multiple-testing calibration: \(result.cells.count) cells × \(result.replications) replications in \(String(format: "%.1f", result.run.wallSeconds)) s → \(folder.path)/multiple-testing.{md,html,csv,json}")
        for g in calibration.checks { print("  \(g.passed ? "holds" : "VIOLATED"): \(g.claim) — \(g.worst)") }
    }

    /// Checks the published guarantees in every cell they cover. A check covers many cells, so
    /// its per-cell bound is Bonferroni-corrected across them: a cell fails when its estimate
    /// lies more than z·MCSE beyond the bound, with z = Φ⁻¹(1 − 0.00135/cells) (3 MCSE for one
    /// cell; the check as a whole then has a false-alarm rate of at most 0.135%).
    static func checks(_ r: ScenarioResult, alpha: Double) -> [GuaranteeCheck] {
        struct Row { let label: String; let arms: Int; let m: Int; let rho: Double; let affected: Int; let s: ComparisonSummary }
        var rows: [Row] = []
        for cell in r.cells {
            func factor(_ k: String) -> String? { cell.factors.first { $0.key == k }?.value }
            let arms = factor("experiment.variants").map { $0.split(separator: ",").count } ?? 2
            let m = Int(factor("family.metrics") ?? "") ?? 0
            let rho = Double(factor("family.correlation") ?? "") ?? 0
            let fraction = Double(factor("family.effect_fraction") ?? "") ?? 0
            for s in cell.comparisons where s.analysis == "family" {
                rows.append(Row(label: cell.label, arms: arms, m: m, rho: rho, affected: Int((fraction * Double(m)).rounded()), s: s))
            }
        }
        func check(_ claim: String, _ source: String, _ subset: [Row], _ measure: Measure, bound: (Row) -> Double, twoSided: Bool = false) -> GuaranteeCheck {
            var worst: (z: Double, text: String) = (-.infinity, "no cell")
            var passed = true
            let zBound = (try? Normal.standard.inverseSurvival(0.00135 / Double(max(subset.count, 1)) / (twoSided ? 2 : 1))) ?? 3
            for row in subset {
                guard let v = row.s.value(measure), let mcse = v.mcse else { continue }
                let b = bound(row)
                let z = mcse > 0 ? (twoSided ? abs(v.estimate - b) : v.estimate - b) / mcse : (v.estimate > b ? .infinity : 0)
                if z > zBound { passed = false }
                if z > worst.z { worst = (z, "\(row.s.comparison) in \(row.label): \(String(format: "%.4f ± %.4f", v.estimate, mcse)) vs \(String(format: "%.4f", b)) (\(String(format: "%+.1f", z)) MCSE)") }
            }
            return GuaranteeCheck(claim: claim, source: source, cells: subset.count, passed: passed,
                                  worst: worst.text + String(format: "; per-cell bound %.2f MCSE", zBound))
        }
        let byPolicy = { (p: String) in rows.filter { $0.s.comparison == p } }
        return [
            check("Bonferroni: FWER ≤ α under any dependence", "Bonferroni inequality; ORACLES §6", byPolicy("bonferroni"), .fwer) { _ in alpha },
            check("Holm: FWER ≤ α under any dependence", "Holm 1979", byPolicy("holm"), .fwer) { _ in alpha },
            check("Hochberg: FWER ≤ α under independence or positive dependence (these families are PRDS)", "Hochberg 1988; Sarkar 1998", byPolicy("hochberg"), .fwer) { _ in alpha },
            check("BH: FDR = q·m₀/m for independent tests (one treatment, ρ = 0)", "Benjamini & Hochberg 1995",
                  byPolicy("bh").filter { $0.rho == 0 && $0.arms == 2 }, .fdr, bound: { row in alpha * Double(row.m - row.affected) / Double(row.m) }, twoSided: true),
            check("BH: FDR ≤ q·m₀/m under positive dependence (ρ > 0 or A/B/n)", "Benjamini & Yekutieli 2001",
                  byPolicy("bh").filter { $0.rho > 0 || $0.arms > 2 }, .fdr) { row in alpha * Double(row.m - row.affected) / Double(row.m) },
            check("BY: FDR ≤ q under arbitrary dependence", "Benjamini & Yekutieli 2001", byPolicy("by"), .fdr) { _ in alpha },
        ]
    }
}
