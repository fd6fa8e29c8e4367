import Assignment
import Foundation
import Synchronization

/// `assignment: hashed` without a production ruleset: the Assignment module's plain
/// hash-and-range step, unit by unit, without building a `String` per unit. Each replication
/// gets a real `Ruleset` built from the scenario — one experiment with the scenario's hash
/// scheme, allocation and variant weights, and the replication's salt — validated by the
/// module's loader; a unit's arm is `Experiment.variantIndex(forBucket:)` of the scheme's
/// bucket of `u<i>` (the id written into a reused byte buffer), or −1 outside the allocation.
/// `FixedSplitTests` proves it equal to `Evaluator.evaluate` unit by unit.
///
/// The ruleset is built and validated once per distinct experiment (id, scheme, allocation,
/// variants) and then only re-salted (``Experiment/resalted(_:)``) for each replication: the
/// salt is the only thing that differs between replications, and building a ruleset through
/// JSON costs ≈ 40 µs, which dominated small-population studies.
public struct HashedAssigner: ArmAssigner {
    let experiment: Experiment
    let hasher: SaltedHasher
    /// The arm of each bucket (`Experiment.variantIndex(forBucket:)`, −1 outside the
    /// allocation), tabulated once per experiment: it does not depend on the salt.
    let armOfBucket: [Int32]
    /// The id of the last unit, "u<digits>", kept as ASCII so the next id is an odometer step.
    let id: IDBuffer

    /// The ruleset JSON the scenario's experiment stands for, with `salt`.
    public static func rulesetJSON(study: Study, salt: String) -> JSONValue {
        let e = study.experiment
        let variants = e.variants.map { JSONValue.object(["name": .string($0.name), "weight": .number($0.weight)]) }
        return .object(["experiments": .array([.object([
            "id": .string(study.id), "salt": .string(salt), "hash": .string(e.hash), "unit": .string("id"),
            "allocation": .number(e.allocation), "variants": .array(variants),
        ])])])
    }

    public init(study: Study, salt: String) throws(SimulationError) {
        self.init(template: try Self.validated(study), salt: salt)
    }

    /// A cell's validated experiment and its bucket → arm table.
    typealias Template = (experiment: Experiment, armOfBucket: [Int32])

    /// The assigner of a validated template under `salt`: the experiment's own hasher
    /// (``Experiment/resalted(_:)`` builds the same `SaltedHasher(scheme:salt:)`); the
    /// experiment itself is not copied, since its bucket → arm map does not depend on the salt.
    init(template: Template, salt: String) {
        experiment = template.experiment
        armOfBucket = template.armOfBucket
        hasher = SaltedHasher(scheme: template.experiment.hash, salt: salt)
        id = IDBuffer()
    }

    /// What makes two studies' rulesets equal apart from the salt.
    struct TemplateKey: Hashable {
        let id: String
        let hash: String
        let allocation: Double
        let variants: [String]
        let weights: [Double]
    }

    /// Validated experiments by template, shared by every worker (a handful per process).
    static let templates = Mutex<[TemplateKey: Template]>([:])

    /// The study's experiment, built from ``rulesetJSON(study:salt:)`` and validated by the
    /// Assignment module's loader the first time, from the cache afterwards.
    static func validated(_ study: Study) throws(SimulationError) -> Template {
        let e = study.experiment
        let key = TemplateKey(id: study.id, hash: e.hash, allocation: e.allocation, variants: e.variants.map(\.name), weights: e.variants.map(\.weight))
        if let x = templates.withLock({ $0[key] }) { return x }
        let ruleset: Ruleset
        do {
            ruleset = try Ruleset(jsonValue: HashedAssigner.rulesetJSON(study: study, salt: "template"))
        } catch {
            throw SimulationError("experiment: the Assignment module rejected the ruleset built from the scenario: \(error)")
        }
        guard let x = ruleset.experiments.first else { throw SimulationError("experiment: empty ruleset") }
        let table = (0..<x.hash.bucketCount).map { Int32(x.variantIndex(forBucket: $0) ?? -1) }
        templates.withLock { $0[key] = (x, table) }
        return (x, table)
    }

    /// The variant index of unit i: `Experiment.variantIndex(forBucket:)` of the scheme's
    /// bucket of "u<i>", or −1 outside the allocation.
    @inline(__always)
    public mutating func arm(ofUnit i: Int) -> Int {
        let bucket = hasher.bucket(utf8: id.bytes(of: i))
        return experiment.variantIndex(forBucket: bucket) ?? -1
    }

    /// The arms of consecutive units: the block's buckets at once
    /// (`SaltedHasher.buckets(ofConsecutiveIDs:into:)`, SIMD lanes for the SHA-256 and FNV
    /// schemes), then the tabulated arm of each bucket — equal to ``arm(ofUnit:)``, which
    /// `HashedAssignerTests` checks unit by unit.
    public mutating func arms(ofUnits units: Range<Int>, into out: UnsafeMutableBufferPointer<Int32>) {
        let hasher = self.hasher
        #if DEBUG
        // Unoptimised SIMD lanes are slower than the scalar hash by orders of magnitude, so a
        // debug build (the unit tests) hashes unit by unit; BatchHashingTests check the lanes
        // against the scalar path, and release builds (gates, benchmarks) take the lanes.
        armOfBucket.withUnsafeBufferPointer { table in
            var k = 0
            for i in units {
                out[k] = table[Int(hasher.bucket(utf8: id.bytes(of: i)))]
                k += 1
            }
        }
        #else
        let buckets = id.scratch(units.count)
        armOfBucket.withUnsafeBufferPointer { table in
            hasher.buckets(ofConsecutiveIDs: units, into: buckets)
            for k in 0..<units.count { out[k] = table[Int(buckets[k])] }
        }
        #endif
    }
}

/// A reusable byte buffer holding "u<i>" in ASCII (and a reusable bucket buffer). Consecutive ids are produced by an
/// odometer increment of the decimal digits, any other id by rewriting them.
final class IDBuffer {
    private let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: 24)
    private var last = -1
    private var length = 0

    /// Room for the buckets of a block of ids (``HashedAssigner/arms(ofUnits:into:)``).
    private var buckets = UnsafeMutableBufferPointer<UInt32>(start: nil, count: 0)

    init() { storage[0] = UInt8(ascii: "u") }
    deinit {
        storage.deallocate()
        buckets.deallocate()
    }

    /// A buffer of at least `count` buckets, reused from call to call.
    func scratch(_ count: Int) -> UnsafeMutableBufferPointer<UInt32> {
        if buckets.count < count {
            buckets.deallocate()
            buckets = .allocate(capacity: max(count, 256))
        }
        return UnsafeMutableBufferPointer(rebasing: buckets[0..<count])
    }

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
