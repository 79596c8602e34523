import CLibPQ
import CasebridgeStore
import Foundation

/// One connection to a PostgreSQL server through libpq; the single owner of its handle.
///
/// Every value is bound as a parameter, never spliced into SQL (`$1`, `$2`, …); results come back as
/// text (``SQLValue/text(_:)`` or ``SQLValue/null``), read by column name through ``Row``. Bulk data
/// goes through ``copyIn(_:_:)`` and ``copyOut(_:_:)``. Not thread-safe: one connection belongs to one task.
final class PostgresConnection {
    let handle: OpaquePointer
    /// Whether statements sent by ``send(_:)`` may still be running: every other call waits for them first.
    private var sent = false

    /// Connects with a libpq connection string (keyword/value pairs or a URI), which names no password:
    /// libpq finds one in `PGPASSWORD`, `~/.pgpass` or the service file.
    /// The connection names itself `casebridge` to the server (`application_name`, unless the string
    /// sets one) and speaks UTF-8.
    init(_ conninfo: String) throws(PostgresError) {
        let keywords = ["dbname", "fallback_application_name", "client_encoding"]
        let values = [conninfo, "casebridge", "UTF8"]
        let connection = Self.withCStrings(keywords) { keywords in
            Self.withCStrings(values) { values in PQconnectdbParams(keywords, values, 1) }
        }
        guard let connection else { throw PostgresError(connection: nil) }
        guard PQstatus(connection) == CONNECTION_OK else {
            let error = PostgresError(connection: connection)
            PQfinish(connection)
            throw error
        }
        casebridge_pq_quiet(connection)
        handle = connection
    }

    deinit { PQfinish(handle) }

