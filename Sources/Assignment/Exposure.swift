import Foundation

/// An exposure: a unit was served a variant at a time (seed 001 `exposure_event`).
public struct ExposureEvent: Sendable, Equatable, Codable {
    public let unit: String
    public let experiment: String
    public let variant: String
    public let timestamp: Date
    /// The unit's attributes when served (client, app version, country …).
    public let attributes: Attributes
    /// For switchback experiments: true when served in a window's burn-in (exclude from analysis).
    public let burnIn: Bool?

    /// An event for `unit` served `variant` of `experiment` at `timestamp`.
    public init(unit: String, experiment: String, variant: String, timestamp: Date, attributes: Attributes, burnIn: Bool? = nil) {
        self.unit = unit
        self.experiment = experiment
        self.variant = variant
        self.timestamp = timestamp
        self.attributes = attributes
        self.burnIn = burnIn
    }

    enum CodingKeys: String, CodingKey {
        case unit, experiment, variant, timestamp, attributes
        case burnIn = "burn_in"
    }

    /// The event as one line of JSON (sorted keys, ISO 8601 timestamp), without a newline.
    public func jsonLine() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        return try e.encode(self)
    }
}

/// Where exposure events go. Implementations must be safe to call from many tasks.
public protocol ExposureSink: Sendable {
    /// Records one event.
    func record(_ event: ExposureEvent) throws
}

/// Keeps exposure events in memory (tests, simulations).
public final class InMemoryExposureSink: ExposureSink, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [ExposureEvent] = []

    /// An empty sink.
    public init() {}

    /// Appends the event.
    public func record(_ event: ExposureEvent) {
        lock.lock()
        stored.append(event)
        lock.unlock()
    }

    /// All events recorded so far, in order.
    public var events: [ExposureEvent] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

/// Appends exposure events to a file as JSON lines (one event per line).
public final class JSONLinesExposureSink: ExposureSink, @unchecked Sendable {
    private let lock = NSLock()
    private let handle: FileHandle

    /// Opens `url` for appending, creating it if needed.
    public init(url: URL) throws {
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
            }
        }
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
    }

    /// Writes the event as one JSON line.
    public func record(_ event: ExposureEvent) throws {
        var line = try event.jsonLine()
        line.append(0x0A)
        lock.lock()
        defer { lock.unlock() }
        try handle.write(contentsOf: line)
    }

    /// Flushes and closes the file.
    public func close() throws {
        lock.lock()
        defer { lock.unlock() }
        try handle.synchronize()
        try handle.close()
    }

    deinit { try? handle.close() }
}
