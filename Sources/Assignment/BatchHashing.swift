// Batched (multi-lane) bucketing of many unit ids under one salt (issue #19, "Performance to
// the floor"). Results are identical, id by id, to `SaltedHasher.bucket(utf8:)`; only the
// schedule differs: eight ids are hashed at once in the lanes of `SIMD8<UInt32>`, which the
// compiler maps to SSE2/NEON registers on any x86-64 or arm64 CPU, so no CPU-feature check or
// fallback is needed. Schemes without a lane path (growthbook_v1, eppo, optimizely) loop over
// the scalar `bucket(utf8:)`.

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
    ///   the digits the 8 ids share computed once.
    /// - other schemes: the scalar loop.
    ///
    /// Precondition: `out.count >= range.count`.
    public func buckets(ofConsecutiveIDs range: Range<Int>, prefix: UInt8 = UInt8(ascii: "u"),
                        into out: UnsafeMutableBufferPointer<UInt32>) {
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
        let id = DecimalID(prefix: prefix, value: range.lowerBound)
        switch scheme {
        case .sha256, .statsig:
            self.prefix.withUnsafeBytes { saltPrefix in
                let lanes = SHA256Lanes(prefix: saltPrefix, maxIDLength: DecimalID.capacity)
                defer { lanes.deallocate() }
                var i = range.lowerBound, k = 0
                while i < range.upperBound {
                    let length = id.length
                    let segmentEnd = Swift.min(range.upperBound, id.nextLengthChange)
                    let blocks = lanes.pad(idLength: length)  // same length in every lane: pad once
                    while i < segmentEnd {
                        let n = Swift.min(8, segmentEnd - i)
                        for lane in 0..<8 {
                            lanes.idBytes(lane).update(from: id.bytes, count: length)
                            if lane < n - 1 { id.increment() }
                        }
                        id.increment()  // to the first id of the next group
                        let state = lanes.digests(blocks: blocks)
                        SHA256Lanes.reduce(state, scheme: scheme, count: n, into: base + k)
                        i += n; k += n
                    }
                }
            }
        case .growthbookV2:
            var i = range.lowerBound, k = 0
            while i < range.upperBound {
                let segmentEnd = Swift.min(range.upperBound, id.nextLengthChange)
                while i < segmentEnd {
                    let n = Swift.min(8, segmentEnd - i)
                    growthbookV2Group(first: i, count: n, id: id, into: base + k)
                    id.advance(by: n)
                    i += n; k += n
                }
            }
        default:
            for k in 0..<range.count {
                base[k] = bucket(utf8: UnsafeBufferPointer(start: id.bytes, count: id.length))
                id.increment()
            }
        }
    }

    /// Writes into `out[k]` the bucket of the id whose UTF-8 bytes are
    /// `bytes[offsets[k] ..< offsets[k + 1]]`, for `k` in `0 ..< offsets.count - 1`; equal element
    /// by element to `bucket(utf8:)`. SHA-256 and statsig hash eight ids at a time (any lengths:
    /// a lane with fewer blocks keeps its state while the others finish); other schemes loop.
    ///
    /// Preconditions: `offsets` is non-decreasing within `bytes`, `out.count >= offsets.count - 1`.
    public func buckets(packedUTF8 bytes: UnsafeBufferPointer<UInt8>, offsets: UnsafeBufferPointer<Int>,
                        into out: UnsafeMutableBufferPointer<UInt32>) {
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

    /// growthbook_v2 for the `count` ≤ 8 consecutive ids starting at `first`, all of `id.length`
    /// bytes, `id` holding the first. Inner FNV: the state after the salt, the prefix byte and the
    /// leading digits the ids share is computed once; each lane absorbs the t trailing digits.
    @inline(__always)
    func growthbookV2Group(first: Int, count: Int, id: DecimalID, into out: UnsafeMutablePointer<UInt32>) {
        typealias V = SIMD8<UInt32>
        let last = first + count - 1
        // t = the number of trailing digits in which the ids differ (at least 1).
        var t = 1, p = 10
        while first / p != last / p { t += 1; p &*= 10 }
        guard t <= 9 else {  // ≥ 10⁹ apart within 8 ids: impossible unless ids near Int.max
            for lane in 0..<count {
                var bytes = [id.bytes[0]]
                bytes.append(contentsOf: String(first + lane).utf8)
                out[lane] = bytes.withUnsafeBufferPointer { bucket(utf8: $0) }
            }
            return
        }
        var common = fnvAfterSalt
        for j in 0..<(id.length - t) { common.combine(codeUnit: UInt16(id.bytes[j])) }
        let offset = (first / p) &* p
        var s = V()  // the trailing t digits of each id as a number < 10^t
        for lane in 0..<8 { s[lane] = UInt32(truncatingIfNeeded: first + Swift.min(lane, count - 1) - offset) }
        var inner = V(repeating: common.value)
        let prime = V(repeating: FNV1a32.prime), zero = V(repeating: 0x30)
        if t == 1 {
            inner = (inner ^ (zero &+ s)) &* prime
        } else {
            // Digits most significant first: digit j (from the left) = (s / 10^(t-1-j)) % 10.
            var digits = (V(), V(), V(), V(), V(), V(), V(), V(), V())
            withUnsafeMutableBytes(of: &digits) { raw in
                let d = raw.bindMemory(to: V.self)
                var q = s
                for j in stride(from: t - 1, through: 0, by: -1) {
                    let next = Self.divideBy10(q)
                    d[j] = q &- next &* 10
                    q = next
                }
                for j in 0..<t { inner = (inner ^ (zero &+ d[j])) &* prime }
            }
        }
        // Outer FNV over the decimal digits of inner (1 to 10 digits, no leading zeros): the
        // quotients q_k = ⌊inner / 10^k⌋, k = 0…10 (q₁₀ = 0 as inner < 2³² < 10¹⁰); digit k is
        // q_k − 10·q_{k+1}, present iff k = 0 or q_k ≠ 0; absorbed most significant first.
        var quotients = (V(), V(), V(), V(), V(), V(), V(), V(), V(), V(), V())
        var outer = V(repeating: FNV1a32.offsetBasis)
        withUnsafeMutableBytes(of: &quotients) { raw in
            let q = raw.bindMemory(to: V.self)
            q[0] = inner
            for k in 1..<10 { q[k] = Self.divideBy10(q[k - 1]) }
            q[10] = V()
            for k in Swift.stride(from: 9, through: 1, by: -1) {
                let absorbed = (outer ^ (zero &+ (q[k] &- q[k + 1] &* 10))) &* prime
                outer.replace(with: absorbed, where: q[k] .!= 0)
            }
            outer = (outer ^ (zero &+ (q[0] &- q[1] &* 10))) &* prime
        }
        for lane in 0..<count { out[lane] = outer[lane] % 10_000 }
    }

    /// ⌊x / 10⌋ in each lane, exactly, for every x < 2³²: ⌊x · m / 2³⁵⌋ with
    /// m = ⌈2³⁵ / 10⌉ = 0xCCCCCCCD. Proof (Granlund & Montgomery 1994, Thm 4.2): m·10 = 2³⁵ + 2,
    /// so x·m / 2³⁵ = x/10 + 2x / (10·2³⁵); with x = 10q + r, r ≤ 9, the fractional part is
    /// (r + 2x/2³⁵) / 10 < (9 + 2⁻²) / 10 < 1, so the floor is q. x·m < 2⁶⁴: no overflow.
    @inline(__always)
    static func divideBy10(_ x: SIMD8<UInt32>) -> SIMD8<UInt32> {
        let wide = SIMD8<UInt64>(truncatingIfNeeded: x) &* 0xCCCC_CCCD
        return SIMD8<UInt32>(truncatingIfNeeded: wide &>> 35)
    }
}

