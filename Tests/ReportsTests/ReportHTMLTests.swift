import Foundation
import Testing
@testable import Reports
import Simulation

/// A small tag-balance checker for the reports' HTML: every opened element is closed in order
/// (void elements and `/>` excepted). Returns the first problem, or nil.
func tagBalanceProblem(_ html: String) -> String? {
    let void: Set<String> = ["meta", "br", "img", "input", "link", "hr", "!doctype"]
    var stack: [String] = []
    var i = html.startIndex
    while let open = html.range(of: "<", range: i..<html.endIndex) {
        guard let close = html.range(of: ">", range: open.upperBound..<html.endIndex) else { return "unterminated tag" }
        let tag = String(html[open.upperBound..<close.lowerBound])
        i = close.upperBound
        if tag.hasPrefix("!") && !tag.lowercased().hasPrefix("!doctype") { continue }
        let name = tag.drop { $0 == "/" }.prefix { !$0.isWhitespace && $0 != "/" }.lowercased()
        if name.isEmpty || !(name.first?.isLetter ?? false) && name != "!doctype" { return "stray '<' before \(tag.prefix(20))" }
        if tag.hasPrefix("/") {
            guard stack.last == name else { return "</\(name)> closes <\(stack.last ?? "nothing")>" }
            stack.removeLast()
        } else if !tag.hasSuffix("/") && !void.contains(name) {
            stack.append(name)
            if name == "style" || name == "script" {
                guard let end = html.range(of: "</\(name)>", range: i..<html.endIndex) else { return "unclosed <\(name)>" }
                i = end.lowerBound
            }
        }
    }
    return stack.isEmpty ? nil : "unclosed: \(stack.joined(separator: ", "))"
}

/// Whether a string holds a character that needs an emoji font (pictographs, dingbat ticks).
func hasEmoji(_ s: String) -> Bool {
    s.unicodeScalars.contains { $0.properties.isEmojiPresentation || (0x2700...0x27BF).contains($0.value) || (0x1F300...0x1FAFF).contains($0.value) }
}

