import Crypto

/// A named, versioned function from (salt, unit id) to a bucket in `0 ..< bucketCount`.
///
/// Each case is frozen: its bucket for a given input never changes (DESIGN.md §3, §9.7). A new
/// behaviour gets a new case. All schemes are checked against
/// `Tests/AssignmentTests/Fixtures/hash-cases.json`, produced by
/// `scripts/reference/hash_cases.py` (hashlib, the `mmh3` package and an independent FNV).
public enum HashScheme: String, Sendable, CaseIterable, Codable {
    /// The canonical scheme: SHA-256 of the UTF-8 bytes of `"<salt>:<unit>"`, read as a
    /// 256-bit big-endian integer, modulo 10 000 (Python
    /// `int(hashlib.sha256(key.encode()).hexdigest(), 16) % 10000`).
    case sha256
    /// GrowthBook hash version 1: FNV-1a 32 over the UTF-16 code units of `unit + salt`,
    /// modulo 1 000 (GrowthBook SDK `hash(seed, value, 1)`; value = bucket / 1000).
    case growthbookV1 = "growthbook_v1"
    /// GrowthBook hash version 2: FNV-1a 32 over the decimal string of FNV-1a 32 of
    /// `salt + unit` (UTF-16 code units), modulo 10 000 (GrowthBook `hash(seed, value, 2)`).
    case growthbookV2 = "growthbook_v2"
    /// Statsig-style: the first 8 bytes of SHA-256(`"<salt>.<unit>"`) as a big-endian UInt64,
    /// modulo 10 000.
    case statsig
    /// Eppo-style: MD5(`"<salt>-<unit>"`), the first 8 hex digits (first 4 bytes, big-endian)
    /// as a UInt32, modulo 10 000.
    case eppo
    /// Optimizely-style: MurmurHash3 x86_32 with seed 1 over the UTF-8 bytes of `unit + salt`,
    /// bucket = floor(h / 2³² × 10 000), computed exactly as (h × 10 000) >> 32.
    case optimizely

    /// The number of buckets the scheme maps to (1 000 for `growthbook_v1`, else 10 000).
    public var bucketCount: UInt32 {
        self == .growthbookV1 ? 1_000 : 10_000
    }

    /// The bucket of `unit` under `salt` (see the case's documentation for the formula).
    /// For many units under one salt, build a `SaltedHasher` once and reuse it.
    public func bucket(salt: String, unit: String) -> UInt32 {
        SaltedHasher(scheme: self, salt: salt).bucket(unit)
    }
}

/// A hash scheme with its salt absorbed once, so bucketing many units costs only the unit's
/// bytes: the salt's bytes (or, for the FNV schemes, the FNV state after the salt prefix) are
/// prepared at construction and each call works on the unit's contiguous UTF-8 storage without
/// building a `String` (DESIGN.md §10, hot loops).
///
/// One caveat for the SHA-256 and MD5 schemes: swift-crypto's hashers keep their state in a
/// heap object, so each `bucket(_:)` call creates one such object inside swift-crypto; no other
/// memory is allocated per unit. For many ids under one salt, `buckets(ofConsecutiveIDs:prefix:into:)`
/// and `buckets(packedUTF8:offsets:into:)` (BatchHashing.swift) hash many ids per call with no
/// per-hash allocation — on the CPU kernels of `Distributions.HashKernels` (SHA extensions,
/// AVX2) when the CPU has them, else eight ids at a time in portable SIMD lanes (`sha256`,
/// `statsig`: SHA-256; `growthbook_v2`: FNV-1a) — and give the same bucket as `bucket(utf8:)`
/// for every id.
public struct SaltedHasher: Sendable {
    /// The scheme.
    public let scheme: HashScheme
    /// The salt.
    public let salt: String

    /// For the SHA/MD5 schemes: the salt plus separator, hashed before the unit.
    @usableFromInline let prefix: [UInt8]
    /// For `optimizely`: the salt's UTF-8 bytes, hashed after the unit.
    @usableFromInline let suffixUTF8: [UInt8]
    /// For `growthbook_v1`: the salt's UTF-16 code units, hashed after the unit.
    @usableFromInline let suffixUTF16: [UInt16]
    /// For `growthbook_v2`: the FNV state after absorbing the salt.
    @usableFromInline let fnvAfterSalt: FNV1a32

    /// Prepares `scheme` with `salt`.
    public init(scheme: HashScheme, salt: String) {
        self.scheme = scheme
        self.salt = salt
        switch scheme {
        case .sha256: prefix = Array((salt + ":").utf8)
        case .statsig: prefix = Array((salt + ".").utf8)
        case .eppo: prefix = Array((salt + "-").utf8)
        default: prefix = []
        }
        suffixUTF8 = scheme == .optimizely ? Array(salt.utf8) : []
        suffixUTF16 = scheme == .growthbookV1 ? Array(salt.utf16) : []
        var f = FNV1a32()
        if scheme == .growthbookV2 { f.combineFast(utf16: salt) }
        fnvAfterSalt = f
    }

