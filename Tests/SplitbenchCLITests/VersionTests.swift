import Testing

@Suite struct VersionTests {
    @Test func versionLineNamesPackageGSLAndCommit() throws {
        let r = try CLIRunner.run(["--version"], environment: ["SPLITBENCH_GIT_COMMIT": "0123456789abcdef0123456789abcdef01234567"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("splitbench 0.1.0 (GSL 2."))
        #expect(r.stdout.contains("commit 0123456789ab"))
    }

    @Test func unknownOptionIsAUsageError() throws {
        let r = try CLIRunner.run(["--no-such-option"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("no-such-option"))
    }
}
