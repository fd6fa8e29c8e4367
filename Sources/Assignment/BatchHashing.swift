// Batched (multi-lane) bucketing of many unit ids under one salt (issue #19, "Performance to
// the floor"). Results are identical, id by id, to `SaltedHasher.bucket(utf8:)`; only the
// schedule differs. Two paths:
// - CPU kernels (`Distributions.HashKernels`, C with runtime dispatch): SHA-256 on the x86 SHA
//   extensions, four messages interleaved; GrowthBook v2 in AVX2 lanes. Taken when the CPU has
//   the instructions, unless `cpuKernels: false` or `SPLITBENCH_NO_CPU_KERNELS=1`.
// - The portable fallback: eight ids at once in the lanes of `SIMD8<UInt32>` / `SIMD8<UInt64>`,
//   which the compiler maps to SSE2/NEON registers on any x86-64 or arm64 CPU.
// Schemes without either (growthbook_v1, eppo, optimizely) loop over the scalar `bucket(utf8:)`.

import Distributions

extension SaltedHasher {
    /// Writes into `out[k]` the bucket of the id `prefix` + decimal digits of `range.lowerBound + k`
    /// (ASCII, no leading zeros; e.g. "u0", "u1", …, exactly the bytes the Monte Carlo harness's
    /// id buffer writes), for every `k` in `0 ..< range.count`. Equal element by element to
    /// `bucket(utf8:)` of each id.
    ///
    /// - `sha256`, `statsig`: 8-lane SHA-256 (FIPS 180-4 §6.2) over `"<salt>:" + id` /
    ///   `"<salt>." + id`, the salt's whole 64-byte blocks compressed once per call; then the
    ///   scheme's reduction (256-bit big-endian mod 10 000; first 8 bytes big-endian mod 10 000).
    /// - `growthbook_v2`: 8-lane FNV-1a 32 (inner over salt + id, outer over the decimal digits
    ///   of inner, `outer mod 10 000`; GrowthBook `hash(seed, value, 2)`), the inner state after
    ///   the salt, the prefix byte and ⌊i / 100⌋'s digits computed once per hundred ids.
    ///
    /// With `cpuKernels` (the default) and a CPU that has them, sha256/statsig compress the
    /// final blocks on the SHA extensions and growthbook_v2 runs in AVX2 lanes
    /// (`HashKernels`); otherwise the portable lanes above (the fallback, also taken when
    /// `SPLITBENCH_NO_CPU_KERNELS=1`). Both give the same buckets.
    ///
    /// Measured (`splitbench-bench hash-batch`, blocks of 256, 1 thread): the portable SSE2 lanes
    /// are about 1.2× the scalar path for sha256/statsig (swift-crypto uses the SHA extensions)
    /// and 2.2× for growthbook_v2; see the README for the CPU kernels.
    /// - other schemes: the scalar loop.
    ///
    /// Precondition: `out.count >= range.count`.
    public func buckets(ofConsecutiveIDs range: Range<Int>, prefix: UInt8 = UInt8(ascii: "u"),
                        cpuKernels: Bool = true, into out: UnsafeMutableBufferPointer<UInt32>) {
        precondition(out.count >= range.count, "buckets(ofConsecutiveIDs:): output too short")
        guard !range.isEmpty, let base = out.baseAddress else { return }
        guard range.lowerBound >= 0, prefix < 0x80 || !(scheme == .growthbookV1 || scheme == .growthbookV2) else {
            // Negative ids ("u-5") and non-ASCII prefixes for GrowthBook: the scalar path.
            for (k, i) in range.enumerated() {
                var bytes = [prefix]
                bytes.append(contentsOf: String(i).utf8)
                base[k] = bytes.withUnsafeBufferPointer { bucket(utf8: $0) }
            }
            return
        }
        switch scheme {
        case .sha256, .statsig:
            if cpuKernels && HashKernels.shaExtensions && kernelBuckets(ofConsecutiveIDs: range, prefix: prefix, into: base) {
                return
            }
            var id = DecimalID(prefix: prefix, value: range.lowerBound)
            defer { id.deallocate() }
            self.prefix.withUnsafeBytes { saltPrefix in
                let lanes = SHA256Lanes(prefix: saltPrefix, maxIDLength: DecimalID.capacity)
                defer { lanes.deallocate() }
                var i = range.lowerBound, k = 0
                while i < range.upperBound {
                    // All ids up to the next power of ten have the same length: pad the lanes and
                    // load the words that do not touch the id once for the whole segment.
                    let length = id.length
                    let segmentEnd = Swift.min(range.upperBound, id.nextLengthChange)
                    let blocks = lanes.pad(idLength: length)
                    lanes.prepareTemplate(idLength: length, blocks: blocks)
                    while i < segmentEnd {
                        let n = Swift.min(8, segmentEnd - i)
                        for lane in 0..<8 {
                            lanes.idBytes(lane).update(from: id.bytes, count: length)
                            if lane < n - 1 { id.increment() }
                        }
                        id.increment()  // to the first id of the next group
                        // The ids of a group share their leading bytes up to where the first
                        // and the last differ.
                        let firstID = lanes.idBytes(0), lastID = lanes.idBytes(7)
                        var shared = 0
                        while shared < length && firstID[shared] == lastID[shared] { shared += 1 }
                        let state = lanes.digestsFromTemplate(idLength: length, blocks: blocks,
                                                              uniformBytes: lanes.remainder + shared)
                        SHA256Lanes.reduce(state, scheme: scheme, count: n, into: base + k)
                        i += n; k += n
                    }
                }
            }
        case .growthbookV2:
            if cpuKernels && HashKernels.growthbookV2Buckets(afterSalt: fnvAfterSalt.value, prefix: prefix,
                                                             first: range.lowerBound, count: range.count, into: base) {
                return
            }
            var i = range.lowerBound, k = 0
            var common = fnvAfterSalt  // inner FNV after the prefix byte and ⌊i / 100⌋'s digits
            var hundred = -1
            while i < range.upperBound {
                // A group never crosses a multiple of 100 (nor 10 below 100), so its ids share
                // all but their last one (i < 10) or two digits.
                let last2 = i % 100
                let n = Swift.min(8, range.upperBound - i, i < 10 ? 10 - i : 100 - last2)
                if i / 100 != hundred {
                    hundred = i / 100
                    common = fnvAfterSalt
                    common.combine(codeUnit: UInt16(prefix))
                    if let h = UInt32(exactly: hundred), h > 0 {
                        common.combine(decimal: h)
                    } else if hundred > 0 {
                        let digits = DecimalID(prefix: prefix, value: hundred)
                        for j in 1..<digits.length { common.combine(codeUnit: UInt16(digits.bytes[j])) }
                        digits.deallocate()
                    }
                }
                growthbookV2Group(common: common, lastDigits: UInt32(last2), twoDigits: i >= 10, count: n, into: base + k)
                i += n; k += n
            }
        default:
            var id = DecimalID(prefix: prefix, value: range.lowerBound)
            defer { id.deallocate() }
            for k in 0..<range.count {
                base[k] = bucket(utf8: UnsafeBufferPointer(start: id.bytes, count: id.length))
                id.increment()
            }
        }
    }

