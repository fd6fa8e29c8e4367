// Release-mode micro-benchmarks, run by scripts/bench-*. Prints figures; asserts nothing, except
// `hash-batch --verify`, which exits 1 when the batched buckets (CPU kernels and portable
// lanes) differ from the scalar ones.
// Usage: splitbench-bench distributions [--draws N]
//        splitbench-bench hash-floor [--units N] [--replications R] [--scheme sha256|growthbook_v2] [--tsv]
//        splitbench-bench hash-batch [--units N] [--replications R] [--block B] [--scheme S] | --verify [--keys K]
import Assignment
import Distributions
import Foundation

/// Times `body` over `count` iterations, 5 repeats, and returns the median ns per iteration.
/// `body` returns a value that is summed so the optimiser cannot drop the work.
@inline(__always)
func nsPer(_ count: Int, _ body: () -> Double) -> (ns: Double, sink: Double) {
    var samples: [Double] = []
    var sink = 0.0
    let clock = ContinuousClock()
    for _ in 0..<5 {
        let start = clock.now
        var acc = 0.0
        for _ in 0..<count { acc += body() }
        let elapsed = start.duration(to: clock.now)
        sink += acc
        let ns = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        samples.append(ns / Double(count))
    }
    samples.sort()
    return (samples[2], sink)
}

func benchDistributions(draws: Int) throws {
    let s = RandomStream(seed: 1, 2, 3)
    let normal = try Normal(mu: 0, sigma: 1)
    let bern = try Bernoulli(p: 0.1)
    let binom = try Binomial(n: 1000, p: 0.1)
    let lognormal = try LogNormal(mu: 1, sigma: 1.2)
    let beta = try BetaDistribution(a: 2, b: 5)
    let chi1 = try ChiSquared(nu: 1)
    print("splitbench-bench distributions: \(draws) draws, median of 5 runs, 1 thread")
    print("| operation | ns per call |")
    print("| --- | ---: |")
    var sink = 0.0
    func row(_ name: String, _ r: (ns: Double, sink: Double)) {
        sink += r.sink
        print("| \(name) | \(String(format: "%.1f", r.ns)) |")
    }
    // Each call site passes its own closure literal so the timed loop is specialised and the
    // draw is inlined where it can be (no indirect call through a stored closure).
    row("uniform (inline xoshiro256**)", nsPer(draws) { s.uniform() })
    let taus2 = try GSLBuiltinGenerator(.taus2, seed: 1), mt = try GSLBuiltinGenerator(.mt19937, seed: 1)
    let gslStream = RandomStream(seed: 1, 9)
    row("uniform, xoshiro256** through gsl_rng_uniform", nsPer(draws) { gslStream.gslUniform() })
    row("uniform, GSL taus2 (for comparison)", nsPer(draws) { taus2.uniform() })
    row("uniform, GSL mt19937 (for comparison)", nsPer(draws) { mt.uniform() })
    row("normal (GSL ziggurat)", nsPer(draws) { normal.sample(using: s) })
    row("bernoulli(0.1) (inline)", nsPer(draws) { bern.sample(using: s) ? 1 : 0 })
    row("binomial(1000, 0.1) (GSL BTPE)", nsPer(draws) { Double(binom.sample(using: s)) })
    row("lognormal(1, 1.2) (GSL)", nsPer(draws) { lognormal.sample(using: s) })
    row("beta(2, 5) (GSL)", nsPer(draws) { beta.sample(using: s) })
    row("stream creation (seed + path of 3)", nsPer(draws / 10) { Double(RandomStream(seed: 42, 7, 11, 13).key & 1) })
    row("GSL mt19937 allocation + seeding (for comparison)", nsPer(draws / 100) { (try? GSLBuiltinGenerator(.mt19937, seed: 5))?.uniform() ?? 0 })
    row("normal quantile (GSL)", nsPer(draws / 10) { (try? Normal.standard.quantile(0.975)) ?? 0 })
    row("chi-squared(1) survival (GSL)", nsPer(draws / 10) { chi1.sf(3.84) })
    if sink == 42 { print("") }  // keeps the work observable
}

