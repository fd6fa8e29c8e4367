import Distributions
import Foundation
@testable import Analysis

// Verbatim copies of the statistics the Monte Carlo harness computed itself before they moved
// into Analysis (Sources/Simulation/Replication.swift and Family.swift at commit bae8e6f). The
// new Analysis APIs must reproduce them bit for bit, because the harness's committed numbers
// were produced with them. Only names were changed (and the harness's types reduced to the
// fields these functions touch); every arithmetic expression is as it was.

/// `struct Sums` of Replication.swift.
struct ReferenceSums: Sendable {
    var n = 0
    var sy = 0.0, syy = 0.0, sx = 0.0, sxx = 0.0, sxy = 0.0

    @inline(__always)
    mutating func add(_ y: Double, _ x: Double) {
        n += 1
        sy += y; syy += y * y
        sx += x; sxx += x * x; sxy += x * y
    }

    static func + (a: ReferenceSums, b: ReferenceSums) -> ReferenceSums {
        ReferenceSums(n: a.n + b.n, sy: a.sy + b.sy, syy: a.syy + b.syy, sx: a.sx + b.sx, sxx: a.sxx + b.sxx, sxy: a.sxy + b.sxy)
    }

    var mean: MeanStatistic { MeanStatistic(n: n, sum: sy, sumOfSquares: syy) }
    var proportion: ProportionStatistic { ProportionStatistic(n: n, successes: Int(sy.rounded())) }
    var ratio: RatioStatistic { RatioStatistic(n: n, sumY: sy, sumX: sx, sumYSquares: syy, sumXSquares: sxx, sumXY: sxy) }
    var covariate: CovariateStatistic {
        CovariateStatistic(n: n, sum: sy, sumOfSquares: syy, preSum: sx, preSumOfSquares: sxx, crossSum: sxy)
    }
}

/// The harness's `StoppingPolicy` with what `PlannedAnalysis` prepared for it.
enum ReferencePolicy: Equatable {
    case fixedHorizon, naivePeeking, groupSequential, mixtureSPRT, confidenceSequence
    case bayesianStop(threshold: Double)
}

/// The fields of `ComparisonOutcome` that `ReplicationEngine.analyse` reads or writes.
struct ReferenceOutcome: Equatable {
    var ok: Bool
    var estimate: Double
    var standardError: Double
    var lower: Double
    var upper: Double
    var pValue: Double
    var rejected: Bool
    var stopLook: Int
    var sampleSize: Int
    var finalPValue: Double
    var statistic: Double
    var chanceToBeat: Double?

    static func failed(look: Int) -> ReferenceOutcome {
        ReferenceOutcome(ok: false, estimate: 0, standardError: 0, lower: 0, upper: 0, pValue: 1, rejected: false,
                         stopLook: look, sampleSize: 0, finalPValue: 1, statistic: 0, chanceToBeat: nil)
    }
}

/// `ReplicationEngine.analyse` with `analyseAt(look:)` replaced by the precomputed outcomes of
/// the active looks (`atLook[j]` for active look j), so only the per-look stopping logic remains.
func referenceAnalyse(policy: ReferencePolicy, lookCount: Int, criticalValues: [Double], msprt: MixtureSPRT?,
                      confidenceSequence: AsymptoticConfidenceSequence?, atLook: [ReferenceOutcome]) -> ReferenceOutcome {
    var last = ReferenceOutcome.failed(look: lookCount)
    var runningP = 1.0
    for j in atLook.indices {
        var o = atLook[j]
        let isLast = j == atLook.count - 1
        guard o.ok else {
            // Data that cannot be analysed at an interim look: no decision there.
            if isLast { last = o }
            continue
        }
        switch policy {
        case .fixedHorizon, .naivePeeking:
            break  // p < α from the method, its own interval
        case .groupSequential:
            let crit = criticalValues[j]
            let z = o.statistic
            o.rejected = abs(z) >= crit
            o.lower = o.estimate - crit * o.standardError
            o.upper = o.estimate + crit * o.standardError
            o.pValue = 2 * Normal.standard.sf(abs(z))
        case .mixtureSPRT:
            guard let m = msprt else { break }
            let r = m.evaluate(estimate: o.estimate, variance: o.standardError * o.standardError)
            runningP = min(runningP, r.pValue ?? 1)
            o.pValue = runningP
            o.rejected = r.rejects
            if let ci = m.confidenceInterval(estimate: o.estimate, variance: o.standardError * o.standardError) {
                o.lower = ci.lower
                o.upper = ci.upper
            }
        case .confidenceSequence:
            guard let cs = confidenceSequence else { break }
            let r = cs.evaluate(estimate: o.estimate, standardError: o.standardError, totalSampleSize: Double(o.sampleSize))
            runningP = min(runningP, r.pValue ?? 1)
            o.pValue = runningP
            o.rejected = r.rejects
            o.lower = r.lower ?? -.infinity
            o.upper = r.upper ?? .infinity
        case let .bayesianStop(threshold):
            guard let chance = o.chanceToBeat else { break }
            o.rejected = chance > threshold
            o.pValue = 1 - chance
        }
        last = o
        if o.rejected && policy != .fixedHorizon {
            o.finalPValue = o.pValue
            return o
        }
    }
    last.finalPValue = last.pValue
    return last
}