/// A hand-built result with distinct values, decoded from JSON the way `splitbench report`
/// reads one, so every figure the page must show is known.
enum Fixture {
    static func result(id: String = "fixture.demo", analysis: String = "z", withGates: Bool = true, onlySampleSize: Bool = false, truth: Double = 0, srm: Bool = true) throws -> ScenarioResult {
        func measures(_ rr: Double, _ rrSE: Double, _ cov: Double, _ covSE: Double) -> String {
            if onlySampleSize { return #"[{"measure":"mean_sample_size","estimate":1000,"mcse":0,"replications":400}]"# }
            return """
            [{"measure":"rejection_rate","estimate":\(rr),"mcse":\(rrSE),"replications":400},
             {"measure":"coverage","estimate":\(cov),"mcse":\(covSE),"replications":400},
             {"measure":"bias","estimate":0.000123,"mcse":0.000456,"replications":400}]
            """
        }
        let idJSON = String(data: try JSONEncoder().encode(id), encoding: .utf8) ?? "\"\""
        let aJSON = String(data: try JSONEncoder().encode(analysis), encoding: .utf8) ?? "\"\""
        let gates = withGates ? """
        [{"statement":"rejection_rate of z[treatment] ≤ 0.05 (tolerance 0.01, bound estimate + 3·MCSE)","cell":"population.units=100","analysis":\(aJSON),"comparison":"treatment",
          "measure":"rejection_rate","estimate":0.0512,"mcse":0.0034,"bound":0.0614,"passed":true,"message":"ok"},
         {"statement":"coverage of z[treatment] ≥ 0.95 (tolerance 0.01, bound estimate − 3·MCSE)","cell":"population.units=200","analysis":\(aJSON),"comparison":"treatment",
          "measure":"coverage","estimate":0.9137,"mcse":0.0071,"bound":0.8924,"passed":false,"message":"too low"}]
        """ : "[]"
        let srmJSON = srm ? """
        ,
            {"analysis":"srm","comparison":"all_arms","method":"srm","policy":"fixed","replications":400,"failed":{"zero_variance":3},
             "measures":\(onlySampleSize ? measures(0, 0, 0, 0) : #"[{"measure":"rejection_rate","estimate":0.0025,"mcse":0.0025,"replications":400}]"#),"pValueHistogram":[],"rejectionsByLook":[1]}
        """ : ""
        let json = """
        {"scenario":\(idJSON),"description":"Two cells & one <analysis>.","file":"scenarios/none.yaml","scenarioHash":"0123456789abcdef0123","seed":7,
         "replications":400,"factors":["population.units"],
         "cells":[
          {"index":0,"key":"a1","failures":[],"label":"population.units=100","factors":[{"key":"population.units","value":"100"}],
           "comparisons":[{"analysis":\(aJSON),"comparison":"treatment","method":"z_test","policy":"fixed","truth":\(truth),"replications":400,"failed":{},
             "measures":\(measures(0.0512, 0.0034, 0.9478, 0.0111)),"pValueHistogram":\(onlySampleSize ? "[]" : "[20,20,20,20,20,20,20,20,20,20,20,20,20,20,20,20,20,20,20,20]"),"rejectionsByLook":[20]}\(srmJSON)]},
          {"index":1,"key":"b2","failures":[],"label":"population.units=200","factors":[{"key":"population.units","value":"200"}],
           "comparisons":[{"analysis":\(aJSON),"comparison":"treatment","method":"z_test","policy":"fixed","truth":\(truth),"replications":400,"failed":{},
             "measures":\(measures(0.0731, 0.0042, 0.9137, 0.0071)),"pValueHistogram":[],"rejectionsByLook":[20]}]}],
         "gates":\(gates),
         "run":{"splitbenchVersion":"0.1.0","gitCommit":"abcdef1234567890","swiftVersion":"6.3","gslVersion":"2.7.1","threads":2,"startedAt":"2026-01-01T00:00:00Z","wallSeconds":1.5,"cellSeconds":[0.7,0.8]}}
        """
        return try ResultFiles.read(Data(json.utf8))
    }

    static let context = ReportContext(
        gates: [GateSpec(measure: .rejectionRate, analysis: "z", comparison: "treatment", rule: .atMost(0.05, tolerance: 0.01)),
                GateSpec(measure: .coverage, analysis: "z", comparison: "treatment", rule: .atLeast(0.95, tolerance: 0.01))],
        alphas: ["z": 0.01, "srm": 0.01])
}

@Suite struct ReportHTMLTests {
    @Test func numberFormatTakesItsDigitsFromTheMCSE() {
        #expect(Num.pair(0.79781, 0.0040164) == ("0.7978", "0.0040"))
        #expect(Num.pair(12345.6, 23.4) == ("12346", "23"))
        #expect(Num.pair(0.0512, 0.0034) == ("0.0512", "0.0034"))
        #expect(Num.pair(-0.00001, 0.003) == ("0.0000", "0.0030"))
        #expect(Num.pair(9.62796e-06, 3.5778e-05) == ("0.000010", "0.000036"))
        // Without an MCSE (or a zero one): four significant digits.
        #expect(Num.pair(0.123456, nil) == ("0.1235", ""))
        #expect(Num.pair(1000, 0) == ("1000", "0"))
    }

