import CasebridgeModel
import CasebridgeRead
import CasebridgeStore
import Crypto
import Foundation

/// The load's steps in an SQLite target, on the target's connection inside its transaction, with the
/// staging database attached as `s`: classify each incoming row against lineage (new, changed,
/// unchanged), write what changed, archive what a full export no longer holds, store content once per
/// SHA-256 (verified as written), the quarantine with raw XML, the findings and the run's counts.
final class SQLiteLoadSession: TargetSession, ReadsBookkeeping {
    let database: Database
    let bookkeeping: BookkeepingReader

    init(database: Database) {
        self.database = database
        bookkeeping = BookkeepingReader(database)
    }

    private var writer: BookkeepingWriter { BookkeepingWriter(database) }

    /// Brings an older target's bookkeeping tables to ``TargetDatabase/bookkeepingVersion``, inside the
    /// load's transaction (a dry run rolls it back with the rest).
    func upgradeBookkeeping() throws {
        guard var version = try database.scalar("SELECT value FROM casebridge_meta WHERE key = 'bookkeeping_version'")?.string
            .flatMap({ Int($0) }) else { return }
        while version < TargetDatabase.bookkeepingVersion, let ddl = TargetDatabase.upgradeDDL[version] {
            try database.execute(ddl)
            version += 1
        }
    }

    func createSchema(_ mapping: TargetMapping) throws {
        try database.execute(mapping.ddl)
        try database.execute(TargetDatabase.bookkeepingDDL)
        try writer.writeMeta(mapping, ddlSHA256: mapping.ddlSHA256)
    }

    func beginRun(_ facts: RunFacts, options: JSONValue) throws -> Int64 { try writer.beginRun(facts, options: options) }

    func recordOptions(_ options: JSONValue, run: Int64) throws { try writer.recordOptions(options, run: run) }

    /// Reads the staged records through the staging's first attachment (`s0`), whose view is taken
    /// now, while the rows may still be being prepared (``SQLiteTarget/savesStateWhileRowsArePrepared``).
    func saveLiveState(sequence: Int, isFull: Bool, continuedFrom: Int?) throws {
        try LiveState.save(in: database, staging: SQLiteTarget.recordsSchema, sequence: sequence, isFull: isFull,
                           continuedFrom: continuedFrom)
    }

    /// Takes the view of the staging's second attachment (`s`), which every later step reads, and holds it
    /// until the transaction ends: the staging may be written from now on (``SQLiteTarget/stagingWritable``).
    func readPreparedRows() throws {
        _ = try database.scalar("SELECT count(*) FROM s.sqlite_master")
    }

    func recordStateToken(_ token: String?) throws { try writer.recordStateToken(token) }

    // MARK: Tables

    func loadTable(_ table: TableMapping, run: Int64, facts: RunFacts) throws -> TableChanges {
        let incoming = "s.\(table.incoming)"
        // Continuing the live state, only the rows the delta touched can differ from the target's.
        let onlyTouched = facts.continuesState && !table.isRebuiltWhole
        let touched = onlyTouched ? " AND i._rid IN (SELECT rid FROM s.\(StagingTable.touched) WHERE tbl = \(quotedText(table.table)))" : ""
        var changes = TableChanges(table: table.table)
        if facts.guardsDeletions {
            changes.liveBefore = try database.scalar("SELECT count(*) FROM casebridge_lineage WHERE table_name = ?",
                                                     [.text(table.table)])?.int ?? 0
        }
        // Rows of quarantined records, and loadable rows, in one pass.
        let counted = try database.rows("SELECT count(*) AS n, coalesce(sum(_q = 1), 0) AS quarantined FROM \(incoming)").first
        changes.quarantined = counted?.int("quarantined") ?? 0
        let loadable = (counted?.int("n") ?? 0) - changes.quarantined
        if onlyTouched, try database.scalar(StagingTable.deltaReachesSQL(schema: "s."), [.text(table.table)])?.int != 1 {
            // The delta wrote no record this table takes rows from and removed none of its keys: nothing
            // of it can differ from the target's.
            changes.unchanged = loadable
            return changes
        }
        if facts.guardsDeletions ? changes.liveBefore == 0 : try heldNoRows(table.table) {
            // A table that holds nothing yet: every row is new, and nothing can have vanished. The rows
            // and their lineage are copied straight in, with no temporary table between.
            changes.inserted = try write(table, rows: incoming, where: "i._q = 0" + touched, run: run, facts: facts)
            changes.unchanged = loadable - changes.inserted
            return changes
        }
        let actions = "temp." + quotedName("act_" + table.table)
        try database.execute("DROP TABLE IF EXISTS \(actions)")
        try database.execute("""
            CREATE TABLE \(actions) AS
            SELECT i.*, CASE WHEN l.row_sha256 IS NULL THEN 'insert' WHEN l.row_sha256 = i._hash THEN 'same' ELSE 'update' END AS _action
            FROM \(incoming) i LEFT JOIN casebridge_lineage l ON l.table_name = ?1 AND l.row_key = i._key
            WHERE i._q = 0\(touched)
            """, [.text(table.table)])
        for row in try database.rows("SELECT _action, count(*) AS n FROM \(actions) GROUP BY _action") {
            let count = row.int("n") ?? 0
            switch row["_action"] {
            case "insert": changes.inserted = count
            case "update": changes.updated = count
            default: changes.unchanged = count
            }
        }
        if onlyTouched { changes.unchanged = loadable - changes.inserted - changes.updated }
        changes.deleted = try archiveVanished(from: table, incoming: incoming, run: run, onlyRemovedKeys: onlyTouched)
        _ = try write(table, rows: actions, where: "i._action <> 'same'", run: run, facts: facts)
        try database.execute("DROP TABLE \(actions)")
        return changes
    }

