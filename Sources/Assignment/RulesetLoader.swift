import Foundation

/// Reads one JSON object, records which keys were used, and reports type problems with paths.
private struct ObjectReader {
    let object: [String: JSONValue]
    let path: String
    private(set) var used: Set<String> = []

    init?(_ value: JSONValue, path: String, problems: inout [RulesetProblem]) {
        guard case .object(let o) = value else {
            problems.append(RulesetProblem(path, "expected an object, got \(value.typeName)"))
            return nil
        }
        object = o
        self.path = path
    }

    func at(_ key: String) -> String { JSONPath.member(path, key) }

    mutating func value(_ key: String) -> JSONValue? {
        used.insert(key)
        return object[key]
    }

    mutating func string(_ key: String, required: Bool, problems: inout [RulesetProblem]) -> String? {
        guard let v = value(key) else {
            if required { problems.append(RulesetProblem(at(key), "missing required string")) }
            return nil
        }
        guard case .string(let s) = v else {
            problems.append(RulesetProblem(at(key), "expected a string, got \(v.typeName)"))
            return nil
        }
        return s
    }

    mutating func nonEmptyString(_ key: String, required: Bool, problems: inout [RulesetProblem]) -> String? {
        guard let s = string(key, required: required, problems: &problems) else { return nil }
        if s.isEmpty {
            problems.append(RulesetProblem(at(key), "must not be empty"))
            return nil
        }
        return s
    }

    mutating func number(_ key: String, problems: inout [RulesetProblem]) -> Double? {
        guard let v = value(key) else { return nil }
        guard case .number(let d) = v else {
            problems.append(RulesetProblem(at(key), "expected a number, got \(v.typeName)"))
            return nil
        }
        return d
    }

    mutating func fraction(_ key: String, problems: inout [RulesetProblem]) -> Double? {
        guard let d = number(key, problems: &problems) else { return nil }
        guard d >= 0, d <= 1 else {
            problems.append(RulesetProblem(at(key), "\(d) is outside [0, 1]"))
            return nil
        }
        return d
    }

    mutating func bool(_ key: String, problems: inout [RulesetProblem]) -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .bool(let b) = v else {
            problems.append(RulesetProblem(at(key), "expected true or false, got \(v.typeName)"))
            return nil
        }
        return b
    }

    mutating func hashScheme(_ key: String, problems: inout [RulesetProblem]) -> HashScheme? {
        guard let s = string(key, required: false, problems: &problems) else { return nil }
        guard let scheme = HashScheme(rawValue: s) else {
            let known = HashScheme.allCases.map(\.rawValue).joined(separator: ", ")
            problems.append(RulesetProblem(at(key), "unknown hash scheme '\(s)' (known: \(known))"))
            return nil
        }
        return scheme
    }

    mutating func date(_ key: String, problems: inout [RulesetProblem]) -> Date? {
        guard let s = string(key, required: false, problems: &problems) else { return nil }
        guard let d = parseISO8601(s) else {
            problems.append(RulesetProblem(at(key), "'\(s)' is not an ISO 8601 time such as 2026-04-19T10:22:00Z"))
            return nil
        }
        return d
    }

    mutating func range(_ key: String, problems: inout [RulesetProblem]) -> BucketRange? {
        guard let v = value(key) else { return nil }
        return ObjectReader.range(v, path: at(key), problems: &problems)
    }

    static func range(_ v: JSONValue, path: String, problems: inout [RulesetProblem]) -> BucketRange? {
        guard case .array(let a) = v, a.count == 2, case .number(let lo) = a[0], case .number(let hi) = a[1] else {
            problems.append(RulesetProblem(path, "expected [start, end] with two numbers, got \(v.typeName == "array" ? "an array of another shape" : v.typeName)"))
            return nil
        }
        guard lo >= 0, hi <= 1, lo <= hi else {
            problems.append(RulesetProblem(path, "range [\(lo), \(hi)) must satisfy 0 ≤ start ≤ end ≤ 1"))
            return nil
        }
        return BucketRange(start: lo, end: hi)
    }

    /// Reports every key that was never read.
    func reportUnknownKeys(_ problems: inout [RulesetProblem], known: String) {
        for key in object.keys.sorted() where !used.contains(key) {
            problems.append(RulesetProblem(at(key), "unknown key '\(key)' (known keys: \(known))"))
        }
    }
}

