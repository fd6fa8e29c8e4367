import Foundation

/// Number formatting shared by every report (fixed rules, so reports are byte-identical for
/// identical results).
enum Num {
    /// Up to `digits` significant digits, no trailing zeros, plain notation where sensible.
    static func sig(_ x: Double, _ digits: Int = 4) -> String {
        guard x.isFinite else { return x.isNaN ? "NaN" : (x > 0 ? "∞" : "−∞") }
        if x == 0 { return "0" }
        let a = abs(x)
        if a >= 1e6 || a < 1e-4 { return String(format: "%.\(max(digits - 1, 0))e", x) }
        var s = String(format: "%.\(digits)g", x)
        if s.contains("e") { s = String(format: "%.\(max(0, digits - 1 - Int(floor(log10(a)))))f", x) }
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    /// A machine-readable number for CSV: shortest round-trip representation.
    static func csv(_ x: Double?) -> String {
        guard let x else { return "" }
        return x.isFinite ? "\(x)" : (x.isNaN ? "NaN" : (x > 0 ? "Inf" : "-Inf"))
    }

    /// The one number-format rule of the HTML reports: the MCSE to two significant digits and
    /// the estimate to the same decimal place (so no digit is shown that the Monte Carlo error
    /// swamps). Without an MCSE (or an MCSE of 0) the estimate gets 4 significant digits.
    /// E.g. (0.79781, 0.0040164) → ("0.7978", "0.0040"); (12345.6, 23.4) → ("12346", "23").
    static func pair(_ e: Double, _ mcse: Double?) -> (estimate: String, mcse: String) {
        guard e.isFinite else { return (sig(e), mcse.map { sig($0, 2) } ?? "") }
        guard let m = mcse, m.isFinite, m > 0 else { return (sig(e), mcse.map { sig($0, 2) } ?? "") }
        let decimals = min(max(1 - Int(floor(log10(m))), 0), 12)
        func fixed(_ x: Double) -> String {
            var s = String(format: "%.\(decimals)f", x)
            if s.hasPrefix("-"), s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { s.removeFirst() }
            return s
        }
        return (fixed(e), fixed(m))
    }

    /// "0.0512 ± 0.0034"
    static func withMCSE(_ e: Double, _ mcse: Double?) -> String {
        mcse.map { "\(sig(e)) ± \(sig($0, 2))" } ?? sig(e)
    }
}

/// Escaping for the text formats.
enum Escape {
    static func html(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static func markdownCell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// RFC 4180: quote fields containing a comma, quote or line break; double inner quotes.
    static func csv(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
