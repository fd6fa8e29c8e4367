import Foundation
import Testing
@testable import Distributions

/// SplitMix64 (Steele, Lea & Flood 2014): fixed-seed blocks, states and salts.
private struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// A textbook SHA-256 compression (FIPS 180-4 §6.2.2, plain rotations, one word at a time): the
/// independent reference the kernel is checked against.
private func referenceCompress(_ h: inout [UInt32], _ block: ArraySlice<UInt8>) {
    let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]
    func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
    let bytes = Array(block)
    var w = [UInt32](repeating: 0, count: 64)
    for t in 0..<16 {
        w[t] = UInt32(bytes[4 * t]) << 24 | UInt32(bytes[4 * t + 1]) << 16 | UInt32(bytes[4 * t + 2]) << 8 | UInt32(bytes[4 * t + 3])
    }
    for t in 16..<64 {
        let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
        let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
        w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
    }
    var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
    for t in 0..<64 {
        let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[t] &+ w[t]
        let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
        hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
    }
    for (j, x) in [a, b, c, d, e, f, g, hh].enumerated() { h[j] = h[j] &+ x }
}

/// H⁽⁰⁾ (FIPS 180-4 §5.3.3).
private let initialState: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]

/// FIPS 180-4 §5.1.1 padding: 0x80, zeros, the length in bits as a 64-bit big-endian integer.
private func padded(_ message: [UInt8]) -> [UInt8] {
    var m = message + [0x80]
    while m.count % 64 != 56 { m.append(0) }
    let bits = UInt64(message.count) * 8
    for s in stride(from: 56, through: 0, by: -8) { m.append(UInt8(truncatingIfNeeded: bits >> UInt64(s))) }
    return m
}

private func hex(_ words: [UInt32]) -> String { words.map { String(format: "%08x", $0) }.joined() }

/// A straightforward GrowthBook v2 bucket (FNV-1a 32 over the id's digits written by `String`,
/// then over the decimal string of the inner hash), the reference for the AVX2 kernel.
private func referenceGrowthbookV2(afterSalt: UInt32, prefix: UInt8, id: Int) -> UInt32 {
    var inner = afterSalt
    for byte in [prefix] + Array(String(id).utf8) { inner = (inner ^ UInt32(byte)) &* 16_777_619 }
    var outer: UInt32 = 2_166_136_261
    for byte in String(inner).utf8 { outer = (outer ^ UInt32(byte)) &* 16_777_619 }
    return outer % 10_000
}