/// Turns a parsed JSON document into a validated `Ruleset`, collecting every problem.
enum RulesetLoader {
    static let defaultUnit = "user_id"

    static func load(_ root: JSONValue) throws(RulesetError) -> Ruleset {
        var problems: [RulesetProblem] = []
        guard var top = ObjectReader(root, path: "", problems: &problems) else {
            throw RulesetError(problems: problems)
        }
        if let schema = top.number("schema", problems: &problems), schema != 1 {
            problems.append(RulesetProblem("schema", "unsupported schema \(schema.rounded() == schema && abs(schema) < 1e15 ? String(Int64(schema)) : String(schema)); this version reads schema 1"))
        }
        let layers = array(&top, "layers", required: false, problems: &problems)
            .enumerated().compactMap { layer($1, path: "layers[\($0)]", problems: &problems) }
        let holdouts = array(&top, "holdouts", required: false, problems: &problems)
            .enumerated().compactMap { holdout($1, path: "holdouts[\($0)]", problems: &problems) }
        let experimentValues = array(&top, "experiments", required: true, problems: &problems)
        var options = Options()
        if let m = top.string("conditions", required: false, problems: &problems) {
            if let mode = ConditionMode(rawValue: m) { options.conditions = mode } else {
                problems.append(RulesetProblem(top.at("conditions"), "unknown condition language '\(m)' (growthbook, the default, or strict)"))
            }
        }
        if let m = top.string("bucket_ranges", required: false, problems: &problems) {
            if let rules = BucketRangeRules(rawValue: m) { options.bucketRanges = rules } else {
                problems.append(RulesetProblem(top.at("bucket_ranges"), "unknown bucket-range rules '\(m)' (strict, the default, or growthbook)"))
            }
        }
        if let g = top.value("saved_groups") {
            options.savedGroups = savedGroups(g, path: top.at("saved_groups"), problems: &problems)
            if options.conditions == .strict {
                problems.append(RulesetProblem(top.at("saved_groups"), "saved groups need \"conditions\": \"growthbook\" ($inGroup is not in the strict language)"))
            }
        }
        top.reportUnknownKeys(&problems, known: "schema, conditions, bucket_ranges, saved_groups, experiments, layers, holdouts")

        duplicates(layers.map { ($0.value.id, $0.path) }, what: "layer", problems: &problems)
        duplicates(holdouts.map { ($0.value.id, $0.path) }, what: "holdout", problems: &problems)
        let layerByID = Dictionary(layers.map { ($0.value.id, $0.value) }, uniquingKeysWith: { a, _ in a })
        let holdoutByID = Dictionary(holdouts.map { ($0.value.id, $0.value) }, uniquingKeysWith: { a, _ in a })

        var experiments: [(value: Experiment, path: String)] = []
        var warnings: [RulesetProblem] = []
        for (i, v) in experimentValues.enumerated() {
            let path = "experiments[\(i)]"
            if let e = experiment(v, path: path, layers: layerByID, holdouts: holdoutByID, options: options,
                                  problems: &problems, warnings: &warnings) {
                experiments.append((e, path))
            }
        }
        duplicates(experiments.map { ($0.value.id, $0.path) }, what: "experiment", problems: &problems)

        // Layers must not be over-allocated: the ranges of one layer's experiments are disjoint.
        for (j, e) in experiments.enumerated() {
            guard let slot = e.value.layer else { continue }
            for earlier in experiments[..<j] {
                guard let other = earlier.value.layer, other.layer == slot.layer, other.range.overlaps(slot.range) else { continue }
                problems.append(RulesetProblem(
                    "\(e.path).layer.range",
                    "layer '\(slot.layer)' is over-allocated: experiment '\(e.value.id)' range [\(slot.range.start), \(slot.range.end)) overlaps \(earlier.path) '\(earlier.value.id)' range [\(other.range.start), \(other.range.end))"))
            }
        }
        guard problems.isEmpty else { throw RulesetError(problems: problems) }
        return Ruleset(experiments: experiments.map(\.value), layers: layers.map(\.value), holdouts: holdouts.map(\.value),
                       conditions: options.conditions, bucketRangeRules: options.bucketRanges,
                       savedGroups: options.savedGroups, warnings: warnings)
    }

