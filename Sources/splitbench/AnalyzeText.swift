import Analysis
import Foundation

/// The human-readable `analyze` report, in the shape of seed 001's "Analyse and Decide".
enum AnalyzeText {
    static func render(_ r: AnalyzeReport) -> String {
        var out = ""
        func line(_ s: String = "") { out += s + "\n" }
        line("Experiment: \(r.experiment)")
        line("Data: \(r.data) (\(r.layout))")
        line("Sample: " + r.arms.map { "\(grouped($0.units)) \($0.variant)" }.joined(separator: " / "))
        let srm = r.srm
        let design = srm.expected.map { total(r) > 0 ? $0 / Double(total(r)) : 0 }
        let designText = design.map { percent($0, digits: 1) }.joined(separator: "/")
        if let chi2 = srm.chiSquare, let p = srm.pValue {
            let verdict = srm.flagged ? "MISMATCH ❌ (p < \(num(srm.threshold))): the experiment is invalid" : "no mismatch ✅"
            line("SRM: χ² = \(num(chi2)), p = \(pval(p)) against the design \(designText) — \(verdict)")
        } else {
            line("SRM: not tested (\(srm.status.explanation))")
        }
        let correction = r.correction.method == .none
            ? "none"
            : "\(r.correction.method.rawValue) over \(r.correction.size) test\(r.correction.size == 1 ? "" : "s") (\(r.correction.family == "all" ? "all metrics" : "primary metric") × \(r.arms.count - 1) treatment\(r.arms.count == 2 ? "" : "s"))"
        let level = percent(1 - r.alpha, digits: 0)
        for (v, decision) in r.decisions.enumerated() {
            if r.decisions.count > 1 { line(); line("== \(decision.variant) vs \(r.control)") }
            guard let primary = r.metrics.first else { continue }
            let c = primary.comparisons[v]
            line("Primary metric (\(primary.name), \(describe(primary, c))):")
            if c.absolute.status != .ok && c.absolute.controlMean == nil {
                line("  not analysable: \(c.absolute.status.explanation)")
            } else {
                line("  \(r.control.capitalizedFirst): \(value(c.absolute.controlMean, primary.kind))")
                line("  \(decision.variant.capitalizedFirst): \(value(c.absolute.treatmentMean, primary.kind))")
                line("  Lift: \(lift(c, primary.kind))")
                if c.absolute.status == .ok, let p = c.absolute.pValue {
                    let adjusted = c.adjustedPValue ?? p
                    let significant = adjusted < r.alpha
                    let good = primary.direction == .increase ? (c.absolute.estimate ?? 0) > 0 : (c.absolute.estimate ?? 0) < 0
                    let mark = significant ? (good ? "✅ significant" : "❌ significantly worse") : "not significant"
                    line("  p-value: \(pval(p)) \(mark) (α = \(num(r.alpha)))")
                    line("  Correction: \(correction); adjusted p = \(pval(adjusted))")
                    line("  \(level) CI: \(interval(c.absolute, primary.kind)) (relative \(interval(c.relative, nil))), per comparison, not adjusted")
                    if let a = c.adjustedInterval {
                        line("  \(percent(a.level, digits: 2)) CI (Bonferroni over \(r.correction.size) tests, consistent with a corrected decision): \(bounds(a.lower, a.upper, primary.kind))")
                    }
                } else {
                    line("  not analysable: \(c.absolute.status.explanation)")
                }
                if let w = primary.winsorization { line("  \(winsorText(w))") }
                if let cu = c.cuped {
                    line("  CUPED on \(cu.covariate): θ = \(num(cu.theta)), variance reduction \(cu.varianceReduction.map { percent($0, digits: 1) } ?? "n/a")")
                }
            }
            if r.metrics.count > 1 {
                line("Guardrails:")
                for g in r.metrics.dropFirst() {
                    let c = g.comparisons[v]
                    let direction = g.direction == .decrease ? ", lower is better" : ""
                    guard c.absolute.status == .ok, let p = c.absolute.pValue else {
                        line("  \(g.name): not analysable (\(c.absolute.status.explanation)) ⚠️")
                        continue
                    }
                    let pj = c.adjustedPValue ?? p
                    let worse = g.direction == .increase ? (c.absolute.estimate ?? 0) < 0 : (c.absolute.estimate ?? 0) > 0
                    let verdict = pj < r.alpha ? (worse ? "significantly worse ❌" : "significantly better ✅") : "no significant change ✅"
                    let marginText = g.margin.map { m in ", margin \(m.relative ? percent(m.value, digits: 2) : num(m.value))" } ?? ""
                    let cupedText = c.cuped.map { cu in ", CUPED on \(cu.covariate): variance reduction \(cu.varianceReduction.map { percent($0, digits: 1) } ?? "n/a")" } ?? ""
                    let winsor = g.winsorization.map { "; " + winsorText($0) } ?? ""
                    line("  \(g.name): \(verdict) (\(lift(c, g.kind)), p = \(pval(pj)), \(level) CI \(g.margin?.relative == true ? interval(c.relative, nil) : interval(c.absolute, g.kind))\(direction)\(marginText)\(cupedText)\(winsor))")
                }
            }
            let mark: String
            switch decision.outcome {
            case .ship: mark = "SHIP ✅"
            case .dontShip: mark = "DON'T SHIP ❌"
            case .inconclusive: mark = "INCONCLUSIVE ⚠️"
            case .invalid: mark = "INVALID ❌"
            }
            line("Decision: \(mark)")
            for reason in decision.reasons { line("  - \(reason)") }
        }
        return out
    }

