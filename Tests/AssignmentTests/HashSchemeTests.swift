import Foundation
import Testing
@testable import Assignment

/// One `[name, inputs, expected]` case from `Fixtures/hash-cases.json`.
struct HashCase: Sendable, CustomTestStringConvertible {
    let name: String
    let scheme: String
    let salt: String
    let unit: String
    let bucket: UInt32?
    let bucketCount: UInt32?
    let value: Double?
    var testDescription: String { name }
}

enum HashCases {
    struct Inputs: Decodable { let scheme: String; let salt: String; let unit: String }
    struct Expected: Decodable { let bucket: UInt32?; let bucket_count: UInt32?; let value: Double? }
    struct Entry: Decodable {
        let name: String, inputs: Inputs, expected: Expected
        init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            name = try c.decode(String.self)
            inputs = try c.decode(Inputs.self)
            expected = try c.decode(Expected.self)
        }
    }
    struct File: Decodable { let spec_version: Int; let cases: [Entry] }

    static func load() throws -> [HashCase] {
        let url = try #require(Bundle.module.url(forResource: "hash-cases", withExtension: "json", subdirectory: "Fixtures"))
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        return file.cases.map { e in
            HashCase(name: e.name, scheme: e.inputs.scheme, salt: e.inputs.salt, unit: e.inputs.unit,
                     bucket: e.expected.bucket, bucketCount: e.expected.bucket_count, value: e.expected.value)
        }
    }

    /// Loaded once for the parameterised test; `fixtureIsComplete` fails if loading failed.
    static let all: [HashCase] = (try? load()) ?? []
}

@Suite struct HashSchemeTests {
    @Test func fixtureIsComplete() throws {
        let cases = try HashCases.load()
        // 6 schemes × 4 salts × 11 units + 14 GrowthBook-published vectors.
        #expect(cases.count == 278)
        for scheme in HashScheme.allCases {
            #expect(cases.contains { $0.scheme == scheme.rawValue }, "no case for \(scheme.rawValue)")
        }
        #expect(cases.contains { $0.unit.unicodeScalars.contains { $0.value > 0xFFFF } }, "needs an astral-plane id")
        #expect(cases.contains { $0.unit.isEmpty })
        #expect(cases.contains { $0.unit.count >= 256 })
    }

    @Test(arguments: HashCases.all)
    func goldenVector(_ c: HashCase) throws {
        let scheme = try #require(HashScheme(rawValue: c.scheme), "unknown scheme \(c.scheme)")
        let got = scheme.bucket(salt: c.salt, unit: c.unit)
        if let bucket = c.bucket {
            #expect(got == bucket)
            #expect(scheme.bucketCount == c.bucketCount)
        }
        if let value = c.value {
            #expect(abs(Double(got) / Double(scheme.bucketCount) - value) < 1e-12)
        }
        #expect(got < scheme.bucketCount)
    }

    @Test(arguments: HashScheme.allCases)
    func saltedHasherIsReusableAndDeterministic(_ scheme: HashScheme) {
        let hasher = SaltedHasher(scheme: scheme, salt: "exp-1")
        for i in 0..<200 {
            let unit = "user-\(i)"
            let first = hasher.bucket(unit)
            #expect(first == hasher.bucket(unit))
            #expect(first == scheme.bucket(salt: "exp-1", unit: unit))
        }
    }

    @Test(arguments: HashScheme.allCases)
    func saltMatters(_ scheme: HashScheme) {
        let a = SaltedHasher(scheme: scheme, salt: "salt-a"), b = SaltedHasher(scheme: scheme, salt: "salt-b")
        let differing = (0..<500).filter { a.bucket("u\($0)") != b.bucket("u\($0)") }.count
        #expect(differing > 450)
    }

    @Test func murmurIncrementalEqualsOneShot() {
        let key = "user-123exp-checkout"
        for split in 0...key.utf8.count {
            var m = Murmur3x86_32(seed: 1)
            let bytes = Array(key.utf8)
            bytes[..<split].withUnsafeBufferPointer { m.combine($0) }
            bytes[split...].withUnsafeBufferPointer { m.combine($0) }
            #expect(m.finalize() == Murmur3x86_32.hash(utf8: key, seed: 1), "split at \(split)")
        }
    }

    // Published MurmurHash3 x86_32 vectors (smhasher; also the `mmh3` documentation):
    // "" seed 0 → 0, "" seed 1 → 0x514E28B7, "hello" seed 0 → 0x248BFA47.
    @Test func murmurPublishedVectors() {
        #expect(Murmur3x86_32.hash(utf8: "", seed: 0) == 0)
        #expect(Murmur3x86_32.hash(utf8: "", seed: 1) == 0x514E_28B7)
        #expect(Murmur3x86_32.hash(utf8: "hello", seed: 0) == 0x248B_FA47)
    }

    @Test func decimalDigitsMatchStringConversion() {
        for n: UInt32 in [0, 1, 9, 10, 99, 100, 4_294_967_295, 3_826_002_220, 1_000_000_000] {
            var a = FNV1a32(), b = FNV1a32()
            a.combine(decimal: n)
            b.combine(utf16: String(n))
            #expect(a == b, "n = \(n)")
        }
    }
}
