import Distributions

/// The sufficient statistics of one cluster (a city, a store, a classroom: the unit of
/// randomisation in a cluster-randomised experiment): its number of units n, Σy and Σy².
public struct ClusterSummary: Equatable, Hashable, Sendable, Codable {
    /// The number of units in the cluster.
    public var n: Int
    /// Σy over the cluster's units.
    public var sum: Double
    /// Σy² over the cluster's units. Neither cluster-robust variance needs it (see
    /// ``ClusterRobust``); it is validated, and kept so the same summaries serve unit-level analyses.
    public var sumOfSquares: Double

    public init(n: Int, sum: Double, sumOfSquares: Double) {
        self.n = n
        self.sum = sum
        self.sumOfSquares = sumOfSquares
    }

    /// The summary of `values` (summed in order).
    public init(values: some Sequence<Double>) {
        var n = 0, s = 0.0, ss = 0.0
        for y in values { n += 1; s += y; ss += y * y }
        self.init(n: n, sum: s, sumOfSquares: ss)
    }
}

/// The small-sample form of the cluster-robust variance.
public enum ClusterRobustType: String, Codable, Sendable, CaseIterable {
    /// Liang & Zeger (1986) with the Stata / statsmodels factor G/(G − 1)·(N − 1)/(N − k),
    /// Student's t with G − 1 df.
    case cr1
    /// Bell & McCaffrey (2002) bias-reduced linearisation, Student's t with the Bell–McCaffrey
    /// degrees of freedom of Imbens & Kolesár (2016).
    case cr2
}

/// A cluster-robust comparison of treatment and control means.
///
/// For `alternative == .greater` the interval is [lower, +∞); for `.less` it is (−∞, upper].
/// When `status != .ok` the fields that could not be computed are `nil` (never NaN).
public struct ClusterRobustResult: Equatable, Codable, Sendable {
    /// `ok`; `invalid_statistics` (a cluster with n < 0, Σy² < 0, or n = 0 with non-zero sums);
    /// `non_finite_input` (a NaN or infinite sum, or sums that overflow); `empty_arm` (an arm has
    /// no non-empty cluster); `insufficient_sample` (an arm has exactly one non-empty cluster:
    /// no between-cluster variance; means and estimate are reported); `zero_variance` (every
    /// cluster mean equals its arm's mean, up to rounding: SE ≤ 10⁻¹² × the largest |cluster
    /// mean|; estimate reported); `numerical_failure`.
    public let status: AnalysisStatus
    public let type: ClusterRobustType
    public let alternative: Alternative
    public let alpha: Double
    /// Non-empty control clusters, G_C.
    public let controlClusters: Int
    /// Non-empty treatment clusters, G_T.
    public let treatmentClusters: Int
    /// Control units, N_C = Σ n_g over control clusters.
    public let controlN: Int
    /// Treatment units, N_T.
    public let treatmentN: Int
    /// ȳ_C: the control mean over units (Σ sums / Σ n).
    public let controlMean: Double?
    /// ȳ_T: the treatment mean over units.
    public let treatmentMean: Double?
    /// ȳ_T − ȳ_C, the OLS coefficient on the treatment indicator.
    public let estimate: Double?
    public let standardError: Double?
    public let lower: Double?
    public let upper: Double?
    /// t = estimate / standardError.
    public let statistic: Double?
    /// G − 1 (CR1) or the Bell–McCaffrey df (CR2).
    public let degreesOfFreedom: Double?
    public let pValue: Double?

    /// True when the status is ok and p < α.
    public var isSignificant: Bool {
        guard status == .ok, let p = pValue else { return false }
        return p < alpha
    }
}

