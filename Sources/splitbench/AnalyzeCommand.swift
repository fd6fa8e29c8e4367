import Analysis
import ArgumentParser
import Foundation
import Scenarios

/// `splitbench analyze`: a fixed-horizon analysis of one experiment from a CSV file, with the
/// report shaped like seed 001's "Analyse and Decide" section.
struct Analyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Analyse an experiment from a CSV of units or per-variant summaries, and decide.",
        discussion: """
        Unit-level CSV: a header with `unit`, `variant` and one column per metric (0/1 columns are \
        analysed as proportions with the two-proportion z test, others as means with Welch's t test). \
        Summary CSV: columns `variant`, `metric`, `n` and either `successes` (a proportion) or `sum` and \
        `sum_of_squares` (a mean), one row per variant and metric.
        The control is --control, else the variant named `control`, else the first variant in the file.
        Exit codes: 0 analysed, 1 the SRM check failed (the decision is `invalid`), 2 bad input.
        """
    )

    @Option(name: .long, help: "The CSV file (unit-level rows or per-variant summary rows).")
    var data: String

    @Option(name: .long, help: "The primary metric (a column of the unit-level file, or a `metric` value of the summary file).")
    var primary: String

    @Option(name: .long, help: "A guardrail metric; repeat for several.")
    var guardrail: [String] = []

    @Option(name: .customLong("pre-period"),
            help: "CUPED covariate: METRIC=COLUMN, or COLUMN alone for the primary metric; repeatable (unit-level data only).")
    var prePeriod: [String] = []

    @Option(name: .long, help: "The control variant (default: `control` if present, else the first variant in the file).")
    var control: String?

    @Option(name: .long, help: "Significance level α in (0, 1).")
    var alpha: Double = 0.05

    @Option(name: .long, help: "Multiple-testing correction: bonferroni, holm, hochberg, bh, by or none.")
    var correction: String = "holm"

    @Option(name: .long, help: "The correction family: `primary` (primary metric × treatments) or `all` (guardrails too).")
    var family: String = "primary"

    @Option(name: .long, help: "Design weights, `control=1,treatment=1` or `1,1` in file order (default: equal).")
    var weights: String?

    @Option(name: .customLong("srm-threshold"), help: "Flag a sample ratio mismatch when the χ² p-value is below this.")
    var srmThreshold: Double = 0.001

    @Option(name: .customLong("lower-is-better"), help: "A metric for which a decrease is good (latency, errors); repeatable.")
    var lowerIsBetter: [String] = []

    @Option(name: .long, help: "Non-inferiority margin for a guardrail, METRIC=VALUE (absolute units) or METRIC=VALUE% (relative); repeatable.")
    var margin: [String] = []

    @Option(name: .long,
            help: "Winsorise a mean metric at quantiles of the pooled unit values: METRIC=UPPER or METRIC=LOWER:UPPER (e.g. revenue=0.99); repeatable (unit-level data only).")
    var winsorize: [String] = []

    @Option(name: .customLong("metric-kind"),
            help: "How a unit-level metric is analysed: METRIC=proportion (values must be 0 or 1) or METRIC=mean; repeatable. Without it the kind is inferred from the values and a note says which.")
    var metricKind: [String] = []

    @Option(name: .long, help: "Output format: text or json.")
    var format: String = "text"

    @Option(name: .long, help: "Experiment name for the report (default: the file name).")
    var experiment: String?

    func run() async throws {
        do {
            let report = try makeReport()
            if format == "json" {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.keyEncodingStrategy = .convertToSnakeCase
                encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(AnalyzeText.render(report), terminator: "")
            }
            if report.srm.flagged { throw ExitCode(1) }
        } catch let e as AnalyzeInputError {
            FileHandle.standardError.write(Data("splitbench analyze: \(e.message)\n".utf8))
            throw ExitCode(2)
        } catch let e as CSVError {
            FileHandle.standardError.write(Data("splitbench analyze: \(e.description)\n".utf8))
            throw ExitCode(2)
        } catch let e as AnalysisError {
            FileHandle.standardError.write(Data("splitbench analyze: \(e.description)\n".utf8))
            throw ExitCode(2)
        }
    }

    // MARK: - Building the report

    func makeReport() throws -> AnalyzeReport {
        guard alpha > 0, alpha < 1 else { throw AnalyzeInputError("--alpha must be in (0, 1), got \(alpha)") }
        guard srmThreshold > 0, srmThreshold < 1 else {
            throw AnalyzeInputError("--srm-threshold must be in (0, 1), got \(srmThreshold)")
        }
        guard format == "text" || format == "json" else { throw AnalyzeInputError("--format must be text or json, got '\(format)'") }
        guard let method = CorrectionMethod(rawValue: correction) else {
            throw AnalyzeInputError("--correction must be one of \(CorrectionMethod.allCases.map(\.rawValue).joined(separator: ", ")), got '\(correction)'")
        }
        guard family == "primary" || family == "all" else { throw AnalyzeInputError("--family must be primary or all, got '\(family)'") }
        let metricNames = [primary] + guardrail
        if Set(metricNames).count != metricNames.count {
            throw AnalyzeInputError("a metric is named twice among --primary and --guardrail")
        }
        let covariates = try parseCovariates()
        let winsorization = try parseWinsorization()
        let margins = try parseMargins()
        let kinds = try parseMetricKinds(metrics: metricNames)

        let bytes: Data
        do { bytes = try Data(contentsOf: URL(fileURLWithPath: data)) } catch {
            throw AnalyzeInputError("cannot read \(data): \(error.localizedDescription)")
        }
        let file = (data as NSString).lastPathComponent
        let text = try Self.decodeUTF8(bytes, file: file)
        let table = try CSVReader.parse(text, file: file)
        let dataset = try ExperimentData.load(header: table.header, rows: table.rows, file: file,
                                              metrics: metricNames, covariates: covariates, winsorization: winsorization, kinds: kinds)
        for note in dataset.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }

        guard !dataset.variants.isEmpty else { throw AnalyzeInputError("\(file) has no data rows") }
        let controlName = control ?? (dataset.variants.contains("control") ? "control" : dataset.variants[0])
        guard dataset.variants.contains(controlName) else {
            throw AnalyzeInputError("control variant '\(controlName)' not found; variants are \(dataset.variants.joined(separator: ", "))")
        }
        guard dataset.variants.count >= 2 else {
            throw AnalyzeInputError("\(file) has one variant (\(controlName)); need a control and at least one treatment")
        }
        let treatments = dataset.variants.filter { $0 != controlName }
        let arms = [controlName] + treatments

        // SRM on units per arm.
        let designWeights = try parseWeights(arms: arms, fileOrder: dataset.variants)
        let counts = arms.map { dataset.units[$0] ?? 0 }
        let srm = try SampleRatioMismatch.test(observed: counts, weights: designWeights, threshold: srmThreshold)

        // Comparisons.
        var metrics: [MetricReport] = []
        for name in metricNames {
            let role = name == primary ? "primary" : "guardrail"
            let direction: MetricDirection = lowerIsBetter.contains(name) ? .decrease : .increase
            var comparisons: [VariantComparison] = []
            for t in treatments {
                comparisons.append(try dataset.compare(metric: name, control: controlName, treatment: t, alpha: alpha))
            }
            metrics.append(MetricReport(name: name, role: role, kind: dataset.kinds[name] ?? .mean,
                                        direction: direction, covariate: covariates[name], margin: margins[name],
                                        winsorization: dataset.caps[name], comparisons: comparisons))
        }

        // Correction over the chosen family: (metric, treatment) pairs with an analysable p-value.
        var family: [(Int, Int)] = []
        for (m, metric) in metrics.enumerated() where metric.role == "primary" || self.family == "all" {
            for (v, c) in metric.comparisons.enumerated() where c.absolute.pValue != nil { family.append((m, v)) }
        }
        if !family.isEmpty {
            let ps = family.compactMap { metrics[$0.0].comparisons[$0.1].absolute.pValue }
            let adjusted = try MultipleTesting.adjust(ps, method: method, alpha: alpha)
            for (k, (m, v)) in family.enumerated() { metrics[m].comparisons[v].adjustedPValue = adjusted.adjusted[k] }
            // Intervals consistent with the correction: Bonferroni's simultaneous 1 − α/m level
            // (for Holm, Hochberg, BH and BY a conservative companion: those procedures adjust
            // p-values only; the report says which interval is which).
            if method != .none, family.count > 1 {
                for (m, v) in family {
                    let c = metrics[m].comparisons[v]
                    let r = try dataset.compare(metric: metrics[m].name, control: controlName, treatment: c.variant, alpha: alpha / Double(family.count))
                    metrics[m].comparisons[v].adjustedInterval = r.absolute.status == .ok
                        ? AdjustedInterval(level: 1 - alpha / Double(family.count), lower: r.absolute.lower, upper: r.absolute.upper) : nil
                }
            }
        }

        // Decisions, one per treatment.
        var decisions: [VariantDecision] = []
        for (v, t) in treatments.enumerated() {
            let p = metrics[0]
            var guards: [Guardrail] = []
            for g in metrics.dropFirst() {
                let c = g.comparisons[v]
                let result = g.margin?.relative == true ? c.relative : c.absolute
                guards.append(try Guardrail(name: g.name, result: result, direction: g.direction,
                                            margin: g.margin?.value, adjustedPValue: c.adjustedPValue))
            }
            let d = Decision.make(primary: p.comparisons[v].absolute, primaryDirection: p.direction,
                                  primaryPValue: p.comparisons[v].adjustedPValue, guardrails: guards, srm: srm)
            decisions.append(VariantDecision(variant: t, outcome: d.outcome, reasons: d.reasons))
        }

        return AnalyzeReport(experiment: experiment ?? file, data: data, layout: dataset.layout, control: controlName,
                             arms: zip(arms, counts).map { ArmCount(variant: $0.0, units: $0.1) },
                             alpha: alpha, srm: srm,
                             correction: CorrectionSummary(method: method, family: self.family, size: family.count),
                             metrics: metrics, decisions: decisions)
    }

    func parseCovariates() throws -> [String: String] {
        var out: [String: String] = [:]
        for spec in prePeriod {
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            let (metric, column) = parts.count == 2 ? (parts[0], parts[1]) : (primary, spec)
            guard !metric.isEmpty, !column.isEmpty else { throw AnalyzeInputError("--pre-period '\(spec)': expected METRIC=COLUMN or COLUMN") }
            guard metric == primary || guardrail.contains(metric) else {
                throw AnalyzeInputError("--pre-period '\(spec)': '\(metric)' is not the primary metric or a guardrail")
            }
            out[metric] = column
        }
        return out
    }

    func parseWinsorization() throws -> [String: (lower: Double, upper: Double)] {
        var out: [String: (lower: Double, upper: Double)] = [:]
        for spec in winsorize {
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            let bounds = parts.count == 2 ? parts[1].split(separator: ":").map { Double($0) } : []
            guard parts.count == 2, parts[0] == primary || guardrail.contains(parts[0]),
                  bounds.count == 1 || bounds.count == 2, let upper = bounds.last ?? nil,
                  let lower = bounds.count == 2 ? bounds[0] : 0, lower >= 0, lower <= upper, upper <= 1 else {
                throw AnalyzeInputError("--winsorize '\(spec)': expected METRIC=UPPER or METRIC=LOWER:UPPER with 0 ≤ LOWER ≤ UPPER ≤ 1, for the primary metric or a guardrail")
            }
            out[parts[0]] = (lower, upper)
        }
        return out
    }

    /// The text of `bytes` as UTF-8; invalid UTF-8 is an error naming the line and column of the
    /// first bad byte sequence.
    static func decodeUTF8(_ bytes: Data, file: String) throws -> String {
        if let text = String(data: bytes, encoding: .utf8) { return text }
        let lossy = String(decoding: bytes, as: UTF8.self)
        var line = 1, character = 1, field = 1, quoted = false
        for ch in lossy.unicodeScalars {
            if ch == "\u{FFFD}" { break }
            if ch == "\"" { quoted.toggle() }
            if ch == "\n" {
                line += 1; character = 1
                if !quoted { field = 1 }
            } else if ch != "\r" {
                character += 1
                if ch == ",", !quoted { field += 1 }
            }
        }
        throw CSVError(file: file, line: line, column: field, message: "not valid UTF-8 (at character \(character) of the line)")
    }

    /// `--metric-kind METRIC=proportion|mean`, for metrics that are analysed.
    func parseMetricKinds(metrics: [String]) throws -> [String: MetricKind] {
        var out: [String: MetricKind] = [:]
        for item in metricKind {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let kind = MetricKind(rawValue: parts[1]) else {
                throw AnalyzeInputError("--metric-kind expects METRIC=proportion or METRIC=mean, got '\(item)'")
            }
            guard metrics.contains(parts[0]) else {
                throw AnalyzeInputError("--metric-kind names '\(parts[0])', which is not --primary or a --guardrail")
            }
            out[parts[0]] = kind
        }
        return out
    }

    func parseMargins() throws -> [String: Margin] {
        var out: [String: Margin] = [:]
        for spec in margin {
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, guardrail.contains(parts[0]) else {
                throw AnalyzeInputError("--margin '\(spec)': expected GUARDRAIL=VALUE or GUARDRAIL=VALUE% for a --guardrail metric")
            }
            let relative = parts[1].hasSuffix("%")
            let number = relative ? String(parts[1].dropLast()) : parts[1]
            guard let v = Double(number), v.isFinite, v >= 0 else {
                throw AnalyzeInputError("--margin '\(spec)': the margin must be a number ≥ 0")
            }
            out[parts[0]] = Margin(value: relative ? v / 100 : v, relative: relative)
        }
        return out
    }

    func parseWeights(arms: [String], fileOrder: [String]) throws -> [Double] {
        guard let weights else { return arms.map { _ in 1 } }
        let items = weights.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var byName: [String: Double] = [:]
        for (k, item) in items.enumerated() {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            let name = parts.count == 2 ? parts[0] : (k < fileOrder.count ? fileOrder[k] : "")
            guard let w = Double(parts.last ?? ""), w.isFinite, w > 0 else {
                throw AnalyzeInputError("--weights '\(weights)': '\(item)' is not a positive weight")
            }
            byName[name] = w
        }
        guard Set(byName.keys) == Set(arms) else {
            throw AnalyzeInputError("--weights '\(weights)' must give one weight per variant (\(fileOrder.joined(separator: ", ")))")
        }
        return arms.compactMap { byName[$0] }
    }
}

