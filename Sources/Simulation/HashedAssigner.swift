import Assignment
import Foundation

/// `assignment: hashed`: every unit goes through the Assignment module. Each replication gets
/// a real `Ruleset` built from the scenario — one experiment with the scenario's hash scheme,
/// allocation and variant weights, and a salt unique to the replication
/// (`<scenario>/<cell>/<replication>`) — validated by the module's loader. A unit's variant is
/// what the evaluator's allocation step gives: the scheme's bucket of the unit id, mapped
/// through the experiment's bucket ranges (coverage × weight). The id of unit i is `u<i>`,
/// written into a reused byte buffer so no `String` is built per unit.
struct HashedAssigner: ArmAssigner {
    let experiment: Experiment
    var buffer = [UInt8](repeating: 0, count: 24)

    init(plan: CellPlan, replication r: Int) throws(SimulationError) {
        let e = plan.study.experiment
        let salt = "\(plan.study.id)/\(plan.cellIndex)/\(r)"
        let variants = e.variants.map { ["name": $0.name, "weight": $0.weight] as [String: Any] }
        let json: [String: Any] = ["experiments": [[
            "id": plan.study.id, "salt": salt, "hash": e.hash, "unit": "id", "allocation": e.allocation, "variants": variants,
        ]]]
        let data: Data
        let ruleset: Ruleset
        do {
            data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
            ruleset = try Ruleset(json: data)
        } catch {
            throw SimulationError("experiment: the Assignment module rejected the ruleset built from the scenario: \(error)")
        }
        guard let x = ruleset.experiments.first else { throw SimulationError("experiment: empty ruleset") }
        experiment = x
        buffer[0] = UInt8(ascii: "u")
    }

    mutating func arm(ofUnit i: Int) -> Int {
        // Write the decimal digits of i after the "u".
        var digits = 0, v = i
        repeat { digits += 1; v /= 10 } while v > 0
        v = i
        var k = digits
        while k > 0 { buffer[k] = UInt8(truncatingIfNeeded: 48 + v % 10); v /= 10; k -= 1 }
        let bucket = buffer.withUnsafeBufferPointer { experiment.hasher.bucket(utf8: UnsafeBufferPointer(rebasing: $0[0...digits])) }
        return experiment.variantIndex(forBucket: bucket) ?? -1
    }
}
