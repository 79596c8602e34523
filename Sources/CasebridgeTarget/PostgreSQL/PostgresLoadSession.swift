import CasebridgeModel
import CasebridgeRead
import CasebridgeStore
import Foundation

/// The load's steps in a PostgreSQL target, inside its transaction, with the staging read on a
/// connection of its own: the rows each table would receive are computed in the staging (as for an
/// SQLite target), shipped with `COPY` into temporary tables (`pg_temp.tmp_…`), and compared with
/// lineage, written and archived there in set-based SQL. Content goes once per SHA-256 in a binary
/// `COPY` (hashed as sent, and hashed again by the server once stored), quarantine and findings in
/// `COPY`s, the live state likewise.
final class PostgresLoadSession: TargetSession, ReadsBookkeeping {
    let target: PostgresTarget
    let connection: PostgresConnection
    /// The staging, read-only (its temporary tables are this connection's own).
    let staging: Database
    let bookkeeping: BookkeepingReader
    let writer: BookkeepingWriter
    /// The columns of the target's tables, read once from the catalog.
    private var columnsByTable: [String: [PostgresColumn]]?
    /// The rows of each data table before the run (its lineage), counted once for every table.
    private var liveRows: [String: Int]?
    /// The indexes of the tables this run created, taken off while they fill (``PostgresDeferredIndexes``).
    private var deferredIndexes: PostgresDeferredIndexes?

    init(target: PostgresTarget, connection: PostgresConnection, staging: Database) throws {
        self.target = target
        self.connection = connection
        self.staging = staging
        let portable = try target.portable(.loading)
        bookkeeping = BookkeepingReader(portable)
        writer = BookkeepingWriter(portable)
    }

    // MARK: Schema and run

    func createSchema(_ mapping: TargetMapping) throws {
        guard let ddl = mapping.postgresDDL else { throw TargetError(mapping.path, "names no PostgreSQL DDL; nothing was changed") }
        // The schema may have been made for the loading role, which then need not be let create schemas.
        if try !PostgresCatalog(connection: connection, schema: target.schema).schemaExists() {
            try connection.execute("CREATE SCHEMA \(quotedName(target.schema))")
        }
        try connection.execute(ddl.text)
        // One target mapping serves both engines: the PostgreSQL DDL must make the SQLite DDL's tables.
        let made = try PostgresCatalog(connection: connection, schema: target.schema).tables()
        let differences = DDLColumn.differences(made.mapValues { $0.map(\.ddlColumn) }, from: try mapping.sqliteTables())
        guard differences.isEmpty else {
            throw TargetError(ddl.path, "does not make the tables of \(URL(fileURLWithPath: mapping.ddlPath).lastPathComponent): "
                + differences.prefix(3).joined(separator: "; ") + "; nothing was changed")
        }
        try connection.execute(PostgresBookkeeping.ddl)
        try writer.writeMeta(mapping, ddlSHA256: ddl.sha256)
        // The data tables' keys, as made, for the rest of the run: their indexes now go until it ends.
        columnsByTable = made
        deferredIndexes = try PostgresDeferredIndexes.detach(mapping.tables.map(\.table) + PostgresBookkeeping.filledInBulk,
                                                             schema: target.schema, connection: connection)
    }

    /// A PostgreSQL target begins at bookkeeping version 3 (``PostgresSchemaVetting`` refuses any other):
    /// there is nothing older to bring up to date.
    func upgradeBookkeeping() throws {}

    func beginRun(_ facts: RunFacts, options: JSONValue) throws -> Int64 { try writer.beginRun(facts, options: options) }

    func recordOptions(_ options: JSONValue, run: Int64) throws { try writer.recordOptions(options, run: run) }

    func recordStateToken(_ token: String?) throws { try writer.recordStateToken(token) }

    func compareFindings(run: Int64) throws -> (new: Int, resolved: Int) { try writer.compareFindings(run: run) }

    func finishRun(_ outcome: LoadOutcome, reconciliation: [KindReconciliation]) throws {
        try startRebuildingDeferredIndexes()
        try writer.finishRun(outcome, reconciliation: reconciliation)
        try analyseReshapedTables(outcome.tables)
    }

    /// Has the server build the indexes this run took off its new tables (``PostgresDeferredIndexes``)
    /// as the run finishes, once every table they check is full and the staging is read no more: the
    /// staging is made ready for the next delta meanwhile (``TargetEngine/stagingWritable``), which on a new
    /// target's first load takes about as long as the builds.
    private func startRebuildingDeferredIndexes() throws {
        try deferredIndexes?.startRebuilding(connection: connection)
        deferredIndexes = nil
    }

