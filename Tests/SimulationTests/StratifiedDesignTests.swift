import Analysis
import Assignment
import Foundation
import Testing
@testable import Simulation

/// The stratified design: blocked and re-salted arms equal what the Assignment module gives for
/// the replication's salt, and a small study shows the variance the closed form predicts.
@Suite struct StratifiedDesignTests {
    static func study(_ parameters: [String: ComponentValue], units: Int = 400, replications: Int = 2, c: Double = 0.5) throws -> Study {
        var s = Study(id: "strat", seed: 11, replications: replications,
                      population: PopulationSpec(units: units, days: 14, segments: [Segment(attribute: "device", levels: ["a", "b", "c"], shares: [0.5, 0.3, 0.2])]),
                      metrics: [MetricSpec(name: "y", kind: .distribution(.normal(mean: 0, sd: 1)), sharedFactorCorrelation: c)],
                      experiment: ExperimentSpec(hash: "growthbook_v2", variants: [("control", 0.5), ("treatment", 0.5)]),
                      effects: [:],
                      analyses: [AnalysisSpec(id: "w", metric: "y", method: .welchT)])
        var cuped = AnalysisSpec(id: "cuped", metric: "y", method: .cuped)
        cuped.options.latentCovariate = true
        s.analyses.append(cuped)
        s.analyses.append(AnalysisSpec(id: "ps", metric: "y", method: .welchT, options: AnalysisOptions(stratify: .units(.latentQuantiles(4)))))
        s.design = try StageRegistry.shared.makeDesign(ComponentConfig(kind: "stratified", keyPath: "design", parameters: parameters), study: s)
        return s
    }

    static func observe(_ s: Study, replication r: Int) throws -> (ColumnTable, String) {
        let plan = try CellPlan(study: s, scenarioID: "strat", cellIndex: 0)
        let table = ColumnTable()
        _ = try ReplicationEngine(plan: plan).observe(replication: r, table: table)
        return (table, CellPlan.salt(study: s, cellKey: plan.cellKey, replication: r))
    }

    /// Within each latent quartile the arms, in arrival order, are the Assignment module's
    /// permuted blocks for the replication's salt; so each stratum is off by at most B/2.
    @Test func blockedArmsAreThePermutedBlocksOfEachStratum() throws {
        let s = try Self.study(["method": .string("blocked"), "strata": .map(["latent_quantiles": .number(4)]), "block_size": .number(6)])
        let (table, salt) = try Self.observe(s, replication: 2)
        let blocks = try PermutedBlocks(scheme: .growthbookV2, salt: salt, weights: [0.5, 0.5], blockSize: 6)
        let cuts = UnitStrata.latentQuantiles(4).cutPoints
        var byStratum = [[Int32]](repeating: [], count: 4)
        for i in 0..<table.count {
            let z = table.latent[i]
            byStratum[cuts.filter { z >= $0 }.count].append(table.arm[i])
        }
        for (st, arms) in byStratum.enumerated() {
            let blocksNeeded = (arms.count + 5) / 6
            let expected = (0..<blocksNeeded).flatMap { blocks.block(stratum: st, index: $0) }.prefix(arms.count).map(Int32.init)
            #expect(arms == Array(expected), "stratum \(st)")
            let treated = arms.filter { $0 == 1 }.count
            #expect(abs(2 * treated - arms.count) <= 6, "stratum \(st): \(treated) of \(arms.count)")
        }
    }

