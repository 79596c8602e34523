import CasebridgeModel
import CasebridgeRead
import CasebridgeStore
import Crypto
import Foundation

/// The load's steps in an SQLite target, on the target's connection inside its transaction, with the
/// staging database attached as `s`: classify each incoming row against lineage (new, changed,
/// unchanged), write what changed, archive what a full export no longer holds, store content once per
/// SHA-256 (verified as written), the quarantine with raw XML, the findings and the run's counts.
final class SQLiteLoadSession: TargetSession, ReadsSQLiteRuns {
    let database: Database
    let runs: SQLiteRuns

    init(database: Database) {
        self.database = database
        runs = SQLiteRuns(database: database)
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

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
        let meta: [(String, String)] = [
            ("format", TargetDatabase.format), ("bookkeeping_version", String(TargetDatabase.bookkeepingVersion)),
            ("schema_name", mapping.schemaName), ("schema_version", String(mapping.schemaVersion)),
            ("schema_sha256", mapping.ddlSHA256), ("created_at", Self.timestamp(Date())),
        ]
        for (key, value) in meta {
            try database.execute("INSERT INTO casebridge_meta (key, value) VALUES (?, ?)", [.text(key), .text(value)])
        }
    }

    func beginRun(_ facts: RunFacts, options: JSONValue) throws -> Int64 {
        try database.execute("""
            INSERT INTO casebridge_run (started_at, export_file, export_id, sequence, export_kind, exported_at, as_of, options, outcome,
                                        export_sha256, run_user, run_host, casebridge_version, casebridge_build, mapping_sha256,
                                        policy_sha256, target_mapping_sha256)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'loading', ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(Self.timestamp(facts.startedAt)), .text(facts.exportFile), SQLValue(facts.export.exportId),
                  SQLValue(facts.export.sequence), SQLValue(facts.export.kind), SQLValue(facts.export.exportedAt),
                  SQLValue(facts.export.asOf?.iso), .text(options.serialised()), SQLValue(facts.exportSHA256),
                  SQLValue(facts.audit?.user), SQLValue(facts.audit?.host), SQLValue(facts.audit?.version),
                  SQLValue(facts.audit?.build), SQLValue(facts.audit?.mappingSHA256), SQLValue(facts.audit?.policySHA256),
                  SQLValue(facts.audit?.targetMappingSHA256)])
        return database.lastInsertRowID
    }

    func recordOptions(_ options: JSONValue, run: Int64) throws {
        try database.execute("UPDATE casebridge_run SET options = ? WHERE run_id = ?", [.text(options.serialised()), .integer(run)])
    }

    func saveLiveState(sequence: Int, isFull: Bool, continuedFrom: Int?) throws {
        try LiveState.save(in: database, sequence: sequence, isFull: isFull, continuedFrom: continuedFrom)
    }

    func recordStateToken(_ token: String?) throws {
        try database.execute("DELETE FROM casebridge_meta WHERE key = 'state_token'")
        if let token {
            try database.execute("INSERT INTO casebridge_meta (key, value) VALUES ('state_token', ?)", [.text(token)])
        }
    }

    // MARK: Tables

    func loadTable(_ table: TableMapping, run: Int64, facts: RunFacts) throws -> TableChanges {
        let incoming = "s.\(table.incoming)"
        let name = quotedName(table.table)
        let columns = table.columns.map { quotedName($0.name) }.joined(separator: ", ")
        let actions = "temp." + quotedName("act_" + table.table)
        // Continuing the live state, only the rows the delta touched can differ from the target's.
        let onlyTouched = facts.continuesState && !table.isRebuiltWhole
        try database.execute("DROP TABLE IF EXISTS \(actions)")
        try database.execute("""
            CREATE TABLE \(actions) AS
            SELECT i.*, CASE WHEN l.row_sha256 IS NULL THEN 'insert' WHEN l.row_sha256 = i._hash THEN 'same' ELSE 'update' END AS _action
            FROM \(incoming) i LEFT JOIN casebridge_lineage l ON l.table_name = ?1 AND l.row_key = i._key
            WHERE i._q = 0\(onlyTouched ? " AND i._rid IN (SELECT rid FROM s.\(StagingTable.touched) WHERE tbl = ?1)" : "")
            """, [.text(table.table)])
        var changes = TableChanges(table: table.table)
        changes.liveBefore = try database.scalar("SELECT count(*) FROM casebridge_lineage WHERE table_name = ?",
                                                 [.text(table.table)])?.int ?? 0
        // Rows of quarantined records, and loadable rows, in one pass.
        let counted = try database.rows("SELECT count(*) AS n, coalesce(sum(_q = 1), 0) AS quarantined FROM \(incoming)").first
        changes.quarantined = counted?.int("quarantined") ?? 0
        for row in try database.rows("SELECT _action, count(*) AS n FROM \(actions) GROUP BY _action") {
            let count = row.int("n") ?? 0
            switch row["_action"] {
            case "insert": changes.inserted = count
            case "update": changes.updated = count
            default: changes.unchanged = count
            }
        }
        if onlyTouched {
            let loadable = (counted?.int("n") ?? 0) - changes.quarantined
            changes.unchanged = loadable - changes.inserted - changes.updated
        }
        changes.deleted = try archiveVanished(from: table, incoming: incoming, run: run, onlyRemovedKeys: onlyTouched)
        try database.execute("""
            INSERT OR REPLACE INTO \(name) (\(columns))
            SELECT \(columns) FROM \(actions) WHERE _action <> 'same'
            """)
        try database.execute("""
            INSERT OR REPLACE INTO casebridge_lineage
                (table_name, row_key, record_kind, record_id, run_id, source_sequence, source_line, row_sha256)
            SELECT ?, a._key, ?, r.record_id, ?, \(RecordLocation.sequenceSQL("a._line", current: facts.export.sequence)),
                   \(RecordLocation.lineSQL("a._line")), a._hash
            FROM \(actions) a JOIN s.\(StagingStore.table(table.from)) r ON r.rid = a._rid
            WHERE a._action <> 'same'
            """, [.text(table.table), .text(table.from.rawValue), .integer(run)])
        try database.execute("DROP TABLE \(actions)")
        return changes
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
        let continuedFrom = facts.continuedFrom
        let pack = source.pack
        let exportPath = source.exportPath
        let quotedTable = quotedName(table)
        // Continuing the live state, the parts of earlier exports that could load had their content stored then.
        let onlyTouched = continuedFrom.map {
            "AND p.rid IN (SELECT rid FROM s.\(StagingTable.touched) UNION ALL SELECT rid FROM s.\(StagingTable.records(.part)) WHERE rid >= \($0))"
        } ?? ""
        let files = ContentFiles(exportPath: exportPath)
        // What to store is settled first (a temporary table), so that the inserts do not change the
        // rows of the query they follow.
        try database.execute("DROP TABLE IF EXISTS temp.content_todo")
        try database.execute("""
            CREATE TABLE temp.content_todo AS
            SELECT p.content_sha256 AS sha256, max(p.content_bytes) AS bytes, min(p.content_offset) AS offset, min(p.href) AS href,
                   count(*) AS parts, EXISTS (SELECT 1 FROM \(quotedTable) c WHERE c.sha256 = p.content_sha256) AS stored
            FROM s.\(StagingTable.records(.part)) p
            WHERE p.quarantined = 0 AND p.content_state = 'ok' AND p.content_sha256 IS NOT NULL \(onlyTouched)
            GROUP BY p.content_sha256
            """)
        defer { try? database.execute("DROP TABLE IF EXISTS temp.content_todo") }
        if pack.writeFailed {
            throw TargetError(exportPath, "the temporary copy of the export's content could not be written (is the disk full?); nothing was changed")
        }
        let insert = try database.prepare("INSERT INTO \(quotedTable) (sha256, bytes, data) VALUES (?, ?, zeroblob(?))")
        try database.forEachRow("SELECT * FROM temp.content_todo ORDER BY offset, href") { candidate in
            let parts = candidate.int("parts") ?? 0
            guard candidate.int("stored") == 0, let sha = candidate["sha256"], let bytes = candidate.int("bytes") else {
                outcome.contentReused += parts
                return
            }
            outcome.contentReused += parts - 1
            try insert.bind([.text(sha), .integer(Int64(bytes)), .integer(Int64(bytes))])
            try insert.step()
            let rowid = database.lastInsertRowID
            var hasher = SHA256()
            var failure: (any Error)?
            let written = try database.writeBlob(table: table, column: "data", rowid: rowid) { write in
                let body: (UnsafeRawBufferPointer) -> Void = { block in
                    guard failure == nil else { return }
                    hasher.update(bufferPointer: block)
                    do { try write(block) } catch { failure = error }
                }
                let read: Bool
                if let offset = candidate.int("offset") {
                    read = pack.read(offset: Int64(offset), length: Int64(bytes), body)
                } else if let href = candidate["href"] {
                    read = files.read(href, body)
                } else {
                    read = false
                }
                if let failure { throw failure }
                guard read else { throw TargetError(exportPath, "the content of SHA-256 \(sha) could no longer be read; nothing was changed") }
            }
            let digest = hasher.finalize().hex
            guard written == Int64(bytes), digest == sha else {
                throw TargetError(exportPath, "content changed while migrating: expected SHA-256 \(sha) (\(bytes) bytes), wrote \(digest) (\(written) bytes); nothing was changed")
            }
            outcome.contentAdded += 1
            outcome.contentBytesAdded += Int64(bytes)
        }
    }

    // MARK: Quarantine

    /// The longest raw XML kept for one quarantined record.
    static let rawLimit = 16 << 20

    func storeQuarantine(run: Int64, facts: RunFacts, source: ContentSource) throws -> Int {
        let exportPath = source.exportPath
        let insert = try database.prepare("""
            INSERT INTO casebridge_quarantine (run_id, kind, record_id, source_file, source_line, reasons, raw_sha256, raw_note)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let insertRaw = try database.prepare("INSERT OR IGNORE INTO casebridge_raw_xml (sha256, bytes, xml) VALUES (?, ?, ?)")
        // A record carried from an earlier export keeps the raw XML stored when that export's run quarantined it.
        let earlierRaw = try database.prepare("""
            SELECT raw_sha256, raw_note FROM casebridge_quarantine
            WHERE kind = ? AND record_id IS ? AND source_file = ? AND source_line IS ? ORDER BY run_id DESC LIMIT 1
            """)
        let source = FileHandle(forReadingAtPath: exportPath)
        defer { try? source?.close() }
        var count = 0
        for kind in RecordKind.allCases {
            let rows = try database.rows("""
                SELECT q.rid, t.record_id, t.line, t.src_start, t.src_end, t.carried, json_group_array(q.reason) AS reasons
                FROM (SELECT DISTINCT rid, reason FROM s.\(StagingTable.quarantine) WHERE kind = ?) q
                JOIN s.\(StagingStore.table(kind)) t ON t.rid = q.rid
                GROUP BY q.rid ORDER BY q.rid
                """, [.text(kind.rawValue)])
            for row in rows {
                var rawSHA: String?
                var note: String?
                let (file, line) = facts.place(of: row.int("line"))
                if row.int("carried") == 1 {
                    try earlierRaw.bind([.text(kind.rawValue), SQLValue(row["record_id"]), .text(file), SQLValue(line)])
                    if try earlierRaw.step() {
                        rawSHA = earlierRaw.row()["raw_sha256"]
                        note = earlierRaw.row()["raw_note"]
                    } else {
                        note = "the record was read from \(file), whose raw XML this target does not hold"
                    }
                    earlierRaw.reset()
                } else {
                    switch Self.rawXML(source, start: row.int("src_start"), end: row.int("src_end")) {
                    case let .success(xml):
                        let sha = SHA256.hash(data: Data(xml.utf8)).hex
                        try insertRaw.bind([.text(sha), .integer(Int64(xml.utf8.count)), .text(xml)])
                        try insertRaw.step()
                        rawSHA = sha
                        if let end = row.int("src_end"), let start = row.int("src_start"), end - start > Self.rawLimit {
                            note = "the record's XML is longer than \(Self.rawLimit) bytes; the first \(Self.rawLimit) are kept"
                        }
                    case let .failure(problem):
                        note = problem.reason
                    }
                }
                try insert.bind([
                    .integer(run), .text(kind.rawValue), SQLValue(row["record_id"]), .text(file), SQLValue(line),
                    SQLValue(row["reasons"]), SQLValue(rawSHA), SQLValue(note),
                ])
                try insert.step()
                count += 1
            }
        }
        return count
    }

    struct RawProblem: Error { var reason: String }

    /// The record's XML from its start tag's `<` to the end of its end tag (at most ``rawLimit`` bytes).
    static func rawXML(_ file: FileHandle?, start: Int?, end: Int?) -> Result<String, RawProblem> {
        guard let file, let start, let end, end > start else {
            return .failure(RawProblem(reason: "the record's place in the file is not known"))
        }
        do {
            // The start offset lies inside the start tag; the tag begins at the last `<` before it.
            let back = min(start, 1 << 20)
            try file.seek(toOffset: UInt64(start - back))
            let before = try file.read(upToCount: back) ?? Data()
            guard let open = before.lastIndex(of: UInt8(ascii: "<")) else {
                return .failure(RawProblem(reason: "the record's start tag was not found in the file"))
            }
            let tagStart = start - back + (open - before.startIndex)
            try file.seek(toOffset: UInt64(tagStart))
            let data = try file.read(upToCount: min(end - tagStart, rawLimit)) ?? Data()
            guard data.first == UInt8(ascii: "<"), let text = String(data: data, encoding: .utf8) else {
                return .failure(RawProblem(reason: "the record's bytes are not UTF-8 XML (the export's encoding is kept only for UTF-8 files)"))
            }
            return .success(text)
        } catch {
            return .failure(RawProblem(reason: "the export could not be read again: \(error.localizedDescription)"))
        }
    }

    // MARK: Findings

    func storeFindings(_ findings: [Finding], run: Int64, asOf: String?) throws -> Int {
        let insert = try database.prepare("""
            INSERT INTO casebridge_finding (run_id, rule, severity, identity, key_json, context_json, record_kind, record_id,
                                            child, family, document, message, source_file, source_line, first_run)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?1)
            """)
        for finding in findings {
            let keyJSON = JSONValue.object(finding.key.map { ($0.name, .string($0.value)) }).serialised()
            let contextJSON = JSONValue.object(finding.context.map { ($0.name, .string($0.value)) }).serialised()
            let identity = JSONValue.array([.string(finding.rule)] + finding.key.map { .string($0.value) }).serialised()
            let record = Self.record(of: finding)
            let child = finding[field: "child"] ?? (record?.kind == "Person" ? record?.id : nil)
            try insert.bind([
                .integer(run), .text(finding.rule), .text(finding.severity.rawValue), .text(identity), .text(keyJSON), .text(contextJSON),
                SQLValue(record?.kind), SQLValue(record?.id), SQLValue(child), SQLValue(finding[field: "family"]),
                SQLValue(finding[field: "document"]), .text(finding.message), SQLValue(finding.source?.file), SQLValue(finding.source?.line),
            ])
            try insert.step()
        }
        // Findings about a record of a child (a document, a plan, a visit, a membership) concern that child.
        try database.execute("""
            UPDATE casebridge_finding SET child = CASE record_kind
                WHEN 'Document' THEN (SELECT x.person FROM s.\(StagingTable.records(.document)) x WHERE x.record_id = casebridge_finding.record_id ORDER BY x.rid LIMIT 1)
                WHEN 'Plan' THEN (SELECT x.person FROM s.\(StagingTable.records(.plan)) x WHERE x.record_id = casebridge_finding.record_id ORDER BY x.rid LIMIT 1)
                WHEN 'Outcome' THEN (SELECT p.person FROM s.\(StagingTable.records(.outcome)) x JOIN s.\(StagingTable.records(.plan)) p ON p.rid = x.owner_rid
                                     WHERE x.record_id = casebridge_finding.record_id ORDER BY x.rid LIMIT 1)
                WHEN 'Visit' THEN (SELECT x.person FROM s.\(StagingTable.records(.visit)) x WHERE x.record_id = casebridge_finding.record_id ORDER BY x.rid LIMIT 1)
                WHEN 'Member' THEN (SELECT x.person FROM s.\(StagingTable.records(.member)) x WHERE x.record_id = casebridge_finding.record_id ORDER BY x.rid LIMIT 1)
                END
            WHERE run_id = ?1 AND child IS NULL
            """, [.integer(run)])
        // The team that holds the child's case on the as-of date (else the latest allocation), and the
        // date of the event the gap concerns, both from the staged export.
        try database.execute("""
            UPDATE casebridge_finding SET team = (
                SELECT a.team FROM s.\(StagingTable.records(.allocation)) a JOIN s.\(StagingTable.records(.person)) p ON p.rid = a.owner_rid
                WHERE p.id = casebridge_finding.child AND a.team IS NOT NULL
                ORDER BY (a."from" <= ?1 AND (a."to" IS NULL OR a."to" >= ?1)) DESC, a."from" DESC LIMIT 1)
            WHERE run_id = ?2 AND child IS NOT NULL
            """, [SQLValue(asOf), .integer(run)])
        try database.execute("""
            UPDATE casebridge_finding SET event_date = coalesce(
                (SELECT d.eventDate FROM s.\(StagingTable.records(.document)) d WHERE d.id = casebridge_finding.document ORDER BY d.rid LIMIT 1),
                (SELECT min(d.eventDate) FROM s.\(StagingTable.records(.document)) d WHERE d.origin = json_extract(casebridge_finding.key_json, '$.origin')),
                (SELECT p.reviewDue FROM s.\(StagingTable.records(.plan)) p WHERE p.id = json_extract(casebridge_finding.key_json, '$.plan') ORDER BY p.rid LIMIT 1))
            WHERE run_id = ?1
            """, [.integer(run)])
        return findings.count
    }

    /// Compares this run's findings with the previous loaded run's by identity: a gap still open keeps
    /// the run it was first found in, and the previous run's gaps this run no longer holds are recorded
    /// as resolved. Returns how many are new and how many resolved.
    func compareFindings(run: Int64) throws -> (new: Int, resolved: Int) {
        let previous = try database.scalar(
            "SELECT max(run_id) FROM casebridge_run WHERE outcome = 'loaded' AND run_id < ?", [.integer(run)])?.int
        if let previous {
            try database.execute("""
                UPDATE casebridge_finding SET first_run = coalesce(
                    (SELECT p.first_run FROM casebridge_finding p WHERE p.identity = casebridge_finding.identity AND p.run_id = ?2), run_id)
                WHERE run_id = ?1
                """, [.integer(run), .integer(Int64(previous))])
            try database.execute("""
                INSERT INTO casebridge_finding_resolved (run_id, rule, identity, record_kind, record_id, child, family, team, first_run)
                SELECT ?1, p.rule, p.identity, p.record_kind, p.record_id, p.child, p.family, p.team, p.first_run
                FROM casebridge_finding p
                WHERE p.run_id = ?2 AND NOT EXISTS (SELECT 1 FROM casebridge_finding f WHERE f.identity = p.identity AND f.run_id = ?1)
                """, [.integer(run), .integer(Int64(previous))])
        }
        let new = try database.scalar("SELECT count(*) FROM casebridge_finding WHERE run_id = ?1 AND first_run = ?1", [.integer(run)])?.int ?? 0
        let resolved = try database.scalar("SELECT count(*) FROM casebridge_finding_resolved WHERE run_id = ?", [.integer(run)])?.int ?? 0
        return (new, resolved)
    }

    /// The record a finding is about, as findings-format.md keys it.
    static func record(of finding: Finding) -> (kind: String, id: String)? {
        if let kind = finding[field: "recordKind"], let id = finding[field: "recordId"] { return (kind, id) }
        if let plan = finding[field: "plan"] {
            if let outcome = finding[field: "outcome"] { return ("Outcome", plan + "/" + outcome) }
            return ("Plan", plan)
        }
        if let document = finding[field: "document"] { return ("Document", document) }
        if let child = finding[field: "child"] { return ("Person", child) }
        return nil
    }

    // MARK: Counts

    func finishRun(_ outcome: LoadOutcome, reconciliation: [KindReconciliation]) throws {
        for kind in reconciliation {
            try database.execute("INSERT INTO casebridge_run_kind (run_id, kind, read, loaded, quarantined) VALUES (?, ?, ?, ?, ?)", [
                .integer(outcome.runID), .text(kind.kind.rawValue), .integer(Int64(kind.read)), .integer(Int64(kind.loaded)),
                .integer(Int64(kind.quarantined)),
            ])
        }
        for table in outcome.tables {
            try database.execute("""
                INSERT INTO casebridge_run_table (run_id, table_name, inserted, updated, unchanged, deleted, quarantined)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [.integer(outcome.runID), .text(table.table), .integer(Int64(table.inserted)), .integer(Int64(table.updated)),
                      .integer(Int64(table.unchanged)), .integer(Int64(table.deleted)), .integer(Int64(table.quarantined))])
        }
        let sum = { (path: KeyPath<TableChanges, Int>) in Int64(outcome.tables.reduce(0) { $0 + $1[keyPath: path] }) }
        try database.execute("""
            UPDATE casebridge_run SET finished_at = ?, outcome = 'loaded', records_read = ?, records_loaded = ?, records_quarantined = ?,
                rows_inserted = ?, rows_updated = ?, rows_unchanged = ?, rows_deleted = ?, content_added = ?, content_bytes_added = ?,
                findings = ?, findings_new = ?, findings_resolved = ?
            WHERE run_id = ?
            """, [
                .text(Self.timestamp(Date())), .integer(Int64(reconciliation.reduce(0) { $0 + $1.read })),
                .integer(Int64(reconciliation.reduce(0) { $0 + $1.loaded })), .integer(Int64(reconciliation.reduce(0) { $0 + $1.quarantined })),
                .integer(sum(\.inserted)), .integer(sum(\.updated)), .integer(sum(\.unchanged)), .integer(sum(\.deleted)),
                .integer(Int64(outcome.contentAdded)), .integer(outcome.contentBytesAdded), .integer(Int64(outcome.findings)),
                .integer(Int64(outcome.findingsNew)), .integer(Int64(outcome.findingsResolved)),
                .integer(outcome.runID),
            ])
    }
}
