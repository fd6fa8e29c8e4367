import Analysis
import Foundation

/// The compact line form of a replication's record in a shard file: tab-separated fields, each
/// double as the 16 hex digits of its IEEE-754 bit pattern (so it reads back bit for bit, NaN
/// payloads and −0 included, with no decimal formatting or parsing), integers in decimal.
///
///     r <cell> <replication> <comparisons> <family> { 17 fields per comparison } { 3 per family }
///
/// A comparison's fields, in order: status, estimate, standard error, lower, upper, p-value,
/// rejected (0/1), stop look, sample size, final p-value, variance reduction, statistic, chance
/// to beat (or `-`), excluded share, replication truth (or `-`), message (or `-`; else a JSON
/// string, whose escapes keep tabs and newlines out of the line) and the best arm's weights by
/// period (or `-`; else `k:` and k hex doubles joined by commas). A family outcome is V, S, m₁.
///
/// JSON (synthesized `Codable`) carried a field added to ``ComparisonOutcome`` automatically but
/// cost about 10 µs per comparison each way; this form is an order of magnitude cheaper, and
/// `RecordLineTests.everyStoredFieldIsEncoded` fails when a field is added without a place here.
public enum RecordLine {
    /// The fields of one comparison.
    public static let fieldsPerComparison = 17

