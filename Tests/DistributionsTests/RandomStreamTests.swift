import Foundation
import Testing
@testable import Distributions

@Suite struct RandomStreamTests {
    @Test func samePathGivesIdenticalSequence() {
        let a = RandomStream(seed: 42, 1, 2, 3), b = RandomStream(seed: 42, 1, 2, 3)
        for _ in 0..<1000 { #expect(a.nextUInt64() == b.nextUInt64()) }
        // GSL samplers draw from the same registered generator.
        let na = (0..<100).map { _ in a.standardNormal() }
        let nb = (0..<100).map { _ in b.standardNormal() }
        #expect(na == nb)
    }

    @Test(arguments: [[1, 2, 4], [1, 2], [1, 2, 3, 0], [2, 1, 3], []] as [[UInt64]])
    func differentPathGivesDifferentSequence(path: [UInt64]) {
        let ref = RandomStream(seed: 42, 1, 2, 3)
        let other = RandomStream(seed: 42, path: path)
        #expect(ref.key != other.key)
        let x = (0..<4).map { _ in ref.nextUInt64() }, y = (0..<4).map { _ in other.nextUInt64() }
        #expect(x != y)
    }

    @Test func differentSeedGivesDifferentSequence() {
        #expect(RandomStream(seed: 1, 7).nextUInt64() != RandomStream(seed: 2, 7).nextUInt64())
    }

    @Test func childEqualsExtendedPath() {
        let c = RandomStream(seed: 9, 1).child(5), d = RandomStream(seed: 9, 1, 5)
        #expect(c.key == d.key)
        #expect(c.uniform() == d.uniform())
    }

    /// Pearson correlation of 100 000 paired uniforms from sibling streams: under independence
    /// r ~ N(0, 1/n), so |r| < 4/√n (4 standard errors) at this fixed seed.
    @Test(arguments: [(UInt64(0), UInt64(1)), (5, 6), (1000, 1001)])
    func siblingStreamsAreUncorrelated(i: UInt64, j: UInt64) {
        let n = 100_000
        let a = RandomStream(seed: 20261121, 3, i), b = RandomStream(seed: 20261121, 3, j)
        var sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
        for _ in 0..<n {
            let x = a.uniform(), y = b.uniform()
            sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y
        }
        let dn = Double(n)
        let r = (sxy - sx * sy / dn) / ((sxx - sx * sx / dn) * (syy - sy * sy / dn)).squareRoot()
        #expect(abs(r) < 4 / dn.squareRoot())
    }

    @Test func uniformIsInUnitInterval() {
        let s = RandomStream(seed: 3)
        for _ in 0..<10_000 {
            let u = s.uniform()
            #expect(u >= 0 && u < 1)
        }
    }

    @Test func uniformIntIsInRangeAndCoversIt() {
        let s = RandomStream(seed: 4)
        var seen = Set<UInt64>()
        for _ in 0..<2000 {
            let k = s.uniformInt(below: 7)
            #expect(k < 7)
            seen.insert(k)
        }
        #expect(seen.count == 7)
    }
}

@Suite struct GSLRegistrationTests {
    /// The inline draw and GSL's generic interface step the same state identically.
    @Test func inlineAndGSLUniformAgree() {
        let a = RandomStream(seed: 77, 1), b = RandomStream(seed: 77, 1)
        for _ in 0..<1000 { #expect(a.uniform() == b.gslUniform()) }
    }

    /// `fillUniform` gives the values of as many `uniform()` calls, in order, and leaves the
    /// stream where they would (the next draws agree too); an empty buffer draws nothing.
    @Test func fillUniformEqualsRepeatedUniform() {
        let a = RandomStream(seed: 91, 4), b = RandomStream(seed: 91, 4)
        let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: 257)
        defer { buffer.deallocate() }
        for n in [0, 1, 7, 256, 257] {
            a.fillUniform(UnsafeMutableBufferPointer(rebasing: buffer[0..<n]))
            for k in 0..<n { #expect(buffer[k] == b.uniform(), "n \(n), k \(k)") }
        }
        for _ in 0..<10 { #expect(a.nextUInt64() == b.nextUInt64()) }
    }

    /// Key derivation and xoshiro256** against an independent Python implementation
    /// (`scripts/reference/streams.py`, fixture `streams.json`).
    @Test func matchesIndependentReferenceImplementation() throws {
        struct Case: Decodable { let seed: String; let path: [String]; let key: String; let outputs: [String] }
        struct File: Decodable { let cases: [Case] }
        let url = try #require(Bundle.module.url(forResource: "streams", withExtension: "json", subdirectory: "Fixtures"))
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        #expect(file.cases.count == 6)
        for c in file.cases {
            let seed = try #require(UInt64(c.seed))
            let path = try c.path.map { try #require(UInt64($0)) }
            let s = RandomStream(seed: seed, path: path)
            #expect(String(s.key) == c.key, "key of seed \(seed) path \(path)")
            #expect((0..<8).map { _ in String(s.nextUInt64()) } == c.outputs, "outputs of seed \(seed) path \(path)")
        }
    }
}
