import CSQLite
import CasebridgeRead
import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A failure reported by SQLite, with the statement that caused it.
public struct DatabaseError: Error, CustomStringConvertible, Sendable {
    /// SQLite's result code.
    public var code: Int32
    public var message: String
    public var sql: String?

    public var description: String {
        sql.map { "\(message) (in: \($0))" } ?? message
    }

    /// Whether the database was locked by another connection.
    public var isBusy: Bool { code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED }
    /// Whether the disk (or the database's size limit) is full.
    public var isFull: Bool { code & 0xFF == SQLITE_FULL }
    /// Whether the database file is read-only.
    public var isReadOnly: Bool { code & 0xFF == SQLITE_READONLY }
    /// Whether the file is not a database.
    public var isNotADatabase: Bool { code & 0xFF == SQLITE_NOTADB }
    /// Whether the SQL itself is wrong (a syntax error, a missing table or column), not the file or the disk.
    public var isMistake: Bool { code & 0xFF == SQLITE_ERROR }
    /// Whether reading or writing the file failed (with ``systemErrno`` saying why: `ENOSPC`, `EFBIG`, …).
    public var isIOFailure: Bool { code & 0xFF == SQLITE_IOERR }
    /// The operating system's error number behind an I/O failure, when SQLite kept one.
    public var systemErrno: Int32 = 0
}

/// A value bound to, or read from, SQLite.
public enum SQLValue: Hashable, Sendable {
    case null
    case integer(Int64)
    case text(String)

    public init(_ text: String?) { self = text.map(SQLValue.text) ?? .null }
    public init(_ number: Int?) { self = number.map { .integer(Int64($0)) } ?? .null }
    public init(_ number: Int64?) { self = number.map(SQLValue.integer) ?? .null }

    public var string: String? {
        switch self {
        case .null: return nil
        case let .integer(i): return String(i)
        case let .text(s): return s
        }
    }

    public var int: Int? {
        switch self {
        case .null: return nil
        case let .integer(i): return Int(i)
        case let .text(s): return Int(s)
        }
    }
}

