import CasebridgeModel
import CasebridgeStore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Why migrate will not touch a target: one line naming the file and the reason.
public struct TargetError: ExitStatusError, Sendable {
    public var exitStatus: ExitStatus { .target }

    public var path: String
    public var reason: String

    public init(_ path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }

    /// Describes a failure SQLite reported while writing the target: a full disk, a lock, an I/O error.
    package static func writing(_ path: String, _ error: DatabaseError, what: String = "the target") -> TargetError {
        // SQLITE_IOERR_WRITE: a write the file system refused, which is a full disk or a file that may not grow.
        let writeRefused = error.code == 778
        if error.isFull || writeRefused || error.systemErrno == ENOSPC || error.systemErrno == EFBIG || error.systemErrno == EDQUOT {
            let detail = error.systemErrno != 0 ? " (\(String(cString: strerror(error.systemErrno))))"
                : " (the disk is full or the file may not grow)"
            return TargetError(path, "no space left to write \(what)\(detail); nothing was changed")
        }
        if error.isBusy {
            return TargetError(path, "the target is locked by another process; nothing was changed")
        }
        if error.isReadOnly {
            return TargetError(path, "the target cannot be written (read-only); nothing was changed")
        }
        if error.isIOFailure {
            let detail = error.systemErrno != 0 ? ": \(String(cString: strerror(error.systemErrno)))" : ""
            return TargetError(path, "writing \(what) failed\(detail); nothing was changed")
        }
        return TargetError(path, "\(error.message); nothing was changed")
    }

    /// Describes a failure SQLite reported while reading or writing the run's staging database at `path`.
    package static func writingStaging(_ path: String, _ error: DatabaseError) -> TargetError {
        writing(path, error, what: "the staging database")
    }
}

/// What a target file holds before a run.
public enum TargetState: Sendable {
    /// No file, an empty file, or an SQLite database with no tables: the schema is created in the run.
    case fresh
    /// A Casebridge target holding this mapping's schema.
    case casebridge
}

