import Testing
@testable import Analysis

/// Beta–Binomial chance to beat and expected loss against scipy `quad` (and Evan Miller's closed
/// form where it applies); Normal–Normal against the conjugate update and `quad`.
@Suite struct BayesianTests {
    @Test(arguments: Fixture.shared?.betaBinomial ?? [])
    func betaBinomialMatchesQuadrature(_ c: BetaCase) throws {
        let prior = try BetaPrior(a: c.prior[0], b: c.prior[1])
        let r = try Bayesian.betaBinomial(control: .init(n: c.control.n, successes: c.control.successes),
                                          treatment: .init(n: c.treatment.n, successes: c.treatment.successes),
                                          prior: prior)
        #expect(r.status == .ok)
        // Numerical integration on both sides: 1e-9 absolute (stated in the fixture).
        #expect(close(r.chanceToBeatControl, c.chanceToBeat, rel: 0, abs: 1e-9),
                "\(String(describing: r.chanceToBeatControl)) vs \(c.chanceToBeat)")
        if let exact = c.closedFormChanceToBeat {
            #expect(close(r.chanceToBeatControl, exact, rel: 0, abs: 1e-9))
        }
        #expect(close(r.expectedLossTreatment, c.expectedLossTreatment, rel: 0, abs: 1e-9),
                "\(String(describing: r.expectedLossTreatment)) vs \(c.expectedLossTreatment)")
        #expect(close(r.liftMean, c.liftMean, rel: 1e-12, abs: 1e-15))
        #expect(close(r.liftStandardDeviation, c.liftSd, rel: 1e-10))
        // E[(T − C)⁺] − E[(C − T)⁺] = E[T − C].
        #expect(close((r.expectedLossControl ?? .nan) - (r.expectedLossTreatment ?? .nan), c.liftMean, rel: 0, abs: 1e-12))
    }

    @Test(arguments: Fixture.shared?.normalNormal ?? [])
    func normalNormalMatchesConjugateUpdate(_ c: NNCase) throws {
        let prior: NormalPrior = c.prior.map { .normal(mean: $0[0], variance: $0[1]) } ?? .flat
        let r = try Bayesian.normalNormal(control: MeanStatistic(values: c.control), treatment: MeanStatistic(values: c.treatment),
                                          prior: prior, level: c.level)
        #expect(r.status == .ok)
        #expect(close(r.liftMean, c.liftMean, rel: 1e-9))
        #expect(close(r.liftStandardDeviation, c.liftSd, rel: 1e-9))
        #expect(close(r.chanceToBeatControl, c.chanceToBeat, rel: 0, abs: 1e-9))
        #expect(close(r.expectedLossTreatment, c.expectedLossTreatment, rel: 0, abs: 1e-9))
        #expect(close(r.credibleLower, c.credibleLower, rel: 1e-9) && close(r.credibleUpper, c.credibleUpper, rel: 1e-9))
    }

    @Test func bayesianDegenerateAndInvalid() throws {
        let empty = try Bayesian.betaBinomial(control: .zero, treatment: .init(n: 10, successes: 1))
        #expect(empty.status == .emptyArm && empty.chanceToBeatControl == nil)
        let allZero = try Bayesian.betaBinomial(control: .init(n: 100, successes: 0), treatment: .init(n: 100, successes: 0))
        #expect(allZero.status == .ok && close(allZero.chanceToBeatControl, 0.5, rel: 0, abs: 1e-9))
        let flat = try Bayesian.normalNormal(control: MeanStatistic(values: [5, 5, 5]), treatment: MeanStatistic(values: [5, 5]))
        #expect(flat.status == .zeroVariance && flat.liftMean == nil)
        #expect(throws: AnalysisError.self) { try BetaPrior(a: 0, b: 1) }
        #expect(throws: AnalysisError.self) {
            try Bayesian.betaBinomial(control: .init(n: 10, successes: 1), treatment: .init(n: 10, successes: 1), level: 1)
        }
        #expect(throws: AnalysisError.self) {
            try Bayesian.normalNormal(control: MeanStatistic(values: [1, 2]), treatment: MeanStatistic(values: [1, 3]),
                                      prior: .normal(mean: 0, variance: 0))
        }
    }
}

