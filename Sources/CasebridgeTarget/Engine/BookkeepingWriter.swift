import CasebridgeModel
import CasebridgeStore
import Foundation

/// The load's writes to Casebridge's bookkeeping that every engine does alike, in SQL both speak: the
/// meta rows of a new target, the run's row, its options, the state token, the comparison of its
/// findings with the previous run's, and its counts. Runs inside the load's transaction.
package struct BookkeepingWriter {
    let connection: any BookkeepingConnection

    package init(_ connection: any BookkeepingConnection) {
        self.connection = connection
    }

    /// An instant as the bookkeeping records it: ISO 8601 in UTC, to the second.
    package static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// The meta rows of a new target built from `mapping`'s DDL of digest `ddlSHA256`.
    func writeMeta(_ mapping: TargetMapping, ddlSHA256: String) throws {
        let meta: [(String, String)] = [
            ("format", TargetDatabase.format), ("bookkeeping_version", String(TargetDatabase.bookkeepingVersion)),
            ("schema_name", mapping.schemaName), ("schema_version", String(mapping.schemaVersion)),
            ("schema_sha256", ddlSHA256), ("created_at", Self.timestamp(Date())),
        ]
        for (key, value) in meta {
            try connection.execute("INSERT INTO casebridge_meta (key, value) VALUES (?, ?)", [.text(key), .text(value)])
        }
    }

    /// The run's row, numbered one past the last run (writers take turns, so no two runs get one number,
    /// and a run rolled back uses up none).
    func beginRun(_ facts: RunFacts, options: JSONValue) throws -> Int64 {
        let row = try connection.rows("""
            INSERT INTO casebridge_run (run_id, started_at, export_file, export_id, sequence, export_kind, exported_at, as_of, options,
                                        outcome, export_sha256, run_user, run_host, casebridge_version, casebridge_build,
                                        mapping_sha256, policy_sha256, target_mapping_sha256)
            SELECT coalesce(max(run_id), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?, 'loading', ?, ?, ?, ?, ?, ?, ?, ? FROM casebridge_run
            RETURNING run_id
            """, [.text(Self.timestamp(facts.startedAt)), .text(facts.exportFile), SQLValue(facts.export.exportId),
                  SQLValue(facts.export.sequence), SQLValue(facts.export.kind), SQLValue(facts.export.exportedAt),
                  SQLValue(facts.export.asOf?.iso), .text(options.serialised()), SQLValue(facts.exportSHA256),
                  SQLValue(facts.audit?.user), SQLValue(facts.audit?.host), SQLValue(facts.audit?.version),
                  SQLValue(facts.audit?.build), SQLValue(facts.audit?.mappingSHA256), SQLValue(facts.audit?.policySHA256),
                  SQLValue(facts.audit?.targetMappingSHA256)])
        guard let run = row.first?.int("run_id") else { throw TargetError(facts.exportFile, "the target gave the run no id; nothing was changed") }
        return Int64(run)
    }

    func recordOptions(_ options: JSONValue, run: Int64) throws {
        try connection.execute("UPDATE casebridge_run SET options = ? WHERE run_id = ?", [.text(options.serialised()), .integer(run)])
    }

    func recordStateToken(_ token: String?) throws {
        try connection.execute("DELETE FROM casebridge_meta WHERE key = 'state_token'", [])
        if let token {
            try connection.execute("INSERT INTO casebridge_meta (key, value) VALUES ('state_token', ?)", [.text(token)])
        }
    }

    /// Compares this run's findings with the previous loaded run's by identity: a gap still open keeps
    /// the run it was first found in, and the previous run's gaps this run no longer holds are recorded
    /// as resolved. Returns how many are new and how many resolved.
    ///
    /// An engine may store the findings with their first run already found (``previousLoadedRun(before:)``);
    /// only those stored as first found in this run are looked up here.
    func compareFindings(run: Int64) throws -> (new: Int, resolved: Int) {
        if let previous = try previousLoadedRun(before: run) {
            try connection.execute("""
                UPDATE casebridge_finding SET first_run =
                    (SELECT p.first_run FROM casebridge_finding p WHERE p.identity = casebridge_finding.identity AND p.run_id = ?2)
                WHERE run_id = ?1 AND first_run = ?1
                  AND EXISTS (SELECT 1 FROM casebridge_finding p WHERE p.identity = casebridge_finding.identity AND p.run_id = ?2)
                """, [.integer(run), .integer(previous)])
            try connection.execute("""
                INSERT INTO casebridge_finding_resolved (run_id, rule, identity, record_kind, record_id, child, family, team, first_run)
                SELECT ?1, p.rule, p.identity, p.record_kind, p.record_id, p.child, p.family, p.team, p.first_run
                FROM casebridge_finding p
                WHERE p.run_id = ?2 AND NOT EXISTS (SELECT 1 FROM casebridge_finding f WHERE f.identity = p.identity AND f.run_id = ?1)
                """, [.integer(run), .integer(previous)])
        }
        let counts = try connection.rows("""
            SELECT (SELECT count(*) FROM casebridge_finding WHERE run_id = ?1 AND first_run = ?1) AS new_count,
                   (SELECT count(*) FROM casebridge_finding_resolved WHERE run_id = ?1) AS resolved_count
            """, [.integer(run)]).first
        return (counts?.int("new_count") ?? 0, counts?.int("resolved_count") ?? 0)
    }

    /// The last run loaded before `run`, whose findings this run's are compared with (`nil`: none).
    func previousLoadedRun(before run: Int64) throws -> Int64? {
        try connection.rows("SELECT max(run_id) AS previous FROM casebridge_run WHERE outcome = 'loaded' AND run_id < ?", [.integer(run)])
            .first?.int("previous").map(Int64.init)
    }

    /// Records what the run did and marks it loaded.
    func finishRun(_ outcome: LoadOutcome, reconciliation: [KindReconciliation]) throws {
        for kind in reconciliation {
            try connection.execute("INSERT INTO casebridge_run_kind (run_id, kind, read, loaded, quarantined) VALUES (?, ?, ?, ?, ?)", [
                .integer(outcome.runID), .text(kind.kind.rawValue), .integer(Int64(kind.read)), .integer(Int64(kind.loaded)),
                .integer(Int64(kind.quarantined)),
            ])
        }
        for table in outcome.tables {
            try connection.execute("""
                INSERT INTO casebridge_run_table (run_id, table_name, inserted, updated, unchanged, deleted, quarantined)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [.integer(outcome.runID), .text(table.table), .integer(Int64(table.inserted)), .integer(Int64(table.updated)),
                      .integer(Int64(table.unchanged)), .integer(Int64(table.deleted)), .integer(Int64(table.quarantined))])
        }
        let sum = { (path: KeyPath<TableChanges, Int>) in Int64(outcome.tables.reduce(0) { $0 + $1[keyPath: path] }) }
        try connection.execute("""
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
