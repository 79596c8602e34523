import CasebridgeModel
import CasebridgeStore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Why a report cannot be written: a target that is not Casebridge's, a run it does not hold, an
/// output folder that cannot be written. One line naming the path and the reason.
public struct ReportError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure, so the command line can pick its exit status.
    public enum Kind: Sendable {
        /// The target is missing, not a Casebridge target, or unreadable.
        case target
        /// The options ask for something the target does not hold (a run, a team).
        case usage
        /// An output file or folder could not be written.
        case output
    }

    public var kind: Kind
    public var path: String
    public var reason: String

    public init(_ kind: Kind, _ path: String, _ reason: String) {
        self.kind = kind
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// A migrate run as the target records it.
public struct ReportRun: Sendable, Equatable {
    public var id: Int
    /// The export's as-of date (`yyyy-MM-dd`), when it had one.
    public var asOf: CivilDate?
    public var exportId: String?
    public var sequence: Int?
    public var exportedAt: String?
    public var finishedAt: String?
}

/// One finding the target stored with the reported run.
public struct StoredFinding: Sendable {
    public var rule: String
    public var severity: String
    /// The rule and key values, the same gap from run to run (a JSON array).
    public var identity: String
    /// Key and context fields by name (`origin`, `child`, `section`, …).
    public var fields: [String: String]
    public var recordKind: String?
    public var recordId: String?
    public var child: String?
    public var family: String?
    public var document: String?
    public var team: String?
    public var eventDate: CivilDate?
    /// The check's sentence; it holds legacy ids, so it goes to team worklists only.
    public var message: String
    /// The export the record was read from (an earlier one for a record a delta carried over) and the line.
    public var sourceFile: String?
    public var sourceLine: Int?
    /// Whether the previous loaded run did not hold this gap.
    public var isNew: Bool

    /// The child the finding itself names (its `child` field, or the Person record it concerns); unlike
    /// ``child``, not the owner of a document or visit the finding is about. `check`'s headline counts these.
    public var namedChild: String? { fields["child"] ?? (recordKind == "Person" ? recordId : nil) }

    /// The severity's rank: 0 for critical, rising as severity falls; unknown severities last.
    public var severityRank: Int { Severity(rawValue: severity)?.rank ?? Severity.allCases.count }
}

/// Open, new and resolved gaps of one loaded run, compared with the loaded run before it.
public struct TrendPoint: Sendable, Equatable {
    public var run: Int
    public var asOf: CivilDate?
    /// Findings of this run.
    public var open: Int
    /// Findings of this run whose identity the previous loaded run did not hold (all of them for the first run).
    public var new: Int
    /// Findings of the previous loaded run whose identity this run does not hold.
    public var resolved: Int
}

/// A record the reported run could not load, as `casebridge_quarantine` holds it (without its raw XML).
public struct QuarantinedRecord: Sendable, Equatable {
    /// The record kind (`Person`, `Document`, … or `Deleted` for a deletion that could not be applied).
    public var kind: String
    public var recordId: String?
    /// The export the record was read from, and its line.
    public var sourceFile: String
    public var sourceLine: Int?
    /// Why it could not load, one sentence each.
    public var reasons: [String]
}

/// Everything a report shows, read from the target's bookkeeping tables (never from an export) and
/// its team table.
public struct ReportData: Sendable {
    public var target: String
    public var run: ReportRun
    public var findings: [StoredFinding]
    /// Loaded runs up to and including the reported one, oldest first.
    public var trend: [TrendPoint]
    /// Records of the reported run that could not load: the live quarantine after that run.
    public var quarantine: [QuarantinedRecord]
    /// Team names by id, from the target's team table (`ssd_department`) where it has one and names them.
    public var teamNames: [String: String]
    /// Every team id the target holds: its team table's and the findings'.
    public var knownTeams: Set<String>

    /// How many records of the reported run could not load.
    public var quarantined: Int { quarantine.count }

    /// Reads the run `runID` (default: the latest loaded run) of the Casebridge target at `path`.
    ///
    /// Throws ``ReportError`` of kind `.target` for a file that is not a Casebridge target or holds no
    /// loaded run, and of kind `.usage` for a run it does not hold.
    public static func load(target path: String, run runID: Int? = nil) throws -> ReportData {
        let database = try open(path)
        do {
            let runs = try database.rows("""
                SELECT run_id, as_of, export_id, sequence, exported_at, finished_at
                FROM casebridge_run WHERE outcome = 'loaded' ORDER BY run_id
                """).map { row in
                ReportRun(id: row.int("run_id") ?? 0, asOf: row["as_of"].flatMap(CivilDate.init(iso:)), exportId: row["export_id"],
                          sequence: row.int("sequence"), exportedAt: row["exported_at"], finishedAt: row["finished_at"])
            }
            guard let latest = runs.last else { throw ReportError(.target, path, "holds no loaded run yet; run casebridge migrate first") }
            let chosen: ReportRun
            if let runID {
                guard let found = runs.first(where: { $0.id == runID }) else {
                    let known = runs.map { String($0.id) }.joined(separator: ", ")
                    throw ReportError(.usage, path, "holds no loaded run \(runID) (loaded runs: \(known))")
                }
                chosen = found
            } else {
                chosen = latest
            }
            let history = runs.filter { $0.id <= chosen.id }
            let findings = try readFindings(database, run: chosen.id)
            let trend = try history.map { try trendPoint(database, run: $0) }
            let quarantine = try readQuarantine(database, run: chosen.id)
            let teams = teamTable(database)
            let known = Set(teams.keys).union(findings.compactMap(\.team))
            return ReportData(target: path, run: chosen, findings: findings, trend: trend, quarantine: quarantine,
                              teamNames: teams.compactMapValues { $0 }, knownTeams: known)
        } catch let error as DatabaseError {
            throw ReportError(.target, path, "cannot be read: \(error.message)")
        }
    }

    /// Opens the target read-only after checking that it is a Casebridge target.
    static func open(_ path: String) throws -> Database {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ReportError(.target, path, errno == ENOENT ? "does not exist" : "cannot be examined: \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw ReportError(.target, path, "is not a regular file") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ReportError(.target, path, "cannot be read") }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        try? handle.close()
        guard header == Data("SQLite format 3\u{0}".utf8) else {
            throw ReportError(.target, path, "is not a Casebridge target: it is not an SQLite database")
        }
        do {
            let database = try Database(path: path, readOnly: true, create: false)
            database.setBusyTimeout(milliseconds: 5000)
            let tables = Set(try database.rows("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0["name"] })
            guard tables.isSuperset(of: ["casebridge_meta", "casebridge_run", "casebridge_finding", "casebridge_quarantine"]) else {
                throw ReportError(.target, path, "is an SQLite database but not a Casebridge target (no casebridge_meta, casebridge_run and casebridge_finding)")
            }
            var meta: [String: String] = [:]
            for row in try database.rows("SELECT key, value FROM casebridge_meta") {
                if let key = row["key"] { meta[key] = row["value"] }
            }
            guard meta["format"] == "casebridge-target" else {
                throw ReportError(.target, path, "is not a Casebridge target (casebridge_meta has no format 'casebridge-target')")
            }
            guard let version = meta["bookkeeping_version"], ["2", "3"].contains(version) else {
                throw ReportError(.target, path, "holds Casebridge bookkeeping version \(meta["bookkeeping_version"] ?? "?"); this casebridge reads versions 2 and 3")
            }
            return database
        } catch let error as DatabaseError {
            throw ReportError(.target, path, "cannot be opened: \(error.message)")
        }
    }

    private static func readFindings(_ database: Database, run: Int) throws -> [StoredFinding] {
        let rows = try database.rows("""
            SELECT f.rule, f.severity, f.identity, f.key_json, f.context_json, f.record_kind, f.record_id, f.child, f.family,
                   f.document, f.team, f.event_date, f.message, f.source_file, f.source_line,
                   f.first_run = f.run_id AS is_new
            FROM casebridge_finding f WHERE f.run_id = ?1 ORDER BY f.rowid
            """, [.integer(Int64(run))])
        return rows.map { row in
            var fields = fields(row["context_json"])
            for (name, value) in Self.fields(row["key_json"]) { fields[name] = value }
            return StoredFinding(
                rule: row["rule"] ?? "", severity: row["severity"] ?? "", identity: row["identity"] ?? "", fields: fields,
                recordKind: row["record_kind"], recordId: row["record_id"], child: row["child"], family: row["family"],
                document: row["document"], team: row["team"], eventDate: row["event_date"].flatMap(CivilDate.init(iso:)),
                message: row["message"] ?? "", sourceFile: row["source_file"], sourceLine: row.int("source_line"), isNew: row.int("is_new") == 1)
        }
    }

    /// The run's quarantined records, in the order the load stored them.
    private static func readQuarantine(_ database: Database, run: Int) throws -> [QuarantinedRecord] {
        try database.rows("""
            SELECT kind, record_id, source_file, source_line, reasons FROM casebridge_quarantine WHERE run_id = ? ORDER BY rowid
            """, [.integer(Int64(run))]).map { row in
            let reasons = row["reasons"].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String] } ?? []
            return QuarantinedRecord(kind: row["kind"] ?? "", recordId: row["record_id"], sourceFile: row["source_file"] ?? "",
                                     sourceLine: row.int("source_line"), reasons: reasons)
        }
    }

    /// The target's teams, id to name (`nil` where it has none), from the SSD team table
    /// `ssd_department`; empty for a target without one (another target mapping).
    private static func teamTable(_ database: Database) -> [String: String?] {
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

    /// What the load recorded for the run: its findings, those first found in it, and the previous
    /// run's findings it resolved.
    private static func trendPoint(_ database: Database, run: ReportRun) throws -> TrendPoint {
        let row = try database.rows("""
            SELECT (SELECT count(*) FROM casebridge_finding WHERE run_id = ?1) AS open,
                   (SELECT count(*) FROM casebridge_finding WHERE run_id = ?1 AND first_run = ?1) AS new,
                   (SELECT count(*) FROM casebridge_finding_resolved WHERE run_id = ?1) AS resolved
            """, [.integer(Int64(run.id))]).first
        return TrendPoint(run: run.id, asOf: run.asOf, open: row?.int("open") ?? 0, new: row?.int("new") ?? 0,
                          resolved: row?.int("resolved") ?? 0)
    }
}
