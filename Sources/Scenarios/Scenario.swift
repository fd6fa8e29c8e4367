import Crypto
import Foundation
import Simulation

/// A scenario file: a study, the cells its sweep expands into, and its gates.
public struct Scenario: Sendable {
    /// The file as the user named it.
    public let file: String
    public let id: String
    public let description: String
    /// SHA-256 of the file's bytes (hex), recorded in every result.
    public let sourceHash: String
    /// The swept key paths, in file order (the factor columns of the results).
    public let factors: [String]
    /// One study per cell of the sweep (a single cell when there is no sweep).
    public let cells: [ScenarioCell]
    public let gates: [GateSpec]
}

/// One combination of swept values.
public struct ScenarioCell: Sendable {
    /// The cell's position in the sweep (its index in the random-stream path).
    public let index: Int
    /// Swept key path → value as written in the file, in factor order.
    public let factorValues: [(key: String, value: String)]
    public let study: Study

    /// `population.units=2000, looks.count=5`, or `base` when nothing is swept.
    public var label: String {
        factorValues.isEmpty ? "base" : factorValues.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }
}

extension Scenario {
    /// The replication counts a scenario (or `--replications`) may ask for.
    public static let replicationRange = 2...10_000_000

    /// Reads and validates a scenario file. Throws a ``ScenarioError`` naming the file, the key
    /// path and what was expected; never returns a partially valid scenario.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        let data: Data
        do {
            // Refuse an oversized file before reading it into memory.
            if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > YAMLLimits.maximumBytes {
                throw ScenarioError(file: path, keyPath: "", message: "the file is \(size) bytes; a scenario may have at most \(YAMLLimits.maximumBytes)")
            }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let e as ScenarioError {
            throw e
        } catch {
            throw ScenarioError(file: path, keyPath: "", message: "cannot read the file: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(file: path, keyPath: "", message: "the file is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// Parses and validates scenario text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(ScenarioError) -> Scenario {
        let root = try YNode.parse(text, file: file)
        let top = try Value(file: file, path: "", node: root).object(allowed: ScenarioSchema.topLevelKeys)
        let schema = try top.required("schema").int()
        guard schema == 1 else {
            throw ScenarioError(file: file, keyPath: "schema", message: "unsupported schema version \(schema); this SplitBench reads schema 1")
        }
        // Sweep: key paths → lists of values, plus optional exclusions.
        var factors: [(key: String, values: [YNode], texts: [String])] = []
        var exclusions: [[String: String]] = []
        if let sweep = top.optional("sweep") {
            for (key, value) in try sweep.entries() {
                if key == "exclude" {
                    for item in try value.list() {
                        var rule: [String: String] = [:]
                        for (k, v) in try item.entries() { rule[k] = try ScenarioSchema.scalarText(v) }
                        exclusions.append(rule)
                    }
                    continue
                }
                guard !key.hasPrefix("sweep"), !key.hasPrefix("gates"), key != "seed", key != "schema", key != "id" else {
                    throw ScenarioError(file: file, keyPath: "sweep.\(key)", message: "this key cannot be swept")
                }
                let items = try value.nonEmptyList()
                var texts: [String] = []
                for item in items { texts.append(try ScenarioSchema.scalarText(item)) }
                guard Set(texts).count == texts.count else {
                    throw value.fail("the swept values must be distinct")
                }
                factors.append((key, items.map(\.node), texts))
            }
            for (i, rule) in exclusions.enumerated() {
                for k in rule.keys where !factors.contains(where: { $0.key == k }) {
                    throw ScenarioError(file: file, keyPath: "sweep.exclude[\(i)].\(k)", message: "not a swept key path")
                }
            }
        }
        // Expand the cross product in file order (the last factor varies fastest).
        var combos: [[Int]] = [[]]
        for f in factors {
            combos = combos.flatMap { c in (0..<f.values.count).map { c + [$0] } }
        }
        var cells: [ScenarioCell] = []
        for combo in combos {
            let values = zip(factors, combo).map { (key: $0.key, value: $0.texts[$1]) }
            if exclusions.contains(where: { rule in rule.allSatisfy { k, v in values.contains { $0.key == k && $0.value == v } } }) {
                continue
            }
            var node = root
            for (f, i) in zip(factors, combo) {
                try KeyPathEditor.set(&node, path: f.key, to: f.values[i], file: file)
            }
            let cellFile = values.isEmpty ? file : "\(file) [cell \(values.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))]"
            let study = try ScenarioSchema.study(Value(file: cellFile, path: "", node: node))
            cells.append(ScenarioCell(index: cells.count, factorValues: values, study: study))
        }
        guard let first = cells.first else {
            throw ScenarioError(file: file, keyPath: "sweep.exclude", message: "every cell of the sweep is excluded")
        }
        var gates: [GateSpec] = []
        if let g = top.optional("gates") {
            for item in try g.list() {
                gates.append(try ScenarioSchema.gate(item, study: first.study, factors: factors.map(\.key)))
            }
        }
        let digest = SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
        return Scenario(file: file, id: first.study.id, description: first.study.description, sourceHash: digest,
                        factors: factors.map(\.key), cells: cells, gates: gates)
    }
}

/// Rewrites a value inside a ``YNode`` tree at a key path such as `population.units`,
/// `metrics[0].baseline` or `metrics[revenue].pre_period_correlation` (a list item selected by
/// its `name` or `id`).
enum KeyPathEditor {
    static func set(_ node: inout YNode, path: String, to value: YNode, file: String) throws(ScenarioError) {
        let parts = try components(path, file: file)
        try set(&node, parts[...], value: value, file: file, full: path)
    }

    enum Component { case key(String), index(Int), named(String) }

    static func components(_ path: String, file: String) throws(ScenarioError) -> [Component] {
        var out: [Component] = []
        for segment in path.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(segment)
            guard let keyEnd = rest.firstIndex(of: "[") ?? Optional(rest.endIndex) else { break }
            let key = String(rest[..<keyEnd])
            guard !key.isEmpty else {
                throw ScenarioError(file: file, keyPath: "sweep.\(path)", message: "malformed key path")
            }
            out.append(.key(key))
            rest = rest[keyEnd...]
            while rest.first == "[" {
                guard let close = rest.firstIndex(of: "]") else {
                    throw ScenarioError(file: file, keyPath: "sweep.\(path)", message: "malformed key path: missing ']'")
                }
                let inner = String(rest[rest.index(after: rest.startIndex)..<close])
                out.append(Int(inner).map { .index($0) } ?? .named(inner))
                rest = rest[rest.index(after: close)...]
            }
            guard rest.isEmpty else {
                throw ScenarioError(file: file, keyPath: "sweep.\(path)", message: "malformed key path")
            }
        }
        return out
    }

    private static func set(_ node: inout YNode, _ parts: ArraySlice<Component>, value: YNode, file: String, full: String) throws(ScenarioError) {
        guard let head = parts.first else { node = value; return }
        let rest = parts.dropFirst()
        switch (head, node.kind) {
        case let (.key(k), .mapping(pairs)):
            var pairs = pairs
            if let i = pairs.firstIndex(where: { $0.key == k }) {
                try set(&pairs[i].value, rest, value: value, file: file, full: full)
            } else if rest.isEmpty {
                pairs.append((k, value))
            } else {
                throw ScenarioError(file: file, keyPath: "sweep.\(full)", message: "the scenario has no key \"\(k)\" on this path")
            }
            node.kind = .mapping(pairs)
        case let (.index(i), .sequence(items)):
            guard items.indices.contains(i) else {
                throw ScenarioError(file: file, keyPath: "sweep.\(full)", message: "index \(i) is out of range (the list has \(items.count) items)")
            }
            var items = items
            try set(&items[i], rest, value: value, file: file, full: full)
            node.kind = .sequence(items)
        case let (.named(name), .sequence(items)):
            let match = items.firstIndex { item in
                guard case let .mapping(p) = item.kind else { return false }
                return p.contains { ($0.key == "name" || $0.key == "id") && $0.value.kind == .scalar(name, .string) }
            }
            guard let i = match else {
                throw ScenarioError(file: file, keyPath: "sweep.\(full)", message: "no list item is named \"\(name)\"")
            }
            var items = items
            try set(&items[i], rest, value: value, file: file, full: full)
            node.kind = .sequence(items)
        default:
            throw ScenarioError(file: file, keyPath: "sweep.\(full)", message: "the key path does not match the scenario's structure")
        }
    }
}

extension Scenario {
    /// The cells as runner inputs, with optional overrides of the replication count and seed.
    public func cellInputs(replications: Int? = nil, seed: UInt64? = nil) -> [CellInput] {
        cells.map { cell in
            var study = cell.study
            if let replications { study.replications = replications }
            if let seed { study.seed = seed }
            return CellInput(index: cell.index, label: cell.label,
                             factors: cell.factorValues.map { FactorValue(key: $0.key, value: $0.value) }, study: study)
        }
    }

    /// The scenario files named by `paths`: each file as given, each directory's `*.yaml` and
    /// `*.yml` files (not recursive) in name order. Throws for a path that does not exist or a
    /// directory without scenarios.
    public static func files(in paths: [String]) throws(ScenarioError) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                throw ScenarioError(file: path, keyPath: "", message: "no such file or directory")
            }
            if isDir.boolValue {
                let names = ((try? fm.contentsOfDirectory(atPath: path)) ?? [])
                    .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                guard !names.isEmpty else {
                    throw ScenarioError(file: path, keyPath: "", message: "the directory holds no .yaml scenario files")
                }
                out += names.map { (path as NSString).appendingPathComponent($0) }
            } else {
                out.append(path)
            }
        }
        return out
    }
}
