import CasebridgeModel

/// One table of a staging database, by name and (for a table declared here) its columns: SQL names a
/// staging table through this type, never through a string of its own.
///
/// ```swift
/// try database.execute(StagingTable.changedRecord.recreate)
/// try database.execute("SELECT kind, record_id FROM \(StagingTable.changedRecord)")
/// ```
public struct StagingTable: Hashable, Sendable, CustomStringConvertible {
    /// The name SQL uses: `stg_quarantine`, or `temp.changed_record` for a connection's temporary table.
    public let name: String
    /// The column list of `CREATE TABLE`, with what follows it (`WITHOUT ROWID`); empty for a table made
    /// by `CREATE TABLE … AS SELECT` or by ``StagingStore/recordTablesDDL(name:invalidTable:)``.
    let columns: String

    init(_ name: String, _ columns: String = "") {
        self.name = name
        self.columns = columns
    }

    public var description: String { name }

    /// `CREATE TABLE name (columns)`.
    public var create: String { "CREATE TABLE \(name) \(columns)" }

    /// Drops the table if it exists and creates it empty.
    public var recreate: String { "DROP TABLE IF EXISTS \(name);\n\(create);" }

    /// `DROP TABLE IF EXISTS name`.
    public var drop: String { "DROP TABLE IF EXISTS \(name)" }

    // MARK: The staged export

    /// The records of `kind`, one row each (``StagingStore``'s columns: `rid`, `owner_rid`, `line`, the
    /// canonical fields and their `_bad` twins, `quarantined`, `carried`). Rules, target mappings and
    /// the load read them by these names: `stg_person`, `stg_document`, ….
    public static func records(_ kind: RecordKind) -> StagingTable { StagingTable("stg_" + kind.rawValue.lowercased()) }

    /// Every value that failed its field (``StagingStore/invalidColumns``).
    public static let invalid = StagingTable("stg_invalid")
    /// Every reason a record is quarantined, one row per record and reason: written by ``StagingStore``'s
    /// quarantine decisions only (`Quarantine.swift`).
    public static let quarantine = StagingTable("stg_quarantine", "(kind TEXT, rid INTEGER, record_id TEXT, reason TEXT, line INTEGER)")
    /// The export's envelope values, by name.
    public static let envelope = StagingTable("stg_envelope", "(name TEXT PRIMARY KEY, value TEXT)")

    // MARK: A delta applied to a kept staging

    /// The records a delta replaced or deleted (with what they own), by kind and rid.
    public static let dropped = StagingTable("stg_dropped", "(kind TEXT NOT NULL, rid INTEGER PRIMARY KEY)")
    /// Their kinds and ids, and whether each was quarantined (`NULL`: an id their invalid values were reported on).
    public static let droppedIDs = StagingTable("stg_dropped_ids", "(kind TEXT NOT NULL, record_id TEXT NOT NULL, quarantined INTEGER)")
    /// The values they held in the fields target rows read them by, or rules judge them together by.
    public static let droppedRefs = StagingTable("stg_dropped_refs", "(kind TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL)")
    /// The incoming rows (by target table and rid; rid `NULL`: the whole table) to compare with the target.
    public static let touched = StagingTable("stg_touched", "(tbl TEXT NOT NULL, rid INTEGER)")
    /// The keys of target rows built again or dropped, which may have vanished.
    public static let removedKeys = StagingTable("stg_removed_keys", "(tbl TEXT NOT NULL, key TEXT NOT NULL)")
    /// A query that gives 1 when a delta continuing the live state touched a row of the target table
    /// named by parameter `?1` or removed one of its keys, and 0 when nothing of that table can differ
    /// from the target's; the staging's tables are named with `schema` before them (`"s."` when attached).
    public static func deltaReachesSQL(schema: String = "") -> String {
        "SELECT EXISTS (SELECT 1 FROM \(schema)\(touched) WHERE tbl = ?1) OR EXISTS (SELECT 1 FROM \(schema)\(removedKeys) WHERE tbl = ?1)"
    }
    /// What a kept staging was built with (`key`) and the target state it matches (`token`).
    public static let cache = StagingTable("stg_cache", "(key TEXT PRIMARY KEY, value TEXT)")

    // MARK: Findings kept for the next delta

