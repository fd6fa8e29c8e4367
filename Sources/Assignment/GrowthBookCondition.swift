import Foundation

/// How a ruleset's targeting conditions are read (the top-level `"conditions"` key).
public enum ConditionMode: String, Sendable, Equatable, CaseIterable {
    /// GrowthBook's condition language and its JavaScript semantics, case for case with
    /// GrowthBook's published conformance cases (`cases.json`, `evalCondition`, spec 0.8.0).
    /// The default.
    case growthbook
    /// SplitBench's original stricter subset (seed 001): flat attributes, `$eq $ne $in $nin $gt
    /// $gte $lt $lte $exists $and $or $not`; an empty `$or` is false, comparisons with a
    /// missing attribute are false, and malformed operators are load errors.
    case strict
}

/// A targeting condition in GrowthBook's condition language, compiled for evaluation.
///
/// Semantics follow GrowthBook's JavaScript SDK (`packages/sdk-js/src/mongrule.ts`, facts only;
/// written independently) and its conformance file `packages/sdk-js/test/cases.json`:
/// - an object is an implicit AND of its keys; `$and`, `$or` (empty: true), `$nor` (empty:
///   false) take arrays of conditions, `$not` one condition; any other key is a dotted path
///   into the attributes (`father.age`; array elements by index, `tags.0`); a missing value is
///   `null`;
/// - a value that is a string, number, boolean or null compares with JavaScript coercion
///   (`String(v) === s`, `v * 1 === n`, `v !== null && !!v === b`, `v === null`); an array or an
///   object with a non-`$` key is exact structural equality; an object whose keys all start
///   with `$` is a set of operators, all of which must hold;
/// - operators `$eq $ne` (strict `===`), `$gt $gte $lt $lte` (JavaScript relational
///   comparison: strings lexicographically by UTF-16 code unit, otherwise as numbers, `null` as
///   0), `$veq $vne $vgt $vgte $vlt $vlte` (GrowthBook's padded version strings), `$in $nin
///   $ini $nini` (intersection when the attribute is an array; non-array argument: false),
///   `$inGroup $notInGroup` (saved groups), `$all $alli`, `$elemMatch`, `$size`, `$exists`,
///   `$type`, `$regex $regexi` (a `BoundedRegex`; an invalid pattern is false), `$not`;
///   an unknown operator is false.
///
/// Where GrowthBook compares `JSON.stringify` output, objects are compared without regard to
/// key order (GrowthBook's comparison depends on insertion order).
public struct GrowthBookCondition: Sendable, Equatable {
    /// The condition's JSON, as written.
    public let source: JSONValue
    let root: GBNode

    /// Compiles `json`. Structural problems (not an object, `$and`/`$or`/`$nor` not an array of
    /// objects) are appended to `problems`; constructs that GrowthBook evaluates but that are
    /// probably mistakes (unknown operator, invalid regex, `$in` without an array, unknown saved
    /// group) are appended to `warnings`. Returns nil when there was a problem.
    public static func parse(_ json: JSONValue, savedGroups: [String: [JSONValue]] = [:], path: String,
                             problems: inout [RulesetProblem], warnings: inout [RulesetProblem]) -> GrowthBookCondition? {
        let before = problems.count
        var p = GBParser(savedGroups: savedGroups, problems: problems, warnings: warnings)
        let node = p.condition(json, path: path)
        problems = p.problems
        warnings = p.warnings
        return problems.count == before ? GrowthBookCondition(source: json, root: node) : nil
    }

    /// Whether flat `attributes` satisfy the condition. A dotted path finds a flat attribute
    /// named with the whole path (`--attr app.version=3`) before walking nested values.
    public func matches(_ attributes: Attributes) -> Bool {
        root.eval(.flat(attributes))
    }

    /// Whether a JSON attributes object (nested values, arrays, null) satisfies the condition.
    public func matches(json attributes: JSONValue) -> Bool {
        root.eval(.json(attributes))
    }

    public static func == (a: GrowthBookCondition, b: GrowthBookCondition) -> Bool { a.root == b.root }
}

// MARK: - compiled form

enum GBCompare: Sendable, Equatable { case eq, ne, gt, gte, lt, lte }

indirect enum GBNode: Sendable, Equatable {
    case and([GBNode])
    case or([GBNode])
    case nor([GBNode])
    case not(GBNode)
    case field(path: String, parts: [String], GBValue)
}

indirect enum GBValue: Sendable, Equatable {
    case string(String, insensitive: Bool)
    case number(Double)
    case bool(Bool)
    case null
    /// Exact structural equality (an array, or an object that is not an operator object).
    case literal(JSONValue)
    case operators([GBOperator])
}

