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
                    .map(\.bitPattern) + [x.chanceToBeat?.bitPattern]
            }
            #expect(bits(a) == bits(o), "record \(i)")
            // Every field, including any added later (synthesized Codable carries it).
            #expect(a == o, "record \(i)")
            #expect(a.status == o.status && a.rejected == o.rejected && a.stopLook == o.stopLook && a.sampleSize == o.sampleSize)
            #expect(back.record.comparisons[1] == .failed(.zeroVariance, look: 2, n: 7))
        }
        // NaN reads back as NaN.
        let nan = outcome([Double](repeating: .nan, count: 9), chance: .nan)
        let back = try #require(try ShardFiles.decodeRecord(try ShardFiles.encodeRecord(cell: 0, replication: 0, ReplicationRecord(comparisons: [nan], family: []))))
        #expect(back.record.comparisons[0].estimate.isNaN && back.record.comparisons[0].chanceToBeat?.isNaN == true)
    }
}