    /// Segment strata block within the segment's levels.
    @Test func segmentStrataBlockWithinLevels() throws {
        let s = try Self.study(["method": .string("blocked"), "strata": .map(["segment": .string("device")]), "block_size": .number(2)])
        let (table, _) = try Self.observe(s, replication: 0)
        for level in 0..<3 {
            let arms = (0..<table.count).filter { table.segmentLevels[0][$0] == Int32(level) }.map { table.arm[$0] }
            #expect(abs(2 * arms.filter { $0 == 1 }.count - arms.count) <= 1, "level \(level)")
            // Blocks of 2: every pair of consecutive units in the level splits one and one.
            for p in stride(from: 0, to: arms.count - 1, by: 2) { #expect(arms[p] != arms[p + 1]) }
        }
    }

    /// Re-salting hashes the units under salt/0 … salt/9, keeps the salt with the smallest
    /// imbalance on the latent factor and assigns by it; simple is the plain hash split.
    @Test func resaltAssignsByTheMostBalancedSalt() throws {
        let s = try Self.study(["method": .string("resalt"), "salts": .number(10)])
        let (table, salt) = try Self.observe(s, replication: 1)
        let x = Array(table.latent)
        var imbalances: [Double] = []
        var armsBySalt: [[Int]] = []
        for j in 0..<10 {
            var h = try HashedAssigner(study: s, salt: "\(salt)/\(j)")
            let arms = (0..<table.count).map { h.arm(ofUnit: $0) }
            armsBySalt.append(arms)
            imbalances.append(Resalting.imbalance(arms: arms, covariate: x, armCount: 2))
        }
        let best = try #require(imbalances.indices.min { imbalances[$0] < imbalances[$1] })
        #expect((0..<table.count).allSatisfy { Int(table.arm[$0]) == armsBySalt[best][$0] })
        #expect(Resalting.imbalance(arms: (0..<table.count).map { Int(table.arm[$0]) }, covariate: x, armCount: 2) == imbalances.min())

        let simple = try Self.study(["method": .string("simple")])
        let (t2, salt2) = try Self.observe(simple, replication: 1)
        var h = try HashedAssigner(study: simple, salt: salt2)
        #expect((0..<t2.count).allSatisfy { Int(t2.arm[$0]) == h.arm(ofUnit: $0) })
    }

    /// End to end, 400 replications of 400 users, H0, c = 0.5: the re-salted difference in means
    /// has SE √(4/400)·√(1 − (1 − v₁₀)c) = 0.0716 (v₁₀ = 0.0247), within 4 MCSE; Welch's model SE
    /// stays near the unadjusted 0.1, so the unadjusted test rejects far less than 5% (at most
    /// 0.02, the closed form being 0.006); CUPED on the latent factor has SE √0.5·0.1 = 0.0707.
    @Test func resaltShrinksTheVarianceByTheClosedForm() async throws {
        let s = try Self.study(["method": .string("resalt"), "salts": .number(10)], replications: 400)
        let cells = try await SimulationRunner(threads: 2).run(scenarioID: s.id, cells: [CellInput(index: 0, label: "base", factors: [], study: s)], gates: []).cells
        let welch = try #require(cells[0].comparisons.first { $0.analysis == "w" })
        let se = try #require(welch.value(.empiricalSE))
        let predicted = 0.1 * Resalting.varianceRatio(bestOf: 10, rSquared: 0.5).squareRoot()
        #expect(abs(se.estimate - predicted) <= 4 * (se.mcse ?? 0), "empirical SE \(se.estimate) ± \(se.mcse ?? 0), predicted \(predicted)")
        #expect(abs((try #require(welch.value(.modelSE))).estimate - 0.1) < 0.005)
        #expect(try #require(welch.value(.rejectionRate)).estimate <= 0.02)
        #expect(abs(StratifiedDesign.predictedUnadjustedFPR(varianceRatio: Resalting.varianceRatio(bestOf: 10, rSquared: 0.5)) - 0.0062) < 0.0005)
        let cuped = try #require(cells[0].comparisons.first { $0.analysis == "cuped" })
        let cse = try #require(cuped.value(.empiricalSE))
        #expect(abs(cse.estimate - 0.1 * 0.5.squareRoot()) <= 4 * (cse.mcse ?? 0), "CUPED SE \(cse.estimate)")
    }

    /// `covariate: latent` feeds the latent factor as CUPED's covariate, and `stratify:
    /// {latent_quantiles: 4}` sums each arm within the quartile bins: both equal a direct
    /// computation from the table's columns at the final look.
    @Test func latentCovariateAndStrataStatisticsMatchTheColumns() throws {
        let s = try Self.study(["method": .string("resalt"), "salts": .number(3)])
        let plan = try CellPlan(study: s, scenarioID: "strat", cellIndex: 0)
        let table = ColumnTable()
        let stats = try ReplicationEngine(plan: plan).observe(replication: 0, table: table)
        let k = plan.looks.count - 1
        let cuped = try #require(stats.unitLevel["cuped"]), ps = try #require(stats.unitLevel["ps"])
        let cuts = UnitStrata.latentQuantiles(4).cutPoints
        for arm in 0..<2 {
            var all = MomentStatistic()
            var bins = [MomentStatistic](repeating: MomentStatistic(), count: 4)
            for i in 0..<table.count where table.loggedArm[i] == Int32(arm) {
                let z = table.latent[i], y = table.outcome[0][i]
                all.add(y, covariate: z)
                bins[cuts.filter { z >= $0 }.count].add(y, covariate: table.covariate[0][i])
            }
            let got = cuped.sums(look: k, arm: arm)
            #expect(got.n == all.n && abs(got.crossSum - all.crossSum) < 1e-9 && abs(got.covariateSum - all.covariateSum) < 1e-9)
            #expect(abs(got.covariateSumOfSquares - all.covariateSumOfSquares) < 1e-9)
            for b in 0..<4 {
                let g = ps.sums(look: k, stratum: b, arm: arm)
                #expect(g.n == bins[b].n && abs(g.sum - bins[b].sum) < 1e-9, "arm \(arm) bin \(b)")
            }
        }
        #expect(ps.strata == 4)
    }

    /// Without a latent factor, `covariate: latent` and latent strata are refused by the plan.
    @Test func latentAnalysesNeedTheLatentFactor() throws {
        var s = try Self.study(["method": .string("simple")], c: 0)
        for (analysis, path) in [(1, "analyses.cuped.covariate"), (2, "analyses.ps.stratify")] {
            s.analyses = [s.analyses[analysis]]
            do {
                _ = try CellPlan(study: s, scenarioID: "strat", cellIndex: 0)
                Issue.record("no error for \(path)")
            } catch {
                #expect(error.keyPath == path && error.message.contains("shared_factor_correlation"), "\(error)")
            }
            s = try Self.study(["method": .string("simple")], c: 0)
        }
    }

    /// Between-bin share of Var Z for quantile bins: 2/π for q = 2 (the half-normal mean²).
    @Test func betweenShareOfQuantileBins() {
        #expect(abs(UnitStrata.betweenShare(quantiles: 2) - 2 / Double.pi) < 1e-9)
        #expect(abs(UnitStrata.betweenShare(quantiles: 4) - 0.860_558_578) < 1e-6)
    }

    /// Entries are checked with the key path and what was expected.
    @Test func entriesAreChecked() throws {
        let cases: [([String: ComponentValue], Double, String, String)] = [
            (["method": .string("random")], 0.5, "design.method", "simple, blocked or resalt"),
            (["method": .string("blocked")], 0.5, "design.strata", "needs strata"),
            (["method": .string("blocked"), "strata": .map(["latent_quantiles": .number(4)])], 0, "design.strata.latent_quantiles", "shared_factor_correlation"),
            (["method": .string("blocked"), "strata": .map(["segment": .string("os")])], 0.5, "design.strata.segment", "unknown segment \"os\""),
            (["method": .string("blocked"), "strata": .map(["latent_quantiles": .number(1)])], 0.5, "design.strata.latent_quantiles", "2 … 100"),
            (["method": .string("blocked"), "strata": .map(["deciles": .number(4)])], 0.5, "design.strata.deciles", "latent_quantiles or segment"),
            (["method": .string("blocked"), "strata": .map(["latent_quantiles": .number(4)]), "block_size": .number(5)], 0.5, "design.block_size", "cannot hold"),
            (["method": .string("resalt")], 0, "design.method", "shared_factor_correlation"),
            (["method": .string("resalt"), "salts": .number(0)], 0.5, "design.salts", "[1.0, 1000.0]"),
            (["method": .string("resalt"), "salts": .number(2.5)], 0.5, "design.salts", "integer"),
            (["seed": .number(1)], 0.5, "design.seed", "unknown key"),
        ]
        for (parameters, c, path, message) in cases {
            do {
                _ = try Self.study(parameters, c: c)
                Issue.record("no error for \(parameters)")
            } catch let e as SimulationError {
                #expect(e.keyPath == path, "\(parameters): \(e)")
                #expect(e.message.contains(message), "\(parameters): \(e)")
            }
        }
    }
}
