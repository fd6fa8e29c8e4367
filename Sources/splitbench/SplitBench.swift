import ArgumentParser
import Distributions
import Foundation
import Reports

/// The `splitbench` command line.
@main
struct SplitBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "splitbench",
        abstract: "A test bench for A/B-testing machinery: real assignment and analysis modules, driven by a Monte Carlo harness.",
        discussion: """
        Exit codes: 0 success, 1 a check or gate failed, 2 bad input (including an input path that \
        does not exist), 3 I/O or environment error (an existing input that could not be read, an \
        output that could not be written), 130 interrupted (resume with --resume).
        See README.md for the scenario file reference.
        """,
        version: BuildInfo.versionLine(gslVersion: GSL.version),
        subcommands: [Run.self, Gate.self, Merge.self, Validate.self, Report.self, Replay.self, Diff.self, Calibrate.self, PlanCommand.self, Analyze.self, AssignCommand.self, RulesetCommand.self]
    )

    /// Runs the command, mapping ArgumentParser's usage errors (exit 64) to SplitBench's
    /// "bad input" exit code 2, so every kind of bad input exits the same way.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
