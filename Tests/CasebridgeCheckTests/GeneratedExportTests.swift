import CasebridgeCheck
import CasebridgeGenerate
import CasebridgeModel
import Foundation
import TestSupport
import Testing

/// A generated export's variant: layout options that must not change a single finding.
struct Variant: Sendable, CustomTestStringConvertible {
    let seed: UInt64
    let prefix: Bool
    let crlf: Bool
    let bom: Bool
    var families = 200
    /// Small parts keep the 1,000-family exports quick to write and read.
    var partBytes: Int?
    var testDescription: String {
        "\(families) families, seed \(seed)" + (prefix ? ", prefix" : "") + (crlf ? ", CRLF" : "") + (bom ? ", BOM" : "")
    }

    static let all: [Variant] = [
        Variant(seed: 1, prefix: false, crlf: false, bom: false),
        Variant(seed: 1, prefix: true, crlf: false, bom: false),
        Variant(seed: 1, prefix: false, crlf: true, bom: false),
        Variant(seed: 1, prefix: false, crlf: false, bom: true),
        Variant(seed: 2, prefix: true, crlf: true, bom: true),
        Variant(seed: 3, prefix: false, crlf: false, bom: false),
        Variant(seed: 4, prefix: true, crlf: true, bom: true, families: 1000, partBytes: 128),
        Variant(seed: 5, prefix: false, crlf: false, bom: false, families: 1000, partBytes: 128),
    ]
}

/// The identities and counts of a findings document in JSON.
struct FindingsSummary: Equatable {
    var findings: [String]
    var records: [String: Int]
    var quarantined: Int

    /// The key fields of each rule, from `docs/findings-format.md`.
    static let keyFields: [String: [String]] = [
        "family-document-missing": ["origin", "child"],
        "document-not-uploaded": ["document"], "document-incomplete": ["document"], "replica-diverges": ["document"],
        "late-upload": ["document"], "childs-voice-missing": ["document"],
        "required-section-missing": ["document", "section"], "visit-overdue": ["child"],
        "plan-without-outcomes": ["plan"], "plan-review-overdue": ["plan"], "outcome-not-timebound": ["plan", "outcome"],
        "orphan-reference": ["recordKind", "recordId"], "duplicate-id": ["recordKind", "recordId"],
        "invalid-value": ["recordKind", "recordId", "field"],
    ]

    init(json data: Data) throws {
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let list = try #require(object["findings"] as? [[String: Any]])
        findings = list.map { finding in
            let rule = finding["rule"] as? String ?? "?"
            let severity = finding["severity"] as? String ?? "?"
            let keys = (Self.keyFields[rule] ?? []).map { name in "\(name)=\(finding[name] as? String ?? "-")" }
            return "\(severity) \(rule) \(keys.joined(separator: " "))"
        }.sorted()
        let counts = try #require(object["counts"] as? [String: Any])
        records = try #require(counts["records"] as? [String: Int])
        quarantined = try #require(counts["quarantined"] as? Int)
    }
}

struct GeneratedExportTests {
    @Test(arguments: Variant.all)
    func `check reports exactly the generator's expected findings`(_ variant: Variant) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-generated-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = GeneratorOptions(families: variant.families, seed: variant.seed)
        if let partBytes = variant.partBytes { options.inlinePartBytes = partBytes }
        options.prefixedNamespace = variant.prefix
        options.crlf = variant.crlf
        options.bom = variant.bom
        options.defectRate = 0.08
        let summary = try ExportGenerator(options: options).write(to: folder)
        let expected = try FindingsSummary(json: Data(contentsOf: summary.expectedFindingsFile))
        #expect(expected.findings.count > 20, "the generator should inject a fair number of defects")
        #expect(Set(expected.findings.map { $0.split(separator: " ")[1] }).count == 14, "every rule should be exercised")

        let result = try CheckRun(mapping: Reference.mapping, policy: Reference.policy).run(export: summary.exportFile.path, displayName: "export.xml")
        let found = try FindingsSummary(json: Data(result.document.json.serialised().utf8))
        let missed = Set(expected.findings).subtracting(found.findings).sorted()
        let extra = Set(found.findings).subtracting(expected.findings).sorted()
        #expect(missed.isEmpty, "missed: \(missed.prefix(10))")
        #expect(extra.isEmpty, "extra: \(extra.prefix(10))")
        #expect(found.records == expected.records)
        #expect(found.quarantined == expected.quarantined)
    }

    @Test func `the same seed writes the same findings byte for byte`() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-generated-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let summary = try ExportGenerator(options: GeneratorOptions(families: 30, seed: 9)).write(to: folder)
        let first = try CheckRun(mapping: Reference.mapping, policy: Reference.policy).run(export: summary.exportFile.path, displayName: "export.xml")
        let second = try CheckRun(mapping: Reference.mapping, policy: Reference.policy).run(export: summary.exportFile.path, displayName: "export.xml")
        #expect(first.document.json.serialised() == second.document.json.serialised())
    }
}
