import Assignment

/// Seed 001's bucketing bug (`design: {kind: percent_ranges_bug}`), for the bench to catch.
/// The seed's sample assignment code builds cumulative variant ranges with `allocation × 100`
/// while its buckets run 0–9 999, so with a 50/50 split buckets 0–49 go to the control, 50–99
/// to the treatment and every other bucket to the last variant (its fallback): 0.5% control,
/// 99.5% treatment. The bucket is the Assignment module's bucket of `u<i>` under the
/// scenario's hash scheme and the replication's salt (the real hash); only the range step is
/// the bug's.
///
/// Truth: unchanged (units still get arms at random, so estimates stay unbiased). What it
/// changes: the arm sizes (the SRM check against the intended weights flags it) and the power
/// (the control is tiny).
public struct PercentRangesBug: Design {
    public var kind: String { "percent_ranges_bug" }
    public var analysisUnit: AnalysisUnitKind { .unit }
    let study: Study

    public init(_ study: Study) { self.study = study }

    public static func make(_ c: ComponentConfig, _ study: Study) throws(SimulationError) -> any Design {
        try c.checkKeys([])
        guard study.experiment.ruleset == nil, study.experiment.assignment == .hashed else {
            throw SimulationError(keyPath: "\(c.keyPath).kind", "the bucketing bug needs hashed assignment without a production ruleset")
        }
        return PercentRangesBug(study)
    }

    public func updateDays(study: Study) -> [Double] { [] }

    public func start(_ context: ReplicationContext, table: ColumnTable) throws(SimulationError) -> any DesignRun {
        let hashed = try HashedAssigner(study: study, salt: context.salt)
        return Run(hasher: hashed.hasher, weights: study.experiment.variants.map(\.weight))
    }

    final class Run: DesignRun {
        let hasher: SaltedHasher
        let weights: [Double]
        let id = IDBuffer()
        init(hasher: SaltedHasher, weights: [Double]) {
            self.hasher = hasher
            self.weights = weights
        }

        /// The seed's loop: `cumulative += allocation * 100; if bucket < cumulative: return
        /// variant`, else the last variant.
        func arm(ofBucket bucket: UInt32) -> Int {
            var cumulative = 0.0
            for (k, w) in weights.enumerated() {
                cumulative += w * 100
                if Double(bucket) < cumulative { return k }
            }
            return weights.count - 1
        }

        func assign(period: Period, units: Range<Int>, table: ColumnTable) {
            let arm = table.arm, exposure = table.firstExposure, arrival = table.arrival
            for i in units {
                arm[i] = Int32(self.arm(ofBucket: hasher.bucket(utf8: id.bytes(of: i))))
                exposure[i] = arrival[i]
            }
        }

        func periodEnded(_ period: Period, statistics: PeriodStatistics) {}
    }
}
