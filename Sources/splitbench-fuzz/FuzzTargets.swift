import Assignment
import Foundation
import Scenarios
import Simulation

/// The inputs SplitBench reads from users, as fuzz targets: each takes arbitrary bytes and must
/// return (accepting them or throwing its error) without crashing, hanging or growing memory
/// without bound. `scripts/fuzz TARGET SECONDS` runs one under libFuzzer; the plain build
/// replays files (`splitbench-fuzz TARGET FILE…`), which is how committed crash inputs stay
/// regression cases.
enum FuzzTargets {
    static let names = ["scenario", "ruleset", "csv"]

    /// Runs `target` on `data`. Errors are the expected outcome for most inputs.
    static func run(_ target: String, _ data: Data) {
        switch target {
        case "scenario": scenario(data)
        case "ruleset": ruleset(data)
        case "csv": csv(data)
        default: break
        }
    }

    /// The scenario reader as `splitbench validate` uses it: parse, then plan every cell.
    static func scenario(_ data: Data) {
        guard let s = try? Scenario.parse(String(decoding: data, as: UTF8.self), file: "fuzz.yaml") else { return }
        for cell in s.cellInputs().prefix(8) {
            _ = try? CellPlan(study: cell.study, scenarioID: s.id, cellIndex: cell.index, factors: cell.factors)
        }
    }

    /// The ruleset loader, then an evaluation of a few units (targeting, regexes, bucketing).
    static func ruleset(_ data: Data) {
        guard let r = try? Ruleset(json: data) else { return }
        let evaluator = Evaluator(ruleset: r, options: .init(ignoreStatusAndTime: true))
        let at = Date(timeIntervalSince1970: 1_780_000_000)
        for i in 0..<4 {
            let attributes: Attributes = ["user_id": .string("u\(i)"), "id": .number(Double(i)), "country": "SG",
                                          "version": .string("1.2.\(i)"), "premium": .bool(i % 2 == 0)]
            _ = evaluator.evaluate(attributes, at: at)
        }
    }

    /// The RFC 4180 reader `splitbench analyze` uses.
    static func csv(_ data: Data) {
        _ = try? CSVReader.parse(String(decoding: data, as: UTF8.self), file: "fuzz.csv")
    }
}

#if FUZZING
/// libFuzzer's driver (compiler-rt, `-sanitize=fuzzer`): parses libFuzzer's own options from
/// argv and calls the callback once per input.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// libFuzzer's per-input callback, for links where libFuzzer's own `main` is used (SwiftPM's
/// debug configuration).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let target = ProcessInfo.processInfo.environment["SPLITBENCH_FUZZ_TARGET"] ?? "scenario"
    FuzzTargets.run(target, bytes.map { Data(bytes: $0, count: size) } ?? Data())
    return 0
}

/// The executable's entry point under SwiftPM, which links `main` to `<target>_main`: hands
/// control to libFuzzer with the target chosen by `SPLITBENCH_FUZZ_TARGET`.
@_cdecl("splitbench_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector) { bytes, size in fuzzOneInput(bytes, size) }
}
#else
/// Replays inputs: `splitbench-fuzz TARGET FILE…` runs each file through the target and
/// prints one line per file (a crash would end the process with a signal).
@main
struct FuzzReplay {
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        guard let target = args.first, FuzzTargets.names.contains(target), args.count > 1 else {
            FileHandle.standardError.write(Data("usage: splitbench-fuzz \(FuzzTargets.names.joined(separator: "|")) FILE…\n".utf8))
            exit(2)
        }
        for path in args.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("error: cannot read \(path)\n".utf8))
                exit(3)
            }
            FuzzTargets.run(target, data)
            print("ok: \(target) \(path) (\(data.count) bytes)")
        }
    }
}
#endif
