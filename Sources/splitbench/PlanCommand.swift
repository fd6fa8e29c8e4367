import Analysis
import ArgumentParser
import Foundation

/// `splitbench plan`: sample size per arm, total and duration for a two-arm experiment on a
/// proportion or a mean, optionally CUPED-adjusted and inflated for a group sequential design.
///
/// Options are read as text and validated here so that every bad input exits with status 2 and
/// a message on standard error (ArgumentParser's own validation errors exit 64).
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Sample size per arm, total and duration for an A/B test on a proportion or a mean.",
        discussion: """
        Proportions: two-sided z-test with the pooled variance under H0 and the unpooled variance \
        under H1 (R power.prop.test; statsmodels samplesize_proportions_2indep_onetail for other \
        ratios). Means: two-sample t-test (noncentral t; R power.t.test) or --test normal. \
        --cuped-rho multiplies the variance by 1 - rho^2. --sequential multiplies the fixed sample \
        size by the design's inflation factor (Lan-DeMets spending, two-sided, rpact asOF/asP/asKD \
        conventions). Sample sizes are rounded up per arm. Exit status 2 on bad input.

        Example (9,336 per arm): splitbench plan --metric proportion --baseline 0.60 --mde 0.02
        """
    )

    // Required options are optional here so that a missing one is reported with exit status 2;
    // numbers are parsed `.unconditional` so that negative values (a decrease) are values, not flags.
    @Option(help: "proportion or mean (required).")
    var metric: String?

    @Option(parsing: .unconditional, help: "Control value: conversion rate for a proportion (0 < p < 1), mean for a mean (required).")
    var baseline: String?

    @Option(parsing: .unconditional, help: "Minimum detectable effect: absolute difference, or relative with --relative (0.05 = +5%) (required).")
    var mde: String?

    @Flag(help: "Read --mde as a relative lift of the baseline.")
    var relative = false

    @Option(parsing: .unconditional, help: "Standard deviation of the metric (required for --metric mean).")
    var sd: String?

    @Option(parsing: .unconditional, help: "Significance level (two-sided unless --alternative).")
    var alpha: String = "0.05"

    @Option(parsing: .unconditional, help: "Target power.")
    var power: String = "0.8"

    @Option(parsing: .unconditional, help: "Allocation ratio n_treatment / n_control.")
    var ratio: String = "1"

    @Option(name: .customLong("cuped-rho"), parsing: .unconditional, help: "Correlation with the pre-period covariate, 0 <= rho < 1.")
    var cupedRho: String = "0"

    @Option(help: "Group sequential design: obf:K, pocock:K or powerR:K (e.g. power2:5) for K equally spaced looks.")
    var sequential: String?

    @Option(name: .customLong("daily-traffic"), parsing: .unconditional, help: "Units entering the experiment per day (both arms), for the duration.")
    var dailyTraffic: String?

    @Option(help: "two-sided, greater or less.")
    var alternative: String = "two-sided"

    @Option(help: "For means: t (two-sample t-test) or normal (z approximation).")
    var test: String = "t"

    @Option(help: "text or json.")
    var format: String = "text"

    func run() async throws {
        do {
            let plan = try makePlan()
            switch format {
            case "json": print(try plan.json())
            default: print(plan.text(), terminator: "")
            }
        } catch let e as PlanInputError {
            FileHandle.standardError.write(Data("error: \(e.message)\n".utf8))
            throw ExitCode(2)
        } catch let e as AnalysisError {
            FileHandle.standardError.write(Data("error: \(e.message)\n".utf8))
            throw ExitCode(2)
        }
    }

    private func number(_ text: String, _ option: String) throws(PlanInputError) -> Double {
        guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite else {
            throw PlanInputError("--\(option) must be a finite number, got '\(text)'")
        }
        return v
    }

    func makePlan() throws -> Plan {
        guard format == "text" || format == "json" else { throw PlanInputError("--format must be text or json, got '\(format)'") }
        guard let metric else { throw PlanInputError("missing --metric (proportion or mean)") }
        guard let baseline else { throw PlanInputError("missing --baseline") }
        guard let mde else { throw PlanInputError("missing --mde") }
        guard let alt = Alternative(rawValue: alternative) else {
            throw PlanInputError("--alternative must be two-sided, greater or less, got '\(alternative)'")
        }
        let base = try number(baseline, "baseline")
        let effect = try number(mde, "mde")
        let a = try number(alpha, "alpha")
        let pw = try number(power, "power")
        let r = try number(ratio, "ratio")
        let rho = try number(cupedRho, "cuped-rho")
        guard a > 0, a < 1 else { throw PlanInputError("--alpha must be in (0, 1), got \(alpha)") }
        guard pw > 0, pw < 1 else { throw PlanInputError("--power must be in (0, 1), got \(power)") }
        guard r > 0 else { throw PlanInputError("--ratio must be positive, got \(ratio)") }
        guard rho >= 0, rho < 1 else { throw PlanInputError("--cuped-rho must be in [0, 1), got \(cupedRho)") }
        guard effect != 0 else { throw PlanInputError("--mde must not be zero") }
        var traffic: Double? = nil
        if let d = dailyTraffic {
            let v = try number(d, "daily-traffic")
            guard v > 0 else { throw PlanInputError("--daily-traffic must be positive, got \(d)") }
            traffic = v
        }
        let difference = relative ? base * effect : effect
        if relative && base == 0 { throw PlanInputError("--relative needs a non-zero --baseline") }
        let settings = PowerSettings(alpha: a, alternative: alt, ratio: r, cupedRho: rho)

        let fixed: Double
        let method: String
        let treatmentValue = base + difference
        switch metric {
        case "proportion":
            guard base > 0, base < 1 else { throw PlanInputError("--baseline must be a proportion in (0, 1), got \(baseline)") }
            guard treatmentValue > 0, treatmentValue < 1 else {
                throw PlanInputError("baseline \(base) plus the MDE gives \(treatmentValue), outside (0, 1)")
            }
            guard sd == nil else { throw PlanInputError("--sd applies to --metric mean only") }
            fixed = try PowerAnalysis.proportionSampleSize(control: base, treatment: treatmentValue, power: pw, settings: settings)
            method = "\(alt == .twoSided ? "two-sided" : "one-sided") two-proportion z-test, pooled variance under H0, unpooled under H1 (R power.prop.test)"
        case "mean":
            guard let sdText = sd else { throw PlanInputError("--metric mean needs --sd") }
            let sdValue = try number(sdText, "sd")
            guard sdValue > 0 else { throw PlanInputError("--sd must be positive, got \(sdText)") }
            guard let m = MeanPowerMethod(rawValue: test) else { throw PlanInputError("--test must be t or normal, got '\(test)'") }
            fixed = try PowerAnalysis.meanSampleSize(difference: difference, standardDeviation: sdValue, power: pw, method: m, settings: settings)
            method = m == .tTest
                ? "\(alt == .twoSided ? "two-sided" : "one-sided") two-sample t-test, pooled variance (R power.t.test), sd \(formatNumber(sdValue))"
                : "\(alt == .twoSided ? "two-sided" : "one-sided") z-test, normal approximation, sd \(formatNumber(sdValue))"
        default:
            throw PlanInputError("--metric must be proportion or mean, got '\(metric)'")
        }

        var seq: Plan.Sequential? = nil
        var controlExact = fixed
        if let spec = sequential {
            guard alt == .twoSided else { throw PlanInputError("--sequential designs are two-sided; drop --alternative") }
            let (label, spending, looks) = try parseSequential(spec)
            let design = try GroupSequentialDesign.lanDeMets(alpha: a, spending: spending, looks: looks)
            let ch = try design.characteristics(power: pw)
            controlExact = fixed * ch.inflationFactor
            seq = Plan.Sequential(design: label, looks: looks, inflationFactor: ch.inflationFactor,
                                  criticalValues: design.criticalValues, nominalPValues: design.nominalPValues,
                                  cumulativeAlpha: design.cumulativeAlphaSpent,
                                  expectedControlUnitsH1: ch.expectedFractionH1 * controlExact,
                                  expectedControlUnitsH0: ch.expectedFractionH0 * controlExact)
        }
        let control = Int(controlExact.rounded(.up))
        let treatment = Int((controlExact * r).rounded(.up))
        let total = control + treatment
        let days = traffic.map { Int((Double(total) / $0).rounded(.up)) }
        return Plan(metric: metric, method: method, baseline: base, treatmentValue: treatmentValue, difference: difference,
                    relativeLift: base != 0 ? difference / base : nil, alpha: a, alternative: alt.rawValue, power: pw, ratio: r,
                    cupedRho: rho, fixedControlExact: fixed, controlExact: controlExact,
                    control: control, treatment: treatment, total: total, dailyTraffic: traffic, durationDays: days, sequential: seq)
    }

    private func parseSequential(_ spec: String) throws(PlanInputError) -> (String, AlphaSpending, Int) {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let bad = PlanInputError("--sequential must be obf:K, pocock:K or powerR:K with K looks (1 to 100), got '\(spec)'")
        guard parts.count == 2, let k = Int(parts[1]), k >= 1, k <= 100 else { throw bad }
        switch parts[0] {
        case "obf": return ("Lan-DeMets O'Brien-Fleming type (rpact asOF: alpha/2 per side)", .obrienFleming, k)
        case "pocock": return ("Lan-DeMets Pocock type (rpact asP)", .pocock, k)
        case let p where p.hasPrefix("power"):
            guard let rho = Double(p.dropFirst(5)), rho > 0, rho.isFinite else { throw bad }
            return ("Lan-DeMets power family alpha*t^\(formatNumber(rho)) (rpact asKD)", .power(rho: rho), k)
        default: throw bad
        }
    }
}

