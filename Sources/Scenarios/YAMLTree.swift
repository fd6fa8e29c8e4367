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

extension YNode {
    /// Converts a Yams node (aliases resolved by Yams' composer).
    init(_ node: Node) {
        line = node.mark?.line ?? 0
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
            kind = .scalar(s.string, type)
        case let .mapping(m):
            kind = .mapping(m.map { (key: $0.key.string ?? "\($0.key)", value: YNode($0.value)) })
        case let .sequence(seq):
            kind = .sequence(seq.map { YNode($0) })
        case let .alias(a):
            kind = .scalar("*\(a.anchor.rawValue)", .string)
        }
    }

    /// Parses `text` as one YAML document; `file` names it in errors.
    static func parse(_ text: String, file: String) throws(ScenarioError) -> YNode {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ScenarioError(file: file, keyPath: "", message: "not valid YAML: \(error)")
        }
        guard let root else { throw ScenarioError(file: file, keyPath: "", message: "the file is empty") }
        return YNode(root)
    }
}
