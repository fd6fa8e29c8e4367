import Distributions

/// Comparing a Monte Carlo estimate with a baseline's: is the change bigger than the two runs'
/// simulation noise? Used by `splitbench diff` and `gate --baseline`.
public enum RegressionCheck {
    /// z = (θ̂_new − θ̂_old)/√(MCSE_old² + MCSE_new²): the change in units of its standard error
    /// when the two runs are independent (Morris, White & Crowther 2019, §5.2 on comparing
    /// methods' performance). Runs that share random streams are positively correlated, so the
    /// true SE of the difference is smaller and the rule is conservative for them.
    ///
    /// Returns 0 when the estimates are equal (including both MCSEs 0), ±∞ when they differ
    /// but both MCSEs are 0 (e.g. a measure that is exactly 0 or 1 in both runs), nil when an
    /// input is not finite or an MCSE is negative.
    public static func zScore(old: Double, oldMCSE: Double, new: Double, newMCSE: Double) -> Double? {
        guard old.isFinite, new.isFinite, oldMCSE.isFinite, newMCSE.isFinite, oldMCSE >= 0, newMCSE >= 0 else { return nil }
        let delta = new - old
        if delta == 0 { return 0 }
        let se = (oldMCSE * oldMCSE + newMCSE * newMCSE).squareRoot()
        return se > 0 ? delta / se : (delta > 0 ? .infinity : -.infinity)
    }

    /// The flagging threshold for m comparisons made together: |z| > z_{1 − α/(2m)}, Bonferroni's
    /// two-sided rule, so that with no change anywhere and independent runs the chance of any
    /// false flag is at most α (Bonferroni 1936; it holds under any dependence between the
    /// measures). m < 1 is treated as 1.
    public static func threshold(comparisons m: Int, familywiseAlpha alpha: Double = 0.05) throws(AnalysisError) -> Double {
        try AnalysisError.checkAlpha(alpha, in: "RegressionCheck.threshold(familywiseAlpha:)")
        do {
            return try Normal.standard.inverseSurvival(alpha / (2 * Double(max(m, 1))))
        } catch {
            throw AnalysisError("RegressionCheck.threshold(comparisons:)", "no normal quantile for α/(2m) = \(alpha / (2 * Double(max(m, 1))))")
        }
    }
}