indirect enum GBOperator: Sendable, Equatable {
    case version(GBCompare, String)  // padded expected version
    case strictEquals(JSONValue, negated: Bool)
    case compare(GBCompare, JSONValue)
    case exists(Bool)
    case isIn([JSONValue], insensitive: Bool, negated: Bool)
    case not(GBValue)
    case size(GBValue)
    case elemMatchValue(GBValue)
    case elemMatchCondition(GBNode)
    case all([GBValue])
    case regex(BoundedRegex)
    case type(String)
    /// An operator GrowthBook evaluates to false (unknown, or a malformed argument).
    case never(String)
}

/// Where values are read from: flat attributes, or a JSON value (nested attributes, or an
/// array element under `$elemMatch`).
enum GBSubject {
    case flat(Attributes)
    case json(JSONValue)

    func value(_ path: String, _ parts: [String]) -> JSONValue {
        var current: JSONValue
        var rest = parts[...]
        switch self {
        case .flat(let a):
            if let v = a[path] { return v.json }
            guard parts.count > 1, let first = rest.popFirst(), let v = a[first] else { return .null }
            current = v.json
        case .json(let j):
            current = j
        }
        for part in rest {
            switch current {
            case .object(let o):
                guard let v = o[part] else { return .null }
                current = v
            case .array(let a):
                guard let k = Int(part), k >= 0, k < a.count, String(k) == part else { return .null }
                current = a[k]
            default: return .null
            }
        }
        return current
    }
}

extension AttributeValue {
    /// The attribute as a JSON value.
    public var json: JSONValue {
        switch self {
        case .string(let s): .string(s)
        case .number(let d): .number(d)
        case .bool(let b): .bool(b)
        }
    }
}

// MARK: - parsing

private struct GBParser {
    let savedGroups: [String: [JSONValue]]
    var problems: [RulesetProblem]
    var warnings: [RulesetProblem]