    /// Writes the rows of `rows` (a table of incoming rows, read as `i`) that `condition` holds for into
    /// `table`, and their lineage, each replacing the row of its key; returns how many.
    private func write(_ table: TableMapping, rows: String, where condition: String, run: Int64, facts: RunFacts) throws -> Int {
        let columns = table.columns.map { quotedName($0.name) }.joined(separator: ", ")
        try database.execute("INSERT OR REPLACE INTO \(quotedName(table.table)) (\(columns)) SELECT \(columns) FROM \(rows) i WHERE \(condition)")
        let written = database.changes
        try database.execute("""
            INSERT OR REPLACE INTO casebridge_lineage
                (table_name, row_key, record_kind, record_id, run_id, source_sequence, source_line, row_sha256)
            SELECT ?, i._key, ?, r.record_id, ?, \(RecordLocation.sequenceSQL("i._line", current: facts.export.sequence)),
                   \(RecordLocation.lineSQL("i._line")), i._hash
            FROM \(rows) i JOIN s.\(StagingStore.table(table.from)) r ON r.rid = i._rid
            WHERE \(condition)
            """, [.text(table.table), .text(table.from.rawValue), .integer(run)])
        return written
    }

    /// Whether `table` held no rows before the run, asked of its lineage without counting them: its least
    /// key, which the lineage's key index gives at once.
    private func heldNoRows(_ table: String) throws -> Bool {
        try database.scalar("SELECT min(row_key) FROM casebridge_lineage WHERE table_name = ?", [.text(table)])?.string == nil
    }

    /// Moves the rows of `table` whose key the staged state no longer produces to `casebridge_deleted`
    /// (with `run`) and out of the table and lineage; returns how many. Quarantined records still
    /// produce their keys: a record that failed to load is not a record that vanished.
    ///
    /// With `onlyRemovedKeys` (a delta continuing the live state), only the keys of the rows its records
    /// replaced or deleted (`stg_removed_keys`) can have vanished.
    private func archiveVanished(from table: TableMapping, incoming: String, run: Int64, onlyRemovedKeys: Bool) throws -> Int {
        let name = quotedName(table.table)
        let key = table.keyExpression
        let gone = "temp." + quotedName("gone_" + table.table)
        try database.execute("DROP TABLE IF EXISTS \(gone)")
        if onlyRemovedKeys {
            try database.execute("""
                CREATE TABLE \(gone) AS SELECT DISTINCT l.row_key FROM s.\(StagingTable.removedKeys) k
                JOIN casebridge_lineage l ON l.table_name = ?1 AND l.row_key = k.key
                WHERE k.tbl = ?1 AND NOT EXISTS (SELECT 1 FROM \(incoming) i WHERE i._key = k.key)
                """, [.text(table.table)])
        } else {
            try database.execute("""
                CREATE TABLE \(gone) AS SELECT row_key FROM casebridge_lineage l
                WHERE l.table_name = ? AND NOT EXISTS (SELECT 1 FROM \(incoming) i WHERE i._key = l.row_key)
                """, [.text(table.table)])
        }
        defer { try? database.execute("DROP TABLE IF EXISTS \(gone)") }
        let object = table.columns.map { "'\($0.name)', \(quotedName($0.name))" }.joined(separator: ", ")
        // The rows by their key columns, so that the table's key index finds them.
        let keyColumns = table.keyColumns.map(quotedName)
        let isGone = keyColumns.count == 1
            ? "\(keyColumns[0]) IN (SELECT row_key FROM \(gone))"
            : "(\(keyColumns.joined(separator: ", "))) IN (SELECT \(keyColumns.indices.map { "json_extract(row_key, '$[\($0)]')" }.joined(separator: ", ")) FROM \(gone))"
        try database.execute("""
            INSERT INTO casebridge_deleted (table_name, row_key, row_json, deleted_run)
            SELECT ?, \(key), json_object(\(object)), ? FROM \(name) WHERE \(isGone) AND \(key) IN (SELECT row_key FROM \(gone))
            """, [.text(table.table), .integer(run)])
        try database.execute("DELETE FROM \(name) WHERE \(isGone) AND \(key) IN (SELECT row_key FROM \(gone))")
        let deleted = database.changes
        try database.execute("DELETE FROM casebridge_lineage WHERE table_name = ? AND row_key IN (SELECT row_key FROM \(gone))",
                             [.text(table.table)])
        return deleted
    }

