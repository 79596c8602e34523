import CasebridgeMapping
import CasebridgeModel
import CasebridgeStore
import Crypto
import Foundation

/// How one target table is filled: from which canonical kind, and an SQL expression per column.
public struct TableMapping: Sendable {
    /// The target table.
    public var table: String
    /// The canonical kind whose staged records (`r`) become its rows.
    public var from: RecordKind
    /// An SQL condition over `r`: only records it holds for land here.
    public var condition: String?
    /// For a table whose rows read other records: which (`dependsOn: {Plan: person}`). Empty when the
    /// mapping does not say (a delta then builds the whole table again).
    public var dependsOn: [TableDependency] = []
    /// Target column → SQL expression over `r`, in the mapping file's order.
    public var columns: [(name: String, expression: String)]
    /// The table's primary-key columns, from the DDL.
    public var keyColumns: [String]
    /// The columns the DDL requires a value in (NOT NULL or part of the key).
    public var requiredColumns: [String]
    /// Where the entry starts in the mapping file, for errors.
    public var file: String
    public var line: Int

    /// Whether a row depends on records other than its own (an expression or the condition reads a
    /// staged table, `stg_plan`), so that a change elsewhere can change it.
    public var readsOtherRecords: Bool {
        ([condition ?? ""] + columns.map(\.expression)).contains { $0.contains("stg_") }
    }

    /// Whether a delta continuing the live state must build the whole table again: its rows read other
    /// records and the mapping does not say which (``dependsOn``).
    public var isRebuiltWhole: Bool { readsOtherRecords && dependsOn.isEmpty }
}

/// Which other records a table's rows read: those of `kind` about what the row's record names in its
/// `field`. That is, the records of `kind` whose own `field` holds the same value (`{Plan: person}`: the
/// Plans of the record's person) or, for a kind without that field, the one whose id it is, with what it
/// owns (`{Person: person}`: the record's Person, with its statuses and allocations).
public struct TableDependency: Sendable, Hashable {
    public var kind: RecordKind
    public var field: String

    public init(kind: RecordKind, field: String) {
        self.kind = kind
        self.field = field
    }

    /// Whether `kind` has `field` itself (else the field names a record of `kind` by its id).
    public var isShared: Bool { CanonicalSchema.field(field, of: kind) != nil }
}

/// The replacement system's schema (DDL) and how canonical records become its rows: a file under
/// `mappings/target/`, so a council whose replacement system differs edits data, not Swift.
public struct TargetMapping: Sendable {
    /// The schema's name and version: a target holding another version is refused.
    public var schemaName: String
    public var schemaVersion: Int
    /// The DDL that creates the data tables, and its SHA-256.
    public var ddl: String
    public var ddlSHA256: String
    public var ddlPath: String
    /// The same tables in PostgreSQL's types (`ssd-v1.postgres.sql`), when the mapping has them: the
    /// DDL a PostgreSQL target is built with. `nil` for a mapping that loads into SQLite only.
    public var postgresDDL: PostgresDDL?
    /// The PostgreSQL schema (namespace) that holds every table of a PostgreSQL target, data and
    /// bookkeeping alike: `postgresql: {schema: …}` in the mapping, default ``defaultPostgresSchema``.
    public var postgresSchema: String = defaultPostgresSchema
    /// The table that stores part content once per SHA-256 (`sha256`, `bytes`, `data`).
    public var contentTable: String?
    /// Extra staging indexes the expressions need, per kind.
    public var stagingIndexes: [RecordKind: [[String]]]
    /// The tables, in load order.
    public var tables: [TableMapping]
    /// The mapping file itself.
    public var path: String

    /// The built-in mapping onto the SSD-shaped schema, `mappings/target/ssd.yaml`.
    public static var builtInPath: String {
        Bundle.module.url(forResource: "target", withExtension: nil)?.appendingPathComponent("ssd.yaml").path
            ?? "mappings/target/ssd.yaml"
    }

    /// The schema a PostgreSQL target lives in when the mapping names none.
    public static let defaultPostgresSchema = "casebridge"

    /// The kinds some table takes records from.
    public var kinds: Set<RecordKind> { Set(tables.map(\.from)) }
}

/// A target mapping's PostgreSQL DDL: its text, SHA-256 and file.
public struct PostgresDDL: Sendable {
    public var text: String
    public var sha256: String
    public var path: String

    public init(text: String, sha256: String, path: String) {
        self.text = text
        self.sha256 = sha256
        self.path = path
    }
}

extension TableMapping {
    /// The staging table of the rows this table would receive (``StagingTable/incoming(_:)``).
    public var incoming: StagingTable { StagingTable.incoming(table) }

    /// The key of a row as text, over the row's own columns: the value of a one-column key, a JSON array otherwise.
    public var keyExpression: String {
        if keyColumns.count == 1 { return "CAST(\(quotedName(keyColumns[0])) AS TEXT)" }
        return "json_array(\(keyColumns.map(quotedName).joined(separator: ", ")))"
    }
}
