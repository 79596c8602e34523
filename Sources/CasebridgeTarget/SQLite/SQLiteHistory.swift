import CasebridgeModel
import CasebridgeStore
import Foundation

/// The history of an SQLite target, read on a read-only connection.
final class SQLiteHistory: TargetHistory, ReadsSQLiteRuns {
    let database: Database
    let runs: SQLiteRuns

    init(database: Database) {
        self.database = database
        runs = SQLiteRuns(database: database)
    }

    func runRecords(limit: Int) throws -> [RunRecord] {
        try database.rows("SELECT * FROM casebridge_run ORDER BY run_id DESC LIMIT ?", [.integer(Int64(limit))]).map(Self.record)
    }

    func loadedRunRecords() throws -> [RunRecord] {
        try database.rows("SELECT * FROM casebridge_run WHERE outcome = 'loaded' ORDER BY run_id").map(Self.record)
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
        run.quarantined = row.int("records_quarantined") ?? 0
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

    func storedFindings(run: Int) throws -> [StoredFinding] {
        let rows = try database.rows("""
            SELECT f.rule, f.severity, f.identity, f.key_json, f.context_json, f.record_kind, f.record_id, f.child, f.family,
                   f.document, f.team, f.event_date, f.message, f.source_file, f.source_line,
                   f.first_run = f.run_id AS is_new
            FROM casebridge_finding f WHERE f.run_id = ?1 ORDER BY f.rowid
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

    func findingCounts(run: Int) throws -> [(severity: String, rule: String, count: Int)] {
        try database.rows("""
            SELECT severity, rule, count(*) AS n FROM casebridge_finding WHERE run_id = ?
            GROUP BY severity, rule
            ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, n DESC, rule
            """, [.integer(Int64(run))]).map { ($0["severity"] ?? "?", $0["rule"] ?? "?", $0.int("n") ?? 0) }
    }

    func quarantine(run: Int) throws -> [QuarantinedRecord] {
        try database.rows("""
            SELECT kind, record_id, source_file, source_line, reasons FROM casebridge_quarantine WHERE run_id = ? ORDER BY rowid
            """, [.integer(Int64(run))]).map { row in
            let reasons = row["reasons"].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String] } ?? []
            return QuarantinedRecord(kind: row["kind"] ?? "", recordId: row["record_id"], sourceFile: row["source_file"] ?? "",
                                     sourceLine: row.int("source_line"), reasons: reasons)
        }
    }

    func findingChanges(run: Int) throws -> (open: Int, new: Int, resolved: Int) {
        let row = try database.rows("""
            SELECT (SELECT count(*) FROM casebridge_finding WHERE run_id = ?1) AS open,
                   (SELECT count(*) FROM casebridge_finding WHERE run_id = ?1 AND first_run = ?1) AS new,
                   (SELECT count(*) FROM casebridge_finding_resolved WHERE run_id = ?1) AS resolved
            """, [.integer(Int64(run))]).first
        return (row?.int("open") ?? 0, row?.int("new") ?? 0, row?.int("resolved") ?? 0)
    }

    func teams() throws -> [String: String?] {
        // A target of another mapping may have no such table, or another shape of it: then no names.
        guard let rows = try? database.rows("SELECT dept_team_id, dept_team_name FROM ssd_department") else { return [:] }
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
