import Foundation

/// A regular expression matched in time linear in the input: the pattern is compiled to a
/// Thompson NFA and simulated one input position at a time with a set of active states (a
/// Pike VM without captures), so a hostile pattern such as `(a+)+$` cannot backtrack
/// exponentially. The cost of `firstMatch`-style testing is O(pattern size × input length).
///
/// Syntax: the subset of JavaScript `RegExp` syntax that targeting conditions use (GrowthBook's
/// `$regex`/`$regexi`, which hand the pattern to `new RegExp`; see ECMA-262 §22.2): literals,
/// `.`, `^`, `$`, `\b`, `\B`, classes `[a-z]`, `[^…]`, `\d \D \w \W \s \S`, escapes
/// (`\n \r \t \v \f \0 \xHH \uHHHH`, `\` + punctuation), groups `( )`, `(?: )`, `(?<name> )`,
/// alternation `|`, and the quantifiers `* + ? {n} {n,} {n,m}` (each optionally lazy with a
/// trailing `?`, which does not change whether a match exists). Backreferences and lookaround
/// need backtracking and are rejected as unsupported. Matching is by Unicode scalar, not
/// UTF-16 code unit. `^`/`$` anchor at the whole input (no multiline flag).
public struct BoundedRegex: Sendable, Equatable {
    /// Why a pattern was not compiled.
    public struct CompileError: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// The pattern as given.
    public let pattern: String
    /// Whether letters match regardless of case (the `i` flag).
    public let caseInsensitive: Bool
    private let program: [Instruction]
    private let sets: [CharSet]
    /// When every match must start with one of these scalars (the program begins with plain
    /// characters), positions with no live thread and another scalar are skipped.
    private let firstScalars: Set<Unicode.Scalar>?
    /// The ASCII part of `firstScalars` as a bitmap (bit c of word c / 64).
    private let firstASCII: (UInt64, UInt64)

    /// Bound on the compiled program (counted repetitions `{n,m}` are expanded), so compile
    /// time and the per-character cost stay bounded too.
    public static let maxInstructions = 20_000

    /// Compiles `pattern`; throws `CompileError` for invalid or unsupported syntax.
    public init(_ pattern: String, caseInsensitive: Bool = false) throws(CompileError) {
        self.pattern = pattern
        self.caseInsensitive = caseInsensitive
        var parser = Parser(Array(pattern.unicodeScalars))
        let node = try parser.parseAll()
        var compiler = Compiler(caseInsensitive: caseInsensitive)
        try compiler.emit(node)
        compiler.program.append(.match)
        program = compiler.program
        sets = compiler.sets
        firstScalars = Self.firstScalars(program, caseInsensitive: caseInsensitive)
        var bits: (UInt64, UInt64) = (0, 0)
        for c in firstScalars ?? [] where c.value < 128 {
            if c.value < 64 { bits.0 |= 1 << UInt64(c.value) } else { bits.1 |= 1 << UInt64(c.value - 64) }
        }
        firstASCII = bits
    }

    /// The scalars a match can start with, when the program's first consuming instructions are
    /// all plain characters (nil otherwise: a class, `.`, an assertion or an empty match).
    private static func firstScalars(_ program: [Instruction], caseInsensitive: Bool) -> Set<Unicode.Scalar>? {
        var out: Set<Unicode.Scalar> = []
        var seen: Set<Int> = []
        var stack = [0]
        while let pc = stack.popLast() {
            guard seen.insert(pc).inserted else { continue }
            switch program[pc] {
            case .char(let c):
                out.insert(c)
                if caseInsensitive {
                    out.insert(fold(c))
                    out.insert(upper(c))
                }
            case .jump(let t): stack.append(t)
            case .split(let a, let b): stack.append(contentsOf: [a, b])
            default: return nil
            }
        }
        return out
    }

    public static func == (a: BoundedRegex, b: BoundedRegex) -> Bool {
        a.pattern == b.pattern && a.caseInsensitive == b.caseInsensitive
    }

