import Analysis
import Foundation

/// An external stats engine named by an analysis (`method: {external: {command: [...], engine:
/// NAME, config: {...}}}`): a process that speaks the SplitBench engine protocol (JSON lines on
/// stdin/stdout, README "Testing your own stats engine").
public struct ExternalEngineSpec: Hashable, Sendable, Codable {
    /// The program and its arguments (`["python3", "scripts/adapters/gbstats_adapter.py"]`),
    /// run from the current directory.
    public var command: [String]
    /// The engine's name, as the scenario expects it; the handshake must answer the same name.
    public var engine: String
    /// The `config` mapping as canonical JSON text (keys sorted), sent in the handshake and
    /// with every request.
    public var configJSON: String
    /// Seconds allowed for the handshake or one batch answer before the engine counts as hung.
    public var timeoutSeconds: Double
    /// How many times a failed engine process is restarted in one cell before the run stops.
    public var maxRestarts: Int

    public init(command: [String], engine: String, configJSON: String = "{}", timeoutSeconds: Double = 60, maxRestarts: Int = 3) {
        self.command = command
        self.engine = engine
        self.configJSON = configJSON
        self.timeoutSeconds = timeoutSeconds
        self.maxRestarts = maxRestarts
    }
}

/// The newest version of the engine protocol this SplitBench speaks (sent in the hello).
///
/// Version 1: per arm the sufficient statistics (`moments`, optionally `covariate`).
/// Version 2 adds `unit_values`: an engine that lists it in its handshake's `needs` gets, per
/// arm, the unit-level values of the metric (`values`) and, with `covariate`, the covariates
/// (`x_values`) at each look. An engine answers with the version it speaks; both are accepted.
public let engineProtocolVersion = 2

/// The protocol versions this SplitBench accepts in an engine's handshake.
public let supportedEngineProtocols: ClosedRange<Int> = 1...2

/// The statistics an engine may ask for (`needs`), by the protocol version that introduced them.
let engineNeedsByProtocol: [(need: String, since: Int)] = [("moments", 1), ("covariate", 1), ("unit_values", 2)]

/// What an engine said about itself in the handshake (recorded in `result.json`).
public struct EngineHandshake: Codable, Equatable, Sendable {
    /// The engine's name (must equal the scenario's `engine`).
    public var engine: String
    /// The engine's own version string (e.g. the gbstats package version).
    public var version: String
    /// The protocol version it speaks (one of ``supportedEngineProtocols``).
    public var protocolVersion: Int
    /// The statistics it asks for: `moments` (n, Σy, Σy² per arm), optionally `covariate`
    /// (Σx, Σx², Σxy: CUPED's pre-period covariate) and, from protocol 2, `unit_values` (the
    /// arrays of y, and of x with `covariate`, per arm).
    public var needs: [String]

    enum CodingKeys: String, CodingKey {
        case engine, version, needs
        case protocolVersion = "protocol"
    }
}

/// One failure of the process boundary (not of an item): its status and a message.
struct EngineFailure: Error {
    let status: AnalysisStatus
    let message: String
}

/// One running engine process: its pipes, a reader thread per output stream, and the handshake.
final class EngineProcess: @unchecked Sendable {
    let spec: ExternalEngineSpec
    private let process = Process()
    private let stdinPipe = Pipe(), stdoutPipe = Pipe(), stderrPipe = Pipe()
    private let condition = NSCondition()
    private var buffer = Data()
    private var eof = false
    private var stderrTail = Data()
    private var stderrEOF = false
    private(set) var handshake: EngineHandshake?

    init(spec: ExternalEngineSpec) {
        self.spec = spec
    }

