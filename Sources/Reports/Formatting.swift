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