    /// Document-wide settings that shape how experiments are read.
    struct Options {
        var conditions = ConditionMode.growthbook
        var bucketRanges = BucketRangeRules.strict
        var savedGroups: [String: [JSONValue]] = [:]
    }

    /// `"saved_groups": {"id": [value, …]}` (values: strings, numbers, booleans).
    private static func savedGroups(_ v: JSONValue, path: String, problems: inout [RulesetProblem]) -> [String: [JSONValue]] {
        guard case .object(let o) = v else {
            problems.append(RulesetProblem(path, "expected an object of saved groups (id: [values]), got \(v.typeName)"))
            return [:]
        }
        var out: [String: [JSONValue]] = [:]
        for key in o.keys.sorted() {
            let p = JSONPath.member(path, key)
            guard case .array(let items) = o[key] ?? .null else {
                problems.append(RulesetProblem(p, "expected an array of values, got \((o[key] ?? .null).typeName)"))
                continue
            }
            for (i, item) in items.enumerated() {
                switch item {
                case .string, .number, .bool: break
                default: problems.append(RulesetProblem("\(p)[\(i)]", "expected a string, number or boolean, got \(item.typeName)"))
                }
            }
            out[key] = items
        }
        return out
    }

    private static func array(_ r: inout ObjectReader, _ key: String, required: Bool, problems: inout [RulesetProblem]) -> [JSONValue] {
        guard let v = r.value(key) else {
            if required { problems.append(RulesetProblem(r.at(key), "missing required array")) }
            return []
        }
        guard case .array(let a) = v else {
            problems.append(RulesetProblem(r.at(key), "expected an array, got \(v.typeName)"))
            return []
        }
        return a
    }

    private static func duplicates(_ ids: [(String, String)], what: String, problems: inout [RulesetProblem]) {
        var first: [String: String] = [:]
        for (id, path) in ids {
            if let earlier = first[id] {
                problems.append(RulesetProblem("\(path).id", "duplicate \(what) id '\(id)' (first defined at \(earlier))"))
            } else {
                first[id] = path
            }
        }
    }

    private static func layer(_ v: JSONValue, path: String, problems: inout [RulesetProblem]) -> (value: Layer, path: String)? {
        guard var r = ObjectReader(v, path: path, problems: &problems) else { return nil }
        let before = problems.count
        let id = r.nonEmptyString("id", required: true, problems: &problems)
        let salt = r.string("salt", required: true, problems: &problems)
        let hash = r.hashScheme("hash", problems: &problems) ?? .sha256
        let unit = r.nonEmptyString("unit", required: false, problems: &problems) ?? defaultUnit
        r.reportUnknownKeys(&problems, known: "id, salt, hash, unit")
        guard problems.count == before, let id, let salt else { return nil }
        return (Layer(id: id, salt: salt, hash: hash, unit: unit, hasher: SaltedHasher(scheme: hash, salt: salt)), path)
    }

