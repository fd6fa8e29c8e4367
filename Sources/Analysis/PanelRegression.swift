import Distributions

/// The covariance of the two-way fixed-effects slope (see
/// ``PanelRegression/twoWayFixedEffects(y:z:covariance:alpha:alternative:)`` for the formulas).
public enum PanelCovariance: Sendable, Codable, Equatable, Hashable {
    /// Driscoll & Kraay (1998): the slope's scores summed over regions within each window, then
    /// Newey–West with a Bartlett kernel over windows up to lag `maxLags` (≥ 0); Student's t
    /// with T − 1 df.
    case hac(maxLags: Int)
    /// Cluster-robust by region (CR1, Liang & Zeger 1986), Student's t with R − 1 df.
    case clusterByRegion
    /// The OLS variance σ̂²(X'X)⁻¹, Student's t with RT − R − T df.
    case classical
}

/// The treatment effect of a switchback (or any balanced region × window panel) by two-way
/// fixed effects.
///
/// For `alternative == .greater` the interval is [lower, +∞); for `.less` it is (−∞, upper].
/// When `status != .ok` the fields that could not be computed are `nil` (never NaN).
public struct PanelResult: Equatable, Codable, Sendable {
    /// `ok`; `insufficient_sample` (fewer than 2 regions or 2 windows, or no residual degrees of
    /// freedom: RT − R − T < 1, where the estimate is still reported when identified);
    /// `non_finite_input` (an outcome is NaN or infinite); `empty_arm` (no treated cell or no
    /// control cell); `zero_variance` either with `identified == false` (z is collinear with the
    /// region and window effects, e.g. every region switches at the same times, so β is not
    /// identified) or with an estimate (the residuals vanish up to rounding: SE ≤ 10⁻¹² × max|y|;
    /// or `.clusterByRegion` with R = 2 or `.hac` with T = 2, whose variance is identically 0:
    /// with two regions both z̃ and e change sign between them, so the two regions' scores are
    /// equal and sum to 0; likewise two windows); `numerical_failure`.
    public let status: AnalysisStatus
    public let covariance: PanelCovariance
    public let alternative: Alternative
    public let alpha: Double
    /// R.
    public let regions: Int
    /// T.
    public let windows: Int
    /// The number of cells with z = 1.
    public let treatedCells: Int
    /// False when β is not identified: no treated or no control cell, or z̃ ≡ 0 (z collinear
    /// with the fixed effects).
    public let identified: Bool
    /// β̂, the coefficient on z.
    public let estimate: Double?
    public let standardError: Double?
    public let lower: Double?
    public let upper: Double?
    /// t = β̂ / SE.
    public let statistic: Double?
    /// RT − R − T (classical), R − 1 (cluster by region) or T − 1 (HAC).
    public let degreesOfFreedom: Double?
    public let pValue: Double?

    /// True when the status is ok and p < α.
    public var isSignificant: Bool {
        guard status == .ok, let p = pValue else { return false }
        return p < alpha
    }
}