    /// Writes into `out[k]` the bucket of the id whose UTF-8 bytes are
    /// `bytes[offsets[k] ..< offsets[k + 1]]`, for `k` in `0 ..< offsets.count - 1`; equal element
    /// by element to `bucket(utf8:)`. SHA-256 and statsig run on the SHA-extension kernel when
    /// `cpuKernels` and the CPU allow (runs of ids with the same number of final blocks, four
    /// at a time), else eight ids at a time in the portable lanes (any lengths: a lane with
    /// fewer blocks keeps its state while the others finish); other schemes loop.
    ///
    /// Preconditions: `offsets` is non-decreasing within `bytes`, `out.count >= offsets.count - 1`.
    public func buckets(packedUTF8 bytes: UnsafeBufferPointer<UInt8>, offsets: UnsafeBufferPointer<Int>,
                        cpuKernels: Bool = true, into out: UnsafeMutableBufferPointer<UInt32>) {
        let count = Swift.max(0, offsets.count - 1)
        precondition(out.count >= count, "buckets(packedUTF8:): output too short")
        var longest = 0
        for k in 0..<count {
            precondition(0 <= offsets[k] && offsets[k] <= offsets[k + 1] && offsets[k + 1] <= bytes.count,
                         "buckets(packedUTF8:): offsets out of order or out of range")
            longest = Swift.max(longest, offsets[k + 1] - offsets[k])
        }
        guard count > 0, let base = out.baseAddress, let start = bytes.baseAddress else {
            for k in 0..<count { out[k] = bucket(utf8: UnsafeBufferPointer(rebasing: bytes[offsets[k]..<offsets[k + 1]])) }
            return
        }
        guard scheme == .sha256 || scheme == .statsig else {
            for k in 0..<count { base[k] = bucket(utf8: UnsafeBufferPointer(start: start + offsets[k], count: offsets[k + 1] - offsets[k])) }
            return
        }
        if cpuKernels && HashKernels.shaExtensions
            && kernelBuckets(packed: start, offsets: offsets, count: count, longest: longest, into: base) {
            return
        }
        prefix.withUnsafeBytes { saltPrefix in
            let lanes = SHA256Lanes(prefix: saltPrefix, maxIDLength: longest)
            defer { lanes.deallocate() }
            var k = 0
            while k < count {
                let n = Swift.min(8, count - k)
                var blocks = SIMD8<UInt32>()
                for lane in 0..<8 {
                    let j = k + Swift.min(lane, n - 1)  // spare lanes repeat the last id
                    let length = offsets[j + 1] - offsets[j]
                    lanes.idBytes(lane).update(from: start + offsets[j], count: length)
                    blocks[lane] = UInt32(lanes.pad(lane: lane, idLength: length))
                }
                let state = lanes.digests(blocks: blocks)
                SHA256Lanes.reduce(state, scheme: scheme, count: n, into: base + k)
                k += n
            }
        }
    }