    /// The number of buckets (`scheme.bucketCount`).
    public var bucketCount: UInt32 { scheme.bucketCount }

    /// The bucket of `unit`, in `0 ..< bucketCount`.
    @inlinable
    public func bucket(_ unit: String) -> UInt32 {
        switch scheme {
        case .growthbookV1, .growthbookV2:
            // GrowthBook hashes UTF-16 code units: take the byte path only for ASCII ids.
            var ascii = true
            let fast = unit.utf8.withContiguousStorageIfAvailable { bytes -> UInt32 in
                ascii = !bytes.contains { $0 >= 0x80 }
                return ascii ? bucket(utf8: bytes) : 0
            }
            if let fast, ascii { return fast }
            return growthbookBucket(utf16: unit)
        default:
            return withUTF8Bytes(of: unit) { bucket(utf8: $0) }
        }
    }

    /// The bucket of the unit id whose UTF-8 bytes are `unit`, in `0 ..< bucketCount`, without
    /// building a `String` (the Monte Carlo harness writes ids into a reused buffer). Identical
    /// to ``bucket(_:)`` for the same id; for the GrowthBook schemes, which hash UTF-16 code
    /// units, non-ASCII bytes are decoded first.
    @inlinable
    public func bucket(utf8 unit: UnsafeBufferPointer<UInt8>) -> UInt32 {
        switch scheme {
        case .sha256:
            var sha = SHA256()
            prefix.withUnsafeBytes { sha.update(bufferPointer: $0) }
            sha.update(bufferPointer: UnsafeRawBufferPointer(unit))
            return sha.finalize().withUnsafeBytes { raw -> UInt32 in
                // Horner's rule over the 256-bit big-endian integer, 32 bits at a time:
                // r < 10 000, so r·2³² + word < 2⁴⁷ never overflows.
                var r: UInt64 = 0
                var i = 0
                while i < 32 {
                    let word = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt32.self))
                    r = ((r << 32) | UInt64(word)) % 10_000
                    i += 4
                }
                return UInt32(r)
            }
        case .statsig:
            var sha = SHA256()
            prefix.withUnsafeBytes { sha.update(bufferPointer: $0) }
            sha.update(bufferPointer: UnsafeRawBufferPointer(unit))
            return sha.finalize().withUnsafeBytes { raw in
                UInt32(UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)) % 10_000)
            }
        case .eppo:
            var md5 = Insecure.MD5()
            prefix.withUnsafeBytes { md5.update(bufferPointer: $0) }
            md5.update(bufferPointer: UnsafeRawBufferPointer(unit))
            return md5.finalize().withUnsafeBytes { raw in
                UInt32(bigEndian: raw.loadUnaligned(as: UInt32.self)) % 10_000
            }
        case .optimizely:
            var m = Murmur3x86_32(seed: 1)
            m.combine(unit)
            suffixUTF8.withUnsafeBufferPointer { m.combine($0) }
            return UInt32((UInt64(m.finalize()) &* 10_000) >> 32)
        case .growthbookV1:
            guard !unit.contains(where: { $0 >= 0x80 }) else { return growthbookBucket(utf16: String(decoding: unit, as: UTF8.self)) }
            var f = FNV1a32()
            for b in unit { f.combine(codeUnit: UInt16(b)) }
            for u in suffixUTF16 { f.combine(codeUnit: u) }
            return f.value % 1_000
        case .growthbookV2:
            guard !unit.contains(where: { $0 >= 0x80 }) else { return growthbookBucket(utf16: String(decoding: unit, as: UTF8.self)) }
            var inner = fnvAfterSalt
            for b in unit { inner.combine(codeUnit: UInt16(b)) }
            var outer = FNV1a32()
            outer.combine(decimal: inner.value)
            return outer.value % 10_000
        }
    }

    /// The GrowthBook schemes over the UTF-16 code units of any string.
    @usableFromInline
    func growthbookBucket(utf16 unit: String) -> UInt32 {
        if scheme == .growthbookV1 {
            var f = FNV1a32()
            f.combine(utf16: unit)
            for u in suffixUTF16 { f.combine(codeUnit: u) }
            return f.value % 1_000
        }
        var inner = fnvAfterSalt
        inner.combine(utf16: unit)
        var outer = FNV1a32()
        outer.combine(decimal: inner.value)
        return outer.value % 10_000
    }

    /// The bucket as a point of the unit interval, `bucket / bucketCount` (GrowthBook's `n`).
    public func unitInterval(_ unit: String) -> Double {
        Double(bucket(unit)) / Double(bucketCount)
    }

}