/// A bad command-line value or input file; printed to stderr, exit status 2.
struct AnalyzeInputError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

struct Margin: Codable {
    let value: Double
    let relative: Bool
}

enum MetricKind: String, Codable {
    case proportion
    case mean
}

// MARK: - Data

/// The per-variant statistics of the requested metrics, from either CSV layout.
struct ExperimentData {
    var layout: String
    var variants: [String] = []
    var units: [String: Int] = [:]
    var kinds: [String: MetricKind] = [:]
    var proportions: [String: [String: ProportionStatistic]] = [:]
    var means: [String: [String: MeanStatistic]] = [:]
    var covariates: [String: [String: CovariateStatistic]] = [:]
    /// Winsorisation caps applied per metric.
    var caps: [String: WinsorCaps] = [:]
    /// What the loader inferred (a metric's kind), printed to standard error.
    var notes: [String] = []

    static func load(header: [String], rows: [CSVRecord], file: String, metrics: [String],
                     covariates: [String: String], winsorization: [String: (lower: Double, upper: Double)],
                     kinds: [String: MetricKind] = [:]) throws -> ExperimentData {
        // A `metric` column without a `unit` column is the summary layout (whose other required
        // columns are then named when missing).
        if header.contains("metric") && (header.contains("n") || !header.contains("unit")) {
            guard covariates.isEmpty else {
                throw AnalyzeInputError("--pre-period needs unit-level data; \(file) holds per-variant summaries")
            }
            guard winsorization.isEmpty else {
                throw AnalyzeInputError("--winsorize needs unit-level data; \(file) holds per-variant summaries")
            }
            return try loadSummary(header: header, rows: rows, file: file, metrics: metrics)
        }
        return try loadUnits(header: header, rows: rows, file: file, metrics: metrics, covariates: covariates,
                             winsorization: winsorization, kinds: kinds)
    }

