import CasebridgeStore

/// The writes of one data table in a PostgreSQL target, from rows shipped into a temporary table:
/// inserting (or, for rows that changed, replacing) them with their lineage, and archiving the rows no
/// longer produced into `casebridge_deleted`.
struct PostgresTableRows {
    let session: PostgresLoadSession
    let table: TableMapping
    /// The table's key columns, in key order.
    let keyColumns: [PostgresColumn]

    private var connection: PostgresConnection { session.connection }
    private var name: String { PostgresSchemaVetting.literal(table.table) }

    /// Writes the rows of `source` (a temporary table shaped like `pg_temp.tmp_incoming`) whose key the
    /// lineage does not hold or holds with another hash, and their lineage; a row whose key the table
    /// holds replaces it. One statement: the rows that differ are found once and both inserts read them.
    /// Returns how many were new and how many replaced a row.
    func writeChanged(from source: String, run: Int64) throws -> (inserted: Int, updated: Int) {
        let columns = table.columns.map { quotedName($0.name) }
        let keys = keyColumns.sorted { $0.keyPosition < $1.keyPosition }.map { quotedName($0.name) }
        let others = columns.filter { !keys.contains($0) }
        let onConflict = others.isEmpty ? " ON CONFLICT DO NOTHING"
            : " ON CONFLICT (\(keys.joined(separator: ", "))) DO UPDATE SET " + others.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
        let lineage = ["record_kind", "record_id", "run_id", "source_sequence", "source_line", "row_sha256"]
        let counts = try connection.rows("""
            WITH _changed AS (
                SELECT i.*, l.row_key IS NULL AS _new FROM \(source) i
                LEFT JOIN casebridge_lineage l ON l.table_name = \(name) AND l.row_key = i._key
                WHERE l.row_sha256 IS DISTINCT FROM i._hash
            ), _rows AS (
                INSERT INTO \(quotedName(table.table)) (\(columns.joined(separator: ", "))) SELECT \(columns.joined(separator: ", ")) FROM _changed\(onConflict)
            ), _lineage AS (
                INSERT INTO casebridge_lineage (table_name, row_key, \(lineage.joined(separator: ", ")))
                SELECT \(name), _key, $1, _record_id, $2, _sequence, _line, _hash FROM _changed
                ON CONFLICT (table_name, row_key) DO UPDATE SET \(lineage.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", "))
            )
            SELECT count(*) FILTER (WHERE _new) AS inserted, count(*) FILTER (WHERE NOT _new) AS updated FROM _changed
            """, [.text(table.from.rawValue), .integer(run)]).first
        return (counts?.int("inserted") ?? 0, counts?.int("updated") ?? 0)
    }

    /// Copies the rows `select` gives on the staging (shaped as ``PostgresLoadSession``'s incoming rows)
    /// into the table, which holds none yet, and their lineage: two `COPY`s, with no temporary table
    /// between. Returns how many rows.
    func copyNew(_ select: String, _ values: [SQLValue], run: Int64) throws -> Int {
        let columns = table.columns.map(\.name)
        let written = try session.ship("SELECT \(columns.map(quotedName).joined(separator: ", ")) FROM (\(select))", values,
                                       into: quotedName(table.table), columns: columns)
        try session.ship("""
            SELECT \(name), _key, \(PostgresSchemaVetting.literal(table.from.rawValue)), _record_id, \(run), _sequence, _line, _hash FROM (\(select))
            """, values, into: "casebridge_lineage",
            columns: ["table_name", "row_key", "record_kind", "record_id", "run_id", "source_sequence", "source_line", "row_sha256"])
        return written
    }

