import Testing
@testable import Assignment

/// GrowthBook's published `getBucketRange` conformance cases (packages/sdk-js/test/cases.json,
/// specVersion 0.5.4, commit 021bf498f75c8491c156184ca1b3a1fbafa1d64e): the valid ones must
/// agree exactly; the ones GrowthBook silently normalises are errors here.
struct RangeCase: Sendable, CustomTestStringConvertible {
    let name: String
    let weights: [Double]
    let coverage: Double
    let expected: [[Double]]?
    var testDescription: String { name }
}

@Suite struct BucketRangeTests {
    static let published: [RangeCase] = [
        .init(name: "normal 50/50", weights: [0.5, 0.5], coverage: 1, expected: [[0, 0.5], [0.5, 1]]),
        .init(name: "reduced coverage", weights: [0.5, 0.5], coverage: 0.5, expected: [[0, 0.25], [0.5, 0.75]]),
        .init(name: "zero coverage", weights: [0.5, 0.5], coverage: 0, expected: [[0, 0], [0.5, 0.5]]),
        .init(name: "4 variations", weights: [0.25, 0.25, 0.25, 0.25], coverage: 1, expected: [[0, 0.25], [0.25, 0.5], [0.5, 0.75], [0.75, 1]]),
        .init(name: "uneven weights", weights: [0.4, 0.6], coverage: 1, expected: [[0, 0.4], [0.4, 1]]),
        .init(name: "uneven weights, 3 variations", weights: [0.2, 0.3, 0.5], coverage: 1, expected: [[0, 0.2], [0.2, 0.5], [0.5, 1]]),
        .init(name: "uneven weights, reduced coverage, 3 variations", weights: [0.2, 0.3, 0.5], coverage: 0.2, expected: [[0, 0.04], [0.2, 0.26], [0.5, 0.6]]),
        // GrowthBook normalises these; SplitBench rejects them.
        .init(name: "negative coverage", weights: [0.5, 0.5], coverage: -0.2, expected: nil),
        .init(name: "coverage above 1", weights: [0.5, 0.5], coverage: 1.5, expected: nil),
        .init(name: "weights sum below 1", weights: [0.4, 0.1], coverage: 1, expected: nil),
        .init(name: "weights sum above 1", weights: [0.7, 0.6], coverage: 1, expected: nil),
        .init(name: "weights sum almost equals 1", weights: [0.4, 0.5999], coverage: 1, expected: nil),
    ]

    @Test(arguments: published)
    func growthBookGetBucketRange(_ c: RangeCase) throws {
        if let expected = c.expected {
            let ranges = try bucketRanges(experiment: "e", weights: c.weights, coverage: c.coverage)
            #expect(ranges.count == expected.count)
            for (r, e) in zip(ranges, expected) {
                #expect(abs(r.start - e[0]) < 1e-12 && abs(r.end - e[1]) < 1e-12, "\(r) vs \(e)")
            }
        } else {
            #expect(throws: BucketRangeError.self) {
                try bucketRanges(experiment: "e", weights: c.weights, coverage: c.coverage)
            }
        }
    }

    @Test func errorsNameTheExperiment() {
        do {
            _ = try bucketRanges(experiment: "exp-42", weights: [0.6, -0.1, 0.5], coverage: 1)
            Issue.record("negative weight accepted")
        } catch {
            #expect(error.experiment == "exp-42")
            #expect(error.description.contains("exp-42"))
            #expect(error.description.contains("-0.1"))
        }
    }

    @Test func rangesAreHalfOpenInBuckets() {
        let r = BucketRange(start: 0.1 + 0.2, end: 0.5)  // 0.30000000000000004
        let b = r.bucketBounds(count: 10_000)
        #expect(b.lower == 3_000)  // not 3 001: float noise is snapped
        #expect(b.upper == 5_000)  // 5 000 itself belongs to the next range
        #expect(BucketRange(start: 0, end: 1).bucketBounds(count: 1_000) == (0, 1_000))
        #expect(BucketRange(start: 0.00005, end: 0.5).bucketBounds(count: 10_000).lower == 1)  // ceil
    }

    /// Lowering the coverage only shrinks ranges from the right: every range at a lower
    /// coverage is a prefix of the same variant's range at a higher coverage.
    @Test(arguments: [[0.5, 0.5], [0.2, 0.3, 0.5], [0.1, 0.1, 0.1, 0.7]])
    func lowerCoverageGivesNestedRanges(_ weights: [Double]) throws {
        let coverages = stride(from: 0.0, through: 1.0, by: 0.05).map { $0 }
        for (lo, hi) in zip(coverages, coverages.dropFirst()) {
            let a = try bucketRanges(experiment: "e", weights: weights, coverage: lo)
            let b = try bucketRanges(experiment: "e", weights: weights, coverage: hi)
            for (ra, rb) in zip(a, b) {
                #expect(ra.start == rb.start && ra.end <= rb.end)
            }
            for i in b.indices.dropFirst() { #expect(b[i - 1].end <= b[i].start + 1e-15) }
        }
    }
}