    /// `strings` as a NULL-terminated array of C strings, for the length of `body`.
    private static func withCStrings<T>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return body(copies.map { $0.map { UnsafePointer($0) } } + [nil])
    }

    /// Runs one or more statements that take no values (a DDL file).
    func execute(_ sql: String) throws(PostgresError) {
        try awaitSent()
        try check(PQexec(handle, sql), expecting: PGRES_COMMAND_OK)
    }

    /// Sends one or more statements that take no values, and returns while the server runs them: the
    /// next call on the connection waits for them, and throws their failure if they failed.
    func send(_ sql: String) throws(PostgresError) {
        try awaitSent()
        guard PQsendQuery(handle, sql) == 1 else { throw PostgresError(connection: handle) }
        sent = true
    }

    /// Waits for the statements ``send(_:)`` sent; throws the first failure among them.
    func awaitSent() throws(PostgresError) {
        guard sent else { return }
        sent = false
        var failure: PostgresError?
        while let result = PQgetResult(handle) {
            let status = PQresultStatus(result)
            if failure == nil, status != PGRES_COMMAND_OK, status != PGRES_TUPLES_OK {
                failure = PostgresError(result: result, connection: handle)
            }
            PQclear(result)
        }
        if let failure { throw failure }
        if !isAlive { throw PostgresError(connection: handle) }
    }

    /// Runs one statement with its values bound.
    func execute(_ sql: String, _ values: [SQLValue]) throws(PostgresError) {
        try awaitSent()
        try check(run(sql, values), expecting: PGRES_COMMAND_OK)
    }

    /// Runs one statement with its values bound; returns how many rows it inserted, updated or deleted.
    @discardableResult
    func command(_ sql: String, _ values: [SQLValue] = []) throws(PostgresError) -> Int {
        try awaitSent()
        let result = run(sql, values)
        defer { PQclear(result) }
        try Self.require(result, PGRES_COMMAND_OK, on: handle)
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// Every row one statement returns.
    func rows(_ sql: String, _ values: [SQLValue] = []) throws(PostgresError) -> [Row] {
        try awaitSent()
        let result = run(sql, values)
        defer { PQclear(result) }
        try Self.require(result, PGRES_TUPLES_OK, on: handle)
        let names = (0..<PQnfields(result)).map { String(cString: PQfname(result, $0)) }
        return (0..<PQntuples(result)).map { row in
            Row(names: names, values: (0..<Int32(names.count)).map { column in
                PQgetisnull(result, row, column) == 1 ? .null : .text(String(cString: PQgetvalue(result, row, column)))
            })
        }
    }

    /// The first column of the first row, if any.
    func scalar(_ sql: String, _ values: [SQLValue] = []) throws(PostgresError) -> SQLValue? {
        try rows(sql, values).first?.values.first
    }

    /// Runs `COPY … FROM STDIN` and hands `body` the stream to write its rows into; ends the copy when
    /// `body` returns (the server then checks and stores every row), abandons it when `body` throws.
    func copyIn(_ sql: String, _ body: (PostgresCopyIn) throws -> Void) throws {
        try awaitSent()
        let start = PQexec(handle, sql)
        defer { PQclear(start) }
        try Self.require(start, PGRES_COPY_IN, on: handle)
        let stream = PostgresCopyIn(connection: self)
        do {
            try body(stream)
            try stream.finish()
        } catch {
            stream.abandon()
            PQputCopyEnd(handle, "casebridge abandoned the copy")
            drainResults()
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else { throw PostgresError(connection: handle) }
        try finishCopy()
    }

    /// Runs `COPY … TO STDOUT` and hands `body` each block of data the server sends.
    func copyOut(_ sql: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try awaitSent()
        let start = PQexec(handle, sql)
        defer { PQclear(start) }
        try Self.require(start, PGRES_COPY_OUT, on: handle)
        var failure: (any Error)?
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let length = PQgetCopyData(handle, &buffer, 0)
            guard length > 0, let buffer else { break }
            if failure == nil {
                do { try body(UnsafeRawBufferPointer(start: buffer, count: Int(length))) } catch { failure = error }
            }
            PQfreemem(buffer)
        }
        try finishCopy()
        if let failure { throw failure }
    }

    /// Sends one block of a COPY's data.
    func putCopyData(_ bytes: UnsafeRawBufferPointer) throws(PostgresError) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self),
              PQputCopyData(handle, base, Int32(bytes.count)) == 1 else { throw PostgresError(connection: handle) }
    }

    /// Whether the connection still stands.
    var isAlive: Bool { PQstatus(handle) == CONNECTION_OK }

    /// The server's process id for this connection (what `pg_terminate_backend` names).
    var serverProcess: Int32 { PQbackendPID(handle) }

    // MARK: Results

    private func run(_ sql: String, _ values: [SQLValue]) -> OpaquePointer? {
        let texts = values.map(\.string)
        var pointers: [UnsafePointer<CChar>?] = []
        var owned: [UnsafeMutablePointer<CChar>] = []
        for text in texts {
            if let text, let copy = strdup(text) {
                owned.append(copy)
                pointers.append(UnsafePointer(copy))
            } else {
                pointers.append(nil)
            }
        }
        defer { owned.forEach { free($0) } }
        // Whole numbers go as bigint (int8), so that `SELECT $1` has a type; text is typed by its context.
        let types: [Oid] = values.map { if case .integer = $0 { 20 } else { 0 } }
        return PQexecParams(handle, sql, Int32(values.count), types, pointers, nil, nil, 0)
    }

    private func check(_ result: OpaquePointer?, expecting status: ExecStatusType) throws(PostgresError) {
        defer { PQclear(result) }
        if PQresultStatus(result) == PGRES_TUPLES_OK, status == PGRES_COMMAND_OK { return }
        try Self.require(result, status, on: handle)
    }

    private static func require(_ result: OpaquePointer?, _ status: ExecStatusType, on handle: OpaquePointer) throws(PostgresError) {
        guard let result else { throw PostgresError(connection: handle) }
        guard PQresultStatus(result) == status else { throw PostgresError(result: result, connection: handle) }
    }

    /// Reads the results that end a COPY: the first error, if any, is thrown.
    private func finishCopy() throws(PostgresError) {
        var failure: PostgresError?
        while let result = PQgetResult(handle) {
            if failure == nil, PQresultStatus(result) != PGRES_COMMAND_OK {
                failure = PostgresError(result: result, connection: handle)
            }
            PQclear(result)
        }
        if let failure { throw failure }
        if !isAlive { throw PostgresError(connection: handle) }
    }

    private func drainResults() {
        while let result = PQgetResult(handle) { PQclear(result) }
    }
}
