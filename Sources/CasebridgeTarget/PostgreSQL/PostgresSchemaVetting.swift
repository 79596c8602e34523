import Foundation
import CasebridgeStore

/// What a PostgreSQL target's schema holds before a run, and whether the connected role may load it:
/// nothing yet (a new target), a Casebridge target of this mapping, or something to refuse.
struct PostgresSchemaVetting {
    let target: PostgresTarget
    let connection: PostgresConnection
    /// The mapping the run loads with, and its PostgreSQL DDL (`nil` for the commands that only read).
    let mapping: TargetMapping?
    let ddl: PostgresDDL?

    private var catalog: PostgresCatalog { PostgresCatalog(connection: connection, schema: target.schema) }

    /// `.fresh` for a schema that does not exist or holds no table; `.casebridge` for a Casebridge target
    /// built from this mapping's PostgreSQL DDL; refused otherwise.
    func state() throws -> TargetState {
        guard let meta = try meta() else { return .fresh }
        if let mapping, let ddl {
            try TargetDatabase.vetSchema(meta, target: target.name, mapping: mapping, ddlSHA256: ddl.sha256, ddlPath: ddl.path)
        }
        return .casebridge
    }

    /// Refuses a schema that holds nothing yet or is not a Casebridge target: what `status` and `report` read.
    func requireCasebridge() throws {
        guard try meta() != nil else { throw TargetError(target.name, "holds nothing yet: no export has been loaded into it") }
    }

    /// The schema's `casebridge_meta`, vetted; `nil` when the schema does not exist or holds no table.
    private func meta() throws -> [String: String]? {
        let tables = try target.guarded(.reading) { try catalog.tableNames() }
        if tables.isEmpty { return nil }
        guard tables.contains("casebridge_meta") else {
            let shown = tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", …" : "")
            throw TargetError(target.name, "the schema is not a Casebridge target (it holds \(shown) and no casebridge_meta); nothing was changed")
        }
        // Without USAGE the schema's tables are out of the role's sight, whatever their own grants.
        let usable = try target.guarded(.reading) {
            try connection.scalar("SELECT has_schema_privilege($1, 'USAGE')", [.text(target.schema)])?.string == "t"
        }
        guard usable else {
            let role = target.address.user
            throw TargetError(target.name, "role \(role) may not use schema \(target.schema): GRANT USAGE ON SCHEMA \(target.schema) TO \(role)")
        }
        let rows = try target.guarded(.reading) { try connection.rows("SELECT key, value FROM casebridge_meta") }
        var meta: [String: String] = [:]
        for row in rows { if let key = row["key"] { meta[key] = row["value"] } }
        // PostgreSQL targets begin at bookkeeping version 3: none is older.
        try TargetDatabase.vetBookkeeping(meta, target: target.name, upgradable: [])
        return meta
    }

    // MARK: Privileges

    /// Refuses a role that could not do the load, naming the grant it lacks: creating the schema (or
    /// tables in it) for a new target, reading and writing every table of an existing one; and in both,
    /// temporary tables, which the load ships its rows into.
    func requirePrivileges(_ state: TargetState) throws {
        let role = target.address.user
        let database = target.address.database
        let schema = target.schema
        try target.guarded(.reading) {
            let checks = try connection.rows("""
                SELECT has_database_privilege(current_database(), 'TEMPORARY') AS temporary,
                       has_database_privilege(current_database(), 'CREATE') AS create_schema,
                       EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS schema_exists,
                       EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AND has_schema_privilege($1, 'CREATE') AS create_in_schema,
                       EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AND has_schema_privilege($1, 'USAGE') AS use_schema
                """, [.text(schema)]).first
            func holds(_ name: String) -> Bool { checks?[name] == "t" }
            guard holds("temporary") else {
                throw PostgresError(privilege: "role \(role) may not create temporary tables, which the load ships its rows into: "
                    + "GRANT TEMPORARY ON DATABASE \(database) TO \(role)")
            }
            if state == .fresh {
                if holds("schema_exists"), !(holds("create_in_schema") && holds("use_schema")) {
                    throw PostgresError(privilege: "role \(role) may not create tables in schema \(schema): GRANT USAGE, CREATE ON SCHEMA \(schema) TO \(role)")
                }
                if !holds("schema_exists"), !holds("create_schema") {
                    throw PostgresError(privilege: "role \(role) may not create schema \(schema) in database \(database): "
                        + "GRANT CREATE ON DATABASE \(database) TO \(role), or have it made for the role (CREATE SCHEMA \(schema) AUTHORIZATION \(role))")
                }
                return
            }
            guard holds("use_schema") else {
                throw PostgresError(privilege: "role \(role) may not use schema \(schema): GRANT USAGE ON SCHEMA \(schema) TO \(role)")
            }
            try requireTablePrivileges(role: role)
        }
    }

    /// Every table the load reads and writes: the mapping's, the content table and the bookkeeping; the
    /// live state's tables are emptied with TRUNCATE after a full export.
    private func requireTablePrivileges(role: String) throws(PostgresError) {
        var tables = (mapping?.tables.map(\.table) ?? []) + (mapping?.contentTable.map { [$0] } ?? []) + PostgresBookkeeping.tables
        tables = Array(Set(tables)).sorted()
        var missing = try catalog.missingPrivileges(["SELECT", "INSERT", "UPDATE", "DELETE"], on: tables)
        missing += try catalog.missingPrivileges(["TRUNCATE"], on: LiveState.kinds.map(LiveState.table) + [LiveState.invalidTable])
        guard let first = missing.first else { return }
        let more = missing.count > 1 ? " (and \(missing.count - 1) more)" : ""
        throw PostgresError(privilege: "role \(role) lacks \(first)\(more): GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA "
            + "\(target.schema) TO \(role)")
    }

    /// `text` as an SQL string literal.
    static func literal(_ text: String) -> String { quotedText(text) }
}

extension PostgresError {
    /// A privilege the role lacks, found before anything ran (SQLSTATE 42501, as the server would say).
    init(privilege message: String) {
        self.init(message: message)
        sqlState = "42501"
    }
}