/// The id `prefix` + decimal digits of a non-negative integer, in ASCII, as a byte odometer
/// (the same bytes the harness's id buffer writes).
@usableFromInline
final class DecimalID {
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

    deinit { bytes.deallocate() }

    func set(_ value: Int) {
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
    func increment() {
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

    func advance(by n: Int) {
        if n <= 16 {
            for _ in 0..<n { increment() }
        } else {
            set(value + n)
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

    /// K broadcast to all lanes (64), then the message schedule W (64).
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
        constants = .allocate(capacity: 128)
        buffers = .allocate(capacity: 8 * stride)
        buffers.initialize(repeating: 0, count: 8 * stride)
        for (i, k) in Self.roundConstants.enumerated() { (constants + i).initialize(to: V(repeating: k)) }
        (constants + 64).initialize(repeating: V(), count: 64)
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

    /// The SHA-256 state after the final blocks when every lane has `blocks` of them: element
    /// j of the result is digest word j (big-endian) of each lane.
    @inline(__always)
    func digests(blocks: Int) -> (V, V, V, V, V, V, V, V) {
        digests(blocks: V(repeating: UInt32(blocks)))
    }

    /// The SHA-256 state after each lane's own number of final blocks.
    func digests(blocks: V) -> (V, V, V, V, V, V, V, V) {
        let m = midstate
        var state = (V(repeating: m[0]), V(repeating: m[1]), V(repeating: m[2]), V(repeating: m[3]),
                     V(repeating: m[4]), V(repeating: m[5]), V(repeating: m[6]), V(repeating: m[7]))
        let most = Int(blocks.max())
        let uniform = blocks.min() == blocks.max()
        let w = constants + 64
        for b in 0..<most {
            for j in 0..<16 {
                let p = UnsafeRawPointer(buffers + 64 * b + 4 * j)
                w[j] = V(UInt32(bigEndian: p.loadUnaligned(as: UInt32.self)),
                         UInt32(bigEndian: p.loadUnaligned(fromByteOffset: stride, as: UInt32.self)),
                         UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 2 * stride, as: UInt32.self)),
                         UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 3 * stride, as: UInt32.self)),
                         UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4 * stride, as: UInt32.self)),
                         UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 5 * stride, as: UInt32.self)),
                         UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 6 * stride, as: UInt32.self)),
                         UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 7 * stride, as: UInt32.self)))
            }
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

    @inline(__always)
    static func rotr(_ x: V, _ n: UInt32) -> V { (x &>> n) | (x &<< (32 &- n)) }

    /// One compression (FIPS 180-4 §6.2.2) of the block in W[0..<16] into `h` (eight words).
    @inline(__always)
    func compress(_ h: inout [V]) {
        var s = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
        compress(&s)
        h = [s.0, s.1, s.2, s.3, s.4, s.5, s.6, s.7]
    }

    @inline(__always)
    func compress(_ h: inout (V, V, V, V, V, V, V, V)) {
        let k = constants, w = constants + 64
        for t in 16..<64 {
            let w15 = w[t - 15], w2 = w[t - 2]
            let s0 = Self.rotr(w15, 7) ^ Self.rotr(w15, 18) ^ (w15 &>> 3)
            let s1 = Self.rotr(w2, 17) ^ Self.rotr(w2, 19) ^ (w2 &>> 10)
            w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, hh) = h
        for t in 0..<64 {
            let sigma1 = Self.rotr(e, 6) ^ Self.rotr(e, 11) ^ Self.rotr(e, 25)
            let choose = (e & f) ^ (~e & g)
            let t1 = hh &+ sigma1 &+ choose &+ k[t] &+ w[t]
            let sigma0 = Self.rotr(a, 2) ^ Self.rotr(a, 13) ^ Self.rotr(a, 22)
            let majority = (a & b) ^ (a & c) ^ (b & c)
            hh = g; g = f; f = e; e = d &+ t1
            d = c; c = b; b = a; a = t1 &+ sigma0 &+ majority
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
