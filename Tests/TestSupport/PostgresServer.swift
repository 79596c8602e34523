import CasebridgeTarget
import Foundation

/// The PostgreSQL server the tests load into: `CASEBRIDGE_TEST_POSTGRES`, the URI of a database on it
/// whose role may create databases (`scripts/test` starts a throwaway cluster, `scripts/postgres`,
/// and sets it). Each test gets a database of its own (``database()``), dropped when it is done.
///
/// Without the variable the PostgreSQL tests are skipped on a developer's machine; in CI (`CI` set)
/// they run and fail, saying why: they never skip there.
public enum PostgresServer {
    /// The server's URI, when one is given.
    public static let uri: String? = ProcessInfo.processInfo.environment["CASEBRIDGE_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    /// Whether the PostgreSQL tests run: a server is given, or this is CI (where they then fail without one).
    public static var enabled: Bool { uri != nil || ProcessInfo.processInfo.environment["CI"] != nil }

    /// Why a PostgreSQL test cannot run.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// A new, empty database for one test.
    public static func database(_ prefix: String = "t") throws -> PostgresDatabase {
        try create(prefix, from: nil)
    }

    /// A new database for one test that is a copy of `template`: the same data. The files Casebridge keeps on
    /// this machine for a database (``PostgresDatabase``) are not copied.
    public static func database(_ prefix: String, copying template: DatabaseTemplate<some Sendable>) throws -> PostgresDatabase {
        try create(prefix, from: template.name)
    }

    /// A database made once for the tests that start from a copy of it (``database(_:copying:)``): `prepare`
    /// fills it and returns what those tests compare with. Call it from a `static let`, which calls it once;
    /// the database stays until the test process exits, and is dropped then.
    public static func template<Value: Sendable>(_ prefix: String, prepare: (PostgresDatabase) throws -> Value) throws -> DatabaseTemplate<Value> {
        let database = try database(prefix)
        let value = try prepare(database)
        database.dropsWhenReleased = false
        if let uri {
            let name = database.name
            AtExit.perform { _ = try? PostgresServer.psql(uri, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        }
        return DatabaseTemplate(name: database.name, value: value)
    }

    private static func create(_ prefix: String, from template: String?) throws -> PostgresDatabase {
        guard let uri else {
            throw Unavailable(description: "CASEBRIDGE_TEST_POSTGRES is not set: the PostgreSQL tests need a server; scripts/test starts one "
                + "(scripts/postgres start DIR prints its URI)")
        }
        let name = "cbt_\(prefix)_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        // A template nobody is connected to: CREATE DATABASE refuses to copy one in use.
        try psql(uri, "CREATE DATABASE \(name)" + (template.map { " TEMPLATE \($0)" } ?? ""))
        return PostgresDatabase(name: name, uri: try with(uri, database: name), admin: uri)
    }

    /// `uri` naming database `name` instead.
    public static func with(_ uri: String, database name: String) throws -> String {
        guard var parts = URLComponents(string: uri) else { throw Unavailable(description: "CASEBRIDGE_TEST_POSTGRES is not a URI") }
        parts.path = "/" + name
        guard let changed = parts.string else { throw Unavailable(description: "CASEBRIDGE_TEST_POSTGRES is not a URI") }
        return changed
    }

    /// `uri` with its `user` (a query parameter or the URI's user) replaced by `user`.
    public static func with(_ uri: String, user: String) throws -> String {
        guard var parts = URLComponents(string: uri) else { throw Unavailable(description: "not a URI: \(uri)") }
        parts.queryItems = (parts.queryItems ?? []).filter { $0.name != "user" } + [URLQueryItem(name: "user", value: user)]
        parts.user = nil
        guard let changed = parts.string else { throw Unavailable(description: "not a URI: \(uri)") }
        return changed
    }

    /// Runs `sql` with `psql` on the database of `uri` (stopping at the first error); returns its output,
    /// unaligned, without headers.
    @discardableResult
    public static func psql(_ uri: String, _ sql: String) throws -> String {
        try run("/usr/bin/psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", uri, "-c", sql])
    }

    /// Runs a PostgreSQL client program; returns its standard output, or throws with its standard error.
    public static func run(_ program: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Unavailable(description: "\(program) failed (\(process.terminationStatus)): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// A database that tests copy (``PostgresServer/template(_:prepare:)``), and what it holds to compare with.
public struct DatabaseTemplate<Value: Sendable>: Sendable {
    public let name: String
    public let value: Value
}

/// A database of its own on the test server, dropped (whoever is still connected) when the value goes.
public final class PostgresDatabase {
    public let name: String
    /// Its URI, as `--target` takes it.
    public let uri: String
    let admin: String

    init(name: String, uri: String, admin: String) {
        self.name = name
        self.uri = uri
        self.admin = admin
    }

    /// Drops the database, and the files Casebridge kept for it on this machine (its kept staging, its
    /// report's secret, its schedule's lock).
    deinit {
        guard dropsWhenReleased else { return }
        _ = try? PostgresServer.psql(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        for schema in [TargetMapping.defaultPostgresSchema] + extraSchemas {
            guard let stem = try? TargetEngines.localStem(target: uri, schema: schema) else { continue }
            for suffix in [".casebridge-state", ".casebridge-state-journal", ".report-secret", ".schedule-lock"] {
                try? FileManager.default.removeItem(atPath: stem + suffix)
            }
        }
    }

    /// Whether releasing the value drops the database: not for a template, which goes when the process exits.
    var dropsWhenReleased = true

    /// Schemas other than the default that tests loaded into (their local files go too).
    public var extraSchemas: [String] = []

    /// The database as libpq keyword/value pairs (`dbname=… host=… user=…`), the other form `--target` takes.
    public func keywordString() throws -> String {
        guard let parts = URLComponents(string: uri) else { throw PostgresServer.Unavailable(description: "not a URI: \(uri)") }
        var pairs = ["dbname=\(name)"]
        if let host = parts.host, !host.isEmpty { pairs.append("host=\(host)") }
        if let port = parts.port { pairs.append("port=\(port)") }
        if let user = parts.user { pairs.append("user=\(user)") }
        for item in parts.queryItems ?? [] { if let value = item.value { pairs.append("\(item.name)=\(value)") } }
        return pairs.joined(separator: " ")
    }

    /// Runs `sql` on this database as the server's role.
    @discardableResult
    public func psql(_ sql: String) throws -> String { try PostgresServer.psql(uri, sql) }

    /// Every row of every table, as `pg_dump --data-only` writes it (its lines sorted, and without the
    /// random key of `\\restrict`, so that two dumps of the same data are the same text). The dump itself
    /// is not held by limits a test set on the database.
    public func dump() throws -> String {
        lines(of: try PostgresServer.run("/usr/bin/pg_dump", ["--data-only", "--no-owner", "--no-comments", "--inserts", "--rows-per-insert=1", "-d", uri],
                                         environment: ["PGOPTIONS": "-c temp_file_limit=-1 -c work_mem=64MB"]))
            .filter { !$0.isEmpty && !$0.hasPrefix("--") && !$0.hasPrefix("SET ") && !$0.hasPrefix("SELECT pg_catalog") && !$0.hasPrefix("\\") }
            .sorted().joined(separator: "\n")
    }
}
