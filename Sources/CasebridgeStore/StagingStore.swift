import CSQLite
import CasebridgeModel
import CasebridgeRead
import Foundation

/// The staging database: every canonical record of one export, so that set-based rules can query
/// the whole export with indexes rather than loops.
///
/// One table per record kind (`stg_person`, `stg_document`, …). Each canonical field has two
/// columns: `field` holds the valid, normalised value and `field_bad` the raw value that failed, so
/// "present" is `field IS NOT NULL OR field_bad IS NOT NULL` and "valid" is `field IS NOT NULL`.
/// Every row keeps `rid` (the record's ordinal in the export), `owner_rid` (the record it is nested
/// in), `line` (a ``RecordLocation``: the line in this export, or the export and line of a record
/// carried from an earlier one), `record_id` (the id findings use), `quarantined` and `carried`
/// (1 for a record a delta load carried over from the target's live state rather than read now).
///
/// Records are inserted in one transaction with no indexes (``commitRead(envelope:)`` ends it);
/// ``finishStaging()`` builds the indexes and decides quarantine.
public final class StagingStore: RecordSink {
    public let database: Database
    /// Each kind's insert, in `RecordKind.allCases` order, found by a short search (a dictionary hashed
    /// the kind's name twice a record).
    private var inserts: [KindInsert] = []
    private var invalidInsert: Statement?
    private var loading = false
    /// Added to every record's ordinal (its `rid`), so that records read into a staging that already
    /// holds others come after them.
    let ridOffset: Int
    /// The sequence of the export being read, when its lines are staged as ``RecordLocation``s beside
    /// records of earlier exports; `nil` stages plain lines.
    private let lineSequence: Int?
    /// Whether this staging already held records when it was opened (``init(continuing:ridOffset:sequence:)``).
    public let isContinued: Bool

    /// Opens a new staging database at `path` (a fresh file; mode 0600). With `sequence`, its records'
    /// locations name that export sequence (``RecordLocation``), as in a staging kept for the next delta.
    public init(path: String, locationsNaming sequence: Int? = nil) throws {
        database = try Database(path: path)
        ridOffset = 0
        lineSequence = sequence
        isContinued = false
        try database.execute("PRAGMA page_size = \(Self.pageBytes)")
        try Self.configure(database)
        try database.execute("PRAGMA application_id = \(Self.applicationID)")
        try database.execute(Self.schema)
        try prepareInserts()
    }

    /// The SQLite header's application id that marks a staging database (`CBST`), so that a path given
    /// for staging is only ever replaced when it holds one.
    static let applicationID: Int32 = 0x4342_5354

    /// Whether `prefix`, a file's first bytes, is the header of a staging database.
    public static func isStaging(prefix: [UInt8]) -> Bool {
        guard prefix.count >= 72, prefix.starts(with: Array("SQLite format 3\u{0}".utf8)) else { return false }
        let id = prefix[68..<72].reduce(Int32(0)) { $0 << 8 | Int32($1) }
        return id == applicationID
    }

    /// Opens the staging database at `path` that a previous run left (a live state kept between runs),
    /// to read one more export into it: its records get rids from `ridOffset` and locations naming
    /// `sequence`. Indexes already exist; ``finishStaging()`` decides quarantine afresh.
    public init(continuing path: String, ridOffset: Int, sequence: Int) throws {
        database = try Database(path: path, create: false)
        self.ridOffset = ridOffset
        lineSequence = sequence
        isContinued = true
        try Self.configure(database)
        try database.execute("DELETE FROM \(StagingTable.envelope)")
        try prepareInserts()
    }

    /// The size of a new staging's pages. A staging is written once in bulk and then scanned whole by
    /// index builds and rules, so pages four times SQLite's 4 KiB mean a quarter as many reads and
    /// writes of the file: check and migrate of a 300 MB export took 6–8 % less time than with 4 KiB.
    /// A kept staging keeps the page size it was made with.
    static let pageBytes = 16384

    /// The page cache (KiB) while records are read and indexed: SQLite also sorts for an index build in
    /// up to this much memory before it spills to a temporary file.
    private static let stagingCacheKiB = 16384
    /// The page cache (KiB) while rules run: each `GROUP BY` and `ORDER BY` of a rule's query may sort in
    /// up to this much memory (and at least 1 MiB), and a query holds its sorters until it ends, so a
    /// smaller cache keeps a large export's judging in bounded memory (the rules scan their tables; a
    /// larger cache did not make them faster).
    private static let judgingCacheKiB = 2048

    private static func configure(_ database: Database) throws {
        try database.execute("""
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -\(stagingCacheKiB);
            PRAGMA locking_mode = EXCLUSIVE;
            """)
    }

