import CasebridgeMapping
import CasebridgeModel
import CasebridgeStore
import Crypto
import Foundation

extension TargetMapping {
    /// Reads and checks the mapping at `path`, with the DDL it names (relative to the mapping's folder).
    ///
    /// The DDL is run in a scratch in-memory database to learn every table's columns and key, so a
    /// column the DDL lacks, a table without a key or an expression SQLite cannot parse is refused here,
    /// naming the mapping file's line.
    public static func load(path: String) throws -> TargetMapping {
        let root = try ConfigNode.load(path: path)
        let top = try ConfigMembers(root, "the target mapping")
        try top.refuseUnknown(["schema", "contentTable", "stagingIndexes", "tables"])
        let schema = try SchemaEntry(top.required("schema"), mappingPath: path)
        let ddl = try DDLTables(schema.ddl, path: schema.ddlPath)
        var tables: [TableMapping] = []
        for item in try top.required("tables").items("tables") {
            tables.append(try table(item, ddl: ddl, file: path))
        }
        guard !tables.isEmpty else { throw root.error("the target mapping names no tables") }
        var mapping = TargetMapping(
            schemaName: schema.name, schemaVersion: schema.version, ddl: schema.ddl, ddlSHA256: SHA256.hash(data: Data(schema.ddl.utf8)).hex,
            ddlPath: schema.ddlPath, contentTable: try top.optional("contentTable").map { try contentTable($0, ddl: ddl) },
            stagingIndexes: try top.optional("stagingIndexes").map(stagingIndexes) ?? [:], tables: tables, path: path)
        mapping.postgresDDL = schema.postgres.ddl
        mapping.postgresSchema = schema.postgres.schema
        return mapping
    }

    /// `schema: {name, version, ddl, postgresql}`, with the DDLs read from their files.
    private struct SchemaEntry {
        var name: String
        var version: Int
        var ddl: String
        var ddlPath: String
        var postgres: PostgresEntry

        init(_ node: ConfigNode, mappingPath: String) throws {
            let schema = try ConfigMembers(node, "schema")
            try schema.refuseUnknown(["name", "version", "ddl", "postgresql"])
            name = try schema.required("name").string("schema name")
            let versionNode = try schema.required("version")
            version = try versionNode.int("schema version")
            guard version >= 1 else { throw versionNode.error("the schema version must be 1 or more") }
            let ddlNode = try schema.required("ddl")
            let ddlName = try ddlNode.string("ddl")
            let folder = URL(fileURLWithPath: mappingPath).deletingLastPathComponent()
            ddlPath = ddlName.hasPrefix("/") ? ddlName : folder.appendingPathComponent(ddlName).path
            guard let text = try? String(contentsOfFile: ddlPath, encoding: .utf8) else {
                throw ddlNode.error("the DDL file '\(ddlPath)' cannot be read")
            }
            ddl = text
            postgres = try PostgresEntry(schema.optional("postgresql"), sqliteDDL: ddlPath)
        }
    }

    /// `postgresql: {ddl, schema}`: the PostgreSQL DDL (default: the SQLite DDL's name with `.postgres.sql`
    /// for `.sql`, when that file exists) and the schema a PostgreSQL target lives in (default `casebridge`).
    private struct PostgresEntry {
        var ddl: PostgresDDL?
        var schema = TargetMapping.defaultPostgresSchema

