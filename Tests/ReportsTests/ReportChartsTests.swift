import Foundation
import Testing
@testable import Reports
import Simulation

/// A fixture result edited as JSON: `edit` receives the decoded object tree of
/// ``Fixture/result(id:analysis:withGates:onlySampleSize:truth:srm:)``'s result.
func editedFixture(_ edit: (inout [String: Any]) throws -> Void, truth: Double = 0) throws -> ScenarioResult {
    let data = try ResultFiles.json(try Fixture.result(truth: truth))
    var tree = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    try edit(&tree)
    return try ResultFiles.read(try JSONSerialization.data(withJSONObject: tree))
}

/// The new charts and tables of issue #13: p-value histograms with their binomial band, the
/// coverage zip plot, heat plots for many cells, the faults/designs verdict tables, and no
/// emoji in any Markdown renderer. Every fixture value is distinct, so each number checked can
/// only come from its own source.
@Suite struct ReportChartsTests {
    // MARK: p-value histograms

    @Test func pValuePanelsDrawEveryCountAndTheBinomialBandUnderH0() throws {
        let counts = Array(10...29)  // 20 distinct counts, sum 390
        let r = try editedFixture { tree in
            var cells = try #require(tree["cells"] as? [[String: Any]])
            var comparisons = try #require(cells[0]["comparisons"] as? [[String: Any]])
            comparisons[0]["pValueHistogram"] = counts
            cells[0]["comparisons"] = comparisons
            tree["cells"] = cells
        }
        let html = ScenarioReport.pValuePanels(r)
        #expect(tagBalanceProblem(html) == nil, "\(tagBalanceProblem(html) ?? "")")
        // One panel: cell 1's histogram is empty and the SRM check has none.
        #expect(html.components(separatedBy: "<figure>").count - 1 == 1)
        for c in counts { #expect(html.contains("<title>z [treatment] in population.units=100: \(c)</title>"), "\(c)") }
        // R = 400, 20 bins: Binomial(400, 0.05) has 2.5% and 97.5% quantiles 12 and 29 (exact
        // cdf summed independently in Python: P(X ≤ 11) = 0.0213 < 0.025 ≤ P(X ≤ 12); P(X ≤ 28) < 0.975 ≤ P(X ≤ 29)).
        #expect(html.contains("12 to 29 of R = 400 (Binomial(R, 1/20))"))
        #expect(html.contains(">R/20</text>"))
        #expect(html.contains("shade the 95% band"))
    }

    @Test func pValuePanelsUnderH1HaveNoBand() throws {
        let html = ScenarioReport.pValuePanels(try Fixture.result(truth: 0.02))
        #expect(html.contains("<figure>"))
        #expect(!html.contains("Binomial(R, 1/20))</title>") && !html.contains("R/20</text>"))
    }

    // MARK: zip plot

    /// Five intervals around the truth 1, decoded the way a result.json holds them (the struct
    /// has no public memberwise initialiser). Miss = |estimate − truth| / width in the comments.
    static func draws() throws -> [IntervalDraw] {
        let json = """
        [{"replication":0,"estimate":1.1,"lower":0.9,"upper":1.3,"truth":1},
         {"replication":1,"estimate":0.5,"lower":0.2,"upper":0.8,"truth":1},
         {"replication":2,"estimate":1.02,"lower":0.7,"upper":1.34,"truth":1},
         {"replication":3,"estimate":1.6,"lower":1.05,"upper":2.15,"truth":1},
         {"replication":4,"estimate":0.8,"lower":0.45,"upper":1.15,"truth":1}]
        """
        // covers (0.25), misses (0.833), covers (0.031), misses (0.545), covers (0.286)
        return try ResultFiles.decode([IntervalDraw].self, from: Data(json.utf8))
    }

    @Test func zipPlotRanksByMissAndColoursByCoverage() throws {
        let svg = SVGChart.zip(title: "zip <of> z", draws: try Self.draws(), nominal: 0.95)
        #expect(tagBalanceProblem(svg) == nil, "\(tagBalanceProblem(svg) ?? "")")
        #expect(svg.contains("zip &lt;of&gt; z"))
        #expect(svg.contains(">3 of 5 cover</text>"))
        #expect(svg.contains(">nominal 0.95</text>"))
        // Drawn bottom to top in order of |estimate − truth| / width: 2, 0, 4, 3, 1.
        var cursor = svg.startIndex
        for rep in [2, 0, 4, 3, 1] {
            let r = try #require(svg.range(of: "<title>replication \(rep): ", range: cursor..<svg.endIndex), "replication \(rep) out of order")
            cursor = r.upperBound
        }
        #expect(svg.contains("<title>replication 3: estimate 1.6, interval [1.05, 2.15], truth 1: misses</title>"))
        #expect(svg.contains("<title>replication 4: estimate 0.8, interval [0.45, 1.15], truth 1: covers</title>"))
        // Covering intervals in palette[0], missing ones in palette[1].
        #expect(svg.components(separatedBy: "stroke=\"\(SVGChart.palette[0])\"").count - 1 == 3)
        #expect(svg.components(separatedBy: "stroke=\"\(SVGChart.palette[1])\"").count - 1 == 2)
        // One constant truth: one dashed vertical line.
        #expect(svg.contains("<title>truth 1</title>"))
    }

    @Test func zipPlotOnlyWhenTheResultCarriesIntervals() throws {
        let plain = try Fixture.result()
        #expect(ScenarioReport.zipPlots(plain, context: Fixture.context).isEmpty)
        #expect(!ScenarioReport.html(plain, context: Fixture.context).contains("zip plot"))
        let encoded = try JSONSerialization.jsonObject(with: try ResultFiles.encode(try Self.draws()))
        let r = try editedFixture { tree in
            var cells = try #require(tree["cells"] as? [[String: Any]])
            var comparisons = try #require(cells[1]["comparisons"] as? [[String: Any]])
            comparisons[0]["intervalSample"] = encoded
            cells[1]["comparisons"] = comparisons
            tree["cells"] = cells
        }
        let html = ScenarioReport.html(r, context: Fixture.context)
        #expect(tagBalanceProblem(html) == nil, "\(tagBalanceProblem(html) ?? "")")
        #expect(html.contains("Coverage zip plot: z [treatment], 200"))
        #expect(html.contains(">3 of 5 cover</text>"))
        // α = 0.01 for z in the context: the nominal line is 0.99.
        #expect(html.contains(">nominal 0.99</text>"))
        #expect(html.contains("first 5 analysed replications"))
    }

    // MARK: heat plot

    @Test func heatPlotTilesShowEachEstimateWithItsMCSE() {
        let tiles = [SVGChart.HeatTile(row: "a<1>", column: "n=10", estimate: 0.0512, mcse: 0.0034),
                     SVGChart.HeatTile(row: "a<1>", column: "n=20", estimate: 0.0731, mcse: 0.0042),
                     SVGChart.HeatTile(row: "b", column: "n=10", estimate: 0.0623, mcse: 0.0038)]
        let svg = SVGChart.heat(title: "Rejection rate", rows: ["a<1>", "b"], columns: ["n=10", "n=20"], tiles: tiles)
        #expect(tagBalanceProblem(svg) == nil, "\(tagBalanceProblem(svg) ?? "")")
        #expect(!svg.contains("a<1>") && svg.contains("a&lt;1&gt;"))
        #expect(svg.contains("<title>a&lt;1&gt;, n=20: 0.0731 ± 0.0042 (± is one MCSE)</title>"))
        #expect(svg.contains(">0.0623</text>") && svg.contains(">0.0512</text>"))
        // Lowest value lightest (95%), highest darkest (30%); the missing tile is grey and says so.
        #expect(svg.contains("fill=\"hsl(202,100%,95.0%)\"><title>a&lt;1&gt;, n=10: 0.0512"))
        #expect(svg.contains("fill=\"hsl(202,100%,30.0%)\"><title>a&lt;1&gt;, n=20: 0.0731"))
        #expect(svg.contains("<title>b, n=20: not measured</title>"))
    }

    @Test func heatPlotsOnlyForGridsOfSixCellsOrMore() throws {
        #expect(ScenarioReport.heatPlots(try Fixture.result()).isEmpty)
        let r = try editedFixture { tree in
            let cells = try #require(tree["cells"] as? [[String: Any]])
            var many: [[String: Any]] = []
            for k in 0..<6 {
                var cell = cells[k % 2]
                cell["index"] = k
                cell["label"] = "population.units=\(100 * (k + 1))"
                cell["factors"] = [["key": "population.units", "value": String(100 * (k + 1))]]
                var comparisons = try #require(cell["comparisons"] as? [[String: Any]])
                var measures = try #require(comparisons[0]["measures"] as? [[String: Any]])
                measures[0]["estimate"] = 0.041 + 0.003 * Double(k)  // distinct rejection rates
                comparisons[0]["measures"] = measures
                cell["comparisons"] = comparisons
                many.append(cell)
            }
            tree["cells"] = many
        }
        let html = ScenarioReport.heatPlots(r)
        #expect(tagBalanceProblem(html) == nil)
        for k in 0..<6 {
            let e = String(format: "%.4f", 0.041 + 0.003 * Double(k))
            #expect(html.contains("<title>z, \(100 * (k + 1)): \(e) ± "), "\(e)")
        }
        #expect(html.contains("Rejection rate by analysis and cell") && html.contains("Coverage by analysis and cell") && html.contains("Bias by analysis and cell"))
        #expect(ScenarioReport.html(r).contains("Rejection rate by analysis and cell"))
    }

    // MARK: faults and designs verdict tables

    static func calibration() throws -> FaultsCalibration {
        let claims = [
            CalibrationClaim(claim: "Welch holds α <with bots>", scope: "welch, share=0.01", estimate: 0.0437, mcse: 0.0029,
                             target: "≤ 0.05", targetValue: 0.05, bandLow: 0.05, bandHigh: 0.0587, passed: true),
            CalibrationClaim(claim: "Pooling is biased", scope: "pooled, drift=0.02", estimate: 0.0118, mcse: 0.0061,
                             target: "> 0", targetValue: 0, passed: false),
            CalibrationClaim(claim: "Missing figure", scope: "x (not measured)", estimate: nil, mcse: nil, target: "= 1", targetValue: 1, passed: false),
        ]
        let section = FaultSection(title: "Bots & <drift>", lesson: "A lesson.", charts: [], result: try Fixture.result(), claims: claims)
        return FaultsCalibration(sections: [section])
    }

    @Test func faultsPageOpensWithTheVerdictTableOfItsClaims() throws {
        let html = FaultsReport.html(try Self.calibration())
        #expect(tagBalanceProblem(html) == nil, "\(tagBalanceProblem(html) ?? "")")
        var cursor = html.startIndex
        for piece in ["<h1>Faults calibration</h1>", "Verdict: 1 of 3 claims hold", "<span class=\"badge fail\">2 failed</span>",
                      "Welch holds α &lt;with bots&gt;", "Pooling is biased", "<h2>1. Bots &amp; &lt;drift&gt;</h2>"] {
            let r = try #require(html.range(of: piece, range: cursor..<html.endIndex), "\(piece) missing or out of order")
            cursor = r.upperBound
        }
        #expect(html.contains(">0.0437</td>") && html.contains(">0.0029</td>"))
        #expect(html.contains(">0.0118</td>") && html.contains(">0.0061</td>"))
        // Each section's claims open with a heading row; the scope is the claim's own.
        #expect(html.components(separatedBy: "<th class=\"group\" colspan=\"7\">Bots &amp; &lt;drift&gt;</th>").count - 1 == 1)
        #expect(html.contains("<td>welch, share=0.01</td>"))
        #expect(html.contains("<td>≤ 0.05</td>") && html.contains("<td>&gt; 0</td>"))
        #expect(html.contains(HTMLPage.undefinedNote))
        #expect(!html.contains("<with bots>") && !hasEmoji(html))
        let md = FaultsReport.markdown(try Self.calibration())
        #expect(md.contains("## Verdict: 1 of 3 claims hold"))
        #expect(md.contains("| pass | Bots & <drift> | Welch holds α <with bots> | welch, share=0.01 | 0.0437 ± 0.0029 |"))
        #expect(md.contains("| **FAIL** | Bots & <drift> | Pooling is biased | pooled, drift=0.02 | 0.0118 ± 0.0061 |"))
        #expect(md.contains("| **FAIL** | Bots & <drift> | Missing figure | x (not measured) | — |"))
        #expect(!hasEmoji(md))
    }

    /// The committed calibrations' claims agree with the rule their target states (checked
    /// here from the stored estimate, MCSE and target at 3 MCSE), and every section has some.
    @Test(arguments: ["faults", "designs"])
    func committedClaimsFollowTheirRule(_ file: String) throws {
        let c = try FaultsReportTests.committed(file)
        for s in c.sections {
            let claims = try #require(s.claims, "\(s.title): no claims")
            #expect(!claims.isEmpty, "\(s.title)")
            for g in claims {
                guard let e = g.estimate, let t = g.targetValue else {
                    #expect(!g.passed, "\(g.claim): no figure yet passed")
                    continue
                }
                let m = g.mcse ?? 0
                let expected: Bool
                if g.target.hasPrefix("≤") { expected = e - 3 * m <= t }
                else if g.target.hasPrefix("≥") { expected = e + 3 * m >= t }
                else if g.target.hasPrefix(">") { expected = e - 3 * m > t }
                else if g.target.hasPrefix("<") { expected = e + 3 * m < t }
                else if g.target.hasPrefix("≠") { expected = abs(e - t) > 3 * m }
                else { expected = abs(e - t) <= 3 * m }
                #expect(g.passed == expected, "\(s.title): \(g.claim)")
            }
        }
    }

    // MARK: no emoji in Markdown

    @Test func markdownRenderersUseWordsNotEmoji() throws {
        let r = try Fixture.result()
        let md = ScenarioReport.markdown(r)
        #expect(!hasEmoji(md))
        #expect(md.contains("| pass | rejection_rate of z[treatment]") && md.contains("| **FAIL** | coverage of z[treatment]"))
        let summary = GateReports.stepSummary([r])
        #expect(!hasEmoji(summary))
        #expect(summary.contains("| pass | fixture.demo |") && summary.contains("| **FAIL** | fixture.demo |"))
    }

    // MARK: calibration charts

    @Test func multipleTestingPageDrawsErrorControlAgainstPower() throws {
        let data = try Data(contentsOf: FaultsReportTests.root.appendingPathComponent("results/calibration/multiple-testing.json"))
        let c = try ResultFiles.decode(MultipleTestingCalibration.self, from: data)
        let html = MultipleTestingReport.html(c)
        #expect(html.contains("FWER against average power, per correction") && html.contains("FDR against average power, per correction"))
        // One point's tooltip, from the first family with an effect and one treatment.
        let p = try #require(MultipleTestingReport.points(c).first { $0.arms == 2 && $0.fraction != "0" && $0.fraction != "0.0" && $0.v(.averagePower) != nil })
        let fwer = try #require(p.v(.fwer)), power = try #require(p.v(.averagePower))
        #expect(html.contains("<title>\(p.policy), average power E[S/m₁] = \(Num.sig(power.estimate)): family-wise error rate \(Num.sig(fwer.estimate))"))
        #expect(tagBalanceProblem(html) == nil)
    }

    @Test func peekingPageDrawsCoverageAgainstLooks() throws {
        let data = try Data(contentsOf: FaultsReportTests.root.appendingPathComponent("results/calibration/peeking.json"))
        let c = try ResultFiles.decode(PeekingCalibration.self, from: data)
        let html = PeekingReport.html(c)
        #expect(html.contains("Coverage of the interval reported at the stop against the number of looks"))
        let p = try #require(PeekingReport.points(c).first { $0.h1 && !$0.daily && $0.looks > 1 && $0.v(.coverage) != nil })
        let v = try #require(p.v(.coverage))
        #expect(html.contains("<title>\(Escape.html(p.policy)), looks K (log scale) = \(p.looks): coverage \(Num.sig(v.estimate))"))
        #expect(html.contains("1 − α = \(Num.sig(1 - c.alpha))"))
        #expect(tagBalanceProblem(html) == nil)
    }

    // MARK: planned power

    /// The rejection-rate chart draws the planned power handed in through the context, per cell,
    /// with a tooltip naming the value; the coverage chart and a context without it do not.
    @Test func rejectionChartDrawsThePlannedPowerHandedIn() throws {
        let r = try Fixture.result(truth: 0.02)
        let key = ReportContext.powerKey(analysis: "z", comparison: "treatment")
        let indices = r.cells.map(\.index)
        try #require(indices.count >= 2)
        let context = ReportContext(plannedPower: [indices[0]: [key: 0.4321], indices[1]: [key: 0.8765]])
        let charts = ScenarioReport.charts(r, context: context)
        let rejection = try #require(charts.first { $0.svg.contains("Rejection rate by cell") })
        #expect(rejection.svg.contains("planned power, z"))
        #expect(rejection.svg.contains(": rejection rate 0.4321</title>"), "\(rejection.svg)")
        #expect(rejection.svg.contains(": rejection rate 0.8765</title>"))
        #expect(rejection.caption.contains("the planned power"))
        #expect(tagBalanceProblem(rejection.svg) == nil)
        #expect(!charts.contains { $0.svg.contains("Coverage by cell") && $0.svg.contains("planned power") })
        #expect(!ScenarioReport.charts(r).contains { $0.svg.contains("planned power") })
    }
}