    /// growthbook_v2 for `count` ≤ 8 consecutive ids that differ only in their last one or two
    /// digits: `common` is the inner FNV state after the salt and the digits they share, and
    /// `lastDigits + lane` (< 100, no carry into the shared digits) are the varying digits,
    /// written as two digits (a leading zero included) when `twoDigits`, else as one.
    @inline(__always)
    func growthbookV2Group(common: FNV1a32, lastDigits: UInt32, twoDigits: Bool, count: Int,
                           into out: UnsafeMutablePointer<UInt32>) {
        // All in 64-bit lanes holding 32-bit values: FNV's 32-bit product is the low half of a
        // 32×32→64 lane multiply (`pmuludq` on SSE2, `umull` on NEON), masked; the divisions
        // by 10 are multiplies too. Mixing 32- and 64-bit lanes made LLVM scalarise parts.
        typealias W = SIMD8<UInt64>
        let prime: UInt64 = UInt64(FNV1a32.prime), zero: UInt64 = 0x30, low32: UInt64 = 0xFFFF_FFFF
        let s = W(repeating: UInt64(lastDigits)) &+ W(0, 1, 2, 3, 4, 5, 6, 7)
        var inner = W(repeating: UInt64(common.value))
        if twoDigits {
            // ⌊s / 10⌋ = ⌊s·205 / 2¹¹⌋, exact for s < 1 029 (checked in the tests); here s < 100.
            let tens = (s &* 205) &>> 11
            inner = ((inner ^ (tens &+ zero)) &* prime) & low32
            inner = ((inner ^ (s &- tens &* 10 &+ zero)) &* prime) & low32
        } else {
            inner = ((inner ^ (s &+ zero)) &* prime) & low32
        }
        // Outer FNV over the decimal digits of inner (1 to 10 digits, no leading zeros): the
        // quotients q_k = ⌊inner / 10^k⌋, k = 0…9 (q₁₀ = 0 as inner < 2³² < 10¹⁰); digit k is
        // q_k − 10·q_{k+1}, present iff k = 0 or q_k ≠ 0; absorbed most significant first.
        let q1 = Self.divideBy10(inner), q2 = Self.divideBy10(q1), q3 = Self.divideBy10(q2)
        let q4 = Self.divideBy10(q3), q5 = Self.divideBy10(q4), q6 = Self.divideBy10(q5)
        let q7 = Self.divideBy10(q6), q8 = Self.divideBy10(q7), q9 = Self.divideBy10(q8)
        var outer = W(repeating: UInt64(FNV1a32.offsetBasis))
        @inline(__always) func absorb(_ q: W, _ next: W) {
            // `replacing` (not the mutating `replace`, which loops lane by lane through memory).
            outer = outer.replacing(with: ((outer ^ (q &- next &* 10 &+ zero)) &* prime) & low32, where: q .!= W())
        }
        absorb(q9, W()); absorb(q8, q9); absorb(q7, q8); absorb(q6, q7); absorb(q5, q6)
        absorb(q4, q5); absorb(q3, q4); absorb(q2, q3); absorb(q1, q2)
        outer = ((outer ^ (inner &- q1 &* 10 &+ zero)) &* prime) & low32
        // outer mod 10 000, with ⌊x / 10⌋⁴ replaced by ⌊x·m / 2⁴⁵⌋, m = ⌈2⁴⁵ / 10⁴⌉ = 3 518 437 209:
        // m·10⁴ − 2⁴⁵ = 1 168, and 1 168·x < 2⁴⁵ for x < 2³², so the floor is exact (as below).
        let bucket = outer &- ((outer &* 3_518_437_209) &>> 45) &* 10_000
        for lane in 0..<count { out[lane] = UInt32(truncatingIfNeeded: bucket[lane]) }
    }

    /// ⌊x / 10⌋ in each lane, exactly, for every x < 2³² (held in a 64-bit lane): ⌊x · m / 2³⁵⌋
    /// with m = ⌈2³⁵ / 10⌉ = 0xCCCCCCCD. Proof (Granlund & Montgomery 1994, Thm 4.2): m·10 = 2³⁵ + 2,
    /// so x·m / 2³⁵ = x/10 + 2x / (10·2³⁵); with x = 10q + r, r ≤ 9, the fractional part is
    /// (r + 2x/2³⁵) / 10 < (9 + 2⁻²) / 10 < 1, so the floor is q. x·m < 2⁶⁴: no overflow.
    @inline(__always)
    static func divideBy10(_ x: SIMD8<UInt64>) -> SIMD8<UInt64> {
        (x &* 0xCCCC_CCCD) &>> 35
    }
}

/// The id `prefix` + decimal digits of a non-negative integer, in ASCII, as a byte odometer
/// (the same bytes the harness's id buffer writes). A local value; call `deallocate()`.
@usableFromInline
struct DecimalID {
    /// Prefix byte + at most 19 digits (Int.max has 19).
    static let capacity = 20
    /// The id's bytes; `length` of them are valid.
    let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 24)
    private(set) var length = 0
    private(set) var value = 0

    init(prefix: UInt8, value: Int) {
        bytes[0] = prefix
        set(value)
    }

    func deallocate() { bytes.deallocate() }

    mutating func set(_ value: Int) {
        self.value = value
        var digits = 0, v = value
        repeat { digits += 1; v /= 10 } while v > 0
        v = value
        for k in stride(from: digits, through: 1, by: -1) { bytes[k] = UInt8(truncatingIfNeeded: 48 + v % 10); v /= 10 }
        length = digits + 1
    }

    /// The first value with more digits than `value` (10^digits), or Int.max.
    var nextLengthChange: Int {
        var p = 1
        for _ in 1..<length {
            let (next, overflow) = p.multipliedReportingOverflow(by: 10)
            if overflow { return Int.max }
            p = next
        }
        return p
    }

    /// To `value + 1` (an odometer step; stays at Int.max).
    mutating func increment() {
        guard value < Int.max else { return }
        value += 1
        var k = length - 1
        while k >= 1 && bytes[k] == UInt8(ascii: "9") { bytes[k] = UInt8(ascii: "0"); k -= 1 }
        if k >= 1 {
            bytes[k] += 1
        } else {  // 99…9 → 100…0
            bytes[1] = UInt8(ascii: "1")
            bytes[length] = UInt8(ascii: "0")
            length += 1
        }
    }
}

