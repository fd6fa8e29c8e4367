import Foundation
import Testing

@Suite struct PlanCLITests {
    /// ORACLES §4: 0.60 -> 0.62 needs 9335.063 per arm, so 9,336 after rounding up (not the
    /// seed article's ~4,700, the one-sample formula).
    @Test func proportionPlanPrintsTheTwoSampleAnswer() throws {
        let r = try CLIRunner.run(["plan", "--metric", "proportion", "--baseline", "0.60", "--mde", "0.02", "--daily-traffic", "4000"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("n per arm: 9,336\n"))
        #expect(r.stdout.contains("total: 18,672\n"))
        #expect(r.stdout.contains("exact n per control arm: 9335.063"))
        #expect(r.stdout.contains("duration: 5 days at 4,000 units/day"))
        #expect(!r.stdout.contains("4,7"))
        #expect(r.stderr.isEmpty)
    }

    @Test func relativeMdeMatchesAbsolute() throws {
        let a = try CLIRunner.run(["plan", "--metric", "proportion", "--baseline", "0.5", "--mde", "0.1", "--relative", "--format", "json"])
        let b = try CLIRunner.run(["plan", "--metric", "proportion", "--baseline", "0.5", "--mde", "0.05", "--format", "json"])
        #expect(a.status == 0 && b.status == 0)
        let ja = try #require(try JSONSerialization.jsonObject(with: Data(a.stdout.utf8)) as? [String: Any])
        let jb = try #require(try JSONSerialization.jsonObject(with: Data(b.stdout.utf8)) as? [String: Any])
        #expect(ja["control"] as? Int == jb["control"] as? Int)
        #expect((ja["treatmentValue"] as? Double ?? .nan) == 0.55)
    }

    @Test func jsonCarriesExactAndRoundedSizesAndRatio() throws {
        let r = try CLIRunner.run(["plan", "--metric", "mean", "--baseline", "10", "--mde", "0.5", "--sd", "5", "--ratio", "2", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let exact = try #require(j["controlExact"] as? Double)
        #expect(j["control"] as? Int == Int(exact.rounded(.up)))
        #expect(j["treatment"] as? Int == Int((2 * exact).rounded(.up)))
        #expect(j["total"] as? Int == (j["control"] as? Int ?? 0) + (j["treatment"] as? Int ?? 0))
        // power.t.test-style t-test with n_t = 2 n_c: larger than the normal approximation
        // (z+z)^2 sd^2 (1 + 1/2) / delta^2 = 1177.3.
        #expect(exact > 1177.3 && exact < 1179)
    }

    @Test func cupedShrinksAndSequentialInflates() throws {
        let fixed = try CLIRunner.run(["plan", "--metric", "proportion", "--baseline", "0.6", "--mde", "0.02", "--format", "json"])
        let cuped = try CLIRunner.run(["plan", "--metric", "proportion", "--baseline", "0.6", "--mde", "0.02", "--cuped-rho", "0.5", "--format", "json"])
        let seq = try CLIRunner.run(["plan", "--metric", "proportion", "--baseline", "0.6", "--mde", "0.02", "--sequential", "obf:5", "--format", "json"])
        let f = try #require(try JSONSerialization.jsonObject(with: Data(fixed.stdout.utf8)) as? [String: Any])
        let c = try #require(try JSONSerialization.jsonObject(with: Data(cuped.stdout.utf8)) as? [String: Any])
        let s = try #require(try JSONSerialization.jsonObject(with: Data(seq.stdout.utf8)) as? [String: Any])
        let fe = try #require(f["controlExact"] as? Double), ce = try #require(c["controlExact"] as? Double), se = try #require(s["controlExact"] as? Double)
        #expect(abs(ce / fe - 0.75) <= 1e-12)
        #expect(abs(se / fe - 1.024720) <= 1e-5)  // ORACLES §2b R(80%) for asOF K = 5
        let sq = try #require(s["sequential"] as? [String: Any])
        let cv = try #require(sq["criticalValues"] as? [Double])
        #expect(cv.count == 5 && abs(cv[0] - 4.876885) <= 1e-5)
    }

    @Test func textReportForASequentialPlanListsTheLooks() throws {
        let r = try CLIRunner.run(["plan", "--metric", "proportion", "--baseline", "0.6", "--mde", "0.02", "--sequential", "power2:4"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("power family alpha*t^2"))
        #expect(r.stdout.contains("look 4:"))
        #expect(!r.stdout.contains("look 5:"))
    }

    @Test(arguments: [
        (["plan", "--metric", "proportion", "--baseline", "1.6", "--mde", "0.02"], "--baseline"),
        (["plan", "--metric", "proportion", "--baseline", "0.6", "--mde", "abc"], "--mde"),
        (["plan", "--metric", "proportion", "--baseline", "0.6", "--mde", "0"], "--mde"),
        (["plan", "--metric", "proportion", "--baseline", "0.6", "--mde", "0.5"], "outside (0, 1)"),
        (["plan", "--metric", "ratio", "--baseline", "0.6", "--mde", "0.02"], "--metric"),
        (["plan", "--baseline", "0.6", "--mde", "0.02"], "--metric"),
        (["plan", "--metric", "mean", "--baseline", "10", "--mde", "1"], "--sd"),
        (["plan", "--metric", "mean", "--baseline", "10", "--mde", "1", "--sd", "-2"], "--sd"),
        (["plan", "--metric", "proportion", "--baseline", "0.6", "--mde", "0.02", "--alpha", "1.5"], "--alpha"),
        (["plan", "--metric", "proportion", "--baseline", "0.6", "--mde", "0.02", "--power", "1"], "--power"),
        (["plan", "--metric", "proportion", "--baseline", "0.6", "--mde", "0.02", "--ratio", "0"], "--ratio"),
        (["plan", "--metric", "proportion", "--baseline", "0.6", "--mde", "0.02", "--cuped-rho", "1"], "--cuped-rho"),
        (["plan", "--metric", "proportion", "--baseline", "0.6", "--mde", "0.02", "--sequential", "obf:0"], "--sequential"),
        (["plan", "--metric", "proportion", "--baseline", "0.6", "--mde", "0.02", "--sequential", "fast:3"], "--sequential"),
        (["plan", "--metric", "proportion", "--baseline", "0.6", "--mde", "0.02", "--daily-traffic", "-5"], "--daily-traffic"),
        (["plan", "--metric", "proportion", "--baseline", "0.6", "--mde", "0.02", "--format", "xml"], "--format"),
        (["plan", "--metric", "proportion", "--baseline", "0.6", "--mde", "-0.02", "--alternative", "greater"], "greater"),
    ])
    func badInputExitsTwoWithAMessage(_ args: [String], _ mentions: String) throws {
        let r = try CLIRunner.run(args)
        #expect(r.status == 2, "\(args): status \(r.status), stderr \(r.stderr)")
        #expect(r.stderr.hasPrefix("error: ") && r.stderr.contains(mentions), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }
}
