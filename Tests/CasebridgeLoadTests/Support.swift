import CasebridgeTarget
import CasebridgeCheck
import CasebridgeGenerate
import CasebridgeLoad
import CasebridgeMapping
import CasebridgeModel
import CasebridgeStore
import Crypto
import Foundation
import TestSupport
import Testing


/// A generated export on disk with the generator's expected findings.
struct GeneratedExport: Sendable {
    let export: String
    let expectedFindings: String

    /// Generates an export into `folder`: by default one the whole run shares, removed when the process exits.
    static func make(families: Int, seed: UInt64, partBytes: Int? = nil, sequence: Int = 412,
                     into folder: URL = TemporaryFolder.shared("load-export")) -> GeneratedExport {
        var options = GeneratorOptions(families: families, seed: seed)
        if let partBytes { options.inlinePartBytes = partBytes }
        options.sequence = sequence
        options.exportId = "EXP-\(sequence)"
        let summary = try! ExportGenerator(options: options).write(to: folder)
        return GeneratedExport(export: summary.exportFile.path, expectedFindings: summary.expectedFindingsFile.path)
    }

    /// Generated once per test run and shared (read only) by the tests that need them.
    static let small = make(families: 120, seed: 5)
    static let smallOther = make(families: 120, seed: 6, sequence: 413)

    /// A copy of this export beside it (so that its hrefs still lead to its attachments) with another
    /// sequence and exportId, and `edit` applied to its lines (an edit that adds or drops records
    /// leaves out the `<Totals>` trailer, as an export of schema 2.3 would). Removed by the caller.
    func copy(sequence: Int, withoutTotals: Bool = false, edit: (inout [String]) throws -> Void = { _ in }) throws -> String {
        var lines = try readLines(export)
        if withoutTotals, let start = lines.firstIndex(of: "  <Totals>"), let end = lines.firstIndex(of: "  </Totals>") {
            lines.removeSubrange(start...end)
        }
        let root = try #require(lines.firstIndex { $0.contains(" sequence=\"") })
        lines[root] = lines[root].replacing(/sequence="\d+"/, with: "sequence=\"\(sequence)\"")
            .replacing(/exportId="[^"]*"/, with: "exportId=\"EXP-\(sequence)\"")
        try edit(&lines)
        let path = URL(fileURLWithPath: export).deletingLastPathComponent().appendingPathComponent("copy-\(UUID().uuidString).xml").path
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}

func migrate(_ export: String, into target: String, dryRun: Bool = false, mapping: TargetMapping = Reference.targetMapping,
             lockTimeout: Double = 5, allowDeletions: Bool = false) throws -> MigrationResult {
    var migration = Migration(mapping: Reference.mapping, policy: Reference.policy, target: mapping)
    migration.lockTimeout = lockTimeout
    migration.allowDeletions = allowDeletions
    return try migration.run(export: export, displayName: "export.xml", into: target, dryRun: dryRun)
}

/// The SHA-256 of a file's bytes, or `nil` when it does not exist.
func fileHash(_ path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}

/// Every row of every table of a database (of those whose name `including` takes), as text, for comparing
/// two states. Only the tables taken are read.
func dump(_ path: String, including: (String) -> Bool = { _ in true }) throws -> [String: [String]] {
    let database = try Database(path: path, readOnly: true, create: false)
    var tables: [String: [String]] = [:]
    for table in try database.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap({ $0["name"] }) where including(table) {
        let columns = try database.rows("SELECT name FROM pragma_table_info(?)", [.text(table)]).compactMap { $0["name"] }
        let expression = columns.map { "quote(\"\($0)\")" }.joined(separator: " || '|' || ")
        tables[table] = try database.rows("SELECT \(expression) AS line FROM \"\(table)\"").compactMap { $0["line"] }.sorted()
    }
    return tables
}

func count(_ database: Database, _ sql: String, _ values: [SQLValue] = []) throws -> Int {
    try database.scalar(sql, values)?.int ?? -1
}