/// SHA-256 (FIPS 180-4 §6.2) of eight messages at once, one per lane of `SIMD8<UInt32>`, all
/// starting with the same prefix. The prefix's whole 64-byte blocks are compressed once at
/// construction (the midstate); each lane's buffer then holds the rest of the prefix, the lane's
/// id and the padding (0x80, zeros, the message length in bits as a 64-bit big-endian integer).
/// Lanes may need different numbers of final blocks: a lane keeps its state once its blocks end.
@usableFromInline
struct SHA256Lanes {
    typealias V = SIMD8<UInt32>

    /// The round constants K₀…K₆₃ (FIPS 180-4 §4.2.2).
    static let roundConstants: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]
    /// The initial hash value H⁽⁰⁾ (FIPS 180-4 §5.3.3).
    static let initialState = V(0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)

    /// K broadcast to all lanes (64), the message schedule W (64), then the final blocks' words
    /// with every lane equal to lane 0 (16 per block; see `prepareTemplate`).
    let constants: UnsafeMutablePointer<V>
    /// Eight lane buffers of `stride` bytes each.
    let buffers: UnsafeMutablePointer<UInt8>
    let stride: Int
    /// The state after the prefix's whole blocks (word j in element j).
    private(set) var midstate = SHA256Lanes.initialState
    /// The prefix's bytes after its whole blocks (copied to the start of every lane buffer).
    let remainder: Int
    let prefixLength: Int

    init(prefix: UnsafeRawBufferPointer, maxIDLength: Int) {
        prefixLength = prefix.count
        remainder = prefix.count % 64
        stride = 64 * ((remainder + maxIDLength + 9 + 63) / 64)
        constants = .allocate(capacity: 128 + 16 * (stride / 64))
        buffers = .allocate(capacity: 8 * stride)
        buffers.initialize(repeating: 0, count: 8 * stride)
        for (i, k) in Self.roundConstants.enumerated() { (constants + i).initialize(to: V(repeating: k)) }
        (constants + 64).initialize(repeating: V(), count: 64 + 16 * (stride / 64))
        // Midstate: the prefix's whole blocks, the same in every lane (lane 0 is read back).
        let initial = Self.initialState
        var state = (0..<8).map { V(repeating: initial[$0]) }
        var offset = 0
        while offset + 64 <= prefix.count {
            let w = constants + 64
            for j in 0..<16 {
                w[j] = V(repeating: UInt32(bigEndian: prefix.loadUnaligned(fromByteOffset: offset + 4 * j, as: UInt32.self)))
            }
            compress(&state)
            offset += 64
        }
        for j in 0..<8 { midstate[j] = state[j][0] }
        for lane in 0..<8 {
            for b in 0..<remainder { buffers[lane * stride + b] = prefix[offset + b] }
        }
    }

    func deallocate() {
        constants.deallocate()
        buffers.deallocate()
    }

    /// Where lane `lane`'s id bytes go.
    @inline(__always)
    func idBytes(_ lane: Int) -> UnsafeMutablePointer<UInt8> { buffers + lane * stride + remainder }

    /// Writes the padding after an id of `idLength` bytes in `lane`; returns the lane's number of
    /// final blocks.
    @inline(__always)
    func pad(lane: Int, idLength: Int) -> Int {
        let end = remainder + idLength
        let blocks = (end + 9 + 63) / 64
        let p = buffers + lane * stride
        p[end] = 0x80
        (p + end + 1).update(repeating: 0, count: 64 * blocks - 8 - end - 1)
        var bits = UInt64(prefixLength + idLength) &* 8
        for b in Swift.stride(from: 64 * blocks - 1, through: 64 * blocks - 8, by: -1) {
            p[b] = UInt8(truncatingIfNeeded: bits)
            bits >>= 8
        }
        return blocks
    }

    /// `pad(lane:idLength:)` in every lane.
    func pad(idLength: Int) -> Int {
        var blocks = 0
        for lane in 0..<8 { blocks = pad(lane: lane, idLength: idLength) }
        return blocks
    }

    /// The SHA-256 state after each lane's own number of final blocks (`blocks[lane]`): element
    /// j of the result is digest word j (big-endian) of each lane.
    func digests(blocks: V) -> (V, V, V, V, V, V, V, V) {
        let m = midstate
        var state = (V(repeating: m[0]), V(repeating: m[1]), V(repeating: m[2]), V(repeating: m[3]),
                     V(repeating: m[4]), V(repeating: m[5]), V(repeating: m[6]), V(repeating: m[7]))
        let most = Int(blocks.max())
        let uniform = blocks.min() == blocks.max()
        let w = constants + 64
        for b in 0..<most {
            for j in 0..<16 { w[j] = word(16 * b + j) }
            if uniform {
                compress(&state)
            } else {
                let before = state
                compress(&state)
                let active = blocks .> UInt32(b)
                state = (before.0.replacing(with: state.0, where: active), before.1.replacing(with: state.1, where: active),
                         before.2.replacing(with: state.2, where: active), before.3.replacing(with: state.3, where: active),
                         before.4.replacing(with: state.4, where: active), before.5.replacing(with: state.5, where: active),
                         before.6.replacing(with: state.6, where: active), before.7.replacing(with: state.7, where: active))
            }
        }
        return state
    }

    /// Big-endian word `g` (bytes 4g ..< 4g + 4) of the final blocks, in each lane.
    @inline(__always)
    func word(_ g: Int) -> V {
        let p = UnsafeRawPointer(buffers + 4 * g)
        return V(UInt32(bigEndian: p.loadUnaligned(as: UInt32.self)),
                 UInt32(bigEndian: p.loadUnaligned(fromByteOffset: stride, as: UInt32.self)),
                 UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 2 * stride, as: UInt32.self)),
                 UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 3 * stride, as: UInt32.self)),
                 UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4 * stride, as: UInt32.self)),
                 UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 5 * stride, as: UInt32.self)),
                 UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 6 * stride, as: UInt32.self)),
                 UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 7 * stride, as: UInt32.self)))
    }

    /// The words of the final blocks that do not overlap the id (bytes `remainder ..<
    /// remainder + idLength`), broadcast from lane 0: valid while every lane has an id of
    /// `idLength` bytes and the padding of `pad(idLength:)`.
    func prepareTemplate(idLength: Int, blocks: Int) {
        let template = constants + 128
        for g in 0..<(16 * blocks) {
            template[g] = V(repeating: UInt32(bigEndian: UnsafeRawPointer(buffers + 4 * g).loadUnaligned(as: UInt32.self)))
        }
    }

    /// `digests(blocks:)` when every lane has an id of `idLength` bytes and `blocks` final
    /// blocks, after `prepareTemplate`: only the words overlapping the ids are gathered, and
    /// while the state and the words are the same in every lane (the first `uniformBytes` bytes
    /// of the final blocks: the salt's rest and the digits the ids share) the rounds run on one
    /// scalar lane and are broadcast.
    @inline(__always)
    func digestsFromTemplate(idLength: Int, blocks: Int, uniformBytes: Int) -> (V, V, V, V, V, V, V, V) {
        let m = midstate
        var state = (V(repeating: m[0]), V(repeating: m[1]), V(repeating: m[2]), V(repeating: m[3]),
                     V(repeating: m[4]), V(repeating: m[5]), V(repeating: m[6]), V(repeating: m[7]))
        let w = constants + 64, template = constants + 128
        let first = remainder / 4, end = (remainder + Swift.max(idLength, 1) - 1) / 4 + 1
        var uniformState = true
        for b in 0..<blocks {
            w.update(from: template + 16 * b, count: 16)
            var g = Swift.max(first, 16 * b)
            while g < Swift.min(end, 16 * b + 16) { w[g - 16 * b] = word(g); g += 1 }
            let uniform = uniformBytes - 64 * b
            let rounds = !uniformState || uniform <= 0 ? 0 : uniform >= 64 ? 64 : uniform / 4
            compress(&state, uniformRounds: rounds)
            uniformState = rounds == 64
        }
        return state
    }

    // The SHA-256 functions Σ₀, Σ₁, σ₀, σ₁ (FIPS 180-4 §4.1.2), each rotation split into its
    // right and left shifts and the shifts nested (e.g. x≫6 ⊕ x≫11 ⊕ x≫25 = ((x≫14 ⊕ x)≫5 ⊕ x)≫6):
    // written as plain rotations, LLVM recognises them and emits scalar `rol`s lane by lane on
    // x86-64 without AVX-512, several times slower than these vector shifts. (Swift's SIMD
    // shifts are lane loops that LLVM re-vectorises; some lane shuffles remain. On SSE2 a round
    // of 8 lanes is still ~210 instructions, so this path is only ~1.1-1.7x swift-crypto, which
    // uses the SHA extensions; see the report in issue 19.)
    @inline(__always)
    static func bigSigma0(_ a: V) -> V { (((((a &>> 9) ^ a) &>> 11) ^ a) &>> 2) ^ (((((a &<< 11) ^ a) &<< 9) ^ a) &<< 10) }
    @inline(__always)
    static func bigSigma1(_ e: V) -> V { (((((e &>> 14) ^ e) &>> 5) ^ e) &>> 6) ^ (((((e &<< 5) ^ e) &<< 14) ^ e) &<< 7) }
    @inline(__always)
    static func smallSigma0(_ x: V) -> V { (((((x &>> 11) ^ x) &>> 4) ^ x) &>> 3) ^ (((x &<< 11) ^ x) &<< 14) }
    @inline(__always)
    static func smallSigma1(_ x: V) -> V { (((((x &>> 2) ^ x) &>> 7) ^ x) &>> 10) ^ (((x &<< 2) ^ x) &<< 13) }

    /// One compression (FIPS 180-4 §6.2.2) of the block in W[0..<16] into `h` (eight words).
    @inline(__always)
    func compress(_ h: inout [V]) {
        var s = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
        compress(&s)
        h = [s.0, s.1, s.2, s.3, s.4, s.5, s.6, s.7]
    }

    @inline(__always)
    func compress(_ h: inout (V, V, V, V, V, V, V, V), uniformRounds: Int = 0) {
        let k = constants, w = constants + 64
        for t in 16..<64 {
            w[t] = w[t - 16] &+ Self.smallSigma0(w[t - 15]) &+ w[t - 7] &+ Self.smallSigma1(w[t - 2])
        }
        var (a, b, c, d, e, f, g, hh) = h
        if uniformRounds > 0 {
            // Rounds 0 ..< uniformRounds see the same state and words in every lane: run them on
            // lane 0 with scalar rotations (one `ror` each), then broadcast.
            @inline(__always) func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
            var (sa, sb, sc, sd, se, sf, sg, sh) = (a[0], b[0], c[0], d[0], e[0], f[0], g[0], hh[0])
            for t in 0..<uniformRounds {
                let t1 = sh &+ (rotr(se, 6) ^ rotr(se, 11) ^ rotr(se, 25)) &+ (sg ^ (se & (sf ^ sg))) &+ k[t][0] &+ w[t][0]
                let t2 = (rotr(sa, 2) ^ rotr(sa, 13) ^ rotr(sa, 22)) &+ ((sa & sb) | (sc & (sa | sb)))
                sh = sg; sg = sf; sf = se; se = sd &+ t1
                sd = sc; sc = sb; sb = sa; sa = t1 &+ t2
            }
            (a, b, c, d) = (V(repeating: sa), V(repeating: sb), V(repeating: sc), V(repeating: sd))
            (e, f, g, hh) = (V(repeating: se), V(repeating: sf), V(repeating: sg), V(repeating: sh))
        }
        for t in uniformRounds..<64 {
            let choose = g ^ (e & (f ^ g))  // = (e ∧ f) ⊕ (¬e ∧ g)
            let t1 = hh &+ Self.bigSigma1(e) &+ choose &+ k[t] &+ w[t]
            let t2 = Self.bigSigma0(a) &+ ((a & b) | (c & (a | b)))  // Maj = (a∧b) ⊕ (a∧c) ⊕ (b∧c)
            hh = g; g = f; f = e; e = d &+ t1
            d = c; c = b; b = a; a = t1 &+ t2
        }
        h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e, h.5 &+ f, h.6 &+ g, h.7 &+ hh)
    }

    /// The buckets of the first `count` lanes: `sha256`, the 256-bit big-endian digest mod
    /// 10 000 by Horner's rule over 32-bit words (r·2³² + word < 2⁴⁷); `statsig`, the first 8
    /// bytes big-endian mod 10 000 — as `SaltedHasher.bucket(utf8:)`.
    @inline(__always)
    static func reduce(_ s: (V, V, V, V, V, V, V, V), scheme: HashScheme, count: Int, into out: UnsafeMutablePointer<UInt32>) {
        if scheme == .statsig {
            for lane in 0..<count { out[lane] = UInt32((UInt64(s.0[lane]) << 32 | UInt64(s.1[lane])) % 10_000) }
            return
        }
        for lane in 0..<count {
            var r = UInt64(s.0[lane]) % 10_000
            r = ((r << 32) | UInt64(s.1[lane])) % 10_000
            r = ((r << 32) | UInt64(s.2[lane])) % 10_000
            r = ((r << 32) | UInt64(s.3[lane])) % 10_000
            r = ((r << 32) | UInt64(s.4[lane])) % 10_000
            r = ((r << 32) | UInt64(s.5[lane])) % 10_000
            r = ((r << 32) | UInt64(s.6[lane])) % 10_000
            r = ((r << 32) | UInt64(s.7[lane])) % 10_000
            out[lane] = UInt32(r)
        }
    }

    /// The SHA-256 digests (32 bytes each) of `prefix + id` for up to eight ids: the lane-level
    /// entry point the tests compare with swift-crypto.
    static func digests(prefix: [UInt8], ids: [[UInt8]]) -> [[UInt8]] {
        precondition(ids.count <= 8)
        guard !ids.isEmpty else { return [] }
        return prefix.withUnsafeBytes { raw in
            let lanes = SHA256Lanes(prefix: raw, maxIDLength: ids.map(\.count).max() ?? 0)
            defer { lanes.deallocate() }
            var blocks = V()
            for lane in 0..<8 {
                let id = ids[Swift.min(lane, ids.count - 1)]
                id.withUnsafeBufferPointer { if let base = $0.baseAddress { lanes.idBytes(lane).update(from: base, count: id.count) } }
                blocks[lane] = UInt32(lanes.pad(lane: lane, idLength: id.count))
            }
            let s = lanes.digests(blocks: blocks)
            let words = [s.0, s.1, s.2, s.3, s.4, s.5, s.6, s.7]
            return (0..<ids.count).map { lane in words.flatMap { w in withUnsafeBytes(of: w[lane].bigEndian) { Array($0) } } }
        }
    }
}

