import ArgumentParser
import Assignment
import Foundation
import Reports
import Scenarios
import Simulation

struct CalibrateDesigns: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "designs",
        abstract: "Run the designs calibration and write designs.{md,html,csv,json}.",
        discussion: """
        Runs every scenario in scenarios/calibration/designs/ (switchback, cluster randomisation, interference, \
        bandits, long-term holdout, stratified assignment) and writes one report with a section per design: its lesson, with the numbers behind it, and its \
        charts: FPR against phi and L for switchbacks, FPR against the ICC for clusters, bias against w for \
        interference, regret against ln T for bandits, bias against the novelty share for a long-term holdout, variance and FPR against the number of salts for \
        re-salting, and \
        the coverage of naive against valid intervals. \
        Exit codes: 0 done, 2 bad input.
        """)

    @OptionGroup var options: CalibrationOptions
    static let defaultScenario = "scenarios/calibration/designs"
    static let title = "Designs calibration"
    static let intro = "What each design does to the naive analysis, and which analysis is valid for it."

    func run() async throws {
        if let previous = try options.previous(FaultsCalibration.self, kind: "designs calibration") {
            try write(try Self.calibration(previous.sections.map(\.result)))
            return
        }
        var args = [options.scenario ?? Self.defaultScenario, "--out", options.out]
        if let r = options.replications { args += ["--replications", String(r)] }
        if let t = options.threads { args += ["--threads", String(t)] }
        if options.quiet { args.append("--quiet") }
        let driver = ScenarioDriver(options: try RunOptions.parse(args))
        guard let results = try await options.results(driver, try driver.loadAll()) else { return }
        try write(try Self.calibration(results))
    }

    static func calibration(_ results: [ScenarioResult]) throws -> FaultsCalibration {
        FaultsCalibration(sections: try results.map { try section($0) }, title: title, intro: intro, fileName: "designs")
    }

    func write(_ c: FaultsCalibration) throws {
        let folder = URL(fileURLWithPath: options.out)
        try AtomicFile.write(FaultsReport.markdown(c), to: folder.appendingPathComponent("designs.md"))
        try AtomicFile.write(FaultsReport.html(c), to: folder.appendingPathComponent("designs.html"))
        try AtomicFile.write(FaultsReport.csv(c), to: folder.appendingPathComponent("designs.csv"))
        try AtomicFile.write(try FaultsReport.json(c), to: folder.appendingPathComponent("designs.json"))
        print("designs calibration: \(c.sections.count) sections → \(folder.path)/designs.{md,html,csv,json}")
        for s in c.sections { print("  \(s.title): \(s.lesson.prefix(160))…") }
    }

    static func section(_ r: ScenarioResult) throws -> FaultSection {
        let reader = CalibrateFaults.Reader(r)
        switch r.scenario {
        case "calibration.designs.switchback": return switchback(reader)
        case "calibration.designs.cluster": return cluster(reader)
        case "calibration.designs.interference": return interference(reader)
        case "calibration.designs.bandit": return try bandit(reader)
        case "calibration.designs.holdout": return try holdout(reader)
        case "calibration.designs.stratified": return stratified(reader)
        default:
            printError("error: \(r.file): scenario \(r.scenario) is not one of the designs calibration's (calibration.designs.switchback, …cluster, …interference, …bandit, …holdout, …stratified)")
            throw ExitCode(2)
        }
    }

    static func switchback(_ x: CalibrateFaults.Reader) -> FaultSection {
        let lengths = Set(x.r.cells.compactMap { CalibrateFaults.Reader.number(x.factor($0, "design.window_hours")) }).sorted()
        var series: [CalibrationSeries] = []
        for hours in lengths {
            let steps = Int((hours / 0.96).rounded())
            let pts = x.cells("components[0].phi") { CalibrateFaults.Reader.number(x.factor($0, "design.window_hours")) == hours }
            series.append(x.series("unit-level, L = \(steps)", pts, "naive", .rejectionRate))
            series.append(CalibrationSeries(name: "predicted, L = \(steps)", points: pts.map {
                CalibrationPoint(x: $0.x, y: SwitchbackDesign.predictedUnitLevelFPR(phi: $0.x, steps: steps))
            }, isTruth: true))
        }
        let ten = x.cells("components[0].phi") { x.factor($0, "design.window_hours") == "9.6" }
        series.append(x.series("window-level, L = 10", ten, "window", .rejectionRate))
        let at = ten.first { abs($0.x - 0.8) < 1e-9 }?.cell
        let lesson = "A switchback's units share their window's autocorrelated shock, so a unit-level test treats correlated observations as independent: with L = 10 steps per window its false-positive rate is \(x.pct(at.flatMap { x.value($0, "naive", .rejectionRate) })) at φ = 0.8 (the design-effect formula predicts \(String(format: "%.1f%%", 100 * SwitchbackDesign.predictedUnitLevelFPR(phi: 0.8, steps: 10)))), and it grows with φ and with L. Welch on the window means holds \(x.pct(at.flatMap { x.value($0, "window", .rejectionRate) }))."
        let chart = CalibrationChart(title: "Switchback: FPR against the autocorrelation φ", xLabel: "AR(1) coefficient φ", yLabel: "false-positive rate",
                                     series: series, references: [CalibrationReference(value: 0.05, label: "α = 0.05")],
                                     caption: "Share of A/A replications rejected (±2 MCSE); dashed: 2[1 − Φ(1.96/√DEFF)].")
        return FaultSection(title: "Switchback", lesson: lesson, charts: [chart], result: x.r, claims: [
                x.claim("Window-level Welch holds α at φ = 0.8", at, "window", .rejectionRate, .atMost, 0.05),
                x.claim("Unit-level FPR at φ = 0.8, L = 10 matches the design-effect formula", at, "naive", .rejectionRate, .near,
                        SwitchbackDesign.predictedUnitLevelFPR(phi: 0.8, steps: 10)),
            ])
    }

    static func cluster(_ x: CalibrateFaults.Reader) -> FaultSection {
        // ICC = sd_c² / (sd_c² + 1) for unit noise 1.
        let pts = x.cells("components[0].sd").map { (x: $0.x * $0.x / ($0.x * $0.x + 1), cell: $0.cell) }
        let top = pts.last?.cell
        let lesson = "Analysing a cluster-randomised test per unit ignores the intra-cluster correlation: with clusters of 20 and ICC \(String(format: "%.2f", pts.last?.x ?? 0)) the unit-level test rejects a true null in \(x.pct(top.flatMap { x.value($0, "naive", .rejectionRate) })) of replications (design-effect prediction \(String(format: "%.1f%%", 100 * ClusterDesign.predictedUnitLevelFPR(icc: pts.last?.x ?? 0, clusterSize: 20)))). Cluster means hold \(x.pct(top.flatMap { x.value($0, "cluster", .rejectionRate) })) and CR2 \(x.pct(top.flatMap { x.value($0, "cr2", .rejectionRate) }))."
        let chart = CalibrationChart(title: "Cluster randomisation: FPR against the ICC", xLabel: "intra-cluster correlation", yLabel: "false-positive rate",
                                     series: [x.series("unit-level", pts, "naive", .rejectionRate), x.series("cluster means", pts, "cluster", .rejectionRate),
                                              x.series("CR2", pts, "cr2", .rejectionRate),
                                              CalibrationSeries(name: "predicted unit-level", points: pts.map { CalibrationPoint(x: $0.x, y: ClusterDesign.predictedUnitLevelFPR(icc: $0.x, clusterSize: 20)) }, isTruth: true)],
                                     references: [CalibrationReference(value: 0.05, label: "α = 0.05")],
                                     caption: "Share of A/A replications rejected (±2 MCSE); dashed: 2[1 − Φ(1.96/√(1 + 19·ICC))].")
        let coverage = CalibrationChart(title: "Cluster randomisation: coverage against the ICC", xLabel: "intra-cluster correlation", yLabel: "coverage",
                                        series: [x.series("unit-level", pts, "naive", .coverage), x.series("cluster means", pts, "cluster", .coverage),
                                                 x.series("CR2", pts, "cr2", .coverage)],
                                        references: [CalibrationReference(value: 0.95, label: "0.95")],
                                        caption: "Share of 95% intervals that contain the truth (±2 MCSE).")
        return FaultSection(title: "Cluster randomisation", lesson: lesson, charts: [chart, coverage], result: x.r, claims: [
                x.claim("The unit-level test exceeds α at the largest ICC", top, "naive", .rejectionRate, .above, 0.05),
                x.claim("Cluster means hold α at the largest ICC", top, "cluster", .rejectionRate, .atMost, 0.05),
                x.claim("CR2 holds α at the largest ICC", top, "cr2", .rejectionRate, .atMost, 0.05),
                x.claim("Cluster means cover at the largest ICC", top, "cluster", .coverage, .atLeast, 0.95),
            ])
    }

    static func interference(_ x: CalibrateFaults.Reader) -> FaultSection {
        let unit = x.cells("population.clusters.graph.within_share") { x.factor($0, "design").contains("fixed_split") }
        let cluster = x.cells("population.clusters.graph.within_share") { x.factor($0, "design").contains("cluster") }
        let half = cluster.first { abs($0.x - 0.5) < 1e-9 }?.cell
        let lesson = "With spillover to neighbours (direct effect 1, spillover 2, total effect 3), randomising users estimates only the direct effect: bias \(x.fmt(unit.first.flatMap { x.value($0.cell, "dim", .bias) })) whatever the graph (theory −2). Randomising clusters recovers the share of the spillover that stays inside clusters: bias \(x.fmt(half.flatMap { x.value($0, "dim", .bias) })) at w = 0.5 (theory −1), shrinking to 0 as w → 1."
        let chart = CalibrationChart(title: "Interference: bias against the within-cluster share of neighbours", xLabel: "within-cluster share w", yLabel: "bias against the total effect",
                                     series: [x.series("unit randomisation", unit, "dim", .bias), x.series("cluster randomisation", cluster, "dim", .bias),
                                              CalibrationSeries(name: "theory −γ", points: unit.map { CalibrationPoint(x: $0.x, y: -2) }, isTruth: true),
                                              CalibrationSeries(name: "theory −γ(1 − w)", points: cluster.map { CalibrationPoint(x: $0.x, y: -2 * (1 - $0.x)) }, isTruth: true)],
                                     references: [CalibrationReference(value: 0, label: "no bias")],
                                     caption: "Mean estimate minus the total effect 3 (±2 MCSE); dashed: theory (ORACLES §10.3).")
        return FaultSection(title: "Network interference", lesson: lesson, charts: [chart], result: x.r, claims: [
                x.claim("Unit randomisation misses the spillover: bias −γ = −2", unit.first?.cell, "dim", .bias, .near, -2),
                x.claim("Cluster randomisation at w = 0.5: bias −γ(1 − w) = −1", half, "dim", .bias, .near, -1),
            ])
    }

    static func bandit(_ x: CalibrateFaults.Reader) throws -> FaultSection {
        let pts = x.cells("population.units")
        let logPts = pts.map { (x: Foundation.log($0.x), cell: $0.cell) }
        let c = try BanditAllocator.laiRobbinsConstant(bernoulliMeans: [0.10, 0.12])
        let top = pts.last
        let T = top?.x ?? 0
        let regretTop = top.flatMap { x.value($0.cell, "regret", .regret) }
        let slopeTop = top.flatMap { x.value($0.cell, "regret", .regretSlope) }
        let slopeFirst = pts.first.flatMap { x.value($0.cell, "regret", .regretSlope) }
        let uniform = T * 0.01
        // The slope between T/10 and T is plotted at the midpoint of ln(T/10) and ln T.
        let midPts = pts.map { (x: Foundation.log($0.x) - Foundation.log(10) / 2, cell: $0.cell) }
        let lesson = "Thompson sampling (weights updated every 6 hours, 1% floor) on 10% vs 12% conversion loses \(x.fmt(regretTop)) conversions over T = \(Int(T)) users, \(String(format: "%.0f", uniform / max(regretTop?.estimate ?? 1, 1e-9)))× less than a 50/50 split's T·Δ/2 = \(Int(uniform)). Its regret grows roughly like ln T: the slope of regret against ln T between T/10 and T rises from \(x.fmt(slopeFirst)) at T = \(Int(pts.first?.x ?? 0)) to \(x.fmt(slopeTop)) at T = \(Int(T)), through the Lai–Robbins constant C = \(String(format: "%.2f", c)). C is the limit of regret/ln T as T → ∞ for a policy that updates after every user; here the 56 updates are fixed, so each batch grows with T and so does the regret of waiting for the next update, which is why the slope keeps rising past C instead of settling on it. By the last period the better arm holds \(top.flatMap { x.summary($0.cell, "regret")?.bestArmWeightByPeriod?.last }.map { String(format: "%.1f%%", 100 * $0.estimate) } ?? "n/a") of the traffic. The naive z-interval of the arm difference covers \(x.pct(top.flatMap { x.value($0.cell, "naive", .coverage) })) and the IPW interval with the logged weights \(x.pct(top.flatMap { x.value($0.cell, "ipw", .coverage) })); the naive estimate is biased by \(x.fmt(top.flatMap { x.value($0.cell, "naive", .bias) })), the IPW one by \(x.fmt(top.flatMap { x.value($0.cell, "ipw", .bias) }))."
        let regret = CalibrationChart(title: "Thompson sampling: regret against ln T", xLabel: "ln T (users)", yLabel: "cumulative regret (conversions)",
                                      series: [x.series("Thompson sampling", logPts, "regret", .regret),
                                               CalibrationSeries(name: "Lai–Robbins C·ln T", points: logPts.map { CalibrationPoint(x: $0.x, y: c * $0.x) }, isTruth: true)],
                                      caption: "Mean regret Σ_a n_a(μ* − μ_a) (±2 MCSE). A 50/50 split loses T·Δ/2, \(pts.map { String(Int(($0.x * 0.01).rounded())) }.joined(separator: ", ")) at these T: off this scale, so it is not drawn.")
        let slope = CalibrationChart(title: "Thompson sampling: slope of regret against ln T, beside the Lai–Robbins constant", xLabel: "ln T, midpoint of [T/10, T]", yLabel: "Δ regret / Δ ln T",
                                     series: [x.series("slope between T/10 and T", midPts, "regret", .regretSlope)],
                                     references: [CalibrationReference(value: c, label: String(format: "C = %.2f", c))],
                                     caption: "Mean of (R_T − R_{T/10}) / ln 10 over replications (±2 MCSE), from the looks at T/10 and T of each cell.")
        var allocation: [CalibrationSeries] = []
        for p in pts {
            guard let w = x.summary(p.cell, "regret")?.bestArmWeightByPeriod else { continue }
            allocation.append(CalibrationSeries(name: "T = \(Int(p.x))", points: w.compactMap { v in v.startDay.map { CalibrationPoint(x: $0, y: v.estimate, mcse: v.mcse) } }))
        }
        let allocationChart = CalibrationChart(title: "Thompson sampling: allocation over time", xLabel: "day (start of the allocation period)", yLabel: "weight of the better arm",
                                               series: allocation, references: [CalibrationReference(value: 0.5, label: "50/50"), CalibrationReference(value: 0.99, label: "1 − floor")],
                                               caption: "Mean weight the allocator gave the 12% arm in each period (±2 MCSE); a period ends at an update (every 6 hours) or a look.")
        let coverage = CalibrationChart(title: "After the bandit: coverage of the arm difference", xLabel: "ln T (users)", yLabel: "coverage",
                                        series: [x.series("naive z-interval", logPts, "naive", .coverage), x.series("IPW with the logged weights", logPts, "ipw", .coverage)],
                                        references: [CalibrationReference(value: 0.95, label: "0.95")],
                                        caption: "Share of 95% intervals that contain the true difference 0.02 (±2 MCSE).")
        return FaultSection(title: "Bandits", lesson: lesson, charts: [regret, slope, allocationChart, coverage], result: x.r, claims: [
                x.claim("Thompson's regret at the largest T is below a tenth of a 50/50 split's T·Δ/2", top?.cell, "regret", .regret, .atMost, uniform / 10),
                x.claim("The slope of regret against ln T at the largest T is at least 3/4 of C", top?.cell, "regret", .regretSlope, .atLeast, 0.75 * c),
                x.claim("The slope of regret against ln T at the largest T is at most 3/2 of C", top?.cell, "regret", .regretSlope, .atMost, 1.5 * c),
                x.claim("The better arm is favoured at the end (largest T)", top?.cell, "regret", .bestArmRate, .atLeast, 0.99),
                x.claim("The IPW interval covers after the bandit (largest T)", top?.cell, "ipw", .coverage, .atLeast, 0.95),
            ])
    }

    static func holdout(_ x: CalibrateFaults.Reader) throws -> FaultSection {
        let pts = x.cells("components[0].novelty.share")
        // The closed form from the scenario's own component (the same parameters in every cell but the share).
        let scenario = try Scenario.load(path: x.r.file)
        guard let base = scenario.cellInputs(replications: nil, seed: nil).first?.study,
              let component = base.components.first?.component as? LaunchedFeatures else {
            printError("error: \(x.r.file): the holdout calibration needs a launched_features component")
            throw ExitCode(2)
        }
        func theory(_ share: Double) -> (overstatement: Double, truth: Double, shipped: Double) {
            LaunchedFeatures(arm: component.arm, count: component.count, everyDays: component.everyDays, testDays: component.testDays,
                             usersPerArm: component.usersPerArm, effectMean: component.effectMean, effectSD: component.effectSD,
                             noveltyShare: share, noveltyInitial: component.noveltyInitial, halfLife: component.halfLife, alpha: component.alpha,
                             readoutDay: component.readoutDay, mean: component.mean, sd: component.sd).expected(readoutDays: base.population.days)
        }
        let first = pts.first, last = pts.last
        let lesson = "Summing the lifts of the features a team shipped overstates what they deliver: without novelty the sum exceeds the shipped features' true combined effect (\(x.fmt(first.flatMap { x.value($0.cell, "summed", .meanTruth) })) on average) by \(x.fmt(first.flatMap { x.value($0.cell, "summed", .bias) })) (closed form \(String(format: "%.4f", theory(first?.x ?? 0).overstatement)): shipping selects estimates that came out high, the winner's curse), and when every feature carries a fading novelty bonus by \(x.fmt(last.flatMap { x.value($0.cell, "summed", .bias) })) (closed form \(String(format: "%.4f", theory(last?.x ?? 1).overstatement))). The 5% long-term holdout measures the combined effect directly: bias \(x.fmt(first.flatMap { x.value($0.cell, "holdout", .bias) })) and \(x.fmt(last.flatMap { x.value($0.cell, "holdout", .bias) })), coverage \(x.pct(first.flatMap { x.value($0.cell, "holdout", .coverage) })) and \(x.pct(last.flatMap { x.value($0.cell, "holdout", .coverage) }))."
        let bias = CalibrationChart(title: "Long-term holdout: bias against the share of features with novelty", xLabel: "share of features with a novelty bonus", yLabel: "bias against the shipped features' combined effect",
                                    series: [x.series("summed shipped lifts", pts, "summed", .bias), x.series("holdout vs launched", pts, "holdout", .bias),
                                             CalibrationSeries(name: "closed form (summed lifts)", points: pts.map { CalibrationPoint(x: $0.x, y: theory($0.x).overstatement) }, isTruth: true)],
                                    references: [CalibrationReference(value: 0, label: "no bias")],
                                    caption: "Mean estimate minus each replication's truth (±2 MCSE); dashed: the closed form (winner's curse plus faded novelty).")
        let coverage = CalibrationChart(title: "Long-term holdout: coverage", xLabel: "share of features with a novelty bonus", yLabel: "coverage",
                                        series: [x.series("summed shipped lifts", pts, "summed", .coverage), x.series("holdout vs launched", pts, "holdout", .coverage)],
                                        references: [CalibrationReference(value: 0.95, label: "0.95")],
                                        caption: "Share of 95% intervals that contain the replication's truth (±2 MCSE).")
        return FaultSection(title: "Long-term holdout", lesson: lesson, charts: [bias, coverage], result: x.r, claims: [
                x.claim("Summed lifts overstate (no novelty): winner's curse closed form", first?.cell, "summed", .bias, .near, theory(first?.x ?? 0).overstatement),
                x.claim("The holdout is unbiased (no novelty)", first?.cell, "holdout", .bias, .near, 0),
                x.claim("The holdout is unbiased (all features with novelty)", last?.cell, "holdout", .bias, .near, 0),
                x.claim("The holdout interval covers (all features with novelty)", last?.cell, "holdout", .coverage, .atLeast, 0.95),
            ])
    }

    static func stratified(_ x: CalibrateFaults.Reader) -> FaultSection {
        let pts = x.cells("design.salts")
        // R² of the covariate: the metric's shared_factor_correlation c (0.5 in the scenario).
        let c = 0.5, simpleSE = (4.0 / 1000).squareRoot()
        func ratio(_ k: Double) -> Double { Resalting.varianceRatio(bestOf: Int(k), rSquared: c) }
        let ten = pts.first { $0.x == 10 }?.cell
        let lesson = "Re-salting to the most balanced of k salts balances the covariate and so shrinks the true variance of the difference in means, by the factor 1 − (1 − v_k)·R² (\(String(format: "%.3f", ratio(10))) at k = 10, R² = 0.5): its empirical SE is \(x.fmt(ten.flatMap { x.value($0, "welch", .empiricalSE) })) against \(String(format: "%.4f", simpleSE * ratio(10).squareRoot())) in theory and \(x.fmt(pts.first.flatMap { x.value($0.cell, "welch", .empiricalSE) })) with one salt. Welch's SE does not know: it stays \(x.fmt(ten.flatMap { x.value($0, "welch", .modelSE) })), so the unadjusted test is conservative — it rejects \(x.pct(ten.flatMap { x.value($0, "welch", .rejectionRate) })) of A/A tests at k = 10 (closed form \(String(format: "%.2f%%", 100 * StratifiedDesign.predictedUnadjustedFPR(varianceRatio: ratio(10))))) instead of 5%, and gives away the power the balance bought. CUPED on the covariate uses what was balanced: \(x.pct(ten.flatMap { x.value($0, "cuped", .rejectionRate) })) at k = 10 and \(x.pct(pts.first.flatMap { x.value($0.cell, "cuped", .rejectionRate) })) with one salt, with an SE of \(x.fmt(ten.flatMap { x.value($0, "cuped", .empiricalSE) })) whatever k."
        let fpr = CalibrationChart(title: "Re-salting: false-positive rate against the number of salts", xLabel: "salts k (1 = simple randomisation)", yLabel: "false-positive rate",
                                   series: [x.series("unadjusted Welch", pts, "welch", .rejectionRate), x.series("CUPED on the covariate", pts, "cuped", .rejectionRate),
                                            CalibrationSeries(name: "closed form, unadjusted", points: pts.map { CalibrationPoint(x: $0.x, y: StratifiedDesign.predictedUnadjustedFPR(varianceRatio: ratio($0.x))) }, isTruth: true)],
                                   references: [CalibrationReference(value: 0.05, label: "α = 0.05")], logX: true,
                                   caption: "Share of A/A replications rejected (±2 MCSE); dashed: 2Φ̄(1.96/√(1 − (1 − v_k)·R²)).")
        let se = CalibrationChart(title: "Re-salting: SE of the difference in means against the number of salts", xLabel: "salts k (1 = simple randomisation)", yLabel: "standard error",
                                  series: [x.series("empirical SE, unadjusted", pts, "welch", .empiricalSE), x.series("Welch's model SE", pts, "welch", .modelSE),
                                           x.series("empirical SE, CUPED", pts, "cuped", .empiricalSE),
                                           CalibrationSeries(name: "closed form", points: pts.map { CalibrationPoint(x: $0.x, y: simpleSE * ratio($0.x).squareRoot()) }, isTruth: true)],
                                  logX: true, caption: "Standard deviation of the estimates over replications and mean model SE (±2 MCSE); dashed: √(4/n)·√(1 − (1 − v_k)·R²).")
        return FaultSection(title: "Stratified assignment", lesson: lesson, charts: [se, fpr], result: x.r, claims: [
                x.claim("One salt is simple randomisation: Welch holds α", pts.first?.cell, "welch", .rejectionRate, .near, 0.05),
                x.claim("The re-salted SE at k = 10 matches the closed form", ten, "welch", .empiricalSE, .near, simpleSE * ratio(10).squareRoot()),
                x.claim("Unadjusted Welch after re-salting (k = 10) is conservative, as the closed form says", ten, "welch", .rejectionRate, .near,
                        StratifiedDesign.predictedUnadjustedFPR(varianceRatio: ratio(10))),
                x.claim("CUPED on the covariate holds α at k = 10", ten, "cuped", .rejectionRate, .near, 0.05),
            ])
    }
}
