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
        for s in Self.inputs + Self.inputs.map { $0.uppercased() } {
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
        let clock = ContinuousClock()
        var seconds: [Int: Double] = [:]
        for n in [1_000, 10_000, 100_000] {
            let s = String(repeating: "a", count: n) + "b"
            var matched = true
            let t = clock.measure {
                matched = r.matches(s)
                matched = matched || nested.matches(s)
            }
            #expect(!matched)
            seconds[n] = Double(t.components.seconds) + Double(t.components.attoseconds) * 1e-18
        }
        let worst = seconds[100_000] ?? .infinity
        print("BoundedRegex worst case: (a+)+$ and ^(a|a?)+(a*)*(a|aa)*c$ on a^n b: "
              + seconds.keys.sorted().map { "n=\($0): \(String(format: "%.4f", seconds[$0] ?? 0)) s" }.joined(separator: ", "))
        // Linear: 100× the input costs about 100× (a backtracking engine needs ~2^n steps).
        #expect(worst < 5, "worst case \(worst) s")
        if let small = seconds[1_000], small > 0.0005 { #expect(worst / small < 400) }
        // The same pattern still matches when it should.
        #expect(r.matches(String(repeating: "a", count: 10_000)))
    }
}
