import ArgumentParser
import Assignment
import Foundation

/// `splitbench assign`: debug one unit's assignments, self-check a ruleset, or benchmark the
/// hash schemes.
struct AssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Evaluate a ruleset for one unit, check a ruleset's bucketing, or benchmark the hash schemes.",
        discussion: """
        Give exactly one mode.

        --unit ID: print, as JSON, every experiment's assignment (variant and config) or the reason the unit is not in it. ID is used for every unit attribute (user_id, session_id, region …) that --attr does not set.

        --check: push --units synthetic ids through every experiment (targeting, status, time windows and sample caps ignored; holdouts, layers and allocation applied) and print per-variant counts with the SRM chi-square p-value against the weights, a bucket-uniformity chi-square per experiment and an independence chi-square per pair of experiments. A check fails when its p-value is below --threshold (default 0.001).

        --bench: time bucketing --units distinct ids under one salt for every hash scheme (ids built before timing, one thread) and print units per second; then time full assignments (Evaluator: status, targeting, bucketing) of --units units against one experiment with a 10-operator GrowthBook targeting condition, and without targeting, and print assignments per second per core.

        Ruleset warnings (GrowthBook bucket-range repairs, targeting that GrowthBook evaluates as false) are printed to stderr by --check.

        Exit codes: 0 ok, 1 a check failed, 2 bad input (unreadable or invalid ruleset, bad --attr or --at).
        """
    )

    @Option(help: "Path of the ruleset JSON file (see README, \"Ruleset format\").")
    var ruleset: String?

    @Option(help: "The unit id to evaluate.")
    var unit: String?

    @Option(name: .customLong("attr"), help: ArgumentHelp("A unit attribute, key=value (repeatable).", valueName: "key=value"))
    var attributes: [String] = []

    @Option(name: .customLong("attributes"), help: ArgumentHelp("The unit's attributes as a JSON object, or @FILE: nested objects and arrays are visible to GrowthBook conditions (dotted paths, $elemMatch, $size …). --attr and the unit id fill in the top level.", valueName: "json"))
    var attributesJSON: String?

    @Option(help: "Evaluation time, ISO 8601 (default: now).")
    var at: String?

    @Flag(help: "Run the ruleset self-check.")
    var check = false

    @Flag(help: "Benchmark the hash schemes.")
    var bench = false

    @Option(help: "Synthetic units for --check (default 100000) or --bench (default 2000000).")
    var units: Int?

    @Option(help: "p-value threshold below which a --check test fails.")
    var threshold: Double = 0.001

    @Option(help: "With --bench: only this hash scheme (sha256, growthbook_v1, growthbook_v2, statsig, eppo, optimizely).")
    var scheme: String?

    func run() throws {
        let modes = [unit != nil, check, bench].filter { $0 }.count
        guard modes == 1 else {
            throw badInput("give exactly one of --unit, --check, --bench")
        }
        if bench {
            var schemes = HashScheme.allCases
            if let name = scheme {
                guard let only = HashScheme(rawValue: name) else {
                    throw badInput("unknown --scheme '\(name)' (known: \(HashScheme.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                schemes = [only]
            }
            runBench(units: units ?? 2_000_000, schemes: schemes)
            try runTargetingBench(units: units ?? 2_000_000, scheme: scheme.flatMap(HashScheme.init(rawValue:)) ?? .growthbookV2)
            return
        }
        guard let path = ruleset else { throw badInput("--ruleset is required with --unit and --check") }
        let rules = try load(path)
        if check {
            let n = units ?? 100_000
            guard n >= 1 else { throw badInput("--units must be at least 1") }
            guard threshold > 0, threshold < 1 else { throw badInput("--threshold must be in (0, 1)") }
            try runCheck(rules, units: n)
        } else if let unit {
            try runUnit(rules, unit: unit)
        }
    }

    // MARK: input

    private func badInput(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode(2)
    }

    private func load(_ path: String) throws -> Ruleset {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw badInput("cannot read ruleset '\(path)': \(error.localizedDescription)")
        }
        do {
            return try Ruleset(json: data)
        } catch {
            throw badInput("\(path): \(error.description)")
        }
    }

    // MARK: --unit

    private struct UnitOutput: Encodable {
        let at: String
        let attributes: JSONValue
        let assignments: [AssignmentOutput]
    }

    private struct WindowOutput: Encodable {
        let index: Int64
        let start: String
        let end: String
        let burn_in: Bool
    }

    private struct AssignmentOutput: Encodable {
        let experiment: String
        let in_experiment: Bool
        let unit: String?
        let bucket: UInt32?
        let variant: String?
        let config: JSONValue?
        let reason: String?
        let detail: String?
        let window: WindowOutput?
    }

    private func runUnit(_ rules: Ruleset, unit: String) throws {
        var attrs = Attributes()
        for a in rules.experiments.map(\.unit) + rules.holdouts.map(\.unit) + rules.layers.map(\.unit) {
            attrs[a] = .string(unit)
        }
        var given: [String: JSONValue] = [:]
        if let text = attributesJSON {
            var bytes = Data(text.utf8)
            if text.hasPrefix("@") {
                let path = String(text.dropFirst())
                guard let d = FileManager.default.contents(atPath: path) else { throw badInput("--attributes: cannot read \(path)") }
                bytes = d
            }
            guard let v = try? JSONDecoder().decode(JSONValue.self, from: bytes), case .object(let o) = v else {
                throw badInput("--attributes: expected a JSON object such as {\"country\": \"SG\", \"app\": {\"version\": \"3.1.0\"}}")
            }
            given = o
            // A unit attribute given in the JSON is the unit's id there.
            for k in attrs.keys where o[k] != nil { attrs[k] = nil }
        }
        for pair in attributes {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw badInput("--attr '\(pair)' is not key=value")
            }
            attrs[String(pair[..<eq])] = .string(String(pair[pair.index(after: eq)...]))
        }
        var time = Date()
        if let at {
            guard let t = parseISO8601(at) else { throw badInput("--at '\(at)' is not an ISO 8601 time such as 2026-04-19T10:22:00Z") }
            time = t
        }
        let evaluator = Evaluator(ruleset: rules)
        for (k, v) in attrs { given[k] = v.json }
        let json = JSONValue.object(given)
        let assignments = attributesJSON == nil ? evaluator.evaluate(attrs, at: time) : evaluator.evaluate(json: json, at: time)
        let out = assignments.map { a -> AssignmentOutput in
            let window = a.window.map { WindowOutput(index: $0.index, start: iso($0.start), end: iso($0.end), burn_in: $0.burnIn) }
            switch a.outcome {
            case .variant(_, let name, let config):
                return AssignmentOutput(experiment: a.experiment, in_experiment: true, unit: a.unit, bucket: a.bucket,
                                        variant: name, config: config, reason: nil, detail: nil, window: window)
            case .notInExperiment(let r):
                return AssignmentOutput(experiment: a.experiment, in_experiment: false, unit: a.unit, bucket: a.bucket,
                                        variant: nil, config: nil, reason: r.code, detail: r.detail, window: window)
            }
        }
        try printJSON(UnitOutput(at: iso(time), attributes: json, assignments: out))
    }

    // MARK: --check

    private struct CheckOutput: Encodable {
        struct Thresholds: Encodable { let srm: Double, uniformity: Double, independence: Double }
        struct Variant: Encodable { let name: String, weight: Double, count: Int, expected: Double }
        struct Experiment: Encodable {
            let id: String, hash: String, enrolled: Int, variants: [Variant]
            let srm: ChiSquareTest?, srm_failed: Bool
            let uniformity_bins: Int, uniformity: ChiSquareTest?, uniformity_failed: Bool
        }
        struct Pair: Encodable {
            let a: String, b: String, units_in_both: Int
            let independence: ChiSquareTest?, skipped: String?, failed: Bool
        }
        let units: Int
        let thresholds: Thresholds
        let passed: Bool
        let experiments: [Experiment]
        let pairs: [Pair]
    }

    private func runCheck(_ rules: Ruleset, units n: Int) throws {
        let t = RulesetCheck.Thresholds(srm: threshold, uniformity: threshold, independence: threshold)
        let c = RulesetCheck(ruleset: rules, units: n, thresholds: t)
        for w in c.warnings {
            FileHandle.standardError.write(Data("warning: \(w)\n".utf8))
        }
        let out = CheckOutput(
            units: c.units,
            thresholds: .init(srm: t.srm, uniformity: t.uniformity, independence: t.independence),
            passed: c.passed,
            experiments: c.experiments.map { e in
                .init(id: e.id, hash: e.hash.rawValue, enrolled: e.enrolled,
                      variants: e.variants.map { .init(name: $0.name, weight: $0.weight, count: $0.count, expected: $0.expected) },
                      srm: e.srm, srm_failed: e.srmFailed, uniformity_bins: e.uniformityBins,
                      uniformity: e.uniformity, uniformity_failed: e.uniformityFailed)
            },
            pairs: c.pairs.map { .init(a: $0.a, b: $0.b, units_in_both: $0.unitsInBoth, independence: $0.test, skipped: $0.skipped, failed: $0.failed) })
        try printJSON(out)
        var failures: [String] = []
        for e in c.experiments {
            if e.srmFailed, let s = e.srm { failures.append("SRM in '\(e.id)': p = \(s.pValue) < \(threshold) (counts \(e.variants.map(\.count)), weights \(e.variants.map(\.weight)))") }
            if e.uniformityFailed, let u = e.uniformity { failures.append("bucket uniformity in '\(e.id)': p = \(u.pValue) < \(threshold)") }
        }
        for p in c.pairs where p.failed {
            failures.append("'\(p.a)' and '\(p.b)' are not independent: p = \(p.test?.pValue ?? .nan) < \(threshold) (reused salt?)")
        }
        if failures.isEmpty {
            FileHandle.standardError.write(Data("check passed: \(c.experiments.count) experiments, \(c.pairs.count) pairs, \(n) units, threshold p < \(threshold)\n".utf8))
        } else {
            FileHandle.standardError.write(Data(("check FAILED:\n" + failures.map { "  \($0)\n" }.joined()).utf8))
            throw ExitCode(1)
        }
    }

    // MARK: --bench

    private func runBench(units n: Int, schemes: [HashScheme]) {
        let count = max(n, 1)
        let ids = (0..<count).map { "user-\(1_000_000_000 + $0)-x" }  // 17-byte ids, built before timing
        let meanLength = Double(ids.reduce(0) { $0 + $1.utf8.count }) / Double(count)
        print("bucketing \(count) distinct ids (mean \(meanLength) UTF-8 bytes) under one salt, 1 thread")
        print("FNV-1a is latency-bound (about one multiply per code unit), so its cost grows with salt + id length;")
        print("growthbook_v1 and optimizely hash the salt after the id, so the salt cannot be absorbed in advance.")
        print("units/s CPU = per core, from this thread's CPU time (time spent descheduled is excluded, a busy sibling hyperthread is not); wall = elapsed time.")
        let clock = ContinuousClock()
        // seed 001's salt and a long experiment-key salt.
        for salt in ["x7f2k", "exp-checkout-progress-bar"] {
            print("\nsalt \"\(salt)\" (\(salt.utf8.count) bytes)")
            print("scheme".padding(toLength: 16, withPad: " ", startingAt: 0) + "units/s CPU".leftPadded(14) + "ns/unit".leftPadded(10)
                  + "units/s wall".leftPadded(16))
            for scheme in schemes {
                let hasher = SaltedHasher(scheme: scheme, salt: salt)
                var checksum: UInt64 = 0
                // One untimed warm-up pass over a slice, then the timed pass.
                for id in ids.prefix(10_000) { checksum &+= UInt64(hasher.bucket(id)) }
                let cpuStart = threadCPUSeconds()
                let elapsed = clock.measure {
                    for id in ids { checksum &+= UInt64(hasher.bucket(id)) }
                }
                let cpu = threadCPUSeconds() - cpuStart
                let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                let rate = Double(count) / cpu
                print(scheme.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)
                      + String(format: "%14.3e", rate) + String(format: "%10.1f", 1e9 / rate)
                      + String(format: "%16.3e", Double(count) / wall) + "   (checksum \(checksum))")
            }
        }
    }

    /// The targeting condition of the assignment benchmark: 10 field operators ($in, $ne, $gte,
    /// $lt, $vgte, $nin, $regex, $exists, $eq, $eq) under $and/$or.
    static let benchTargeting = """
    {"$and": [
      {"country": {"$in": ["SG", "MY", "TH", "ID", "VN", "PH"]}},
      {"platform": {"$ne": "web"}},
      {"age": {"$gte": 18, "$lt": 65}},
      {"app_version": {"$vgte": "3.12.0"}},
      {"plan": {"$nin": ["enterprise", "internal"]}},
      {"user_agent": {"$regex": "(Mobile|Tablet)"}},
      {"consent": {"$exists": true}},
      {"$or": [{"segment": {"$eq": "new"}}, {"segment": {"$eq": "returning"}}]}
    ]}
    """

    private func runTargetingBench(units n: Int, scheme: HashScheme) throws {
        let count = max(n, 1)
        func ruleset(_ targeting: String?) throws -> Ruleset {
            let t = targeting.map { #", "targeting": \#($0)"# } ?? ""
            return try Ruleset(json: #"{"experiments": [{"id": "bench", "salt": "exp-checkout-progress-bar", "hash": "\#(scheme.rawValue)", "variants": [{"name": "control", "weight": 0.5}, {"name": "treatment", "weight": 0.5}]\#(t)}]}"#)
        }
        let countries: [AttributeValue] = ["SG", "MY", "TH", "ID", "VN", "PH", "US"]
        let agents: [AttributeValue] = ["Android Mobile Browser", "iPad Tablet Safari", "Chrome Desktop Browser"]
        // Attributes built before timing: a mix in which units fail the condition at different
        // operators, and a set that passes every operator (all 10 evaluated, then bucketing).
        let passing: [Attributes] = (0..<count).map { i in
            ["user_id": .string("user-\(1_000_000_000 + i)-x"), "country": countries[i % 6], "platform": "ios",
             "age": .number(Double(18 + i % 47)), "app_version": "3.12.4", "plan": "free", "user_agent": agents[i % 2],
             "consent": true, "segment": i % 2 == 0 ? "new" : "returning"]
        }
        let mixed: [Attributes] = (0..<count).map { i in
            ["user_id": .string("user-\(1_000_000_000 + i)-x"), "country": countries[i % countries.count],
             "platform": i % 5 == 0 ? "web" : "ios", "age": .number(Double(16 + i % 60)), "app_version": i % 3 == 0 ? "3.11.9" : "3.12.4",
             "plan": "free", "user_agent": agents[i % agents.count], "consent": true, "segment": i % 2 == 0 ? "new" : "returning"]
        }
        print("\nassignments of \(count) units to one experiment (\(scheme.rawValue), 2 variants), Evaluator.evaluate, 1 thread")
        print("targeting: 10 field operators ($in $ne $gte $lt $vgte $nin $regex $exists $eq $eq) under $and/$or, GrowthBook conditions")
        print("case".padding(toLength: 34, withPad: " ", startingAt: 0) + "assign/s CPU".leftPadded(14) + "ns/unit".leftPadded(10)
              + "assign/s wall".leftPadded(16) + "enrolled".leftPadded(10))
        let clock = ContinuousClock()
        for (label, targeting, units) in [("10-operator targeting, mixed", Self.benchTargeting, mixed),
                                          ("10-operator targeting, all pass", Self.benchTargeting, passing),
                                          ("no targeting", nil, mixed)] {
            let evaluator = Evaluator(ruleset: try ruleset(targeting))
            guard let experiment = evaluator.ruleset.experiments.first else { continue }
            let time = Date(timeIntervalSince1970: 1_780_000_000)
            var enrolled = 0
            for u in units.prefix(10_000) { _ = evaluator.evaluate(experiment, u, at: time) }  // warm-up
            let cpuStart = threadCPUSeconds()
            let elapsed = clock.measure {
                for u in units where evaluator.evaluate(experiment, u, at: time).variant != nil { enrolled += 1 }
            }
            let cpu = threadCPUSeconds() - cpuStart
            let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let rate = Double(count) / cpu
            print(label.padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: "%14.3e", rate)
                  + String(format: "%10.1f", 1e9 / rate) + String(format: "%16.3e", Double(count) / wall)
                  + String(format: "%9.1f%%", 100 * Double(enrolled) / Double(count)))
        }
        // The regex engine's worst case: a pattern that is catastrophic for backtracking engines.
        let regex = try BoundedRegex("(a+)+$")
        for length in [10_000, 100_000] {
            let input = String(repeating: "a", count: length) + "b"
            var matched = false
            let cpuStart = threadCPUSeconds()
            matched = regex.matches(input)
            let cpu = threadCPUSeconds() - cpuStart
            print("$regex (a+)+$ on \"a\" × \(length) + \"b\": \(String(format: "%.4f", cpu)) s CPU (matched: \(matched))")
        }
    }

    // MARK: output

    private func printJSON(_ value: some Encodable) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try e.encode(value)
        print(String(decoding: data, as: UTF8.self))
    }

    private func iso(_ d: Date) -> String { d.formatted(Date.ISO8601FormatStyle()) }
}

/// CPU time consumed by the calling thread, in seconds (CLOCK_THREAD_CPUTIME_ID).
private func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

private extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

/// `splitbench ruleset check FILE`: the ruleset self-check (`assign --check`) under the name a
/// team looks for when it brings its production ruleset.
struct RulesetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ruleset",
        abstract: "Check a ruleset file: load it (every problem with its JSON path), print its warnings, and check its bucketing.",
        subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a ruleset, print its warnings (GrowthBook bucket-range repairs, targeting GrowthBook evaluates as false), and run `assign --check` on it.",
            discussion: "Exit codes: 0 ok, 1 a bucketing check failed, 2 bad input (invalid ruleset or option).")

        @Argument(help: "Path of the ruleset JSON file.")
        var file: String

        @Option(help: "Synthetic units pushed through every experiment (default 100000).")
        var units: Int?

        @Option(help: "p-value threshold below which a check fails.")
        var threshold: Double = 0.001

        func run() throws {
            var args = ["--ruleset", file, "--check", "--threshold", "\(threshold)"]
            if let units { args += ["--units", "\(units)"] }
            let check = try AssignCommand.parse(args)
            try check.run()
        }
    }
}