        init(_ node: ConfigNode?, sqliteDDL: String) throws {
            let entry = try node.map { try ConfigMembers($0, "postgresql") }
            try entry?.refuseUnknown(["ddl", "schema"])
            let folder = URL(fileURLWithPath: sqliteDDL).deletingLastPathComponent()
            if let ddlNode = entry?.optional("ddl") {
                let name = try ddlNode.string("the PostgreSQL DDL")
                let path = name.hasPrefix("/") ? name : folder.appendingPathComponent(name).path
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw ddlNode.error("the PostgreSQL DDL file '\(path)' cannot be read")
                }
                ddl = PostgresDDL(text: text, sha256: SHA256.hash(data: Data(text.utf8)).hex, path: path)
            } else {
                let path = (sqliteDDL.hasSuffix(".sql") ? String(sqliteDDL.dropLast(4)) : sqliteDDL) + ".postgres.sql"
                ddl = (try? String(contentsOfFile: path, encoding: .utf8)).map {
                    PostgresDDL(text: $0, sha256: SHA256.hash(data: Data($0.utf8)).hex, path: path)
                }
            }
            if let schemaNode = entry?.optional("schema") {
                schema = try schemaNode.string("the PostgreSQL schema")
                guard schema.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil, !schema.hasPrefix("pg_") else {
                    throw schemaNode.error("the PostgreSQL schema must be a lower-case name of letters, digits and _ (not pg_…), not '\(schema)'")
                }
            }
        }
    }

    /// The tables of the (SQLite) DDL and their columns, in order, learnt by running it in a scratch
    /// database: what another engine's DDL must match.
    package func sqliteTables() throws -> [String: [DDLColumn]] {
        let tables = try DDLTables(ddl, path: ddlPath)
        var result: [String: [DDLColumn]] = [:]
        for name in try tables.scratch.rows("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap({ $0["name"] }) {
            result[name] = try tables.scratch.rows(
                "SELECT name, pk, \"notnull\" AS required, upper(type) AS type FROM pragma_table_info(?) ORDER BY cid", [.text(name)]).map {
                DDLColumn(name: $0["name"] ?? "", keyPosition: $0.int("pk") ?? 0, required: $0.int("required") == 1 || ($0.int("pk") ?? 0) > 0,
                          family: DDLColumn.Family(sqlite: $0["type"] ?? ""))
            }
        }
        return result
    }

    /// The tables of the DDL, learnt by running it in a scratch in-memory database.
    private struct DDLTables {
        let scratch: Database

        init(_ ddl: String, path: String) throws {
            scratch = try Database(path: ":memory:")
            do {
                try scratch.execute(ddl)
            } catch let error as DatabaseError {
                throw ConfigError(file: path, line: 0, column: 0, reason: "the DDL does not run: \(error.message)")
            }
        }

        func columns(of table: String) throws -> [(name: String, pk: Int, notNull: Bool)] {
            try scratch.rows("SELECT name, pk, \"notnull\" AS required FROM pragma_table_info(?)", [.text(table)]).map {
                ($0["name"] ?? "", $0.int("pk") ?? 0, $0.int("required") == 1)
            }
        }
    }

    private static func contentTable(_ node: ConfigNode, ddl: DDLTables) throws -> String {
        let table = try node.string("contentTable")
        let names = Set(try ddl.columns(of: table).map(\.name))
        guard ["sha256", "bytes", "data"].allSatisfy(names.contains) else {
            throw node.error("the content table '\(table)' must exist in the DDL with columns sha256, bytes and data")
        }
        return table
    }

    private static func stagingIndexes(_ node: ConfigNode) throws -> [RecordKind: [[String]]] {
        var indexes: [RecordKind: [[String]]] = [:]
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
            indexes[kind] = lists
        }
        return indexes
    }

    /// One entry of `tables`, checked against the DDL.
    private static func table(_ item: ConfigNode, ddl: DDLTables, file: String) throws -> TableMapping {
        let entry = try ConfigMembers(item, "a table entry")
        try entry.refuseUnknown(["table", "from", "where", "dependsOn", "columns"])
        let tableNode = try entry.required("table")
        let table = try tableNode.string("table")
        let known = try ddl.columns(of: table)
        guard !known.isEmpty else { throw tableNode.error("the DDL has no table '\(table)'") }
        let keys = known.filter { $0.pk > 0 }.sorted { $0.pk < $1.pk }.map(\.name)
        guard !keys.isEmpty else { throw tableNode.error("table '\(table)' has no PRIMARY KEY in the DDL: rows could not be matched from run to run") }
        let fromNode = try entry.required("from")
        let fromName = try fromNode.string("from")
        guard let kind = RecordKind(rawValue: fromName) else {
            throw fromNode.error("'\(fromName)' is not a record kind (one of \(RecordKind.allCases.map(\.rawValue).joined(separator: ", ")))")
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
        return TableMapping(
            table: table, from: kind, condition: try entry.optional("where")?.string("where"),
            dependsOn: try entry.optional("dependsOn").map { try dependencies($0, of: kind) } ?? [], columns: mapped,
            keyColumns: keys, requiredColumns: known.filter { $0.pk > 0 || $0.notNull }.map(\.name), file: file, line: item.line)
    }

    /// `dependsOn: {Plan: person}`: the records of other kinds a table's rows read, by a field of its own kind.
    private static func dependencies(_ node: ConfigNode, of kind: RecordKind) throws -> [TableDependency] {
        try node.members("dependsOn").map { member in
            guard let read = RecordKind(rawValue: member.key), read.hasUniqueId else {
                throw member.keyNode.error("dependsOn names record kinds with ids of their own (Person, Family, Plan, …), not '\(member.key)'")
            }
            let field = try member.value.string("the field of \(member.key) in dependsOn")
            guard CanonicalSchema.field(field, of: kind) != nil else {
                throw member.value.error("\(kind.rawValue) has no field '\(field)'")
            }
            return TableDependency(kind: read, field: field)
        }
    }
}
