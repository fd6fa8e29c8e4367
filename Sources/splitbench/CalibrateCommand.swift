import Analysis
import ArgumentParser
import Foundation
import Reports
import Scenarios
import Simulation

struct Calibrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Calibration reports for stopping (peeking) policies.",
        subcommands: [CalibratePeeking.self])
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

    @Option(help: "The calibration scenario.")
    var scenario = "scenarios/calibration/peeking.yaml"

    @Option(help: "Override the replications per cell.")
    var replications: Int?

    @Option(help: "Output directory.")
    var out = "results/calibration"

    @Option(help: "Worker threads (default: every core).")
    var threads: Int?

    @Flag(help: "No progress bar.")
    var quiet = false

    @Option(help: "Re-render the report from an earlier peeking.json instead of running.")
    var from: String?

    func run() async throws {
        if let from {
            let calibration: PeekingCalibration
            do {
                let decoder = JSONDecoder()
                decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
                calibration = try decoder.decode(PeekingCalibration.self, from: Data(contentsOf: URL(fileURLWithPath: from)))
            } catch {
                printError("error: \(from): not a peeking calibration JSON (\(error))")
                throw ExitCode(2)
            }
            try write(calibration)
            return
        }
        var args = [scenario, "--out", out]
        if let replications { args += ["--replications", String(replications)] }
        if let threads { args += ["--threads", String(threads)] }
        if quiet { args.append("--quiet") }
        let options = try RunOptions.parse(args)
        let driver = ScenarioDriver(options: options)
        guard let s = try driver.loadAll().first else { throw ExitCode(2) }
        let result = try await driver.run(s)
        let alpha = 0.05
        // Exact naive probabilities for every K the scenario uses.
        var ks = Set<Int>()
        for cell in result.cells { if let c = cell.comparisons.first { ks.insert(c.rejectionsByLook.count) } }
        let policy = try NaivePeekingPolicy(alpha: alpha)
        let exact = try ks.sorted().map { ExactNaive(looks: $0, probability: try policy.rejectionProbabilityUnderH0(looks: $0)) }
        // Boundaries beside rpact's.
        let refURL = URL(fileURLWithPath: scenario).deletingLastPathComponent().appendingPathComponent("rpact-boundaries.json")
        var rows: [BoundaryRow] = []
        struct RefFile: Decodable { struct D: Decodable { let design: String; let looks: Int; let criticalValues: [Double] }; let designs: [D] }
        if let data = try? Data(contentsOf: refURL), let ref = try? JSONDecoder().decode(RefFile.self, from: data) {
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
        let calibration = PeekingCalibration(result: result, exactNaive: exact, boundaries: rows, alpha: alpha)
        try write(calibration)
    }

    func write(_ calibration: PeekingCalibration) throws {
        let folder = URL(fileURLWithPath: out)
        try AtomicFile.write(PeekingReport.markdown(calibration), to: folder.appendingPathComponent("peeking.md"))
        try AtomicFile.write(PeekingReport.html(calibration), to: folder.appendingPathComponent("peeking.html"))
        try AtomicFile.write(PeekingReport.csv(calibration), to: folder.appendingPathComponent("peeking.csv"))
        try AtomicFile.write(try PeekingReport.json(calibration), to: folder.appendingPathComponent("peeking.json"))
        let r = calibration.result
        print("peeking calibration: \(r.cells.count) cells × \(r.replications) replications in \(String(format: "%.1f", r.run.wallSeconds)) s → \(folder.path)/peeking.{md,html,csv,json}")
        for line in PeekingReport.headlines(calibration) { print("  " + line) }
    }
}