/// Cluster-randomised experiments: whole clusters are assigned to an arm, so units within a
/// cluster are correlated and a unit-level t test overstates the evidence (Donner & Klar 2000,
/// *Design and Analysis of Cluster Randomization Trials*, ch. 6). Both functions take one
/// ``ClusterSummary`` per cluster; every cluster is wholly in one arm. Clusters with n = 0 take
/// no part and are not counted.
public enum ClusterRobust {
    /// The difference in unit means with a cluster-robust standard error: OLS of y on [1, D]
    /// over units (D = 1 in treatment), whose slope is d̂ = ȳ_T − ȳ_C, and the sandwich
    /// (X'X)⁻¹ Σ_g X_g' A_g e_g e_g' A_g X_g (X'X)⁻¹ with residuals e = y − ȳ_arm.
    ///
    /// Because each cluster lies in one arm, X_g has identical rows and the slope's variance
    /// depends on the data only through the clusters' residual totals
    /// E_g = Σ_{i∈g} (y_i − ȳ_A) = S_g − n_g ȳ_A (so Σy² is not needed): the slope row of
    /// (X'X)⁻¹X_g' is −1/N_C for a control cluster and 1/N_T for a treatment cluster.
    ///
    /// **CR1** (Liang & Zeger 1986, Biometrika 73:13–22; the small-sample factor of Stata's
    /// `regress, vce(cluster)`): A_g = I and
    ///
    ///     V = c · [Σ_{g∈C} E_g²/N_C² + Σ_{g∈T} E_g²/N_T²],   c = G/(G − 1) · (N − 1)/(N − 2),
    ///
    /// G = G_C + G_T clusters, N = N_C + N_T units, k = 2 coefficients; t reference with G − 1 df.
    /// This is exactly statsmodels `OLS(y, add_constant(D)).fit(cov_type='cluster',
    /// cov_kwds={'groups': g}, use_t=True)` (`use_correction=True` by default gives c; with
    /// `use_t=True`, `df_resid_inference = G − 1`). Note statsmodels' *default* for a robust
    /// covariance is `use_t=False`, a normal reference; we use t(G − 1), as Stata does.
    ///
    /// **CR2** (Bell & McCaffrey 2002, Survey Methodology 28:169–181; Pustejovsky & Tipton 2018,
    /// JBES 36:672–683): A_g = (I − H_gg)^{−1/2} with H_gg = X_g(X'X)⁻¹X_g'. For a cluster nested
    /// in arm A, H_gg = J/N_A (J the n_g×n_g matrix of ones), so A_g multiplies the cluster's
    /// residual total by (1 − p_g)^{−1/2}, p_g = n_g/N_A, and
    ///
    ///     V = Σ_{g∈C} E_g²/((1 − p_g) N_C²) + Σ_{g∈T} E_g²/((1 − p_g) N_T²)
    ///
    /// (with one unit per cluster this is HC2, i.e. Welch's variance). Reference: Student's t with
    /// the Bell–McCaffrey degrees of freedom under the homoskedastic working model (Imbens &
    /// Kolesár 2016, REStat 98:701–712; the construction of clubSandwich's Satterthwaite test
    /// for CR2 with an identity working model, Pustejovsky & Tipton 2018, which was not run
    /// here): ν = (Σλ)²/Σλ² over the eigenvalues λ of G'G, where column g of G is
    /// (I − H)_{·g} A_g X_g (X'X)⁻¹ ℓ, ℓ = (0, 1)'. For clusters nested in arms G'G is
    /// block-diagonal by arm with blocks s_g s_h (δ_gh n_g − n_g n_h/N_A), s_g = a_A (1 − p_g)^{−1/2},
    /// a_C = −1/N_C, a_T = 1/N_T, which gives the closed form
    ///
    ///     ν = (N_C + N_T)² / (K_C N_T² + K_T N_C²),
    ///     K_A = Σ_{g∈A} p_g²(1 − 2p_g)/(1 − p_g)² + (Σ_{g∈A} p_g²/(1 − p_g))²
    ///
    /// (with one unit per cluster it is Imbens & Kolesár's HC2 df
    /// (N_C + N_T)²(N_C − 1)(N_T − 1)/(N_T²(N_T − 1) + N_C²(N_C − 1)); with equal cluster sizes
    /// within each arm, (N_C + N_T)²/(N_T²/(G_C − 1) + N_C²/(G_T − 1)), which is G − 2 when the
    /// arms also have equal numbers of units and clusters). Checked against an
    /// independent numpy implementation of the matrix formulas (eigendecomposition of I − H_gg
    /// and of G'G; `scripts/reference/design_methods.py`).
    ///
    /// Statuses: see ``ClusterRobustResult/status``. Throws only when α ∉ (0, 1).
    public static func differenceInMeans(control: [ClusterSummary], treatment: [ClusterSummary],
                                         type: ClusterRobustType = .cr2, alpha: Double = 0.05,
                                         alternative: Alternative = .twoSided) throws(AnalysisError) -> ClusterRobustResult {
        try AnalysisError.checkAlpha(alpha, in: "ClusterRobust.differenceInMeans(alpha:)")
        let c = control.filter { $0.n != 0 }, t = treatment.filter { $0.n != 0 }
        let nC = c.reduce(0) { $0 + max($1.n, 0) }, nT = t.reduce(0) { $0 + max($1.n, 0) }
        func result(_ status: AnalysisStatus, mC: Double? = nil, mT: Double? = nil, estimate: Double? = nil,
                    se: Double? = nil, df: Double? = nil, inference: DesignInference? = nil) -> ClusterRobustResult {
            ClusterRobustResult(status: status, type: type, alternative: alternative, alpha: alpha,
                                controlClusters: c.count, treatmentClusters: t.count, controlN: nC, treatmentN: nT,
                                controlMean: mC, treatmentMean: mT, estimate: estimate, standardError: se,
                                lower: inference?.lower, upper: inference?.upper, statistic: inference?.statistic,
                                degreesOfFreedom: df, pValue: inference?.pValue)
        }
        if let bad = validate(control + treatment) { return result(bad) }
        guard !c.isEmpty, !t.isEmpty else { return result(.emptyArm) }
        let mC = c.reduce(0) { $0 + $1.sum } / Double(nC)
        let mT = t.reduce(0) { $0 + $1.sum } / Double(nT)
        let d = mT - mC
        guard mC.isFinite, mT.isFinite, d.isFinite else { return result(.nonFiniteInput) }
        guard c.count >= 2, t.count >= 2 else { return result(.insufficientSample, mC: mC, mT: mT, estimate: d) }

        let dnC = Double(nC), dnT = Double(nT)
        let variance: Double, df: Double
        switch type {
        case .cr1:
            var v0 = 0.0
            for g in c { let e = g.sum - Double(g.n) * mC; v0 += e * e / (dnC * dnC) }
            for g in t { let e = g.sum - Double(g.n) * mT; v0 += e * e / (dnT * dnT) }
            let clusters = Double(c.count + t.count), units = dnC + dnT
            variance = v0 * clusters / (clusters - 1) * (units - 1) / (units - 2)
            df = clusters - 1
        case .cr2:
            var v = 0.0
            func arm(_ arm: [ClusterSummary], mean: Double, units: Double) -> Double {
                var sumA = 0.0, sumB = 0.0
                for g in arm {
                    let p = Double(g.n) / units, q = 1 - p
                    let e = g.sum - Double(g.n) * mean
                    v += e * e / (q * units * units)
                    sumA += p * p * (1 - 2 * p) / (q * q)
                    sumB += p * p / q
                }
                return sumA + sumB * sumB
            }
            let kC = arm(c, mean: mC, units: dnC), kT = arm(t, mean: mT, units: dnT)
            variance = v
            df = (dnC + dnT) * (dnC + dnT) / (kC * dnT * dnT + kT * dnC * dnC)
        }
        let se = variance.squareRoot()
        guard se.isFinite, df.isFinite, df > 0 else { return result(.numericalFailure, mC: mC, mT: mT, estimate: d) }
        let scale = (c + t).reduce(0.0) { max($0, abs($1.sum / Double($1.n))) }
        guard se > relativeRoundingFloor * scale, se > 0 else { return result(.zeroVariance, mC: mC, mT: mT, estimate: d) }
        guard let inference = DesignInference(estimate: d, standardError: se, degreesOfFreedom: df, alpha: alpha,
                                              alternative: alternative) else {
            return result(.numericalFailure, mC: mC, mT: mT, estimate: d)
        }
        return result(.ok, mC: mC, mT: mT, estimate: d, se: se, df: df, inference: inference)
    }

