import CasebridgeMapping
import CasebridgeModel
import Foundation

/// Runs a rule on one of its examples: writes the example as a small export (with its files) in a
/// fresh temporary folder, reads it through the reference mapping and returns the keys found.
package enum RuleExampleRunner {
    /// The key values of every finding `rule` makes on `example`, sorted.
    package static func keys(of rule: any IntegrityRule, on example: RuleExample, mapping: Mapping,
                             policy: Policy) throws -> [[String]] {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-example-\(UUID().uuidString)")
        let folder = root.appendingPathComponent("export")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (path, bytes) in example.files {
            let url = folder.appendingPathComponent(path).standardizedFileURL
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        let exportFile = folder.appendingPathComponent("export.xml")
        try Data(Fixture.export(Fixture.staff + example.sections, exportedAt: example.exportedAt).utf8).write(to: exportFile)
        let result = try CheckRun(mapping: mapping, policy: policy, rules: [rule]).run(export: exportFile.path)
        return result.document.findings.map { $0.key.map(\.value) }.sorted { $0.lexicographicallyPrecedes($1) }
    }
}
