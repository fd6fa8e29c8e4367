// Release-mode micro-benchmarks, run by scripts/bench-*. Prints figures; asserts nothing.
// Usage: splitbench-bench distributions [--draws N]
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

let args = CommandLine.arguments.dropFirst()
var draws = 5_000_000
if let i = args.firstIndex(of: "--draws"), i + 1 < args.endIndex, let n = Int(args[i + 1]), n > 0 { draws = n }
switch args.first {
case "distributions":
    try benchDistributions(draws: draws)
default:
    FileHandle.standardError.write(Data("usage: splitbench-bench distributions [--draws N]\n".utf8))
    exit(2)
}
