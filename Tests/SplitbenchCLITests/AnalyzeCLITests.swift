import Foundation
import Testing

/// `splitbench analyze` end to end: argv → stdout/stderr and exit status.
@Suite struct AnalyzeCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let units = root.appendingPathComponent("scenarios/examples/checkout-units.csv").path
    static let summary = root.appendingPathComponent("scenarios/examples/checkout-summary.csv").path
    static let standard = ["--primary", "checkout_completed", "--guardrail", "checkout_error", "--guardrail", "page_load_ms",
                           "--lower-is-better", "checkout_error", "--lower-is-better", "page_load_ms"]

    /// Writes `text` to a fresh temporary CSV file.
    func temporaryCSV(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("analyze-\(UUID().uuidString).csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func textReportOfTheExample() throws {
        let r = try CLIRunner.run(["analyze", "--data", Self.units] + Self.standard)
        #expect(r.status == 0, "\(r.stderr)")
        // 1205/1998 vs 1346/2002 (see checkout-summary.csv): +6.9pp, p = 5.25e-06.
        #expect(r.stdout.contains("Sample: 1,998 control / 2,002 treatment"))
        #expect(r.stdout.contains("Control: 0.603 (60.3%)"))
        #expect(r.stdout.contains("Treatment: 0.672 (67.2%)"))
        #expect(r.stdout.contains("Lift: +6.9pp (+11.5%)"))
        #expect(r.stdout.contains("p-value: 5.25e-06 ✅ significant"))
        #expect(r.stdout.contains("95% CI: [+4.0pp, +9.9pp]"))
        #expect(r.stdout.contains("Correction: holm over 1 test"))
        #expect(r.stdout.contains("SRM: χ² = 0.004, p = 0.950"))
        #expect(r.stdout.contains("checkout_error: no significant change ✅"))
        #expect(r.stdout.contains("page_load_ms: no significant change ✅"))
        #expect(r.stdout.contains("Decision: SHIP ✅"))
    }

    @Test func jsonReportAgreesWithTheSummaryFile() throws {
        let a = try CLIRunner.run(["analyze", "--data", Self.units, "--format", "json"] + Self.standard)
        let b = try CLIRunner.run(["analyze", "--data", Self.summary, "--format", "json"] + Self.standard)
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
        func primary(_ s: String) throws -> [String: Any] {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any])
            let metrics = try #require(json["metrics"] as? [[String: Any]])
            let comparisons = try #require(metrics.first?["comparisons"] as? [[String: Any]])
            return try #require(comparisons.first?["absolute"] as? [String: Any])
        }
        let pa = try primary(a.stdout), pb = try primary(b.stdout)
        #expect(pa["status"] as? String == "ok")
        #expect(pa["method"] as? String == "two_proportion_z")
        // Two-proportion z of 1346/2002 vs 1205/1998 (statsmodels proportions_ztest gives z = 4.5544).
        let z = try #require(pa["statistic"] as? Double)
        #expect(abs(z - 4.554394160953442) < 1e-9)
        #expect(pa["p_value"] as? Double == pb["p_value"] as? Double)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(a.stdout.utf8)) as? [String: Any])
        let decisions = try #require(json["decisions"] as? [[String: Any]])
        #expect(decisions.first?["outcome"] as? String == "ship")
        let srm = try #require(json["srm"] as? [String: Any])
        #expect(srm["flagged"] as? Bool == false)
    }

    @Test func cupedOnAPrePeriodColumn() throws {
        let r = try CLIRunner.run(["analyze", "--data", Self.units, "--primary", "revenue", "--pre-period", "revenue_pre"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("CUPED + Welch t test"))
        #expect(r.stdout.contains("CUPED on revenue_pre: θ = "))
    }

    @Test func badCSVReportsLineAndColumn() throws {
        let path = try temporaryCSV("unit,variant,conv\nu1,control,1\nu2,treatment,abc\n")
        let r = try CLIRunner.run(["analyze", "--data", path, "--primary", "conv"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("line 3, column 3"), "\(r.stderr)")
        #expect(r.stderr.contains("conv: expected a finite number, got 'abc'"))
        #expect(r.stdout.isEmpty)
    }

    @Test func quotingErrorsAndRaggedRows() throws {
        let unterminated = try temporaryCSV("unit,variant,conv\nu1,control,1\n\"u2,treatment,0\n")
        let a = try CLIRunner.run(["analyze", "--data", unterminated, "--primary", "conv"])
        #expect(a.status == 2 && a.stderr.contains("line 3, column 1: unterminated quoted field"), "\(a.stderr)")
        let ragged = try temporaryCSV("unit,variant,conv\nu1,control,1\nu2,treatment\n")
        let b = try CLIRunner.run(["analyze", "--data", ragged, "--primary", "conv"])
        #expect(b.status == 2 && b.stderr.contains("line 3") && b.stderr.contains("expected 3 fields"), "\(b.stderr)")
        let strayQuote = try temporaryCSV("unit,variant,conv\nu1,con\"trol,1\n")
        let c = try CLIRunner.run(["analyze", "--data", strayQuote, "--primary", "conv"])
        #expect(c.status == 2 && c.stderr.contains("line 2, column 2"), "\(c.stderr)")
    }

    @Test func invalidUTF8HeaderOnlyAndSummaryErrors() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("analyze-\(UUID().uuidString).csv")
        try Data("unit,variant,conv\nu1,control,1\nu2,tr\u{0}".utf8 + [0xFF] + Data("eatment,0\n".utf8)).write(to: url)
        let a = try CLIRunner.run(["analyze", "--data", url.path, "--primary", "conv"])
        #expect(a.status == 2 && a.stderr.contains("line 3, column 2: not valid UTF-8"), "\(a.stderr)")
        let empty = try temporaryCSV("unit,variant,conv\n")
        let b = try CLIRunner.run(["analyze", "--data", empty, "--primary", "conv"])
        #expect(b.status == 2 && b.stderr.contains("no data rows"), "\(b.stderr)")
        let summary = try temporaryCSV("variant,metric,n,successes\ncontrol,conv,100,10\ntreatment,conv,100,101\n")
        let c = try CLIRunner.run(["analyze", "--data", summary, "--primary", "conv"])
        #expect(c.status == 2 && c.stderr.contains("line 3, column 4: successes: 101 is more than n = 100"), "\(c.stderr)")
    }

    @Test func winsorisationCapsAtThePooledQuantile() throws {
        var text = "unit,variant,spend\n"
        for i in 0..<100 { text += "c\(i),control,\(i)\n" }
        for i in 0..<100 { text += "t\(i),treatment,\(i == 99 ? 100_000 : i)\n" }
        let path = try temporaryCSV(text)
        let plain = try CLIRunner.run(["analyze", "--data", path, "--primary", "spend", "--format", "json"])
        let capped = try CLIRunner.run(["analyze", "--data", path, "--primary", "spend", "--winsorize", "spend=0.95", "--format", "json"])
        #expect(plain.status == 0 && capped.status == 0, "\(capped.stderr)")
        func estimate(_ s: String) throws -> (Double, [String: Any]?) {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any])
            let metric = try #require((json["metrics"] as? [[String: Any]])?.first)
            let cmp = try #require((metric["comparisons"] as? [[String: Any]])?.first?["absolute"] as? [String: Any])
            return (try #require(cmp["estimate"] as? Double), metric["winsorization"] as? [String: Any])
        }
        let (raw, none) = try estimate(plain.stdout)
        let (w, caps) = try estimate(capped.stdout)
        #expect(none == nil)
        // Pooled values: 0…99 twice with one 99 replaced by 100000; numpy.quantile(q=0.95, linear) = 94.05.
        #expect(abs(raw - 999.01) < 1e-9)
        #expect(abs((caps?["upper"] as? Double ?? 0) - 94.05) < 1e-9)
        // Treatment values above 94.05 (95…98 and the outlier) and control's 95…99 are capped.
        #expect(caps?["units_capped"] as? Int == 10)
        #expect(abs(w - 0) < 1e-9)
    }

    @Test func quotedFieldsWithCommasAndNewlinesAreRead() throws {
        var text = "unit,variant,conv\r\n"
        for i in 0..<40 { text += "\"u,\(i)\",\"control\",\(i % 4 == 0 ? 1 : 0)\r\n" }
        for i in 0..<40 { text += "\"u\"\"\(i)\nx\",treatment,\(i % 2)\r\n" }
        let r = try CLIRunner.run(["analyze", "--data", try temporaryCSV(text), "--primary", "conv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Sample: 40 control / 40 treatment"))
        #expect(r.stdout.contains("Control: 0.250 (25.0%)") && r.stdout.contains("Treatment: 0.500 (50.0%)"))
    }

    @Test func missingColumnDuplicateUnitAndBadOptionsExitTwo() throws {
        let a = try CLIRunner.run(["analyze", "--data", Self.units, "--primary", "nope"])
        #expect(a.status == 2 && a.stderr.contains("no column 'nope'"))
        let dup = try temporaryCSV("unit,variant,conv\nu1,control,1\nu1,treatment,0\n")
        let b = try CLIRunner.run(["analyze", "--data", dup, "--primary", "conv"])
        #expect(b.status == 2 && b.stderr.contains("line 3, column 1") && b.stderr.contains("appears twice"))
        let c = try CLIRunner.run(["analyze", "--data", Self.units, "--primary", "checkout_completed", "--alpha", "1.5"])
        #expect(c.status == 2 && c.stderr.contains("--alpha"))
        let d = try CLIRunner.run(["analyze", "--data", "/no/such/file.csv", "--primary", "x"])
        #expect(d.status == 2 && d.stderr.contains("cannot read"))
    }

    @Test func sampleRatioMismatchMakesTheExperimentInvalid() throws {
        var text = "unit,variant,conv\n"
        for i in 0..<600 { text += "c\(i),control,\(i % 2)\n" }
        for i in 0..<400 { text += "t\(i),treatment,\(i % 2)\n" }
        let r = try CLIRunner.run(["analyze", "--data", try temporaryCSV(text), "--primary", "conv"])
        // 600 vs 400 against 50/50: χ² = 40, p = 2.54e-10 (ORACLES §7).
        #expect(r.status == 1)
        #expect(r.stdout.contains("SRM: χ² = 40, p = 2.54e-10"))
        #expect(r.stdout.contains("Decision: INVALID ❌"))
    }

    @Test func degenerateMetricIsReportedNotCrashed() throws {
        var text = "unit,variant,conv\n"
        for i in 0..<50 { text += "c\(i),control,0\n" }
        for i in 0..<50 { text += "t\(i),treatment,0\n" }
        let r = try CLIRunner.run(["analyze", "--data", try temporaryCSV(text), "--primary", "conv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("not analysable: no conversions in either arm"))
        #expect(r.stdout.contains("Decision: INVALID ❌"))
    }

    /// A stray 2 in a 0/1 column: without --metric-kind the note says the metric is analysed as a
    /// mean and names the line; with --metric-kind M=proportion it is an error naming the line.
    @Test func metricKindIsNeverASilentSwitch() throws {
        let csv = try temporaryCSV("unit,variant,y\nu1,control,0\nu2,control,1\nu3,treatment,2\nu4,treatment,1\nu5,control,1\nu6,treatment,0\n")
        let inferred = try CLIRunner.run(["analyze", "--data", csv, "--primary", "y"])
        #expect(inferred.status == 0, "\(inferred.stderr)")
        #expect(inferred.stderr.contains("note: metric 'y' is analysed as a mean (Welch's t test): line 4 has the value 2"))
        let strict = try CLIRunner.run(["analyze", "--data", csv, "--primary", "y", "--metric-kind", "y=proportion"])
        #expect(strict.status == 2)
        #expect(strict.stderr.contains("line 4, column 3: y: --metric-kind y=proportion needs 0 or 1, got '2'"))
        let binary = try temporaryCSV("unit,variant,y\nu1,control,0\nu2,control,1\nu3,treatment,1\nu4,treatment,1\n")
        let note = try CLIRunner.run(["analyze", "--data", binary, "--primary", "y"])
        #expect(note.stderr.contains("note: metric 'y' is analysed as a proportion"))
        let forced = try CLIRunner.run(["analyze", "--data", binary, "--primary", "y", "--metric-kind", "y=mean", "--format", "json"])
        #expect(forced.status == 0 && forced.stdout.contains("\"kind\" : \"mean\""), "\(forced.stderr)")
        #expect(try CLIRunner.run(["analyze", "--data", binary, "--primary", "y", "--metric-kind", "y=ratio"]).status == 2)
    }

    /// Impossible summary rows are errors naming the row; a summary file missing `n` says so.
    @Test func impossibleSummaryRows() throws {
        let bad = try temporaryCSV("variant,metric,n,sum,sum_of_squares\ncontrol,m,10,50,100\ntreatment,m,10,50,300\n")
        let r = try CLIRunner.run(["analyze", "--data", bad, "--primary", "m"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("line 2, column 5: sum_of_squares: 100.0 is less than sum²/n = 250.0"))
        let noN = try temporaryCSV("variant,metric,successes\ncontrol,m,10\ntreatment,m,12\n")
        let s = try CLIRunner.run(["analyze", "--data", noN, "--primary", "m"])
        #expect(s.status == 2 && s.stderr.contains("no column 'n'"), "\(s.stderr)")
    }

    /// With a correction over m = 2 treatments, each comparison also gets the Bonferroni interval
    /// at 1 − α/m, whose half-width is z_{1−α/(2m)}/z_{1−α/2} = 2.241402727604945/1.9599639845400545
    /// times the unadjusted one (scipy norm.isf) for the z test; the text says which is which.
    @Test func correctedIntervalsBesideCorrectedPValues() throws {
        var rows = "variant,metric,n,successes\n"
        rows += "control,c,2000,200\nb,c,2000,236\nd,c,2000,210\n"
        let csv = try temporaryCSV(rows)
        let r = try CLIRunner.run(["analyze", "--data", csv, "--primary", "c", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let metrics = try #require(json["metrics"] as? [[String: Any]])
        let comparisons = try #require(metrics.first?["comparisons"] as? [[String: Any]])
        #expect(comparisons.count == 2)
        for c in comparisons {
            let absolute = try #require(c["absolute"] as? [String: Any]), adj = try #require(c["adjusted_interval"] as? [String: Any])
            let lo = try #require(absolute["lower"] as? Double), hi = try #require(absolute["upper"] as? Double)
            let alo = try #require(adj["lower"] as? Double), ahi = try #require(adj["upper"] as? Double)
            #expect(abs((ahi - alo) / (hi - lo) - 2.241402727604945 / 1.9599639845400545) < 1e-9)
            #expect(abs((adj["level"] as? Double ?? 0) - 0.975) < 1e-12)
        }
        let text = try CLIRunner.run(["analyze", "--data", csv, "--primary", "c"])
        #expect(text.stdout.contains("per comparison, not adjusted"))
        #expect(text.stdout.contains("97.50% CI (Bonferroni over 2 tests"))
    }
}