    /// Analyses, before the run commits, the key columns of the data tables whose rows it changed by
    /// more than a tenth (all of them on a first load), and of the lineage. Autovacuum would analyse them
    /// too, but some time later: a delta loaded before it had is planned without statistics (on the
    /// bench's 400,000-row target, the next night's delta took 2.3–2.9 s instead of 1.9–2.1 s). The key
    /// columns are what the load's joins use; analysing them costs about 0.35 s there, every column and
    /// the live state about 2.5 s for no further gain.
    ///
    /// A role that does not own a table may not analyse it; the server skips the table with a warning,
    /// which is kept from the output (`client_min_messages` for the rest of the transaction).
    private func analyseReshapedTables(_ tables: [TableChanges]) throws {
        let reshaped = tables.filter(Self.reshapes)
        guard !reshaped.isEmpty else { return }
        var analysed = ["casebridge_lineage (table_name, row_key)"]
        for table in reshaped {
            let keys = try columns(of: table.table).filter { $0.keyPosition > 0 }.map { quotedName($0.name) }
            analysed.append(quotedName(table.table) + (keys.isEmpty ? "" : " (" + keys.joined(separator: ", ") + ")"))
        }
        try connection.execute("SET LOCAL client_min_messages = error")
        try connection.execute("ANALYZE " + analysed.joined(separator: ", "))
    }

    /// Whether `changes` change more than a tenth of the rows the table held before the run (any change
    /// to an empty table), which has the table analysed. The rows held are taken as those the run kept,
    /// replaced or deleted (a delta does not count them: ``RunFacts/guardsDeletions``); the rows of
    /// records in quarantine, kept as they were, are left out of it.
    static func reshapes(_ changes: TableChanges) -> Bool {
        (changes.inserted + changes.updated + changes.deleted) * 10 > changes.unchanged + changes.updated + changes.deleted
    }

    func saveLiveState(sequence: Int, isFull: Bool, continuedFrom: Int?) throws {
        try PostgresLiveState(target: target).save(session: self, sequence: sequence, isFull: isFull, continuedFrom: continuedFrom)
    }

    /// The rows were prepared before the load began (``PostgresTarget/savesStateWhileRowsArePrepared``).
    func readPreparedRows() throws {}

    // MARK: Shipping

    /// Sends every row `select` returns on the staging into `table`'s `columns` with `COPY`; returns how many.
    ///
    /// A temporary table that receives few rows (a delta's) is analysed: the server keeps no statistics
    /// of temporary tables, and guesses hundreds of rows for one that holds two, which turns the joins
    /// with a data table's key index into scans of the whole table. A large one is left alone: its size,
    /// read from its pages, is guess enough, and analysing it would cost more than it saves.
    @discardableResult
    func ship(_ select: String, _ values: [SQLValue] = [], into table: String, columns: [String]) throws -> Int {
        var count = 0
        try connection.copyIn("COPY \(table) (\(columns.map(quotedName).joined(separator: ", "))) FROM STDIN") { stream in
            try staging.forEachRowBytes(select, values) { try stream.addRow($0) }
            count = stream.rows
        }
        if table.hasPrefix("pg_temp."), count <= Self.analysedRows { try connection.execute("ANALYZE \(table)") }
        return count
    }

    /// The most rows a temporary table is analysed with (``ship(_:_:into:columns:)``).
    static let analysedRows = 10_000

    /// The columns of `table` in the target.
    func columns(of table: String) throws -> [PostgresColumn] {
        if columnsByTable == nil { columnsByTable = try PostgresCatalog(connection: connection, schema: target.schema).tables() }
        guard let columns = columnsByTable?[table] else { throw TargetError(target.name, "has no table \(table); nothing was changed") }
        return columns
    }

    // MARK: Tables