/// The same loop driven by a ``SequentialMonitor`` — what the harness's `analyse` becomes.
func monitoredAnalyse(monitor template: any SequentialMonitor, lookCount: Int, atLook: [ReferenceOutcome]) -> ReferenceOutcome {
    var monitor = template
    var last = ReferenceOutcome.failed(look: lookCount)
    for j in atLook.indices {
        var o = atLook[j]
        let isLast = j == atLook.count - 1
        guard o.ok else {
            if isLast { last = o }
            continue
        }
        let v = monitor.observe(LookObservation(look: j, estimate: o.estimate, standardError: o.standardError,
                                                statistic: o.statistic, lower: o.lower, upper: o.upper, pValue: o.pValue,
                                                isSignificant: o.rejected, sampleSize: o.sampleSize,
                                                chanceToBeat: o.chanceToBeat))
        o.rejected = v.rejected
        o.pValue = v.pValue
        o.lower = v.lower
        o.upper = v.upper
        last = o
        if v.stops {
            o.finalPValue = o.pValue
            return o
        }
    }
    last.finalPValue = last.pValue
    return last
}

/// The group sequential branch of `PlannedAnalysis.init` (CellPlan.swift): the information
/// fraction of a look is its units over the planned units.
func referenceGroupSequentialPlan(alpha: Double, spending: AlphaSpending, lookUnits: [Int],
                                  plannedUnits: Int) throws(AnalysisError) -> (active: [Int], critical: [Double]) {
    let planned = Double(plannedUnits)
    var monitor = try GroupSequentialMonitor(alpha: alpha, spending: spending)
    var active: [Int] = [], critical: [Double] = []
    var previous = 0.0
    for (k, units) in lookUnits.enumerated() {
        let t = Double(units) / planned
        guard t > previous else { continue }  // no new information at this look
        let l = try monitor.nextLook(informationFraction: t, isFinal: k == lookUnits.count - 1)
        active.append(k)
        critical.append(l.criticalValue)
        previous = t
        if l.isFinal { break }
    }
    return (active, critical)
}

/// `FamilySpec.outcomes` of Family.swift for one policy (`FamilyOutcome` as a tuple).
func referenceFamilyOutcome(policy: MultipleTestingPolicy, pValues: [Double], isNull: [Bool], treatments: Int,
                            alpha: Double) throws(AnalysisError) -> (anyFalse: Bool, fdp: Double, power: Double, anyTrue: Bool) {
    let m1 = isNull.filter { !$0 }.count
    var rejected: [Bool]
    switch policy {
    case let .correction(method):
        rejected = try MultipleTesting.adjust(pValues, method: method, alpha: alpha).rejected
    case .primaryUncorrected:
        rejected = pValues.prefix(treatments).map { $0 < alpha }
        let rest = Array(pValues.dropFirst(treatments))
        if !rest.isEmpty { rejected += try MultipleTesting.adjust(rest, method: .holm, alpha: alpha).rejected }
    }
    var v = 0, s = 0
    for (r, null) in zip(rejected, isNull) where r { if null { v += 1 } else { s += 1 } }
    let r = v + s
    return (anyFalse: v > 0, fdp: r > 0 ? Double(v) / Double(r) : 0, power: m1 > 0 ? Double(s) / Double(m1) : 0, anyTrue: s > 0)
}

