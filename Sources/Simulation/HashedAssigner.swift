import Assignment

/// `assignment: hashed`: each unit goes through the Assignment module's hash scheme with a
/// salt unique to the replication, and its bucket is mapped to an arm by the module's bucket
/// ranges (coverage × weight, cumulative starts).
struct HashedAssigner: ArmAssigner {
    init(plan: CellPlan, replication r: Int) throws(SimulationError) {
        throw SimulationError("hashed assignment is wired in once the Assignment module lands")
    }

    mutating func arm(ofUnit i: Int) -> Int { -1 }
}
