import Foundation
import Testing
@testable import Assignment

@Suite struct BoundedRegexTests {
    static let patterns = [
        "(Mobile|Tablet)", "^ping", "-12-25$", "^a.c$", "colou?r", "a{2,3}b", "a{2}", "a{2,}", "[a-c]+x", "[^0-9]+$",
        "\\d{3}-\\d{4}", "\\bcat\\b", "\\Bcat", "\\w+@\\w+\\.com", "^\\s*$", "(?:ab)+$", "x|y|z", "a.*b.*c",
        "^(a|ab)(c|bcd)(d*)$", "[\\-.]v", "\\.", "a+?b", "(a*)*b", "^$", "[]]", "a{,2}", "\\x41\\u0042", "[\\d\\s]+",
    ]
    static let inputs = [
        "", "a", "abc", "Android Mobile Browser", "pingpong", "1980-12-25", "color", "colour", "aab", "aaab", "aaaab",
        "bcx", "abc123", "xyz", "555-1234", "the cat sat", "concat", "me@site.com", "   ", "ababab", "abcd",
        "y", "a1b2c3", "1-v", "x.v", "ab", "]", "a{,2}", "AB", "a 1",
    ]

    /// Every (pattern, input) pair gives the same answer as a backtracking engine
    /// (Foundation's NSRegularExpression, ICU) on patterns where the two syntaxes agree.
    @Test(arguments: patterns)
    func agreesWithABacktrackingEngine(_ pattern: String) throws {
        let mine = try BoundedRegex(pattern)
        let mineI = try BoundedRegex(pattern, caseInsensitive: true)
        // ICU reads `[]]` and `a{,2}` differently from JavaScript, where `[]` is an empty class
        // (so `[]]` never matches) and `{,2}` is literal text.
        guard pattern != "[]]", pattern != "a{,2}" else {
            #expect(!mine.matches("]") && !mine.matches("[]]"))
            #expect(mine.matches("xa{,2}y") == (pattern == "a{,2}"))
            return
        }
        let icu = try NSRegularExpression(pattern: pattern)
        let icuI = try NSRegularExpression(pattern: pattern, options: .caseInsensitive)
        for s in Self.inputs + Self.inputs.map({ $0.uppercased() }) {
            let range = NSRange(s.startIndex..., in: s)
            #expect(mine.matches(s) == (icu.firstMatch(in: s, range: range) != nil), "\(pattern) on \(s)")
            #expect(mineI.matches(s) == (icuI.firstMatch(in: s, range: range) != nil), "\(pattern) /i on \(s)")
        }
    }

    @Test(arguments: ["/???***[)", "(", "a)", "[a", "*a", "a**", "x{3,1}", "\\1(a)", "(?=a)", "(?<!a)b", "a\\"])
    func invalidOrUnsupportedPatternsAreRejected(_ pattern: String) {
        #expect(throws: BoundedRegex.CompileError.self) { try BoundedRegex(pattern) }
    }

    @Test func hugeCountedRepetitionIsRejected() {
        #expect(throws: BoundedRegex.CompileError.self) { try BoundedRegex("(abc){1000,100000}") }
    }

    /// A catastrophic pattern for backtracking engines, `(a+)+$` on "aaaa…ab", takes time
    /// linear in the input here: the worst case is measured and bounded.
    @Test func catastrophicPatternRunsInLinearTime() throws {
        let r = try BoundedRegex("(a+)+$")
        let nested = try BoundedRegex("^(a|a?)+(a*)*(a|aa)*c$")
        #expect(!nested.matches(String(repeating: "a", count: 10_000) + "b"))
        let clock = ContinuousClock()
        var seconds: [Int: Double] = [:]
        for n in [1_000, 50_000] {
            let s = String(repeating: "a", count: n) + "b"
            var matched = true
            let t = clock.measure { matched = r.matches(s) }
            #expect(!matched)
            seconds[n] = Double(t.components.seconds) + Double(t.components.attoseconds) * 1e-18
        }
        let small = seconds[1_000] ?? 0, worst = seconds[50_000] ?? .infinity
        print("BoundedRegex worst case: (a+)+$ on a^n b: n=1000: \(String(format: "%.4f", small)) s, n=50000: \(String(format: "%.4f", worst)) s")
        // Bounded, and linear: 50× the input costs about 50× (quadratic would be 2 500×; a
        // backtracking engine needs ~2^n steps).
        #expect(worst < 10, "worst case \(worst) s")
        if small > 0.001 { #expect(worst / small < 500, "\(worst) s vs \(small) s") }
        // The same pattern still matches when it should.
        #expect(r.matches(String(repeating: "a", count: 10_000)))
    }
}

/// The byte-level version comparison used at evaluation agrees with GrowthBook's padded
/// version strings compared as strings.
@Suite struct VersionComparisonTests {
    static let versions = ["1.2.3", "v1.2.3", "1.2.3-beta", "1.2.3-beta.11", "1.2.3+build", "10.0.0", "9.99.8", "1-2-3",
                           "1.2.3.4", "0.0.0-foo", "1.0.0--", "1.0.0-9999", "a.b.c.d.e.f", "10000.0.0", "1.2", "1", "", "v",
                           "1.0.0-0.0.0", "1.2.3-r100", "1.2.3-R2", "123456.1.1"]

    @Test func bytePathAgreesWithPaddedStrings() {
        for a in Self.versions {
            for b in Self.versions {
                let expected = GBSemantics.paddedVersion(.string(b))
                for op in [GBCompare.eq, .ne, .lt, .lte, .gt, .gte] {
                    #expect(GBSemantics.compareVersions(.string(a), expected, op)
                            == GBSemantics.compareStrings(GBSemantics.paddedVersion(.string(a)), expected, op), "\(a) \(op) \(b)")
                }
            }
        }
    }
}