    static func winsorText(_ w: WinsorCaps) -> String {
        let lower = w.lowerQuantile > 0 ? "\(num(w.lower)) (q\(num(w.lowerQuantile))) and " : ""
        return "Winsorised at \(lower)\(num(w.upper)) (q\(num(w.upperQuantile)), numpy linear quantiles of the pooled data): \(grouped(w.unitsCapped)) units capped"
    }

    static func total(_ r: AnalyzeReport) -> Int { r.arms.reduce(0) { $0 + $1.units } }

    static func describe(_ m: MetricReport, _ c: VariantComparison) -> String {
        let kind = m.kind == .proportion ? "proportion" : "mean"
        let test: String
        switch c.absolute.method {
        case .twoProportionZ: test = "two-proportion z test"
        case .welch: test = "Welch t test"
        case .student: test = "Student t test"
        case .ratioDelta: test = "delta-method ratio"
        case .cuped: test = "CUPED + Welch t test"
        case .linearContrast: test = "linear contrast, z test"
        }
        return "\(kind), \(test)"
    }

    static func value(_ x: Double?, _ kind: MetricKind) -> String {
        guard let x else { return "n/a" }
        return kind == .proportion ? "\(String(format: "%.3f", x)) (\(percent(x, digits: 1)))" : num(x)
    }

    static func lift(_ c: VariantComparison, _ kind: MetricKind) -> String {
        guard let d = c.absolute.estimate else { return "n/a" }
        let abs = kind == .proportion ? signed(d * 100, digits: 1) + "pp" : signedNum(d)
        let rel = c.relative.estimate.map { signed($0 * 100, digits: 1) + "%" } ?? "n/a"
        return "\(abs) (\(rel))"
    }

    /// An interval in metric units (proportions in pp), or relative (kind nil) in percent.
    static func interval(_ r: FixedHorizonResult, _ kind: MetricKind?) -> String { bounds(r.lower, r.upper, kind) }

    /// Interval bounds in metric units (proportions in pp), or relative (kind nil) in percent.
    static func bounds(_ lower: Double?, _ upper: Double?, _ kind: MetricKind?) -> String {
        guard let lo = lower, let hi = upper else { return "n/a" }
        func f(_ x: Double) -> String {
            if x.isInfinite { return x > 0 ? "+∞" : "−∞" }
            switch kind {
            case .proportion: return signed(x * 100, digits: 1) + "pp"
            case .mean: return signedNum(x)
            case nil: return signed(x * 100, digits: 1) + "%"
            }
        }
        return "[\(f(lo)), \(f(hi))]"
    }

    static func grouped(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (k, ch) in s.reversed().enumerated() {
            if k > 0, k % 3 == 0, ch != "-" { out.append(",") }
            out.append(ch)
        }
        return String(out.reversed())
    }

    static func percent(_ x: Double, digits: Int) -> String { String(format: "%.\(digits)f%%", x * 100) }
    static func signed(_ x: Double, digits: Int) -> String { String(format: "%+.\(digits)f", x) }
    static func num(_ x: Double?) -> String { x.map { String(format: "%.4g", $0) } ?? "n/a" }
    static func signedNum(_ x: Double) -> String { String(format: "%+.4g", x) }
    static func pval(_ p: Double) -> String { p >= 0.001 ? String(format: "%.3f", p) : String(format: "%.2e", p) }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