    /// Runs `judge` (the rules' queries) with the smaller page cache of ``judgingCacheKiB``, then gives
    /// the staging its own cache back.
    public func whileJudging<T>(_ judge: () throws -> T) throws -> T {
        try database.execute("PRAGMA cache_size = -\(Self.judgingCacheKiB)")
        defer { try? database.execute("PRAGMA cache_size = -\(Self.stagingCacheKiB)") }
        return try judge()
    }

    private func prepareInserts() throws {
        try database.beginBulk()
        loading = true
        inserts = try RecordKind.allCases.map { kind in
            let columns = Self.columns(of: kind)
            let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
            let statement = try database.prepare(
                "INSERT INTO \(Self.table(kind)) (\(columns.map(quotedName).joined(separator: ", "))) VALUES (\(placeholders))")
            return KindInsert(kind: kind, statement: statement, stagesLondonDate: kind.fields.map { $0.kind == .timestamp })
        }
        invalidInsert = try database.prepare("""
            INSERT INTO \(StagingTable.invalid) (rid, kind, reported_kind, record_id, field, label, raw, reason, is_key, line)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    /// One kind's insert, and which of its fields also stage a London date.
    private struct KindInsert {
        let kind: RecordKind
        let statement: Statement
        let stagesLondonDate: [Bool]
    }

    /// The staging table of `kind`.
    public static func table(_ kind: RecordKind) -> String { StagingTable.records(kind).name }


    /// The columns of `kind`'s table, in insert order.
    static func columns(of kind: RecordKind) -> [String] {
        var columns = ["rid", "owner_rid", "line", "src_start", "src_end", "record_id", "key_failed"]
        for field in kind.fields {
            columns += [field.name, field.name + "_bad"]
            // A UTC instant also stages its Europe/London calendar date, which the rules judge by.
            if field.kind == .timestamp { columns.append(field.name + "_london") }
        }
        switch kind {
        case .part: columns += ["content_state", "content_bytes", "content_sha256", "content_problem", "content_offset"]
        case .document: columns += ["parts_sha256", "parts_read"]
        default: break
        }
        return columns
    }

    /// The SQLite type of a column: whole numbers are INTEGER so that they compare as numbers (a server
    /// database keeping records of this shape maps INTEGER and TEXT to its own types).
    public static func columnType(_ column: String, of kind: RecordKind) -> String {
        if ["owner_rid", "line", "src_start", "src_end", "key_failed", "content_bytes", "content_offset", "parts_read"].contains(column) { return "INTEGER" }
        if kind.fields.first(where: { $0.name == column })?.kind == .integer { return "INTEGER" }
        return "TEXT"
    }

    /// Every column of `kind`'s table, in table order: the inserted ones, then `quarantined` and `carried`.
    public static func tableColumns(of kind: RecordKind) -> [String] {
        columns(of: kind) + ["quarantined", "carried"]
    }

    /// The columns of the table of invalid values, in table order.
    public static let invalidColumns = ["rid", "kind", "reported_kind", "record_id", "field", "label", "raw", "reason", "is_key", "line"]

    /// DDL for one table per record kind, named by `name`, and the table of invalid values: staging's
    /// own tables, and the same shape wherever records are kept between runs.
    public static func recordTablesDDL(name: (RecordKind) -> String, invalidTable: String) -> String {
        var sql = ""
        for kind in RecordKind.allCases {
            let columns = columns(of: kind).dropFirst().map { "\(quotedName($0)) \(columnType($0, of: kind))" }
            sql += "CREATE TABLE \(name(kind)) (rid INTEGER PRIMARY KEY, \(columns.joined(separator: ", ")), "
                + "quarantined INTEGER NOT NULL DEFAULT 0, carried INTEGER NOT NULL DEFAULT 0);\n"
        }
        sql += """
            CREATE TABLE \(invalidTable) (rid INTEGER, kind TEXT, reported_kind TEXT, record_id TEXT, field TEXT, label TEXT,
                                      raw TEXT, reason TEXT, is_key INTEGER, line INTEGER);

            """
        return sql
    }

    /// Every table a staging holds from the start (``StagingTable``). Built once: the fuzz targets open a
    /// staging for each input, and building this text again each time took a sixth of their time
    /// (1,000 inputs of the export target: 28.5 s against 33.8 s).
    static let schema: String =
        recordTablesDDL(name: table, invalidTable: StagingTable.invalid.name)
            + StagingTable.created.map { $0.create + ";\n" }.joined()
            + "CREATE INDEX stg_finding_subject ON \(StagingTable.finding) (subject_kind, subject_id);\n"

    /// Stages one record.
    public func accept(_ record: ReadRecord) throws {
        guard let kindInsert = inserts.first(where: { $0.kind == record.kind }) else { return }
        let insert = kindInsert.statement
        // Bound in column order straight from the record; a parameter left unbound is NULL.
        insert.clearBindings()
        var parameter: Int32 = 0
        func integer(_ value: Int?) throws {
            parameter += 1
            if let value { try insert.bind(Int64(value), at: parameter) }
        }
        func text(_ value: String?) throws {
            parameter += 1
            if let value { try insert.bindRowText(value, at: parameter) }
        }
        try integer(record.ordinal + ridOffset)
        try integer(record.ownerOrdinal.map { $0 + ridOffset })
        try integer(location(record.line))
        try integer(record.source.map { Int($0.lowerBound) })
        try integer(record.source.map { Int($0.upperBound) })
        try text(record.recordId)
        try integer(record.keyFailed ? 1 : 0)
        for index in record.values.indices {
            try text(record.values[index])
            try text(record.badValues[index])
            if kindInsert.stagesLondonDate[index] {
                try text(record.values[index].flatMap(LondonTime.date(ofTimestamp:))?.iso)
            }
        }
        if record.kind == .part {
            let content = record.content
            try text(content?.state.rawValue)
            try integer(content?.bytes)
            try text(content?.sha256)
            try text(content?.problem)
            try integer(content?.packOffset.map { Int($0) })
        } else if record.kind == .document {
            try text(record.partsSha256)
            try integer(record.partsRead)
        }
        try insert.step()
        if !record.invalid.isEmpty, let invalidInsert {
            // A value of a record reported on its owner (a Part's sha256) is found at the owner's line.
            let line = record.kind.reportedKind != record.kind ? record.ownerLine ?? record.line : record.line
            for invalid in record.invalid {
                try invalidInsert.bind([
                    .integer(Int64(record.ordinal + ridOffset)), .text(record.kind.rawValue), .text(record.kind.reportedKind.rawValue),
                    .text(record.reportedId), .text(invalid.field), .text(invalid.label), SQLValue(invalid.raw),
                    .text(invalid.reason), .integer(invalid.isKey ? 1 : 0), .integer(Int64(location(line))),
                ])
                try invalidInsert.step()
            }
        }
    }

    private func location(_ line: Int) -> Int {
        lineSequence.map { RecordLocation.encode(sequence: $0, line: line) } ?? line
    }

    /// Ends the read: records the envelope and commits the records. What the records are to be judged
    /// with (a delta's carried live state) may be added after this, before ``finishStaging()``.
    public func commitRead(envelope: [String: String]) throws {
        guard loading else { return }
        for (name, value) in envelope.sorted(by: { $0.key < $1.key }) {
            try database.execute("INSERT INTO \(StagingTable.envelope) (name, value) VALUES (?, ?)", [.text(name), .text(value)])
        }
        try database.commitBulk()
        loading = false
    }

    /// Builds the indexes and decides quarantine (again, in a continued staging): the staging is then
    /// what rules judge.
    public func finishStaging() throws {
        try database.transaction {
            try buildIndexes()
            try linkOwners()
            if isContinued { try prepareToDecideAgain() }
            try decideQuarantine()
        }
        // A bounded ANALYZE: enough statistics for the planner, cheap on millions of rows.
        try database.execute("PRAGMA analysis_limit = 1000; ANALYZE;")
    }

    /// The indexes the rules' queries use, beyond `record_id` on kinds whose ids must be unique and
    /// `owner_rid` on kinds that belong to another. Building fewer indexes is most of staging's time saved.
    static let indexes: [RecordKind: [[String]]] = [
        .person: [["id"]], .family: [["id"]], .plan: [["id"]], .visit: [["person"]],
        .document: [["id"], ["origin", "person"]], .member: [["family"]],
    ]

    private func buildIndexes() throws {
        var indexes: [RecordKind: [[String]]] = [:]
        for kind in RecordKind.allCases {
            var indexed = Self.indexes[kind] ?? []
            if kind.hasUniqueId { indexed.append(["record_id"]) }
            if kind.owner != nil { indexed.append(["owner_rid"]) }
            indexes[kind] = indexed
        }
        try Self.createIndexes(indexes, in: database)
    }

    /// Creates, where `database` lacks them, indexes on the staged records of each kind over each list of
    /// `columns`, named after the table, then `infix`, then the columns.
    static func createIndexes(_ indexes: [RecordKind: [[String]]], in database: Database, infix: String = "_") throws {
        for (kind, lists) in indexes.sorted(by: { $0.key < $1.key }) {
            let table = Self.table(kind)
            for columns in lists {
                let name = "\(table)\(infix)\(columns.joined(separator: "_"))"
                try database.execute("CREATE INDEX IF NOT EXISTS \(name) ON \(table) (\(columns.map(quotedName).joined(separator: ", ")))")
            }
        }
    }

    /// Gives records of flat formats (a Member listed apart from its Family) their owner's row, by id.
    private func linkOwners() throws {
        for kind in RecordKind.allCases {
            guard let owner = kind.owner else { continue }
            let field = owner.rawValue.lowercased()
            guard kind.fields.contains(where: { $0.name == field }) else { continue }
            try database.execute("""
                UPDATE \(Self.table(kind)) SET owner_rid =
                    (SELECT o.rid FROM \(Self.table(owner)) o WHERE o.id = \(Self.table(kind)).\(quotedName(field)) ORDER BY o.rid LIMIT 1)
                WHERE owner_rid IS NULL
                """)
        }
    }

    /// Builds more indexes on staged records (`columns` are canonical field names of `kind`).
    public func addIndexes(_ indexes: [RecordKind: [[String]]]) throws {
        try Self.createIndexes(indexes, in: database, infix: "_x_")
    }

    /// Lets other connections read the staging file (it is held exclusively while loading). With
    /// `whileWritten`, the staging goes into WAL mode, in which one connection may write it while others
    /// read it as it was when their reading began (the staging made ready for the next delta while an
    /// SQLite target's load reads it); ``settleWrites()`` ends that before the staging is kept. Nothing
    /// else may have the file open.
    public func shareForReading(whileWritten: Bool = false) throws {
        try database.execute("PRAGMA locking_mode = NORMAL")
        _ = try database.scalar("SELECT count(*) FROM sqlite_master")
        guard whileWritten else { return }
        let mode = try database.scalar("PRAGMA journal_mode = WAL")?.string
        guard mode == "wal" else {
            throw DatabaseError(code: SQLITE_ERROR, message: "\(database.path): cannot share the staging while it is written (journal mode \(mode ?? "unknown"))", sql: nil)
        }
        isSharedWhileWritten = true
        database.setBusyTimeout(milliseconds: Self.sharedBusyMilliseconds)
        // The WAL's index made now, before other connections open the file and would each try to.
        _ = try database.scalar("SELECT count(*) FROM sqlite_master")
    }

    /// How long a connection to a staging shared while written waits out another's brief hold on the
    /// WAL (building its index, a checkpoint) before it fails.
    public static let sharedBusyMilliseconds = 10_000

    /// A read-only connection of its own to the staging file at `path` (rules judged beside the
    /// staging's own connection, findings completed beside the load).
    public static func openReader(at path: String) throws -> Database {
        let database = try Database(path: path, readOnly: true, create: false)
        database.setBusyTimeout(milliseconds: sharedBusyMilliseconds)
        return database
    }

    /// Whether the staging is in the WAL mode of ``shareForReading(whileWritten:)``.
    private var isSharedWhileWritten = false

    /// Ends the WAL mode of ``shareForReading(whileWritten:)``: what was written through the WAL is moved
    /// into the file itself, which is then all there is of the staging (the journal off again, as while
    /// loading). Every other connection to the file must be closed. Does nothing to a staging not in WAL mode.
    public func settleWrites() throws {
        guard isSharedWhileWritten else { return }
        let mode = try database.scalar("PRAGMA journal_mode = OFF")?.string
        guard mode == "off" else {
            throw DatabaseError(code: SQLITE_BUSY, message: "\(database.path): another connection still has the staging open (journal mode \(mode ?? "unknown"))", sql: nil)
        }
        isSharedWhileWritten = false
        database.setBusyTimeout(milliseconds: 0)
    }

    /// Holds the staging file exclusively again after ``shareForReading(whileWritten:)`` (from its next
    /// access on), as it is held while loading; but not while it is shared to be written: in WAL mode, a
    /// connection that holds the file exclusively shuts every other out, the load reading it among them.
    public func holdExclusively() throws {
        guard !isSharedWhileWritten else { return }
        try database.execute("PRAGMA locking_mode = EXCLUSIVE")
    }

    /// Records read per kind.
    public func recordCounts() throws -> [RecordKind: Int] {
        var counts: [RecordKind: Int] = [:]
        for kind in RecordKind.allCases {
            counts[kind] = try database.scalar("SELECT count(*) FROM \(Self.table(kind))")?.int ?? 0
        }
        return counts
    }


}