    /// The cluster-level analysis: each non-empty cluster contributes one observation, its mean
    /// m_g = S_g/n_g, and the arms are compared by Welch's t test on those means (Welch 1947, as
    /// ``Comparisons/welch(control:treatment:scale:alpha:alternative:)``; Donner & Klar 2000,
    /// ch. 6). The estimand is the difference in *unweighted* means of cluster means, which differs
    /// from the unit-level difference ȳ_T − ȳ_C when cluster sizes vary. The variance of the
    /// cluster means is computed in two passes, Σ(m_g − m̄)²/(G − 1), rather than from Σm², so
    /// that equal cluster means give a standard error of rounding size, not √ε × the level.
    ///
    /// The result's `method` is `welch`, and its `controlN`/`treatmentN` count **clusters**.
    /// Statuses as Welch's (`empty_arm` with no non-empty cluster in an arm, `insufficient_sample`
    /// with one; means and estimate reported), plus `invalid_statistics` / `non_finite_input` for
    /// a malformed cluster summary, and `zero_variance` when the SE is at most 10⁻¹² × the largest
    /// |cluster mean| (equal cluster means up to rounding). Throws only when α ∉ (0, 1).
    public static func clusterMeans(control: [ClusterSummary], treatment: [ClusterSummary], alpha: Double = 0.05,
                                    alternative: Alternative = .twoSided) throws(AnalysisError) -> FixedHorizonResult {
        try AnalysisError.checkAlpha(alpha, in: "ClusterRobust.clusterMeans(alpha:)")
        let c = control.filter { $0.n != 0 }, t = treatment.filter { $0.n != 0 }
        func fail(_ s: AnalysisStatus, _ mC: Double? = nil, _ mT: Double? = nil, _ est: Double? = nil) -> FixedHorizonResult {
            .failed(s, method: .welch, scale: .absolute, alternative: alternative, alpha: alpha,
                    controlN: c.count, treatmentN: t.count, controlMean: mC, treatmentMean: mT, estimate: est)
        }
        if let bad = validate(control + treatment) { return fail(bad) }
        guard !c.isEmpty, !t.isEmpty else { return fail(.emptyArm) }
        let meansC = c.map { $0.sum / Double($0.n) }, meansT = t.map { $0.sum / Double($0.n) }
        let mC = meansC.reduce(0, +) / Double(c.count), mT = meansT.reduce(0, +) / Double(t.count)
        guard mC.isFinite, mT.isFinite, (mT - mC).isFinite else { return fail(.nonFiniteInput) }
        guard c.count >= 2, t.count >= 2 else { return fail(.insufficientSample, mC, mT, mT - mC) }
        let vC = meansC.reduce(0) { $0 + ($1 - mC) * ($1 - mC) } / Double(c.count - 1)
        let vT = meansT.reduce(0) { $0 + ($1 - mT) * ($1 - mT) } / Double(t.count - 1)
        let r = Comparisons.meanComparison(method: .welch, nC: c.count, nT: t.count, mC: mC, mT: mT, vC: vC, vT: vT,
                                           scale: .absolute, alpha: alpha, alternative: alternative)
        let scale = (meansC + meansT).reduce(0.0) { max($0, abs($1)) }
        if r.status == .ok, let se = r.standardError, se <= relativeRoundingFloor * scale {
            return fail(.zeroVariance, mC, mT, r.estimate)
        }
        return r
    }

