import CasebridgeMapping
import CasebridgeModel
import CasebridgeStore
import CasebridgeTarget

/// Turns staged records into the rows each target table would receive, inside the staging database
/// (tables `inc_<table>`), before the rules run: a record whose target key is missing or shared
/// cannot load, so it is quarantined with that reason and the rules see it as such.
///
/// Each `inc_` row holds `_rid` (the staged record), `_line`, `_q` (1 when the record is quarantined),
/// `_key` (the row's key as text: the value of a one-column key, a JSON array otherwise), `_hash` (SHA-256
/// of the text `json_array` writes for the row's values, which tells a changed row from an unchanged
/// one: `casebridge_row_sha256`), then the target columns. `_rid` is the table's rowid.
struct IncomingRows {
    let mapping: TargetMapping
    let staging: StagingStore

    /// The rows `table` would receive from the staged records (those `only` holds for, when given: an
    /// SQL condition over `r`).
    private func rowsSQL(_ table: TableMapping, only: String? = nil) -> String {
        let columns = table.columns.map { "(\($0.expression)) AS \(quotedName($0.name))" }.joined(separator: ",\n       ")
        let names = table.columns.map { quotedName($0.name) }.joined(separator: ", ")
        let conditions = [table.condition.map { "(\($0))" }, only].compactMap { $0 }
        return """
            SELECT _rid, _line, _q, \(table.keyExpression) AS _key,
                   coalesce(casebridge_row_sha256(\(names)), casebridge_sha256(json_array(\(names)))) AS _hash, \(names)
            FROM (SELECT r.rid AS _rid, r.line AS _line, r.quarantined AS _q,
                   \(columns)
                  FROM \(StagingStore.table(table.from)) r
                  \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")))
            """
    }

    /// Runs `body`, which runs the SQL of `table`'s mapping: a mistake in it names the mapping's line.
    private func mistakesNamed(_ table: TableMapping, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as DatabaseError where error.isMistake {
            throw ConfigError(file: table.file, line: table.line, column: 1, reason: "table \(table.table): \(error.message)")
        }
    }

    private func run(_ sql: String, for table: TableMapping) throws {
        try mistakesNamed(table) { try staging.database.execute(sql) }
    }

    /// Builds every `inc_` table and quarantines the records that cannot take their place: no value
    /// for a column the DDL requires (a key column or a NOT NULL one), or a key another record shares.
    ///
    /// - Parameter newFrom: for a staging that kept the previous run's `inc_` tables (a live state
    ///   continued by a delta), the first rid of the records read now: only their rows are built, and in
    ///   tables whose rows read other records (``TableMapping/dependsOn``), the rows that read records
    ///   the delta touched; a table whose rows read other records without saying which is built again
    ///   whole. The rows to compare with the target are listed in `stg_touched` (`NULL` for a
    ///   whole table); the keys of rows built again, in `stg_removed_keys`.
    func prepare(newFrom: Int? = nil) throws {
        let database = staging.database
        try database.addSHA256Function()
        try staging.addIndexes(mapping.stagingIndexes)
        try database.transaction {
            if newFrom != nil {
                let dependencies = Set(mapping.tables.flatMap(\.dependsOn)).sorted { ($0.kind, $0.field) < ($1.kind, $1.field) }
                try staging.markTouchedAbout(dependencies.map { ($0.kind, $0.field, $0.isShared) })
            }
            for table in mapping.tables {
                let incoming = table.incoming
                if let newFrom, !table.isRebuiltWhole {
                    // Staging kept last run's quarantine aside when it decided quarantine again; the rows start loadable again.
                    try staging.unflagPreviouslyQuarantinedRows(in: incoming, kind: table.from)
                    try run("INSERT INTO \(incoming) " + rowsSQL(table, only: "r.rid >= \(newFrom)"), for: table)
                    if !table.dependsOn.isEmpty {
                        // Rows that read records the delta touched are built again.
                        let staged = StagingStore.table(table.from)
                        let rebuilt = table.dependsOn.map { dependency in
                            """
                            SELECT rid FROM \(staged) WHERE rid < \(newFrom) AND \(quotedName(dependency.field)) IN
                                (SELECT value FROM \(StagingTable.touchedAbout) WHERE kind = '\(dependency.kind.rawValue)' AND field = '\(dependency.field)')
                            """
                        }.joined(separator: " UNION ")
                        try database.execute("""
                            INSERT INTO \(StagingTable.removedKeys) (tbl, key) SELECT ?, _key FROM \(incoming) WHERE _rid IN (\(rebuilt)) AND _key IS NOT NULL
                            """, [.text(table.table)])
                        try database.execute("DELETE FROM \(incoming) WHERE _rid IN (\(rebuilt))")
                        try run("INSERT INTO \(incoming) " + rowsSQL(table, only: "r.rid IN (\(rebuilt))"), for: table)
                        try database.execute("INSERT INTO \(StagingTable.touched) (tbl, rid) SELECT ?, rid FROM (\(rebuilt))", [.text(table.table)])
                    }
                    try database.execute("INSERT INTO \(StagingTable.touched) (tbl, rid) SELECT ?, _rid FROM \(incoming) WHERE _rid >= ?",
                                         [.text(table.table), .integer(Int64(newFrom))])
                    try staging.flagQuarantinedRows(in: incoming, kind: table.from)
                    continue
                }
                if newFrom != nil {
                    try database.execute("INSERT INTO \(StagingTable.touched) (tbl, rid) VALUES (?, NULL)", [.text(table.table)])
                }
                try mistakesNamed(table) {
                    try staging.createIncoming(incoming, columns: table.columns.map { quotedName($0.name) }, select: rowsSQL(table))
                }
            }
            // A record with no value for a key column, or sharing its key with another, cannot load.
            // Rows built last run of records judged again since (new, or quarantined last run) are
            // checked alone: every other row loaded last run unchanged.
            for table in mapping.tables {
                let incoming = table.incoming
                let scope: StagingStore.IncomingScope = newFrom == nil || table.isRebuiltWhole ? .all : .judgedAgain(table: table.table)
                let lacking = table.requiredColumns.map { column in
                    let role = table.keyColumns.contains(column) ? "part of the key of" : "which must have a value in"
                    return (column: column, reason: "has no value for \(column), \(role) \(table.table)")
                }
                try staging.quarantineLacking(lacking, in: incoming, kind: table.from, scope: scope)
                try staging.quarantineSharedKeys(in: incoming, table: table.table, kind: table.from, scope: scope)
            }
            try staging.cascadeQuarantine()
            for table in mapping.tables { try staging.flagQuarantinedRows(in: table.incoming, kind: table.from) }
            if newFrom != nil {
                // Rows of records quarantined last run and loadable now are compared with the target too (a
                // record quarantined now keeps whatever row it had, as in a full load).
                for table in mapping.tables where !table.isRebuiltWhole {
                    try database.execute("""
                        INSERT INTO \(StagingTable.touched) (tbl, rid)
                        SELECT ?1, b.rid FROM \(StagingTable.previouslyQuarantined) b JOIN \(table.incoming) i ON i._rid = b.rid
                        WHERE b.kind = ?2 AND i._q = 0
                        """, [.text(table.table), .text(table.from.rawValue)])
                }
            }
        }
    }

