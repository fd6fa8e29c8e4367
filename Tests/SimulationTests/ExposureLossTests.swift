import Foundation
import Testing
@testable import Simulation

/// The exposure-loss fault changes only what is logged, by the amounts it claims.
@Suite struct ExposureLossTests {
    static func study(units: Int, fault: ExposureLoss?) -> Study {
        var s = Study(id: "loss", seed: 9, replications: 2,
                      population: PopulationSpec(units: units, days: 14),
                      metrics: [MetricSpec(name: "revenue", kind: .distribution(.lognormal(mu: 1, sigma: 1)))],
                      experiment: ExperimentSpec(hash: "growthbook_v2", variants: [("control", 0.5), ("treatment", 0.5)]),
                      analyses: [AnalysisSpec(id: "w", metric: "revenue", method: .welchT)])
        s.faults = fault.map { [$0] } ?? []
        return s
    }

    /// With and without the fault, the same replication has identical arms, outcomes and
    /// arrivals; the logged arm differs only for treated units, and (correlated loss) only for
    /// those with revenue below the threshold.
    @Test func onlyTheLogChanges() throws {
        let table = ColumnTable(), faulty = ColumnTable()
        let plain = try CellPlan(study: Self.study(units: 5000, fault: ExposureLoss(arm: 1, fraction: 0)), scenarioID: "loss", cellIndex: 0)
        let lossy = try CellPlan(study: Self.study(units: 5000, fault: ExposureLoss(arm: 1, fraction: 0.5, condition: (0, 2))), scenarioID: "loss", cellIndex: 0)
        _ = try ReplicationEngine(plan: plain).observe(replication: 3, table: table)
        _ = try ReplicationEngine(plan: lossy).observe(replication: 3, table: faulty)
        #expect(Array(table.arm) == Array(faulty.arm))
        #expect(Array(table.outcome[0]) == Array(faulty.outcome[0]))
        #expect(Array(table.arrival) == Array(faulty.arrival))
        var lost = 0
        for i in 0..<5000 where table.loggedArm[i] != faulty.loggedArm[i] {
            #expect(table.arm[i] == 1 && faulty.loggedArm[i] == -1 && table.outcome[0][i] < 2, "unit \(i)")
            lost += 1
        }
        // About half of the treated units with revenue below 2 (P = Φ(ln 2 − 1) = 0.3795).
        let eligible = (0..<5000).filter { table.arm[$0] == 1 && table.outcome[0][$0] < 2 }.count
        #expect(abs(Double(lost) - 0.5 * Double(eligible)) <= 4 * (0.25 * Double(eligible)).squareRoot(), "\(lost) of \(eligible)")
    }

    /// Closed form: losing a share f of the treated units with Y < c (Y ~ lognormal(1, 1))
    /// leaves the logged treatment mean (e^1.5 − f·e^1.5·Φ(ln c − 2)) / (1 − f·Φ(ln c − 1)),
    /// 4.7571 for f = 0.2, c = 2; one replication of 400 000 units is within 4 SE of it.
    @Test func correlatedLossBiasesTheLoggedMean() throws {
        let plan = try CellPlan(study: Self.study(units: 400_000, fault: ExposureLoss(arm: 1, fraction: 0.2, condition: (0, 2))),
                                scenarioID: "loss", cellIndex: 0)
        let stats = try ReplicationEngine(plan: plan).observe(replication: 0, table: ColumnTable())
        let t = stats.sums(look: 0, arm: 1, metric: 0), c = stats.sums(look: 0, arm: 0, metric: 0)
        let mean = t.sum / Double(t.n)
        let sd = ((t.sumOfSquares / Double(t.n) - mean * mean)).squareRoot()
        #expect(abs(mean - 4.7571) <= 4 * sd / Double(t.n).squareRoot(), "\(mean)")
        let controlMean = c.sum / Double(c.n)
        #expect(abs(controlMean - exp(1.5)) <= 4 * 5.87 / Double(c.n).squareRoot(), "\(controlMean)")
        // 7.6% of the treatment arm is lost.
        let share = Double(t.n) / Double(c.n)
        #expect(abs(share - (1 - 0.2 * 0.3795)) < 0.01, "\(share)")
    }

    @Test func scenarioEntryIsChecked() throws {
        let study = Self.study(units: 100, fault: nil)
        func message(_ p: [String: ComponentValue]) -> String {
            do { _ = try StageRegistry.shared.makeFault(ComponentConfig(kind: "exposure_loss", keyPath: "faults[0]", parameters: p), study: study); return "" }
            catch { return error.description }
        }
        #expect(message(["fraction": .number(0.1)]) == "")
        #expect(message(["fraction": .number(1.5)]).contains("faults[0].fraction"))
        #expect(message(["fraction": .number(0.1), "metric": .string("clicks"), "below": .number(1)]).contains("faults[0].metric"))
        #expect(message(["fraction": .number(0.1), "metric": .string("revenue")]).contains("faults[0].below"))
        #expect(message(["fraction": .number(0.1), "arm": .string("b")]).contains("faults[0].arm"))
    }
}

/// The latency fault delays only the treated units' logged day, by exactly its days, for
/// about its share of them; the look's counts miss exactly the units not landed yet. The share
/// is 0.2, not 0.5, so delaying the complement (a `>` for `<` slip) is told apart.
@Suite struct LatencyTests {
    @Test func onlyTheLoggedDayChanges() throws {
        var study = ExposureLossTests.study(units: 6000, fault: nil)
        study.looks = .days([7, 14])
        study.population.arrivals = .dailyProfile([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0])
        var late = study
        late.faults = [Latency(arm: 1, share: 0.2, days: 2)]
        let a = ColumnTable(), b = ColumnTable()
        let plain = try ReplicationEngine(plan: try CellPlan(study: study, scenarioID: "lat", cellIndex: 0), path: .staged).observe(replication: 1, table: a)
        let delayed = try ReplicationEngine(plan: try CellPlan(study: late, scenarioID: "lat", cellIndex: 0)).observe(replication: 1, table: b)
        #expect(Array(a.arm) == Array(b.arm) && Array(a.loggedArm) == Array(b.loggedArm) && Array(a.outcome[0]) == Array(b.outcome[0]))
        var delayedUnits = 0, treated = 0, notYet = 0
        for i in 0..<6000 {
            if a.arm[i] == 1 { treated += 1 }
            if a.loggedDay[i] != b.loggedDay[i] {
                #expect(a.arm[i] == 1 && b.loggedDay[i] == a.loggedDay[i] + 2, "unit \(i)")
                delayedUnits += 1
                if a.arrival[i] <= 7 && b.loggedDay[i] > 7 { notYet += 1 }
            }
        }
        // Binomial(treated, 0.2): within 4 sd (the complement, 0.8, is ≈ 70 sd away at n ≈ 3000).
        #expect(abs(Double(delayedUnits) - 0.2 * Double(treated)) <= 4 * (0.2 * 0.8 * Double(treated)).squareRoot())
        // At the day-7 look the treatment misses exactly the delayed units not landed yet; at
        // day 14 every unit has landed.
        #expect(plain.counts[1] - delayed.counts[1] == notYet && notYet > 0)
        #expect(plain.counts[0] == delayed.counts[0])
        #expect(plain.counts[2...3] == delayed.counts[2...3])
    }
}