/// The floor of one A/A unit-replication (issue 5: "per unit-replication cost within 1.5× of
/// hash + one draw"): for `replications` salts `bench.aa-100k/0/<r>` and units `u0 … u<N-1>`,
/// `SaltedHasher.bucket(utf8:)` on the id's bytes plus one `RandomStream.uniform()`, tallied
/// into control/treatment conversions so the work is observable. Three rows per scheme:
/// hash only; hash + one draw (the floor: ids precomputed into one byte buffer); and hash + one
/// draw with each id's digits written into a reused buffer per unit, as the harness does.
/// Median of 5 runs, 1 thread, ns per unit-replication.
func benchHashFloor(units: Int, replications: Int, schemes: [HashScheme], tsv: Bool) {
    // All ids "u<i>" back to back, with their offsets.
    var ids: [UInt8] = []
    var offsets = [0]
    for i in 0..<units {
        ids.append(contentsOf: Array("u\(i)".utf8))
        offsets.append(ids.count)
    }
    let clock = ContinuousClock()
    func median(_ body: () -> Int) -> (ns: Double, sink: Int) {
        var samples: [Double] = []
        var sink = 0
        for _ in 0..<5 {
            let start = clock.now
            sink &+= body()
            let d = start.duration(to: clock.now)
            let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            samples.append(s * 1e9 / Double(units * replications))
        }
        samples.sort()
        return (samples[2], sink)
    }
    if !tsv {
        print("splitbench-bench hash-floor: \(units) units x \(replications) replications, median of 5 runs, 1 thread")
        print("| scheme | operation | ns per unit-replication |")
        print("| --- | --- | ---: |")
    }
    var sink = 0
    for scheme in schemes {
        let hashers = (0..<replications).map { SaltedHasher(scheme: scheme, salt: "bench.aa-100k/0/\($0)") }
        let hashOnly = median {
            var acc = 0
            ids.withUnsafeBufferPointer { all in
                for h in hashers {
                    for i in 0..<units {
                        acc &+= Int(h.bucket(utf8: UnsafeBufferPointer(rebasing: all[offsets[i]..<offsets[i + 1]])))
                    }
                }
            }
            return acc
        }
        let floor = median {
            var acc = 0
            ids.withUnsafeBufferPointer { all in
                for (r, h) in hashers.enumerated() {
                    let s = RandomStream(seed: 20_261_121, 1, UInt64(r))
                    var xc = 0, xt = 0, nc = 0
                    for i in 0..<units {
                        let b = h.bucket(utf8: UnsafeBufferPointer(rebasing: all[offsets[i]..<offsets[i + 1]]))
                        let y = s.uniform() < 0.1 ? 1 : 0
                        let c = b < 5_000 ? 1 : 0
                        nc &+= c; xc &+= c & y; xt &+= (1 &- c) & y
                    }
                    acc &+= nc &+ xc &* 3 &+ xt &* 7
                }
            }
            return acc
        }
        let withIDs = median {
            var acc = 0
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 24)
            defer { buffer.deallocate() }
            buffer[0] = UInt8(ascii: "u")
            for (r, h) in hashers.enumerated() {
                let s = RandomStream(seed: 20_261_121, 1, UInt64(r))
                var xc = 0, xt = 0, nc = 0
                for i in 0..<units {
                    var digits = 0, v = i
                    repeat { digits += 1; v /= 10 } while v > 0
                    v = i
                    var k = digits
                    while k > 0 { buffer[k] = UInt8(truncatingIfNeeded: 48 + v % 10); v /= 10; k -= 1 }
                    let b = h.bucket(utf8: UnsafeBufferPointer(rebasing: buffer[0...digits]))
                    let y = s.uniform() < 0.1 ? 1 : 0
                    let c = b < 5_000 ? 1 : 0
                    nc &+= c; xc &+= c & y; xt &+= (1 &- c) & y
                }
                acc &+= nc &+ xc &* 3 &+ xt &* 7
            }
            return acc
        }
        // The batched floor (issue 19): the block API the harness uses, blocks of 256 ids, plus
        // one uniform per unit.
        let batched = median {
            var acc = 0
            let buckets = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: 256)
            defer { buckets.deallocate() }
            for (r, h) in hashers.enumerated() {
                let s = RandomStream(seed: 20_261_121, 1, UInt64(r))
                var xc = 0, xt = 0, nc = 0
                var lo = 0
                while lo < units {
                    let hi = min(units, lo + 256)
                    h.buckets(ofConsecutiveIDs: lo..<hi, into: buckets)
                    for k in 0..<(hi - lo) {
                        let y = s.uniform() < 0.1 ? 1 : 0
                        let c = buckets[k] < 5_000 ? 1 : 0
                        nc &+= c; xc &+= c & y; xt &+= (1 &- c) & y
                    }
                    lo = hi
                }
                acc &+= nc &+ xc &* 3 &+ xt &* 7
            }
            return acc
        }
        sink &+= hashOnly.sink &+ floor.sink &+ withIDs.sink &+ batched.sink
        let rows = [("hash", hashOnly.ns), ("hash + uniform (floor)", floor.ns), ("hash + uniform + id digits", withIDs.ns),
                    ("batched hash + uniform (floor)", batched.ns)]
        for (name, ns) in rows {
            if tsv {
                print("\(scheme.rawValue)\t\(name)\t\(String(format: "%.2f", ns))")
            } else {
                print("| \(scheme.rawValue) | \(name) | \(String(format: "%.1f", ns)) |")
            }
        }
    }
    if sink == 42 { print("") }  // keeps the work observable
}