    @Test func scenarioPageIsVerdictFirstWithProvenanceLast() throws {
        let html = ScenarioReport.html(try Fixture.result(), context: Fixture.context)
        #expect(tagBalanceProblem(html) == nil, "\(tagBalanceProblem(html) ?? "")")
        #expect(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"))
        #expect(html.contains("svg{max-width:100%;height:auto;overflow:hidden}"))
        let order = ["<h1>fixture.demo</h1>", "<p>Two cells &amp; one &lt;analysis&gt;. 2 cells", "Verdict: 1 of 2 gate checks passed",
                     "<h2>Charts</h2>", "<h2>Results</h2>", "<details><summary>Provenance</summary>", "</body>"]
        var cursor = html.startIndex
        for piece in order {
            let r = try #require(html.range(of: piece, range: cursor..<html.endIndex), "\(piece) missing or out of order")
            cursor = r.upperBound
        }
        // The verdict table: pass and fail marks in text, estimate and MCSE in their own cells, the target.
        #expect(html.contains("<span class=\"badge pass\">pass</span>") && html.contains("<span class=\"badge fail\">FAIL</span>"))
        #expect(html.contains(">0.0512</td><td class=\"n\" title=\"rejection_rate of z (population.units=100, treatment): Monte Carlo standard error; the bar shows estimate ± 2 MCSE\">0.0034</td>"))
        #expect(html.contains(">0.9137</td>") && html.contains(">0.0071</td>"))
        #expect(html.contains("≤ 0.05 (tolerance 0.01; upper bound = estimate + 3·MCSE)") && html.contains("≥ 0.95 (tolerance 0.01; lower bound = estimate − 3·MCSE)"))
        #expect(!hasEmoji(html))
        // Every table scrolls in its own container.
        #expect(html.components(separatedBy: "<table>").count == html.components(separatedBy: "<div class=\"scroll\"><table>").count)
    }

    @Test func resultTablesSplitEstimateAndMCSEAndMarkUndefinedCells() throws {
        let html = ScenarioReport.html(try Fixture.result())
        // Cell 1: rejection rate 0.0731 ± 0.0042, coverage 0.9137 ± 0.0071; bias 0.000123 ± 0.000456.
        for (e, se) in [("0.0731", "0.0042"), ("0.948", "0.011"), ("0.00012", "0.00046")] {
            #expect(html.contains(">\(e)</td><td class=\"n\""), "\(e)")
            #expect(html.contains("Monte Carlo standard error (one MCSE, not 2)\">\(se)</td>"), "\(se)")
        }
        // SRM has no truth and no coverage: "—" with the footnote.
        #expect(html.contains("<td class=\"na\""))
        #expect(html.contains(HTMLPage.undefinedNote))
        #expect(html.contains("<td>3 zero_variance</td>"))
        // Text columns are left-aligned by default; only numeric cells carry class n.
        #expect(html.contains("td,th{border:1px solid #ccc;padding:3px 7px;text-align:left"))
        #expect(!html.contains(" ± 0.0042"), "estimate ± MCSE must not be glued into one cell")
    }

    @Test func referenceLinesComeFromTheAnalysisAndTheGates() throws {
        let r = try Fixture.result()
        let with = ScenarioReport.charts(r, context: Fixture.context).map(\.svg).joined()
        // α = 0.01 (from the analyses), not a hard-coded 0.05; coverage line 1 − α = 0.99.
        #expect(with.contains("α = 0.01") && with.contains("1 − α = 0.99"))
        #expect(with.contains("gate: ≤ 0.05") && with.contains("gate: ≥ 0.95"))
        #expect(with.contains("tolerance band of the gate (0.05 to 0.06)") && with.contains("tolerance band of the gate (0.94 to 0.95)"))
        // Under H1 (truth ≠ 0, no SRM check) the rejection rate is power: no α line, the coverage line stays.
        let power = ScenarioReport.charts(try Fixture.result(truth: 0.02, srm: false), context: Fixture.context).map(\.svg)
        #expect(!power[0].contains("α = 0.01") && power[0].contains("gate: ≤ 0.05"))
        #expect(power[1].contains("1 − α = 0.99"))
        // Without the scenario's context nothing is guessed.
        let without = ScenarioReport.charts(r).map(\.svg).joined()
        #expect(!without.contains("α =") && !without.contains("gate:"))
        // Tooltips name the cell and say what ± means.
        #expect(with.contains("<title>z, population.units = 200: rejection rate 0.0731 ± 0.0084 (± is 2 MCSE)</title>"))
    }

    @Test func gateStatementsMatchTheirRules() {
        // The page finds a gate's rule by its statement, so the fixture uses the real format.
        #expect(Fixture.context.gates[0].statement == "rejection_rate of z[treatment] ≤ 0.05 (tolerance 0.01, bound estimate + 3·MCSE)")
        #expect(Fixture.context.gates[1].statement == "coverage of z[treatment] ≥ 0.95 (tolerance 0.01, bound estimate − 3·MCSE)")
    }