/// The decision rules of ``Decision/make(primary:primaryDirection:guardrails:srm:)``.
@Suite struct DecisionTests {
    let good = try? Comparisons.twoProportion(control: .init(n: 10000, successes: 4800), treatment: .init(n: 10000, successes: 5000))
    let flatSRM = try? SampleRatioMismatch.test(observed: [10000, 10000], weights: [1, 1])

    func guardrail(_ c: MeanStatistic, _ t: MeanStatistic, _ dir: MetricDirection, margin: Double?) throws -> Guardrail {
        try Guardrail(name: "g", result: Comparisons.welch(control: c, treatment: t), direction: dir, margin: margin)
    }

    @Test func shipWhenPrimaryWinsAndGuardrailsHold() throws {
        let primary = try #require(good)
        // Latency (lower is better) essentially unchanged, CI well within ±5.
        let g = try guardrail(MeanStatistic(n: 10000, mean: 200, variance: 400), MeanStatistic(n: 10000, mean: 200.1, variance: 400),
                              .decrease, margin: 5)
        let d = Decision.make(primary: primary, guardrails: [g], srm: flatSRM)
        #expect(d.outcome == .ship, "\(d.reasons)")
    }

    @Test func invalidOnSRM() throws {
        let srm = try SampleRatioMismatch.test(observed: [600, 400], weights: [1, 1])
        let d = Decision.make(primary: try #require(good), srm: srm)
        #expect(d.outcome == .invalid && d.reasons.first?.contains("sample ratio mismatch") == true)
    }

    @Test func invalidWhenPrimaryCannotBeAnalysed() throws {
        let p = try Comparisons.twoProportion(control: .init(n: 0, successes: 0), treatment: .init(n: 10, successes: 1))
        #expect(Decision.make(primary: p, srm: flatSRM).outcome == .invalid)
    }

    @Test func dontShipWhenGuardrailSignificantlyHarmed() throws {
        // Error rate (lower is better) up significantly.
        let g = try Guardrail(name: "errors", result: Comparisons.twoProportion(control: .init(n: 10000, successes: 100),
                                                                                treatment: .init(n: 10000, successes: 160)),
                              direction: .decrease, margin: 0.01)
        let d = Decision.make(primary: try #require(good), guardrails: [g], srm: flatSRM)
        #expect(d.outcome == .dontShip && d.reasons.contains { $0.contains("errors") })
    }

    @Test func dontShipWhenPrimarySignificantlyWorse() throws {
        let p = try Comparisons.twoProportion(control: .init(n: 10000, successes: 5000), treatment: .init(n: 10000, successes: 4800))
        #expect(Decision.make(primary: p, srm: flatSRM).outcome == .dontShip)
        // ... unless lower is better for the primary metric.
        #expect(Decision.make(primary: p, primaryDirection: .decrease, srm: flatSRM).outcome == .ship)
    }

    @Test func inconclusiveWhenPrimaryNotSignificantOrGuardrailUnproven() throws {
        let flat = try Comparisons.twoProportion(control: .init(n: 1000, successes: 600), treatment: .init(n: 1000, successes: 620))
        #expect(Decision.make(primary: flat, srm: flatSRM).outcome == .inconclusive)
        // Guardrail CI crosses the margin (−0.001 on a noisy metric): not shown non-inferior.
        let g = try guardrail(MeanStatistic(n: 100, mean: 10, variance: 25), MeanStatistic(n: 100, mean: 10, variance: 25),
                              .increase, margin: 0.001)
        let d = Decision.make(primary: try #require(good), guardrails: [g], srm: flatSRM)
        #expect(d.outcome == .inconclusive && d.reasons.contains { $0.contains("non-inferior") })
        // Without a margin the same guardrail only blocks on significant harm: ship.
        let noMargin = try guardrail(MeanStatistic(n: 100, mean: 10, variance: 25), MeanStatistic(n: 100, mean: 10, variance: 25),
                                     .increase, margin: nil)
        #expect(Decision.make(primary: try #require(good), guardrails: [noMargin], srm: flatSRM).outcome == .ship)
        // A multiplicity-adjusted p-value above α turns a nominal win into inconclusive.
        #expect(Decision.make(primary: try #require(good), primaryPValue: 0.2, srm: flatSRM).outcome == .inconclusive)
        #expect(throws: AnalysisError.self) { try Guardrail(name: "x", result: flat, direction: .increase, margin: -1) }
    }
}