/// Batched hashing (issue 19): ns per id for the scalar `bucket(utf8:)` (ids precomputed into
/// one byte buffer, as in hash-floor's "hash" row) against `buckets(ofConsecutiveIDs:)` in
/// blocks of `block` ids on the portable SIMD lanes (`cpuKernels: false`) and on the CPU
/// kernels (SHA extensions / AVX2, when the CPU has them), and the default batch plus one
/// uniform draw per unit (the new floor), for `replications` salts `bench.aa-100k/0/<r>` and
/// ids `u0 … u<N-1>`. Median of 5 interleaved runs, 1 thread.
func benchHashBatch(units: Int, replications: Int, block: Int, schemes: [HashScheme]) {
    var ids: [UInt8] = []
    var offsets = [0]
    for i in 0..<units {
        ids.append(contentsOf: Array("u\(i)".utf8))
        offsets.append(ids.count)
    }
    // The three variants run interleaved (scalar, batch, batch + draw, five times), so a change
    // in the machine's load during the run hits all of them alike; medians of the five. Timed in
    // this thread's CPU time, not wall time: on a shared machine the wall time includes the
    // time slices other processes get.
    func medians(_ bodies: [() -> Int]) -> [(ns: Double, sink: Int)] {
        var samples = [[Double]](repeating: [], count: bodies.count)
        var sinks = [Int](repeating: 0, count: bodies.count)
        for _ in 0..<5 {
            for (j, body) in bodies.enumerated() {
                let start = threadCPUSeconds()
                sinks[j] &+= body()
                samples[j].append((threadCPUSeconds() - start) * 1e9 / Double(units * replications))
            }
        }
        return (0..<bodies.count).map { (samples[$0].sorted()[2], sinks[$0]) }
    }
    print("splitbench-bench hash-batch: \(units) units x \(replications) replications, blocks of \(block), median of 5 interleaved runs, thread CPU time, 1 thread")
    print("CPU kernels: SHA extensions \(HashKernels.shaExtensions ? "yes" : "no"), AVX2 \(HashKernels.avx2 ? "yes" : "no")"
          + (HashKernels.disabledByEnvironment ? " (disabled by SPLITBENCH_NO_CPU_KERNELS=1)" : ""))
    print("| scheme | scalar ns/id | portable lanes ns/id | CPU kernels ns/id | kernels vs scalar | kernels vs lanes | batch + uniform ns/id |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    var sink = 0
    let out = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: block)
    defer { out.deallocate() }
    for scheme in schemes {
        let hashers = (0..<replications).map { SaltedHasher(scheme: scheme, salt: "bench.aa-100k/0/\($0)") }
        let scalarBody = {
            var acc = 0
            ids.withUnsafeBufferPointer { all in
                for h in hashers {
                    for i in 0..<units {
                        acc &+= Int(h.bucket(utf8: UnsafeBufferPointer(rebasing: all[offsets[i]..<offsets[i + 1]])))
                    }
                }
            }
            return acc
        }
        func batchBody(cpuKernels: Bool) -> () -> Int {
            {
                var acc = 0
                for h in hashers {
                    var lo = 0
                    while lo < units {
                        let hi = min(units, lo + block)
                        h.buckets(ofConsecutiveIDs: lo..<hi, cpuKernels: cpuKernels, into: out)
                        for k in 0..<(hi - lo) { acc &+= Int(out[k]) }
                        lo = hi
                    }
                }
                return acc
            }
        }
        let withDrawBody = {
            var acc = 0
            for (r, h) in hashers.enumerated() {
                let s = RandomStream(seed: 20_261_121, 1, UInt64(r))
                var xc = 0, xt = 0, nc = 0
                var lo = 0
                while lo < units {
                    let hi = min(units, lo + block)
                    h.buckets(ofConsecutiveIDs: lo..<hi, into: out)
                    for k in 0..<(hi - lo) {
                        let y = s.uniform() < 0.1 ? 1 : 0
                        let c = out[k] < 5_000 ? 1 : 0
                        nc &+= c; xc &+= c & y; xt &+= (1 &- c) & y
                    }
                    lo = hi
                }
                acc &+= nc &+ xc &* 3 &+ xt &* 7
            }
            return acc
        }
        let timed = medians([scalarBody, batchBody(cpuKernels: false), batchBody(cpuKernels: true), withDrawBody])
        let (scalar, lanes, kernels, withDraw) = (timed[0], timed[1], timed[2], timed[3])
        if scalar.sink != lanes.sink || scalar.sink != kernels.sink {
            FileHandle.standardError.write(Data("hash-batch: \(scheme.rawValue): batch and scalar bucket sums differ\n".utf8))
            exit(1)
        }
        let hasKernel = scheme == .growthbookV2 ? HashKernels.avx2 : (scheme == .sha256 || scheme == .statsig) && HashKernels.shaExtensions
        sink &+= scalar.sink &+ lanes.sink &+ kernels.sink &+ withDraw.sink
        let f = { (x: Double) in String(format: "%.1f", x) }
        print("| \(scheme.rawValue) | \(f(scalar.ns)) | \(f(lanes.ns)) | " + (hasKernel ? f(kernels.ns) : "(none: \(f(kernels.ns)))")
              + " | \(f(scalar.ns / kernels.ns))x | \(f(lanes.ns / kernels.ns))x | \(f(withDraw.ns)) |")
    }
    if sink == 42 { print("") }  // keeps the work observable
}

