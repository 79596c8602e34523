import CasebridgeModel
import CasebridgeStore
import Foundation

/// A connection a target's bookkeeping is read and written through, whatever its engine: the reads
/// (``BookkeepingReader``) and writes (``BookkeepingWriter``) are written once, in SQL both engines speak.
package protocol BookkeepingConnection {
    /// Every row `sql` returns, with `values` bound to its `?` (or `?N`) parameters.
    func rows(_ sql: String, _ values: [SQLValue]) throws -> [Row]
    /// Runs one statement with `values` bound to its `?` (or `?N`) parameters.
    func execute(_ sql: String, _ values: [SQLValue]) throws
    /// The column that orders a run's findings and quarantine as the load stored them.
    var insertionOrder: String { get }
}

extension Database: BookkeepingConnection {
    package var insertionOrder: String { "rowid" }
}

/// The runs, findings, quarantine and teams a target holds, read from its bookkeeping tables (outside a
/// transaction for `status`, `report` and the checks before a long read; inside the load's for the same
/// checks again).
package struct BookkeepingReader: TargetHistory {
    let connection: any BookkeepingConnection

    package init(_ connection: any BookkeepingConnection) {
        self.connection = connection
    }

    // MARK: Runs

    // `*`: a target of bookkeeping version 2 has no export_sha256 until its next load upgrades it.
    private func runs(_ condition: String, _ values: [SQLValue] = []) throws -> [LoadedRun] {
        try connection.rows("SELECT * FROM casebridge_run WHERE outcome = 'loaded' \(condition)", values).map { row in
            LoadedRun(runID: Int64(row.int("run_id") ?? 0), exportID: row["export_id"], sequence: row.int("sequence"),
                      finishedAt: row["finished_at"], exportedAt: row["exported_at"], exportSHA256: row["export_sha256"],
                      exportFile: row["export_file"] ?? "")
        }
    }

    package func loadedRun(sequence: Int) throws -> LoadedRun? {
        try runs("AND sequence = ? ORDER BY run_id LIMIT 1", [.integer(Int64(sequence))]).first
    }

    package func lastLoadedRun() throws -> LoadedRun? {
        try runs("AND sequence IS NOT NULL ORDER BY sequence DESC, run_id DESC LIMIT 1").first
    }

    package func loadedRuns() throws -> [LoadedRun] {
        try runs("AND sequence IS NOT NULL ORDER BY run_id")
    }

    package func stateToken() throws -> String? {
        try connection.rows("SELECT value FROM casebridge_meta WHERE key = 'state_token'", []).first?["value"]
    }

    // MARK: History

    package func runRecords(limit: Int) throws -> [RunRecord] {
        try connection.rows("\(Self.runColumns) ORDER BY r.run_id DESC LIMIT ?", [.integer(Int64(limit))]).map(Self.record)
    }

    package func loadedRunRecords() throws -> [RunRecord] {
        try connection.rows("\(Self.runColumns) WHERE r.outcome = 'loaded' ORDER BY r.run_id", []).map(Self.record)
    }

    /// A run's ``QuarantineCount`` in SQL, for the run whose id is `run` (a column or a parameter): the
    /// `casebridge_quarantine` rows stored with it, one per record, the live quarantine after it (not
    /// `casebridge_run.records_quarantined`, which counts only the records of the run's own export).
    private static func quarantineCountSQL(run: String) -> String {
        "(SELECT count(*) FROM casebridge_quarantine q WHERE q.run_id = \(run))"
    }

    /// Every column of a run, and its ``QuarantineCount`` as `in_quarantine`.
    private static let runColumns = "SELECT r.*, \(quarantineCountSQL(run: "r.run_id")) AS in_quarantine FROM casebridge_run r"

    package func quarantineCount(run: Int) throws -> QuarantineCount {
        QuarantineCount(records: try connection.rows("SELECT \(Self.quarantineCountSQL(run: "?")) AS n", [.integer(Int64(run))]).first?.int("n") ?? 0)
    }

    /// A `casebridge_run` row (`*`: the audit columns exist from bookkeeping version 3 on).
    private static func record(_ row: Row) -> RunRecord {
        var run = RunRecord(id: row.int("run_id") ?? 0, outcome: row["outcome"] ?? "?")
        run.exportId = row["export_id"]
        run.sequence = row.int("sequence")
        run.kind = row["export_kind"]
        run.exportedAt = row["exported_at"]
        run.asOf = row["as_of"].flatMap(CivilDate.init(iso:))
        run.finishedAt = row["finished_at"]
        run.inserted = row.int("rows_inserted") ?? 0
        run.updated = row.int("rows_updated") ?? 0
        run.deleted = row.int("rows_deleted") ?? 0
        run.quarantine = QuarantineCount(records: row.int("in_quarantine") ?? 0)
        run.findings = row.int("findings") ?? 0
        run.findingsNew = row.int("findings_new") ?? 0
        run.findingsResolved = row.int("findings_resolved") ?? 0
        run.exportSHA256 = row["export_sha256"]
        if let user = row["run_user"] {
            run.audit = RunAudit(user: user, host: row["run_host"] ?? "", version: row["casebridge_version"] ?? "",
                                 build: row["casebridge_build"] ?? "", mappingSHA256: row["mapping_sha256"],
                                 policySHA256: row["policy_sha256"], targetMappingSHA256: row["target_mapping_sha256"])
        }
        return run
    }

    package func storedFindings(run: Int) throws -> [StoredFinding] {
        let rows = try connection.rows("""
            SELECT f.rule, f.severity, f.identity, f.key_json, f.context_json, f.record_kind, f.record_id, f.child, f.family,
                   f.document, f.team, f.event_date, f.message, f.source_file, f.source_line,
                   CASE WHEN f.first_run = f.run_id THEN 1 ELSE 0 END AS is_new
            FROM casebridge_finding f WHERE f.run_id = ? ORDER BY f.\(connection.insertionOrder)
            """, [.integer(Int64(run))])
        return rows.map { row in
            var fields = Self.fields(row["context_json"])
            for (name, value) in Self.fields(row["key_json"]) { fields[name] = value }
            return StoredFinding(
                rule: row["rule"] ?? "", severity: row["severity"] ?? "", identity: row["identity"] ?? "", fields: fields,
                recordKind: row["record_kind"], recordId: row["record_id"], child: row["child"], family: row["family"],
                document: row["document"], team: row["team"], eventDate: row["event_date"].flatMap(CivilDate.init(iso:)),
                message: row["message"] ?? "", sourceFile: row["source_file"], sourceLine: row.int("source_line"), isNew: row.int("is_new") == 1)
        }
    }

    package func findingCounts(run: Int) throws -> [(severity: String, rule: String, count: Int)] {
        try connection.rows("""
            SELECT severity, rule, count(*) AS n FROM casebridge_finding WHERE run_id = ?
            GROUP BY severity, rule
            ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, n DESC, rule
            """, [.integer(Int64(run))]).map { ($0["severity"] ?? "?", $0["rule"] ?? "?", $0.int("n") ?? 0) }
    }

    package func quarantine(run: Int) throws -> [QuarantinedRecord] {
        try connection.rows("""
            SELECT kind, record_id, source_file, source_line, reasons FROM casebridge_quarantine WHERE run_id = ?
            ORDER BY \(connection.insertionOrder)
            """, [.integer(Int64(run))]).map { row in
            let reasons = row["reasons"].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String] } ?? []
            return QuarantinedRecord(kind: row["kind"] ?? "", recordId: row["record_id"], sourceFile: row["source_file"] ?? "",
                                     sourceLine: row.int("source_line"), reasons: reasons)
        }
    }

    package func findingChanges(run: Int) throws -> (open: Int, new: Int, resolved: Int) {
        let row = try connection.rows("""
            SELECT (SELECT count(*) FROM casebridge_finding WHERE run_id = ?1) AS open_count,
                   (SELECT count(*) FROM casebridge_finding WHERE run_id = ?1 AND first_run = ?1) AS new_count,
                   (SELECT count(*) FROM casebridge_finding_resolved WHERE run_id = ?1) AS resolved_count
            """, [.integer(Int64(run))]).first
        return (row?.int("open_count") ?? 0, row?.int("new_count") ?? 0, row?.int("resolved_count") ?? 0)
    }

    package func teams() throws -> [String: String?] {
        // A target of another mapping may have no such table, or another shape of it: then no names.
        guard let rows = try? connection.rows("SELECT dept_team_id, dept_team_name FROM ssd_department", []) else { return [:] }
        var teams: [String: String?] = [:]
        for row in rows {
            guard let id = row["dept_team_id"] else { continue }
            let name = row["dept_team_name"]?.trimmingCharacters(in: .whitespacesAndNewlines)
            teams[id] = (name?.isEmpty ?? true) ? nil : name
        }
        return teams
    }

    /// A JSON object of strings, as key_json and context_json hold.
    private static func fields(_ json: String?) -> [String: String] {
        guard let json, let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [:] }
        return object.compactMapValues { $0 as? String }
    }
}

/// What answers ``TargetRuns`` through the bookkeeping of its connection (an engine's load session).
protocol ReadsBookkeeping: TargetRuns {
    var bookkeeping: BookkeepingReader { get }
}

extension ReadsBookkeeping {
    func loadedRun(sequence: Int) throws -> LoadedRun? { try bookkeeping.loadedRun(sequence: sequence) }
    func lastLoadedRun() throws -> LoadedRun? { try bookkeeping.lastLoadedRun() }
    func loadedRuns() throws -> [LoadedRun] { try bookkeeping.loadedRuns() }
    func stateToken() throws -> String? { try bookkeeping.stateToken() }
}