    private static func holdout(_ v: JSONValue, path: String, problems: inout [RulesetProblem]) -> (value: Holdout, path: String)? {
        guard var r = ObjectReader(v, path: path, problems: &problems) else { return nil }
        let before = problems.count
        let id = r.nonEmptyString("id", required: true, problems: &problems)
        let salt = r.string("salt", required: true, problems: &problems)
        let hash = r.hashScheme("hash", problems: &problems) ?? .sha256
        let unit = r.nonEmptyString("unit", required: false, problems: &problems) ?? defaultUnit
        let fraction = r.fraction("fraction", problems: &problems)
        if fraction == nil && r.object["fraction"] == nil {
            problems.append(RulesetProblem(r.at("fraction"), "missing required number (share of units held out, 0–1)"))
        }
        let all = r.bool("all_experiments", problems: &problems) ?? false
        r.reportUnknownKeys(&problems, known: "id, salt, hash, unit, fraction, all_experiments")
        guard problems.count == before, let id, let salt, let fraction else { return nil }
        let hasher = SaltedHasher(scheme: hash, salt: salt)
        let limit = BucketRange(start: 0, end: fraction).bucketBounds(count: hash.bucketCount).upper
        return (Holdout(id: id, salt: salt, hash: hash, unit: unit, fraction: fraction, allExperiments: all,
                        hasher: hasher, bucketLimit: limit), path)
    }