    /// A standard error at most this fraction of the data's magnitude is rounding error of data
    /// with no variation, reported as `zero_variance` rather than as a huge t statistic.
    static let relativeRoundingFloor = 1e-12

    /// The status of malformed summaries, or nil when all are usable.
    static func validate(_ clusters: [ClusterSummary]) -> AnalysisStatus? {
        guard clusters.allSatisfy({ $0.n >= 0 }) else { return .invalidStatistics }
        guard clusters.allSatisfy({ $0.sum.isFinite && $0.sumOfSquares.isFinite }) else { return .nonFiniteInput }
        guard clusters.allSatisfy({ $0.sumOfSquares >= 0 && ($0.n > 0 || ($0.sum == 0 && $0.sumOfSquares == 0)) }) else {
            return .invalidStatistics
        }
        return nil
    }
}

/// The statistic, p-value and interval of an estimate with a standard error against Student's t
/// with `degreesOfFreedom` (the standard normal when it is +∞); shared by the design methods.
/// For `.greater` the interval is [lower, +∞), for `.less` (−∞, upper]. Nil when a distribution
/// function fails or an input is not finite.
struct DesignInference {
    let statistic: Double, pValue: Double, lower: Double, upper: Double

    init?(estimate: Double, standardError se: Double, degreesOfFreedom df: Double, alpha: Double,
          alternative: Alternative) {
        guard estimate.isFinite, se.isFinite, se > 0, df > 0, !df.isNaN else { return nil }
        let stat = estimate / se
        let tail = alternative == .twoSided ? alpha / 2 : alpha
        let q: Double
        do {
            if df == .infinity {
                let z = Normal.standard
                pValue = Comparisons.pValue(stat, alternative, cdf: z.cdf, sf: z.sf)
                q = try z.inverseSurvival(tail)
            } else {
                let t = try StudentT(nu: df)
                pValue = Comparisons.pValue(stat, alternative, cdf: t.cdf, sf: t.sf)
                q = try t.inverseSurvival(tail)
            }
        } catch {
            return nil
        }
        guard stat.isFinite, pValue.isFinite, q.isFinite else { return nil }
        statistic = stat
        switch alternative {
        case .twoSided: lower = estimate - q * se; upper = estimate + q * se
        case .greater: lower = estimate - q * se; upper = .infinity
        case .less: lower = -.infinity; upper = estimate + q * se
        }
    }
}