/// CPU time consumed by the calling thread, in seconds (CLOCK_THREAD_CPUTIME_ID).
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// `hash-batch --verify`: `keys` random (salt, id) keys, in random ranges of 1 to 300
/// consecutive ids, salts of 0 to 210 bytes (SHA-256 block boundaries) and ids of 1 to 13 digits
/// (crossing powers of ten): the batch must equal the scalar `bucket(utf8:)` for every key and
/// scheme, on the CPU kernels and on the portable lanes. Then `keys / 10` packed ids of 0 to 130
/// random bytes (sha256, statsig: `buckets(packedUTF8:)`, both paths). Exits 1 on the first
/// mismatch.
func verifyHashBatch(keys: Int) {
    var state: UInt64 = 19
    func next() -> UInt64 {  // SplitMix64
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    var checked = 0
    let out = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: 300)
    defer { out.deallocate() }
    var id: [UInt8] = []
    while checked < keys {
        let scheme: HashScheme = [.sha256, .statsig, .growthbookV2, .growthbookV1][Int(next() % 4)]
        let length = next() % 3 == 0 ? Int(next() % 211) : [0, 1, 54, 55, 56, 57, 58, 63, 64, 65, 119, 120, 121, 200][Int(next() % 14)]
        let salt = String(decoding: (0..<length).map { _ in UInt8(0x21 + next() % 94) }, as: UTF8.self)
        let magnitude = [10, 100, 1_000, 100_000, 10_000_000, 1_000_000_000, 10_000_000_000_000][Int(next() % 7)]
        let lo = Int(next() % UInt64(magnitude)), count = 1 + Int(next() % 300)
        let h = SaltedHasher(scheme: scheme, salt: salt)
        for cpuKernels in [true, false] {
            h.buckets(ofConsecutiveIDs: lo..<(lo + count), cpuKernels: cpuKernels, into: out)
            for k in 0..<count {
                id = [UInt8(ascii: "u")] + Array(String(lo + k).utf8)
                let expected = id.withUnsafeBufferPointer { h.bucket(utf8: $0) }
                if out[k] != expected {
                    print("hash-batch --verify: MISMATCH (\(cpuKernels ? "CPU kernels" : "portable lanes")) \(scheme.rawValue) "
                          + "salt \"\(salt)\" id u\(lo + k): batch \(out[k]) scalar \(expected)")
                    exit(1)
                }
            }
        }
        checked += count
    }
    print("hash-batch --verify: \(checked) random keys (sha256, statsig, growthbook_v2, growthbook_v1): batch == scalar for all, "
          + "on the CPU kernels (SHA extensions: \(HashKernels.shaExtensions ? "yes" : "no"), AVX2: \(HashKernels.avx2 ? "yes" : "no")) "
          + "and on the portable lanes")
    var packedChecked = 0
    while packedChecked < keys / 10 {
        let scheme: HashScheme = next() % 2 == 0 ? .sha256 : .statsig
        let salt = String(decoding: (0..<Int(next() % 130)).map { _ in UInt8(0x21 + next() % 94) }, as: UTF8.self)
        let h = SaltedHasher(scheme: scheme, salt: salt)
        let ids = (0..<(1 + Int(next() % 200))).map { _ in (0..<Int(next() % (next() % 4 == 0 ? 131 : 12))).map { _ in UInt8(truncatingIfNeeded: next()) } }
        let bytes = ids.flatMap { $0 }
        var offsets = [0]
        for id in ids { offsets.append(offsets[offsets.count - 1] + id.count) }
        for cpuKernels in [true, false] {
            var got = [UInt32](repeating: .max, count: ids.count)
            bytes.withUnsafeBufferPointer { b in
                offsets.withUnsafeBufferPointer { o in got.withUnsafeMutableBufferPointer { h.buckets(packedUTF8: b, offsets: o, cpuKernels: cpuKernels, into: $0) } }
            }
            for (k, id) in ids.enumerated() where got[k] != id.withUnsafeBufferPointer({ h.bucket(utf8: $0) }) {
                print("hash-batch --verify: MISMATCH packed (\(cpuKernels ? "CPU kernels" : "portable lanes")) \(scheme.rawValue) salt \"\(salt)\" id bytes \(id)")
                exit(1)
            }
        }
        packedChecked += ids.count
    }
    print("hash-batch --verify: \(packedChecked) random packed ids of 0-130 bytes (sha256, statsig): batch == scalar for all, on both paths")
}

