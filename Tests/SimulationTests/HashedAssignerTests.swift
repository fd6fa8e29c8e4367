import Assignment
import Foundation
import Testing
@testable import Simulation

/// The harness's hashed assignment is the Assignment module's evaluator, unit for unit.
@Suite struct HashedAssignerTests {
    @Test(arguments: ["sha256", "growthbook_v2", "optimizely", "eppo"])
    func agreesWithTheEvaluator(scheme: String) throws {
        var study = Studies.aa(replications: 2, units: 1000, assignment: .hashed)
        study.experiment = ExperimentSpec(hash: scheme, variants: [("control", 0.3), ("b", 0.3), ("c", 0.4)], allocation: 0.8)
        let plan = try CellPlan(study: study, scenarioID: study.id, cellIndex: 3, factors: [FactorValue(key: "units", value: "1000")])
        // Replication 5 builds the cell's experiment; 6 and 7 re-salt the cached one.
        for r in [5, 6, 7] {
        let salt = ReplicationContext(plan: plan, replication: r).salt
        var assigner = try HashedAssigner(study: study, salt: salt)
        let evaluator = Evaluator(ruleset: try Ruleset(json: """
            {"experiments": [{"id": "\(study.id)", "salt": "\(salt)", "hash": "\(scheme)", "unit": "id", "allocation": 0.8,
              "variants": [{"name": "control", "weight": 0.3}, {"name": "b", "weight": 0.3}, {"name": "c", "weight": 0.4}]}]}
            """))
        var counts = [0, 0, 0, 0]
        // The block API (the fast path's) gives the same arms, in two blocks of unequal size.
        var blockAssigner = try HashedAssigner(study: study, salt: salt)
        let blocked = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 1000)
        defer { blocked.deallocate() }
        blockAssigner.arms(ofUnits: 0..<700, into: blocked)
        blockAssigner.arms(ofUnits: 700..<1000, into: UnsafeMutableBufferPointer(rebasing: blocked[700...]))
        for i in 0..<1000 {
            let arm = assigner.arm(ofUnit: i)
            #expect(Int(blocked[i]) == arm, "unit u\(i), block API")
            let a = evaluator.evaluate(["id": .string("u\(i)")], at: Date())[0]
            if case let .variant(index, _, _) = a.outcome {
                #expect(arm == index, "unit u\(i)")
            } else {
                #expect(arm == -1, "unit u\(i)")
            }
            counts[arm + 1] += 1
        }
        // About 20% outside the allocation, the rest split 30/30/40.
        #expect(counts[0] > 120 && counts[0] < 280, "\(counts)")
        }
    }

    @Test func eachReplicationHasItsOwnSalt() throws {
        let study = Studies.aa(replications: 2, units: 200, assignment: .hashed)
        let plan = try CellPlan(study: study, scenarioID: study.id, cellIndex: 0)
        var a = try HashedAssigner(study: study, salt: ReplicationContext(plan: plan, replication: 0).salt)
        var b = try HashedAssigner(study: study, salt: ReplicationContext(plan: plan, replication: 1).salt)
        let x = (0..<200).map { a.arm(ofUnit: $0) }, y = (0..<200).map { b.arm(ofUnit: $0) }
        #expect(x != y)
    }
}

@Suite struct IDBufferTests {
    @Test func consecutiveAndRandomIdsAreExact() {
        let b = IDBuffer()
        var seq = Array(0...1205) + [99_999, 100_000, 100_001, 7, 8, 999_999_999, 1_000_000_000]
        seq += [5, 4, 12_345]
        for i in seq {
            #expect(String(decoding: b.bytes(of: i), as: UTF8.self) == "u\(i)")
        }
    }
}
