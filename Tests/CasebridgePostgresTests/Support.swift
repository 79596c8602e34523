import CasebridgeGenerate
import CasebridgeLoad
import CasebridgeStore
@testable import CasebridgeTarget
import Foundation
import TestSupport
import Testing

/// Generated exports shared (read only) by the PostgreSQL tests, written once per test run.
enum Exports {
    static func make(families: Int, seed: UInt64, sequence: Int) -> String {
        let folder = TemporaryFolder.shared("pg-export-\(families)-\(seed)")
        var options = GeneratorOptions(families: families, seed: seed)
        options.inlinePartBytes = 96
        options.sequence = sequence
        options.exportId = "EXP-\(sequence)"
        return try! ExportGenerator(options: options).write(to: folder).exportFile.path
    }

    static let small = make(families: 80, seed: 5, sequence: 412)
    static let smallOther = make(families: 80, seed: 6, sequence: 413)
}

/// Migrates `export` into `target` (an SQLite path or a PostgreSQL URI), naming it `export.xml`.
@discardableResult
func migrate(_ export: String, into target: String, mapping: TargetMapping = Reference.targetMapping, dryRun: Bool = false,
             allowDeletions: Bool = false, lockTimeout: Double = 5, progress: @escaping (String) -> Void = { _ in }) throws -> MigrationResult {
    var migration = Migration(mapping: Reference.mapping, policy: Reference.policy, target: mapping)
    migration.allowDeletions = allowDeletions
    migration.lockTimeout = lockTimeout
    return try migration.run(export: export, displayName: "export.xml", into: target, dryRun: dryRun, progress: progress)
}

/// The rows of a target's tables as text, values normalised by type so that an SQLite target and a
/// PostgreSQL one compare: dates as `yyyy-MM-dd`, instants as `yyyy-MM-ddTHH:mm:ss[.f]Z` in UTC, NULL as `∅`.
enum TargetRows {
    /// The rows of `table` (its `columns`, every one when `nil`), sorted, in an SQLite target.
    static func sqlite(_ path: String, _ table: String, columns: [String]? = nil) throws -> [String] {
        let database = try Database(path: path, readOnly: true, create: false)
        let known = try database.rows("SELECT name, upper(type) AS type FROM pragma_table_info(?) ORDER BY cid", [.text(table)])
        let chosen = columns.map { names in names.compactMap { name in known.first { $0["name"] == name } } } ?? known
        let values = chosen.map { row in
            // Bytes as hex, as PostgreSQL's bytea is read below.
            row["type"] == "BLOB" ? "lower(hex(\(quotedName(row["name"] ?? ""))))" : quotedName(row["name"] ?? "")
        }
        return try database.rows("SELECT \(values.joined(separator: ", ")) FROM \(quotedName(table))").map { row in
            row.values.map { normalised($0.string) }.joined(separator: "|")
        }.sorted()
    }

    /// The rows of `table` (its `columns`, every one when `nil`), sorted, in the PostgreSQL target at
    /// `uri` (schema `schema`).
    static func postgres(_ uri: String, _ table: String, columns: [String]? = nil, schema: String = "casebridge") throws -> [String] {
        let connection = try PostgresConnection(uri)
        let known = try PostgresCatalog(connection: connection, schema: schema).tables([table])[table] ?? []
        let chosen = columns.map { names in names.compactMap { name in known.first { $0.name == name } } } ?? known
        let values = chosen.map { column in
            switch column.type {
            case "timestamp with time zone":
                "to_char(\(quotedName(column.name)) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
            case "date": "to_char(\(quotedName(column.name)), 'YYYY-MM-DD')"
            case "bytea": "encode(\(quotedName(column.name)), 'hex')"
            default: quotedName(column.name) + "::text"
            }
        }
        return try connection.rows("SELECT \(values.joined(separator: ", ")) FROM \(quotedName(schema)).\(quotedName(table))").map { row in
            row.values.map { normalised($0.string) }.joined(separator: "|")
        }.sorted()
    }

    /// A value as both engines' rows are compared: an instant's fraction without trailing zeros.
    static func normalised(_ value: String?) -> String {
        guard let value else { return "∅" }
        guard value.count >= 20, value.hasSuffix("Z"), value.dropFirst(10).first == "T", let dot = value.firstIndex(of: ".") else { return value }
        var fraction = value[value.index(after: dot)..<value.index(before: value.endIndex)]
        while fraction.hasSuffix("0") { fraction = fraction.dropLast() }
        return String(value[..<dot]) + (fraction.isEmpty ? "" : "." + fraction) + "Z"
    }

    /// The data tables of the built-in target mapping, with the content table.
    static var dataTables: [String] { Reference.targetMapping.tables.map(\.table) + ["cb_content"] }
}

/// The findings and quarantine a run stored, row by row (every column but the run's id and order).
enum RunRows {
    static let findingColumns = ["rule", "severity", "identity", "key_json", "context_json", "record_kind", "record_id", "child", "family",
                                 "document", "team", "event_date", "message", "source_file", "source_line", "first_run"]
    static let quarantineColumns = ["kind", "record_id", "source_file", "source_line", "reasons", "raw_sha256", "raw_note"]

    static func sqlite(_ path: String, run: Int) throws -> [String: [String]] {
        let database = try Database(path: path, readOnly: true, create: false)
        var tables: [String: [String]] = [:]
        for (table, columns) in [("casebridge_finding", findingColumns), ("casebridge_quarantine", quarantineColumns)] {
            tables[table] = try database.rows("SELECT \(columns.joined(separator: ", ")) FROM \(table) WHERE run_id = ?", [.integer(Int64(run))])
                .map { $0.values.map { TargetRows.normalised($0.string) }.joined(separator: "|") }.sorted()
        }
        return tables
    }

    static func postgres(_ uri: String, run: Int) throws -> [String: [String]] {
        let connection = try PostgresConnection(uri)
        var tables: [String: [String]] = [:]
        for (table, columns) in [("casebridge_finding", findingColumns), ("casebridge_quarantine", quarantineColumns)] {
            tables[table] = try connection.rows("SELECT \(columns.map { $0 + "::text" }.joined(separator: ", ")) FROM casebridge.\(table) WHERE run_id = $1",
                                                [.integer(Int64(run))])
                .map { $0.values.map { TargetRows.normalised($0.string) }.joined(separator: "|") }.sorted()
        }
        return tables
    }
}