    /// Whether the pattern matches somewhere in `input` (JavaScript's `RegExp.prototype.test`).
    public func matches(_ input: String) -> Bool {
        let text = Array(input.unicodeScalars)
        let n = text.count
        // The state sets are allocated when the first thread starts (never, when no position
        // can start a match).
        var current = StateSet(capacity: 0)
        var next = StateSet(capacity: 0)
        var allocated = false
        var stack: [Int] = []
        for i in 0...n {
            if current.count == 0, firstScalars != nil, i == n || !canStart(text[i]) {
                if i == n { break }
                continue
            }
            if !allocated {
                current = StateSet(capacity: program.count)
                next = StateSet(capacity: program.count)
                stack.reserveCapacity(16)
                allocated = true
            }
            // Unanchored search: a new thread starts at every position.
            if addThread(0, at: i, text, &current, &stack) { return true }
            if i == n { break }
            let c = text[i]
            next.clear()
            for k in 0..<current.count {
                let pc = current.dense[k]
                if consumes(program[pc], c), addThread(pc + 1, at: i + 1, text, &next, &stack) { return true }
            }
            swap(&current, &next)
        }
        return false
    }

    /// Whether a match can start with `c` (only called when `firstScalars` is known).
    private func canStart(_ c: Unicode.Scalar) -> Bool {
        if c.value < 64 { return firstASCII.0 & (1 << UInt64(c.value)) != 0 }
        if c.value < 128 { return firstASCII.1 & (1 << UInt64(c.value - 64)) != 0 }
        return firstScalars?.contains(c) ?? true
    }

    /// Adds `pc` and everything reachable from it without consuming input; true on reaching `match`.
    private func addThread(_ start: Int, at i: Int, _ text: [Unicode.Scalar], _ set: inout StateSet, _ stack: inout [Int]) -> Bool {
        stack.removeAll(keepingCapacity: true)
        stack.append(start)
        while let pc = stack.popLast() {
            guard set.insert(pc) else { continue }
            switch program[pc] {
            case .match: return true
            case .jump(let t): stack.append(t)
            case .split(let a, let b):
                stack.append(b)
                stack.append(a)
            case .assertStart: if i == 0 { stack.append(pc + 1) }
            case .assertEnd: if i == text.count { stack.append(pc + 1) }
            case .wordBoundary(let want):
                let before = i > 0 && Self.isWord(text[i - 1])
                let after = i < text.count && Self.isWord(text[i])
                if (before != after) == want { stack.append(pc + 1) }
            case .char, .any, .set: break
            }
        }
        return false
    }

    private func consumes(_ inst: Instruction, _ c: Unicode.Scalar) -> Bool {
        switch inst {
        case .char(let x):
            if x == c { return true }
            return caseInsensitive && Self.fold(x) == Self.fold(c)
        case .any: return !Self.isLineTerminator(c)
        case .set(let k):
            let s = sets[k]
            if s.contains(c) { return true }
            guard caseInsensitive else { return false }
            let lower = Self.fold(c), upper = Self.upper(c)
            return (lower != c && s.contains(lower)) || (upper != c && s.contains(upper))
        default: return false
        }
    }

    static func isWord(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_"
    }

