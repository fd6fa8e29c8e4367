/// FNV-1a, 32-bit (Fowler, Noll & Vo; IETF draft-eastlake-fnv): offset basis 2166136261,
/// prime 16777619, each input unit XORed in then multiplied. GrowthBook's SDKs feed it the
/// string's UTF-16 code units (JavaScript `charCodeAt`), so non-ASCII ids hash as in the SDKs.
public struct FNV1a32: Sendable, Equatable {
    public static let offsetBasis: UInt32 = 2_166_136_261
    public static let prime: UInt32 = 16_777_619

    /// The running hash value.
    public var value: UInt32

    public init() { value = Self.offsetBasis }

    /// Absorbs one 16-bit code unit (only its low byte matters for values < 256, like JS).
    @inlinable @inline(__always)
    public mutating func combine(codeUnit: UInt16) {
        value = (value ^ UInt32(codeUnit)) &* Self.prime
    }

    /// Absorbs the UTF-16 code units of `string`.
    @inlinable
    public mutating func combine(utf16 string: some StringProtocol) {
        for unit in string.utf16 { combine(codeUnit: unit) }
    }

    /// FNV-1a 32 of the UTF-16 code units of `string`.
    @inlinable
    public static func hash(utf16 string: some StringProtocol) -> UInt32 {
        var h = FNV1a32()
        h.combine(utf16: string)
        return h.value
    }
}

extension FNV1a32 {
    /// Absorbs the UTF-16 code units of `string`, exactly like `combine(utf16:)`, but reads an
    /// all-ASCII string straight from its UTF-8 storage (an ASCII byte equals its UTF-16 code
    /// unit), which avoids transcoding on the hot path. Falls back to `utf16` otherwise.
    @inlinable
    public mutating func combineFast(utf16 string: String) {
        var probe = self
        let ascii = string.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            for b in bytes {
                if b >= 0x80 { return false }
                probe.combine(codeUnit: UInt16(b))
            }
            return true
        }
        if ascii == true {
            self = probe
        } else {
            combine(utf16: string)
        }
    }

    /// Absorbs the decimal digits of `n` (as JavaScript `String(n)` writes them), without
    /// building a string. Used by GrowthBook's hash version 2.
    @inlinable
    public mutating func combine(decimal n: UInt32) {
        // Collect the digits (at most 10) as nibbles, the most significant ending up in the
        // lowest nibble, dividing only by the constant 10 (a multiply); then absorb them in order.
        var packed: UInt64 = 0
        var m = n
        var length = 0
        repeat {
            packed = (packed << 4) | UInt64(m % 10)
            m /= 10
            length += 1
        } while m > 0
        for _ in 0..<length {
            combine(codeUnit: 0x30 &+ UInt16(truncatingIfNeeded: packed & 0xF))
            packed >>= 4
        }
    }
}
