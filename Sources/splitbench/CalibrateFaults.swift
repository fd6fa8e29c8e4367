import ArgumentParser
import Foundation
import Reports
import Scenarios
import Simulation

struct CalibrateFaults: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faults",
        abstract: "Run the faults calibration and write faults.{md,html,csv,json}.",
        discussion: """
        Runs every scenario in scenarios/calibration/faults/ (novelty, seasonality, ramp-up, bots, SRM detection, \
        the SRM guard, broken stickiness, dilution), and writes one report with a section per fault model: its \
        lesson, with the numbers behind it, and its charts (estimates ±2 MCSE against the truth). \
        Exit codes: 0 done, 2 bad input.
        """)

    @OptionGroup var options: CalibrationOptions
    static let defaultScenario = "scenarios/calibration/faults"

    func run() async throws {
        if let previous = try options.previous(FaultsCalibration.self, kind: "faults calibration") {
            try write(FaultsCalibration(sections: try previous.sections.map { try Self.section($0.result) }))
            return
        }
        var args = [options.scenario ?? Self.defaultScenario, "--out", options.out]
        if let r = options.replications { args += ["--replications", String(r)] }
        if let t = options.threads { args += ["--threads", String(t)] }
        if options.quiet { args.append("--quiet") }
        let driver = ScenarioDriver(options: try RunOptions.parse(args))
        guard let results = try await options.results(driver, try driver.loadAll()) else { return }
        try write(FaultsCalibration(sections: try results.map { try Self.section($0) }))
    }

    func write(_ c: FaultsCalibration) throws {
        let folder = URL(fileURLWithPath: options.out)
        try AtomicFile.write(FaultsReport.markdown(c), to: folder.appendingPathComponent("faults.md"))
        try AtomicFile.write(FaultsReport.html(c), to: folder.appendingPathComponent("faults.html"))
        try AtomicFile.write(FaultsReport.csv(c), to: folder.appendingPathComponent("faults.csv"))
        try AtomicFile.write(try FaultsReport.json(c), to: folder.appendingPathComponent("faults.json"))
        print("faults calibration: \(c.sections.count) sections → \(folder.path)/faults.{md,html,csv,json}")
        for s in c.sections { print("  \(s.title): \(s.lesson.prefix(160))…") }
    }

    // MARK: sections

    /// The section of a calibration scenario, by its id (exit 2 for a scenario the report does
    /// not know how to read).
    static func section(_ r: ScenarioResult) throws -> FaultSection {
        let reader = Reader(r)
        switch r.scenario {
        case "calibration.faults.novelty": return reader.novelty()
        case "calibration.faults.seasonality": return reader.seasonality()
        case "calibration.faults.ramp": return reader.ramp()
        case "calibration.faults.bots": return reader.bots()
        case "calibration.faults.srm-detection": return reader.srmDetection()
        case "calibration.faults.srm-guard": return reader.srmGuard()
        case "calibration.faults.stickiness": return reader.stickiness()
        case "calibration.faults.dilution": return reader.dilution()
        default:
            printError("error: \(r.file): scenario \(r.scenario) is not one of the faults calibration's (calibration.faults.novelty, …seasonality, …ramp, …bots, …srm-detection, …srm-guard, …stickiness, …dilution)")
            throw ExitCode(2)
        }
    }

    /// Reads values out of one scenario result.
    struct Reader {
        let r: ScenarioResult
        init(_ r: ScenarioResult) { self.r = r }

        /// The first number in a factor value ("{days: [3]}" → 3, "0.02" → 0.02).
        static func number(_ s: String) -> Double? {
            var digits = ""
            for ch in s {
                if ch.isNumber || ch == "." || (ch == "-" && digits.isEmpty) || ch == "e" && !digits.isEmpty { digits.append(ch) } else if !digits.isEmpty { break }
            }
            return Double(digits)
        }

        func factor(_ cell: CellResult, _ key: String) -> String { cell.factors.first { $0.key == key }?.value ?? "" }

        /// Cells whose factor `key` satisfies `filter`, with x = the factor's first number.
        func cells(_ x: String, where filter: (CellResult) -> Bool = { _ in true }) -> [(x: Double, cell: CellResult)] {
            r.cells.filter(filter).compactMap { c in Reader.number(factor(c, x)).map { ($0, c) } }.sorted { $0.x < $1.x }
        }

        func summary(_ cell: CellResult, _ analysis: String) -> ComparisonSummary? { cell.comparisons.first { $0.analysis == analysis } }

        func value(_ cell: CellResult, _ analysis: String, _ m: Measure) -> MeasureValue? { summary(cell, analysis)?.value(m) }

        /// A series of one measure of `analysis` over `points`; `transform` maps (estimate, summary) to y.
        func series(_ name: String, _ points: [(x: Double, cell: CellResult)], _ analysis: String, _ m: Measure,
                    _ transform: (Double, ComparisonSummary) -> Double = { v, _ in v }) -> CalibrationSeries {
            CalibrationSeries(name: name, points: points.compactMap { p in
                guard let s = summary(p.cell, analysis), let v = s.value(m) else { return nil }
                return CalibrationPoint(x: p.x, y: transform(v.estimate, s), mcse: v.mcse)
            })
        }

        /// The long-run truth of an analysis in a cell: truth + bias − bias_long_run.
        func longRunTruth(_ cell: CellResult, _ analysis: String) -> Double? {
            guard let s = summary(cell, analysis), let t = s.truth, let b = s.value(.bias), let l = s.value(.biasLongRun) else { return nil }
            return t + b.estimate - l.estimate
        }

        /// Mean estimate = truth + bias.
        func meanEstimate(_ name: String, _ points: [(x: Double, cell: CellResult)], _ analysis: String) -> CalibrationSeries {
            series(name, points, analysis, .bias) { bias, s in (s.truth ?? 0) + bias }
        }

        func truth(_ name: String, _ points: [(x: Double, cell: CellResult)], _ analysis: String) -> CalibrationSeries {
            CalibrationSeries(name: name, points: points.compactMap { p in summary(p.cell, analysis)?.truth.map { CalibrationPoint(x: p.x, y: $0) } }, isTruth: true)
        }

        func fmt(_ v: MeasureValue?) -> String { v.map { "\(String(format: "%.4f", $0.estimate)) ± \(String(format: "%.4f", $0.mcse ?? 0))" } ?? "n/a" }

        /// How a claim compares an estimate with its target, at z = ``Verdicts/z`` MCSE (the
        /// rule of the gates and the peeking verdicts).
        enum Rule {
            /// Holds while estimate − z·MCSE ≤ target (e.g. the FPR holds α).
            case atMost
            /// Holds while estimate + z·MCSE ≥ target (e.g. coverage reaches 1 − α).
            case atLeast
            /// Holds when estimate − z·MCSE > target (the fault breaks a naive analysis).
            case above
            /// Holds when estimate + z·MCSE < target.
            case below
            /// Holds while |estimate − target| ≤ z·MCSE (agrees with theory).
            case near
            /// Holds when |estimate − target| > z·MCSE (the fault moves the estimate, either way).
            case differs
        }

        /// A claim about `measure` of `analysis` in `cell`, checked here against `target` by
        /// `rule`; a claim whose figure is missing does not hold.
        func claim(_ text: String, _ cell: CellResult?, _ analysis: String, _ measure: Measure, _ rule: Rule, _ target: Double) -> CalibrationClaim {
            let z = Verdicts.z
            let scope = "\(analysis)" + (cell.map { ", \($0.label)" } ?? "")
            let t = String(format: "%.4g", target)
            let targetText: String
            switch rule {
            case .atMost: targetText = "≤ \(t)"
            case .atLeast: targetText = "≥ \(t)"
            case .above: targetText = "> \(t)"
            case .below: targetText = "< \(t)"
            case .near: targetText = "= \(t)"
            case .differs: targetText = "≠ \(t)"
            }
            guard let cell, let v = value(cell, analysis, measure) else {
                return CalibrationClaim(claim: text, scope: scope + " (not measured)", estimate: nil, mcse: nil, target: targetText, targetValue: target, passed: false)
            }
            let e = v.estimate, m = v.mcse ?? 0
            let passed: Bool, band: (Double, Double)?
            switch rule {
            case .atMost: passed = e - z * m <= target; band = (target, target + z * m)
            case .atLeast: passed = e + z * m >= target; band = (target - z * m, target)
            case .above: passed = e - z * m > target; band = nil
            case .below: passed = e + z * m < target; band = nil
            case .near: passed = abs(e - target) <= z * m; band = (target - z * m, target + z * m)
            case .differs: passed = abs(e - target) > z * m; band = nil
            }
            return CalibrationClaim(claim: text, scope: scope, estimate: e, mcse: v.mcse, target: targetText, targetValue: target,
                                    bandLow: band?.0, bandHigh: band?.1, passed: passed)
        }
        func pct(_ v: MeasureValue?) -> String { v.map { String(format: "%.1f%%", 100 * $0.estimate) } ?? "n/a" }

        func novelty() -> FaultSection {
            let decay = cells("looks") { factor($0, "components[0].initial") == "0.5" }
            let flat = cells("looks") { factor($0, "components[0].initial") == "0.1" }
            let longRun = decay.first.flatMap { longRunTruth($0.cell, "welch") } ?? 0.1
            let day3 = decay.first { $0.x == 3 }?.cell, day28 = decay.last?.cell
            let lesson = "A novelty effect (+0.5 on day one, halving every 2 days towards +0.1) makes a short test right about what it saw and wrong about what will last: stopped at day 3 the Welch estimate exceeds the long-run effect by \(fmt(day3.flatMap { value($0, "welch", .biasLongRun) })), at day 28 by \(fmt(day28.flatMap { value($0, "welch", .biasLongRun) })), while its bias against the days it saw stays within MCSE (\(fmt(day3.flatMap { value($0, "welch", .bias) })) at day 3). The novelty trend check (per-age Welch effects regressed on days since exposure) flags the decay in \(pct(day3.flatMap { value($0, "trend", .rejectionRate) })) of 3-day tests and \(pct(day28.flatMap { value($0, "trend", .rejectionRate) })) of 28-day tests, and under a constant effect it rejects \(pct(flat.last.flatMap { value($0.cell, "trend", .rejectionRate) })) (α = 5%)."
            let estimate = CalibrationChart(
                title: "Novelty: mean estimate by stopping day", xLabel: "stopping day", yLabel: "treatment effect (minutes/day)",
                series: [meanEstimate("Welch estimate, novelty", decay, "welch"), truth("truth: average over the days seen", decay, "welch"),
                         meanEstimate("Welch estimate, constant effect", flat, "welch")],
                references: [CalibrationReference(value: longRun, label: "long-run effect τ∞ = \(String(format: "%.3g", longRun))")],
                caption: "Mean Welch estimate (±2 MCSE) for a test stopped at each day, against the average effect over the days it saw (dashed) and the long-run effect (reference line).")
            let check = CalibrationChart(
                title: "Novelty trend check: rejection rate by stopping day", xLabel: "stopping day", yLabel: "rejection rate",
                series: [series("decaying effect (power)", decay, "trend", .rejectionRate), series("constant effect (false alarms)", flat, "trend", .rejectionRate)],
                references: [CalibrationReference(value: 0.05, label: "α = 0.05")],
                caption: "Share of replications in which the trend check rejects a constant daily effect (±2 MCSE).")
            return FaultSection(title: "Novelty and primacy", lesson: lesson, charts: [estimate, check], result: r, claims: [
                claim("A 3-day test overstates the long-run effect", day3, "welch", .biasLongRun, .above, 0),
                claim("…yet is unbiased for the days it saw", day3, "welch", .bias, .near, 0),
                claim("The trend check holds α under a constant effect", flat.last?.cell, "trend", .rejectionRate, .atMost, 0.05),
            ])
        }

        func seasonality() -> FaultSection {
            let pts = cells("population.days")
            let longRun = pts.first.flatMap { longRunTruth($0.cell, "welch") } ?? 0
            func at(_ d: Double) -> CellResult? { pts.first { $0.x == d }?.cell }
            let lesson = "With a weekend-specific effect, the estimate depends on which weekdays the test saw. A 5-day test (Monday to Friday) is biased by \(fmt(at(5).flatMap { value($0, "welch", .biasLongRun) })) for the whole-week effect \(String(format: "%.4g", longRun)); 10 days by \(fmt(at(10).flatMap { value($0, "welch", .biasLongRun) })); whole weeks (7, 14, 21 days) by \(fmt(at(7).flatMap { value($0, "welch", .biasLongRun) })), \(fmt(at(14).flatMap { value($0, "welch", .biasLongRun) })) and \(fmt(at(21).flatMap { value($0, "welch", .biasLongRun) })). Every test is unbiased for the days it saw: run whole weeks."
            let chart = CalibrationChart(
                title: "Seasonality: mean estimate by test duration", xLabel: "test duration (days)", yLabel: "treatment effect",
                series: [meanEstimate("Welch estimate", pts, "welch"), truth("truth: traffic-weighted effect over the days seen", pts, "welch")],
                references: [CalibrationReference(value: longRun, label: "whole-week effect = \(String(format: "%.4g", longRun))")],
                caption: "Mean Welch estimate (±2 MCSE) against the effect over the days seen (dashed) and the whole-week effect (reference line).")
            return FaultSection(title: "Seasonality and time-varying effects", lesson: lesson, charts: [chart], result: r, claims: [
                claim("A Monday-to-Friday test misses the whole-week effect", at(5), "welch", .biasLongRun, .differs, 0),
                claim("Whole weeks estimate the whole-week effect (7 days)", at(7), "welch", .biasLongRun, .near, 0),
                claim("Whole weeks estimate the whole-week effect (14 days)", at(14), "welch", .biasLongRun, .near, 0),
                claim("A 5-day test is unbiased for the days it saw", at(5), "welch", .bias, .near, 0),
            ])
        }

        func ramp() -> FaultSection {
            let pts = cells("components[0].trend_per_day")
            let top = pts.last?.cell
            let lesson = "A ramp-up (10% treatment in week 1, 50% in week 2) alone does no harm, but with a baseline that drifts over calendar time the pooled comparison mixes the drift into the effect: at a drift of \(pts.last.map { String(format: "%.0f%%", $0.x * 100) } ?? "?") of the day-0 mean per day the pooled estimate of a -0.3 harm is biased by \(fmt(top.flatMap { value($0, "pooled", .bias) })) and ships in \(pct(top.flatMap { value($0, "pooled", .shipRate) })) of replications (Simpson's paradox). Stratified by allocation period the bias is \(fmt(top.flatMap { value($0, "stratified", .bias) })) and it ships \(pct(top.flatMap { value($0, "stratified", .shipRate) })); the final allocation period alone: \(fmt(top.flatMap { value($0, "final_period", .bias) }))."
            let estimate = CalibrationChart(
                title: "Ramp-up: mean estimate against calendar drift", xLabel: "drift (share of the day-0 mean per day)", yLabel: "estimated effect",
                series: [meanEstimate("pooled", pts, "pooled"), meanEstimate("stratified by allocation period", pts, "stratified"),
                         meanEstimate("final allocation period", pts, "final_period")],
                references: [CalibrationReference(value: -0.3, label: "true effect -0.3")],
                caption: "Mean estimate (±2 MCSE) of a -0.3 effect as the baseline drift grows.")
            let ship = CalibrationChart(
                title: "Ramp-up: share of replications that ship the harmful change", xLabel: "drift (share of the day-0 mean per day)", yLabel: "ship rate",
                series: [series("pooled", pts, "pooled", .shipRate), series("stratified", pts, "stratified", .shipRate), series("final period", pts, "final_period", .shipRate)],
                caption: "Rejected with a positive estimate (±2 MCSE).")
            return FaultSection(title: "Ramp-up and Simpson's paradox", lesson: lesson, charts: [estimate, ship], result: r, claims: [
                claim("Pooling across ramp periods is biased upward under drift", top, "pooled", .bias, .above, 0),
                claim("Stratifying by allocation period removes the bias", top, "stratified", .bias, .near, 0),
                claim("The final allocation period alone is unbiased", top, "final_period", .bias, .near, 0),
            ])
        }

        func bots() -> FaultSection {
            let null = cells("population.bots.share") { factor($0, "effects.treatment.revenue.absolute") == "0" }
            let alt = cells("population.bots.share") { factor($0, "effects.treatment.revenue.absolute") != "0" }
            let at = alt.first { abs($0.x - 0.005) < 1e-12 }?.cell, lowest = alt.first?.cell
            let mostBots = null.last?.cell
            let analyses = [("Welch", "welch"), ("winsorised p99", "winsor_p99"), ("winsorised p99.9", "winsor_p999"), ("bot filter (pageviews > 100)", "bot_filter")]
            let lesson = "Heavy-tailed bots in every arm leave the FPR at or below α but drain power: with 0.5% bots Welch detects a +0.35 lift in \(pct(at.flatMap { value($0, "welch", .rejectionRate) })) of replications (\(pct(lowest.flatMap { value($0, "welch", .rejectionRate) })) with 0.01%). Winsorising at the 99th percentile recovers \(pct(at.flatMap { value($0, "winsor_p99", .rejectionRate) })); at the 99.9th only \(pct(at.flatMap { value($0, "winsor_p999", .rejectionRate) })), because once bots exceed 0.1% of units the cap lands inside their own distribution. Filtering units by activity recovers \(pct(at.flatMap { value($0, "bot_filter", .rejectionRate) })) and removes \(pct(at.flatMap { value($0, "bot_filter", .excludedShare) })) of units."
            let fpr = CalibrationChart(
                title: "Bots: false-positive rate against the bot share", xLabel: "bot share (log scale)", yLabel: "rejection rate under H0",
                series: analyses.map { series($0.0, null, $0.1, .rejectionRate) }, references: [CalibrationReference(value: 0.05, label: "α = 0.05")], logX: true,
                caption: "A/A tests (±2 MCSE).")
            let power = CalibrationChart(
                title: "Bots: power for a +0.35 lift against the bot share", xLabel: "bot share (log scale)", yLabel: "power",
                series: analyses.map { series($0.0, alt, $0.1, .rejectionRate) }, logX: true,
                caption: "Rejection rate with a +0.35 effect on human users (±2 MCSE).")
            return FaultSection(title: "Bot traffic", lesson: lesson, charts: [fpr, power], result: r, claims: [
                claim("Welch holds α with the most bots", mostBots, "welch", .rejectionRate, .atMost, 0.05),
                claim("Winsorising at p99 holds α with the most bots", mostBots, "winsor_p99", .rejectionRate, .atMost, 0.05),
                claim("The bot filter holds α with the most bots", mostBots, "bot_filter", .rejectionRate, .atMost, 0.05),
            ])
        }

        func srmDetection() -> FaultSection {
            let pts = cells("faults[0].fraction")
            let none = pts.first?.cell
            func at(_ f: Double) -> CellResult? { pts.first { abs($0.x - f) < 1e-12 }?.cell }
            let rules = [("chi-square, once (p < 0.001)", "chi2_final"), ("chi-square, every day", "chi2_daily"),
                         ("sequential (Lindon & Malek), every day", "sequential_daily"), ("minimum deviation (p < 0.001 and gap ≥ 1 pt)", "min_deviation")]
            let lesson = "With 20 000 users, the chi-square check at 0.001 run once raises \(pct(none.flatMap { value($0, "chi2_final", .rejectionRate) })) false alarms and catches a 2% treatment loss in \(pct(at(0.02).flatMap { value($0, "chi2_final", .rejectionRate) })) and a 5% loss in \(pct(at(0.05).flatMap { value($0, "chi2_final", .rejectionRate) })) of replications. Run every day it raises \(pct(none.flatMap { value($0, "chi2_daily", .rejectionRate) })) false alarms; the sequential test, valid under monitoring, \(pct(none.flatMap { value($0, "sequential_daily", .rejectionRate) })), at the price of detection (\(pct(at(0.05).flatMap { value($0, "sequential_daily", .rejectionRate) })) of 5% losses, \(pct(at(0.1).flatMap { value($0, "sequential_daily", .rejectionRate) })) of 10%). At this size the minimum-deviation rule flags the same replications as the chi-square check (\(pct(at(0.02).flatMap { value($0, "min_deviation", .rejectionRate) })) against \(pct(at(0.02).flatMap { value($0, "chi2_final", .rejectionRate) })) at 2%): with 20 000 users any gap significant at 0.001 already exceeds one point. It matters at scale, where the chi-square check flags practically small gaps (gate srm-min-deviation: 100 000 users, 2% loss)."
            let chart = CalibrationChart(
                title: "SRM detection rate against exposure loss in the treatment", xLabel: "share of treatment exposures lost", yLabel: "flag rate",
                series: rules.map { series($0.0, pts, $0.1, .rejectionRate) },
                caption: "Share of replications flagged (±2 MCSE); at 0 loss this is the false alarm rate.")
            return FaultSection(title: "SRM faults: detection", lesson: lesson, charts: [chart], result: r, claims: [
                claim("The chi-square check once holds its 0.001 level with no loss", none, "chi2_final", .rejectionRate, .atMost, 0.001),
                claim("The sequential check every day holds 0.001 with no loss", none, "sequential_daily", .rejectionRate, .atMost, 0.001),
                claim("The chi-square check every day exceeds 0.001 (peeking)", none, "chi2_daily", .rejectionRate, .above, 0.001),
            ])
        }

        func srmGuard() -> FaultSection {
            let pts = cells("faults[0].fraction")
            let top = pts.last?.cell
            let lesson = "Exposure loss correlated with the outcome (the treatment loses low-value users) biases the estimate of a null change upward - \(fmt(top.flatMap { value($0, "welch", .bias) })) at \(pts.last.map { String(format: "%.0f%%", 100 * $0.x) } ?? "?") loss - and Welch ships it in \(pct(top.flatMap { value($0, "welch", .shipRate) })) of replications. With the SRM guard (ship only if the check did not flag) the same test ships it in \(pct(top.flatMap { value($0, "welch_guarded", .shipRate) })); with no loss the guard costs nothing (\(pct(pts.first.flatMap { value($0.cell, "welch_guarded", .rejectionRate) })) rejections against \(pct(pts.first.flatMap { value($0.cell, "welch", .rejectionRate) }))). Small losses slip under the guard: check the ship rate between 2% and 5% in the chart."
            let ship = CalibrationChart(
                title: "Shipping a null change under outcome-correlated exposure loss", xLabel: "share of low-value treatment users lost", yLabel: "ship rate",
                series: [series("Welch", pts, "welch", .shipRate), series("Welch with SRM guard", pts, "welch_guarded", .shipRate), series("SRM flag rate", pts, "srm", .rejectionRate)],
                caption: "Share of A/A replications that ship (±2 MCSE), and how often the SRM check flags.")
            let bias = CalibrationChart(
                title: "Bias of the estimate against the loss", xLabel: "share of low-value treatment users lost", yLabel: "bias",
                series: [series("Welch", pts, "welch", .bias)], references: [CalibrationReference(value: 0, label: "no bias")],
                caption: "Mean estimate minus the true effect 0 (±2 MCSE).")
            return FaultSection(title: "SRM faults: the guard", lesson: lesson, charts: [ship, bias], result: r, claims: [
                claim("Outcome-correlated loss biases the null estimate upward", top, "welch", .bias, .above, 0),
                claim("With no loss the guarded test holds α", pts.first?.cell, "welch_guarded", .rejectionRate, .atMost, 0.05),
            ])
        }

        func stickiness() -> FaultSection {
            let even = cells("faults[0].share") { factor($0, "experiment.variants").contains("0.5") }
            let uneven = cells("faults[0].share") { !factor($0, "experiment.variants").contains("0.5") }
            func closedForm(_ wC: Double, _ wT: Double, _ pts: [(x: Double, cell: CellResult)], _ name: String) -> CalibrationSeries {
                CalibrationSeries(name: name, points: pts.map { CalibrationPoint(x: $0.x, y: BrokenStickiness.expectedEstimate(effect: 0.5, control: wC, treatment: wT, share: $0.x, sessions: 3)) }, isTruth: true)
            }
            let at = even.first { abs($0.x - 0.3) < 1e-12 }?.cell, atU = uneven.first { abs($0.x - 0.3) < 1e-12 }?.cell
            let lesson = "Users re-randomised per session are analysed in both arms, which attenuates the estimate: with 30% of users over 3 sessions, a +0.5 effect is estimated with bias \(fmt(at.flatMap { value($0, "welch", .bias) })) at 50/50 and \(fmt(atU.flatMap { value($0, "welch", .bias) })) at 20/80 (closed forms \(String(format: "%.4f", BrokenStickiness.expectedEstimate(effect: 0.5, control: 0.5, treatment: 0.5, share: 0.3, sessions: 3) - 0.5)) and \(String(format: "%.4f", BrokenStickiness.expectedEstimate(effect: 0.5, control: 0.8, treatment: 0.2, share: 0.3, sessions: 3) - 0.5))). The SRM check is blind at 50/50 (\(pct(at.flatMap { value($0, "srm", .rejectionRate) })) flagged) and sees it at 20/80 (\(pct(atU.flatMap { value($0, "srm", .rejectionRate) })))."
            let estimate = CalibrationChart(
                title: "Broken stickiness: mean estimate of a +0.5 effect", xLabel: "share of users re-randomised per session", yLabel: "estimate",
                series: [meanEstimate("50/50", even, "welch"), closedForm(0.5, 0.5, even, "closed form, 50/50"),
                         meanEstimate("20/80", uneven, "welch"), closedForm(0.8, 0.2, uneven, "closed form, 20/80")],
                references: [CalibrationReference(value: 0.5, label: "true effect 0.5")],
                caption: "Mean estimate (±2 MCSE) against the closed-form expected estimate (dashed).")
            let srm = CalibrationChart(
                title: "Broken stickiness: SRM flag rate", xLabel: "share of users re-randomised per session", yLabel: "flag rate",
                series: [series("50/50", even, "srm", .rejectionRate), series("20/80", uneven, "srm", .rejectionRate)],
                caption: "Share of replications the chi-square check (p < 0.001) flags (±2 MCSE).")
            return FaultSection(title: "SRM faults: broken stickiness", lesson: lesson, charts: [estimate, srm], result: r, claims: [
                claim("50/50, 30% re-randomised: bias matches the closed form", at, "welch", .bias, .near,
                      BrokenStickiness.expectedEstimate(effect: 0.5, control: 0.5, treatment: 0.5, share: 0.3, sessions: 3) - 0.5),
                claim("20/80, 30% re-randomised: bias matches the closed form", atU, "welch", .bias, .near,
                      BrokenStickiness.expectedEstimate(effect: 0.5, control: 0.8, treatment: 0.2, share: 0.3, sessions: 3) - 0.5),
                claim("The SRM check sees broken stickiness at 20/80", atU, "srm", .rejectionRate, .above, 0.001),
            ])
        }

        func dilution() -> FaultSection {
            let pts = cells("population.segments")
            let at = pts.first { abs($0.x - 0.2) < 1e-12 }?.cell
            let lesson = "Analysing every assigned user instead of those who reached the change shrinks the estimate by the trigger rate and costs power: at a 20% trigger rate the diluted estimate of a +0.03 effect is biased by \(fmt(at.flatMap { value($0, "diluted", .bias) })) and detects it in \(pct(at.flatMap { value($0, "diluted", .rejectionRate) })) of replications, against \(pct(at.flatMap { value($0, "triggered", .rejectionRate) })) for the triggered analysis (bias \(fmt(at.flatMap { value($0, "triggered", .bias) }))). The diluted estimate is the unbiased intention-to-treat effect p·τ; divide by the trigger rate only if the change cannot affect anyone else."
            let estimate = CalibrationChart(
                title: "Dilution: mean estimate against the trigger rate", xLabel: "trigger rate (share of users who reach the change)", yLabel: "estimated effect",
                series: [meanEstimate("triggered analysis", pts, "triggered"), meanEstimate("diluted analysis", pts, "diluted"),
                         CalibrationSeries(name: "intention-to-treat p·τ", points: pts.map { CalibrationPoint(x: $0.x, y: 0.03 * $0.x) }, isTruth: true)],
                references: [CalibrationReference(value: 0.03, label: "effect on triggered users 0.03")],
                caption: "Mean estimate (±2 MCSE); dashed: the diluted analysis's expectation p·τ.")
            let power = CalibrationChart(
                title: "Dilution: power against the trigger rate", xLabel: "trigger rate", yLabel: "power",
                series: [series("triggered", pts, "triggered", .rejectionRate), series("diluted", pts, "diluted", .rejectionRate)],
                caption: "Rejection rate for a +0.03 effect on triggered users (±2 MCSE).")
            return FaultSection(title: "Dilution (overexposure)", lesson: lesson, charts: [estimate, power], result: r, claims: [
                claim("The triggered analysis is unbiased (20% trigger rate)", at, "triggered", .bias, .near, 0),
                claim("The diluted estimate is p·τ: bias −τ(1 − p) = −0.024", at, "diluted", .bias, .near, -0.03 * 0.8),
            ])
        }
    }
}