    static func isLineTerminator(_ c: Unicode.Scalar) -> Bool {
        c == "\n" || c == "\r" || c.value == 0x2028 || c.value == 0x2029
    }

    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c.properties.isWhitespace || c.value == 0xFEFF
    }

    static func fold(_ c: Unicode.Scalar) -> Unicode.Scalar {
        if c.isASCII { return ("A"..."Z").contains(c) ? Unicode.Scalar(c.value + 32) ?? c : c }
        let s = c.properties.lowercaseMapping.unicodeScalars
        return s.count == 1 ? s.first ?? c : c
    }

    static func upper(_ c: Unicode.Scalar) -> Unicode.Scalar {
        if c.isASCII { return ("a"..."z").contains(c) ? Unicode.Scalar(c.value - 32) ?? c : c }
        let s = c.properties.uppercaseMapping.unicodeScalars
        return s.count == 1 ? s.first ?? c : c
    }

    // MARK: representation

    private enum Instruction: Sendable {
        case char(Unicode.Scalar)
        case any
        case set(Int)
        case split(Int, Int)
        case jump(Int)
        case assertStart
        case assertEnd
        case wordBoundary(Bool)
        case match
    }

    fileprivate enum ClassItem: Sendable, Equatable {
        case range(UInt32, UInt32)
        case digit(Bool), word(Bool), space(Bool)  // Bool: negated
    }

    fileprivate struct CharSet: Sendable, Equatable {
        var items: [ClassItem]
        var negated: Bool

        func contains(_ c: Unicode.Scalar) -> Bool {
            var hit = false
            for item in items {
                switch item {
                case .range(let lo, let hi): hit = c.value >= lo && c.value <= hi
                case .digit(let neg): hit = ("0"..."9").contains(c) != neg
                case .word(let neg): hit = BoundedRegex.isWord(c) != neg
                case .space(let neg): hit = BoundedRegex.isSpace(c) != neg
                }
                if hit { break }
            }
            return hit != negated
        }
    }

    fileprivate indirect enum Node: Sendable {
        case empty
        case char(Unicode.Scalar)
        case any
        case set(CharSet)
        case start, end
        case wordBoundary(Bool)
        case concat([Node])
        case alternation([Node])
        case repetition(Node, min: Int, max: Int?)
    }

    /// Sparse set of program counters with O(1) insert and clear.
    private struct StateSet {
        var dense: [Int]
        var sparse: [Int]
        var count = 0
        init(capacity: Int) {
            dense = [Int](repeating: 0, count: capacity)
            sparse = [Int](repeating: 0, count: capacity)
        }
        mutating func insert(_ pc: Int) -> Bool {
            let k = sparse[pc]
            if k < count && dense[k] == pc { return false }
            sparse[pc] = count
            dense[count] = pc
            count += 1
            return true
        }
        mutating func clear() { count = 0 }
    }

    // MARK: parser

    private struct Parser {
        let s: [Unicode.Scalar]
        var i = 0
        init(_ s: [Unicode.Scalar]) { self.s = s }

        func fail(_ m: String) -> CompileError { CompileError(message: m) }

        mutating func parseAll() throws(CompileError) -> Node {
            let n = try parseAlternation()
            if i < s.count { throw fail("unmatched ')' at offset \(i)") }
            return n
        }

        mutating func parseAlternation() throws(CompileError) -> Node {
            var branches = [try parseConcat()]
            while i < s.count, s[i] == "|" {
                i += 1
                branches.append(try parseConcat())
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        mutating func parseConcat() throws(CompileError) -> Node {
            var items: [Node] = []
            while i < s.count, s[i] != "|", s[i] != ")" {
                var atom = try parseAtom()
                while let q = try parseQuantifier() {
                    if case .start = atom { throw fail("nothing to repeat at offset \(i)") }
                    if case .end = atom { throw fail("nothing to repeat at offset \(i)") }
                    if case .wordBoundary = atom { throw fail("nothing to repeat at offset \(i)") }
                    atom = .repetition(atom, min: q.min, max: q.max)
                    if i < s.count, s[i] == "?" { i += 1 }  // lazy: same match existence
                    if i < s.count, "*+?".unicodeScalars.contains(s[i]) { throw fail("nothing to repeat at offset \(i)") }
                    if i < s.count, s[i] == "{", peekBraceQuantifier() != nil { throw fail("nothing to repeat at offset \(i)") }
                }
                items.append(atom)
            }
            return items.count == 1 ? items[0] : items.isEmpty ? .empty : .concat(items)
        }

        /// `{n}`, `{n,}`, `{n,m}` at `i`, without consuming; nil when `{` is a literal.
        func peekBraceQuantifier() -> (min: Int, max: Int?, length: Int)? {
            var j = i + 1
            func number() -> Int? {
                var v = 0, any = false
                while j < s.count, ("0"..."9").contains(s[j]) {
                    v = min(v * 10 + Int(s[j].value - 48), 1_000_000)
                    j += 1
                    any = true
                }
                return any ? v : nil
            }
            guard let lo = number() else { return nil }
            var hi: Int? = lo
            if j < s.count, s[j] == "," {
                j += 1
                hi = number()
            }
            guard j < s.count, s[j] == "}" else { return nil }
            return (lo, hi, j + 1 - i)
        }

        mutating func parseQuantifier() throws(CompileError) -> (min: Int, max: Int?)? {
            guard i < s.count else { return nil }
            switch s[i] {
            case "*": i += 1; return (0, nil)
            case "+": i += 1; return (1, nil)
            case "?": i += 1; return (0, 1)
            case "{":
                guard let q = peekBraceQuantifier() else { return nil }
                if let hi = q.max, hi < q.min { throw fail("numbers out of order in {} quantifier") }
                i += q.length
                return (q.min, q.max)
            default: return nil
            }
        }

        mutating func parseAtom() throws(CompileError) -> Node {
            let c = s[i]
            i += 1
            switch c {
            case ".": return .any
            case "^": return .start
            case "$": return .end
            case "*", "+", "?": throw fail("nothing to repeat at offset \(i - 1)")
            case "{":
                i -= 1
                if peekBraceQuantifier() != nil { throw fail("nothing to repeat at offset \(i)") }
                i += 1
                return .char(c)
            case "(":
                if i < s.count, s[i] == "?" {
                    guard i + 1 < s.count else { throw fail("invalid group") }
                    let k = s[i + 1]
                    if k == ":" {
                        i += 2
                    } else if k == "<", i + 2 < s.count, s[i + 2] != "=", s[i + 2] != "!" {
                        // Named group: skip the name.
                        i += 2
                        while i < s.count, s[i] != ">" { i += 1 }
                        guard i < s.count else { throw fail("invalid group name") }
                        i += 1
                    } else if k == "=" || k == "!" || k == "<" {
                        throw fail("lookaround assertions are not supported (they need backtracking)")
                    } else {
                        throw fail("invalid group")
                    }
                }
                let inner = try parseAlternation()
                guard i < s.count, s[i] == ")" else { throw fail("unterminated group") }
                i += 1
                return inner
            case ")": throw fail("unmatched ')'")
            case "[": return .set(try parseClass())
            case "\\": return try parseEscape()
            default: return .char(c)
            }
        }

        mutating func parseEscape() throws(CompileError) -> Node {
            guard i < s.count else { throw fail("\\ at end of pattern") }
            let c = s[i]
            i += 1
            switch c {
            case "d": return .set(CharSet(items: [.digit(false)], negated: false))
            case "D": return .set(CharSet(items: [.digit(true)], negated: false))
            case "w": return .set(CharSet(items: [.word(false)], negated: false))
            case "W": return .set(CharSet(items: [.word(true)], negated: false))
            case "s": return .set(CharSet(items: [.space(false)], negated: false))
            case "S": return .set(CharSet(items: [.space(true)], negated: false))
            case "b": return .wordBoundary(true)
            case "B": return .wordBoundary(false)
            case "1"..."9": throw fail("backreferences are not supported (they need backtracking)")
            default:
                i -= 1
                return .char(try characterEscape(inClass: false))
            }
        }

        /// A single-character escape after `\` (the scalar at `i`), consuming it.
        mutating func characterEscape(inClass: Bool) throws(CompileError) -> Unicode.Scalar {
            let c = s[i]
            i += 1
            func hex(_ count: Int) -> Unicode.Scalar? {
                guard i + count <= s.count else { return nil }
                var v: UInt32 = 0
                for k in 0..<count {
                    guard let d = Int(String(s[i + k]), radix: 16) else { return nil }
                    v = v * 16 + UInt32(d)
                }
                i += count
                return Unicode.Scalar(v)
            }
            switch c {
            case "n": return "\n"
            case "r": return "\r"
            case "t": return "\t"
            case "v": return "\u{0B}"
            case "f": return "\u{0C}"
            case "0": return "\u{0}"
            case "b" where inClass: return "\u{08}"
            case "x": return hex(2) ?? "x"
            case "u": return hex(4) ?? "u"
            default: return c  // identity escape (\. \/ \- \\ …)
            }
        }

        mutating func parseClass() throws(CompileError) -> CharSet {
            var set = CharSet(items: [], negated: false)
            if i < s.count, s[i] == "^" {
                set.negated = true
                i += 1
            }
            while true {
                guard i < s.count else { throw fail("unterminated character class") }
                if s[i] == "]" {
                    i += 1
                    return set
                }
                let lo: Unicode.Scalar
                if s[i] == "\\" {
                    i += 1
                    guard i < s.count else { throw fail("\\ at end of pattern") }
                    switch s[i] {
                    case "d", "D", "w", "W", "s", "S":
                        let k = s[i]
                        i += 1
                        let neg = k == "D" || k == "W" || k == "S"
                        set.items.append(k == "d" || k == "D" ? .digit(neg) : k == "w" || k == "W" ? .word(neg) : .space(neg))
                        continue
                    default: lo = try characterEscape(inClass: true)
                    }
                } else {
                    lo = s[i]
                    i += 1
                }
                // A range `lo-hi` (a `-` before `]` is literal).
                if i + 1 < s.count, s[i] == "-", s[i + 1] != "]" {
                    i += 1
                    let hi: Unicode.Scalar
                    if s[i] == "\\" {
                        i += 1
                        guard i < s.count else { throw fail("\\ at end of pattern") }
                        if "dDwWsS".unicodeScalars.contains(s[i]) { throw fail("invalid character class range") }
                        hi = try characterEscape(inClass: true)
                    } else {
                        hi = s[i]
                        i += 1
                    }
                    guard lo.value <= hi.value else { throw fail("range out of order in character class") }
                    set.items.append(.range(lo.value, hi.value))
                } else {
                    set.items.append(.range(lo.value, lo.value))
                }
            }
        }
    }

    // MARK: compiler

    private struct Compiler {
        let caseInsensitive: Bool
        var program: [Instruction] = []
        var sets: [CharSet] = []

        init(caseInsensitive: Bool) { self.caseInsensitive = caseInsensitive }

        mutating func append(_ inst: Instruction) throws(CompileError) {
            guard program.count < BoundedRegex.maxInstructions else {
                throw CompileError(message: "pattern too large (over \(BoundedRegex.maxInstructions) states after expanding counted repetitions)")
            }
            program.append(inst)
        }

        mutating func emit(_ node: Node) throws(CompileError) {
            switch node {
            case .empty: break
            case .char(let c): try append(.char(c))
            case .any: try append(.any)
            case .set(let cs):
                sets.append(cs)
                try append(.set(sets.count - 1))
            case .start: try append(.assertStart)
            case .end: try append(.assertEnd)
            case .wordBoundary(let b): try append(.wordBoundary(b))
            case .concat(let items): for n in items { try emit(n) }
            case .alternation(let branches):
                // split L1, next; L1: branch0; jump end; next: split L2, … ; last branch
                var jumps: [Int] = []
                for (k, b) in branches.enumerated() {
                    if k < branches.count - 1 {
                        let split = program.count
                        try append(.split(split + 1, 0))
                        try emit(b)
                        jumps.append(program.count)
                        try append(.jump(0))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        try emit(b)
                    }
                }
                for j in jumps { program[j] = .jump(program.count) }
            case .repetition(let body, let lo, let hi):
                for _ in 0..<lo { try emit(body) }
                if let hi {
                    // (hi − lo) optional copies: split body, end.
                    var splits: [Int] = []
                    for _ in lo..<max(hi, lo) {
                        splits.append(program.count)
                        try append(.split(0, 0))
                        try emit(body)
                    }
                    for s in splits { program[s] = .split(s + 1, program.count) }
                } else {
                    let loop = program.count
                    try append(.split(0, 0))
                    try emit(body)
                    try append(.jump(loop))
                    program[loop] = .split(loop + 1, program.count)
                }
            }
        }
    }
}
