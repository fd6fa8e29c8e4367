import Distributions

/// The true effect of each variant, optionally by segment (DESIGN §2, step 3).
public struct TreatmentEffect: OutcomeComponent {
    public var kind: String { "effect" }
    public var estimand: String {
        segmentOverrides.contains { $0 != nil } ? "effect averaged over segments" : "constant effect"
    }

    /// Shift per arm (index 0, the control, has none).
    public let byArm: [MeanShift]
    /// Per arm: the segment attribute index whose level overrides the shift, and the shift per
    /// level (nil = no override for that level).
    public let segmentOverrides: [(attribute: Int, shifts: [MeanShift?])?]

    public init(byArm: [MeanShift], segmentOverrides: [(attribute: Int, shifts: [MeanShift?])?]) {
        self.byArm = byArm
        self.segmentOverrides = segmentOverrides
    }

    public func constantShift(forArm arm: Int) -> MeanShift? {
        segmentOverrides[arm] == nil ? byArm[arm] : nil
    }

    public func addShift(for unit: UnitContext, to shift: inout MeanShift) {
        var s = byArm[unit.arm]
        if let o = segmentOverrides[unit.arm], let level = o.shifts[unit.segmentLevels[o.attribute]] { s = level }
        shift.absolute += s.absolute
        shift.relative += s.relative
    }
}