    /// Appends the line for `record` (without the newline) to `out`.
    public static func append(cell: Int, replication: Int, _ record: ReplicationRecord, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "r"))
        for n in [cell, replication, record.comparisons.count, record.family.count] { tab(&out); int(n, &out) }
        for o in record.comparisons {
            tab(&out); out.append(contentsOf: o.status.rawValue.utf8)
            for x in [o.estimate, o.standardError, o.lower, o.upper, o.pValue] { tab(&out); double(x, &out) }
            tab(&out); out.append(o.rejected ? UInt8(ascii: "1") : UInt8(ascii: "0"))
            tab(&out); int(o.stopLook, &out)
            tab(&out); int(o.sampleSize, &out)
            for x in [o.finalPValue, o.varianceReduction, o.statistic] { tab(&out); double(x, &out) }
            tab(&out); optional(o.chanceToBeat, &out)
            tab(&out); double(o.excludedShare, &out)
            tab(&out); optional(o.replicationTruth, &out)
            tab(&out)
            if let m = o.message, let json = try? JSONEncoder().encode(m) { out.append(contentsOf: json) } else { out.append(UInt8(ascii: "-")) }
            tab(&out)
            if let w = o.bestArmWeights {
                int(w.count, &out)
                out.append(UInt8(ascii: ":"))
                for (i, x) in w.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    double(x, &out)
                }
            } else {
                out.append(UInt8(ascii: "-"))
            }
        }
        for f in record.family {
            for n in [f.falseRejections, f.trueRejections, f.trueEffects] { tab(&out); int(n, &out) }
        }
    }

    /// Whether `line` is a record line (it starts with `r` and a tab; JSON lines start with `{`).
    public static func isRecord(_ line: ArraySlice<UInt8>) -> Bool {
        line.count > 1 && line[line.startIndex] == UInt8(ascii: "r") && line[line.startIndex + 1] == 0x09
    }

    /// What is wrong with a line that is not a well-formed record.
    public struct Malformed: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Reads back what ``append(cell:replication:_:to:)`` wrote.
    public static func decode(_ line: ArraySlice<UInt8>) throws(Malformed) -> (cell: Int, replication: Int, record: ReplicationRecord) {
        var fields = line.split(separator: 0x09, omittingEmptySubsequences: false)[...]
        func next(_ what: String) throws(Malformed) -> ArraySlice<UInt8> {
            guard let f = fields.popFirst() else { throw Malformed(description: "the record ends before its \(what)") }
            return f
        }
        guard let tag = fields.popFirst(), tag.elementsEqual("r".utf8) else { throw Malformed(description: "a record line starts with r and a tab") }
        let cell = try int(next("cell"), "cell"), replication = try int(next("replication"), "replication")
        let comparisons = try int(next("comparison count"), "comparison count"), family = try int(next("family count"), "family count")
        guard comparisons >= 0, family >= 0, fields.count == comparisons * fieldsPerComparison + family * 3 else {
            throw Malformed(description: "expected \(comparisons) comparisons of \(fieldsPerComparison) fields and \(family) family outcomes of 3, found \(fields.count) fields")
        }
        var outcomes: [ComparisonOutcome] = []
        outcomes.reserveCapacity(comparisons)
        for _ in 0..<comparisons {
            let statusText = String(decoding: try next("status"), as: UTF8.self)
            guard let status = AnalysisStatus(rawValue: statusText) else { throw Malformed(description: "unknown status \(statusText)") }
            let estimate = try double(next("estimate")), se = try double(next("standard error"))
            let lower = try double(next("lower")), upper = try double(next("upper")), p = try double(next("p-value"))
            let rejectedField = try next("rejected")
            guard rejectedField.count == 1, rejectedField.first == UInt8(ascii: "0") || rejectedField.first == UInt8(ascii: "1") else {
                throw Malformed(description: "rejected must be 0 or 1")
            }
            let stopLook = try int(next("stop look"), "stop look"), n = try int(next("sample size"), "sample size")
            let finalP = try double(next("final p-value")), vr = try double(next("variance reduction"))
            var o = ComparisonOutcome(status: status, estimate: estimate, standardError: se, lower: lower, upper: upper, pValue: p,
                                      rejected: rejectedField.first == UInt8(ascii: "1"), stopLook: stopLook, sampleSize: n,
                                      finalPValue: finalP, varianceReduction: vr)
            o.statistic = try double(next("statistic"))
            o.chanceToBeat = try optional(next("chance to beat"))
            o.excludedShare = try double(next("excluded share"))
            o.replicationTruth = try optional(next("replication truth"))
            let message = try next("message")
            if !message.elementsEqual("-".utf8) {
                guard let m = try? JSONDecoder().decode(String.self, from: Data(message)) else { throw Malformed(description: "the message is not a JSON string") }
                o.message = m
            }
            let weights = try next("weights")
            if !weights.elementsEqual("-".utf8) {
                guard let colon = weights.firstIndex(of: UInt8(ascii: ":")) else { throw Malformed(description: "weights are k:w1,w2,…") }
                let k = try int(weights[weights.startIndex..<colon], "weight count")
                let parts = k == 0 ? [] : weights[(colon + 1)...].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
                guard parts.count == k else { throw Malformed(description: "expected \(k) weights, found \(parts.count)") }
                var w: [Double] = []
                w.reserveCapacity(k)
                for part in parts { w.append(try double(part)) }
                o.bestArmWeights = w
            }
            outcomes.append(o)
        }
        var families: [FamilyOutcome] = []
        for _ in 0..<family {
            let v = try int(next("V"), "V"), s = try int(next("S"), "S"), m1 = try int(next("m1"), "m1")
            families.append(FamilyOutcome(falseRejections: v, trueRejections: s, trueEffects: m1))
        }
        return (cell, replication, ReplicationRecord(comparisons: outcomes, family: families))
    }

    // MARK: - Fields

    @inline(__always) static func tab(_ out: inout [UInt8]) { out.append(0x09) }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    @inline(__always) static func double(_ x: Double, _ out: inout [UInt8]) {
        let bits = x.bitPattern
        var shift = 60
        while shift >= 0 {
            out.append(hexDigits[Int((bits >> UInt64(shift)) & 0xF)])
            shift -= 4
        }
    }

    static func optional(_ x: Double?, _ out: inout [UInt8]) {
        if let x { double(x, &out) } else { out.append(UInt8(ascii: "-")) }
    }

    static func int(_ n: Int, _ out: inout [UInt8]) {
        if n < 0 { out.append(UInt8(ascii: "-")) }
        var m = n.magnitude
        var digits: [UInt8] = []
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(m % 10))
            m /= 10
        } while m > 0
        out.append(contentsOf: digits.reversed())
    }

    static func double(_ f: ArraySlice<UInt8>) throws(Malformed) -> Double {
        guard f.count == 16 else { throw Malformed(description: "a double is 16 hex digits, found \(f.count) characters") }
        var bits: UInt64 = 0
        for c in f {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            default: throw Malformed(description: "a double is 16 hex digits")
            }
            bits = bits << 4 | UInt64(v)
        }
        return Double(bitPattern: bits)
    }

    static func optional(_ f: ArraySlice<UInt8>) throws(Malformed) -> Double? {
        f.elementsEqual("-".utf8) ? nil : try double(f)
    }

    static func int(_ f: ArraySlice<UInt8>, _ what: String) throws(Malformed) -> Int {
        guard f.count <= 20, let n = Int(String(decoding: f, as: UTF8.self)) else {
            throw Malformed(description: "the \(what) is not an integer")
        }
        return n
    }
}