/// `name` quoted as an SQL identifier (`from`, `to` and `end` are SQL words; a `"` inside is doubled).
public func quotedName(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

/// `text` as an SQL string literal (a `'` inside is doubled), in SQLite's SQL and PostgreSQL's alike.
public func quotedText(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

/// How a transaction ends: its work kept, or undone (a dry run).
public enum TransactionEnd: Sendable {
    case commit
    case rollback
}

/// One connection to one SQLite file; the single owner of its handle and its prepared statements.
///
/// Every value is bound, never spliced into SQL. Statements are prepared once and cached.
/// Not thread-safe: one connection belongs to one task.
public final class Database {
    let handle: OpaquePointer
    public let path: String
    private var cache: [String: Statement] = [:]

    /// SQLite configured for this process before its first connection: no memory statistics, whose
    /// lock every allocation of every connection took (the staging thread's inserts and the rules'
    /// queries, side by side).
    private static let configured: Void = {
        _ = casebridge_sqlite_disable_memory_statistics()
    }()

    /// Opens (and with `create`, creates with mode 0600) the database at `path`.
    public init(path: String, readOnly: Bool = false, create: Bool = true) throws {
        self.path = path
        if create, !readOnly, path != ":memory:" {
            // Personal data: the file is the owner's alone from its first byte.
            let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
            if fd >= 0 { close(fd) }
        }
        _ = Self.configured
        var db: OpaquePointer?
        // URIs are on so that ``attach(_:as:readOnly:)`` can say how to open a file; the connection's own
        // path stays a plain file name (one that starts with `file:` is read relative to here).
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0))
            | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        let code = sqlite3_open_v2(path.hasPrefix("file:") ? "./" + path : path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw DatabaseError(code: code, message: "\(path): \(message)", sql: nil)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 0)
        if let threshold = Self.profileThreshold { casebridge_profile(db, threshold) }
    }

    /// `CASEBRIDGE_SQL_PROFILE=MS`: every statement that runs for MS milliseconds or more is printed to
    /// stderr with its time (its SQL only, never the values bound to it), for finding where a run spends it.
    static let profileThreshold: Int32? = ProcessInfo.processInfo.environment["CASEBRIDGE_SQL_PROFILE"].flatMap { Int32($0) }

    deinit {
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Attaches the database file at `path` to this connection as `schema`. Read only, a transaction
    /// of this connection only reads it, whatever the transaction writes elsewhere: it takes no write
    /// lock on it, so that another connection may write it meanwhile when it is in WAL mode (the
    /// attachment then keeps reading the file as it was when the transaction first read it).
    public func attach(_ path: String, as schema: String, readOnly: Bool = false) throws {
        try execute("ATTACH DATABASE ? AS \(quotedName(schema))", [.text(Self.fileURI(path, readOnly: readOnly))])
    }

    /// `path` as an SQLite file URI: absolute, with `%`, `?` and `#` escaped, and `mode=ro` when read only.
    static func fileURI(_ path: String, readOnly: Bool) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var escaped = ""
        for character in absolute.unicodeScalars {
            switch character {
            case "%": escaped += "%25"
            case "?": escaped += "%3F"
            case "#": escaped += "%23"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return "file://" + escaped + (readOnly ? "?mode=ro" : "")
    }

    /// Runs one or more statements that take no values.
    public func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(message)
            throw error(code, text, sql: sql)
        }
    }

    /// Runs one statement with its values bound.
    public func execute(_ sql: String, _ values: [SQLValue]) throws {
        let statement = try prepare(sql)
        try statement.bind(values)
        while try statement.step() {}
    }

    /// The prepared statement for `sql`, from the cache when it has been prepared before.
    public func prepare(_ sql: String) throws -> Statement {
        if let cached = cache[sql] {
            cached.reset()
            return cached
        }
        var pointer: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard code == SQLITE_OK, let pointer else {
            throw error(code, lastMessage, sql: sql)
        }
        let statement = Statement(pointer, database: self, sql: sql)
        cache[sql] = statement
        return statement
    }

    /// Every row `sql` returns.
    public func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [Row] {
        let statement = try prepare(sql)
        try statement.bind(values)
        var rows: [Row] = []
        while try statement.step() { rows.append(statement.row()) }
        return rows
    }

    /// Hands every row `sql` returns to `body`, one at a time, without holding them all.
    ///
    /// The statement is prepared afresh (not cached), so that `body` may run other statements.
    public func forEachRow(_ sql: String, _ values: [SQLValue] = [], _ body: (Row) throws -> Void) throws {
        var pointer: OpaquePointer?
        let code = sqlite3_prepare_v2(handle, sql, -1, &pointer, nil)
        guard code == SQLITE_OK, let pointer else { throw error(code, lastMessage, sql: sql) }
        let statement = Statement(pointer, database: self, sql: sql)
        try statement.bind(values)
        while try statement.step() { try body(statement.row()) }
    }

    /// What `transform` makes of each row `sql` returns, leaving out its `nil`s: the rows are read one at
    /// a time and never held all at once (as ``forEachRow(_:_:_:)``).
    public func mapRows<T>(_ sql: String, _ values: [SQLValue] = [], _ transform: (Row) throws -> T?) throws -> [T] {
        var results: [T] = []
        try forEachRow(sql, values) { row in
            if let result = try transform(row) { results.append(result) }
        }
        return results
    }

    /// Hands `body` every row `sql` returns as the bytes of its columns (``RowBytes``), without building a
    /// value per field: for streaming rows into another database. The statement is prepared afresh.
    public func forEachRowBytes(_ sql: String, _ values: [SQLValue] = [], _ body: (RowBytes) throws -> Void) throws {
        var pointer: OpaquePointer?
        let code = sqlite3_prepare_v2(handle, sql, -1, &pointer, nil)
        guard code == SQLITE_OK, let pointer else { throw error(code, lastMessage, sql: sql) }
        let statement = Statement(pointer, database: self, sql: sql)
        try statement.bind(values)
        let row = RowBytes(statement: pointer, count: Int(sqlite3_column_count(pointer)))
        while try statement.step() { try body(row) }
    }

    /// Whether the database holds a table named `name`.
    public func hasTable(_ name: String) throws -> Bool {
        try scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", [.text(name)])?.int == 1
    }

    /// The first column of the first row, if any.
    public func scalar(_ sql: String, _ values: [SQLValue] = []) throws -> SQLValue? {
        let statement = try prepare(sql)
        try statement.bind(values)
        guard try statement.step() else { return nil }
        let value = statement.value(at: 0)
        statement.reset()
        return value
    }

    /// How ``inTransaction(_:_:)`` begins a transaction.
    public enum TransactionBegin: Sendable {
        /// `BEGIN IMMEDIATE`: the write lock at once. It also begins reading every attached database,
        /// which the transaction then reads as it was at that moment.
        case immediate
        /// `BEGIN DEFERRED`, then `lockingMain`: a statement that writes the main database only, changing
        /// nothing, which takes its write lock at once (waiting for it as `BEGIN IMMEDIATE` would); `nil`
        /// for a file no other connection can hold yet. Each attached database is read as it is when the
        /// transaction first reads it.
        case readingAttachedLazily(lockingMain: String?)
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try inTransaction { (try body(), .commit) }
    }

    /// Runs `body` in one transaction (taking the write lock at once), committed or rolled back as it
    /// says; rolled back when it throws. The one place a connection begins and ends a transaction, as
    /// GRDB's `inTransaction` is.
    public func inTransaction<T>(_ begin: TransactionBegin = .immediate, _ body: () throws -> (T, TransactionEnd)) throws -> T {
        switch begin {
        case .immediate:
            try execute("BEGIN IMMEDIATE")
        case .readingAttachedLazily(let lockingMain):
            try execute("BEGIN DEFERRED")
            if let lockingMain {
                do { try execute(lockingMain) } catch {
                    try? execute("ROLLBACK")
                    throw error
                }
            }
        }
        do {
            let (result, end) = try body()
            try execute(end == .commit ? "COMMIT" : "ROLLBACK")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Opens a transaction that spans many calls (a bulk load of staged records), ended by
    /// ``commitBulk()``; nothing else may begin one on this connection meanwhile.
    public func beginBulk() throws { try execute("BEGIN") }

    /// Commits the transaction ``beginBulk()`` opened.
    public func commitBulk() throws { try execute("COMMIT") }

    /// Takes the write lock and lets it go at once: fails now (busy) if another process holds it.
    public func probeWriteLock() throws {
        try inTransaction { ((), .rollback) }
    }

    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// An error for `code`, with the operating system's error number when SQLite kept one.
    func error(_ code: Int32, _ message: String, sql: String?) -> DatabaseError {
        var error = DatabaseError(code: code, message: message, sql: sql)
        error.systemErrno = sqlite3_system_errno(handle)
        return error
    }

    /// How long a statement waits for another connection's lock before failing with `SQLITE_BUSY`.
    public func setBusyTimeout(milliseconds: Int) {
        sqlite3_busy_timeout(handle, Int32(clamping: milliseconds))
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// The rowid of the last row inserted.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Whether the connection is inside a transaction.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Adds the SQL functions `casebridge_sha256(value)`: the SHA-256 of its argument's text (UTF-8),
    /// as 64 lowercase hex digits, NULL for NULL; and `casebridge_row_sha256(value, …)`: that of
    /// `json_array(value, …)`'s text, or NULL when `json_array` should write it (``RowDigest``).
    public func addSHA256Function() throws {
        let rowCode = sqlite3_create_function_v2(handle, "casebridge_row_sha256", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                                 nil, RowDigest.function, nil, nil, nil)
        guard rowCode == SQLITE_OK else { throw error(rowCode, lastMessage, sql: nil) }
        let code = sqlite3_create_function_v2(
            handle, "casebridge_sha256", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nil,
            { context, _, values in
                guard let value = values?[0], sqlite3_value_type(value) != SQLITE_NULL,
                      let text = sqlite3_value_text(value) else {
                    sqlite3_result_null(context)
                    return
                }
                let digest = SHA256.hash(data: UnsafeRawBufferPointer(start: text, count: Int(sqlite3_value_bytes(value))))
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { hex in
                    digest.writeHex(to: hex.baseAddress!)
                    hex.withMemoryRebound(to: CChar.self) { sqlite3_result_text(context, $0.baseAddress, 64, casebridge_sqlite_transient()) }
                }
            }, nil, nil, nil)
        guard code == SQLITE_OK else { throw error(code, lastMessage, sql: nil) }
    }

    /// Writes `length` bytes into the BLOB of `table.column` in row `rowid` (created with
    /// `zeroblob(length)`), from the blocks `fill` hands over; returns the bytes written.
    public func writeBlob(schema: String = "main", table: String, column: String, rowid: Int64,
                          fill: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws -> Int64 {
        var blob: OpaquePointer?
        let code = sqlite3_blob_open(handle, schema, table, column, rowid, 1, &blob)
        guard code == SQLITE_OK, let blob else { throw error(code, lastMessage, sql: nil) }
        defer { sqlite3_blob_close(blob) }
        let size = Int64(sqlite3_blob_bytes(blob))
        var written: Int64 = 0
        try fill { bytes in
            guard written + Int64(bytes.count) <= size else {
                throw DatabaseError(code: SQLITE_TOOBIG, message: "more content than the \(size) bytes declared", sql: nil)
            }
            let code = sqlite3_blob_write(blob, bytes.baseAddress, Int32(bytes.count), Int32(written))
            guard code == SQLITE_OK else { throw self.error(code, self.lastMessage, sql: nil) }
            written += Int64(bytes.count)
        }
        return written
    }
}

/// A prepared statement, owned and cached by its ``Database``.
public final class Statement {
    let pointer: OpaquePointer
    unowned let database: Database
    public let sql: String
    private lazy var columnNames: [String] = (0..<sqlite3_column_count(pointer)).map {
        String(cString: sqlite3_column_name(pointer, $0))
    }

    init(_ pointer: OpaquePointer, database: Database, sql: String) {
        self.pointer = pointer
        self.database = database
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(pointer)
        rowText?.deallocate()
    }

    /// The current row's text, bound in place by ``bindRowText(_:at:)``: allocated on first use, and
    /// filled from the start again after ``clearBindings()`` has unbound every parameter.
    private var rowText: UnsafeMutablePointer<UInt8>?
    private var rowTextUsed = 0
    /// The bytes of ``rowText``: more than a staged row's texts take, short of values far beyond any
    /// field's usual size (bound by copy instead).
    static let rowTextCapacity = 16 << 10

    /// Binds `values` to the parameters in order.
    public func bind(_ values: [SQLValue]) throws {
        clearBindings()
        for (index, value) in values.enumerated() { try bind(value, at: Int32(index + 1)) }
    }

    /// Makes the statement ready for a new row of values: every parameter NULL until bound.
    public func clearBindings() {
        sqlite3_reset(pointer)
        sqlite3_clear_bindings(pointer)
        rowTextUsed = 0
    }

    /// Binds a whole number to parameter `index` (1-based).
    public func bind(_ number: Int64, at index: Int32) throws {
        let code = sqlite3_bind_int64(pointer, index, number)
        guard code == SQLITE_OK else { throw database.error(code, database.lastMessage, sql: sql) }
    }

    /// Binds text to parameter `index` (1-based); SQLite keeps its own copy.
    public func bind(_ text: String, at index: Int32) throws {
        var text = text
        let code = text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                sqlite3_bind_text(pointer, index, chars.baseAddress ?? UnsafePointer(bitPattern: 1), Int32(chars.count),
                                  casebridge_sqlite_transient())
            }
        }
        guard code == SQLITE_OK else { throw database.error(code, database.lastMessage, sql: sql) }
    }

    /// Binds text to parameter `index` (1-based) for the current row only: the text is copied into a
    /// buffer of the statement's own, which SQLite reads in place (`SQLITE_STATIC`) instead of copying
    /// the text into memory it allocates and frees for each value. The buffer is reused once
    /// ``clearBindings()`` has unbound every parameter, so this is for a statement whose parameters
    /// are all set afresh for each row (staging's inserts: a tenth of the storing thread's work was
    /// SQLite's own copies). Text that does not fit in what is left of the buffer is bound by copy.
    public func bindRowText(_ text: String, at index: Int32) throws {
        var text = text
        let code = text.withUTF8 { bytes -> Int32? in
            guard bytes.count <= Self.rowTextCapacity - rowTextUsed else { return nil }
            let buffer = rowText ?? {
                let allocated = UnsafeMutablePointer<UInt8>.allocate(capacity: Self.rowTextCapacity)
                rowText = allocated
                return allocated
            }()
            let start = buffer + rowTextUsed
            if let source = bytes.baseAddress { start.update(from: source, count: bytes.count) }
            rowTextUsed += bytes.count
            return start.withMemoryRebound(to: CChar.self, capacity: max(bytes.count, 1)) {
                sqlite3_bind_text(pointer, index, $0, Int32(bytes.count), casebridge_sqlite_static())
            }
        }
        guard let code else { return try bind(text, at: index) }
        guard code == SQLITE_OK else { throw database.error(code, database.lastMessage, sql: sql) }
    }

    /// Binds one value to parameter `index` (1-based).
    public func bind(_ value: SQLValue, at index: Int32) throws {
        switch value {
        case .null:
            let code = sqlite3_bind_null(pointer, index)
            guard code == SQLITE_OK else { throw database.error(code, database.lastMessage, sql: sql) }
        case let .integer(number): try bind(number, at: index)
        case let .text(text): try bind(text, at: index)
        }
    }

    /// Binds a text value, or NULL.
    public func bind(_ text: String?, at index: Int32) throws { try bind(SQLValue(text), at: index) }

    /// Steps once: `true` when a row is ready, `false` when done.
    @discardableResult
    public func step() throws -> Bool {
        let code = sqlite3_step(pointer)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE:
            sqlite3_reset(pointer)
            return false
        default:
            let error = database.error(code, database.lastMessage, sql: sql)
            sqlite3_reset(pointer)
            throw error
        }
    }

    /// Readies the statement to run again.
    public func reset() { sqlite3_reset(pointer) }

    /// The current row's value in column `index`.
    public func value(at index: Int32) -> SQLValue {
        switch sqlite3_column_type(pointer, index) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(pointer, index))
        default:
            guard let text = sqlite3_column_text(pointer, index) else { return .null }
            let count = Int(sqlite3_column_bytes(pointer, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        }
    }

    /// The current row.
    public func row() -> Row {
        Row(names: columnNames, values: (0..<Int32(columnNames.count)).map { value(at: $0) })
    }
}

/// The current row of a statement as the bytes of its columns: each value's text in UTF-8 (a whole
/// number as its digits), `nil` for NULL. Valid only inside the call that hands it over.
public struct RowBytes {
    let statement: OpaquePointer
    /// The number of columns.
    public let count: Int

    /// The bytes of column `index`, or `nil` for NULL.
    public subscript(_ index: Int) -> UnsafeRawBufferPointer? {
        let column = Int32(index)
        guard sqlite3_column_type(statement, column) != SQLITE_NULL, let text = sqlite3_column_text(statement, column) else { return nil }
        return UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, column)))
    }
}

/// One row of a result, read by column name.
public struct Row: Sendable {
    public let names: [String]
    public let values: [SQLValue]

    /// A row of `values`, named by `names` in order (a server database's result row, read the same way).
    public init(names: [String], values: [SQLValue]) {
        self.names = names
        self.values = values
    }

    public subscript(_ name: String) -> String? {
        names.firstIndex(of: name).flatMap { values[$0].string }
    }

    public func int(_ name: String) -> Int? {
        names.firstIndex(of: name).flatMap { values[$0].int }
    }
}
