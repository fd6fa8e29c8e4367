import Foundation

/// A JSON value, kept as parsed (used for variant configs and for validating rulesets with
/// JSON paths). Numbers are Doubles; integral numbers are written back without a fraction.
public enum JSONValue: Sendable, Equatable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Decodes any JSON value (booleans are not read as numbers or vice versa).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// Encodes the value; an integral number within ±2⁵³ is written as an integer.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let d):
            if d.rounded() == d, abs(d) <= 9_007_199_254_740_992 { try c.encode(Int64(d)) } else { try c.encode(d) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// The JSON type name, for error messages ("string", "number", …).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// The value of one unit attribute (country, platform, user id, age …).
public enum AttributeValue: Sendable, Equatable, Hashable, Codable, ExpressibleByStringLiteral,
    ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    case string(String)
    case number(Double)
    case bool(Bool)

    /// A string attribute.
    public init(stringLiteral value: String) { self = .string(value) }
    /// A numeric attribute.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// A numeric attribute.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// A boolean attribute.
    public init(booleanLiteral value: Bool) { self = .bool(value) }

    /// Decodes a JSON string, number or boolean.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else { self = .string(try c.decode(String.self)) }
    }

    /// Encodes as a JSON string, number (integral ones without a fraction) or boolean.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .bool(let b): try c.encode(b)
        case .number(let d):
            if d.rounded() == d, abs(d) <= 9_007_199_254_740_992 { try c.encode(Int64(d)) } else { try c.encode(d) }
        }
    }

    /// The value as a unit id: strings as they are, integral numbers without a fraction
    /// (`123`, as GrowthBook hashes an integer id), other numbers in Swift's shortest form,
    /// booleans as `true`/`false`.
    public var unitID: String {
        switch self {
        case .string(let s): s
        case .bool(let b): b ? "true" : "false"
        case .number(let d):
            d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        }
    }

    /// The value as a number: numbers themselves, strings that parse as a finite Double
    /// (so `--attr age=30` compares numerically), otherwise nil.
    public var numericValue: Double? {
        switch self {
        case .number(let d): d
        case .string(let s): Double(s.trimmingCharacters(in: .whitespaces)).flatMap { $0.isFinite ? $0 : nil }
        case .bool: nil
        }
    }
}

/// A unit's attributes, keyed by name.
public typealias Attributes = [String: AttributeValue]
