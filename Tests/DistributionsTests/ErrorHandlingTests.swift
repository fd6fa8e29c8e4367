import Testing
@testable import Distributions

/// GSL's default handler would abort the process on these; they must become Swift errors.
@Suite struct ErrorHandlingTests {
    @Test(arguments: [1.5, -0.1, Double.nan])
    func quantileOutsideUnitIntervalThrows(p: Double) throws {
        #expect(throws: DistributionError.self) { try Normal.standard.quantile(p) }
        #expect(throws: DistributionError.self) { try StudentT(nu: 5).quantile(p) }
        #expect(throws: DistributionError.self) { try ChiSquared(nu: 3).inverseSurvival(p) }
        #expect(throws: DistributionError.self) { try BetaDistribution(a: 2, b: 3).quantile(p) }
        #expect(throws: DistributionError.self) { try GammaDistribution(shape: 2, scale: 1).quantile(p) }
        #expect(throws: DistributionError.self) { try Binomial(n: 10, p: 0.5).quantile(p) }
    }

    @Test func errorNamesFunctionAndValue() {
        do {
            _ = try BetaDistribution(a: 2, b: 3).quantile(1.5)
            Issue.record("no error thrown")
        } catch {
            #expect(error.kind == .domain)
            #expect(error.description.contains("BetaDistribution.quantile"))
            #expect(error.description.contains("1.5"))
        }
    }

    @Test func invalidParametersThrow() {
        #expect(throws: DistributionError.self) { try Normal(mu: 0, sigma: 0) }
        #expect(throws: DistributionError.self) { try Normal(mu: .infinity, sigma: 1) }
        #expect(throws: DistributionError.self) { try StudentT(nu: -1) }
        #expect(throws: DistributionError.self) { try BetaDistribution(a: 0, b: 1) }
        #expect(throws: DistributionError.self) { try Binomial(n: 10, p: 1.2) }
        #expect(throws: DistributionError.self) { try Poisson(mean: -1) }
        #expect(throws: DistributionError.self) { try NegativeBinomial(size: 1, p: 0) }
        #expect(throws: DistributionError.self) { try Categorical(weights: [0, 0]) }
        #expect(throws: DistributionError.self) { try Categorical(weights: [1, -1]) }
        #expect(throws: DistributionError.self) { try Multinomial(trials: 3, weights: []) }
    }

    /// GSL's status codes come back as errors: ln Γ has poles at 0, −1, −2, … (GSL_EDOM).
    @Test(arguments: [0.0, -1.0, -2.0])
    func logGammaPoleThrowsDomainError(x: Double) {
        do {
            _ = try SpecialFunctions.logGamma(x)
            Issue.record("no error at the pole \(x)")
        } catch {
            #expect(error.kind == .domain)
            #expect(error.message.contains("GSL status"))
        }
    }

    @Test func logBetaRejectsNonPositiveArguments() {
        #expect(throws: DistributionError.self) { try SpecialFunctions.logBeta(0, 1) }
    }

    @Test func quantileEndpointsAreInfiniteNotErrors() throws {
        #expect(try Normal.standard.quantile(0) == -.infinity)
        #expect(try Normal.standard.quantile(1) == .infinity)
        #expect(try Binomial(n: 10, p: 0.3).quantile(1) == 10)
    }
}