    private static func experiment(_ v: JSONValue, path: String, layers: [String: Layer], holdouts: [String: Holdout],
                                   options: Options, problems: inout [RulesetProblem], warnings: inout [RulesetProblem]) -> Experiment? {
        guard var r = ObjectReader(v, path: path, problems: &problems) else { return nil }
        let before = problems.count
        let id = r.nonEmptyString("id", required: true, problems: &problems)
        let name = id.map { "'\($0)'" } ?? path
        let salt = r.string("salt", required: true, problems: &problems)
        let hash = r.hashScheme("hash", problems: &problems) ?? .sha256
        let unit = r.nonEmptyString("unit", required: false, problems: &problems) ?? defaultUnit
        var status = ExperimentStatus.running
        if let s = r.string("status", required: false, problems: &problems) {
            if let st = ExperimentStatus(rawValue: s) { status = st } else {
                problems.append(RulesetProblem(r.at("status"), "unknown status '\(s)' (draft, running, paused, stopped)"))
            }
        }
        let start = r.date("start", problems: &problems)
        let end = r.date("end", problems: &problems)
        if let start, let end, end <= start {
            problems.append(RulesetProblem(r.at("end"), "end is not after start"))
        }
        let allocationGiven = r.object["allocation"] != nil
        let lenient = options.bucketRanges == .growthbook
        // GrowthBook rules clamp the coverage later instead of rejecting it here.
        let allocation = (lenient ? r.number("allocation", problems: &problems) : r.fraction("allocation", problems: &problems)) ?? 1

        // Variants.
        var variantSpecs: [(name: String, weight: Double, config: JSONValue, range: BucketRange?)] = []
        var variantsOK = true
        if let vv = r.value("variants") {
            if case .array(let items) = vv, !items.isEmpty {
                for (i, item) in items.enumerated() {
                    if let spec = variant(item, path: "\(path).variants[\(i)]", experiment: name, lenient: lenient, problems: &problems) {
                        variantSpecs.append(spec)
                    } else {
                        variantsOK = false
                    }
                }
            } else {
                problems.append(RulesetProblem(r.at("variants"), "expected a non-empty array of variants, got \(vv.typeName == "array" ? "an empty array" : vv.typeName)"))
                variantsOK = false
            }
        } else {
            problems.append(RulesetProblem(r.at("variants"), "missing required array"))
            variantsOK = false
        }
        var seenNames: [String: Int] = [:]
        for (i, s) in variantSpecs.enumerated() {
            if let j = seenNames[s.name] {
                problems.append(RulesetProblem("\(path).variants[\(i)].name", "duplicate variant name '\(s.name)' in experiment \(name) (first at variants[\(j)])"))
            } else {
                seenNames[s.name] = i
            }
        }

        var ranges: [BucketRange] = []
        var effectiveWeights: [Double]?
        let explicit = variantSpecs.contains { $0.range != nil }
        if variantsOK {
            let weights = variantSpecs.map(\.weight)
            let sum = weights.reduce(0, +)
            if lenient && !explicit {
                let g = growthBookBucketRanges(variations: weights.count, coverage: allocation, weights: weights)
                ranges = g.ranges
                effectiveWeights = g.weights
                for note in g.repairs {
                    warnings.append(RulesetProblem(note.hasPrefix("coverage") ? r.at("allocation") : "\(path).variants",
                                                   "experiment \(name): \(note)"))
                }
            } else if abs(sum - 1) > weightSumTolerance {
                problems.append(RulesetProblem("\(path).variants", "variant weights of experiment \(name) sum to \(sum), expected 1 ± 1e-9"))
            } else if explicit {
                if allocationGiven {
                    problems.append(RulesetProblem(r.at("allocation"), "allocation cannot be combined with explicit variant ranges in experiment \(name)"))
                }
                for (i, s) in variantSpecs.enumerated() where s.range == nil {
                    problems.append(RulesetProblem("\(path).variants[\(i)]", "missing range: when one variant of experiment \(name) gives a range, all must"))
                }
                let given = variantSpecs.compactMap(\.range)
                if given.count == variantSpecs.count {
                    for i in given.indices {
                        for j in given.indices where j < i && given[i].overlaps(given[j]) {
                            problems.append(RulesetProblem("\(path).variants[\(i)].range", "overlaps variants[\(j)].range in experiment \(name)"))
                        }
                    }
                    ranges = given
                }
            } else {
                do {
                    ranges = try bucketRanges(experiment: id ?? path, weights: weights, coverage: allocation)
                } catch {
                    problems.append(RulesetProblem("\(path).variants", error.description))
                }
            }
        }

        var targeting: Condition?
        if let t = r.value("targeting") {
            switch options.conditions {
            case .strict:
                targeting = Condition.parse(t, path: r.at("targeting"), problems: &problems)
            case .growthbook:
                targeting = GrowthBookCondition.parse(t, savedGroups: options.savedGroups, path: r.at("targeting"),
                                                      problems: &problems, warnings: &warnings).map { .growthbook($0) }
            }
        }

        var slot: LayerSlot?
        if let lv = r.value("layer"), var lr = ObjectReader(lv, path: r.at("layer"), problems: &problems) {
            let lid = lr.nonEmptyString("id", required: true, problems: &problems)
            let range = lr.range("range", problems: &problems)
            if lr.object["range"] == nil {
                problems.append(RulesetProblem(lr.at("range"), "missing required [start, end] range of the layer"))
            }
            lr.reportUnknownKeys(&problems, known: "id, range")
            if let lid {
                if let layer = layers[lid] {
                    if layer.unit != unit {
                        problems.append(RulesetProblem(lr.at("id"), "experiment \(name) randomises by '\(unit)' but layer '\(lid)' by '\(layer.unit)'; they must match for mutual exclusion"))
                    }
                } else {
                    problems.append(RulesetProblem(lr.at("id"), "unknown layer '\(lid)'"))
                }
                if let range { slot = LayerSlot(layer: lid, range: range) }
            }
        }

        var listed: [String] = []
        if let hv = r.value("holdouts") {
            if case .array(let items) = hv {
                for (i, item) in items.enumerated() {
                    let p = "\(r.at("holdouts"))[\(i)]"
                    guard case .string(let hid) = item else {
                        problems.append(RulesetProblem(p, "expected a holdout id string, got \(item.typeName)"))
                        continue
                    }
                    if holdouts[hid] == nil { problems.append(RulesetProblem(p, "unknown holdout '\(hid)'")) }
                    listed.append(hid)
                }
            } else {
                problems.append(RulesetProblem(r.at("holdouts"), "expected an array of holdout ids, got \(hv.typeName)"))
            }
        }
        let applicable = holdouts.values.filter { $0.allExperiments || listed.contains($0.id) }.map(\.id).sorted()

        var cap: Int?
        if let c = r.number("max_sample_size", problems: &problems) {
            if c >= 1, c.rounded() == c, c <= Double(Int32.max) { cap = Int(c) } else {
                problems.append(RulesetProblem(r.at("max_sample_size"), "expected a positive integer, got \(c)"))
            }
        }

        var switchback: Switchback?
        if let sv = r.value("switchback"), var sr = ObjectReader(sv, path: r.at("switchback"), problems: &problems) {
            let window = sr.number("window_minutes", problems: &problems)
            if window == nil && sr.object["window_minutes"] == nil {
                problems.append(RulesetProblem(sr.at("window_minutes"), "missing required number"))
            }
            let burn = sr.number("burn_in_minutes", problems: &problems) ?? 0
            let origin = sr.date("origin", problems: &problems) ?? Date(timeIntervalSince1970: 0)
            sr.reportUnknownKeys(&problems, known: "window_minutes, burn_in_minutes, origin")
            if let window {
                if !(window >= 1.0 / 60 && window <= 1e7) {
                    problems.append(RulesetProblem(sr.at("window_minutes"), "must be between 1/60 (one second) and 1e7 minutes"))
                } else if !(burn >= 0 && burn < window) {
                    problems.append(RulesetProblem(sr.at("burn_in_minutes"), "must satisfy 0 ≤ burn-in < window (\(window))"))
                } else {
                    switchback = Switchback(windowLength: window * 60, burnIn: burn * 60, origin: origin)
                }
            }
        }

        r.reportUnknownKeys(&problems, known: "id, salt, hash, unit, status, start, end, allocation, variants, targeting, layer, holdouts, max_sample_size, switchback")
        guard problems.count == before, let id, let salt, ranges.count == variantSpecs.count else { return nil }
        let weights = effectiveWeights ?? variantSpecs.map(\.weight)
        let variants = variantSpecs.indices.map {
            Variant(name: variantSpecs[$0].name, weight: weights[$0], config: variantSpecs[$0].config, range: ranges[$0])
        }
        let bounds = ranges.map { $0.bucketBounds(count: hash.bucketCount) }
        return Experiment(id: id, salt: salt, hash: hash, unit: unit, status: status, start: start, end: end,
                          allocation: explicit ? 1 : min(max(allocation, 0), 1), variants: variants, targeting: targeting,
                          layer: slot, holdouts: applicable, maxSampleSize: cap, switchback: switchback,
                          explicitRanges: explicit, hasher: SaltedHasher(scheme: hash, salt: salt),
                          lowerBounds: bounds.map(\.lower), upperBounds: bounds.map(\.upper))
    }