    /// Starts the command and reads its handshake.
    func start() throws(EngineFailure) {
        guard let program = spec.command.first else { throw EngineFailure(status: .engineCrashed, message: "empty command") }
        if program.contains("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(spec.command.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = spec.command
        }
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        do { try process.run() } catch {
            throw EngineFailure(status: .engineCrashed, message: "could not start \(spec.command.joined(separator: " ")): \(error.localizedDescription)")
        }
        let out = stdoutPipe.fileHandleForReading, err = stderrPipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let d = out.availableData
                condition.lock()
                if d.isEmpty { eof = true } else { buffer.append(d) }
                condition.broadcast()
                condition.unlock()
                if d.isEmpty { return }
            }
        }
        Thread.detachNewThread { [self] in
            while true {
                let d = err.availableData
                condition.lock()
                if d.isEmpty {
                    stderrEOF = true
                    condition.broadcast()
                    condition.unlock()
                    return
                }
                stderrTail.append(d)
                if stderrTail.count > 4096 { stderrTail = stderrTail.suffix(2048) }
                condition.unlock()
            }
        }
        let hello = "{\"type\":\"hello\",\"protocol\":\(engineProtocolVersion),\"protocols\":[\(supportedEngineProtocols.map(String.init).joined(separator: ","))],\"engine\":\(jsonString(spec.engine)),\"config\":\(spec.configJSON)}"
        // The handshake may wait for heavy imports (gbstats loads scipy): at least 30 s.
        let line = try exchange(hello, timeout: max(spec.timeoutSeconds, 30))
        struct Hello: Decodable {
            let type: String
            let engine: String
            let version: String
            let `protocol`: Int
            let needs: [String]
        }
        guard let h = try? JSONDecoder().decode(Hello.self, from: Data(line.utf8)), h.type == "hello" else {
            throw EngineFailure(status: .engineMalformed,
                                message: "the handshake answer is not {\"type\": \"hello\", \"engine\", \"version\", \"protocol\", \"needs\"}: \(excerpt(line))")
        }
        guard supportedEngineProtocols.contains(h.protocol) else {
            throw EngineFailure(status: .engineMalformed,
                                message: "the engine speaks protocol \(h.protocol); this SplitBench speaks \(supportedEngineProtocols.map(String.init).joined(separator: " and "))")
        }
        guard h.engine == spec.engine else {
            throw EngineFailure(status: .engineMalformed, message: "the engine calls itself \"\(h.engine)\"; the scenario expects \"\(spec.engine)\"")
        }
        let provided = engineNeedsByProtocol.filter { $0.since <= h.protocol }.map(\.need)
        if let unknown = h.needs.first(where: { !provided.contains($0) }) {
            let later = engineNeedsByProtocol.first { $0.need == unknown }.map { " (answer protocol \($0.since) to get it)" } ?? ""
            throw EngineFailure(status: .engineMalformed,
                                message: "the engine needs \"\(unknown)\", which protocol \(h.protocol) does not provide (it provides: \(provided.joined(separator: ", ")))\(later)")
        }
        handshake = EngineHandshake(engine: h.engine, version: h.version, protocolVersion: h.protocol, needs: h.needs)
    }

    /// Sends one line and waits for one answer line (within the spec's timeout).
    func exchange(_ line: String, timeout: Double? = nil) throws(EngineFailure) -> String {
        do {
            try stdinPipe.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
        } catch {
            process.waitUntilExit()
            condition.lock()
            defer { condition.unlock() }
            let stderrDeadline = Date(timeIntervalSinceNow: 1)
            while !stderrEOF, condition.wait(until: stderrDeadline) {}
            throw EngineFailure(status: .engineCrashed, message: "the engine closed its input (\(exitDescription()))\(stderrSuffix())")
        }
        let seconds = timeout ?? spec.timeoutSeconds
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let nl = buffer.firstIndex(of: 0x0A) {
                let lineData = buffer[buffer.startIndex..<nl]
                buffer.removeSubrange(buffer.startIndex...nl)
                return String(decoding: lineData, as: UTF8.self)
            }
            if eof {
                condition.unlock()
                process.waitUntilExit()
                condition.lock()
                let stderrDeadline = Date(timeIntervalSinceNow: 1)
                while !stderrEOF, condition.wait(until: stderrDeadline) {}
                throw EngineFailure(status: .engineCrashed, message: "the engine exited (\(exitDescription())) before answering\(stderrSuffix())")
            }
            if !condition.wait(until: deadline) {
                throw EngineFailure(status: .engineTimeout, message: "no answer within \(seconds) s")
            }
        }
    }

    private func exitDescription() -> String {
        guard !process.isRunning else { return "still running" }
        return process.terminationReason == .uncaughtSignal ? "killed by signal \(process.terminationStatus)" : "exit status \(process.terminationStatus)"
    }

    /// The last line of the engine's stderr, if any (the caller holds the condition's lock).
    private func stderrSuffix() -> String {
        let text = String(decoding: stderrTail, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let last = text.split(separator: "\n").last else { return "" }
        return "; stderr: \(excerpt(String(last)))"
    }

    /// Closes the engine's input (a well-behaved engine exits on end of input) and makes sure it ends.
    func stop() {
        try? stdinPipe.fileHandleForWriting.close()
        guard process.isRunning else { return }
        let deadline = Date(timeIntervalSinceNow: 1)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        if process.isRunning {
            // SIGKILL, not terminate()'s SIGTERM: a child can inherit SIGTERM blocked.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// The engine processes of one cell's run: at most one per worker at a time (a block of
/// replications checks one out and returns it), started on first use, restarted after a
/// failure at most ``ExternalEngineSpec/maxRestarts`` times.
public final class ExternalEnginePool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [ExternalEngineSpec: [EngineProcess]] = [:]
    private var restarts: [ExternalEngineSpec: Int] = [:]
    private var all: [EngineProcess] = []

    public init() {
        // A write to an engine that died must fail as an error, not kill SplitBench.
        _ = ignoreBrokenPipeOnce
    }

    /// The handshakes of every engine started so far, by spec.
    public var handshakes: [ExternalEngineSpec: EngineHandshake] {
        lock.lock(); defer { lock.unlock() }
        var out: [ExternalEngineSpec: EngineHandshake] = [:]
        for p in all { if let h = p.handshake { out[p.spec] = h } }
        return out
    }

    func checkout(_ spec: ExternalEngineSpec) throws(EngineFailure) -> EngineProcess {
        lock.lock()
        if let p = idle[spec]?.popLast() {
            lock.unlock()
            return p
        }
        lock.unlock()
        let p = EngineProcess(spec: spec)
        lock.lock()
        all.append(p)
        lock.unlock()
        do { try p.start() } catch {
            p.stop()
            throw error
        }
        return p
    }

    func checkin(_ p: EngineProcess) {
        lock.lock(); defer { lock.unlock() }
        idle[p.spec, default: []].append(p)
    }

    /// Counts a restart; false when the spec's budget is spent.
    func allowRestart(_ spec: ExternalEngineSpec) -> Bool {
        lock.lock(); defer { lock.unlock() }
        restarts[spec, default: 0] += 1
        return restarts[spec, default: 0] <= spec.maxRestarts
    }

    /// What the engine asked for in its handshake (starting one process if none ran yet;
    /// a process that cannot start is retried within the restart budget, then the run stops).
    func needs(_ spec: ExternalEngineSpec) throws -> [String] {
        while true {
            do {
                let p = try checkout(spec)
                let needs = p.handshake?.needs ?? []
                checkin(p)
                return needs
            } catch {
                guard allowRestart(spec) else {
                    throw SimulationError("external engine \(spec.engine) (\(spec.command.joined(separator: " "))) could not start: \(error.status.rawValue): \(error.message)")
                }
            }
        }
    }

    /// Stops every engine process.
    public func shutdown() {
        lock.lock()
        let procs = all
        all = []
        idle = [:]
        lock.unlock()
        for p in procs { p.stop() }
        lock.lock()
        completed.append(contentsOf: procs.compactMap { p in p.handshake.map { (p.spec, $0) } })
        lock.unlock()
    }

    private var completed: [(ExternalEngineSpec, EngineHandshake)] = []

    /// The handshakes of the engines this pool ran (after ``shutdown()`` as well), by spec.
    public var recordedHandshakes: [ExternalEngineSpec: EngineHandshake] {
        var out = handshakes
        lock.lock(); defer { lock.unlock() }
        for (s, h) in completed { out[s] = h }
        return out
    }

    /// One engine's handshake, for `result.json` when no replication was run in this process
    /// (a merge of shards): starts the engine, reads its handshake and stops it.
    public static func handshake(_ spec: ExternalEngineSpec) throws -> EngineHandshake {
        _ = ignoreBrokenPipeOnce
        let p = EngineProcess(spec: spec)
        defer { p.stop() }
        do { try p.start() } catch {
            throw SimulationError("external engine \(spec.engine) (\(spec.command.joined(separator: " "))): handshake failed (\(error.status.rawValue)): \(error.message)")
        }
        guard let h = p.handshake else { throw SimulationError("external engine \(spec.engine): no handshake") }
        return h
    }
}

private let ignoreBrokenPipeOnce: Void = { signal(SIGPIPE, SIG_IGN) }()

/// The result of one (replication, look, comparison) item, as the engine answered it.
struct EngineItemResult: Decodable {
    let id: String
    let status: String
    let estimate: Double?
    let se: Double?
    let ci_low: Double?
    let ci_high: Double?
    let p_value: Double?
    let chance_to_win: Double?
    let e_value: Double?
    let decision: String?
    let message: String?
}

/// Builds the engine requests of a block of replications, sends them (one batch per engine),
/// and turns the answers into per-look outcomes (``LookStatistics/external``).
enum ExternalAnalysis {
    struct Item {
        let replicationIndex: Int  // index in the block
        let replication: Int
        let analysis: Int
        let comparison: Int
        let look: Int
        let id: String
        let json: String
        let n: Int
    }

    /// Fills `stats[i].external` for every external analysis of the plan.
    static func attach(plan: CellPlan, stats: inout [LookStatistics], replications: Range<Int>, pool: ExternalEnginePool) throws {
        let looks = plan.looks.count
        var bySpec: [ExternalEngineSpec: [Item]] = [:]
        var order: [ExternalEngineSpec] = []
        var covariate: [ExternalEngineSpec: Bool] = [:], unitValues: [ExternalEngineSpec: Bool] = [:]
        for a in plan.analyses {
            guard let engine = a.spec.external, covariate[engine] == nil else { continue }
            let needs = try pool.needs(engine)
            covariate[engine] = needs.contains("covariate")
            unitValues[engine] = needs.contains("unit_values")
        }
        for (ai, a) in plan.analyses.enumerated() {
            guard let engine = a.spec.external else { continue }
            if !order.contains(engine) { order.append(engine) }
            for i in stats.indices {
                stats[i].external[a.spec.id] = [ComparisonOutcome](repeating: .failed(.engineError, look: looks, n: 0), count: a.comparisons.count * looks)
                for (ci, c) in a.comparisons.enumerated() {
                    for k in a.activeLooks {
                        let r = replications.lowerBound + i
                        let id = "\(r).\(a.spec.id).\(ci).\(k + 1)"
                        let (json, n, bad) = itemJSON(plan: plan, a, c, look: k, stats: stats[i], replication: r, id: id, covariate: covariate[engine] ?? false,
                                                       unitValues: unitValues[engine] ?? false)
                        if let bad {
                            stats[i].external[a.spec.id]?[ci * looks + k] = .failed(bad, look: k + 1, n: n)
                            continue
                        }
                        bySpec[engine, default: []].append(Item(replicationIndex: i, replication: r, analysis: ai, comparison: ci,
                                                                look: k, id: id, json: json, n: n))
                    }
                }
            }
        }
        for engine in order {
            let items = bySpec[engine] ?? []
            guard !items.isEmpty else { continue }
            let answers = try send(items, engine: engine, pool: pool)
            for item in items {
                let a = plan.analyses[item.analysis]
                let o = outcome(answers[item.id], a, look: item.look, n: item.n)
                stats[item.replicationIndex].external[a.spec.id]?[item.comparison * looks + item.look] = o
            }
        }
    }

    /// Sends the items as one batch; after a process failure, restarts the engine and retries
    /// one replication at a time, so only the replications whose request fails get its status.
    static func send(_ items: [Item], engine: ExternalEngineSpec, pool: ExternalEnginePool) throws -> [String: Result<EngineItemResult, EngineFailure>] {
        var out: [String: Result<EngineItemResult, EngineFailure>] = [:]
        func attempt(_ batch: [Item]) throws -> EngineFailure? {
            let request = "{\"type\":\"analyse\",\"config\":\(engine.configJSON),\"items\":[\(batch.map(\.json).joined(separator: ","))]}"
            let p: EngineProcess
            do { p = try pool.checkout(engine) } catch {
                try restartOrStop(error, engine: engine, request: request, pool: pool)
                return error
            }
            do {
                let line = try p.exchange(request)
                let results = try decode(line, expecting: batch)
                for r in results { out[r.id] = .success(r) }
                pool.checkin(p)
                return nil
            } catch {
                p.stop()
                try restartOrStop(error, engine: engine, request: request, pool: pool)
                return error
            }
        }
        guard let failure = try attempt(items) else { return out }
        let replications = Array(Set(items.map(\.replication))).sorted()
        if replications.count == 1 {
            for i in items { out[i.id] = .failure(failure) }
            return out
        }
        for r in replications {
            let one = items.filter { $0.replication == r }
            if let f = try attempt(one) { for i in one { out[i.id] = .failure(f) } }
        }
        return out
    }

    static func restartOrStop(_ f: EngineFailure, engine: ExternalEngineSpec, request: String, pool: ExternalEnginePool) throws {
        guard pool.allowRestart(engine) else {
            throw SimulationError("external engine \(engine.engine) (\(engine.command.joined(separator: " "))) failed \(engine.maxRestarts + 1) times, the last with \(f.status.rawValue): \(f.message); the failing request began: \(excerpt(request, 300))")
        }
    }

    /// Parses a batch answer: `{"type": "result", "items": [...]}` with one item per request item.
    static func decode(_ line: String, expecting batch: [Item]) throws(EngineFailure) -> [EngineItemResult] {
        struct Answer: Decodable {
            let type: String
            let items: [EngineItemResult]
        }
        let answer: Answer
        do { answer = try JSONDecoder().decode(Answer.self, from: Data(line.utf8)) } catch {
            throw EngineFailure(status: .engineMalformed, message: "the answer is not {\"type\": \"result\", \"items\": [...]} JSON: \(excerpt(line))")
        }
        guard answer.type == "result" else {
            throw EngineFailure(status: .engineMalformed, message: "the answer's type is \"\(answer.type)\", expected \"result\"")
        }
        let expected = Set(batch.map(\.id)), got = answer.items.map(\.id)
        guard Set(got) == expected, got.count == expected.count else {
            let missing = expected.subtracting(got).sorted().prefix(3)
            throw EngineFailure(status: .engineMalformed,
                                message: "the answer has \(got.count) items for \(expected.count) requested\(missing.isEmpty ? " (duplicate or unknown ids)" : "; missing e.g. \(missing.joined(separator: ", "))")")
        }
        return answer.items
    }

    /// One item's outcome at one look.
    static func outcome(_ answer: Result<EngineItemResult, EngineFailure>?, _ a: PlannedAnalysis, look k: Int, n: Int) -> ComparisonOutcome {
        guard let answer else { return .failed(.engineError, look: k + 1, n: n) }
        switch answer {
        case let .failure(f):
            var o = ComparisonOutcome.failed(f.status, look: k + 1, n: n)
            o.message = f.message
            return o
        case let .success(r):
            guard r.status == "ok" else {
                var o = ComparisonOutcome.failed(.engineError, look: k + 1, n: n)
                o.message = "engine status \(r.status)" + (r.message.map { ": \($0)" } ?? "")
                return o
            }
            guard let est = r.estimate, let se = r.se, est.isFinite, se.isFinite, se >= 0 else {
                var o = ComparisonOutcome.failed(.engineMalformed, look: k + 1, n: n)
                o.message = "an ok item needs finite estimate and se ≥ 0"
                return o
            }
            // The p-value: the engine's, else 1/e-value (Ville), else 1 − chance to win.
            let p = r.p_value ?? r.e_value.map { min(1, 1 / $0) } ?? r.chance_to_win.map { 1 - $0 } ?? 1
            let decision: Bool
            switch r.decision {
            case "reject", "ship", "significant": decision = true
            case "none", "continue", "not_significant", "no_decision": decision = false
            default: decision = p < a.spec.alpha
            }
            var o = ComparisonOutcome(status: .ok, estimate: est, standardError: se, lower: r.ci_low ?? -.infinity, upper: r.ci_high ?? .infinity,
                                      pValue: p, rejected: decision, stopLook: k + 1, sampleSize: n, finalPValue: p, varianceReduction: 0)
            o.statistic = se > 0 ? est / se : 0
            o.chanceToBeat = r.chance_to_win
            if case .bayesianStop = a.spec.policy, r.chance_to_win == nil {
                var f = ComparisonOutcome.failed(.engineMalformed, look: k + 1, n: n)
                f.message = "policy bayesian_stop needs chance_to_win"
                return f
            }
            return o
        }
    }

    /// The ids of the analyses whose engine asks for unit values (protocol 2), after checking
    /// that each reads a metric observed once (a daily metric has no single value per unit).
    static func analysesNeedingUnitValues(plan: CellPlan, pool: ExternalEnginePool) throws -> Set<String> {
        var out: Set<String> = []
        for a in plan.analyses {
            guard let engine = a.spec.external, try pool.needs(engine).contains("unit_values") else { continue }
            guard let mi = a.metricIndex, !plan.study.metrics[mi].isDaily else {
                throw SimulationError(keyPath: "analyses.\(a.spec.id)",
                                      "external engine \(engine.engine) needs unit_values: the analysis must read a metric observed once (not daily)")
            }
            out.insert(a.spec.id)
        }
        return out
    }

    /// One request item: the two groups' sufficient statistics at look k (and, with
    /// `unitValues`, their units' values). Returns a status instead when the data cannot be
    /// sent (non-finite sums or values).
    static func itemJSON(plan: CellPlan, _ a: PlannedAnalysis, _ c: PlannedComparison, look k: Int, stats: LookStatistics,
                         replication r: Int, id: String, covariate: Bool, unitValues: Bool = false) -> (String, Int, AnalysisStatus?) {
        guard let mi = a.metricIndex, c.groups.count == 2 else { return ("", 0, .invalidStatistics) }
        let unitLevel = stats.unitLevel[a.spec.id]
        func group(_ arms: [Int]) -> MomentStatistic {
            if let u = unitLevel { return MomentStatistic(combining: arms.map { u.sums(look: k, arm: $0) }) }
            return MomentStatistic(combining: arms.map { stats.sums(look: k, arm: $0, metric: mi) })
        }
        let control = group(c.groups[0].arms), treatment = group(c.groups[1].arms)
        let n = control.n + treatment.n
        // A group's unit values: its arms' arrays in arm order (the same units as its sums).
        func values(_ arms: [Int], _ column: KeyPath<UnitLevelStatistics, [[Double]]>) -> [Double]? {
            guard let u = unitLevel else { return nil }
            let all = u[keyPath: column]
            guard arms.allSatisfy({ k * u.arms + $0 < all.count }) else { return nil }
            return arms.flatMap { all[k * u.arms + $0] }
        }
        func list(_ xs: [Double]) -> String { "[" + xs.map(num).joined(separator: ",") + "]" }
        enum Bad: Error { case nonFinite, missing }
        func arm(_ s: MomentStatistic, _ arms: [Int]) throws(Bad) -> String {
            var fields = [s.sum, s.sumOfSquares]
            if covariate { fields += [s.covariateSum, s.covariateSumOfSquares, s.crossSum] }
            guard fields.allSatisfy(\.isFinite) else { throw .nonFinite }
            var t = "{\"n\":\(s.n),\"sum\":\(num(s.sum)),\"sum_squares\":\(num(s.sumOfSquares))"
            if covariate { t += ",\"x_sum\":\(num(s.covariateSum)),\"x_sum_squares\":\(num(s.covariateSumOfSquares)),\"xy_sum\":\(num(s.crossSum))" }
            if unitValues {
                guard let ys = values(arms, \.values), ys.count == s.n else { throw .missing }
                guard ys.allSatisfy(\.isFinite) else { throw .nonFinite }
                t += ",\"values\":\(list(ys))"
                if covariate {
                    guard let xs = values(arms, \.covariateValues), xs.count == s.n else { throw .missing }
                    guard xs.allSatisfy(\.isFinite) else { throw .nonFinite }
                    t += ",\"x_values\":\(list(xs))"
                }
            }
            return t + "}"
        }
        let cj: String, tj: String
        do {
            cj = try arm(control, c.groups[0].arms)
            tj = try arm(treatment, c.groups[1].arms)
        } catch {
            return ("", n, error == .nonFinite ? .nonFiniteInput : .invalidStatistics)
        }
        let spec = a.spec
        let metric = plan.study.metrics[mi]
        let kind: String
        switch metric.kind {
        case .binary: kind = "binary"
        default: kind = "continuous"
        }
        let json = "{\"id\":\(jsonString(id)),\"replication\":\(r),\"look\":\(k + 1),\"looks\":\(plan.looks.count),\"day\":\(num(plan.looks[k].day)),"
            + "\"analysis\":\(jsonString(spec.id)),\"comparison\":\(jsonString(c.label)),\"metric\":\(jsonString(metric.name)),"
            + "\"metric_type\":\"\(kind)\",\"estimand\":\"\(spec.estimand.rawValue)\",\"alpha\":\(num(spec.alpha)),"
            + "\"alternative\":\"\(spec.alternative.rawValue)\",\"control\":\(cj),\"treatment\":\(tj)}"
        return (json, n, nil)
    }
}

/// A JSON number: Swift's shortest round-trip text (finite values only).
func num(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"
}

/// A JSON string literal.
func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
        }
    }
    return out + "\""
}

