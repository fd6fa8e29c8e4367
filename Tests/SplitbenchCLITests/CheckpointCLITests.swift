import Foundation
import Testing

/// Interrupted runs lose nothing: real signals (SIGINT, SIGTERM, SIGKILL) sent to a child
/// `splitbench run` at random moments, then `--resume`, give the bytes of an uninterrupted run.
@Suite struct CheckpointCLITests {
    static let scenario = """
    schema: 1
    id: cli.checkpoint
    seed: 17
    replications: 240
    population: {units: 500, days: 7}
    metrics:
      - {name: conversion, kind: binary, baseline: 0.3}
      - {name: revenue, kind: continuous, distribution: {lognormal: {mu: 1.0, sigma: 1.0}}, pre_period_correlation: 0.5}
    experiment:
      hash: sha256
      variants: {control: 0.5, treatment: 0.5}
    analyses:
      - {id: z, metric: conversion, method: z_test}
      - {id: cuped, metric: revenue, method: cuped, policy: {group_sequential: {spending: obf}}}
      - {id: srm, method: srm}
    looks: {count: 4}
    sweep:
      population.units: [300, 600]
    """
    static let files = ["measures.csv", "report.md", "report.html", "records.csv"]

    static func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("splitbench-checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        try scenario.write(to: d.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        return d
    }

    /// The uninterrupted run's files, computed once, and its wall time (the signals land within
    /// it whether the binary is a debug or a release build).
    static let reference: Result<(files: [String: Data], seconds: Double), any Error> = Result {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let start = Date()
        let r = try CLIRunner.run(["run", "s.yaml", "--out", "out", "--quiet", "--records"], currentDirectory: dir)
        let seconds = Date().timeIntervalSince(start)
        guard r.status == 0 else { throw CocoaError(.fileReadUnknown, userInfo: ["stderr": r.stderr]) }
        var out: [String: Data] = [:]
        for f in files { out[f] = try Data(contentsOf: dir.appendingPathComponent("out/cli.checkpoint/\(f)")) }
        return (out, seconds)
    }

    @Test(arguments: 0..<21)
    func interruptedAtARandomMomentThenResumedGivesTheSameBytes(trial: Int) throws {
        let (reference, seconds) = try Self.reference.get()
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let signal: Int32 = [SIGINT, SIGTERM, SIGKILL][trial % 3]
        let process = Process()
        process.executableURL = CLIRunner.binary
        process.arguments = ["run", "s.yaml", "--out", "out", "--quiet", "--records", "--checkpoint-seconds", "0.05", "--threads", "\(1 + trial % 2)"]
        process.currentDirectoryURL = dir
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // A uniform moment up to 1.3 times the uninterrupted run (about 0.5 s for a debug build,
        // 0.15 s for a release one), so most signals land mid-run and some after the end.
        Thread.sleep(forTimeInterval: Double.random(in: 0.02...(0.02 + 1.3 * seconds)))
        kill(process.processIdentifier, signal)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let finished = process.terminationReason == .exit && process.terminationStatus == 0
        if !finished {
            let parts = (try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out/cli.checkpoint/.checkpoint").path)) ?? []
            if signal == SIGKILL {
                #expect(process.terminationReason == .uncaughtSignal, "trial \(trial): \(stderr)")
            } else if process.terminationReason == .uncaughtSignal {
                // The signal came before the process installed its handler: nothing had run.
                #expect(parts.isEmpty, "trial \(trial): killed by the signal after checkpointing \(parts)")
            } else {
                #expect(process.terminationReason == .exit && process.terminationStatus == 130, "trial \(trial): status \(process.terminationStatus): \(stderr)")
                if stderr.contains("nothing to resume") {
                    // Before the first checkpoint or after the results were written: the
                    // message may only say so when there is indeed no saved state (record
                    // parts written before the first state are not resumable on their own).
                    #expect(!parts.contains("state.json"), "trial \(trial): said nothing to resume with \(parts) checkpointed")
                } else {
                    #expect(stderr.contains("interrupted") && stderr.contains("--resume"), "trial \(trial): \(stderr)")
                }
            }
            // No partial file: every file in the output is complete (written by rename).
            let folder = dir.appendingPathComponent("out/cli.checkpoint")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for name in names where Self.files.contains(name) {
                let data = try Data(contentsOf: folder.appendingPathComponent(name))
                #expect(data == reference[name], "trial \(trial): \(name) exists but is not the final file")
            }
        }
        let resumed = try CLIRunner.run(["run", "s.yaml", "--out", "out", "--quiet", "--records", "--resume"], currentDirectory: dir)
        #expect(resumed.status == 0, "trial \(trial): \(resumed.stderr)")
        for f in Self.files {
            #expect(try Data(contentsOf: dir.appendingPathComponent("out/cli.checkpoint/\(f)")) == reference[f], "trial \(trial) (signal \(signal), finished \(finished)): \(f) differs")
        }
        // The checkpoint is gone once the results are written.
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/cli.checkpoint/.checkpoint").path))
    }

    @Test func resumeRefusesACheckpointOfAnotherRun() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = Process()
        process.executableURL = CLIRunner.binary
        process.arguments = ["run", "s.yaml", "--out", "out", "--quiet", "--checkpoint-seconds", "0.05", "--threads", "1"]
        process.currentDirectoryURL = dir
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait for a first checkpoint file, then kill.
        let checkpoint = dir.appendingPathComponent("out/cli.checkpoint/.checkpoint")
        for _ in 0..<200 {
            if ((try? FileManager.default.contentsOfDirectory(atPath: checkpoint.path)) ?? []).contains("state.json") { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let other = try CLIRunner.run(["run", "s.yaml", "--out", "out", "--quiet", "--resume", "--seed", "18"], currentDirectory: dir)
        if process.terminationReason == .uncaughtSignal {
            #expect(other.status == 2, "\(other.stderr)")
            #expect(other.stderr.contains("a checkpoint of another run"), "\(other.stderr)")
        }
    }
}