    @Test func noEmptyChartsHeading() throws {
        let html = ScenarioReport.html(try Fixture.result(withGates: false, onlySampleSize: true))
        #expect(!html.contains("Charts"))
        #expect(!html.contains("Verdict"))
        #expect(tagBalanceProblem(html) == nil)
    }

    @Test func userStringsAreEscaped() throws {
        let html = ScenarioReport.html(try Fixture.result(id: "<script>alert(1)</script>", analysis: "a<b>&\"c'"), context: Fixture.context)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("a&lt;b&gt;&amp;&quot;c&#39;"))
        #expect(!html.contains("a<b>"))
        #expect(tagBalanceProblem(html) == nil, "\(tagBalanceProblem(html) ?? "")")
    }

    @Test func tagBalanceCheckerCatchesBrokenMarkup() {
        #expect(tagBalanceProblem("<div><p>x</div>") != nil)
        #expect(tagBalanceProblem("<table><tr><td>1</td></tr>") != nil)
        #expect(tagBalanceProblem("<div><meta charset=\"utf-8\"/><br><svg><circle r=\"1\"/></svg></div>") == nil)
    }

    /// WCAG 2.1 contrast of each palette colour against white is at least 3:1, and colours and
    /// markers give distinct pairs to the first 18 series.
    @Test func paletteIsColourBlindSafeWithEnoughContrast() {
        func luminance(_ hex: String) -> Double {
            let v = Int(hex.dropFirst(), radix: 16) ?? 0
            let channels: [Int] = [(v >> 16) & 255, (v >> 8) & 255, v & 255]
            var c: [Double] = []
            for ch in channels {
                let x = Double(ch) / 255
                c.append(x <= 0.03928 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4))
            }
            let r: Double = 0.2126 * c[0], g: Double = 0.7152 * c[1], b: Double = 0.0722 * c[2]
            return r + g + b
        }
        for colour in SVGChart.palette {
            #expect(1.05 / (luminance(colour) + 0.05) >= 3, "\(colour)")
        }
        #expect(Set(SVGChart.palette).count == SVGChart.palette.count)
        let pairs = (0..<18).map { "\(SVGChart.palette[$0 % SVGChart.palette.count])|\(SVGChart.markers[$0 % SVGChart.markers.count])" }
        #expect(Set(pairs).count == 18)
    }

    @Test func forestPlotShortensLongLabelsAndKeepsThemInTooltips() {
        let long = String(repeating: "effects.treatment.converted.absolute=0.01,", count: 2)
        let svg = SVGChart.forest(title: "Bias", xLabel: "bias", rows: [(label: "z [treatment]", estimate: 0.1, error: 0.02), (label: long, estimate: -0.05, error: 0.01)],
                                  reference: 0, referenceLabel: "no bias")
        #expect(tagBalanceProblem(svg) == nil)
        #expect(svg.components(separatedBy: "<circle").count - 1 == 2)
        #expect(svg.contains(">" + String(long.prefix(41)) + "…</text>"))
        #expect(svg.contains("<title>\(long): -0.05 ± 0.01 (± is 2 MCSE)</title>"))
        // x range: [-0.06, 0.12] padded 8% → [-0.0744, 0.1344]; 0.1 sits at 270 + (0.1744/0.2088)·390 = 595.7.
        #expect(svg.contains("<circle cx=\"595.7\""))
    }

    @Test func verdictBarDrawsEstimateIntervalTargetAndBand() {
        let row = VerdictRow(claim: "coverage of z", scope: "base", estimate: 0.9, mcse: 0.01, target: "≥ 0.95", passed: false,
                             targetValue: 0.95, band: (0.94, 0.95))
        let svg = HTMLPage.bar(row)
        // Range: 0.88 … 0.95 padded by 10% → [0.873, 0.957]; estimate 0.9 at (0.9 − 0.873)/0.084·180 = 57.9.
        #expect(svg.contains("<circle cx=\"57.9\""))
        #expect(svg.contains("<line x1=\"15.0\" y1=\"9\" x2=\"100.7\""))
        #expect(svg.contains("<rect x=\"143.6\""))
        #expect(svg.contains("stroke=\"#a40e26\""))
    }
}
