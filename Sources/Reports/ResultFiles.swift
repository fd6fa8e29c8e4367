import Foundation
import Simulation

/// The machine-readable outputs of a run: `result.json` and the tidy `measures.csv`.
public enum ResultFiles {
    /// `result.json`: the whole result, keys sorted, so identical results give identical bytes
    /// (apart from the `run` block, which records threads and timings).
    public static func json(_ result: ScenarioResult) throws -> Data {
        try encode(result)
    }

    /// Reads a `result.json` back.
    public static func read(_ data: Data) throws -> ScenarioResult {
        try decode(ScenarioResult.self, from: data)
    }

    /// The JSON form of every SplitBench output: pretty, keys sorted (so identical values give
    /// identical bytes), infinities and NaN as the strings "Infinity", "-Infinity", "NaN", and a
    /// final newline.
    public static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try encoder.encode(value) + Data("\n".utf8)
    }

    /// Decodes what ``encode(_:)`` wrote.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try decoder.decode(type, from: data)
    }

    /// `measures.csv`: one row per (cell, analysis, comparison, measure), columns
    /// `scenario, cell, <one column per swept key path>, analysis, comparison, measure,
    /// estimate, mcse, replications, failed` — ready for pandas or R.
    public static func measuresCSV(_ result: ScenarioResult) -> String {
        var lines: [String] = []
        let header = ["scenario", "cell"] + result.factors + ["analysis", "comparison", "measure", "estimate", "mcse", "replications", "failed"]
        lines.append(header.map(Escape.csv).joined(separator: ","))
        for cell in result.cells {
            let factorValues = result.factors.map { key in cell.factors.first { $0.key == key }?.value ?? "" }
            for s in cell.comparisons {
                let failed = s.failed.values.reduce(0, +)
                for m in s.measures {
                    let row = [result.scenario, String(cell.index)] + factorValues
                        + [s.analysis, s.comparison, m.measure.rawValue, Num.csv(m.estimate), Num.csv(m.mcse), String(m.replications), String(failed)]
                    lines.append(row.map(Escape.csv).joined(separator: ","))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Every replication's outcome per comparison (`run --records`), numbers in their shortest
    /// round-trip form, so a replay can be compared exactly.
    public static func recordsCSV(_ rows: [ReplicationRow], scenario: String) -> String {
        var lines = ["scenario,cell,replication,analysis,comparison,status,estimate,standard_error,lower,upper,p_value,rejected,stop_look,sample_size"]
        for r in rows {
            let o = r.outcome
            let fields = [scenario, String(r.cell), String(r.replication), r.analysis, r.comparison, o.status.rawValue,
                          Num.csv(o.estimate), Num.csv(o.standardError), Num.csv(o.lower), Num.csv(o.upper), Num.csv(o.pValue),
                          o.rejected ? "1" : "0", String(o.stopLook), String(o.sampleSize)]
            lines.append(fields.map(Escape.csv).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
