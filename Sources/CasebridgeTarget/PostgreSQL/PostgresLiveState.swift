import CasebridgeModel
import CasebridgeStore

/// The live state (``LiveState``) of a PostgreSQL target: the canonical records behind its data, in
/// `casebridge_state_*` tables of the same shape as an SQLite target's.
struct PostgresLiveState {
    let target: PostgresTarget

    /// Every state table with its columns, in order: one per record kind, and the invalid values.
    private static var tables: [(name: String, columns: [String])] {
        LiveState.kinds.map { (LiveState.table($0), StagingStore.tableColumns(of: $0)) }
            + [(LiveState.invalidTable, StagingStore.invalidColumns)]
    }

    /// Completes a delta's staging with the target's live state: the state is copied out of the server
    /// (binary `COPY`) into a temporary SQLite file of an SQLite target's shape, which ``LiveState``
    /// then carries into the staging as it does from an SQLite target.
    func carry(into staging: StagingStore, sequence: Int) throws {
        let path = StagingFile.temporaryPath()
        defer { StagingFile.remove(path) }
        let local = try Database(path: path)
        try local.execute("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        try local.execute(LiveState.ddl)
        let connection = try target.connection()
        try local.transaction {
            for table in Self.tables {
                let insert = try local.prepare("""
                    INSERT INTO \(table.name) (\(table.columns.map(quotedName).joined(separator: ", ")))
                    VALUES (\(Array(repeating: "?", count: table.columns.count).joined(separator: ", ")))
                    """)
                var rows = PostgresBinaryRows()
                let select = table.columns.map { quotedName($0) + "::text" }.joined(separator: ", ")
                try target.guarded(.reading) {
                    try connection.copyOut("COPY (SELECT \(select) FROM \(table.name)) TO STDOUT (FORMAT binary)") { block in
                        try rows.feed(block) { fields in
                            try insert.bind(fields.map { field in field.map { .text(String(decoding: $0, as: UTF8.self)) } ?? .null })
                            try insert.step()
                        }
                    }
                }
            }
        }
        try LiveState.carry(into: staging, from: path, sequence: sequence)
    }

    /// Brings the state up to date with the staging, inside the load's transaction (as
    /// ``LiveState/save(in:sequence:isFull:continuedFrom:)`` does in an SQLite target): after a full
    /// export the state is emptied and becomes the export; after a delta, the records it replaced or
    /// deleted go and its own come in.
    func save(session: PostgresLoadSession, sequence: Int, isFull: Bool, continuedFrom: Int?) throws {
        let connection = session.connection
        let own = LiveState.ownRecords(continuedFrom: continuedFrom)
        if isFull {
            try connection.execute("TRUNCATE " + Self.tables.map(\.name).joined(separator: ", "))
        } else {
            // Only the kinds the delta dropped records of are asked of the server.
            let dropped = try session.staging.rows("SELECT DISTINCT kind FROM \(StagingTable.dropped)").compactMap { $0["kind"] }
            if !dropped.isEmpty {
                try connection.execute("DROP TABLE IF EXISTS pg_temp.tmp_dropped; CREATE TEMP TABLE tmp_dropped (kind text, rid bigint)")
                try session.ship("SELECT kind, rid FROM \(StagingTable.dropped)", into: "pg_temp.tmp_dropped", columns: ["kind", "rid"])
                for kind in LiveState.kinds where dropped.contains(kind.rawValue) {
                    try connection.execute("DELETE FROM \(LiveState.table(kind)) s USING pg_temp.tmp_dropped d WHERE d.kind = $1 AND s.rid = d.rid",
                                           [.text(kind.rawValue)])
                }
                try connection.execute("""
                    DELETE FROM \(LiveState.invalidTable) s WHERE s.rid IN (SELECT rid FROM pg_temp.tmp_dropped);
                    DROP TABLE pg_temp.tmp_dropped
                    """)
            }
        }
        for kind in LiveState.kinds {
            let rows = LiveState.stateRows(kind, staging: "", sequence: sequence, own: own)
            // A kind of which the run has no record of its own sends nothing (a delta's, most kinds).
            guard try continuedFrom == nil || session.staging.scalar("SELECT EXISTS (\(rows))")?.int == 1 else { continue }
            try session.ship(rows, into: LiveState.table(kind), columns: StagingStore.tableColumns(of: kind))
        }
        // The invalid values of every kind in one COPY.
        let invalid = LiveState.kinds.map { LiveState.invalidRows($0, staging: "", sequence: sequence, own: own) }
        try session.ship(invalid.joined(separator: "\nUNION ALL\n"), LiveState.kinds.map { .text($0.rawValue) },
                         into: LiveState.invalidTable, columns: StagingStore.invalidColumns)
    }
}