// MARK: - The SHA-extension kernel path

extension SaltedHasher {
    /// `buckets(ofConsecutiveIDs:)` for sha256/statsig on `HashKernels.sha256CompressMany`:
    /// per run of ids of one length, the final blocks' template (the salt's rest, padding and
    /// length) is written once into every message slot. A slot's leading id bytes (the prefix
    /// byte and the digits of ⌊i / 100⌋) are rewritten only when its hundred changes; per id,
    /// only the last two digits are stored, computed from `i mod 100` (no load of bytes just
    /// written: an odometer's 1-byte store read back by a wider load stalled store-to-load
    /// forwarding, ≈ 8 ns per id in the harness's profile). Returns `false` (the caller then takes
    /// the portable lanes) if a kernel reports "unavailable".
    func kernelBuckets(ofConsecutiveIDs range: Range<Int>, prefix idPrefix: UInt8,
                       into base: UnsafeMutablePointer<UInt32>) -> Bool {
        prefix.withUnsafeBufferPointer { salt in
            guard let batch = SHA256KernelBatch(prefix: salt, maxIDLength: DecimalID.capacity) else { return false }
            defer { batch.deallocate() }
            var id = DecimalID(prefix: idPrefix, value: range.lowerBound)
            defer { id.deallocate() }
            // The hundred whose leading bytes each slot holds (-1: none yet in this segment).
            let slotHundred = UnsafeMutablePointer<Int>.allocate(capacity: SHA256KernelBatch.slots)
            defer { slotHundred.deallocate() }
            var i = range.lowerBound, k = 0
            while i < range.upperBound {
                id.set(i)
                var idHundred = i / 100  // `id` holds this hundred's leading bytes
                let length = id.length
                let segmentEnd = Swift.min(range.upperBound, id.nextLengthChange)
                let blocks = batch.prepareTemplate(idLength: length)
                slotHundred.initialize(repeating: -1, count: SHA256KernelBatch.slots)
                while i < segmentEnd {
                    let n = Swift.min(SHA256KernelBatch.slots, segmentEnd - i)
                    for m in 0..<n {
                        let v = i + m, p = batch.idBytes(slot: m, blocks: blocks)
                        if length == 2 {  // "u0" … "u9"
                            p[0] = idPrefix
                            p[1] = UInt8(truncatingIfNeeded: 48 + v)
                        } else {
                            let hundred = v / 100, last2 = v - 100 * hundred
                            if slotHundred[m] != hundred {
                                if idHundred != hundred { id.set(v); idHundred = hundred }
                                SHA256KernelBatch.copy(id.bytes, to: p, count: length - 2)
                                slotHundred[m] = hundred
                            }
                            // ⌊s/10⌋ = ⌊s·205 / 2¹¹⌋ for s < 1 029 (checked in the tests); s < 100.
                            let tens = (last2 &* 205) &>> 11, ones = last2 &- 10 &* tens
                            let pair = UInt16(truncatingIfNeeded: 48 + tens) | UInt16(truncatingIfNeeded: 48 + ones) << 8
                            UnsafeMutableRawPointer(p + length - 2).storeBytes(of: pair.littleEndian, as: UInt16.self)
                        }
                    }
                    guard batch.compress(messages: n, blocks: blocks) else { return false }
                    for m in 0..<n { base[k + m] = batch.bucket(slot: m, scheme: scheme) }
                    i += n; k += n
                }
            }
            return true
        }
    }

