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
        // Two halves of at most five digits; each digit comes from its own division by a
        // constant (a multiply), so the digits are computed in parallel, not in a chain.
        let high = n / 100_000, low = n % 100_000
        if high > 0 {
            combine(fiveDigits: high, skippingLeadingZeros: true)
            combine(fiveDigits: low, skippingLeadingZeros: false)
        } else {
            combine(fiveDigits: low, skippingLeadingZeros: true)
        }
    }

    /// Absorbs the five decimal digits of `x` < 100 000, optionally without leading zeros
    /// (but always at least one digit).
    @inlinable @inline(__always)
    mutating func combine(fiveDigits x: UInt32, skippingLeadingZeros: Bool) {
        var packed = UInt64(x / 10_000) | UInt64((x / 1_000) % 10) << 4 | UInt64((x / 100) % 10) << 8
            | UInt64((x / 10) % 10) << 12 | UInt64(x % 10) << 16  // most significant digit first
        var count = 5
        if skippingLeadingZeros {
            count = x >= 10_000 ? 5 : x >= 1_000 ? 4 : x >= 100 ? 3 : x >= 10 ? 2 : 1
            packed >>= UInt64(4 * (5 - count))
        }
        for _ in 0..<count {
            combine(codeUnit: 0x30 &+ UInt16(truncatingIfNeeded: packed & 0xF))
            packed >>= 4
        }
    }
}