    /// Read, loaded and quarantined per kind, for every kind the export holds or the mapping reads.
    /// Only the records read from this export count: records a delta load carried over from the
    /// target's state were accounted for by the run that read them. A deletion counts as loaded when
    /// it was applied (it names a record the target holds) and is quarantined otherwise.
    ///
    /// - Parameter newFrom: in a staging a delta continues, the first rid of the records read now (the
    ///   others are the state it continues).
    func reconcile(newFrom: Int? = nil) throws -> [KindReconciliation] {
        let database = staging.database
        let own = newFrom.map { "t.rid >= \($0)" } ?? "t.carried = 0"
        var result: [KindReconciliation] = []
        for kind in RecordKind.allCases {
            let staged = StagingStore.table(kind)
            let read = try database.scalar("SELECT count(*) FROM \(staged) t WHERE \(own)")?.int ?? 0
            let held = try database.scalar("SELECT count(*) FROM \(staged)")?.int ?? 0
            let quarantined = try database.scalar("""
                SELECT count(DISTINCT q.rid) FROM \(StagingTable.quarantine) q JOIN \(staged) t ON t.rid = q.rid AND \(own) WHERE q.kind = ?
                """, [.text(kind.rawValue)])?.int ?? 0
            let tables = mapping.tables.filter { $0.from == kind }
            var loaded = 0
            if kind == .deleted {
                loaded = read - quarantined
            } else if !tables.isEmpty {
                // The records with a row that loads in some table: a table holds one row at most per record
                // (`_rid` is its rowid), and a record's rows are all quarantined or none is.
                let loading = tables.map { "SELECT _rid FROM \($0.incoming) WHERE _q = 0" }.joined(separator: " UNION ")
                let ownOnly = read == held ? "" : " WHERE _rid IN (SELECT rid FROM \(staged) t WHERE \(own))"
                loaded = try database.scalar("SELECT count(*) FROM (\(loading))\(ownOnly)")?.int ?? 0
            }
            guard read > 0 || !tables.isEmpty else { continue }
            var reconciliation = KindReconciliation(kind: kind, read: read, loaded: loaded, quarantined: quarantined)
            reconciliation.carried = held - read
            result.append(reconciliation)
        }
        return result
    }
}