    /// `buckets(packedUTF8:)` for sha256/statsig on the kernel: consecutive ids with the same
    /// number of final blocks are compressed together (up to `SHA256KernelBatch.slots`).
    /// Returns `false` if a kernel reports "unavailable".
    func kernelBuckets(packed start: UnsafePointer<UInt8>, offsets: UnsafeBufferPointer<Int>, count: Int,
                       longest: Int, into base: UnsafeMutablePointer<UInt32>) -> Bool {
        prefix.withUnsafeBufferPointer { salt in
            guard let batch = SHA256KernelBatch(prefix: salt, maxIDLength: longest) else { return false }
            defer { batch.deallocate() }
            var k = 0
            while k < count {
                let blocks = batch.blockCount(idLength: offsets[k + 1] - offsets[k])
                var n = 0
                while k + n < count && n < SHA256KernelBatch.slots
                    && batch.blockCount(idLength: offsets[k + n + 1] - offsets[k + n]) == blocks {
                    batch.writeMessage(slot: n, blocks: blocks, id: start + offsets[k + n], length: offsets[k + n + 1] - offsets[k + n])
                    n += 1
                }
                guard batch.compress(messages: n, blocks: blocks) else { return false }
                for m in 0..<n { base[k + m] = batch.bucket(slot: m, scheme: scheme) }
                k += n
            }
            return true
        }
    }
}

