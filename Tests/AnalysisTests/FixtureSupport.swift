import Foundation
import Testing
@testable import Analysis

/// A number from the fixture: JSON numbers, or "inf", "-inf", "nan" as strings.
struct FD: Decodable, Sendable {
    let v: Double
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let d = try? c.decode(Double.self) { v = d; return }
        switch try c.decode(String.self) {
        case "inf": v = .infinity
        case "-inf": v = -.infinity
        default: v = .nan
        }
    }
}

struct TCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String, control: [FD], treatment: [FD], alternative: String, alpha: Double, call: String
    let estimate: FD, standardError: FD, statistic: FD, df: FD, pValue: FD, lower: FD, upper: FD
    var testDescription: String { name }
}

struct ArmSummary: Decodable, Sendable { let n: Int, mean: Double, variance: Double, values: [Double]? }
struct RelCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String, control: ArmSummary, treatment: ArmSummary, alternative: String, alpha: Double, call: String
    let estimate: FD, standardError: FD, statistic: FD, pValue: FD, lower: FD, upper: FD
    var testDescription: String { name }
}

struct Counts: Decodable, Sendable { let n: Int, successes: Int }
struct ZRelative: Decodable, Sendable { let estimate: FD, standardError: FD, statistic: FD, pValue: FD }
struct ZCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String, control: Counts, treatment: Counts, alternative: String, alpha: Double, call: String
    let estimate: FD, standardError: FD, statistic: FD, pValue: FD, lower: FD, upper: FD
    let relative: ZRelative
    var testDescription: String { name }
}

struct XY: Decodable, Sendable { let x: [Double], y: [Double] }
struct RatioRelative: Decodable, Sendable { let estimate: FD, standardError: FD }
struct RatioCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String, control: XY, treatment: XY, alternative: String, alpha: Double, call: String
    let controlRatio: FD, controlVariance: FD, treatmentRatio: FD, treatmentVariance: FD
    let estimate: FD, standardError: FD, statistic: FD, pValue: FD, lower: FD, upper: FD
    let relative: RatioRelative
    var testDescription: String { name }
}
struct RatioOracle: Decodable, Sendable { let x: [Double], y: [Double], ratio: FD, standardError: FD, publishedStandardError: Double }

struct CupedCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String, control: XY, treatment: XY, alternative: String, alpha: Double, call: String
    let estimate: FD, standardError: FD, statistic: FD, df: FD, pValue: FD, lower: FD, upper: FD
    let theta: FD, correlation: FD, controlAdjustedMean: FD, treatmentAdjustedMean: FD, varianceReduction: FD
    var testDescription: String { name }
}
struct CupedOracle: Decodable, Sendable {
    let x: [Double], y: [Double], theta: Double, correlation: Double, varY: Double, varYCv: Double, yCv: [Double]
}

struct WinsorCase: Decodable, Sendable {
    let values: [Double], lowerP: Double, upperP: Double, call: String, lowerCap: FD, upperCap: FD, winsorized: [Double]
}

struct SRMCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String, observed: [Int], weights: [Double], call: String, chiSquare: FD, pValue: FD, df: Int
    let publishedChiSquare: Double?, publishedPValue: Double?
    var testDescription: String { name }
}

struct MTMethod: Decodable, Sendable { let call: String, adjusted: [Double], rejected: [Bool] }
struct MTCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String, p: [Double], alpha: Double, methods: [String: MTMethod]
    var testDescription: String { name }
}

struct BetaCase: Decodable, Sendable, CustomTestStringConvertible {
    let control: Counts, treatment: Counts, prior: [Double], call: String
    let chanceToBeat: Double, expectedLossTreatment: Double, liftMean: Double, liftSd: Double
    let closedFormChanceToBeat: Double?
    var testDescription: String { "\(control.successes)/\(control.n) vs \(treatment.successes)/\(treatment.n), prior \(prior)" }
}

struct NNCase: Decodable, Sendable {
    let control: [Double], treatment: [Double], prior: [Double]?, level: Double, call: String
    let liftMean: Double, liftSd: Double, chanceToBeat: Double, expectedLossTreatment: Double
    let credibleLower: Double, credibleUpper: Double
}

struct DegenerateWelch: Decodable, Sendable, CustomTestStringConvertible {
    let name: String, control: [FD], treatment: [FD], status: String, scipy: String
    var testDescription: String { name }
}
struct DegenerateProportion: Decodable, Sendable, CustomTestStringConvertible {
    let name: String, control: Counts, treatment: Counts, status: String
    var testDescription: String { name }
}
struct Degenerate: Decodable, Sendable { let welch: [DegenerateWelch], proportions: [DegenerateProportion] }

struct Fixture: Decodable, Sendable {
    let generator: String
    let software: [String: String]
    let welch: [TCase], student: [TCase], relative: [RelCase], proportions: [ZCase]
    let ratioOracle: RatioOracle, ratio: [RatioCase], cupedOracle: CupedOracle, cuped: [CupedCase]
    let winsorization: [WinsorCase], srm: [SRMCase], corrections: [MTCase], betaBinomial: [BetaCase]
    let normalNormal: [NNCase], degenerate: Degenerate

    static func load() throws -> Fixture {
        guard let url = Bundle.module.url(forResource: "analysis-core", withExtension: "json", subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile)
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Fixture.self, from: Data(contentsOf: url))
    }

    /// Loaded once; `nil` when loading failed (``FixtureLoadingTests`` then fails and names the error).
    static let shared: Fixture? = try? load()
}

/// |actual − expected| ≤ rel·|expected| + abs (infinities must match exactly).
func close(_ actual: Double?, _ expected: Double, rel: Double = 1e-9, abs absTol: Double = 1e-14) -> Bool {
    guard let actual else { return false }
    if expected.isInfinite || actual.isInfinite { return actual == expected }
    return Swift.abs(actual - expected) <= rel * Swift.abs(expected) + absTol
}

func alternative(_ s: String) -> Alternative {
    switch s {
    case "greater": .greater
    case "less": .less
    default: .twoSided
    }
}

extension MeanStatistic {
    /// From n, mean and sample variance (n − 1): Σy = n·mean, Σy² = (n − 1)s² + n·mean².
    init(n: Int, mean: Double, variance: Double) {
        self.init(n: n, sum: Double(n) * mean, sumOfSquares: Double(n - 1) * variance + Double(n) * mean * mean)
    }
}

@Suite struct FixtureLoadingTests {
    @Test func fixtureLoadsAndHasEnoughRandomCases() throws {
        let f = try Fixture.load()
        #expect(f.software["scipy"]?.hasPrefix("1.") == true)
        #expect(f.welch.filter { $0.name.hasPrefix("random") }.count >= 20)
        #expect(f.student.filter { $0.name.hasPrefix("random") }.count >= 20)
        #expect(f.proportions.filter { $0.name.hasPrefix("random") }.count >= 20)
        #expect(f.ratio.count >= 20)
        #expect(f.cuped.filter { $0.name.hasPrefix("random") }.count >= 20)
        #expect(f.relative.filter { $0.name.hasPrefix("random") }.count >= 20)
        #expect(Fixture.shared != nil)
    }
}
