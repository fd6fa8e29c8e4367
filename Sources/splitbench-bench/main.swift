// Release-mode micro-benchmarks, run by scripts/bench-*. Prints figures; asserts nothing.
// Usage: splitbench-bench distributions [--draws N]
//        splitbench-bench hash-floor [--units N] [--replications R] [--scheme sha256|growthbook_v2] [--tsv]
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
        sink &+= hashOnly.sink &+ floor.sink &+ withIDs.sink
        let rows = [("hash", hashOnly.ns), ("hash + uniform (floor)", floor.ns), ("hash + uniform + id digits", withIDs.ns)]
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
default:
    FileHandle.standardError.write(Data("usage: splitbench-bench distributions [--draws N]\n       splitbench-bench hash-floor [--units N] [--replications R] [--scheme sha256|growthbook_v2] [--tsv]\n".utf8))
    exit(2)
}
