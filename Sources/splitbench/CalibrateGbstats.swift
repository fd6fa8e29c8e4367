import ArgumentParser
import Foundation
import Reports
import Scenarios
import Simulation

struct CalibrateGbstats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gbstats",
        abstract: "Run the gbstats calibration and write gbstats.{md,html,csv,json}.",
        discussion: """
        Runs scenarios/calibration/gbstats.yaml (GrowthBook's gbstats through the external-engine protocol beside \
        SplitBench's own methods on the same replications: the frequentist relative-lift t test, the t test peeked at \
        daily, the sequential confidence sequence, Bayesian chance to win with a 95% stop, CUPED, and a binary metric) \
        and writes the side-by-side report with what the numbers show. Needs the adapters venv (scripts/setup \
        --adapters). With --from, re-renders from an earlier gbstats.json or from the scenario's result.json \
        (`splitbench run scenarios/calibration/gbstats.yaml` writes it) without running. \
        Exit codes: 0 done, 2 bad input.
        """)

    @OptionGroup var options: CalibrationOptions
    static let defaultScenario = "scenarios/calibration/gbstats.yaml"

    /// The analyses read side by side: gbstats' (gb.*) and SplitBench's (sb.*).
    static let pairs = [
        EnginePair(label: "frequentist relative-lift t test", engine: "gb.freq", reference: "sb.welch"),
        EnginePair(label: "t test peeked at daily", engine: "gb.freq.naive", reference: "sb.welch.naive"),
        EnginePair(label: "sequential confidence sequence (N* = 5000), daily looks", engine: "gb.seq", reference: "sb.cs"),
        EnginePair(label: "Bayesian chance to win, stop at 95%", engine: "gb.bayes", reference: "sb.bayes"),
        EnginePair(label: "CUPED", engine: "gb.cuped", reference: "sb.cuped"),
        EnginePair(label: "binary metric (proportions)", engine: "gb.conv", reference: "sb.z"),
    ]
    static let measures: [Measure] = [.rejectionRate, .shipRate, .coverage, .bias, .empiricalSE, .ciWidth, .meanStopLook]

    func run() async throws {
        let result: ScenarioResult
        if let from = options.from {
            // An earlier gbstats.json, else a scenario result.json.
            guard let data = try? Data(contentsOf: URL(fileURLWithPath: from)) else {
                printError("error: \(from): cannot read")
                throw ExitCode(2)
            }
            if let previous = try? ResultFiles.decode(EngineCalibration.self, from: data) {
                result = previous.result
            } else if let r = try? ResultFiles.decode(ScenarioResult.self, from: data) {
                result = r
            } else {
                printError("error: \(from): neither a gbstats calibration JSON nor a scenario result.json")
                throw ExitCode(2)
            }
        } else {
            let (driver, s) = try options.load(defaultScenario: Self.defaultScenario)
            guard let r = try await options.results(driver, [s])?.first else { return }
            result = r
        }
        try write(try Self.calibration(result))
    }

    /// The calibration of a result of the gbstats scenario (exit 2 when an analysis of the
    /// pairs is missing).
    static func calibration(_ r: ScenarioResult) throws -> EngineCalibration {
        let ids = Set(r.cells.flatMap { $0.comparisons.map(\.analysis) })
        if let missing = pairs.flatMap({ [$0.engine, $0.reference] }).first(where: { !ids.contains($0) }) {
            printError("error: \(r.file): the result has no analysis \(missing); the gbstats calibration needs \(pairs.map { "\($0.engine)/\($0.reference)" }.joined(separator: ", "))")
            throw ExitCode(2)
        }
        return EngineCalibration(
            title: "gbstats calibration",
            intro: "GrowthBook's gbstats, driven through SplitBench's external-engine protocol (scripts/adapters/gbstats_adapter.py), beside SplitBench's own methods on the same replications: each pair below reads the same simulated experiments, so a difference within a pair is the engines', not the data's.",
            findings: findings(r), pairs: pairs, measures: measures, result: r, fileName: "gbstats")
    }

    /// "What the numbers show", from the result (the null cell has no effects; the other is H1).
    static func findings(_ r: ScenarioResult) -> [String] {
        let x = CalibrateFaults.Reader(r)
        let h0 = r.cells.first { x.factor($0, "effects") == "{}" } ?? r.cells.first
        let h1 = r.cells.first { $0.index != h0?.index }
        func v(_ cell: CellResult?, _ a: String, _ m: Measure) -> MeasureValue? { cell.flatMap { x.value($0, a, m) } }
        func pm(_ value: MeasureValue?) -> String {
            value.map { String(format: "%.1f%% ± %.1f", 100 * $0.estimate, 100 * ($0.mcse ?? 0)) } ?? "n/a"
        }
        func ratio(_ a: MeasureValue?, _ b: MeasureValue?) -> String {
            guard let a, let b, b.estimate != 0 else { return "n/a" }
            let d = 100 * (a.estimate / b.estimate - 1)
            return abs(d) >= 1 ? String(format: "%.0f%%", d) : String(format: "%.2g%%", d)
        }
        func same(_ a: MeasureValue?, _ b: MeasureValue?) -> String {
            guard let a, let b else { return "n/a" }
            return a.estimate == b.estimate ? "identical" : String(format: "%.4f against %.4f", a.estimate, b.estimate)
        }
        var out: [String] = []
        out.append("**Frequentist t test.** Under A/A gbstats' relative-lift t test rejects \(pm(v(h0, "gb.freq", .rejectionRate))) (SplitBench's Welch, normal: \(pm(v(h0, "sb.welch", .rejectionRate)))) and its 95% intervals cover \(pm(v(h0, "gb.freq", .coverage))) (\(pm(v(h0, "sb.welch", .coverage)))); with a +3% lift it detects \(pm(v(h1, "gb.freq", .rejectionRate))) (\(pm(v(h1, "sb.welch", .rejectionRate)))). The estimate and its delta-method SE are the same (the adapter tests pin them to 1e-9); where they differ is the reference distribution: gbstats uses Student t at the Welch–Satterthwaite df, SplitBench the normal, so gbstats' intervals are wider by \(ratio(v(h0, "gb.freq", .ciWidth), v(h0, "sb.welch", .ciWidth))) here (≈ t₀.₉₇₅,df/1.96 − 1 with df ≈ 4000) and its p-values slightly larger (never smaller: tested); at these sample sizes the rejection rates come out \(same(v(h0, "gb.freq", .rejectionRate), v(h0, "sb.welch", .rejectionRate))) under A/A.")
        out.append("**Peeking.** Checking gbstats' fixed-horizon t test every day for 14 days and stopping at the first p < 0.05 rejects \(pm(v(h0, "gb.freq.naive", .rejectionRate))) of A/A tests (SplitBench's Welch peeked alike: \(pm(v(h0, "sb.welch.naive", .rejectionRate)))) instead of 5%: the engine is not the problem, the dashboard habit is. With the same estimates and SEs, a difference within this pair can only come from the t-against-normal p-value at some look.")
        out.append("**Sequential.** gbstats' asymptotic confidence sequence (N* = 5000) checked daily holds the false-positive rate: \(pm(v(h0, "gb.seq", .rejectionRate))) against SplitBench's confidence sequence with the same N*: \(pm(v(h0, "sb.cs", .rejectionRate))); the price is power (\(pm(v(h1, "gb.seq", .rejectionRate))) at +3%, against \(pm(v(h1, "gb.freq", .rejectionRate))) for the fixed-horizon test at day 14) and intervals \(ratio(v(h0, "gb.seq", .ciWidth), v(h0, "gb.freq", .ciWidth))) wider than the fixed-horizon ones.")
        out.append("**Bayesian.** With a flat prior, gbstats' chance to win stopped at 95% ships an A/A in \(pm(v(h0, "gb.bayes", .shipRate))) of replications (SplitBench's normal–normal chance to beat control: \(pm(v(h0, "sb.bayes", .shipRate)))): a posterior threshold checked daily is not an error-rate guarantee. With +3% it ships \(pm(v(h1, "gb.bayes", .shipRate))), and the estimates at the stop overstate the lift (bias \(x.fmt(v(h1, "gb.bayes", .bias)))).")
        out.append("**CUPED.** gbstats' regression adjustment (θ pooled over both arms, as SplitBench's) cuts the empirical SE of the relative lift from \(x.fmt(v(h0, "gb.freq", .empiricalSE))) to \(x.fmt(v(h0, "gb.cuped", .empiricalSE))) (pre-period correlation 0.6) with FPR \(pm(v(h0, "gb.cuped", .rejectionRate))) (SplitBench's CUPED: \(pm(v(h0, "sb.cuped", .rejectionRate)))). The two relative CUPED estimators are not the same formula: gbstats divides the adjusted difference by the control's unadjusted mean (and uses unadjusted means in the delta method), SplitBench takes the ratio of the adjusted means; the mean estimates differ by \(String(format: "%.2g", abs((v(h0, "gb.cuped", .bias)?.estimate ?? 0) - (v(h0, "sb.cuped", .bias)?.estimate ?? 0)))) under A/A and the CI widths by \(ratio(v(h1, "gb.cuped", .ciWidth), v(h1, "sb.cuped", .ciWidth))) at +3%. The absolute CUPED estimate and SE agree to 1e-9.")
        out.append("**Binary metric.** gbstats' proportion statistic with its t test and SplitBench's z test give the same estimates; FPR \(pm(v(h0, "gb.conv", .rejectionRate))) vs \(pm(v(h0, "sb.z", .rejectionRate))), power at +6% \(pm(v(h1, "gb.conv", .rejectionRate))) vs \(pm(v(h1, "sb.z", .rejectionRate))); the intervals differ by \(ratio(v(h0, "gb.conv", .ciWidth), v(h0, "sb.z", .ciWidth))) (t against normal).")
        out.append("With R = \(r.replications) replications per cell a rate near 5% has an MCSE of about \(String(format: "%.1f", 100 * (0.05 * 0.95 / Double(max(r.replications, 1))).squareRoot())) points" + (r.replications < 2000 ? "; the full run (R = 2000) is `splitbench calibrate gbstats --replications 2000` (a few minutes on 2 cores)." : "."))
        return out
    }

    func write(_ c: EngineCalibration) throws {
        let folder = URL(fileURLWithPath: options.out)
        try AtomicFile.write(EngineCalibrationReport.markdown(c), to: folder.appendingPathComponent("gbstats.md"))
        try AtomicFile.write(EngineCalibrationReport.html(c), to: folder.appendingPathComponent("gbstats.html"))
        try AtomicFile.write(EngineCalibrationReport.csv(c), to: folder.appendingPathComponent("gbstats.csv"))
        try AtomicFile.write(try EngineCalibrationReport.json(c), to: folder.appendingPathComponent("gbstats.json"))
        print("gbstats calibration: \(c.result.cells.count) cells × \(c.result.replications) replications → \(folder.path)/gbstats.{md,html,csv,json}")
        for f in c.findings { print("  " + f.replacingOccurrences(of: "**", with: "").prefix(160) + "…") }
    }
}
