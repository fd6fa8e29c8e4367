import Distributions

/// Puts unit i into an arm (0 = control) or leaves it out (−1: outside the traffic allocation).
public protocol ArmAssigner {
    mutating func arm(ofUnit i: Int) -> Int
    /// The arms of units `units` (consecutive), in order, into `out` (`out.count ≥
    /// units.count`): the same values, in the same order of random draws, as calling
    /// ``arm(ofUnit:)`` for each. Assigners that can batch (hashing a block of ids at once)
    /// override it.
    mutating func arms(ofUnits units: Range<Int>, into out: UnsafeMutableBufferPointer<Int32>)
}

extension ArmAssigner {
    public mutating func arms(ofUnits units: Range<Int>, into out: UnsafeMutableBufferPointer<Int32>) {
        var k = 0
        for i in units {
            out[k] = Int32(truncatingIfNeeded: arm(ofUnit: i))
            k += 1
        }
    }
}

/// `assignment: ideal`: each unit's arm is an independent draw from the design weights, with
/// probability `allocation` of being enrolled at all — the randomisation the hash imitates.
/// It maps one uniform u to "not enrolled" (u ≥ allocation) or the arm whose cumulative weight
/// range holds u/allocation, the same geometry as the Assignment module's bucket ranges.
public struct IdealAssigner: ArmAssigner {
    let stream: RandomStream
    let cumulative: [Double]
    let allocation: Double

    public init(stream: RandomStream, weights: [Double], allocation: Double) {
        self.stream = stream
        var acc = 0.0
        cumulative = weights.map { acc += $0; return acc }
        self.allocation = allocation
    }

    public mutating func arm(ofUnit i: Int) -> Int {
        let u = stream.uniform()
        guard u < allocation else { return -1 }
        let v = u / allocation
        for (k, c) in cumulative.enumerated() where v < c { return k }
        return cumulative.count - 1
    }
}