    private static func variant(_ v: JSONValue, path: String, experiment: String, lenient: Bool,
                                problems: inout [RulesetProblem]) -> (name: String, weight: Double, config: JSONValue, range: BucketRange?)? {
        guard var r = ObjectReader(v, path: path, problems: &problems) else { return nil }
        let before = problems.count
        let name = r.nonEmptyString("name", required: true, problems: &problems)
        let hasWeight = r.object["weight"] != nil, hasAllocation = r.object["allocation"] != nil
        let key = hasWeight ? "weight" : "allocation"
        var weight: Double?
        if hasWeight && hasAllocation {
            problems.append(RulesetProblem(r.at("allocation"), "give either weight or allocation (its seed-001 synonym), not both"))
            _ = r.value("allocation")
        }
        if !hasWeight && !hasAllocation {
            problems.append(RulesetProblem(r.at("weight"), "missing required number"))
        } else if let w = r.number(key, problems: &problems) {
            if w < 0 || !w.isFinite {
                problems.append(RulesetProblem(r.at(key), "negative weight \(w) in experiment \(experiment)"))
            } else if w > 1 && !lenient {
                problems.append(RulesetProblem(r.at(key), "weight \(w) is above 1 in experiment \(experiment) (weights are shares summing to 1)"))
            } else {
                weight = w
            }
        }
        let config = r.value("config") ?? .object([:])
        let range = r.range("range", problems: &problems)
        r.reportUnknownKeys(&problems, known: "name, weight, allocation, config, range")
        guard problems.count == before, let name, let weight else { return nil }
        return (name, weight, config, range)
    }
}