/// Message slots for `HashKernels.sha256CompressMany`: up to `slots` messages that all start
/// with one prefix (salt + separator). The prefix's whole 64-byte blocks are compressed once at
/// construction (the midstate); slot m then holds the final blocks — the prefix's rest, the id,
/// and the padding of FIPS 180-4 §5.1.1 (0x80, zeros, the message length in bits as a 64-bit
/// big-endian integer) — at `64 · blocks · m`. A local value; call `deallocate()`.
struct SHA256KernelBatch {
    /// 16: enough for the kernel's groups of four, and few template copies per block of ids
    /// (with 64, the 63 slot copies of `prepareTemplate` cost ≈ 2.5 ns per id of a 256-id block).
    static let slots = 16
    let midstate: UnsafeMutablePointer<UInt32>
    let states: UnsafeMutablePointer<UInt32>
    let buffer: UnsafeMutablePointer<UInt8>
    /// The prefix's bytes after its whole blocks.
    let rest: UnsafeMutablePointer<UInt8>
    let remainder: Int
    let prefixLength: Int

    /// `nil` if the SHA kernel is unavailable (nothing left allocated).
    init?(prefix: UnsafeBufferPointer<UInt8>, maxIDLength: Int) {
        prefixLength = prefix.count
        remainder = prefix.count % 64
        let whole = prefix.count / 64
        midstate = .allocate(capacity: 8)
        midstate.initialize(from: [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19],
                            count: 8)  // H⁽⁰⁾, FIPS 180-4 §5.3.3
        states = .allocate(capacity: 8 * Self.slots)
        buffer = .allocate(capacity: Self.slots * 64 * ((remainder + maxIDLength + 9 + 63) / 64))
        rest = .allocate(capacity: Swift.max(remainder, 1))
        if let start = prefix.baseAddress {
            rest.initialize(from: start + 64 * whole, count: remainder)
            if whole > 0 && !HashKernels.sha256Compress(state: midstate, blocks: start, count: whole) {
                deallocate()
                return nil
            }
        }
    }

