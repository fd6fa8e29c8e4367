import Testing
@testable import Simulation

/// The slices of a sharded run: every (cell, replication) exactly once, in order, contiguous,
/// balanced by cost.
@Suite struct ShardingTests {
    typealias Cells = [(index: Int, replications: Int, cost: Double)]

    func pairs(_ cells: Cells, n: Int) -> [[(Int, Int)]] {
        (0..<n).map { i in Sharding.slice(i, of: n, cells: cells).flatMap { r in r.replications.map { (r.cell, $0) } } }
    }

    @Test(arguments: [1, 2, 3, 7, 8, 50, 400])
    func slicesCoverEveryReplicationOnceInOrder(n: Int) {
        let cells: Cells = [(0, 45, 1368), (1, 45, 3468), (2, 1, 10), (3, 200, 1e9), (4, 7, 0)]
        let all = pairs(cells, n: n).flatMap { $0 }
        let expected = cells.flatMap { c in (0..<c.replications).map { (c.index, $0) } }
        #expect(all.count == expected.count)
        #expect(zip(all, expected).allSatisfy { $0 == $1 })
    }

    @Test func slicesAreBalancedByCostNotCount() {
        // One cheap cell and one ten times as expensive: two shards split the cost, not the count.
        let cells: Cells = [(0, 100, 1), (1, 100, 10)]
        let s = (0..<2).map { Sharding.slice($0, of: 2, cells: cells) }
        func cost(_ ranges: [CellRange]) -> Double { ranges.reduce(0) { $0 + Double($1.replications.count) * (cells[$1.cell].cost) } }
        #expect(s[0].count == 2 && s[0][0] == CellRange(cell: 0, lower: 0, upper: 100))
        #expect(abs(cost(s[0]) - cost(s[1])) <= 10)
        // Equal costs: counts differ by at most one.
        let even = (0..<7).map { Sharding.slice($0, of: 7, cells: [(0, 100, 5)]) }
        let counts = even.map { $0.reduce(0) { $0 + $1.replications.count } }
        #expect(counts.max()! - counts.min()! <= 1 && counts.reduce(0, +) == 100)
    }

    @Test func moreSlicesThanReplicationsLeavesSomeEmpty() {
        let cells: Cells = [(0, 3, 1)]
        let s = (0..<5).map { Sharding.slice($0, of: 5, cells: cells) }
        #expect(s.filter(\.isEmpty).count == 2)
        #expect(s.flatMap { $0 }.reduce(0) { $0 + $1.replications.count } == 3)
    }
}