    static func column(_ name: String, in header: [String], file: String) throws -> Int {
        guard let i = header.firstIndex(of: name) else {
            throw AnalyzeInputError("\(file): no column '\(name)' in the header (columns: \(header.joined(separator: ", ")))")
        }
        return i
    }

    static func number(_ r: CSVRecord, _ col: Int, _ header: [String], file: String) throws -> Double {
        let s = r.fields[col].trimmingCharacters(in: .whitespaces)
        guard let v = Double(s), v.isFinite else {
            throw CSVError(file: file, line: r.line, column: col + 1,
                           message: "\(header[col]): expected a finite number, got '\(r.fields[col])'")
        }
        return v
    }

    static func count(_ r: CSVRecord, _ col: Int, _ header: [String], file: String) throws -> Int {
        let s = r.fields[col].trimmingCharacters(in: .whitespaces)
        guard let v = Int(s), v >= 0 else {
            throw CSVError(file: file, line: r.line, column: col + 1,
                           message: "\(header[col]): expected a whole number ≥ 0, got '\(r.fields[col])'")
        }
        return v
    }

    static func loadUnits(header: [String], rows: [CSVRecord], file: String, metrics: [String],
                          covariates: [String: String], winsorization: [String: (lower: Double, upper: Double)],
                          kinds: [String: MetricKind] = [:]) throws -> ExperimentData {
        let unitCol = try column("unit", in: header, file: file)
        let variantCol = try column("variant", in: header, file: file)
        let metricCols = try metrics.map { try column($0, in: header, file: file) }
        let covCols = try covariates.mapValues { try column($0, in: header, file: file) }
        var d = ExperimentData(layout: "unit-level")
        var seen: [String: Int] = [:]
        var values: [String: [String: [Double]]] = [:]
        var pre: [String: [String: [Double]]] = [:]
        // The first value other than 0 or 1 of each metric (its line), for the kind note or error.
        var firstNonBinary: [String: (line: Int, value: String)] = [:]
        for r in rows {
            let unit = r.fields[unitCol].trimmingCharacters(in: .whitespaces)
            let variant = r.fields[variantCol].trimmingCharacters(in: .whitespaces)
            guard !unit.isEmpty else { throw CSVError(file: file, line: r.line, column: unitCol + 1, message: "unit: empty unit id") }
            guard !variant.isEmpty else { throw CSVError(file: file, line: r.line, column: variantCol + 1, message: "variant: empty variant name") }
            if let first = seen[unit] {
                throw CSVError(file: file, line: r.line, column: unitCol + 1,
                               message: "unit '\(unit)' appears twice (first on line \(first)); unit-level data needs one row per unit")
            }
            seen[unit] = r.line
            if d.units[variant] == nil { d.variants.append(variant) }
            d.units[variant, default: 0] += 1
            for (m, col) in zip(metrics, metricCols) {
                let y = try number(r, col, header, file: file)
                if y != 0 && y != 1 && firstNonBinary[m] == nil {
                    if kinds[m] == .proportion {
                        throw CSVError(file: file, line: r.line, column: col + 1,
                                       message: "\(m): --metric-kind \(m)=proportion needs 0 or 1, got '\(r.fields[col].trimmingCharacters(in: .whitespaces))'")
                    }
                    firstNonBinary[m] = (r.line, r.fields[col].trimmingCharacters(in: .whitespaces))
                }
                values[m, default: [:]][variant, default: []].append(y)
            }
            for (m, col) in covCols {
                pre[m, default: [:]][variant, default: []].append(try number(r, col, header, file: file))
            }
        }
        for m in metrics {
            var perVariant = values[m] ?? [:]
            if let w = winsorization[m] {
                // Caps from the pooled data of every arm (Winsorization.quantileCaps), then clipped.
                let pooled = d.variants.flatMap { perVariant[$0] ?? [] }
                let caps = try Winsorization.quantileCaps(pooled: pooled, lower: w.lower, upper: w.upper)
                for (v, ys) in perVariant { perVariant[v] = try Winsorization.winsorize(ys, lower: caps.lower, upper: caps.upper) }
                d.caps[m] = WinsorCaps(lowerQuantile: w.lower, upperQuantile: w.upper, lower: caps.lower, upper: caps.upper,
                                       unitsCapped: pooled.filter { $0 < caps.lower || $0 > caps.upper }.count)
            }
            let inferred = winsorization[m] == nil && firstNonBinary[m] == nil
            let binary = kinds[m].map { $0 == .proportion } ?? inferred
            if kinds[m] == nil {
                if inferred {
                    d.notes.append("metric '\(m)' is analysed as a proportion (two-proportion z test): every value is 0 or 1; pass --metric-kind \(m)=mean to compare means")
                } else if let x = firstNonBinary[m], winsorization[m] == nil {
                    d.notes.append("metric '\(m)' is analysed as a mean (Welch's t test): line \(x.line) has the value \(x.value), not 0 or 1; pass --metric-kind \(m)=proportion to require 0/1 data")
                }
            }
            if let x = pre[m] {
                d.kinds[m] = binary ? .proportion : .mean
                for (v, ys) in perVariant { d.covariates[m, default: [:]][v] = try CovariateStatistic(values: ys, preValues: x[v] ?? []) }
            } else if binary {
                d.kinds[m] = .proportion
                for (v, ys) in perVariant { d.proportions[m, default: [:]][v] = ProportionStatistic(n: ys.count, successes: ys.filter { $0 == 1 }.count) }
            } else {
                d.kinds[m] = .mean
                for (v, ys) in perVariant { d.means[m, default: [:]][v] = MeanStatistic(values: ys) }
            }
        }
        return d
    }

