import Foundation
import Testing
import Analysis
@testable import Reports
@testable import Simulation

/// Shard records read back bit for bit, and shard sets are checked.
@Suite struct ShardFilesTests {
    func outcome(_ values: [Double], chance: Double?) -> ComparisonOutcome {
        var o = ComparisonOutcome(status: .ok, estimate: values[0], standardError: values[1], lower: values[2], upper: values[3],
                                  pValue: values[4], rejected: true, stopLook: 3, sampleSize: 12345, finalPValue: values[5],
                                  varianceReduction: values[6])
        o.statistic = values[7]
        o.excludedShare = values[8]
        o.chanceToBeat = chance
        return o
    }

    @Test func doublesRoundTripExactly() throws {
        var generator = SystemRandomNumberGenerator()
        let special: [Double] = [0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNormalMagnitude, .greatestFiniteMagnitude,
                                 0.1, 1.0 / 3, 2.2250738585072014e-308, 9007199254740992, 1e23, -1.7976931348623157e308]
        var outcomes: [ComparisonOutcome] = []
        for k in 0..<2000 {
            // Random bit patterns (NaNs aside), and values near 1.
            let values = (0..<9).map { j -> Double in
                if k < special.count && j == 0 { return special[k % special.count] }
                var d: Double
                repeat { d = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator)) } while d.isNaN
                return j % 2 == 0 ? d : 1 + Double.random(in: -1e-3...1e-3, using: &generator)
            }
            outcomes.append(outcome(values, chance: k % 3 == 0 ? nil : values[(k + 1) % 9]))
        }
        outcomes += special.map { s in outcome([Double](repeating: s, count: 9), chance: s) }
        // The optional fields: a per-replication truth, an engine's message (tabs, newlines,
        // quotes and non-ASCII must not break the line), the best arm's weights by period.
        for k in outcomes.indices where k % 4 == 1 {
            outcomes[k].replicationTruth = outcomes[k].estimate
            outcomes[k].message = k % 8 == 1 ? "engine said:\t\"no\"\nline 2 \\ é" : ""
            outcomes[k].bestArmWeights = k % 8 == 1 ? [0.5, outcomes[k].lower, .infinity] : []
        }
        let family = [try FamilyErrorSummary(rejected: [true, true, false, true], isNull: [true, false, false, true])]
        for (i, o) in outcomes.enumerated() {
            let record = ReplicationRecord(comparisons: [o, .failed(.zeroVariance, look: 2, n: 7)], family: family)
            let data = try ShardFiles.encodeRecord(cell: 4, replication: i, record)
            #expect(!data.contains(0x0A), "one line per record")
            let back = try #require(try ShardFiles.decodeRecord(data))
            #expect(back.cell == 4 && back.replication == i)
            #expect(back.record.family == family)
            #expect(back.record.comparisons.count == 2)
            let a = back.record.comparisons[0]
            let bits: (ComparisonOutcome) -> [UInt64?] = { x in
                [x.estimate, x.standardError, x.lower, x.upper, x.pValue, x.finalPValue, x.varianceReduction, x.statistic, x.excludedShare]
                    .map(\.bitPattern) + [x.chanceToBeat?.bitPattern, x.replicationTruth?.bitPattern] + (x.bestArmWeights ?? []).map(\.bitPattern)
            }
            #expect(bits(a) == bits(o), "record \(i)")
            #expect(a == o, "record \(i)")
            #expect(a.message == o.message && a.bestArmWeights == o.bestArmWeights)
            #expect(a.status == o.status && a.rejected == o.rejected && a.stopLook == o.stopLook && a.sampleSize == o.sampleSize)
            #expect(back.record.comparisons[1] == .failed(.zeroVariance, look: 2, n: 7))
        }
        // NaN reads back as NaN.
        let nan = outcome([Double](repeating: .nan, count: 9), chance: .nan)
        let back = try #require(try ShardFiles.decodeRecord(try ShardFiles.encodeRecord(cell: 0, replication: 0, ReplicationRecord(comparisons: [nan], family: []))))
        #expect(back.record.comparisons[0].estimate.isNaN && back.record.comparisons[0].chanceToBeat?.isNaN == true)
    }

    /// The record line has a place for every stored field of an outcome: a field added to
    /// `ComparisonOutcome` without one here fails this test (JSON used to carry new fields
    /// automatically; the compact line does not).
    @Test func everyStoredFieldIsEncoded() throws {
        var o = outcome([1.5, 0.25, -1, 2, 0.03, 0.04, 0.2, 6, 0.01], chance: 0.97)
        o.replicationTruth = 0.7
        o.message = "m"
        o.bestArmWeights = [0.5, 0.9]
        o.status = .ok
        let stored = Mirror(reflecting: o).children.compactMap(\.label)
        #expect(stored.count == RecordLine.fieldsPerComparison, "ComparisonOutcome has \(stored.count) stored fields (\(stored)); RecordLine writes \(RecordLine.fieldsPerComparison)")
        // Each field, changed on its own, changes the line.
        let base = try ShardFiles.encodeRecord(cell: 0, replication: 0, ReplicationRecord(comparisons: [o], family: []))
        var variants: [ComparisonOutcome] = []
        func vary(_ f: (inout ComparisonOutcome) -> Void) { var x = o; f(&x); variants.append(x) }
        vary { $0.status = .zeroVariance }; vary { $0.estimate = 9 }; vary { $0.standardError = 9 }; vary { $0.lower = 9 }
        vary { $0.upper = 9 }; vary { $0.pValue = 0.9 }; vary { $0.rejected = false }; vary { $0.stopLook = 9 }
        vary { $0.sampleSize = 9 }; vary { $0.finalPValue = 0.9 }; vary { $0.varianceReduction = 0.9 }; vary { $0.statistic = 0.9 }
        vary { $0.chanceToBeat = nil }; vary { $0.excludedShare = 0.9 }; vary { $0.replicationTruth = nil }; vary { $0.message = nil }
        vary { $0.bestArmWeights = [0.5] }
        #expect(variants.count == RecordLine.fieldsPerComparison)
        for (k, v) in variants.enumerated() {
            let line = try ShardFiles.encodeRecord(cell: 0, replication: 0, ReplicationRecord(comparisons: [v], family: []))
            #expect(line != base, "field \(k)")
            #expect(try ShardFiles.decodeRecord(line)?.record.comparisons == [v], "field \(k)")
        }
    }

    /// A damaged record line is refused with what is wrong, never read as something else.
    @Test func malformedRecordLinesAreRefused() throws {
        let o = outcome([1.5, 0.25, -1, 2, 0.03, 0.04, 0.2, 6, 0.01], chance: nil)
        let good = [UInt8](try ShardFiles.encodeRecord(cell: 2, replication: 5, ReplicationRecord(comparisons: [o, o], family: [])))
        func message(_ bytes: [UInt8]) -> String {
            do { _ = try RecordLine.decode(bytes[...]); return "" } catch { return error.description }
        }
        #expect(message(good) == "")
        #expect(message(Array(good.dropLast(20))).contains("16 hex digits") || message(Array(good.dropLast(20))).contains("fields"))
        #expect(message(Array(good.prefix(good.count / 2))).contains("fields"))
        var badStatus = good
        if let i = badStatus.firstIndex(of: UInt8(ascii: "o")) { badStatus[i] = UInt8(ascii: "x") }
        #expect(message(badStatus).contains("unknown status"))
        var badHex = good
        if let i = badHex.lastIndex(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f") }) { badHex[i] = UInt8(ascii: "g") }
        #expect(message(badHex).contains("hex"))
    }
}