let args = CommandLine.arguments.dropFirst()
var draws = 5_000_000
if let i = args.firstIndex(of: "--draws"), i + 1 < args.endIndex, let n = Int(args[i + 1]), n > 0 { draws = n }
func intOption(_ name: String, _ fallback: Int) -> Int {
    if let i = args.firstIndex(of: name), i + 1 < args.endIndex, let n = Int(args[i + 1]), n > 0 { return n }
    return fallback
}
switch args.first {
case "distributions":
    try benchDistributions(draws: draws)
case "hash-floor":
    var schemes: [HashScheme] = [.sha256, .growthbookV2]
    if let i = args.firstIndex(of: "--scheme"), i + 1 < args.endIndex {
        guard let s = HashScheme(rawValue: args[i + 1]) else {
            FileHandle.standardError.write(Data("hash-floor: unknown scheme \(args[i + 1])\n".utf8))
            exit(2)
        }
        schemes = [s]
    }
    benchHashFloor(units: intOption("--units", 100_000), replications: intOption("--replications", 10),
                   schemes: schemes, tsv: args.contains("--tsv"))
case "hash-batch":
    if args.contains("--verify") {
        verifyHashBatch(keys: intOption("--keys", 1_000_000))
    } else {
        var schemes: [HashScheme] = [.sha256, .statsig, .growthbookV2]
        if let i = args.firstIndex(of: "--scheme"), i + 1 < args.endIndex {
            guard let s = HashScheme(rawValue: args[i + 1]) else {
                FileHandle.standardError.write(Data("hash-batch: unknown scheme \(args[i + 1])\n".utf8))
                exit(2)
            }
            schemes = [s]
        }
        benchHashBatch(units: intOption("--units", 100_000), replications: intOption("--replications", 10),
                       block: intOption("--block", 256), schemes: schemes)
    }
default:
    FileHandle.standardError.write(Data("usage: splitbench-bench distributions [--draws N]\n       splitbench-bench hash-floor [--units N] [--replications R] [--scheme sha256|growthbook_v2] [--tsv]\n       splitbench-bench hash-batch [--units N] [--replications R] [--block B] [--scheme S] | --verify [--keys K]\n".utf8))
    exit(2)
}