    static func loadSummary(header: [String], rows: [CSVRecord], file: String, metrics: [String]) throws -> ExperimentData {
        let variantCol = try column("variant", in: header, file: file)
        let metricCol = try column("metric", in: header, file: file)
        let nCol = try column("n", in: header, file: file)
        let successCol = header.firstIndex(of: "successes")
        let sumCol = header.firstIndex(of: "sum"), sqCol = header.firstIndex(of: "sum_of_squares")
        guard successCol != nil || (sumCol != nil && sqCol != nil) else {
            throw AnalyzeInputError("\(file): a summary file needs a `successes` column or `sum` and `sum_of_squares` columns")
        }
        var d = ExperimentData(layout: "summary")
        var seen: [String: Int] = [:]
        for r in rows {
            let variant = r.fields[variantCol].trimmingCharacters(in: .whitespaces)
            let metric = r.fields[metricCol].trimmingCharacters(in: .whitespaces)
            guard !variant.isEmpty else { throw CSVError(file: file, line: r.line, column: variantCol + 1, message: "variant: empty variant name") }
            if let first = seen["\(variant)\u{0}\(metric)"] {
                throw CSVError(file: file, line: r.line, column: metricCol + 1,
                               message: "variant '\(variant)', metric '\(metric)' appears twice (first on line \(first))")
            }
            seen["\(variant)\u{0}\(metric)"] = r.line
            if !d.variants.contains(variant) { d.variants.append(variant) }
            guard metrics.contains(metric) else { continue }
            let n = try count(r, nCol, header, file: file)
            if let sc = successCol, !r.fields[sc].trimmingCharacters(in: .whitespaces).isEmpty {
                let x = try count(r, sc, header, file: file)
                guard x <= n else {
                    throw CSVError(file: file, line: r.line, column: sc + 1, message: "successes: \(x) is more than n = \(n)")
                }
                if d.kinds[metric] == .mean { throw CSVError(file: file, line: r.line, column: sc + 1, message: "metric '\(metric)' mixes successes and sums") }
                d.kinds[metric] = .proportion
                d.proportions[metric, default: [:]][variant] = ProportionStatistic(n: n, successes: x)
            } else if let s = sumCol, let q = sqCol {
                let sum = try number(r, s, header, file: file), sq = try number(r, q, header, file: file)
                // Σy² ≥ (Σy)²/n for any data (the sample variance is ≥ 0); allow rounding.
                if n > 0, sq < sum * sum / Double(n) - 1e-9 * max(1, abs(sq)) {
                    throw CSVError(file: file, line: r.line, column: q + 1,
                                   message: "sum_of_squares: \(sq) is less than sum²/n = \(sum * sum / Double(n)), which no data can give (check the columns)")
                }
                if n == 0, sum != 0 || sq != 0 {
                    throw CSVError(file: file, line: r.line, column: s + 1, message: "sum: n = 0 but the sums are not 0")
                }
                if d.kinds[metric] == .proportion { throw CSVError(file: file, line: r.line, column: s + 1, message: "metric '\(metric)' mixes successes and sums") }
                d.kinds[metric] = .mean
                d.means[metric, default: [:]][variant] = MeanStatistic(n: n, sum: sum, sumOfSquares: sq)
            } else {
                throw CSVError(file: file, line: r.line, column: (successCol ?? nCol) + 1, message: "successes: empty, and no sum columns")
            }
            if metric == metrics[0] { d.units[variant] = n }
        }
        for m in metrics where d.kinds[m] == nil {
            throw AnalyzeInputError("\(file): no rows for metric '\(m)' (metrics in the file: \(Set(rows.map { $0.fields[metricCol] }).sorted().joined(separator: ", ")))")
        }
        for v in d.variants {
            for m in metrics where d.proportions[m]?[v] == nil && d.means[m]?[v] == nil {
                throw AnalyzeInputError("\(file): no row for variant '\(v)', metric '\(m)'")
            }
        }
        return d
    }

