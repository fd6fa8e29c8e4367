import Assignment
import Foundation
import Testing
@testable import Simulation

/// The bucketing-bug design reproduces seed 001's code exactly: on the cases the verbatim
/// Python produced (`scripts/reference/seed001_buggy.py`, sha256 of
/// "exp-checkout-progress-bar:user-N" % 10 000), every variant matches, and the arms come out
/// 0.5% / 99.5% as the seed's 200 / 39 800 over 40 000 users.
@Suite struct PercentRangesBugTests {
    struct Fixture: Decodable {
        let experiment: String
        let cases: [[String]]
    }

    @Test func matchesTheSeedsVerbatimCode() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/seed001-buggy-cases", withExtension: "json"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let hasher = HashScheme.sha256
        let run = PercentRangesBug.Run(hasher: SaltedHasher(scheme: .sha256, salt: fixture.experiment), weights: [0.5, 0.5])
        #expect(fixture.cases.count > 20)
        for c in fixture.cases {
            let bucket = hasher.bucket(salt: fixture.experiment, unit: c[0])
            #expect(["control", "treatment"][run.arm(ofBucket: bucket)] == c[1], "\(c[0])")
        }
        var control = 0
        for i in 0..<40_000 where run.arm(ofBucket: hasher.bucket(salt: fixture.experiment, unit: "user-\(i)")) == 0 { control += 1 }
        #expect(control == 200)
    }
}
