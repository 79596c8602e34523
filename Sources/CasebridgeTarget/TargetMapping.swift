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

    /// Reads and checks the mapping at `path`, with the DDL it names (relative to the mapping's folder).
    ///
    /// The DDL is run in a scratch in-memory database to learn every table's columns and key, so a
    /// column the DDL lacks, a table without a key or an expression SQLite cannot parse is refused here,
    /// naming the mapping file's line.
    public static func load(path: String) throws -> TargetMapping {
        let root = try ConfigNode.load(path: path)
        let top = try ConfigMembers(root, "the target mapping")
        try top.refuseUnknown(["schema", "contentTable", "stagingIndexes", "tables"])
        let schemaNode = try top.required("schema")
        let schema = try ConfigMembers(schemaNode, "schema")
        try schema.refuseUnknown(["name", "version", "ddl"])
        let name = try schema.required("name").string("schema name")
        let versionNode = try schema.required("version")
        let version = try versionNode.int("schema version")
        guard version >= 1 else { throw versionNode.error("the schema version must be 1 or more") }
        let ddlNode = try schema.required("ddl")
        let ddlName = try ddlNode.string("ddl")
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        let ddlPath = ddlName.hasPrefix("/") ? ddlName : folder.appendingPathComponent(ddlName).path
        guard let ddl = try? String(contentsOfFile: ddlPath, encoding: .utf8) else {
            throw ddlNode.error("the DDL file '\(ddlPath)' cannot be read")
        }

        // Learn the tables from the DDL itself.
        let scratch = try Database(path: ":memory:")
        do {
            try scratch.execute(ddl)
        } catch let error as DatabaseError {
            throw ConfigError(file: ddlPath, line: 0, column: 0, reason: "the DDL does not run: \(error.message)")
        }
        func columns(of table: String) throws -> [(name: String, pk: Int, notNull: Bool)] {
            try scratch.rows("SELECT name, pk, \"notnull\" AS required FROM pragma_table_info(?)", [.text(table)]).map {
                ($0["name"] ?? "", $0.int("pk") ?? 0, $0.int("required") == 1)
            }
        }

        var contentTable: String?
        if let node = top.optional("contentTable") {
            let table = try node.string("contentTable")
            let names = Set(try columns(of: table).map(\.name))
            guard ["sha256", "bytes", "data"].allSatisfy(names.contains) else {
                throw node.error("the content table '\(table)' must exist in the DDL with columns sha256, bytes and data")
            }
            contentTable = table
        }

        var stagingIndexes: [RecordKind: [[String]]] = [:]
        if let node = top.optional("stagingIndexes") {
            for member in try node.members("stagingIndexes") {
                guard let kind = RecordKind(rawValue: member.key) else {
                    throw member.keyNode.error("'\(member.key)' is not a record kind")
                }
                var lists: [[String]] = []
                for item in try member.value.items("indexes of \(member.key)") {
                    let fields = try item.strings("index columns")
                    for field in fields where CanonicalSchema.field(field, of: kind) == nil {
                        throw item.error("\(kind.rawValue) has no field '\(field)'")
                    }
                    lists.append(fields)
                }
                stagingIndexes[kind] = lists
            }
        }

        var tables: [TableMapping] = []
        for item in try top.required("tables").items("tables") {
            let entry = try ConfigMembers(item, "a table entry")
            try entry.refuseUnknown(["table", "from", "where", "dependsOn", "columns"])
            let tableNode = try entry.required("table")
            let table = try tableNode.string("table")
            let known = try columns(of: table)
            guard !known.isEmpty else { throw tableNode.error("the DDL has no table '\(table)'") }
            let keys = known.filter { $0.pk > 0 }.sorted { $0.pk < $1.pk }.map(\.name)
            guard !keys.isEmpty else { throw tableNode.error("table '\(table)' has no PRIMARY KEY in the DDL: rows could not be matched from run to run") }
            let fromNode = try entry.required("from")
            let fromName = try fromNode.string("from")
            guard let kind = RecordKind(rawValue: fromName) else {
                throw fromNode.error("'\(fromName)' is not a record kind (one of \(RecordKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            var dependsOn: [TableDependency] = []
            if let node = try entry.optional("dependsOn") {
                for member in try node.members("dependsOn") {
                    guard let read = RecordKind(rawValue: member.key), read.hasUniqueId else {
                        throw member.keyNode.error("dependsOn names record kinds with ids of their own (Person, Family, Plan, …), not '\(member.key)'")
                    }
                    let field = try member.value.string("the field of \(member.key) in dependsOn")
                    guard CanonicalSchema.field(field, of: kind) != nil else {
                        throw member.value.error("\(kind.rawValue) has no field '\(field)'")
                    }
                    dependsOn.append(TableDependency(kind: read, field: field))
                }
            }
            var mapped: [(name: String, expression: String)] = []
            let columnsNode = try entry.required("columns")
            for member in try columnsNode.members("columns") {
                guard known.contains(where: { $0.name == member.key }) else {
                    throw member.keyNode.error("table '\(table)' has no column '\(member.key)' in the DDL")
                }
                mapped.append((member.key, try member.value.string("the expression of \(member.key)")))
            }
            for column in known where (column.pk > 0 || column.notNull) && !mapped.contains(where: { $0.name == column.name }) {
                throw columnsNode.error("column '\(column.name)' of '\(table)' is \(column.pk > 0 ? "part of its key" : "NOT NULL") but has no expression")
            }
            tables.append(TableMapping(
                table: table, from: kind, condition: try entry.optional("where")?.string("where"), dependsOn: dependsOn, columns: mapped,
                keyColumns: keys, requiredColumns: known.filter { $0.pk > 0 || $0.notNull }.map(\.name), file: path, line: item.line))
        }
        guard !tables.isEmpty else { throw root.error("the target mapping names no tables") }
        return TargetMapping(
            schemaName: name, schemaVersion: version, ddl: ddl, ddlSHA256: SHA256.hash(data: Data(ddl.utf8)).hex,
            ddlPath: ddlPath, contentTable: contentTable, stagingIndexes: stagingIndexes, tables: tables, path: path)
    }

    /// The kinds some table takes records from.
    public var kinds: Set<RecordKind> { Set(tables.map(\.from)) }
}
