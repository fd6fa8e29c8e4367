import Yams

/// A YAML document as a plain, `Sendable` tree with each node's position, so that errors can
/// name the line as well as the key path, and sweeps can rewrite values before validation.
struct YNode: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A scalar's text, and Yams' resolution of its tag (str, int, float, bool, null).
        case scalar(String, ScalarType)
        /// Key–value pairs in document order (keys are scalars' text).
        case mapping([(key: String, value: YNode)])
        case sequence([YNode])

        static func == (a: Kind, b: Kind) -> Bool {
            switch (a, b) {
            case let (.scalar(x, s), .scalar(y, t)): return x == y && s == t
            case let (.sequence(x), .sequence(y)): return x == y
            case let (.mapping(x), .mapping(y)):
                return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
            default: return false
            }
        }
    }

    enum ScalarType: Sendable, Equatable {
        case string, int, float, bool, null
    }

    var kind: Kind
    var line: Int

    /// "a mapping", "a list", "the number 3", … for error messages.
    var summary: String {
        switch kind {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case let .scalar(text, type):
            switch type {
            case .null: return "nothing (null)"
            case .string: return "the text \"\(text)\""
            case .bool: return "the boolean \(text)"
            case .int, .float: return "the number \(text)"
            }
        }
    }
}

/// Limits on what a scenario or sweep document may expand to (README "Limits").
public enum YAMLLimits {
    /// Bytes of a scenario file.
    public static let maximumBytes = 4 << 20
    /// Nodes (scalars, mappings, lists) after YAML aliases are expanded: a 9-line "billion
    /// laughs" document would otherwise expand to 10⁹ nodes.
    public static let maximumNodes = 200_000
    /// Nesting depth of mappings and lists.
    public static let maximumDepth = 64
}

extension YNode {
    /// Converts a Yams node (aliases resolved by Yams' composer, and expanded here), counting
    /// nodes against ``YAMLLimits/maximumNodes`` and depth against ``YAMLLimits/maximumDepth``.
    static func convert(_ node: Node, file: String, budget: inout Int, depth: Int) throws(ScenarioError) -> YNode {
        let line = node.mark?.line ?? 0
        budget -= 1
        guard budget >= 0 else {
            throw ScenarioError(file: file, keyPath: "", message: "line \(line): the document expands to more than \(YAMLLimits.maximumNodes) values (YAML aliases are expanded when read); write the values out or use fewer aliases")
        }
        guard depth <= YAMLLimits.maximumDepth else {
            throw ScenarioError(file: file, keyPath: "", message: "line \(line): nested deeper than \(YAMLLimits.maximumDepth) levels")
        }
        var out = YNode(kind: .scalar("", .null), line: line)
        switch node {
        case let .scalar(s):
            let type: ScalarType
            if s.style == .singleQuoted || s.style == .doubleQuoted || s.style == .literal || s.style == .folded {
                type = .string
            } else {
                switch node.tag.description {
                case Tag.Name.int.rawValue: type = .int
                case Tag.Name.float.rawValue: type = .float
                case Tag.Name.bool.rawValue: type = .bool
                case Tag.Name.null.rawValue: type = .null
                default: type = .string
                }
            }
            out.kind = .scalar(s.string, type)
        case let .mapping(m):
            var pairs: [(key: String, value: YNode)] = []
            for (k, v) in m { pairs.append((key: k.string ?? "\(k)", value: try convert(v, file: file, budget: &budget, depth: depth + 1))) }
            out.kind = .mapping(pairs)
        case let .sequence(seq):
            var items: [YNode] = []
            for v in seq { items.append(try convert(v, file: file, budget: &budget, depth: depth + 1)) }
            out.kind = .sequence(items)
        case let .alias(a):
            out.kind = .scalar("*\(a.anchor.rawValue)", .string)
        }
        return out
    }

    /// Parses `text` as one YAML document; `file` names it in errors. Errors give the line and
    /// column and what was wrong, never the document's text.
    static func parse(_ text: String, file: String) throws(ScenarioError) -> YNode {
        guard text.utf8.count <= YAMLLimits.maximumBytes else {
            throw ScenarioError(file: file, keyPath: "", message: "the file is \(text.utf8.count) bytes; a scenario may have at most \(YAMLLimits.maximumBytes)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw ScenarioError(file: file, keyPath: "", message: describe(e, text: text))
        } catch {
            throw ScenarioError(file: file, keyPath: "", message: "not valid YAML")
        }
        guard let root else { throw ScenarioError(file: file, keyPath: "", message: "the file is empty") }
        var budget = YAMLLimits.maximumNodes
        return try convert(root, file: file, budget: &budget, depth: 0)
    }

    /// A YAML error as "line L, column C: problem", without the document's text. A duplicated
    /// key names the line of its second occurrence.
    static func describe(_ e: YamlError, text: String) -> String {
        func clip(_ s: String) -> String { s.count > 120 ? String(s.prefix(117)) + "…" : s }
        switch e {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let ctx = context.map { " (\(clip($0.text)) at line \($0.mark.line))" } ?? ""
            return "not valid YAML: line \(mark.line), column \(mark.column): \(clip(problem))\(ctx)"
        case let .reader(problem, offset, _, _):
            return "not valid YAML: \(clip(problem))" + (offset.map { " at byte \($0)" } ?? "")
        case let .duplicatedKeysInMapping(duplicates, context):
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            var found: [String] = []
            for key in duplicates.sorted() {
                // The second line at or after the mapping that starts with `key:` at the first one's indentation.
                var first: (line: Int, indent: Int)?
                var second: Int?
                for (i, l) in lines.enumerated() where i + 1 >= context.mark.line {
                    let body = l.drop { $0 == " " || $0 == "-" }
                    guard body.hasPrefix("\(key):") || body.hasPrefix("\"\(key)\":") || body.hasPrefix("'\(key)':") else { continue }
                    let indent = l.count - body.count
                    if let f = first { if indent == f.indent { second = i + 1; break } } else { first = (i + 1, indent) }
                }
                found.append("'\(clip(key))'" + (second.map { " again at line \($0)" } ?? "") + (first.map { " (first at line \($0.line))" } ?? ""))
            }
            return "duplicate key \(found.joined(separator: ", ")) in the mapping that starts at line \(context.mark.line)"
        default:
            return "not valid YAML: \(clip(String(describing: e)))"
        }
    }
}