    /// Compares one metric between two variants on the absolute and relative scales, through
    /// the Analysis module's experiment-analysis entry point (the one the harness calls).
    func compare(metric: String, control c: String, treatment t: String, alpha: Double) throws -> VariantComparison {
        func both(_ sc: MomentStatistic, _ st: MomentStatistic, _ test: MetricTest) throws -> (MetricComparison, MetricComparison) {
            (try ExperimentAnalysis.compare(control: sc, treatment: st, method: test, scale: .absolute, alpha: alpha, alternative: .twoSided),
             try ExperimentAnalysis.compare(control: sc, treatment: st, method: test, scale: .relative, alpha: alpha, alternative: .twoSided))
        }
        if let s = covariates[metric], let sc = s[c], let st = s[t] {
            let (abs, rel) = try both(MomentStatistic(sc), MomentStatistic(st), .cuped)
            return VariantComparison(variant: t, absolute: abs.result, relative: rel.result,
                                     cuped: CupedSummary(covariate: "", theta: abs.theta, correlation: abs.correlation,
                                                         varianceReduction: abs.varianceReduction))
        }
        if let s = proportions[metric], let sc = s[c], let st = s[t] {
            let (abs, rel) = try both(MomentStatistic(sc), MomentStatistic(st), .zTest)
            return VariantComparison(variant: t, absolute: abs.result, relative: rel.result)
        }
        let sc = means[metric]?[c] ?? .zero, st = means[metric]?[t] ?? .zero
        let (abs, rel) = try both(MomentStatistic(sc), MomentStatistic(st), .welchT)
        return VariantComparison(variant: t, absolute: abs.result, relative: rel.result)
    }
}