    /// The findings of rules that judge one record at a time, each with the record it is about
    /// (`lines`: the source's lines, comma-separated, for a finding that stands for several records).
    public static let finding = StagingTable("stg_finding", """
        (rule TEXT NOT NULL, subject_kind TEXT NOT NULL, subject_id TEXT NOT NULL, severity TEXT NOT NULL, key TEXT NOT NULL,
         context TEXT NOT NULL, message TEXT NOT NULL, file TEXT, line INTEGER, lines TEXT)
        """)
    /// What those findings were made with (one row, or none).
    public static let findingBasis = StagingTable("stg_finding_basis", "(basis TEXT NOT NULL)")

    // MARK: The rows each target table would receive

    /// The rows target table `table` would receive: `_rid` (the staged record), `_line`, `_q` (1 when the
    /// record is quarantined), `_key` (the row's key as text), `_hash` (SHA-256 of its values), then the
    /// target's columns. Made by `CREATE TABLE … AS SELECT` from the target mapping (``StagingStore/createIncoming(_:select:)``).
    public static func incoming(_ table: String) -> StagingTable { StagingTable("\"inc_\(table.replacingOccurrences(of: "\"", with: "\"\""))\"") }

    // MARK: The policy the rules judge by (filled by the Check module)

    /// Per document type: the working days within which it must be uploaded.
    public static let policyType = StagingTable("policy_type", "(type TEXT PRIMARY KEY, upload_within INTEGER NOT NULL, description TEXT NOT NULL)")
    /// The sections each document type requires.
    public static let policySection = StagingTable("policy_section", "(type TEXT NOT NULL, section TEXT NOT NULL, PRIMARY KEY (type, section))")
    /// Per status code: the working days within which a child must have been visited.
    public static let policyVisit = StagingTable("policy_visit", "(code TEXT PRIMARY KEY, within INTEGER NOT NULL)")
    /// Every day with the working days up to it: workingDays(a, b) = `b.working_upto - a.working_upto`.
    public static let policyCalendar = StagingTable("policy_calendar", "(day TEXT PRIMARY KEY, working_upto INTEGER NOT NULL) WITHOUT ROWID")
    /// The text the policy tables were built from.
    public static let policyInstalled = StagingTable("policy_installed", "(contents TEXT NOT NULL)")

    // MARK: Temporary tables of one connection

    /// What was quarantined before a continued staging decided quarantine again.
    public static let previouslyQuarantined = StagingTable(
        "temp.previously_quarantined", "(kind TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (kind, rid))")
    /// The records whose quarantine a continued staging decides again: read now, or quarantined before.
    public static let quarantineCandidate = StagingTable(
        "temp.quarantine_candidate", "(kind TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (kind, rid))")
    /// The records (by reported kind and id) a delta changed (``StagingStore/markChanges(newFrom:naming:)``).
    public static let changedRecord = StagingTable(
        "temp.changed_record", "(kind TEXT NOT NULL, record_id TEXT NOT NULL, PRIMARY KEY (kind, record_id)) WITHOUT ROWID")
    /// The staged rows of the changed records and what they own.
    public static let scopeRecord = StagingTable(
        "temp.scope_record", "(kind TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (kind, rid)) WITHOUT ROWID")
    /// The copies of changed family documents, their families' members and the persons those name.
    public static let scopeGroup = StagingTable(
        "temp.scope_group", "(kind TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (kind, rid)) WITHOUT ROWID")
    /// The records whose quarantine differs from the last run's.
    public static let turnedQuarantine = StagingTable("temp.turned_quarantine", "(kind TEXT NOT NULL, rid INTEGER NOT NULL)")
    /// Ids of one kind that appeared or went with a delta.
    public static let existenceTurned = StagingTable("temp.existence_turned", "(id TEXT PRIMARY KEY) WITHOUT ROWID")
    /// Families whose members changed.
    public static let changedFamily = StagingTable("temp.changed_family", "(id TEXT PRIMARY KEY) WITHOUT ROWID")
    /// Persons who came, went or turned quarantine with a delta.
    public static let personTurned = StagingTable("temp.person_turned", "(id TEXT PRIMARY KEY) WITHOUT ROWID")
    /// The values that name records a delta touched, by the kind and field target rows read them by.
    public static let touchedAbout = StagingTable(
        "temp.touched_about", "(kind TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, field, value)) WITHOUT ROWID")

    /// The tables every staging holds from the start, besides the record tables and `stg_invalid`.
    static let created: [StagingTable] = [
        quarantine, envelope, dropped, droppedIDs, droppedRefs, touched, removedKeys, cache, finding, findingBasis,
    ]

    /// The tables that list what one delta changed, emptied before the next.
    static let deltaLists: [StagingTable] = [dropped, droppedIDs, droppedRefs, touched, removedKeys]
}