// MARK: - Deterministic test data

/// SplitMix64 (Steele, Lea & Flood 2014): reproducible pseudo-random test data.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform on (0, 1).
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }
    /// Standard normal by Box–Muller.
    mutating func normal() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform()) }
}

/// Unit values y and covariates x of one arm: y = mean + x·slope + noise, x ~ N(10, 4); for a
/// binary metric y ∈ {0, 1} with P(1) = mean.
func armData(_ rng: inout SplitMix64, n: Int, mean: Double, binary: Bool = false) -> (y: [Double], x: [Double]) {
    var y: [Double] = [], x: [Double] = []
    for _ in 0..<n {
        let xi = 10 + 2 * rng.normal()
        x.append(xi)
        y.append(binary ? (rng.uniform() < mean ? 1 : 0) : mean + 0.6 * (xi - 10) + rng.normal())
    }
    return (y, x)
}

// MARK: - Bitwise equality

func sameBits(_ a: Double?, _ b: Double?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case let (x?, y?): return x.bitPattern == y.bitPattern
    default: return false
    }
}

/// Every field equal, doubles compared by bit pattern.
func sameBits(_ a: FixedHorizonResult, _ b: FixedHorizonResult) -> Bool {
    a.status == b.status && a.method == b.method && a.scale == b.scale && a.alternative == b.alternative
        && sameBits(a.alpha, b.alpha) && a.controlN == b.controlN && a.treatmentN == b.treatmentN
        && sameBits(a.controlMean, b.controlMean) && sameBits(a.treatmentMean, b.treatmentMean)
        && sameBits(a.estimate, b.estimate) && sameBits(a.standardError, b.standardError)
        && sameBits(a.lower, b.lower) && sameBits(a.upper, b.upper) && sameBits(a.statistic, b.statistic)
        && sameBits(a.degreesOfFreedom, b.degreesOfFreedom) && sameBits(a.pValue, b.pValue)
}

func sameBits(_ a: BayesianResult, _ b: BayesianResult) -> Bool {
    a.status == b.status && a.model == b.model && a.scale == b.scale && sameBits(a.credibleLevel, b.credibleLevel)
        && sameBits(a.controlMean, b.controlMean) && sameBits(a.treatmentMean, b.treatmentMean)
        && sameBits(a.liftMean, b.liftMean) && sameBits(a.liftStandardDeviation, b.liftStandardDeviation)
        && sameBits(a.credibleLower, b.credibleLower) && sameBits(a.credibleUpper, b.credibleUpper)
        && sameBits(a.chanceToBeatControl, b.chanceToBeatControl)
        && sameBits(a.expectedLossTreatment, b.expectedLossTreatment) && sameBits(a.expectedLossControl, b.expectedLossControl)
}

func sameBits(_ a: MomentStatistic, _ b: ReferenceSums) -> Bool {
    a.n == b.n && sameBits(a.sum, b.sy) && sameBits(a.sumOfSquares, b.syy) && sameBits(a.covariateSum, b.sx)
        && sameBits(a.covariateSumOfSquares, b.sxx) && sameBits(a.crossSum, b.sxy)
}

func sameBits(_ a: ReferenceOutcome, _ b: ReferenceOutcome) -> Bool {
    a.ok == b.ok && sameBits(a.estimate, b.estimate) && sameBits(a.standardError, b.standardError)
        && sameBits(a.lower, b.lower) && sameBits(a.upper, b.upper) && sameBits(a.pValue, b.pValue)
        && a.rejected == b.rejected && a.stopLook == b.stopLook && a.sampleSize == b.sampleSize
        && sameBits(a.finalPValue, b.finalPValue) && sameBits(a.statistic, b.statistic) && sameBits(a.chanceToBeat, b.chanceToBeat)
}