    mutating func condition(_ json: JSONValue, path: String) -> GBNode {
        guard case .object(let obj) = json else {
            problems.append(.init(path, "expected a condition object, got \(json.typeName)"))
            return .and([])
        }
        var parts: [GBNode] = []
        for key in obj.keys.sorted() {
            let value = obj[key] ?? .null
            let p = JSONPath.member(path, key)
            switch key {
            case "$and", "$or", "$nor":
                guard case .array(let items) = value else {
                    problems.append(.init(p, "\(key) needs an array of conditions, got \(value.typeName)"))
                    continue
                }
                let cs = items.enumerated().map { condition($1, path: "\(p)[\($0)]") }
                parts.append(key == "$and" ? .and(cs) : key == "$or" ? .or(cs) : .nor(cs))
            case "$not":
                parts.append(.not(condition(value, path: p)))
            default:
                if key.hasPrefix("$") {
                    warnings.append(.init(p, "'\(key)' is read as an attribute path (GrowthBook's logical operators are $and, $or, $nor, $not)"))
                }
                parts.append(.field(path: key, parts: key.split(separator: ".", omittingEmptySubsequences: false).map(String.init),
                                    conditionValue(value, path: p, insensitive: false)))
            }
        }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    static func isOperatorObject(_ o: [String: JSONValue]) -> Bool {
        !o.isEmpty && o.keys.allSatisfy { $0.hasPrefix("$") }
    }

    mutating func conditionValue(_ json: JSONValue, path: String, insensitive: Bool) -> GBValue {
        switch json {
        case .string(let s): return .string(insensitive ? s.lowercased() : s, insensitive: insensitive)
        case .number(let d): return .number(d)
        case .bool(let b): return .bool(b)
        case .null: return .null
        case .array: return .literal(json)
        case .object(let o):
            guard Self.isOperatorObject(o) else { return .literal(json) }
            return .operators(o.keys.sorted().map { op in
                `operator`(op, o[op] ?? .null, path: JSONPath.member(path, op))
            })
        }
    }

    mutating func `operator`(_ op: String, _ arg: JSONValue, path: String) -> GBOperator {
        func never(_ why: String) -> GBOperator {
            warnings.append(.init(path, why + " (GrowthBook evaluates it as false)"))
            return .never(why)
        }
        func array(_ then: ([JSONValue]) -> GBOperator) -> GBOperator {
            guard case .array(let a) = arg else { return never("\(op) needs an array, got \(arg.typeName)") }
            return then(a)
        }
        switch op {
        case "$veq": return .version(.eq, GBSemantics.paddedVersion(arg))
        case "$vne": return .version(.ne, GBSemantics.paddedVersion(arg))
        case "$vgt": return .version(.gt, GBSemantics.paddedVersion(arg))
        case "$vgte": return .version(.gte, GBSemantics.paddedVersion(arg))
        case "$vlt": return .version(.lt, GBSemantics.paddedVersion(arg))
        case "$vlte": return .version(.lte, GBSemantics.paddedVersion(arg))
        case "$eq": return .strictEquals(arg, negated: false)
        case "$ne": return .strictEquals(arg, negated: true)
        case "$gt": return .compare(.gt, arg)
        case "$gte": return .compare(.gte, arg)
        case "$lt": return .compare(.lt, arg)
        case "$lte": return .compare(.lte, arg)
        case "$exists": return .exists(GBSemantics.truthy(arg))
        case "$in": return array { .isIn($0, insensitive: false, negated: false) }
        case "$nin": return array { .isIn($0, insensitive: false, negated: true) }
        case "$ini": return array { .isIn($0.map(GBSemantics.lowercased), insensitive: true, negated: false) }
        case "$nini": return array { .isIn($0.map(GBSemantics.lowercased), insensitive: true, negated: true) }
        case "$inGroup", "$notInGroup":
            let negated = op == "$notInGroup"
            guard case .string(let id) = arg else { return never("\(op) needs a saved group id, got \(arg.typeName)") }
            guard let members = savedGroups[id] else {
                warnings.append(.init(path, "unknown saved group '\(id)' (defined groups: \(savedGroups.keys.sorted().joined(separator: ", "))); GrowthBook treats it as empty"))
                return .isIn([], insensitive: false, negated: negated)
            }
            return .isIn(members, insensitive: false, negated: negated)
        case "$not": return .not(conditionValue(arg, path: path, insensitive: false))
        case "$size": return .size(conditionValue(arg, path: path, insensitive: false))
        case "$elemMatch":
            if case .object(let o) = arg, Self.isOperatorObject(o) {
                return .elemMatchValue(conditionValue(arg, path: path, insensitive: false))
            }
            guard case .object = arg else { return never("$elemMatch needs a condition object, got \(arg.typeName)") }
            return .elemMatchCondition(condition(arg, path: path))
        case "$all", "$alli":
            let insensitive = op == "$alli"
            return array { items in
                .all(items.enumerated().map { conditionValue($1, path: "\(path)[\($0)]", insensitive: insensitive) })
            }
        case "$regex", "$regexi":
            guard case .string(let pattern) = arg else { return never("\(op) needs a pattern string, got \(arg.typeName)") }
            do {
                return .regex(try BoundedRegex(pattern, caseInsensitive: op == "$regexi"))
            } catch {
                return never("invalid or unsupported pattern '\(pattern)': \(error.message)")
            }
        case "$type":
            guard case .string(let t) = arg else { return never("$type needs a type name, got \(arg.typeName)") }
            if !["string", "number", "boolean", "object", "array", "null", "undefined"].contains(t) {
                warnings.append(.init(path, "unknown $type '\(t)' (string, number, boolean, object, array, null)"))
            }
            return .type(t)
        default:
            return never("unknown operator '\(op)'")
        }
    }
}

// MARK: - evaluation

extension GBNode {
    func eval(_ subject: GBSubject) -> Bool {
        switch self {
        case .and(let cs): return cs.allSatisfy { $0.eval(subject) }
        case .or(let cs): return cs.isEmpty || cs.contains { $0.eval(subject) }
        case .nor(let cs): return !(cs.isEmpty || cs.contains { $0.eval(subject) })
        case .not(let c): return !c.eval(subject)
        case .field(let path, let parts, let test): return test.eval(subject.value(path, parts))
        }
    }
}

extension GBValue {
    func eval(_ v: JSONValue) -> Bool {
        switch self {
        case .string(let s, let insensitive):
            // `s` was lower-cased at compile time when insensitive.
            return insensitive ? GBSemantics.string(v).lowercased() == s : GBSemantics.string(v) == s
        case .number(let n): return GBSemantics.number(v) == n
        case .bool(let b): return v != .null && GBSemantics.truthy(v) == b
        case .null: return v == .null
        case .literal(let l): return v == l
        case .operators(let ops): return ops.allSatisfy { $0.eval(v) }
        }
    }
}

extension GBOperator {
    func eval(_ v: JSONValue) -> Bool {
        switch self {
        case .version(let op, let expected):
            return GBSemantics.compareVersions(v, expected, op)
        case .strictEquals(let x, let negated): return GBSemantics.strictEquals(v, x) != negated
        case .compare(let op, let x): return GBSemantics.relational(v, x, op)
        case .exists(let want): return (v != .null) == want
        case .isIn(let list, let insensitive, let negated):
            return GBSemantics.isIn(v, list, insensitive: insensitive) != negated
        case .not(let c): return !c.eval(v)
        case .size(let c):
            guard case .array(let a) = v else { return false }
            return c.eval(.number(Double(a.count)))
        case .elemMatchValue(let c):
            guard case .array(let a) = v else { return false }
            return a.contains { GBSemantics.truthy($0) && c.eval($0) }
        case .elemMatchCondition(let c):
            guard case .array(let a) = v else { return false }
            return a.contains { GBSemantics.truthy($0) && c.eval(.json($0)) }
        case .all(let items):
            guard case .array(let a) = v else { return false }
            return items.allSatisfy { item in a.contains { item.eval($0) } }
        case .regex(let r): return r.matches(GBSemantics.string(v))
        case .type(let t): return GBSemantics.typeName(v) == t
        case .never: return false
        }
    }
}

/// JavaScript's value semantics as GrowthBook's conditions use them (ECMA-262 ToString,
/// ToNumber, ToBoolean, `===`, the abstract relational comparison), on JSON values.
enum GBSemantics {
    static func truthy(_ v: JSONValue) -> Bool {
        switch v {
        case .null: false
        case .bool(let b): b
        case .number(let d): d != 0 && !d.isNaN
        case .string(let s): !s.isEmpty
        case .array, .object: true
        }
    }

