/// MurmurHash3 x86_32 (Austin Appleby, public domain; reference `MurmurHash3_x86_32` in
/// smhasher/src/MurmurHash3.cpp), fed incrementally so a key can be absorbed in pieces
/// (the unit id, then the salt) without building the concatenated string.
///
/// Blocks are read little-endian, the tail is mixed with `c1`/`c2` only, and the length is
/// XORed in before the final avalanche (`fmix32`). Checked against the Python `mmh3` package
/// through `Tests/AssignmentTests/Fixtures/hash-cases.json`.
public struct Murmur3x86_32: Sendable, Equatable {
    @usableFromInline static let c1: UInt32 = 0xCC9E_2D51
    @usableFromInline static let c2: UInt32 = 0x1B87_3593

    @usableFromInline var h: UInt32
    @usableFromInline var tail: UInt32 = 0
    @usableFromInline var tailCount: Int = 0
    @usableFromInline var length: Int = 0

    /// A hasher with the given seed (Optimizely uses seed 1).
    public init(seed: UInt32) { h = seed }

    @inlinable @inline(__always)
    static func scramble(_ k: UInt32) -> UInt32 {
        var k = k &* c1
        k = (k << 15) | (k >> 17)
        return k &* c2
    }

    @inlinable @inline(__always)
    mutating func mixBlock(_ k: UInt32) {
        h ^= Self.scramble(k)
        h = (h << 13) | (h >> 19)
        h = h &* 5 &+ 0xE654_6B64
    }

    /// Absorbs `bytes`, continuing any partial 4-byte block left by the previous call.
    @inlinable
    public mutating func combine(_ bytes: UnsafeBufferPointer<UInt8>) {
        length &+= bytes.count
        var i = 0
        let n = bytes.count
        // Finish a pending partial block first.
        while tailCount != 0 && i < n {
            tail |= UInt32(bytes[i]) << (8 * UInt32(tailCount))
            tailCount += 1
            i += 1
            if tailCount == 4 {
                mixBlock(tail)
                tail = 0
                tailCount = 0
            }
        }
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while n - i >= 4 {
                let k = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt32.self))
                mixBlock(k)
                i += 4
            }
        }
        while i < n {
            tail |= UInt32(bytes[i]) << (8 * UInt32(tailCount))
            tailCount += 1
            i += 1
        }
    }

    /// The 32-bit hash of everything absorbed so far (the hasher itself is unchanged).
    @inlinable
    public func finalize() -> UInt32 {
        var h = self.h
        if tailCount > 0 { h ^= Self.scramble(tail) }
        h ^= UInt32(truncatingIfNeeded: length)
        h ^= h >> 16
        h = h &* 0x85EB_CA6B
        h ^= h >> 13
        h = h &* 0xC2B2_AE35
        h ^= h >> 16
        return h
    }

    /// MurmurHash3 x86_32 of the UTF-8 bytes of `string`.
    public static func hash(utf8 string: String, seed: UInt32) -> UInt32 {
        var m = Murmur3x86_32(seed: seed)
        withUTF8Bytes(of: string) { m.combine($0) }
        return m.finalize()
    }
}

/// Calls `body` with the string's UTF-8 bytes without copying them when the string is
/// stored contiguously (every native Swift string); only a bridged string is copied.
@inlinable @inline(__always)
func withUTF8Bytes<R>(of string: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    if let r = string.utf8.withContiguousStorageIfAvailable(body) { return r }
    var copy = string
    return copy.withUTF8(body)
}