func excerpt(_ s: String, _ limit: Int = 160) -> String {
    s.count > limit ? String(s.prefix(limit - 1)) + "…" : s
}

/// An external engine as `result.json` records it: the command and the handshake's answer.
public struct EngineInfo: Codable, Equatable, Sendable {
    public var command: [String]
    public var engine: String
    public var version: String
    public var protocolVersion: Int
    public var needs: [String]
    /// When the handshake could not be read (the engine was not run in this process and did
    /// not start now): why.
    public var error: String? = nil

    enum CodingKeys: String, CodingKey {
        case command, engine, version, needs, error
        case protocolVersion = "protocol"
    }
}

/// The handshakes of the engines run in this process, for the cells' summaries.
public final class ExternalEngineLog: @unchecked Sendable {
    public static let shared = ExternalEngineLog()
    private let lock = NSLock()
    private var handshakes: [ExternalEngineSpec: EngineHandshake] = [:]

    func record(_ h: [ExternalEngineSpec: EngineHandshake]) {
        lock.lock(); defer { lock.unlock() }
        handshakes.merge(h) { _, new in new }
    }

    /// The engine's info: its recorded handshake, else one read now.
    public func info(_ spec: ExternalEngineSpec) -> EngineInfo {
        lock.lock()
        var h = handshakes[spec]
        lock.unlock()
        var failure: String? = nil
        if h == nil {
            do {
                h = try ExternalEnginePool.handshake(spec)
                if let h { record([spec: h]) }
            } catch { failure = "\(error)" }
        }
        guard let h else { return EngineInfo(command: spec.command, engine: spec.engine, version: "", protocolVersion: 0, needs: [], error: failure) }
        return EngineInfo(command: spec.command, engine: h.engine, version: h.version, protocolVersion: h.protocolVersion, needs: h.needs)
    }
}

extension CellPlan {
    /// Whether an analysis of the cell is answered by an external engine.
    public var hasExternalAnalysis: Bool { analyses.contains { $0.spec.external != nil } }
}