@Suite struct HashKernelsTests {
    /// The CPU check agrees with the kernel's own `/proc/cpuinfo` flags (Linux; an independent
    /// source), and a disabled or missing kernel reports "unavailable" without touching its output.
    @Test func detectionMatchesCPUInfoAndUnavailableKernelsDoNothing() throws {
        if !HashKernels.disabledByEnvironment, let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) {
            let set = Set(flags.split(separator: " ").map(String.init))
            #expect(HashKernels.shaExtensions == (set.contains("sha_ni") && set.contains("sse4_1")))
            #expect(HashKernels.avx2 == set.contains("avx2"))
        }
        var state = initialState, out = [UInt32](repeating: 77, count: 4)
        let block = padded(Array("abc".utf8))
        let done = block.withUnsafeBufferPointer { b in
            state.withUnsafeMutableBufferPointer { HashKernels.sha256Compress(state: $0.baseAddress!, blocks: b.baseAddress!, count: 1) }
        }
        #expect(done == HashKernels.shaExtensions)
        #expect((state == initialState) == !done)
        let gbDone = out.withUnsafeMutableBufferPointer {
            HashKernels.growthbookV2Buckets(afterSalt: 1, prefix: UInt8(ascii: "u"), first: 0, count: 4, into: $0.baseAddress!)
        }
        #expect(gbDone == HashKernels.avx2)
        #expect((out == [77, 77, 77, 77]) == !gbDone)
    }

    /// FIPS 180-4 / NIST example digests: "abc" (one block), the 448-bit message (two blocks:
    /// the padding spills), the 896-bit message, and one million "a" (15 625 blocks).
    @Test(arguments: [
        ("abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 1,
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
        ("a", 1_000_000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
    ])
    func compressGivesTheFIPSDigests(_ text: String, _ repeats: Int, _ digest: String) throws {
        try #require(HashKernels.shaExtensions, "no SHA extensions here (or SPLITBENCH_NO_CPU_KERNELS=1): nothing to test")
        let message = padded(Array(String(repeating: text, count: repeats).utf8))
        var state = initialState
        var reference = initialState
        for b in stride(from: 0, to: message.count, by: 64) where repeats == 1 { referenceCompress(&reference, message[b..<b + 64]) }
        let done = message.withUnsafeBufferPointer { b in
            state.withUnsafeMutableBufferPointer {
                HashKernels.sha256Compress(state: $0.baseAddress!, blocks: b.baseAddress!, count: message.count / 64)
            }
        }
        #expect(done)
        #expect(hex(state) == digest)
        if repeats == 1 { #expect(hex(reference) == digest) }  // the reference itself is right
    }

    /// Random states and blocks, 1 to 9 messages (every mix of the 4-, 2- and 1-message paths) of
    /// 1 to 3 blocks: `sha256CompressMany` and `sha256Compress` equal the textbook compression.
    @Test func compressManyEqualsTheTextbookCompression() throws {
        try #require(HashKernels.shaExtensions, "no SHA extensions here (or SPLITBENCH_NO_CPU_KERNELS=1): nothing to test")
        var g = SplitMix(state: 1804)
        for round in 0..<60 {
            let messages = 1 + round % 9, blocks = 1 + g.below(3)
            var states = (0..<(8 * messages)).map { _ in UInt32(truncatingIfNeeded: g.next()) }
            let data = (0..<(64 * blocks * messages)).map { _ in UInt8(truncatingIfNeeded: g.next()) }
            var expected = states
            for m in 0..<messages {
                var h = Array(expected[(8 * m)..<(8 * m + 8)])
                for b in 0..<blocks { referenceCompress(&h, data[(64 * (blocks * m + b))..<(64 * (blocks * m + b + 1))]) }
                expected.replaceSubrange((8 * m)..<(8 * m + 8), with: h)
            }
            var single = states
            // From a shared initial state: every message starts from message 0's state.
            let initial = Array(states[0..<8])
            var expectedShared = [UInt32]()
            for m in 0..<messages {
                var h = initial
                for b in 0..<blocks { referenceCompress(&h, data[(64 * (blocks * m + b))..<(64 * (blocks * m + b + 1))]) }
                expectedShared += h
            }
            var shared = [UInt32](repeating: 0, count: 8 * messages)
            data.withUnsafeBufferPointer { d in
                states.withUnsafeMutableBufferPointer {
                    #expect(HashKernels.sha256CompressMany(states: $0.baseAddress!, blocks: d.baseAddress!, messages: messages, blocksPerMessage: blocks))
                }
                initial.withUnsafeBufferPointer { i in
                    shared.withUnsafeMutableBufferPointer {
                        #expect(HashKernels.sha256CompressMany(from: i.baseAddress!, states: $0.baseAddress!, blocks: d.baseAddress!,
                                                               messages: messages, blocksPerMessage: blocks))
                    }
                }
                single.withUnsafeMutableBufferPointer { s in
                    for m in 0..<messages {
                        #expect(HashKernels.sha256Compress(state: s.baseAddress! + 8 * m, blocks: d.baseAddress! + 64 * blocks * m, count: blocks))
                    }
                }
            }
            #expect(states == expected, "\(messages) messages × \(blocks) blocks")
            #expect(single == expected, "\(messages) messages × \(blocks) blocks, one at a time")
            #expect(shared == expectedShared, "\(messages) messages × \(blocks) blocks from one initial state")
        }
    }

    /// The AVX2 GrowthBook v2 kernel equals the straightforward FNV-1a, id by id, for ranges
    /// crossing 9→10, 99→100, 99 999→100 000 and 10¹⁸, odd lengths (partial lane groups), prefixes
    /// other than "u", and random salt states.
    @Test func growthbookV2KernelEqualsScalarFNV() throws {
        try #require(HashKernels.avx2, "no AVX2 here (or SPLITBENCH_NO_CPU_KERNELS=1): nothing to test")
        var g = SplitMix(state: 2)
        let starts = [0, 3, 95, 990, 99_990, 123_457, 9_999_999_990, 999_999_999_999_999_990, Int.max - 300]
        for start in starts {
            for _ in 0..<3 {
                let afterSalt = UInt32(truncatingIfNeeded: g.next()), count = 1 + g.below(300)
                let prefix: UInt8 = g.below(2) == 0 ? UInt8(ascii: "u") : UInt8(0x21 + g.below(94))
                var out = [UInt32](repeating: .max, count: count)
                let done = out.withUnsafeMutableBufferPointer {
                    HashKernels.growthbookV2Buckets(afterSalt: afterSalt, prefix: prefix, first: start, count: count, into: $0.baseAddress!)
                }
                #expect(done)
                let expected = (0..<count).map { referenceGrowthbookV2(afterSalt: afterSalt, prefix: prefix, id: start + $0) }
                #expect(out == expected, "start \(start), count \(count)")
            }
        }
    }
}