// MARK: - Report model (the JSON output)

struct ArmCount: Codable {
    let variant: String
    let units: Int
}

struct WinsorCaps: Codable {
    let lowerQuantile: Double
    let upperQuantile: Double
    let lower: Double
    let upper: Double
    let unitsCapped: Int
}

struct CupedSummary: Codable {
    var covariate: String
    let theta: Double?
    let correlation: Double?
    let varianceReduction: Double?
}

struct VariantComparison: Codable {
    let variant: String
    let absolute: FixedHorizonResult
    let relative: FixedHorizonResult
    var cuped: CupedSummary?
    var adjustedPValue: Double?
    /// With a correction over m > 1 tests: the Bonferroni simultaneous interval at 1 − α/m.
    var adjustedInterval: AdjustedInterval?
}

/// A confidence interval at a corrected level (Bonferroni: 1 − α/m).
struct AdjustedInterval: Codable {
    let level: Double
    let lower: Double?
    let upper: Double?
}

struct MetricReport: Codable {
    let name: String
    let role: String
    let kind: MetricKind
    let direction: MetricDirection
    let covariate: String?
    let margin: Margin?
    let winsorization: WinsorCaps?
    var comparisons: [VariantComparison]

    init(name: String, role: String, kind: MetricKind, direction: MetricDirection, covariate: String?, margin: Margin?,
         winsorization: WinsorCaps?, comparisons: [VariantComparison]) {
        self.winsorization = winsorization
        self.name = name
        self.role = role
        self.kind = kind
        self.direction = direction
        self.covariate = covariate
        self.margin = margin
        self.comparisons = comparisons.map { c in
            var c = c
            if let cov = covariate { c.cuped?.covariate = cov }
            return c
        }
    }
}

struct CorrectionSummary: Codable {
    let method: CorrectionMethod
    let family: String
    let size: Int
}

struct VariantDecision: Codable {
    let variant: String
    let outcome: DecisionOutcome
    let reasons: [String]
}

struct AnalyzeReport: Codable {
    let experiment: String
    let data: String
    let layout: String
    let control: String
    let arms: [ArmCount]
    let alpha: Double
    let srm: SRMResult
    let correction: CorrectionSummary
    let metrics: [MetricReport]
    let decisions: [VariantDecision]
}