    func loadTable(_ table: TableMapping, run: Int64, facts: RunFacts) throws -> TableChanges {
        let incoming = table.incoming
        // Continuing the live state, only the rows the delta touched can differ from the target's.
        let onlyTouched = facts.continuesState && !table.isRebuiltWhole
        var changes = TableChanges(table: table.table)
        if facts.guardsDeletions { changes.liveBefore = try liveRows(of: table.table) }
        let counted = try staging.rows("SELECT count(*) AS n, coalesce(sum(_q = 1), 0) AS quarantined FROM \(incoming)").first
        changes.quarantined = counted?.int("quarantined") ?? 0
        let loadable = (counted?.int("n") ?? 0) - changes.quarantined
        let rows = PostgresTableRows(session: self, table: table, keyColumns: try columns(of: table.table).filter { $0.keyPosition > 0 })
        let (select, values) = incomingRows(table, facts: facts, onlyTouched: onlyTouched)
        if onlyTouched, try !deltaReaches(table) {
            // The delta wrote no record this table takes rows from and removed none of its keys: nothing
            // of it can differ from the target's, and the server is not asked.
            changes.unchanged = loadable
            return changes
        }
        if facts.guardsDeletions ? changes.liveBefore == 0 : try heldNoRows(table.table) {
            // A table that holds nothing yet: every row is new, and nothing can have vanished. The rows
            // and their lineage are copied straight in, with no temporary table between.
            changes.inserted = try rows.copyNew(select, values, run: run)
        } else {
            // The next table's rows replace these (``shipIncoming(_:_:_:)``); the last go with the session.
            try shipIncoming(table, select, values)
            // The vanished keys are those no incoming row produces, the written ones those it does: in
            // either order, neither step sees the other's rows.
            changes.deleted = try rows.archiveVanished(run: run, onlyRemovedKeys: onlyTouched)
            (changes.inserted, changes.updated) = try rows.writeChanged(from: "pg_temp.tmp_incoming", run: run)
        }
        changes.unchanged = loadable - changes.inserted - changes.updated
        return changes
    }

    /// Whether a delta continuing the live state touched a row of `table` or removed one of its keys.
    private func deltaReaches(_ table: TableMapping) throws -> Bool {
        try staging.scalar(StagingTable.deltaReachesSQL(), [.text(table.table)])?.int == 1
    }

    /// Whether `table` held no rows before the run, asked of its lineage without counting them: its least
    /// key, which the lineage's key index gives at once (where `LIMIT 1` would scan the table's rows
    /// up to the first of this table).
    private func heldNoRows(_ table: String) throws -> Bool {
        try connection.scalar("SELECT min(row_key) FROM casebridge_lineage WHERE table_name = $1", [.text(table)])?.string == nil
    }

    /// The rows `table` held before the run: one pass over the lineage counts them for every table (a
    /// table's own load changes no other table's count).
    private func liveRows(of table: String) throws -> Int {
        if liveRows == nil {
            var counts: [String: Int] = [:]
            for row in try connection.rows("SELECT table_name, count(*) AS n FROM casebridge_lineage GROUP BY table_name") {
                if let name = row["table_name"] { counts[name] = row.int("n") ?? 0 }
            }
            liveRows = counts
        }
        return liveRows?[table] ?? 0
    }

    /// The staging's query of the rows of `table` to compare with the target (those of records that
    /// load; continuing the live state, only those the delta touched), with their key, hash, record and
    /// place (`_key`, `_hash`, `_record_id`, `_sequence`, `_line`), then the table's columns.
    private func incomingRows(_ table: TableMapping, facts: RunFacts, onlyTouched: Bool) -> (String, [SQLValue]) {
        let touched = onlyTouched ? " AND i._rid IN (SELECT rid FROM \(StagingTable.touched) WHERE tbl = ?)" : ""
        return ("""
            SELECT i._key AS _key, i._hash AS _hash, r.record_id AS _record_id,
                   \(RecordLocation.sequenceSQL("i._line", current: facts.export.sequence)) AS _sequence,
                   \(RecordLocation.lineSQL("i._line")) AS _line, \(table.columns.map { "i." + quotedName($0.name) }.joined(separator: ", "))
            FROM \(table.incoming) i JOIN \(StagingStore.table(table.from)) r ON r.rid = i._rid
            WHERE i._q = 0\(touched)
            """, onlyTouched ? [.text(table.table)] : [])
    }

    /// `pg_temp.tmp_incoming`: the rows of `table` that `select` (``incomingRows(_:facts:onlyTouched:)``) gives.
    private func shipIncoming(_ table: TableMapping, _ select: String, _ values: [SQLValue]) throws {
        let columns = table.columns.map { quotedName($0.name) }
        try connection.execute("""
            DROP TABLE IF EXISTS pg_temp.tmp_incoming;
            CREATE TEMP TABLE tmp_incoming AS
            SELECT NULL::text AS _key, NULL::text AS _hash, NULL::text AS _record_id, NULL::bigint AS _sequence, NULL::bigint AS _line,
                   \(columns.map { "t." + $0 }.joined(separator: ", "))
            FROM \(quotedName(table.table)) t WITH NO DATA
            """)
        try ship(select, values, into: "pg_temp.tmp_incoming", columns: ["_key", "_hash", "_record_id", "_sequence", "_line"] + table.columns.map(\.name))
    }
}
