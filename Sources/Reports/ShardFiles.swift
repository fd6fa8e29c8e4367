import Foundation
import Simulation

/// The code that wrote a shard: shards merge only when every one was written by the same code.
public struct ShardVersion: Codable, Equatable, Sendable, CustomStringConvertible {
    public var splitbench: String
    public var gitCommit: String?
    public var swift: String
    public var gsl: String

    /// A version from its parts (see ``BuildInfo``).
    public init(splitbench: String, gitCommit: String?, swift: String, gsl: String) {
        self.splitbench = splitbench
        self.gitCommit = gitCommit
        self.swift = swift
        self.gsl = gsl
    }

    public var description: String {
        "splitbench \(splitbench) (commit \(gitCommit.map { String($0.prefix(12)) } ?? "unknown"), Swift \(swift), GSL \(gsl))"
    }
}

/// The first line of a shard file: which run, which slice, which code.
public struct ShardHeader: Codable, Equatable, Sendable {
    /// The format tag every shard file starts with.
    public static let currentFormat = "splitbench-shard/2"

    /// ``currentFormat``.
    public var format: String
    /// `run` or `gate`: what the merge does with the result (`gate` checks the gates).
    public var command: String
    /// The scenario id.
    public var scenario: String
    /// The scenario file as the shard was given it (the merge reads it from there by default).
    public var file: String
    /// SHA-256 of the scenario file's bytes (hex), as in `result.json`.
    public var scenarioHash: String
    /// The seed the run used (the scenario's, or `--seed`).
    public var seed: UInt64
    /// `--seed`, when given.
    public var seedOverride: UInt64?
    /// `--replications`, when given.
    public var replicationsOverride: Int?
    /// Replications per cell.
    public var replications: Int
    public var version: ShardVersion
    /// This slice, 1-based.
    public var shard: Int
    /// How many slices the run was cut into.
    public var shards: Int
    /// The (cell, replication) ranges this slice covers, in order.
    public var ranges: [CellRange]
    /// The machine that ran the slice.
    public var host: String
    public var threads: Int
    /// ISO 8601, UTC.
    public var startedAt: String

    /// A header for slice `shard` of `shards`, in the current format.
    public init(command: String, scenario: String, file: String, scenarioHash: String, seed: UInt64, seedOverride: UInt64?,
                replicationsOverride: Int?, replications: Int, version: ShardVersion, shard: Int, shards: Int,
                ranges: [CellRange], host: String, threads: Int, startedAt: String) {
        self.format = Self.currentFormat
        self.command = command
        self.scenario = scenario
        self.file = file
        self.scenarioHash = scenarioHash
        self.seed = seed
        self.seedOverride = seedOverride
        self.replicationsOverride = replicationsOverride
        self.replications = replications
        self.version = version
        self.shard = shard
        self.shards = shards
        self.ranges = ranges
        self.host = host
        self.threads = threads
        self.startedAt = startedAt
    }

    /// The file name of a slice: `shard-<i>-of-<n>.jsonl`.
    public static func fileName(shard: Int, of shards: Int) -> String { "shard-\(shard)-of-\(shards).jsonl" }
}

/// The last line of a complete shard file.
public struct ShardTrailer: Codable, Equatable, Sendable {
    /// Replication records in the file.
    public var records: Int
    public var wallSeconds: Double
    /// Seconds spent on each of the header's ranges.
    public var rangeSeconds: [Double]

    /// A trailer after `records` records.
    public init(records: Int, wallSeconds: Double, rangeSeconds: [Double]) {
        self.records = records
        self.wallSeconds = wallSeconds
        self.rangeSeconds = rangeSeconds
    }
}

/// The JSON lines of a shard file: the header (first) and the trailer (last). The records
/// between them are ``RecordLine``s (tab-separated, doubles as their bit patterns in hex), which
/// cost a tenth of JSON's encoding and decoding and read back bit for bit.
struct ShardLine: Codable {
    var header: ShardHeader?
    var end: ShardTrailer?
}

/// A shard file that cannot be used: the file and what is wrong.
public struct ShardError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let message: String
    /// The problem `message` with the file at `path`.
    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "\(path): \(message)" }
}