    /// `String(v)`.
    static func string(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let d): numberString(d)
        case .string(let s): s
        case .array(let a): a.map { $0 == .null ? "" : string($0) }.joined(separator: ",")
        case .object: "[object Object]"
        }
    }

    /// JavaScript's Number::toString for the common cases (integers without a fraction).
    static func numberString(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == 0 { return "0" }
        if d.rounded() == d, abs(d) < 1e21 {
            return abs(d) < 9e18 ? String(Int64(d)) : String(format: "%.0f", d)
        }
        let s = "\(d)"
        guard let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return s }
        let mantissa = s[..<e]
        guard let exp = Int(s[s.index(after: e)...]) else { return s }
        return "\(mantissa)e\(exp < 0 ? "-" : "+")\(abs(exp))"
    }

    /// `Number(v)` (`v * 1`).
    static func number(_ v: JSONValue) -> Double {
        switch v {
        case .null: return 0
        case .bool(let b): return b ? 1 : 0
        case .number(let d): return d
        case .string(let s): return stringToNumber(s)
        case .array: return stringToNumber(string(v))
        case .object: return .nan
        }
    }

    static func stringToNumber(_ raw: String) -> Double {
        let s = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if s.isEmpty { return 0 }
        switch s {
        case "Infinity", "+Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: break
        }
        let lower = s.lowercased()
        if lower.hasPrefix("0x") { return UInt64(s.dropFirst(2), radix: 16).map(Double.init) ?? .nan }
        if lower.hasPrefix("0b") { return UInt64(s.dropFirst(2), radix: 2).map(Double.init) ?? .nan }
        if lower.hasPrefix("0o") { return UInt64(s.dropFirst(2), radix: 8).map(Double.init) ?? .nan }
        // Swift also reads "nan", "inf" and hexadecimal floats, which JavaScript does not.
        guard s.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || "+-.eE".unicodeScalars.contains($0) }) else { return .nan }
        return Double(s) ?? .nan
    }

    /// `a === b` for JSON values (arrays and objects are never identical to a literal).
    static func strictEquals(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        default: false
        }
    }

    /// ToPrimitive for relational comparison: arrays and objects become strings.
    private static func primitive(_ v: JSONValue) -> JSONValue {
        switch v {
        case .array, .object: .string(string(v))
        default: v
        }
    }

    /// `a < b`, `a <= b` …: both strings compare by UTF-16 code units, otherwise as numbers
    /// (NaN makes every comparison false).
    static func relational(_ a: JSONValue, _ b: JSONValue, _ op: GBCompare) -> Bool {
        let (pa, pb) = (primitive(a), primitive(b))
        if case .string(let x) = pa, case .string(let y) = pb { return compareStrings(x, y, op) }
        let x = number(pa), y = number(pb)
        switch op {
        case .eq: return x == y
        case .ne: return x != y
        case .gt: return x > y
        case .gte: return x >= y
        case .lt: return x < y
        case .lte: return x <= y
        }
    }

    static func compareStrings(_ x: String, _ y: String, _ op: GBCompare) -> Bool {
        let less = x.utf16.lexicographicallyPrecedes(y.utf16)
        let equal = x.utf16.elementsEqual(y.utf16)
        switch op {
        case .eq: return equal
        case .ne: return !equal
        case .lt: return less
        case .lte: return less || equal
        case .gt: return !less && !equal
        case .gte: return !less
        }
    }

    /// A string lower-cased (GrowthBook's case fold for `$ini`, `$nini`, `$alli`); other values as they are.
    static func lowercased(_ v: JSONValue) -> JSONValue {
        if case .string(let s) = v { return .string(s.lowercased()) }
        return v
    }

    /// `Array.prototype.includes` (intersection when `actual` is an array); `insensitive` folds
    /// strings to lower case (the list was folded at compile time).
    static func isIn(_ actual: JSONValue, _ list: [JSONValue], insensitive: Bool) -> Bool {
        func has(_ x: JSONValue) -> Bool {
            let fx = insensitive ? lowercased(x) : x
            return list.contains { strictEquals(fx, $0) }
        }
        if case .array(let items) = actual { return items.contains(where: has) }
        return has(actual)
    }

    /// GrowthBook's type names: null, array, string, number, boolean, object.
    static func typeName(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .array: "array"
        case .string: "string"
        case .number: "number"
        case .bool: "boolean"
        case .object: "object"
        }
    }

    /// Compares the padded version of `v` with an already padded `expected`; for ASCII input
    /// (every real version string) on bytes, without building the padded string.
    static func compareVersions(_ v: JSONValue, _ expected: String, _ op: GBCompare) -> Bool {
        guard case .string(let raw) = v, !raw.isEmpty, raw.utf8.allSatisfy({ $0 < 0x80 }),
              expected.utf8.allSatisfy({ $0 < 0x80 }) else {
            return compareStrings(paddedVersion(v), expected, op)
        }
        var bytes = Array(raw.utf8)[...]
        if bytes.first == UInt8(ascii: "v") { bytes = bytes.dropFirst() }
        if let plus = bytes.firstIndex(of: UInt8(ascii: "+")) { bytes = bytes[..<plus] }
        var padded: [UInt8] = []
        padded.reserveCapacity(bytes.count + 24)
        var parts = 0
        var start = bytes.startIndex
        while true {
            var end = start
            var numeric = true
            while end < bytes.endIndex, bytes[end] != UInt8(ascii: "-"), bytes[end] != UInt8(ascii: ".") {
                if bytes[end] < UInt8(ascii: "0") || bytes[end] > UInt8(ascii: "9") { numeric = false }
                end += 1
            }
            let length = end - start
            if parts > 0 { padded.append(UInt8(ascii: "-")) }
            if numeric, length > 0, length < 5 {
                padded.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 5 - length))
            }
            padded.append(contentsOf: bytes[start..<end])
            parts += 1
            if end == bytes.endIndex { break }
            start = end + 1
        }
        if parts == 3 { padded.append(contentsOf: [UInt8(ascii: "-"), UInt8(ascii: "~")]) }
        let less = padded.lexicographicallyPrecedes(expected.utf8), equal = padded.elementsEqual(expected.utf8)
        switch op {
        case .eq: return equal
        case .ne: return !equal
        case .lt: return less
        case .lte: return less || equal
        case .gt: return !less && !equal
        case .gte: return !less
        }
    }

    /// GrowthBook's `paddedVersionString`: numbers become strings, anything else that is not a
    /// non-empty string becomes "0"; a leading `v` and a `+build` suffix are dropped; the
    /// string splits at `-` and `.`; a plain three-part version gets a `~` part (so it sorts
    /// after its pre-releases); numeric parts are left-padded with spaces to width 5; the parts
    /// are joined with `-`. Padded strings then compare by code unit.
    static func paddedVersion(_ v: JSONValue) -> String {
        var s: String
        switch v {
        case .number(let d): s = numberString(d)
        case .string(let x) where !x.isEmpty: s = x
        default: s = "0"
        }
        if s.hasPrefix("v") { s.removeFirst() }
        if let plus = s.firstIndex(of: "+") { s = String(s[..<plus]) }
        var parts = s.split(omittingEmptySubsequences: false) { $0 == "-" || $0 == "." }.map(String.init)
        if parts.count == 3 { parts.append("~") }
        return parts.map { p in
            let numeric = !p.isEmpty && p.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
            return numeric && p.count < 5 ? String(repeating: " ", count: 5 - p.count) + p : p
        }.joined(separator: "-")
    }
}
