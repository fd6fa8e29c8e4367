import Foundation

/// A targeting condition over unit attributes. A ruleset's `"conditions"` key chooses the
/// language: `growthbook` (the default) compiles to `.growthbook`, GrowthBook's full condition
/// language (see `GrowthBookCondition`); `strict` uses the cases below, the small
/// MongoDB-like subset of GrowthBook's syntax that seed 001's rulesets need, with stricter
/// semantics.
///
/// Strict JSON form (every key of an object must hold, i.e. an implicit `$and`):
/// - `{"country": "SG"}` equality; `{"country": ["SG", "MY"]}` membership (seed 001 shorthand);
/// - `{"age": {"$gte": 18, "$lt": 65}}` with operators `$eq`, `$ne`, `$in`, `$nin`, `$gt`,
///   `$gte`, `$lt`, `$lte`, `$exists`;
/// - `{"$and": [c, …]}`, `{"$or": [c, …]}`, `{"$not": c}`.
///
/// A missing attribute fails every test except `$ne`, `$nin` and `{"$exists": false}`.
/// Numeric comparisons accept a string attribute that parses as a number ("30"), so attributes
/// given on the command line compare as numbers.
public indirect enum Condition: Sendable, Equatable {
    case all([Condition])
    case any([Condition])
    case not(Condition)
    case attribute(String, AttributeTest)
    /// A condition in GrowthBook's language (`"conditions": "growthbook"`).
    case growthbook(GrowthBookCondition)

    /// Whether `attributes` satisfy the condition (strict: `all([])` is true, `any([])` is false).
    public func matches(_ attributes: Attributes) -> Bool {
        switch self {
        case .all(let cs): return cs.allSatisfy { $0.matches(attributes) }
        case .any(let cs): return cs.contains { $0.matches(attributes) }
        case .not(let c): return !c.matches(attributes)
        case .attribute(let name, let test): return test.matches(attributes[name])
        case .growthbook(let g): return g.matches(attributes)
        }
    }

    /// Whether a JSON attributes object satisfies the condition. Strict conditions see only
    /// its top-level strings, numbers and booleans.
    public func matches(json attributes: JSONValue) -> Bool {
        if case .growthbook(let g) = self { return g.matches(json: attributes) }
        var flat = Attributes()
        if case .object(let o) = attributes {
            for (k, v) in o {
                switch v {
                case .string(let s): flat[k] = .string(s)
                case .number(let d): flat[k] = .number(d)
                case .bool(let b): flat[k] = .bool(b)
                default: break
                }
            }
        }
        return matches(flat)
    }
}

/// One test on one attribute's value.
public enum AttributeTest: Sendable, Equatable {
    case equals(AttributeValue)
    case notEquals(AttributeValue)
    case isIn([AttributeValue])
    case notIn([AttributeValue])
    case greaterThan(Double)
    case greaterThanOrEqual(Double)
    case lessThan(Double)
    case lessThanOrEqual(Double)
    case exists(Bool)

    /// Whether `value` (nil when the attribute is absent) passes the test.
    public func matches(_ value: AttributeValue?) -> Bool {
        switch self {
        case .exists(let want): return (value != nil) == want
        case .notEquals(let lit): return value.map { !Self.looselyEqual($0, lit) } ?? true
        case .notIn(let lits): return value.map { v in !lits.contains { Self.looselyEqual(v, $0) } } ?? true
        default: break
        }
        guard let value else { return false }
        switch self {
        case .equals(let lit): return Self.looselyEqual(value, lit)
        case .isIn(let lits): return lits.contains { Self.looselyEqual(value, $0) }
        case .greaterThan(let x): return value.numericValue.map { $0 > x } ?? false
        case .greaterThanOrEqual(let x): return value.numericValue.map { $0 >= x } ?? false
        case .lessThan(let x): return value.numericValue.map { $0 < x } ?? false
        case .lessThanOrEqual(let x): return value.numericValue.map { $0 <= x } ?? false
        case .exists, .notEquals, .notIn: return false  // handled above
        }
    }

    /// Equality that lets a string attribute match a number or boolean literal by value
    /// ("10" equals 10, "true" equals true); values of the same kind compare exactly.
    static func looselyEqual(_ a: AttributeValue, _ b: AttributeValue) -> Bool {
        switch (a, b) {
        case (.number, _), (_, .number):
            guard let x = a.numericValue, let y = b.numericValue else { return false }
            return x == y
        case (.bool, _), (_, .bool):
            return a.unitID == b.unitID
        case (.string(let x), .string(let y)):
            return x == y
        }
    }
}

extension Condition {
    /// Parses the JSON form, appending a problem (with its JSON path under `path`) for every
    /// malformed part; returns nil when there was any problem.
    static func parse(_ json: JSONValue, path: String, problems: inout [RulesetProblem]) -> Condition? {
        let before = problems.count
        let c = parseObject(json, path: path, problems: &problems)
        return problems.count == before ? c : nil
    }