/// Regression analysis of panels: switchback experiments, where each region is switched between
/// treatment and control over time windows (Bojinov, Simchi-Levi & Zhao 2023, "Design and
/// analysis of switchback experiments", Management Science 69:3759–3777).
public enum PanelRegression {
    /// The two-way fixed-effects regression of a balanced panel of R regions × T windows,
    ///
    ///     y_rt = α_r + λ_t + β z_rt + ε_rt,
    ///
    /// with y_rt the window's outcome (e.g. its mean) and z_rt ∈ {0, 1} the treatment in force.
    /// `y[r][t]` and `z[r][t]` are region r's window t.
    ///
    /// **Estimate** (Frisch–Waugh–Lovell; Wooldridge 2010, *Econometric Analysis of Cross Section
    /// and Panel Data*, 2nd ed., ch. 10): the two-way within transformation of a
    /// balanced panel, x̃_rt = x_rt − x̄_r· − x̄_·t + x̄_··, gives
    ///
    ///     β̂ = Σ z̃ ỹ / Σ z̃²,   e_rt = ỹ_rt − β̂ z̃_rt,
    ///
    /// identical to OLS on an intercept, R − 1 region dummies, T − 1 window dummies and z, and
    /// e are that regression's residuals. N = RT cells, K = R + T coefficients. Because the slope
    /// row of (X'X)⁻¹X' is z̃'/Σz̃², each covariance below is exactly the (β, β) element of the
    /// corresponding sandwich of the dummy-variable regression:
    ///
    /// - `.classical`: V = σ̂²/Σz̃², σ̂² = Σe²/(N − K); t with N − K df
    ///   (statsmodels `OLS(y, X).fit()`).
    /// - `.clusterByRegion`: g_r = Σ_t z̃_rt e_rt, V = c_R Σ_r g_r² / (Σz̃²)²,
    ///   c_R = R/(R − 1)·(N − 1)/(N − K); t with R − 1 df (statsmodels
    ///   `fit(cov_type='cluster', cov_kwds={'groups': region}, use_t=True)`; K counts the dummies,
    ///   as `regress` with dummies does, unlike Stata's `xtreg, fe`).
    /// - `.hac(maxLags: L)`: Driscoll & Kraay (1998, REStat 80:549–560; Hoechle 2007, Stata
    ///   Journal 7:281–312): h_t = Σ_r z̃_rt e_rt (the score summed across regions in window t),
    ///   then Newey & West (1987) over windows with Bartlett weights w_l = 1 − l/(L + 1):
    ///
    ///       S = Σ_t h_t² + 2 Σ_{l=1}^{L} w_l Σ_{t=l}^{T−1} h_t h_{t−l},   V = c_T S / (Σz̃²)²,
    ///
    ///   c_T = T/(T − 1)·(N − 1)/(N − K) (lags ≥ T contribute nothing); Student's t with T − 1 df.
    ///   S and c_T are statsmodels `fit(cov_type='hac-groupsum', cov_kwds={'time': window,
    ///   'maxlags': L})` (its default `use_correction='cluster'`). With L = 0 this is CR1 clustered
    ///   by window, and the T − 1 df are that estimator's (the asymptotics of Driscoll–Kraay are
    ///   in T, so windows play the role of clusters); statsmodels' own df for `hac-groupsum`
    ///   depends on the row order (it counts decreases of the time index), so the reference
    ///   takes its variance and applies t(T − 1). statsmodels' `cov_type='HAC'` is not used: it
    ///   treats the stacked rows as one time series, so its lags would pair different regions.
    ///   Driscoll–Kraay is robust to correlation across regions within a window and to serial
    ///   correlation (carryover) up to L windows apart.
    ///
    /// Statuses: see ``PanelResult/status``. Throws when the rows of `y` or `z` differ in length
    /// or `z` has a different shape from `y` (ragged input), a z is not 0 or 1, `maxLags` < 0,
    /// or α ∉ (0, 1).
    public static func twoWayFixedEffects(y: [[Double]], z: [[Double]], covariance: PanelCovariance, alpha: Double = 0.05,
                                          alternative: Alternative = .twoSided) throws(AnalysisError) -> PanelResult {
        let context = "PanelRegression.twoWayFixedEffects"
        try AnalysisError.checkAlpha(alpha, in: "\(context)(alpha:)")
        if case .hac(let lags) = covariance, lags < 0 {
            throw AnalysisError("\(context)(covariance:)", "maxLags must be >= 0, got \(lags)")
        }
        let regions = y.count, windows = y.first?.count ?? 0
        guard z.count == regions else {
            throw AnalysisError(context, "y has \(regions) regions but z has \(z.count)")
        }
        for r in 0..<regions where y[r].count != windows || z[r].count != windows {
            throw AnalysisError(context, "ragged panel: region \(r) has \(y[r].count) outcomes and \(z[r].count) "
                                + "treatments, expected \(windows) windows")
        }
        for r in 0..<regions {
            if let bad = z[r].first(where: { $0 != 0 && $0 != 1 }) {
                throw AnalysisError(context, "z must be 0 or 1, got \(bad) in region \(r)")
            }
        }
        let treated = z.reduce(0) { $0 + $1.reduce(0) { $0 + ($1 == 1 ? 1 : 0) } }
        func result(_ status: AnalysisStatus, identified: Bool = true, estimate: Double? = nil, se: Double? = nil,
                    df: Double? = nil, inference: DesignInference? = nil) -> PanelResult {
            PanelResult(status: status, covariance: covariance, alternative: alternative, alpha: alpha, regions: regions,
                        windows: windows, treatedCells: treated, identified: identified, estimate: estimate,
                        standardError: se, lower: inference?.lower, upper: inference?.upper,
                        statistic: inference?.statistic, degreesOfFreedom: df, pValue: inference?.pValue)
        }
        guard regions >= 2, windows >= 2 else { return result(.insufficientSample, identified: false) }
        guard y.allSatisfy({ $0.allSatisfy(\.isFinite) }) else { return result(.nonFiniteInput) }
        let cells = regions * windows
        guard treated > 0, treated < cells else { return result(.emptyArm, identified: false) }

        // z̃ exactly: RT·z̃_rt = RT z_rt − R a_r − T b_t + S is an integer (a_r, b_t: row and column sums).
        let zi = z.map { $0.map { $0 == 1 ? 1 : 0 } }
        let rowSums = zi.map { $0.reduce(0, +) }
        var colSums = [Int](repeating: 0, count: windows)
        for r in 0..<regions { for t in 0..<windows { colSums[t] += zi[r][t] } }
        var zTilde = [[Double]](repeating: [Double](repeating: 0, count: windows), count: regions)
        var collinear = true
        for r in 0..<regions {
            for t in 0..<windows {
                let m = cells * zi[r][t] - regions * rowSums[r] - windows * colSums[t] + treated
                if m != 0 { collinear = false }
                zTilde[r][t] = Double(m) / Double(cells)
            }
        }
        guard !collinear else { return result(.zeroVariance, identified: false) }

        // ỹ = y − ȳ_r· − ȳ_·t + ȳ_··
        let rowMeans = y.map { $0.reduce(0, +) / Double(windows) }
        var colMeans = [Double](repeating: 0, count: windows)
        for r in 0..<regions { for t in 0..<windows { colMeans[t] += y[r][t] } }
        for t in 0..<windows { colMeans[t] /= Double(regions) }
        let grand = rowMeans.reduce(0, +) / Double(regions)
        var szz = 0.0, szy = 0.0
        var yTilde = zTilde
        for r in 0..<regions {
            for t in 0..<windows {
                yTilde[r][t] = y[r][t] - rowMeans[r] - colMeans[t] + grand
                szz += zTilde[r][t] * zTilde[r][t]
                szy += zTilde[r][t] * yTilde[r][t]
            }
        }
        let beta = szy / szz
        guard beta.isFinite else { return result(.nonFiniteInput) }
        let residualDF = cells - regions - windows
        guard residualDF >= 1 else { return result(.insufficientSample, estimate: beta) }

        // Two clusters along a dimension: their scores are equal (z̃ and e both change sign between
        // them) and sum to zero, so the variance is identically 0.
        switch covariance {
        case .clusterByRegion where regions == 2, .hac where windows == 2:
            return result(.zeroVariance, estimate: beta)
        default: break
        }
        let n = Double(cells), k = Double(regions + windows)
        let variance: Double, df: Double
        switch covariance {
        case .classical:
            var sse = 0.0
            for r in 0..<regions {
                for t in 0..<windows { let e = yTilde[r][t] - beta * zTilde[r][t]; sse += e * e }
            }
            variance = sse / Double(residualDF) / szz
            df = Double(residualDF)
        case .clusterByRegion:
            var meat = 0.0
            for r in 0..<regions {
                var g = 0.0
                for t in 0..<windows { g += zTilde[r][t] * (yTilde[r][t] - beta * zTilde[r][t]) }
                meat += g * g
            }
            let groups = Double(regions)
            variance = meat / (szz * szz) * groups / (groups - 1) * (n - 1) / (n - k)
            df = groups - 1
        case .hac(let lags):
            var h = [Double](repeating: 0, count: windows)
            for r in 0..<regions {
                for t in 0..<windows { h[t] += zTilde[r][t] * (yTilde[r][t] - beta * zTilde[r][t]) }
            }
            var meat = h.reduce(0) { $0 + $1 * $1 }
            if lags >= 1 {
                for l in 1...min(lags, windows - 1) {
                    let w = 1 - Double(l) / Double(lags + 1)
                    var s = 0.0
                    for t in l..<windows { s += h[t] * h[t - l] }
                    meat += 2 * w * s
                }
            }
            let groups = Double(windows)
            variance = max(meat, 0) / (szz * szz) * groups / (groups - 1) * (n - 1) / (n - k)
            df = groups - 1
        }
        let se = variance.squareRoot()
        guard se.isFinite else { return result(.numericalFailure, estimate: beta) }
        let scale = y.reduce(0.0) { $1.reduce($0) { max($0, abs($1)) } }
        guard se > 0, se > ClusterRobust.relativeRoundingFloor * scale else {
            return result(.zeroVariance, estimate: beta)
        }
        guard let inference = DesignInference(estimate: beta, standardError: se, degreesOfFreedom: df, alpha: alpha,
                                              alternative: alternative) else {
            return result(.numericalFailure, estimate: beta)
        }
        return result(.ok, estimate: beta, se: se, df: df, inference: inference)
    }
}