/// Shard files: a JSON header line, one ``RecordLine`` per replication in range order, a JSON trailer line.
public enum ShardFiles {
    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return e
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return d
    }

    /// One record as its shard line (``RecordLine``, without the newline); for tests of the
    /// exact round trip.
    public static func encodeRecord(cell: Int, replication: Int, _ record: ReplicationRecord) throws -> Data {
        var out: [UInt8] = []
        RecordLine.append(cell: cell, replication: replication, record, to: &out)
        return Data(out)
    }

    /// Reads back what ``encodeRecord(cell:replication:_:)`` wrote (nil: not a record line).
    public static func decodeRecord(_ data: Data) throws -> (cell: Int, replication: Int, record: ReplicationRecord)? {
        let bytes = ArraySlice([UInt8](data))
        guard RecordLine.isRecord(bytes) else { return nil }
        return try RecordLine.decode(bytes)
    }

    /// Checks that shards belong together and cover every slice once: the same scenario, hash,
    /// seed, replications, code version and slice count, each slice 1…n exactly once. Returns
    /// them in slice order, or throws naming the first file at fault and the problem.
    public static func checkSet(_ shards: [ShardReader]) throws(ShardError) -> [ShardReader] {
        guard let first = shards.first else { throw ShardError(path: "merge", "no shard files given") }
        let h0 = first.header
        for s in shards.dropFirst() {
            let h = s.header
            func differ(_ what: String, _ mine: String, _ theirs: String, _ hint: String = "") throws(ShardError) {
                throw ShardError(path: s.path, "\(what) \(mine) differs from \(theirs) in \(first.path)\(hint)")
            }
            if h.scenario != h0.scenario { try differ("scenario", h.scenario, h0.scenario, "; merge one scenario's shards at a time") }
            if h.scenarioHash != h0.scenarioHash {
                try differ("scenario hash", String(h.scenarioHash.prefix(16)), String(h0.scenarioHash.prefix(16)), " (the scenario file changed between shards)")
            }
            if h.seed != h0.seed { try differ("seed", String(h.seed), String(h0.seed)) }
            if h.replications != h0.replications || h.replicationsOverride != h0.replicationsOverride {
                try differ("replications", String(h.replications), String(h0.replications))
            }
            if h.version != h0.version { try differ("version", h.version.description, h0.version.description, " (rebuild and rerun the shards with one binary)") }
            if h.shards != h0.shards { try differ("slice count", "\(h.shard)/\(h.shards)", "\(h0.shard)/\(h0.shards)") }
        }
        var bySlice: [Int: ShardReader] = [:]
        for s in shards {
            guard s.header.shard >= 1 && s.header.shard <= s.header.shards else {
                throw ShardError(path: s.path, "slice \(s.header.shard) of \(s.header.shards) is out of range")
            }
            if let other = bySlice[s.header.shard] {
                throw ShardError(path: s.path, "slice \(s.header.shard) of \(h0.shards) given twice (also \(other.path))")
            }
            bySlice[s.header.shard] = s
        }
        let missing = (1...h0.shards).filter { bySlice[$0] == nil }
        if !missing.isEmpty {
            let list = missing.count > 10 ? missing.prefix(10).map(String.init).joined(separator: ", ") + ", …" : missing.map(String.init).joined(separator: ", ")
            let given = bySlice.keys.sorted().map { "\($0) (\(bySlice[$0]?.path ?? ""))" }.joined(separator: ", ")
            throw ShardError(path: "merge of \(h0.scenario)", "slice\(missing.count == 1 ? "" : "s") \(list) of \(h0.shards) missing; given: \(given)")
        }
        return (1...h0.shards).compactMap { bySlice[$0] }
    }
}

/// Writes a shard file: header, records as they come, trailer. The lines go to a temporary
/// file in the destination folder, renamed over the destination by ``finish(_:)``, so a
/// reader never sees a partial shard.
public final class ShardWriter {
    public let url: URL
    let temp: URL
    let handle: FileHandle
    let encoder = ShardFiles.encoder()
    var buffer: [UInt8] = []
    /// Records written so far.
    public private(set) var records = 0

    /// Starts a shard file for `url` (in a temporary file beside it) with its header line.
    public init(url: URL, header: ShardHeader) throws(OutputError) {
        self.url = url
        let fm = FileManager.default
        let dir = url.deletingLastPathComponent()
        do {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw OutputError(path: url.path, reason: "cannot create directory \(dir.path): \(error.localizedDescription)")
        }
        temp = dir.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UInt64.random(in: 0...UInt64.max)).tmp")
        guard fm.createFile(atPath: temp.path, contents: nil), let h = FileHandle(forWritingAtPath: temp.path) else {
            throw OutputError(path: url.path, reason: "cannot create temporary file in \(dir.path)")
        }
        handle = h
        try line(ShardLine(header: header))
    }

    func line(_ value: ShardLine) throws(OutputError) {
        do {
            buffer.append(contentsOf: try encoder.encode(value))
        } catch {
            throw OutputError(path: url.path, reason: "cannot encode a line: \(error)")
        }
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { try flush() }
    }

    func flush() throws(OutputError) {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw OutputError(path: url.path, reason: error.localizedDescription)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Appends the records of replications `first`, `first + 1`, … of cell `cell`, one
    /// ``RecordLine`` each.
    public func append(cell: Int, first: Int, _ outcomes: [ReplicationRecord]) throws(OutputError) {
        for (i, o) in outcomes.enumerated() {
            RecordLine.append(cell: cell, replication: first + i, o, to: &buffer)
            buffer.append(0x0A)
            if buffer.count >= 1 << 20 { try flush() }
        }
        records += outcomes.count
    }

    /// Writes the trailer, and renames the file into place.
    public func finish(_ trailer: ShardTrailer) throws(OutputError) {
        try line(ShardLine(end: trailer))
        try flush()
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw OutputError(path: url.path, reason: error.localizedDescription)
        }
        guard rename(temp.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temp)
            throw OutputError(path: url.path, reason: reason)
        }
    }

    /// Drops the temporary file (after a failure).
    public func abandon() {
        try? handle.close()
        try? FileManager.default.removeItem(at: temp)
    }
}

