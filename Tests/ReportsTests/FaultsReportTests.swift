import Foundation
import Testing
@testable import Reports
import Simulation

/// The faults report renders what it is given: every section with its lesson before its
/// charts, one SVG per chart, and one tidy CSV row per measure whose estimate and MCSE columns
/// are the measure's (read from the committed calibration).
@Suite struct FaultsReportTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func committed(_ name: String) throws -> FaultsCalibration {
        let data = try Data(contentsOf: root.appendingPathComponent("results/calibration/\(name).json"))
        return try ResultFiles.decode(FaultsCalibration.self, from: data)
    }

    /// The faults report (8 sections) and the designs report (6 sections, its own title and
    /// file names) render from the same types.
    @Test(arguments: [("faults", 8, "Faults calibration"), ("designs", 6, "Designs calibration")])
    func sectionsLessonsAndCharts(_ file: String, _ sections: Int, _ title: String) throws {
        let c = try Self.committed(file)
        #expect(c.sections.count == sections)
        #expect(FaultsReport.markdown(c).hasPrefix("# \(title)\n") && FaultsReport.markdown(c).contains("`\(file).csv`"))
        let html = FaultsReport.html(c), md = FaultsReport.markdown(c)
        // One figure per chart (the verdict table's bars are SVGs too, outside figures).
        #expect(html.components(separatedBy: "<figure>").count - 1 == c.sections.reduce(0) { $0 + $1.charts.count })
        var cursor = html.startIndex
        for s in c.sections {
            #expect(md.contains("\(s.title)\n\n\(s.lesson)"), "\(s.title)")
            let lesson = try #require(html.range(of: Escape.html(s.lesson), range: cursor..<html.endIndex), "\(s.title)")
            // The section's first chart comes after its lesson.
            if let first = s.charts.first {
                let chart = try #require(html.range(of: Escape.html(first.title), range: lesson.upperBound..<html.endIndex))
                cursor = chart.upperBound
            }
            #expect(s.charts.allSatisfy { !$0.series.isEmpty && $0.series.allSatisfy { !$0.points.isEmpty } }, "\(s.title): an empty chart")
        }
    }

    @Test(arguments: ["faults", "designs"])
    func csvRowsCarryEachMeasure(_ file: String) throws {
        let c = try Self.committed(file)
        let lines = FaultsReport.csv(c).split(separator: "\n").map(String.init)
        #expect(lines.first == "section,scenario,cell,analysis,comparison,measure,estimate,mcse,replications,truth")
        var expected: [String] = []
        for s in c.sections {
            for cell in s.result.cells {
                for comparison in cell.comparisons {
                    for m in comparison.measures {
                        expected.append([m.measure.rawValue, Num.csv(m.estimate), Num.csv(m.mcse), String(m.replications)].joined(separator: ","))
                    }
                }
            }
        }
        #expect(lines.count - 1 == expected.count)
        for (line, want) in zip(lines.dropFirst(), expected) {
            #expect(line.contains("," + want + ","), "\(line) should hold \(want)")
        }
    }
}
