import Foundation
import Testing
@testable import Scenarios
@testable import Simulation

/// The keys the stratified design brought: `shared_factor_correlation`, `design: {kind:
/// stratified}`, `covariate: latent` and `stratify: {latent_quantiles: q}`.
@Suite struct StratifiedParsingTests {
    static let text = """
    schema: 1
    id: t.strat
    seed: 1
    replications: 10
    population: {units: 200, segments: {device: {a: 0.5, b: 0.5}}}
    metrics:
      - {name: y, kind: continuous, distribution: {normal: {mean: 0, sd: 1}}, shared_factor_correlation: 0.5}
      - {name: c, kind: binary, baseline: 0.1}
    experiment: {hash: growthbook_v2, variants: {control: 0.5, treatment: 0.5}}
    design: {kind: stratified, method: blocked, strata: {latent_quantiles: 4}, block_size: 4}
    analyses:
      - {id: w, metric: y, method: welch_t}
      - {id: cu, metric: y, method: cuped, covariate: latent}
      - {id: ps, metric: y, method: welch_t, stratify: {latent_quantiles: 4}}
      - {id: seg, metric: y, method: welch_t, stratify: {segment: device}}
    """

    @Test func theKeysParse() throws {
        let s = try Scenario.parse(Self.text, file: "s.yaml").cells[0].study
        #expect(s.metrics[0].sharedFactorCorrelation == 0.5)
        let d = try #require(s.design as? StratifiedDesign)
        #expect(d.method == .blocked && d.strata == .latentQuantiles(4) && d.blockSize == 4)
        #expect(s.analyses[1].options.latentCovariate)
        #expect(s.analyses[2].options.stratify == .units(.latentQuantiles(4)))
        #expect(s.analyses[3].options.stratify == .units(.segment(index: 0, name: "device", levels: 2)))
    }

    @Test(arguments: [
        ("shared_factor_correlation: 0.5}", "shared_factor_correlation: 1.0}", "metrics[0].shared_factor_correlation", "[0, 1)"),
        ("{name: c, kind: binary, baseline: 0.1}", "{name: c, kind: binary, baseline: 0.1, shared_factor_correlation: 0.3}", "metrics[1].shared_factor_correlation", "normal metrics only"),
        ("{id: cu, metric: y, method: cuped, covariate: latent}", "{id: cu, metric: y, method: welch_t, covariate: latent}", "analyses[1].covariate", "method: cuped"),
        ("{id: cu, metric: y, method: cuped, covariate: latent}", "{id: cu, metric: y, method: cuped, covariate: pre}", "analyses[1].covariate", "expected latent"),
        ("{id: cu, metric: y, method: cuped, covariate: latent}", "{id: cu, metric: y, method: cuped}", "analyses[1].method", "pre_period_correlation"),
        ("stratify: {segment: device}", "stratify: {segment: os}", "analyses[3].stratify.segment", "unknown segment \"os\""),
        ("stratify: {latent_quantiles: 4}}", "stratify: {latent_quantiles: 1}}", "analyses[2].stratify.latent_quantiles", "2 … 100"),
        ("method: blocked", "method: shuffled", "design.method", "simple, blocked or resalt"),
        ("block_size: 4}", "block_size: 4, rounds: 2}", "design.rounds", "unknown key"),
    ])
    func mistakeIsReportedWithKeyPath(_ from: String, _ to: String, _ path: String, _ message: String) throws {
        #expect(Self.text.contains(from))
        do {
            _ = try Scenario.parse(Self.text.replacingOccurrences(of: from, with: to), file: "bad.yaml")
            Issue.record("no error for \(to)")
        } catch {
            #expect(error.file.hasPrefix("bad.yaml"))
            #expect(error.keyPath.hasSuffix(path), "key path \(error.keyPath), wanted \(path) — \(error)")
            #expect(error.message.contains(message), "message \(error.message)")
        }
    }
}
