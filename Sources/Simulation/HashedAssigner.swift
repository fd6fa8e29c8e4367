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
    let hasher: SaltedHasher
    /// The id of the last unit, "u<digits>", kept as ASCII so the next id is an odometer step.
    let id: IDBuffer

    init(plan: CellPlan, replication r: Int) throws(SimulationError) {
        let e = plan.study.experiment
        let salt = "\(plan.study.id)/\(plan.cellIndex)/\(r)"
        let variants = e.variants.map { ["name": $0.name, "weight": $0.weight] as [String: Any] }
        let json: [String: Any] = ["experiments": [[
            "id": plan.study.id, "salt": salt, "hash": e.hash, "unit": "id", "allocation": e.allocation, "variants": variants,
        ]]]
        let ruleset: Ruleset
        do {
            let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
            ruleset = try Ruleset(json: data)
        } catch {
            throw SimulationError("experiment: the Assignment module rejected the ruleset built from the scenario: \(error)")
        }
        guard let x = ruleset.experiments.first else { throw SimulationError("experiment: empty ruleset") }
        experiment = x
        hasher = x.hasher
        id = IDBuffer()
    }

    /// The variant index of unit i: `Experiment.variantIndex(forBucket:)` of the scheme's
    /// bucket of "u<i>", or −1 outside the allocation.
    @inline(__always)
    mutating func arm(ofUnit i: Int) -> Int {
        let bucket = hasher.bucket(utf8: id.bytes(of: i))
        return experiment.variantIndex(forBucket: bucket) ?? -1
    }
}

/// A reusable byte buffer holding "u<i>" in ASCII. Consecutive ids are produced by an
/// odometer increment of the decimal digits, any other id by rewriting them.
final class IDBuffer {
    private let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: 24)
    private var last = -1
    private var length = 0

    init() { storage[0] = UInt8(ascii: "u") }
    deinit { storage.deallocate() }

    @inline(__always)
    func bytes(of i: Int) -> UnsafeBufferPointer<UInt8> {
        if i == last + 1 && last >= 0 {
            var k = length - 1
            while k >= 1 && storage[k] == UInt8(ascii: "9") { storage[k] = UInt8(ascii: "0"); k -= 1 }
            if k >= 1 {
                storage[k] += 1
            } else {  // 99…9 → 100…0
                storage[1] = UInt8(ascii: "1")
                storage[length] = UInt8(ascii: "0")
                length += 1
            }
        } else {
            var digits = 0, v = i
            repeat { digits += 1; v /= 10 } while v > 0
            v = i
            for k in stride(from: digits, through: 1, by: -1) { storage[k] = UInt8(truncatingIfNeeded: 48 + v % 10); v /= 10 }
            length = digits + 1
        }
        last = i
        return UnsafeBufferPointer(start: storage, count: length)
    }
}