/// Reads a shard file line by line (1 MiB at a time, so memory stays flat): the header on
/// opening, then ``next()`` for each record until the trailer. The file is open only while
/// its records are read, so a merge of a thousand shards holds one file open at a time.
public final class ShardReader {
    public let path: String
    public let header: ShardHeader
    /// The trailer, once ``next()`` has reached it.
    public private(set) var trailer: ShardTrailer?
    var handle: FileHandle?
    let decoder = ShardFiles.decoder()
    var buffer: [UInt8] = []
    var position = 0
    var atEOF = false
    var lineNumber = 0
    var recordsRead = 0

    /// Opens `path` and reads its header.
    public init(path: String) throws(ShardError) {
        self.path = path
        guard let h = FileHandle(forReadingAtPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw ShardError(path: path, exists ? "cannot be read" : "no such file")
        }
        var buf: [UInt8] = [], pos = 0, eof = false
        var first: ArraySlice<UInt8>?
        do { first = try Self.readLine(handle: h, buffer: &buf, position: &pos, atEOF: &eof) } catch {
            throw ShardError(path: path, "cannot be read: \(error.localizedDescription)")
        }
        guard let first, let line = try? ShardFiles.decoder().decode(ShardLine.self, from: Data(first)), let header = line.header else {
            throw ShardError(path: path, "not a SplitBench shard file (expected a first line {\"header\": {\"format\": \"\(ShardHeader.currentFormat)\", …}} as written by `run --shard i/n`)")
        }
        guard header.format == ShardHeader.currentFormat else {
            throw ShardError(path: path, "shard format \(header.format), expected \(ShardHeader.currentFormat)")
        }
        try? h.close()
        lineNumber = 1
        self.header = header
    }

    deinit { try? handle?.close() }

    static func readLine(handle: FileHandle, buffer: inout [UInt8], position: inout Int, atEOF: inout Bool) throws -> ArraySlice<UInt8>? {
        while true {
            if let nl = buffer[position...].firstIndex(of: 0x0A) {
                let line = buffer[position..<nl]
                position = nl + 1
                return line
            }
            if atEOF {
                guard position < buffer.count else { return nil }
                let line = buffer[position...]
                position = buffer.count
                return line
            }
            if position > 0 {
                buffer.removeFirst(position)
                position = 0
            }
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { atEOF = true } else { buffer.append(contentsOf: chunk) }
        }
    }

    /// The next record (cell, replication, record), or nil after the trailer. Throws when the
    /// file ends without its trailer (an interrupted write) or a line is not a shard line.
    public func next() throws(ShardError) -> (cell: Int, replication: Int, record: ReplicationRecord)? {
        if trailer != nil { return nil }
        if handle == nil {
            // Reopen, past the header read on opening.
            guard let h = FileHandle(forReadingAtPath: path) else { throw ShardError(path: path, "cannot be read any more") }
            handle = h
            do { _ = try Self.readLine(handle: h, buffer: &buffer, position: &position, atEOF: &atEOF) } catch {
                throw ShardError(path: path, "cannot be read: \(error.localizedDescription)")
            }
        }
        guard let handle else { return nil }
        let raw: ArraySlice<UInt8>?
        do { raw = try Self.readLine(handle: handle, buffer: &buffer, position: &position, atEOF: &atEOF) } catch {
            throw ShardError(path: path, "cannot be read: \(error.localizedDescription)")
        }
        lineNumber += 1
        guard let raw else {
            throw ShardError(path: path, "ends after \(recordsRead) records without its closing {\"end\": …} line: the shard was interrupted; rerun slice \(header.shard)/\(header.shards)")
        }
        if RecordLine.isRecord(raw) {
            do {
                let r = try RecordLine.decode(raw)
                recordsRead += 1
                return r
            } catch {
                throw ShardError(path: path, "line \(lineNumber): not a shard record (\(error.description))")
            }
        }
        let line: ShardLine
        do { line = try decoder.decode(ShardLine.self, from: Data(raw)) } catch {
            throw ShardError(path: path, "line \(lineNumber): not a shard record (\(error))")
        }
        guard let end = line.end else {
            throw ShardError(path: path, "line \(lineNumber): expected a record line (r, tab, …) or the closing {\"end\": …} line")
        }
        guard end.records == recordsRead else {
            throw ShardError(path: path, "holds \(recordsRead) records, its closing line says \(end.records)")
        }
        trailer = end
        try? handle.close()
        self.handle = nil
        buffer = []
        position = 0
        return nil
    }
}
