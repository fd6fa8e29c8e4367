import Foundation
/// Typed, path-tracking access to a ``YNode``: every failure is a ``ScenarioError`` naming the
/// file, the key path and what was expected.
struct Value {
    let file: String
    let path: String
    let node: YNode

    func fail(_ message: String) -> ScenarioError {
        ScenarioError(file: file, keyPath: path, message: message + (node.line > 0 ? " (line \(node.line))" : ""))
    }

    func expected(_ what: String) -> ScenarioError {
        fail("expected \(what), got \(node.summary)")
    }

    var isNull: Bool {
        if case .scalar(_, .null) = node.kind { return true }
        return false
    }

    func string() throws(ScenarioError) -> String {
        guard case let .scalar(text, type) = node.kind, type != .null else { throw expected("text") }
        return text
    }

    /// A non-empty identifier-like string (letters, digits, `_`, `-`, `.`, `:`).
    func identifier() throws(ScenarioError) -> String {
        let s = try string()
        // Ids name result folders: ASCII letters and digits first, then also '_', '-', '.', ':'
        // (so never "." or "..", never a path), at most 100 characters.
        let shown = s.count > 60 ? String(s.prefix(57)) + "…" : s
        guard let first = s.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic || ("0"..."9").contains(first),
              s.count <= 100,
              s.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.:".unicodeScalars.contains($0)) }) else {
            throw fail("expected a name of at most 100 ASCII letters, digits, '_', '-', '.' or ':' starting with a letter or digit (it names a result folder), got \"\(shown)\"")
        }
        return s
    }

    func double() throws(ScenarioError) -> Double {
        guard case let .scalar(text, type) = node.kind, type == .int || type == .float,
              let v = Double(text.replacingOccurrences(of: "_", with: "")), v.isFinite
        else { throw expected("a number") }
        return v
    }

    func int() throws(ScenarioError) -> Int {
        guard case let .scalar(text, type) = node.kind else { throw expected("a whole number") }
        let clean = text.replacingOccurrences(of: "_", with: "")
        if type == .int, let v = Int(clean) { return v }
        // Accept 1e5-style floats that are whole numbers.
        if type == .float, let d = Double(clean), d.isFinite, d == d.rounded(), abs(d) < 9e15 { return Int(d) }
        throw expected("a whole number")
    }

    func uint64() throws(ScenarioError) -> UInt64 {
        guard case let .scalar(text, type) = node.kind, type == .int,
              let v = UInt64(text.replacingOccurrences(of: "_", with: ""))
        else { throw expected("a whole number ≥ 0 below 2^64") }
        return v
    }

    func bool() throws(ScenarioError) -> Bool {
        guard case let .scalar(text, .bool) = node.kind else { throw expected("true or false") }
        return ["true", "yes", "on", "y"].contains(text.lowercased())
    }

    func int(in range: ClosedRange<Int>) throws(ScenarioError) -> Int {
        let v = try int()
        guard range.contains(v) else { throw fail("expected a whole number in \(range.lowerBound)…\(range.upperBound), got \(v)") }
        return v
    }

    func positiveInt() throws(ScenarioError) -> Int {
        let v = try int()
        guard v > 0 else { throw fail("expected a whole number > 0, got \(v)") }
        return v
    }

    func positive() throws(ScenarioError) -> Double {
        let v = try double()
        guard v > 0 else { throw fail("expected a number > 0, got \(v)") }
        return v
    }

    /// A number in [lo, hi] (closed) or (lo, hi) when `open`.
    func double(in lo: Double, _ hi: Double, open: Bool = false) throws(ScenarioError) -> Double {
        let v = try double()
        let ok = open ? (v > lo && v < hi) : (v >= lo && v <= hi)
        guard ok else {
            throw fail("expected a number in \(open ? "(" : "[")\(lo), \(hi)\(open ? ")" : "]"), got \(v)")
        }
        return v
    }

    func probability() throws(ScenarioError) -> Double { try double(in: 0, 1) }

    /// A share in [0, 1]: a number, or a fraction of whole numbers written as text (`1/3`), so
    /// that thirds can be written exactly.
    func share() throws(ScenarioError) -> Double {
        if case let .scalar(text, .string) = node.kind {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), a >= 0, b > 0, a <= b else {
                throw fail("expected a number in [0, 1] or a fraction such as 1/3, got \"\(text.count > 40 ? String(text.prefix(37)) + "…" : text)\"")
            }
            return Double(a) / Double(b)
        }
        return try double(in: 0, 1)
    }

    /// Shares that must sum to 1: accepted within 1e-6 and then divided by their sum, so that
    /// 0.333333 written three times is exactly a third each.
    func normalisedShares(_ shares: [Double], what: String) throws(ScenarioError) -> [Double] {
        let total = shares.reduce(0, +)
        guard abs(total - 1) <= 1e-6 else {
            throw fail("the \(what) must sum to 1 (within 1e-6), got \(total); write thirds as 1/3")
        }
        return shares.map { $0 / total }
    }

    func list() throws(ScenarioError) -> [Value] {
        guard case let .sequence(items) = node.kind else { throw expected("a list") }
        return items.enumerated().map { Value(file: file, path: "\(path)[\($0.offset)]", node: $0.element) }
    }

    func nonEmptyList() throws(ScenarioError) -> [Value] {
        let l = try list()
        guard !l.isEmpty else { throw fail("expected a non-empty list") }
        return l
    }

    func object(allowed: [String]) throws(ScenarioError) -> Object {
        guard case let .mapping(pairs) = node.kind else { throw expected("a mapping") }
        var seen = Set<String>()
        for (key, child) in pairs {
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            guard seen.insert(key).inserted else {
                throw ScenarioError(file: file, keyPath: childPath, message: "duplicate key (line \(child.line))")
            }
            guard allowed.contains(key) else {
                throw ScenarioError(file: file, keyPath: childPath,
                                    message: "unknown key (line \(child.line)); expected one of: \(allowed.joined(separator: ", "))")
            }
        }
        return Object(value: self, pairs: pairs)
    }

    /// A mapping with arbitrary keys (e.g. variant names), in document order.
    func entries() throws(ScenarioError) -> [(key: String, value: Value)] {
        guard case let .mapping(pairs) = node.kind else { throw expected("a mapping") }
        var seen = Set<String>()
        var out: [(key: String, value: Value)] = []
        for (key, child) in pairs {
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            guard seen.insert(key).inserted else {
                throw ScenarioError(file: file, keyPath: childPath, message: "duplicate key (line \(child.line))")
            }
            out.append((key, Value(file: file, path: childPath, node: child)))
        }
        return out
    }

    /// A mapping with exactly one key (a tagged choice such as `{lognormal: {mu: 1, sigma: 2}}`).
    func single(of choices: [String]) throws(ScenarioError) -> (key: String, value: Value) {
        let e = try entries()
        guard e.count == 1, let only = e.first else {
            throw fail("expected a mapping with exactly one of: \(choices.joined(separator: ", "))")
        }
        guard choices.contains(only.key) else {
            throw ScenarioError(file: file, keyPath: only.value.path,
                                message: "unknown kind \"\(only.key)\"; expected one of: \(choices.joined(separator: ", "))")
        }
        return only
    }
}

/// A mapping whose keys were checked against an allowed list.
struct Object {
    let value: Value
    let pairs: [(key: String, value: YNode)]

    var path: String { value.path }
    var file: String { value.file }

    func child(_ key: String) -> Value? {
        guard let node = pairs.first(where: { $0.key == key })?.value else { return nil }
        return Value(file: file, path: path.isEmpty ? key : "\(path).\(key)", node: node)
    }

    func has(_ key: String) -> Bool { child(key) != nil }

    func required(_ key: String) throws(ScenarioError) -> Value {
        guard let c = child(key) else {
            throw ScenarioError(file: file, keyPath: path.isEmpty ? key : "\(path).\(key)", message: "required key is missing")
        }
        return c
    }

    /// The child, or nil when absent or null.
    func optional(_ key: String) -> Value? {
        guard let c = child(key), !c.isNull else { return nil }
        return c
    }
}
