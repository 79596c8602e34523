import Foundation
import CasebridgeStore

/// What a PostgreSQL schema holds, read from the server's catalog: its tables, their columns and types,
/// and what the connected role may do with them.
struct PostgresCatalog {
    let connection: PostgresConnection
    let schema: String

    /// Whether the schema exists.
    func schemaExists() throws(PostgresError) -> Bool {
        try connection.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = $1", [.text(schema)])?.int == 1
    }

    /// The schema's tables (and views), by name.
    func tableNames() throws(PostgresError) -> [String] {
        try connection.rows("""
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname
            """, [.text(schema)]).compactMap { $0["relname"] }
    }

    /// Every table of the schema (of `names` only, when given) with its columns in order.
    func tables(_ names: [String]? = nil) throws(PostgresError) -> [String: [PostgresColumn]] {
        let rows = try connection.rows("""
            SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
                   a.attnotnull AS required,
                   coalesce((SELECT k.position FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, position) WHERE k.attnum = a.attnum), 0) AS key_position
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
            WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND ($2::text[] IS NULL OR c.relname = ANY ($2::text[]))
            ORDER BY c.relname, a.attnum
            """, [.text(schema), names.map { .text(Self.array($0)) } ?? .null])
        var tables: [String: [PostgresColumn]] = [:]
        for row in rows {
            guard let table = row["table_name"], let name = row["column_name"], let type = row["type"] else { continue }
            let key = row.int("key_position") ?? 0
            tables[table, default: []].append(PostgresColumn(name: name, type: type, keyPosition: key, required: row["required"] == "t" || key > 0))
        }
        return tables
    }

    /// The privileges among `privileges` the connected role lacks on the schema's `tables`: "INSERT on
    /// casebridge.ssd_person", … (empty when it has them all).
    func missingPrivileges(_ privileges: [String], on tables: [String]) throws(PostgresError) -> [String] {
        try connection.rows("""
            SELECT p.privilege || ' on ' || $3 || '.' || t.name AS missing
            FROM unnest($1::text[]) AS t(name) CROSS JOIN unnest($2::text[]) AS p(privilege)
            WHERE NOT has_table_privilege(quote_ident($3) || '.' || quote_ident(t.name), p.privilege)
            ORDER BY t.name, p.privilege
            """, [.text(Self.array(tables)), .text(Self.array(privileges)), .text(schema)]).compactMap { $0["missing"] }
    }

    /// A text array literal (`{"a","b"}`) of names.
    static func array(_ names: [String]) -> String {
        "{" + names.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}

/// A column of a PostgreSQL table.
struct PostgresColumn: Sendable {
    var name: String
    /// As `format_type` writes it: `character varying(48)`, `date`, `bigint`, ….
    var type: String
    var keyPosition: Int
    var required: Bool

    /// Whether the column holds strings (text, varchar, char), which compare with text as they are.
    var holdsStrings: Bool {
        ["text", "character varying", "character"].contains(type.split(separator: "(").first.map(String.init) ?? type)
    }

    /// The column as DDLs are compared.
    var ddlColumn: DDLColumn {
        DDLColumn(name: name, keyPosition: keyPosition, required: required, family: DDLColumn.Family(postgres: type))
    }
}
