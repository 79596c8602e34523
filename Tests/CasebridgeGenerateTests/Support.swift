import CasebridgeGenerate
import Foundation

/// One generated export in a temporary folder of its own, removed by ``remove()``.
struct Generated {
    let folder: URL
    let summary: GenerationSummary

    init(_ options: GeneratorOptions) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-generate-\(UUID().uuidString)", isDirectory: true)
        summary = try ExportGenerator(options: options).write(to: folder)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    var exportBytes: Data { get throws { try Data(contentsOf: summary.exportFile) } }

    var expectedBytes: Data { get throws { try Data(contentsOf: summary.expectedFindingsFile) } }

    func parsed() throws -> ParsedExport { try ParsedExport(file: summary.exportFile) }

    /// `expected-findings.json` as a JSON object.
    func expected() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: try expectedBytes) as! [String: Any]
    }

    func expectedFindings() throws -> [[String: Any]] {
        try expected()["findings"] as! [[String: Any]]
    }

    /// Every file under `attachments/`, by name, with its content.
    func attachments() throws -> [String: Data] {
        let folder = self.folder.appendingPathComponent("attachments")
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            out[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return out
    }
}

/// The key fields of each rule, in contract order.
let keyFields: [String: [String]] = [
    "document-not-uploaded": ["document"], "document-incomplete": ["document"],
    "orphan-reference": ["recordKind", "recordId"], "duplicate-id": ["recordKind", "recordId"],
    "invalid-value": ["recordKind", "recordId", "field"],
    "family-document-missing": ["origin", "child"], "replica-diverges": ["document"], "late-upload": ["document"],
    "visit-overdue": ["child"], "childs-voice-missing": ["document"], "required-section-missing": ["document", "section"],
    "plan-without-outcomes": ["plan"], "outcome-not-timebound": ["plan", "outcome"], "plan-review-overdue": ["plan"],
]

/// "rule|key1|key2…" for a finding of the JSON.
func identity(_ finding: [String: Any]) -> String {
    let rule = finding["rule"] as! String
    return ([rule] + keyFields[rule]!.map { finding[$0] as! String }).joined(separator: "|")
}

/// Small parts keep test exports small; the shape does not depend on the part size.
func testOptions(families: Int, seed: UInt64, defectRate: Double = 0.05) -> GeneratorOptions {
    GeneratorOptions(families: families, seed: seed, defectRate: defectRate, inlinePartBytes: 96)
}

func modeOf(_ url: URL) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as! NSNumber).intValue
}

/// The default severity of each rule.
let severities: [String: String] = [
    "family-document-missing": "critical", "document-not-uploaded": "critical", "document-incomplete": "critical",
    "replica-diverges": "high", "late-upload": "high", "visit-overdue": "high", "childs-voice-missing": "high",
    "required-section-missing": "medium", "plan-without-outcomes": "high", "outcome-not-timebound": "medium",
    "plan-review-overdue": "medium", "orphan-reference": "high", "duplicate-id": "critical", "invalid-value": "high",
]