    // MARK: Content

    /// Stores the content of every loaded part that the target does not hold yet, hashing each byte
    /// as it is written; a hash that differs from the one the read computed fails the run.
    func storeContent(in table: String, facts: RunFacts, source: ContentSource, outcome: inout LoadOutcome) throws {
        let quotedTable = quotedName(table)
        // What to store is settled first (a temporary table), so that the inserts do not change the
        // rows of the query they follow.
        try database.execute("DROP TABLE IF EXISTS temp.content_todo")
        try database.execute("""
            CREATE TABLE temp.content_todo AS
            SELECT t.*, EXISTS (SELECT 1 FROM \(quotedTable) c WHERE c.sha256 = t.sha256) AS stored
            FROM (\(ContentToStore.select(staging: "s.", continuedFrom: facts.continuedFrom))) t
            """)
        defer { try? database.execute("DROP TABLE IF EXISTS temp.content_todo") }
        try ContentToStore.requirePack(source)
        let files = ContentFiles(exportPath: source.exportPath)
        let insert = try database.prepare("INSERT INTO \(quotedTable) (sha256, bytes, data) VALUES (?, ?, zeroblob(?))")
        try database.forEachRow("SELECT * FROM temp.content_todo ORDER BY \"offset\", href") { candidate in
            let parts = candidate.int("parts") ?? 0
            guard candidate.int("stored") == 0, let sha = candidate["sha256"], let bytes = candidate.int("bytes") else {
                outcome.contentReused += parts
                return
            }
            outcome.contentReused += parts - 1
            try insert.bind([.text(sha), .integer(Int64(bytes)), .integer(Int64(bytes))])
            try insert.step()
            let rowid = database.lastInsertRowID
            _ = try database.writeBlob(table: table, column: "data", rowid: rowid) { write in
                try ContentToStore.stream(candidate, source: source, files: files, write: write)
            }
            outcome.contentAdded += 1
            outcome.contentBytesAdded += Int64(bytes)
        }
    }

    // MARK: Quarantine

    func storeQuarantine(run: Int64, facts: RunFacts, source: ContentSource) throws -> Int {
        let insert = try database.prepare("""
            INSERT INTO casebridge_quarantine (run_id, kind, record_id, source_file, source_line, reasons, raw_sha256, raw_note)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let insertRaw = try database.prepare("INSERT OR IGNORE INTO casebridge_raw_xml (sha256, bytes, xml) VALUES (?, ?, ?)")
        var count = 0
        // A record carried from an earlier export keeps the raw XML stored when that export's run quarantined it.
        let earlierRaw: QuarantineRows.EarlierRaw = { kind, recordID, file, line in
            try self.database.rows(QuarantineRows.earlierRawSQL, QuarantineRows.earlierRawValues(kind, recordID, file, line)).first
                .map { ($0["raw_sha256"], $0["raw_note"]) }
        }
        try QuarantineRows.forEach(in: database, staging: "s.", facts: facts, exportPath: source.exportPath, earlierRaw: earlierRaw) { record in
            if let xml = record.rawXML, let sha = record.rawSHA256 {
                try insertRaw.bind([.text(sha), .integer(Int64(xml.utf8.count)), .text(xml)])
                try insertRaw.step()
            }
            try insert.bind([.integer(run)] + record.values)
            try insert.step()
            count += 1
        }
        return count
    }

    // MARK: Findings

    func storeFindings(_ findings: CompletedFindings, run: Int64) throws -> Int {
        let columns = FindingRows.storedColumns
        let insert = try database.prepare("""
            INSERT INTO casebridge_finding (run_id, \(columns.joined(separator: ", ")), first_run)
            VALUES (?1, \(columns.indices.map { "?\($0 + 2)" }.joined(separator: ", ")), ?1)
            """)
        let rows = try findings.rows()
        for values in rows {
            try insert.bind([.integer(run)] + values)
            try insert.step()
        }
        return rows.count
    }

    func compareFindings(run: Int64) throws -> (new: Int, resolved: Int) { try writer.compareFindings(run: run) }

    // MARK: Counts

    func finishRun(_ outcome: LoadOutcome, reconciliation: [KindReconciliation]) throws {
        try writer.finishRun(outcome, reconciliation: reconciliation)
    }
}