    func deallocate() {
        midstate.deallocate(); states.deallocate(); buffer.deallocate(); rest.deallocate()
    }

    /// The number of final blocks after an id of `idLength` bytes.
    @inline(__always)
    func blockCount(idLength: Int) -> Int { (remainder + idLength + 9 + 63) / 64 }

    /// Where slot `slot`'s id bytes go, with `blocks` final blocks per message.
    @inline(__always)
    func idBytes(slot: Int, blocks: Int) -> UnsafeMutablePointer<UInt8> { buffer + 64 * blocks * slot + remainder }

    /// Copies `count` < 32 bytes with at most five unaligned loads and stores (a `memmove` call
    /// per id of 6–8 bytes cost ≈ 5 ns per id in the harness's profile).
    @inline(__always)
    static func copy(_ source: UnsafePointer<UInt8>, to target: UnsafeMutablePointer<UInt8>, count: Int) {
        precondition(count < 32, "SHA256KernelBatch.copy: at most 31 bytes")
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(target)
        var o = 0
        if count & 16 != 0 {
            to.storeBytes(of: from.loadUnaligned(as: UInt64.self), as: UInt64.self)
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
            o = 16
        }
        if count & 8 != 0 { to.storeBytes(of: from.loadUnaligned(fromByteOffset: o, as: UInt64.self), toByteOffset: o, as: UInt64.self); o += 8 }
        if count & 4 != 0 { to.storeBytes(of: from.loadUnaligned(fromByteOffset: o, as: UInt32.self), toByteOffset: o, as: UInt32.self); o += 4 }
        if count & 2 != 0 { to.storeBytes(of: from.loadUnaligned(fromByteOffset: o, as: UInt16.self), toByteOffset: o, as: UInt16.self); o += 2 }
        if count & 1 != 0 { target[o] = source[o] }
    }

    /// Writes the prefix's rest and the padding for an id of `idLength` bytes into every slot
    /// (the ids then only overwrite their own bytes); returns the number of final blocks.
    func prepareTemplate(idLength: Int) -> Int {
        let blocks = blockCount(idLength: idLength)
        writeMessage(slot: 0, blocks: blocks, id: nil, length: idLength)
        for m in 1..<Self.slots { (buffer + 64 * blocks * m).update(from: buffer, count: 64 * blocks) }
        return blocks
    }

    /// Writes a whole message's final blocks into `slot`: the prefix's rest, `length` id bytes
    /// from `id` (left as they are when `id` is `nil`), the padding and the length.
    func writeMessage(slot: Int, blocks: Int, id: UnsafePointer<UInt8>?, length: Int) {
        let p = buffer + 64 * blocks * slot, end = remainder + length, total = 64 * blocks
        p.update(from: rest, count: remainder)
        if let id { (p + remainder).update(from: id, count: length) }
        p[end] = 0x80
        (p + end + 1).update(repeating: 0, count: total - 8 - end - 1)
        var bits = UInt64(prefixLength + length) &* 8
        for b in stride(from: total - 1, through: total - 8, by: -1) {
            p[b] = UInt8(truncatingIfNeeded: bits)
            bits >>= 8
        }
    }

    /// Compresses slots 0 ..< `messages` from the midstate; `false` if the kernel is unavailable.
    func compress(messages: Int, blocks: Int) -> Bool {
        HashKernels.sha256CompressMany(from: midstate, states: states, blocks: buffer, messages: messages, blocksPerMessage: blocks)
    }

    /// 2^(32·(7 − j)) mod 10 000 for j = 0 … 7: the weight, mod 10 000, of digest word H_j in
    /// the 256-bit big-endian digest (2³² mod 10⁴ = 7 296; each entry is the next one × 7 296
    /// mod 10⁴).
    static let wordWeights: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
        (9_216, 2_896, 2_976, 1_456, 336, 1_616, 7_296, 1)

    /// The bucket of slot `slot`'s digest (words H₀ … H₇, each big-endian in the digest), as
    /// `SaltedHasher.bucket(utf8:)`: `statsig`, the first 8 bytes big-endian mod 10 000;
    /// `sha256`, the 256-bit big-endian digest mod 10 000, here Σⱼ H_j·(2^(32·(7−j)) mod 10⁴)
    /// mod 10⁴ — congruent to the digest mod 10⁴ term by term, and the sum is < 8·2³²·10⁴ < 2⁴⁹,
    /// so one division instead of Horner's eight dependent ones (the tests compare both).
    @inline(__always)
    func bucket(slot: Int, scheme: HashScheme) -> UInt32 {
        let h = states + 8 * slot
        if scheme == .statsig { return UInt32((UInt64(h[0]) << 32 | UInt64(h[1])) % 10_000) }
        let c = Self.wordWeights
        let sum = UInt64(h[0]) * c.0 + UInt64(h[1]) * c.1 + UInt64(h[2]) * c.2 + UInt64(h[3]) * c.3
            + UInt64(h[4]) * c.4 + UInt64(h[5]) * c.5 + UInt64(h[6]) * c.6 + UInt64(h[7]) * c.7
        return UInt32(sum % 10_000)
    }
}