/// Opens and vets a target database: Casebridge's own bookkeeping tables, the schema version it holds,
/// whether it can be written and whether another process holds it.
package enum TargetDatabase {
    /// The version of Casebridge's bookkeeping tables (`casebridge_*`) this build writes.
    package static let bookkeepingVersion = 3
    /// Older versions a load brings up to ``bookkeepingVersion`` inside its transaction, and that the
    /// commands that only read a target read as they are.
    package static let upgradableVersions = [2]

    /// What brings version 2's bookkeeping to version 3: each run records which bytes it loaded and who
    /// ran it with what (the audit trail).
    package static let upgradeDDL = [2: """
        ALTER TABLE casebridge_run ADD COLUMN export_sha256 TEXT;
        ALTER TABLE casebridge_run ADD COLUMN run_user TEXT;
        ALTER TABLE casebridge_run ADD COLUMN run_host TEXT;
        ALTER TABLE casebridge_run ADD COLUMN casebridge_version TEXT;
        ALTER TABLE casebridge_run ADD COLUMN casebridge_build TEXT;
        ALTER TABLE casebridge_run ADD COLUMN mapping_sha256 TEXT;
        ALTER TABLE casebridge_run ADD COLUMN policy_sha256 TEXT;
        ALTER TABLE casebridge_run ADD COLUMN target_mapping_sha256 TEXT;
        UPDATE casebridge_meta SET value = '3' WHERE key = 'bookkeeping_version';
        """]
    package static let format = "casebridge-target"

    /// Looks at the file at `path` without changing it.
    package static func inspect(path: String, mapping: TargetMapping, dryRun: Bool) throws -> TargetState {
        var info = stat()
        guard stat(path, &info) == 0 else {
            guard errno == ENOENT else { throw TargetError(path, "cannot be examined: \(String(cString: strerror(errno)))") }
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            var folderInfo = stat()
            guard stat(folder, &folderInfo) == 0, (folderInfo.st_mode & S_IFMT) == S_IFDIR else {
                throw TargetError(path, "the folder \(folder) does not exist")
            }
            if !dryRun, access(folder, W_OK) != 0 || folderInfo.st_mode & 0o222 == 0 {
                throw TargetError(path, "the folder \(folder) is read-only, so the target cannot be created")
            }
            return .fresh
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw TargetError(path, "is not a regular file") }
        if !dryRun {
            // A file without write permission is read-only even to a user (root) whom the system would let write.
            if info.st_mode & 0o222 == 0 || access(path, W_OK) != 0 {
                throw TargetError(path, "the target is read-only (no write permission); nothing was changed")
            }
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            if access(folder, W_OK) != 0 {
                throw TargetError(path, "the folder \(folder) is read-only, so SQLite cannot keep its journal; nothing was changed")
            }
        }
        guard info.st_size > 0, let (_, meta) = try open(path, busyTimeout: 2000) else { return .fresh }
        try vetSchema(meta, target: path, mapping: mapping, ddlSHA256: mapping.ddlSHA256, ddlPath: mapping.ddlPath)
        return .casebridge
    }

    /// Refuses a target whose `casebridge_meta` names another schema or version than `mapping`, or the
    /// same version built from another DDL than the one of digest `ddlSHA256` at `ddlPath`.
    package static func vetSchema(_ meta: [String: String], target: String, mapping: TargetMapping, ddlSHA256: String, ddlPath: String) throws {
        guard meta["schema_name"] == mapping.schemaName, meta["schema_version"] == String(mapping.schemaVersion) else {
            throw TargetError(target, "holds schema \(meta["schema_name"] ?? "?") version \(meta["schema_version"] ?? "?"), but \(mapping.path) describes \(mapping.schemaName) version \(mapping.schemaVersion); migrate the target's schema first or use the mapping it was built with")
        }
        guard meta["schema_sha256"] == ddlSHA256 else {
            throw TargetError(target, "was built from a different \(URL(fileURLWithPath: ddlPath).lastPathComponent) under the same version \(mapping.schemaVersion); a changed DDL needs a new version")
        }
    }

    /// Refuses a `casebridge_meta` that is not Casebridge's, or holds a bookkeeping version other than
    /// this build writes or one of `upgradable`.
    package static func vetBookkeeping(_ meta: [String: String], target: String, upgradable: [Int]) throws {
        guard meta["format"] == format else {
            throw TargetError(target, "is not a Casebridge target (casebridge_meta has no format '\(format)')")
        }
        let versions = ([bookkeepingVersion] + upgradable).map(String.init)
        guard let version = meta["bookkeeping_version"], versions.contains(version) else {
            throw TargetError(target, "holds Casebridge bookkeeping version \(meta["bookkeeping_version"] ?? "?"), this casebridge writes version \(bookkeepingVersion)")
        }
    }

    /// Opens the target at `path` read-only, for the commands that read a target's history (report,
    /// status): it must be a Casebridge target holding its bookkeeping.
    package static func openForReading(_ path: String) throws -> Database {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw TargetError(path, errno == ENOENT ? "no such target (nothing has been loaded into it yet)"
                : "cannot be examined: \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw TargetError(path, "is not a regular file") }
        guard let (database, _) = try open(path, busyTimeout: 5000) else {
            throw TargetError(path, "holds nothing yet: no export has been loaded into it")
        }
        return database
    }

    /// Opens an SQLite file read-only and vets Casebridge's bookkeeping in it: `nil` for a file that holds
    /// no table yet (an empty database: a target still to be created), else the connection and
    /// `casebridge_meta`; a file that is not a Casebridge target this build can read is refused.
    private static func open(_ path: String, busyTimeout: Int) throws -> (Database, [String: String])? {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw TargetError(path, "cannot be read") }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        try? handle.close()
        if header.isEmpty { return nil }
        guard header == Data("SQLite format 3\u{0}".utf8) else {
            throw TargetError(path, "is not a Casebridge target: it is not an SQLite database")
        }
        let database: Database
        do {
            database = try Database(path: path, readOnly: true, create: false)
        } catch let error as DatabaseError {
            throw TargetError(path, "cannot be opened: \(error.message)")
        }
        database.setBusyTimeout(milliseconds: busyTimeout)
        do {
            let tables = try database.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap { $0["name"] }
            if tables.isEmpty { return nil }
            guard tables.contains("casebridge_meta") else {
                let shown = tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", …" : "")
                throw TargetError(path, "is an SQLite database but not a Casebridge target (it holds \(shown) and no casebridge_meta); nothing was changed")
            }
            var meta: [String: String] = [:]
            for row in try database.rows("SELECT key, value FROM casebridge_meta") {
                if let key = row["key"] { meta[key] = row["value"] }
            }
            try vetBookkeeping(meta, target: path, upgradable: upgradableVersions)
            return (database, meta)
        } catch let error as DatabaseError {
            if error.isBusy { throw TargetError(path, "the target is locked by another process; nothing was changed") }
            throw TargetError(path, "cannot be read: \(error.message)")
        }
    }

    /// Casebridge's bookkeeping tables: runs, their reconciliation, lineage, quarantine and findings.
    package static let bookkeepingDDL = """
        CREATE TABLE casebridge_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);

        -- One row per migrate run that reached the target (dry runs leave none).
        CREATE TABLE casebridge_run (
            run_id              INTEGER PRIMARY KEY,
            started_at          TEXT NOT NULL,
            finished_at         TEXT,
            export_file         TEXT NOT NULL,
            export_id           TEXT,
            sequence            INTEGER,
            export_kind         TEXT,
            exported_at         TEXT,
            as_of               TEXT,
            options             TEXT NOT NULL,
            outcome             TEXT NOT NULL,      -- loaded | failed
            reason              TEXT,
            records_read        INTEGER,
            records_loaded      INTEGER,
            records_quarantined INTEGER,
            rows_inserted       INTEGER,
            rows_updated        INTEGER,
            rows_unchanged      INTEGER,
            rows_deleted        INTEGER,
            content_added       INTEGER,
            content_bytes_added INTEGER,
            findings            INTEGER,
            findings_new        INTEGER,    -- of findings, how many the previous run did not hold
            findings_resolved   INTEGER,    -- findings of the previous run this run no longer holds
            export_sha256       TEXT,       -- the SHA-256 of the export file's bytes as read
            run_user            TEXT,       -- who ran it: the operating system's user
            run_host            TEXT,       -- and on which machine
            casebridge_version  TEXT,       -- the Casebridge release
            casebridge_build    TEXT,       -- and the SHA-256 of its executable
            mapping_sha256      TEXT,       -- the SHA-256 of the mapping, policy and target mapping files used
            policy_sha256       TEXT,
            target_mapping_sha256 TEXT
        );

        -- Reconciliation: per record kind, read = loaded + quarantined.
        CREATE TABLE casebridge_run_kind (
            run_id      INTEGER NOT NULL REFERENCES casebridge_run (run_id),
            kind        TEXT NOT NULL,
            read        INTEGER NOT NULL,
            loaded      INTEGER NOT NULL,
            quarantined INTEGER NOT NULL,
            PRIMARY KEY (run_id, kind)
        );

        CREATE TABLE casebridge_run_table (
            run_id     INTEGER NOT NULL REFERENCES casebridge_run (run_id),
            table_name TEXT NOT NULL,
            inserted   INTEGER NOT NULL,
            updated    INTEGER NOT NULL,
            unchanged  INTEGER NOT NULL,
            deleted    INTEGER NOT NULL,
            quarantined INTEGER NOT NULL,
            PRIMARY KEY (run_id, table_name)
        );

        -- Where every row of a data table came from: the run that last wrote it, the export its record
        -- was read from (by sequence: casebridge_run gives the file and id; a delta's row can be
        -- rewritten from a record an earlier export sent) and the line, and the SHA-256 of its values.
        CREATE TABLE casebridge_lineage (
            table_name  TEXT NOT NULL,
            row_key     TEXT NOT NULL,
            record_kind TEXT NOT NULL,
            record_id   TEXT,
            run_id      INTEGER NOT NULL REFERENCES casebridge_run (run_id),
            source_sequence INTEGER,
            source_line INTEGER,
            row_sha256  TEXT NOT NULL,
            PRIMARY KEY (table_name, row_key)
        ) WITHOUT ROWID;
        CREATE INDEX casebridge_lineage_record ON casebridge_lineage (record_kind, record_id);

        -- Rows a later export no longer holds: kept here, never erased.
        CREATE TABLE casebridge_deleted (
            table_name  TEXT NOT NULL,
            row_key     TEXT NOT NULL,
            row_json    TEXT NOT NULL,
            deleted_run INTEGER NOT NULL REFERENCES casebridge_run (run_id)
        );

        -- The raw XML of quarantined records, once per SHA-256.
        CREATE TABLE casebridge_raw_xml (
            sha256 TEXT PRIMARY KEY NOT NULL,
            bytes  INTEGER NOT NULL,
            xml    TEXT NOT NULL
        );

        -- Records that could not load, with every reason.
        CREATE TABLE casebridge_quarantine (
            run_id       INTEGER NOT NULL REFERENCES casebridge_run (run_id),
            kind         TEXT NOT NULL,
            record_id    TEXT,
            source_file  TEXT NOT NULL,
            source_line  INTEGER,
            reasons      TEXT NOT NULL,     -- JSON array of sentences
            raw_sha256   TEXT REFERENCES casebridge_raw_xml (sha256),
            raw_note     TEXT               -- why raw_sha256 is NULL or the XML was cut short
        );
        CREATE INDEX casebridge_quarantine_run ON casebridge_quarantine (run_id);
        CREATE INDEX casebridge_quarantine_record ON casebridge_quarantine (kind, record_id);

        -- Every finding of every run (findings-format.md), linked to the rows it concerns through
        -- (record_kind, record_id) and casebridge_lineage.
        CREATE TABLE casebridge_finding (
            run_id       INTEGER NOT NULL REFERENCES casebridge_run (run_id),
            rule         TEXT NOT NULL,
            severity     TEXT NOT NULL,
            identity     TEXT NOT NULL,     -- rule and key values: the same gap from run to run
            key_json     TEXT NOT NULL,
            context_json TEXT NOT NULL,
            record_kind  TEXT,
            record_id    TEXT,
            child        TEXT,
            family       TEXT,
            document     TEXT,
            team         TEXT,
            event_date   TEXT,
            message      TEXT NOT NULL,
            source_file  TEXT,
            source_line  INTEGER,
            first_run    INTEGER NOT NULL   -- the run since which the gap has been open: new when run_id
        );
        CREATE INDEX casebridge_finding_run ON casebridge_finding (run_id, rule);
        CREATE INDEX casebridge_finding_identity ON casebridge_finding (identity, run_id);

        -- Findings of the previous run that a run no longer holds: gaps closed (or records deleted).
        CREATE TABLE casebridge_finding_resolved (
            run_id      INTEGER NOT NULL REFERENCES casebridge_run (run_id),
            rule        TEXT NOT NULL,
            identity    TEXT NOT NULL,
            record_kind TEXT,
            record_id   TEXT,
            child       TEXT,
            family      TEXT,
            team        TEXT,
            first_run   INTEGER NOT NULL    -- the run in which the gap was first found
        );
        CREATE INDEX casebridge_finding_resolved_run ON casebridge_finding_resolved (run_id);

        -- The live state: the canonical records behind the data, kept so that a delta export can be
        -- checked and loaded as the whole state it changes (shaped like staging's tables).

        """ + LiveState.ddl
}
