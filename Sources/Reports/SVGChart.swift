import Foundation
import Simulation

/// A small, dependency-free SVG line/point chart with error bars, for self-contained reports.
public struct SVGChart: Sendable {
    public struct Point: Sendable {
        public let x: Double
        public let y: Double
        /// Half-length of the error bar (e.g. 2·MCSE); 0 for none.
        public let error: Double
        public init(x: Double, y: Double, error: Double = 0) {
            self.x = x
            self.y = y
            self.error = error
        }
    }

    public struct Series: Sendable {
        public let name: String
        public let points: [Point]
        /// Drawn as a dashed line without markers (for reference curves).
        public let dashed: Bool
        /// The fixed colour and marker (an index into ``SVGChart/palette`` and the markers), so a
        /// policy keeps its look across charts; nil = the series' position.
        public var style: Int?
        /// A horizontal shift in pixels, so series that coincide stay visible side by side.
        public var offset: Double = 0
        /// Points only, no line joining them (for scatter plots whose points are not a sequence).
        public var pointsOnly = false
        /// A dashed series whose points are also drawn, as small open circles with a tooltip
        /// (a calculated curve, such as the planned power, that may have a single point).
        public var openPoints = false
        public init(name: String, points: [Point], dashed: Bool = false, style: Int? = nil) {
            self.name = name
            self.points = points
            self.dashed = dashed
            self.style = style
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Horizontal reference lines (value, label), e.g. the nominal α.
    public var referenceLines: [(Double, String)] = []
    public var logX = false
    /// Tick labels for a categorical x axis (x = 0, 1, 2, …).
    public var categories: [String]? = nil
    /// Draw bars instead of points (for histograms).
    public var bars = false
    public var width = 640.0
    public var height = 360.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    /// Shaded horizontal bands (low, high, label), e.g. a gate's tolerance band.
    public var bands: [(Double, Double, String)] = []
    /// What an error bar's half-length is, named in every tooltip.
    public var errorMeaning = "2 MCSE"
    /// Label each line at its last point (for lines that cross).
    public var directLabels = false

    /// Colour-blind-safe colours (Okabe & Ito 2008, with Tol's indigo and wine and two greys),
    /// each with contrast ≥ 3:1 against white (WCAG 2.1 relative luminance).
    public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#332288", "#996600", "#882255", "#555555", "#000000"]
    /// Marker shapes, cycled independently of the colours (9 × 6 → 18 distinct pairs in order).
    static let markers = ["circle", "square", "triangle", "diamond", "cross", "down"]

    /// Whether the chart has nothing to draw (then callers leave it out).
    public var isEmpty: Bool { series.allSatisfy { $0.points.isEmpty } }

    static func marker(_ kind: Int, _ x: Double, _ y: Double, _ color: String, _ tip: String) -> String {
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        let t = "<title>\(Escape.html(tip))</title>"
        switch markers[kind % markers.count] {
        case "square": return "<rect x=\"\(f(x - 3.5))\" y=\"\(f(y - 3.5))\" width=\"7\" height=\"7\" fill=\"\(color)\">\(t)</rect>\n"
        case "triangle": return "<polygon points=\"\(f(x)),\(f(y - 4.5)) \(f(x - 4)),\(f(y + 3)) \(f(x + 4)),\(f(y + 3))\" fill=\"\(color)\">\(t)</polygon>\n"
        case "diamond": return "<polygon points=\"\(f(x)),\(f(y - 4.5)) \(f(x + 4.5)),\(f(y)) \(f(x)),\(f(y + 4.5)) \(f(x - 4.5)),\(f(y))\" fill=\"\(color)\">\(t)</polygon>\n"
        case "cross": return "<path d=\"M\(f(x - 4)) \(f(y - 4))L\(f(x + 4)) \(f(y + 4))M\(f(x - 4)) \(f(y + 4))L\(f(x + 4)) \(f(y - 4))\" stroke=\"\(color)\" stroke-width=\"2.2\">\(t)</path>\n"
        case "down": return "<polygon points=\"\(f(x)),\(f(y + 4.5)) \(f(x - 4)),\(f(y - 3)) \(f(x + 4)),\(f(y - 3))\" fill=\"\(color)\">\(t)</polygon>\n"
        default: return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"3.5\" fill=\"\(color)\">\(t)</circle>\n"
        }
    }

    /// The chart as an `<svg>` element.
    public func render() -> String {
        let left = 64.0, right = 16.0, top = 32.0, bottom = 48.0
        let legendHeight = series.count > 1 ? 18.0 * Double((series.count + 1) / 2) : 0
        let plotW = width - left - right, plotH = height - top - bottom - legendHeight
        let all = series.flatMap(\.points)
        func tx(_ x: Double) -> Double { logX ? log10(max(x, 1e-300)) : x }
        var xs = all.map { tx($0.x) }
        if bars { xs += all.map { tx($0.x) + 1 } }
        var ys = all.flatMap { [$0.y - $0.error, $0.y + $0.error] } + referenceLines.map(\.0) + bands.flatMap { [$0.0, $0.1] }
        if bars { ys.append(0) }
        var xmin = xs.min() ?? 0, xmax = xs.max() ?? 1
        var ymin = ys.min() ?? 0, ymax = ys.max() ?? 1
        if xmax - xmin < 1e-12 { xmin -= 0.5; xmax += 0.5 }
        if ymax - ymin < 1e-12 { ymin -= 0.5; ymax += 0.5 }
        let padX = categories != nil || bars ? 0.5 : (xmax - xmin) * 0.05
        if !bars { xmin -= padX; xmax += padX }
        // Room on the right for labels drawn at each line's last point.
        if directLabels { xmax += (xmax - xmin) * 0.18 }
        let padY = (ymax - ymin) * 0.08
        ymin = bars ? min(ymin, 0) : ymin - padY
        ymax += padY
        func px(_ x: Double) -> Double { left + (tx(x) - xmin) / (xmax - xmin) * plotW }
        func py(_ y: Double) -> Double { top + (1 - (y - ymin) / (ymax - ymin)) * plotH }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" height=\"\(f(height))\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"\(Escape.html(title))\">\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(width / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">\(Escape.html(title))</text>\n"
        // Axes and ticks.
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(left + plotW))\" y2=\"\(f(top + plotH))\" stroke=\"#333\"/>\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotH))\" stroke=\"#333\"/>\n"
        for t in Self.ticks(ymin, ymax, 5) {
            s += "<line x1=\"\(f(left - 4))\" y1=\"\(f(py(t)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(t)))\" stroke=\"#eee\"/>\n"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(Num.sig(t, 3))</text>\n"
        }
        if let cats = categories {
            for (i, c) in cats.enumerated() {
                s += "<text x=\"\(f(px(Double(i))))\" y=\"\(f(top + plotH + 16))\" text-anchor=\"middle\">\(Escape.html(c))</text>\n"
            }
        } else {
            let distinct = Set(all.map(\.x))
            let tickValues = logX ? Self.logTicks(all.map(\.x)) : distinct.count == 1 ? Array(distinct) : Self.ticks(xmin, xmax, 6)
            var lastTick = -Double.infinity
            for t in tickValues.sorted() {
                // Skip a tick label that would overlap the previous one.
                guard px(t) - lastTick >= 22 else { continue }
                lastTick = px(t)
                s += "<text x=\"\(f(px(t)))\" y=\"\(f(top + plotH + 16))\" text-anchor=\"middle\">\(Num.sig(t, 3))</text>\n"
            }
        }
        s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(top + plotH + 34))\" text-anchor=\"middle\">\(Escape.html(xLabel))</text>\n"
        s += "<text transform=\"translate(14 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(Escape.html(yLabel))</text>\n"
        for (lo, hi, label) in bands {
            s += "<rect x=\"\(f(left))\" y=\"\(f(py(hi)))\" width=\"\(f(plotW))\" height=\"\(f(max(py(lo) - py(hi), 1)))\" fill=\"#c9d7ee\" fill-opacity=\"0.6\"><title>\(Escape.html(label))</title></rect>\n"
        }
        for (v, label) in referenceLines {
            s += "<line x1=\"\(f(left))\" y1=\"\(f(py(v)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(v)))\" stroke=\"#555\" stroke-dasharray=\"5 4\"/>\n"
            s += "<text x=\"\(f(left + plotW - 4))\" y=\"\(f(py(v) - 4))\" text-anchor=\"end\" fill=\"#555\">\(Escape.html(label))</text>\n"
        }
        for (k, serie) in series.enumerated() {
            let style = serie.style ?? k
            let color = Self.palette[style % Self.palette.count]
            let dx = serie.offset
            if bars {
                for p in serie.points {
                    let x0 = px(p.x), x1 = px(p.x + 1)
                    s += "<rect x=\"\(f(x0 + 1))\" y=\"\(f(py(p.y)))\" width=\"\(f(max(x1 - x0 - 2, 1)))\" height=\"\(f(max(py(0) - py(p.y), 0)))\" fill=\"\(color)\" fill-opacity=\"0.7\"><title>\(Escape.html(serie.name)): \(Num.sig(p.y))</title></rect>\n"
                }
                continue
            }
            if serie.points.count > 1 && !serie.pointsOnly {
                let path = serie.points.map { "\(f(px($0.x) + dx)),\(f(py($0.y)))" }.joined(separator: " ")
                let dash = serie.dashed ? " stroke-dasharray=\"6 3\"" : ""
                s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"\(dash)/>\n"
            }
            if serie.dashed {
                guard serie.openPoints else { continue }
                for p in serie.points {
                    let where_ = categories.flatMap { p.x >= 0 && Int(p.x) < $0.count ? $0[Int(p.x)] : nil } ?? Num.sig(p.x)
                    s += "<circle cx=\"\(f(px(p.x) + dx))\" cy=\"\(f(py(p.y)))\" r=\"3.5\" fill=\"white\" stroke=\"\(color)\" stroke-width=\"1.5\"><title>\(Escape.html(serie.name)), \(Escape.html(xLabel)) = \(Escape.html(where_)): \(Escape.html(yLabel)) \(Num.sig(p.y))</title></circle>\n"
                }
                continue
            }
            for p in serie.points {
                if p.error > 0 {
                    s += "<line x1=\"\(f(px(p.x) + dx))\" y1=\"\(f(py(p.y - p.error)))\" x2=\"\(f(px(p.x) + dx))\" y2=\"\(f(py(p.y + p.error)))\" stroke=\"\(color)\"/>\n"
                }
                let where_ = categories.flatMap { p.x >= 0 && Int(p.x) < $0.count ? $0[Int(p.x)] : nil } ?? Num.sig(p.x)
                let tip = "\(serie.name), \(xLabel) = \(where_): \(yLabel) \(Num.sig(p.y))" + (p.error > 0 ? " ± \(Num.sig(p.error, 2)) (± is \(errorMeaning))" : "")
                s += Self.marker(style, px(p.x) + dx, py(p.y), color, tip)
            }
            if directLabels, let last = serie.points.last {
                s += "<text x=\"\(f(px(last.x) + dx + 6))\" y=\"\(f(py(last.y) + 4))\" fill=\"\(color)\">\(Escape.html(serie.name))</text>\n"
            }
        }
        if series.count > 1 {
            for (k, serie) in series.enumerated() {
                let style = serie.style ?? k
                let col = Double(k % 2), row = Double(k / 2)
                let x = left + col * (plotW / 2), y = height - legendHeight + 4 + row * 18
                if serie.dashed {
                    s += "<line x1=\"\(f(x))\" y1=\"\(f(y + 5))\" x2=\"\(f(x + 12))\" y2=\"\(f(y + 5))\" stroke=\"\(Self.palette[style % Self.palette.count])\" stroke-dasharray=\"4 2\" stroke-width=\"1.5\"/>\n"
                } else {
                    s += Self.marker(style, x + 5, y + 5, Self.palette[style % Self.palette.count], serie.name)
                }
                s += "<text x=\"\(f(x + 16))\" y=\"\(f(y + 9))\">\(Escape.html(serie.name))</text>\n"
            }
        }
        s += "</svg>"
        return s
    }