    private static func parseObject(_ json: JSONValue, path: String, problems: inout [RulesetProblem]) -> Condition {
        guard case .object(let obj) = json else {
            problems.append(.init(path, "expected a condition object, got \(json.typeName)"))
            return .all([])
        }
        var parts: [Condition] = []
        for key in obj.keys.sorted() {
            let value = obj[key] ?? .null
            let p = JSONPath.member(path, key)
            switch key {
            case "$and", "$or":
                guard case .array(let items) = value else {
                    problems.append(.init(p, "\(key) needs an array of conditions, got \(value.typeName)"))
                    continue
                }
                let cs = items.enumerated().map { parseObject($1, path: "\(p)[\($0)]", problems: &problems) }
                parts.append(key == "$and" ? .all(cs) : .any(cs))
            case "$not":
                parts.append(.not(parseObject(value, path: p, problems: &problems)))
            case _ where key.hasPrefix("$"):
                problems.append(.init(p, "unknown logical operator '\(key)' (strict conditions know $and, $or, $not; \"conditions\": \"growthbook\" adds $nor)"))
            default:
                parts.append(contentsOf: parseAttribute(key, value, path: p, problems: &problems))
            }
        }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    private static func parseAttribute(_ name: String, _ value: JSONValue, path: String, problems: inout [RulesetProblem]) -> [Condition] {
        switch value {
        case .string, .number, .bool:
            return literal(value).map { [.attribute(name, .equals($0))] } ?? []
        case .array:
            return literals(value, path: path, problems: &problems).map { [.attribute(name, .isIn($0))] } ?? []
        case .null:
            problems.append(.init(path, "null is not a condition; use {\"$exists\": false}"))
            return []
        case .object(let ops):
            var tests: [Condition] = []
            for op in ops.keys.sorted() {
                let arg = ops[op] ?? .null
                let p = JSONPath.member(path, op)
                func number() -> Double? {
                    if case .number(let d) = arg, d.isFinite { return d }
                    problems.append(.init(p, "\(op) needs a number, got \(arg.typeName)"))
                    return nil
                }
                func scalar() -> AttributeValue? {
                    if let v = literal(arg) { return v }
                    problems.append(.init(p, "\(op) needs a string, number or boolean, got \(arg.typeName)"))
                    return nil
                }
                let test: AttributeTest?
                switch op {
                case "$eq": test = scalar().map { .equals($0) }
                case "$ne": test = scalar().map { .notEquals($0) }
                case "$in": test = literals(arg, path: p, problems: &problems).map { .isIn($0) }
                case "$nin": test = literals(arg, path: p, problems: &problems).map { .notIn($0) }
                case "$gt": test = number().map { .greaterThan($0) }
                case "$gte": test = number().map { .greaterThanOrEqual($0) }
                case "$lt": test = number().map { .lessThan($0) }
                case "$lte": test = number().map { .lessThanOrEqual($0) }
                case "$exists":
                    if case .bool(let b) = arg { test = .exists(b) } else {
                        problems.append(.init(p, "$exists needs true or false, got \(arg.typeName)"))
                        test = nil
                    }
                default:
                    problems.append(.init(p, "unknown operator '\(op)' (strict conditions know $eq, $ne, $in, $nin, $gt, $gte, $lt, $lte, $exists; GrowthBook's full language needs \"conditions\": \"growthbook\")"))
                    test = nil
                }
                if let test { tests.append(.attribute(name, test)) }
            }
            if ops.isEmpty { problems.append(.init(path, "empty operator object")) }
            return tests
        }
    }

    private static func literal(_ v: JSONValue) -> AttributeValue? {
        switch v {
        case .string(let s): .string(s)
        case .number(let d): .number(d)
        case .bool(let b): .bool(b)
        default: nil
        }
    }

    private static func literals(_ v: JSONValue, path: String, problems: inout [RulesetProblem]) -> [AttributeValue]? {
        guard case .array(let items) = v else {
            problems.append(.init(path, "expected an array of values, got \(v.typeName)"))
            return nil
        }
        var out: [AttributeValue] = []
        var ok = true
        for (i, item) in items.enumerated() {
            if let l = literal(item) { out.append(l) } else {
                problems.append(.init("\(path)[\(i)]", "expected a string, number or boolean, got \(item.typeName)"))
                ok = false
            }
        }
        return ok ? out : nil
    }
}

/// Building JSON paths such as `experiments[2].variants[1].weight`.
enum JSONPath {
    /// `base.key`, or `base["key"]` when the key is not a plain identifier.
    static func member(_ base: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.unicodeScalars.allSatisfy {
            ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || $0 == "_" || $0 == "$" || $0 == "-"
        }
        let escaped = key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let suffix = plain ? key : "[\"\(escaped)\"]"
        if base.isEmpty { return suffix }
        return plain ? "\(base).\(suffix)" : "\(base)\(suffix)"
    }
}
