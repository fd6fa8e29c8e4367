import ArgumentParser
import Reports

/// The `splitbench` command line.
@main
struct SplitBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "splitbench",
        abstract: "A test bench for A/B-testing machinery: real assignment and analysis modules, driven by a Monte Carlo harness.",
        discussion: """
        Exit codes: 0 success, 1 a check or gate failed, 2 bad input.
        See README.md for the scenario file reference.
        """,
        version: BuildInfo.versionLine,
        subcommands: [PlanCommand.self]
    )
}