    /// A forest (lollipop) plot: one horizontal row per item, the estimate as a dot with a
    /// ±`error` bar, against a vertical reference line (e.g. zero bias). Labels longer than 42
    /// characters are shortened with "…" and given in full in the row's tooltip.
    public static func forest(title: String, xLabel: String, rows: [(label: String, estimate: Double, error: Double)],
                              reference: Double, referenceLabel: String, errorMeaning: String = "2 MCSE") -> String {
        let labelW = 270.0, right = 20.0, top = 30.0, rowH = 20.0, width = 680.0
        let height = top + rowH * Double(rows.count) + 44
        let plotW = width - labelW - right
        var lo = (rows.map { $0.estimate - $0.error } + [reference]).min() ?? 0
        var hi = (rows.map { $0.estimate + $0.error } + [reference]).max() ?? 1
        if hi - lo < 1e-15 { lo -= 0.5; hi += 0.5 }
        let pad = (hi - lo) * 0.08
        lo -= pad
        hi += pad
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func px(_ v: Double) -> Double { labelW + (v - lo) / (hi - lo) * plotW }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" height=\"\(f(height))\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"\(Escape.html(title))\">\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(width / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">\(Escape.html(title))</text>\n"
        let bottom = top + rowH * Double(rows.count)
        for t in ticks(lo, hi, 5) {
            s += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top))\" x2=\"\(f(px(t)))\" y2=\"\(f(bottom))\" stroke=\"#eee\"/>\n"
            s += "<text x=\"\(f(px(t)))\" y=\"\(f(bottom + 14))\" text-anchor=\"middle\">\(Num.sig(t, 3))</text>\n"
        }
        s += "<text x=\"\(f(labelW + plotW / 2))\" y=\"\(f(bottom + 32))\" text-anchor=\"middle\">\(Escape.html(xLabel))</text>\n"
        s += "<line x1=\"\(f(px(reference)))\" y1=\"\(f(top - 4))\" x2=\"\(f(px(reference)))\" y2=\"\(f(bottom))\" stroke=\"#555\" stroke-dasharray=\"5 4\"><title>\(Escape.html(referenceLabel))</title></line>\n"
        for (k, r) in rows.enumerated() {
            let y = top + rowH * (Double(k) + 0.5)
            let short = r.label.count > 42 ? String(r.label.prefix(41)) + "…" : r.label
            let tip = "\(r.label): \(Num.sig(r.estimate)) ± \(Num.sig(r.error, 2)) (± is \(errorMeaning))"
            s += "<text x=\"\(f(labelW - 8))\" y=\"\(f(y + 4))\" text-anchor=\"end\"><title>\(Escape.html(tip))</title>\(Escape.html(short))</text>\n"
            s += "<line x1=\"\(f(px(r.estimate - r.error)))\" y1=\"\(f(y))\" x2=\"\(f(px(r.estimate + r.error)))\" y2=\"\(f(y))\" stroke=\"\(palette[0])\" stroke-width=\"2\"/>\n"
            s += marker(0, px(r.estimate), y, palette[0], tip)
        }
        s += "</svg>"
        return s
    }

    /// A coverage zip plot (Morris, White & Crowther 2019, fig. 5; rsimsum's `autoplot(type = "zip")`):
    /// one horizontal line per replication's interval, ranked from the bottom by |z| =
    /// |estimate − truth| / (upper − lower) (the interval's own standardised miss, up to a
    /// constant), so the intervals that miss the truth gather at the top. Intervals that
    /// contain the truth are drawn in the first palette colour, the rest in the second; the
    /// truth is a dashed vertical line (per-row ticks when it varies) and the nominal coverage
    /// `1 − α`, when known, a horizontal line at that rank.
    public static func zip(title: String, draws: [IntervalDraw], nominal: Double?) -> String {
        let width = 520.0, left = 56.0, right = 16.0, top = 30.0, bottom = 44.0
        let height = 360.0
        let plotW = width - left - right, plotH = height - top - bottom
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func miss(_ d: IntervalDraw) -> Double {
            let w = d.upper - d.lower
            return w > 0 ? abs(d.estimate - d.truth) / w : (d.estimate == d.truth ? 0 : .infinity)
        }
        let ranked = draws.filter { $0.lower.isFinite && $0.upper.isFinite && $0.truth.isFinite }
            .sorted { (miss($0), $0.replication) < (miss($1), $1.replication) }
        guard !ranked.isEmpty else { return "" }
        var lo = ranked.map { min($0.lower, $0.truth) }.min() ?? 0
        var hi = ranked.map { max($0.upper, $0.truth) }.max() ?? 1
        if hi - lo < 1e-15 { lo -= 0.5; hi += 0.5 }
        let pad = (hi - lo) * 0.04
        lo -= pad
        hi += pad
        func px(_ v: Double) -> Double { left + (v - lo) / (hi - lo) * plotW }
        let n = Double(ranked.count)
        func py(_ rank: Double) -> Double { top + plotH - rank / n * plotH }
        let covers = ranked.filter { $0.lower <= $0.truth && $0.truth <= $0.upper }.count
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" height=\"\(f(height))\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"\(Escape.html(title))\">\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(width / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">\(Escape.html(title))</text>\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(left + plotW))\" y2=\"\(f(top + plotH))\" stroke=\"#333\"/>\n"
        for t in ticks(lo, hi, 5) {
            s += "<text x=\"\(f(px(t)))\" y=\"\(f(top + plotH + 14))\" text-anchor=\"middle\">\(Num.sig(t, 3))</text>\n"
        }
        for q in [0.0, 0.5, 1.0] {
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(py(q * n) + 4))\" text-anchor=\"end\">\(Int(q * 100))</text>\n"
        }
        s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(top + plotH + 32))\" text-anchor=\"middle\">interval (lower to upper)</text>\n"
        s += "<text transform=\"translate(14 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">centile of |z| (rank)</text>\n"
        let rowH = plotH / n
        for (k, d) in ranked.enumerated() {
            let y = py(Double(k) + 0.5)
            let inside = d.lower <= d.truth && d.truth <= d.upper
            let color = inside ? palette[0] : palette[1]
            let tip = "replication \(d.replication): estimate \(Num.sig(d.estimate)), interval [\(Num.sig(d.lower)), \(Num.sig(d.upper))], truth \(Num.sig(d.truth)): \(inside ? "covers" : "misses")"
            s += "<path d=\"M\(f(px(d.lower))) \(f(y))H\(f(max(px(d.upper), px(d.lower) + 0.5)))\" stroke=\"\(color)\" stroke-width=\"\(f(max(min(rowH * 0.8, 3), 0.8)))\"><title>\(Escape.html(tip))</title></path>\n"
        }
        let truths = Set(ranked.map(\.truth))
        if truths.count == 1, let t = truths.first {
            s += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + plotH))\" stroke=\"#000\" stroke-dasharray=\"5 4\"><title>truth \(Num.sig(t))</title></line>\n"
        } else {
            for (k, d) in ranked.enumerated() {
                let y = py(Double(k) + 0.5)
                s += "<line x1=\"\(f(px(d.truth)))\" y1=\"\(f(y - rowH / 2))\" x2=\"\(f(px(d.truth)))\" y2=\"\(f(y + rowH / 2))\" stroke=\"#000\"/>\n"
            }
        }
        if let nominal {
            let y = py(nominal * n)
            s += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y))\" stroke=\"#555\" stroke-dasharray=\"5 4\"/>\n"
            s += "<text x=\"\(f(left + plotW - 4))\" y=\"\(f(y - 4))\" text-anchor=\"end\" fill=\"#555\">nominal \(Num.sig(nominal))</text>\n"
        }
        s += "<text x=\"\(f(left + 4))\" y=\"\(f(top + 12))\" fill=\"#333\">\(covers) of \(ranked.count) cover</text>\n"
        s += "</svg>"
        return s
    }

    /// One tile of a heat plot: its row and column labels, the value shown and its MCSE.
    public struct HeatTile: Sendable {
        public let row: String
        public let column: String
        public let estimate: Double
        public let mcse: Double?
        public init(row: String, column: String, estimate: Double, mcse: Double?) {
            self.row = row
            self.column = column
            self.estimate = estimate
            self.mcse = mcse
        }
    }

    /// A heat plot for grids with many cells (rsimsum's `autoplot(type = "heat")`): one row per
    /// analysis, one column per cell, each tile shaded on a single-hue blue scale from the
    /// lowest to the highest estimate (light to dark; lightness alone carries the value, so it
    /// reads without colour vision) and labelled with the estimate, with its MCSE in the tooltip.
    public static func heat(title: String, rows: [String], columns: [String], tiles: [HeatTile]) -> String {
        let labelW = 200.0, top = 30.0, tileW = 62.0, tileH = 24.0, headH = 70.0
        let width = labelW + tileW * Double(columns.count) + 16, height = top + headH + tileH * Double(rows.count) + 12
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        let values = tiles.map(\.estimate).filter(\.isFinite)
        let lo = values.min() ?? 0, hi = values.max() ?? 1
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" height=\"\(f(height))\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"\(Escape.html(title))\">\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"white\"/>\n"
        s += "<text x=\"8\" y=\"18\" font-size=\"13\" font-weight=\"bold\">\(Escape.html(title))</text>\n"
        for (j, c) in columns.enumerated() {
            let x = labelW + tileW * (Double(j) + 0.5), y = top + headH - 6
            let short = c.count > 16 ? String(c.prefix(15)) + "…" : c
            s += "<text transform=\"translate(\(f(x)) \(f(y))) rotate(-40)\"><title>\(Escape.html(c))</title>\(Escape.html(short))</text>\n"
        }
        for (i, r) in rows.enumerated() {
            let y = top + headH + tileH * Double(i)
            let short = r.count > 30 ? String(r.prefix(29)) + "…" : r
            s += "<text x=\"\(f(labelW - 6))\" y=\"\(f(y + tileH / 2 + 4))\" text-anchor=\"end\"><title>\(Escape.html(r))</title>\(Escape.html(short))</text>\n"
            for (j, c) in columns.enumerated() {
                let x = labelW + tileW * Double(j)
                guard let t = tiles.first(where: { $0.row == r && $0.column == c }) else {
                    s += "<rect x=\"\(f(x + 1))\" y=\"\(f(y + 1))\" width=\"\(f(tileW - 2))\" height=\"\(f(tileH - 2))\" fill=\"#f4f4f4\"><title>\(Escape.html("\(r), \(c): not measured"))</title></rect>\n"
                    continue
                }
                let share = hi > lo && t.estimate.isFinite ? (t.estimate - lo) / (hi - lo) : 0.5
                // Lightness 95% → 30% on the hue of palette[0] (#0072B2, hue 202°).
                let light = 95 - 65 * share
                let (e, m) = Num.pair(t.estimate, t.mcse)
                let tip = "\(r), \(c): \(e)" + (t.mcse != nil ? " ± \(m) (± is one MCSE)" : "")
                s += "<rect x=\"\(f(x + 1))\" y=\"\(f(y + 1))\" width=\"\(f(tileW - 2))\" height=\"\(f(tileH - 2))\" fill=\"hsl(202,100%,\(f(light))%)\"><title>\(Escape.html(tip))</title></rect>\n"
                s += "<text x=\"\(f(x + tileW / 2))\" y=\"\(f(y + tileH / 2 + 4))\" text-anchor=\"middle\" fill=\"\(light < 60 ? "white" : "#111")\">\(Escape.html(e))</text>\n"
            }
        }
        s += "</svg>"
        return s
    }

    /// About `count` round tick values covering [lo, hi].
    static func ticks(_ lo: Double, _ hi: Double, _ count: Int) -> [Double] {
        let span = hi - lo
        guard span > 0, span.isFinite else { return [lo] }
        let raw = span / Double(count)
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? raw
        var t = ceil(lo / step) * step
        var out: [Double] = []
        while t <= hi + step * 1e-9 {
            out.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return out
    }

    static func logTicks(_ xs: [Double]) -> [Double] {
        Array(Set(xs)).sorted()
    }
}
