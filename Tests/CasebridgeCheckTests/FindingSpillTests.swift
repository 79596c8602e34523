@testable import CasebridgeCheck
import CasebridgeGenerate
import CasebridgeModel
import Foundation
import TestSupport
import Testing

/// Findings kept in a temporary file until they are written read back as they went in, in contract
/// order, and a check that spills them writes byte for byte what one that holds them writes.
struct FindingSpillTests {
    private func finding(_ rule: String, _ severity: Severity, _ id: String, context: [FindingField] = [],
                         source: CasebridgeModel.SourceLocation? = nil) -> Finding {
        Finding(rule: rule, severity: severity, key: [FindingField("document", id)], context: context,
                message: "\(id): a message with “quotes”, é and 🙂, and a long tail " + String(repeating: "x", count: 200),
                source: source)
    }

    @Test func `findings read back whole and in contract order, whatever order their runs arrived in`() throws {
        let spill = try FindingSpill()
        let late: [Finding] = [finding("late-upload", .high, "D-2"), finding("late-upload", .high, "D-10")]
        let incomplete: [Finding] = [
            finding("document-incomplete", .critical, "D-9", context: [FindingField("child", "C-1"), FindingField("family", "F-1")],
                    source: CasebridgeModel.SourceLocation(file: "exports/a b.xml", line: 300, lines: [300, 4000, 1_000_000])),
            finding("document-incomplete", .critical, "D-1", source: CasebridgeModel.SourceLocation(file: "x.xml", line: 7)),
        ]
        let duplicate: [Finding] = [Finding(rule: "duplicate-id", severity: .critical,
                                 key: [FindingField("recordKind", "Person"), FindingField("recordId", "")], message: "")]
        try spill.append(late)
        try spill.append(incomplete + duplicate)
        try spill.append([])
        #expect(spill.count == 5)
        #expect(spill.worstSeverity == .critical)

        var read: [Finding] = []
        spill.forEach { read.append($0) }
        #expect(read == (late + incomplete + duplicate).sorted(by: Finding.contractOrder))
        // A second pass reads the same.
        var again: [Finding] = []
        spill.forEach { again.append($0) }
        #expect(again == read)
    }

    @Test func `an empty spill has no findings and no worst severity`() throws {
        let spill = try FindingSpill()
        var read = 0
        spill.forEach { _ in read += 1 }
        #expect(read == 0 && spill.count == 0 && spill.worstSeverity == nil)
    }

    @Test func `a judge that spills writes every format as one that holds the findings`() throws {
        let folder = try TemporaryFolder()
        let staged = try stagedMix(families: 40, seed: 5, in: folder)
        let held = try Judge(policy: Reference.policy).judge(staged).document
        var spilling = Judge(policy: Reference.policy)
        spilling.spillsFindings = true
        let spilled = try spilling.judge(staged).document
        #expect(held.findingCount > 50)
        #expect(spilled.findingCount == held.findingCount)
        #expect(spilled.worstSeverity == held.worstSeverity)
        #expect(spilled.findings == held.findings)
        #expect(spilled.countsByRule.map { "\($0.0)=\($0.1)" } == held.countsByRule.map { "\($0.0)=\($0.1)" })
        for format in FindingsFormat.allCases {
            #expect(spilled.rendered(as: format) == held.rendered(as: format), "\(format)")
        }
    }
}
