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
        try checkExpansion(text, file: file)
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

    /// Rejects a document whose aliases expand to more than ``YAMLLimits/maximumNodes`` values
    /// *before* Yams composes it. Composing shares an aliased node instead of copying it, but
    /// Yams checks every mapping for duplicate keys by hashing the keys whole, so a key that is
    /// an alias of a billion-laughs node took 12 s before the limit in ``convert`` was reached
    /// (a fuzzer-found input, `Tests/Fixtures/fuzz/scenario/alias-key-bomb.yaml`). The count
    /// runs on a copy whose aliases are plain scalars (`*` → U+E000: one code point for one, so
    /// the lines and columns of any syntax error are the original's), in document order, each
    /// alias counting as the size of the latest node anchored under its name.
    static func checkExpansion(_ text: String, file: String) throws(ScenarioError) {
        guard text.utf8.contains(UInt8(ascii: "*")) else { return }
        let marker: Unicode.Scalar = "\u{E000}"
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.lazy.map { $0 == "*" ? marker : $0 })
        let defused = String(scalars)
        let parser: Parser
        let root: Node?
        do {
            parser = try Parser(yaml: defused)
            root = try parser.singleRoot()
        } catch let e as YamlError {
            throw ScenarioError(file: file, keyPath: "", message: describe(e, text: text))
        } catch {
            throw ScenarioError(file: file, keyPath: "", message: "not valid YAML")
        }
        guard let root else { return }
        let limit = YAMLLimits.maximumNodes
        var sizes: [String: Int] = [:]
        var tooDeep: Int?, overLine: Int?
        // The expanded size of `node`, saturating at limit + 1 (the parser holds the anchors,
        // which nodes reference weakly, so it stays alive while this runs).
        func size(_ node: Node, depth: Int) -> Int {
            guard depth <= YAMLLimits.maximumDepth else {
                if tooDeep == nil { tooDeep = node.mark?.line ?? 0 }
                return 1
            }
            var n = 1
            switch node {
            case let .scalar(x):
                if x.style == .plain, x.string.unicodeScalars.first == marker {
                    n = sizes[String(String.UnicodeScalarView(x.string.unicodeScalars.dropFirst()))] ?? 1
                }
            case let .mapping(m):
                for (k, v) in m { n = min(limit + 1, n + size(k, depth: depth + 1) + size(v, depth: depth + 1)) }
            case let .sequence(q):
                for v in q { n = min(limit + 1, n + size(v, depth: depth + 1)) }
            case .alias:
                break
            }
            if let a = node.anchor { sizes[a.rawValue] = n }
            if n > limit && overLine == nil { overLine = node.mark?.line ?? 0 }
            return n
        }
        let total = withExtendedLifetime(parser) { size(root, depth: 0) }
        if let line = tooDeep {
            throw ScenarioError(file: file, keyPath: "", message: "line \(line): nested deeper than \(YAMLLimits.maximumDepth) levels")
        }
        guard total <= limit else {
            throw ScenarioError(file: file, keyPath: "", message: "line \(overLine ?? 0): the document expands to more than \(limit) values (YAML aliases are expanded when read); write the values out or use fewer aliases")
        }
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