struct PlanInputError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// The result of `splitbench plan` (also its JSON form).
struct Plan: Encodable {
    struct Sequential: Encodable {
        let design: String
        let looks: Int
        let inflationFactor: Double
        let criticalValues: [Double]
        let nominalPValues: [Double]
        let cumulativeAlpha: [Double]
        let expectedControlUnitsH1: Double
        let expectedControlUnitsH0: Double
    }
    let metric: String
    let method: String
    let baseline: Double
    let treatmentValue: Double
    let difference: Double
    let relativeLift: Double?
    let alpha: Double
    let alternative: String
    let power: Double
    let ratio: Double
    let cupedRho: Double
    /// Fixed-horizon control-arm n before rounding.
    let fixedControlExact: Double
    /// Control-arm n before rounding (× inflation factor when sequential).
    let controlExact: Double
    let control: Int
    let treatment: Int
    let total: Int
    let dailyTraffic: Double?
    let durationDays: Int?
    let sequential: Sequential?

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    func text() -> String {
        var out = ""
        func line(_ s: String) { out += s + "\n" }
        let what = metric == "proportion" ? "two proportions" : "two means"
        var effect = "\(formatNumber(baseline)) -> \(formatNumber(treatmentValue)) (\(signed(difference)) absolute"
        if let rl = relativeLift { effect += ", \(rl >= 0 ? "+" : "")\(String(format: "%.4g", rl * 100))% relative" }
        effect += ")"
        line("splitbench plan: \(what), \(effect)")
        line("test: \(method)")
        line("alpha \(formatNumber(alpha)), power \(formatNumber(power)), allocation treatment:control = \(formatNumber(ratio)):1"
             + (cupedRho > 0 ? ", CUPED rho \(formatNumber(cupedRho)) (variance x \(formatNumber(1 - cupedRho * cupedRho)))" : ""))
        if let s = sequential {
            line("sequential: \(s.design), \(s.looks) equally spaced looks, inflation factor \(String(format: "%.6f", s.inflationFactor))")
            line("  fixed-horizon n per control arm \(String(format: "%.3f", fixedControlExact)) -> maximum \(String(format: "%.3f", controlExact))")
            for k in 0..<s.looks {
                let cumulative = Int((controlExact * Double(k + 1) / Double(s.looks)).rounded(.up))
                line("  look \(k + 1): control n \(grouped(cumulative)), |Z| >= \(String(format: "%.4f", s.criticalValues[k])) (nominal p <= \(String(format: "%.3g", s.nominalPValues[k]))), cumulative alpha \(String(format: "%.6f", s.cumulativeAlpha[k]))")
            }
            line("  expected control n at stop: \(grouped(Int(s.expectedControlUnitsH1.rounded(.up)))) under H1, \(grouped(Int(s.expectedControlUnitsH0.rounded(.up)))) under H0")
        } else {
            line("exact n per control arm: \(String(format: "%.3f", controlExact))")
        }
        if control == treatment {
            line("n per arm: \(grouped(control))")
        } else {
            line("n per arm: control \(grouped(control)), treatment \(grouped(treatment))")
        }
        line("total: \(grouped(total))")
        if let d = durationDays, let t = dailyTraffic {
            line("duration: \(d) day\(d == 1 ? "" : "s") at \(grouped(Int(t.rounded()))) units/day" + (sequential != nil ? " (maximum; earlier if a boundary is crossed)" : ""))
        }
        return out
    }
}

/// 9336 -> "9,336" (locale-independent).
fileprivate func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
        out.append(ch)
    }
    return n < 0 ? "-" + out : out
}

/// Shortest round-trip text of a number, without a trailing ".0" for integers.
fileprivate func formatNumber(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
    return String(format: "%.10g", x)
}

private func signed(_ x: Double) -> String { (x >= 0 ? "+" : "") + formatNumber(x) }
