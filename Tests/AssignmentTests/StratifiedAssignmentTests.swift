import Foundation
import Testing
@testable import Assignment

/// A small deterministic generator for the tests' covariates (SplitMix64 + Box–Muller).
private struct TestGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }
    mutating func normal() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()) }
}

@Suite struct PermutedBlockTests {
    @Test func everyBlockIsAPermutationOfTheTemplate() throws {
        let b = try PermutedBlocks(scheme: .sha256, salt: "exp", weights: [0.25, 0.25, 0.5], blockSize: 8)
        #expect(b.template == [0, 1, 2, 2, 2, 2, 0, 1].sorted())
        for s in 0..<3 {
            for k in 0..<20 { #expect(b.block(stratum: s, index: k).sorted() == b.template) }
        }
    }

    @Test func blocksAreExactlyBalancedAtBlockEndsWithinEachStratum() throws {
        for (weights, size) in [([0.5, 0.5], 4), ([0.5, 0.5], 10), ([1.0 / 3, 2.0 / 3], 3), ([0.25, 0.25, 0.5], 8)] {
            let blocks = try PermutedBlocks(scheme: .growthbookV2, salt: "balance", weights: weights, blockSize: size)
            var assigner = BlockedAssigner(blocks: blocks, strata: 4)
            var g = TestGenerator(state: 7)
            var counts = [[Int]](repeating: [Int](repeating: 0, count: weights.count), count: 4)
            for _ in 0..<2_000 {
                let s = Int(g.next() % 4)
                counts[s][assigner.nextArm(stratum: s)] += 1
                let n = assigner.counts[s]
                for a in weights.indices {
                    let expected = Double(n) * weights[a]
                    // Within a block an arm is never more than its B·w_a slots off its share…
                    #expect(abs(Double(counts[s][a]) - expected) <= Double(size) * weights[a] + 1e-9)
                    // …and at the end of every block it has exactly its share.
                    if n % size == 0 { #expect(abs(Double(counts[s][a]) - expected) < 1e-9) }
                }
            }
            #expect(assigner.counts.reduce(0, +) == 2_000)
        }
    }

    @Test func theShuffleIsDeterministicForASaltAndChangesWithIt() throws {
        let a = try PermutedBlocks(scheme: .statsig, salt: "s1", weights: [0.5, 0.5], blockSize: 6)
        let b = try PermutedBlocks(scheme: .statsig, salt: "s1", weights: [0.5, 0.5], blockSize: 6)
        let c = try PermutedBlocks(scheme: .statsig, salt: "s2", weights: [0.5, 0.5], blockSize: 6)
        let first = (0..<50).map { a.block(stratum: 1, index: $0) }
        #expect(first == (0..<50).map { b.block(stratum: 1, index: $0) })
        #expect(first != (0..<50).map { c.block(stratum: 1, index: $0) })
        #expect(first != (0..<50).map { a.block(stratum: 2, index: $0) })
        // The slot-th arm of the hashed block, recomputed by hand for block 0 of stratum 1.
        let hasher = SaltedHasher(scheme: .statsig, salt: "s1/s1/b0")
        var arms = a.template
        for j in stride(from: 5, through: 1, by: -1) {
            arms.swapAt(j, Int(UInt64(hasher.bucket(String(j))) * UInt64(j + 1) / 10_000))
        }
        #expect(arms == first[0])
    }

    /// The 6 orders of a 2 + 2 block are equally likely: Pearson χ² (5 df) over 6 000 blocks
    /// below its 0.999 quantile, 20.52.
    @Test func theSixOrdersOfABlockOfFourAreEquallyLikely() throws {
        let blocks = try PermutedBlocks(scheme: .sha256, salt: "uniform", weights: [0.5, 0.5], blockSize: 4)
        var counts: [[Int]: Int] = [:]
        for k in 0..<6_000 { counts[blocks.block(stratum: 0, index: k), default: 0] += 1 }
        #expect(counts.count == 6)
        let chi2 = counts.values.reduce(0.0) { $0 + pow(Double($1) - 1_000, 2) / 1_000 }
        #expect(chi2 < 20.52)
    }

    @Test func blockSizesThatCannotHoldTheWeightsAreRejected() {
        #expect(throws: StratifiedAssignmentError.self) { try PermutedBlocks(scheme: .sha256, salt: "x", weights: [1.0 / 3, 2.0 / 3], blockSize: 4) }
        #expect(throws: StratifiedAssignmentError.self) { try PermutedBlocks(scheme: .sha256, salt: "x", weights: [0.5, 0.5], blockSize: 5) }
        #expect(throws: StratifiedAssignmentError.self) { try PermutedBlocks(scheme: .sha256, salt: "x", weights: [0.5, 0.5, 0.0], blockSize: 4) }
        #expect(throws: StratifiedAssignmentError.self) { try PermutedBlocks(scheme: .sha256, salt: "x", weights: [1.0], blockSize: 4) }
        #expect(throws: StratifiedAssignmentError.self) { try PermutedBlocks(scheme: .sha256, salt: "x", weights: [0.5, 0.5], blockSize: 1) }
        #expect(throws: Never.self) { try PermutedBlocks(scheme: .sha256, salt: "x", weights: [1.0 / 3, 2.0 / 3], blockSize: 6) }
    }
}

@Suite struct ResaltingTests {
    /// Control x = (1, 3): mean 2, SS 2; treatment x = (2, 6): mean 4, SS 8;
    /// s_p = √(10/2) = √5, d = 2/√5.
    @Test func imbalanceIsTheStandardisedMeanDifference() {
        let d = Resalting.imbalance(arms: [0, 0, 1, 1, -1], covariate: [1, 3, 2, 6, 100], armCount: 2)
        #expect(abs(d - 2 / 5.0.squareRoot()) < 1e-12)
        // Three arms: arm 2 = (5, 7): mean 6, SS 2, s_p = √(4/2) = √2, d = 4/√2; the max is arm 2's.
        let d3 = Resalting.imbalance(arms: [0, 0, 1, 1, 2, 2], covariate: [1, 3, 2, 6, 5, 7], armCount: 3)
        #expect(abs(d3 - 4 / 2.0.squareRoot()) < 1e-12)
        #expect(Resalting.imbalance(arms: [0, 0, 0], covariate: [1, 2, 3], armCount: 2) == .infinity)
        #expect(Resalting.imbalance(arms: [0, 1], covariate: [2, 2], armCount: 2) == 0)
    }

    @Test func chooseTakesTheArgminWithTiesToTheLowestIndex() {
        #expect(Resalting.choose(imbalances: [0.3, 0.1, 0.1, 0.5]) == 1)
        #expect(Resalting.choose(imbalances: [.nan, 0.2]) == 1)
        #expect(Resalting.choose(imbalances: [.infinity, .infinity]) == 0)
        #expect(Resalting.choose(imbalances: []) == nil)
    }

    /// Three candidate salts with hand-computed imbalances: salt/0 splits x = (0, 1, 2, 3) as
    /// (0, 1 | 2, 3): d = 2/√0.5 = 2.83; salt/1 as (0, 3 | 1, 2): d = 0; salt/2 as
    /// (0, 2 | 1, 3): d = 1/√2 = 0.71. The choice is salt/1.
    @Test func selectPicksTheMostBalancedSalt() throws {
        let plans: [String: [Int]] = ["e/0": [0, 0, 1, 1], "e/1": [0, 1, 1, 0], "e/2": [0, 1, 0, 1]]
        let s = try Resalting.select(salt: "e", candidates: 3, armCount: 2, covariate: [0, 1, 2, 3]) { plans[$0] ?? [] }
        #expect(s.index == 1)
        #expect(s.salt == "e/1")
        #expect(abs(s.imbalances[0] - 2 / 0.5.squareRoot()) < 1e-12)
        #expect(s.imbalances[1] == 0)
        #expect(abs(s.imbalances[2] - 1 / 2.0.squareRoot()) < 1e-12)
        #expect(throws: StratifiedAssignmentError.self) { try Resalting.select(salt: "e", candidates: 0, armCount: 2, covariate: []) { _ in [] } }
    }

    /// v_k = ∫ 2t(2Φ̄(t))^k dt: v_1 = E[Z²] = 1, v_2 = 1 − 2/π exactly (the minimum of two
    /// |N(0, 1)|), v_10 = 0.0247037115 (scipy.integrate.quad).
    @Test func expectedImbalanceOfTheBestOfKMatchesItsClosedForms() {
        #expect(abs(Resalting.expectedSquaredImbalance(bestOf: 1) - 1) < 1e-9)
        #expect(abs(Resalting.expectedSquaredImbalance(bestOf: 2) - (1 - 2 / Double.pi)) < 1e-9)
        #expect(abs(Resalting.expectedSquaredImbalance(bestOf: 10) - 0.024_703_711_5) < 1e-8)
        #expect(abs(Resalting.varianceRatio(bestOf: 10, rSquared: 0.5) - (1 - 0.5 * (1 - 0.024_703_711_5))) < 1e-8)
    }

    /// The chosen salt's Z² = d²·n₀n₁/(n₀ + n₁), over 400 populations of 200 units hashed
    /// under best-of-k salts (growthbook_v2), averages v_k within 4 standard errors, for k = 1
    /// (no selection: E Z² = 1) and k = 5 (v_5 = 0.0831).
    @Test func theChosenSaltsImbalanceFollowsTheClosedForm() throws {
        for k in [1, 5] {
            var g = TestGenerator(state: 2_026 + UInt64(k))
            var values: [Double] = []
            for rep in 0..<400 {
                let x = (0..<200).map { _ in g.normal() }
                let ids = (0..<200).map { "u\($0)" }
                var n0 = 0.0, n1 = 0.0
                let s = try Resalting.select(salt: "rep\(rep)", candidates: k, armCount: 2, covariate: x) { salt in
                    let h = SaltedHasher(scheme: .growthbookV2, salt: salt)
                    return ids.map { h.bucket($0) < 5_000 ? 0 : 1 }
                }
                let h = SaltedHasher(scheme: .growthbookV2, salt: s.salt)
                for id in ids { if h.bucket(id) < 5_000 { n0 += 1 } else { n1 += 1 } }
                let d = s.imbalances[s.index]
                values.append(d * d * n0 * n1 / (n0 + n1))
            }
            let mean = values.reduce(0, +) / Double(values.count)
            let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
            let se = sd / Double(values.count).squareRoot()
            let expected = Resalting.expectedSquaredImbalance(bestOf: k)
            #expect(abs(mean - expected) <= 4 * se, "k = \(k): mean Z² \(mean) ± \(se), closed form \(expected)")
        }
    }
}