    /// Moves the rows whose key the staged state no longer produces to `casebridge_deleted` (with `run`)
    /// and out of the table and lineage; returns how many. Quarantined records still produce their keys:
    /// a record that failed to load is not a record that vanished. With `onlyRemovedKeys` (a delta
    /// continuing the live state), only the keys of the rows its records replaced or deleted
    /// (`stg_removed_keys`) can have vanished.
    func archiveVanished(run: Int64, onlyRemovedKeys: Bool) throws -> Int {
        let incoming = table.incoming
        // The candidates of a delta: removed keys no incoming row produces. Most nights, the records
        // written again produce every key they had, and the server is not asked.
        let candidates = """
            SELECT DISTINCT k.key FROM \(StagingTable.removedKeys) k
            WHERE k.tbl = ? AND NOT EXISTS (SELECT 1 FROM \(incoming) i WHERE i._key = k.key)
            """
        if onlyRemovedKeys, try session.staging.scalar("SELECT EXISTS (\(candidates))", [.text(table.table)])?.int != 1 { return 0 }
        try connection.execute("DROP TABLE IF EXISTS pg_temp.tmp_keys, pg_temp.tmp_gone; CREATE TEMP TABLE tmp_keys (row_key text)")
        defer { try? connection.execute("DROP TABLE IF EXISTS pg_temp.tmp_keys, pg_temp.tmp_gone") }
        if onlyRemovedKeys {
            try session.ship(candidates, [.text(table.table)], into: "pg_temp.tmp_keys", columns: ["row_key"])
            try connection.execute("""
                CREATE TEMP TABLE tmp_gone AS SELECT DISTINCT l.row_key FROM pg_temp.tmp_keys k
                JOIN casebridge_lineage l ON l.table_name = \(name) AND l.row_key = k.row_key
                """)
        } else {
            // The keys quarantined records produce, beside those of the rows shipped.
            try session.ship("SELECT _key FROM \(incoming) WHERE _q = 1 AND _key IS NOT NULL", into: "pg_temp.tmp_keys", columns: ["row_key"])
            try connection.execute("""
                CREATE TEMP TABLE tmp_gone AS SELECT l.row_key FROM casebridge_lineage l
                WHERE l.table_name = \(name) AND NOT EXISTS (SELECT 1 FROM pg_temp.tmp_incoming i WHERE i._key = l.row_key)
                  AND NOT EXISTS (SELECT 1 FROM pg_temp.tmp_keys k WHERE k.row_key = l.row_key)
                """)
        }
        let gone = try connection.scalar("SELECT count(*) FROM pg_temp.tmp_gone")?.int ?? 0
        guard gone > 0 else { return 0 }
        // A few keys are found through the table's key index only once the server knows they are few.
        if gone <= PostgresLoadSession.analysedRows { try connection.execute("ANALYZE pg_temp.tmp_gone") }
        let match = keyMatch(row: "t", key: "g.row_key")
        let object = table.columns.map { "\(PostgresSchemaVetting.literal($0.name)), t.\(quotedName($0.name))" }.joined(separator: ", ")
        try connection.execute("""
            INSERT INTO casebridge_deleted (table_name, row_key, row_json, deleted_run)
            SELECT \(name), g.row_key, jsonb_build_object(\(object)), $1 FROM \(quotedName(table.table)) t JOIN pg_temp.tmp_gone g ON \(match)
            """, [.integer(run)])
        let deleted = try connection.command("DELETE FROM \(quotedName(table.table)) t USING pg_temp.tmp_gone g WHERE \(match)")
        try connection.execute("""
            DELETE FROM casebridge_lineage l USING pg_temp.tmp_gone g WHERE l.table_name = \(name) AND l.row_key = g.row_key
            """)
        return deleted
    }

    /// The condition that a row `row` of the table has the key `key` (a lineage key: the value of a
    /// one-column key, a JSON array of the values otherwise), so that the table's key index finds it.
    private func keyMatch(row: String, key: String) -> String {
        let ordered = keyColumns.sorted { $0.keyPosition < $1.keyPosition }
        return ordered.enumerated().map { index, column in
            let value = ordered.count == 1 ? key : "(\(key)::jsonb ->> \(index))"
            let typed = column.holdsStrings ? value : "(\(value))::\(column.type)"
            return "\(row).\(quotedName(column.name)) = \(typed)"
        }.joined(separator: " AND ")
    }
}
