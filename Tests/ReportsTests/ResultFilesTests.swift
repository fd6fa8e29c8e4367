import Foundation
import Testing
@testable import Reports
@testable import Simulation

/// The tidy `measures.csv` (issue #18): built from a hand-made result whose every number is
/// distinct, so a column that shows the wrong field (estimate and MCSE swapped, the cell's
/// replications instead of the measure's, a factor value in the wrong column) cannot pass.
/// The CSV is read back with an RFC 4180 parser written here, not with the writer's escaping.
@Suite struct ResultFilesTests {
    static func measure(_ m: Measure, _ estimate: Double, _ mcse: Double?, _ replications: Int) -> MeasureValue {
        MeasureValue(measure: m, estimate: estimate, mcse: mcse, replications: replications)
    }

    static func comparison(_ analysis: String, _ comparison: String, failed: [String: Int], _ measures: [MeasureValue]) -> ComparisonSummary {
        ComparisonSummary(analysis: analysis, comparison: comparison, method: "welch_t", policy: "fixed", truth: 0.5, replications: 1,
                          failed: failed, measures: measures, pValueHistogram: [], rejectionsByLook: [])
    }

    /// Two cells × (two comparisons or one) × measures, every value distinct; a swept value
    /// with a comma and quotes (it must be quoted), and a measure without an MCSE.
    static let result = ScenarioResult(
        scenario: "t.csv", description: "d", file: "t.yaml", scenarioHash: "h", seed: 1, replications: 1000,
        factors: ["population.units", "looks"],
        cells: [
            CellResult(index: 0, label: "a", factors: [FactorValue(key: "population.units", value: "1000"),
                                                        FactorValue(key: "looks", value: "{days: [3, 28]}")],
                       comparisons: [
                           comparison("w", "treatment", failed: ["diverged": 2, "degenerate": 1], [
                               measure(.rejectionRate, 0.0512, 0.0031, 997),
                               measure(.coverage, 0.9487, 0.0042, 996),
                           ]),
                           comparison("w", "plus \"2\"", failed: [:], [measure(.bias, -0.0123, nil, 995)]),
                       ]),
            CellResult(index: 1, label: "b", factors: [FactorValue(key: "looks", value: "final")],
                       comparisons: [comparison("z", "treatment", failed: ["nan": 7], [measure(.rmse, 1.25e-7, 3.5e-9, 994)])]),
        ],
        gates: [],
        run: RunInfo(splitbenchVersion: "v", gitCommit: nil, swiftVersion: "s", gslVersion: "g", threads: 1,
                     startedAt: "t", wallSeconds: 0, cellSeconds: []))

    /// RFC 4180: fields separated by commas; a quoted field may hold commas and doubled quotes.
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true
            } else if c == "," { row.append(field); field = ""
            } else if c == "\n" { row.append(field); rows.append(row); row = []; field = ""
            } else { field.append(c) }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    @Test func columnsCarryTheirOwnValues() throws {
        let csv = ResultFiles.measuresCSV(Self.result)
        #expect(csv.hasSuffix("\n"))
        let rows = Self.parse(csv)
        #expect(rows.first == ["scenario", "cell", "population.units", "looks", "analysis", "comparison", "measure",
                               "estimate", "mcse", "replications", "failed"])
        let expected: [[String]] = [
            ["t.csv", "0", "1000", "{days: [3, 28]}", "w", "treatment", "rejection_rate", "0.0512", "0.0031", "997", "3"],
            ["t.csv", "0", "1000", "{days: [3, 28]}", "w", "treatment", "coverage", "0.9487", "0.0042", "996", "3"],
            ["t.csv", "0", "1000", "{days: [3, 28]}", "w", "plus \"2\"", "bias", "-0.0123", "", "995", "0"],
            ["t.csv", "1", "", "final", "z", "treatment", "rmse", "1.25e-07", "3.5e-09", "994", "7"],
        ]
        #expect(Array(rows.dropFirst()) == expected)
        // Every row has as many fields as the header, and the numbers read back exactly.
        for r in rows { #expect(r.count == rows[0].count, "\(r)") }
        let last = try #require(rows.last)
        #expect(Double(last[7]) == 1.25e-7 && Double(last[8]) == 3.5e-9)
    }

    /// `result.json` round-trips: what is read back equals what was written, bit for bit.
    @Test func resultJSONRoundTrips() throws {
        let data = try ResultFiles.json(Self.result)
        #expect(try ResultFiles.read(data) == Self.result)
        #expect(try ResultFiles.json(try ResultFiles.read(data)) == data)
    }
}
