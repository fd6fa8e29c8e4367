import Testing
@testable import Assignment

/// The byte-level entry point the Monte Carlo harness uses agrees with the golden vectors.
@Suite struct ByteHashingTests {
    @Test(arguments: HashCases.all)
    func utf8BytesGiveTheGoldenBucket(_ c: HashCase) throws {
        let scheme = try #require(HashScheme(rawValue: c.scheme))
        let hasher = SaltedHasher(scheme: scheme, salt: c.salt)
        let bytes = Array(c.unit.utf8)
        let got = bytes.withUnsafeBufferPointer { hasher.bucket(utf8: $0) }
        #expect(got == hasher.bucket(c.unit))
        if let bucket = c.bucket { #expect(got == bucket) }
    }
}
