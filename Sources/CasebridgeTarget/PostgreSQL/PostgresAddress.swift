import CLibPQ
import Crypto
import Foundation

/// Where a PostgreSQL target lives, read from `--target`: a libpq URI (`postgresql://USER@HOST:PORT/DB
/// ?sslmode=…`, `postgres://…`) or keyword/value string (`host=/run/postgresql dbname=ssd`), with libpq's
/// defaults (`PGHOST`, `PGPORT`, `PGDATABASE`, `PGUSER`) for what it leaves out. Every other setting
/// (`sslmode`, `sslrootcert`, `service`, …) goes to libpq as written.
///
/// A string that names a password is refused: a password comes from `PGPASSWORD`, `~/.pgpass` or the
/// service file, so that it is never on a command line, in a process list, a unit file or a log.
package struct PostgresAddress: Sendable, Equatable {
    /// The connection string as given (it names no password).
    package let conninfo: String
    /// The host name or Unix-socket folder, port, database and role, as libpq will use them.
    package let host: String
    package let port: String
    package let database: String
    package let user: String

    /// Whether `target` is a PostgreSQL connection string rather than a path: a URI, or keyword/value
    /// pairs beginning with a libpq keyword (`host=`, `dbname=`, `service=`, …). A file whose name
    /// begins like one is written with a folder (`./host=x`).
    package static func names(_ target: String) -> Bool {
        let text = target.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") { return true }
        guard let equals = text.firstIndex(of: "=") else { return false }
        let keyword = text[..<equals].trimmingCharacters(in: .whitespaces)
        return keywords.contains(keyword)
    }

    /// libpq's connection keywords, from the library itself.
    private static let keywords: Set<String> = {
        guard let options = PQconndefaults() else { return [] }
        defer { PQconninfoFree(options) }
        var names = Set<String>()
        var option = options
        while let keyword = option.pointee.keyword {
            names.insert(String(cString: keyword))
            option += 1
        }
        return names
    }()

    /// Reads `target`; refuses one that names a password or that libpq cannot read.
    package init(_ target: String) throws(TargetError) {
        let shown = "the PostgreSQL target"
        if Self.uriHasPassword(target) { throw TargetError(shown, Self.passwordRefusal) }
        var message: UnsafeMutablePointer<CChar>?
        guard let parsed = PQconninfoParse(target, &message) else {
            let reason = PostgresError.firstLine(message.map { UnsafePointer($0) })
            if let message { PQfreemem(message) }
            throw TargetError(shown, "is not a PostgreSQL connection string libpq can read (\(reason))")
        }
        defer { PQconninfoFree(parsed) }
        let given = Self.values(parsed)
        if let password = given["password"], !password.isEmpty { throw TargetError(shown, Self.passwordRefusal) }
        let defaults: [String: String] = PQconndefaults().map { options in
            defer { PQconninfoFree(options) }
            return Self.values(options)
        } ?? [:]
        // A service's settings come before the environment's, as libpq takes them.
        let service = given["service"].flatMap { $0.isEmpty ? nil : $0 } ?? ProcessInfo.processInfo.environment["PGSERVICE"]
        let fromService = service.map { PostgresServiceFile.settings(of: $0) } ?? [:]
        func value(_ key: String) -> String? {
            for source in [given, fromService, defaults] {
                if let value = source[key], !value.isEmpty { return value }
            }
            return nil
        }
        conninfo = target
        user = value("user") ?? RunAudit.currentUser
        host = value("host") ?? value("hostaddr") ?? "/var/run/postgresql"
        port = value("port") ?? "5432"
        database = value("dbname") ?? user
    }

    private static let passwordRefusal = "it names a password; give it in PGPASSWORD, ~/.pgpass or the service file instead, so that "
        + "it is never on a command line, in a process list or in a log; nothing was changed"

    /// `postgresql://user:secret@…`: refused before libpq reads it, so that no message can echo it.
    private static func uriHasPassword(_ target: String) -> Bool {
        let text = target.trimmingCharacters(in: .whitespaces)
        guard let scheme = text.range(of: "://"), text.hasPrefix("postgres") else { return false }
        let rest = text[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        guard let at = authority.lastIndex(of: "@") else { return false }
        return authority[..<at].contains(":")
    }

    private static func values(_ options: UnsafeMutablePointer<PQconninfoOption>) -> [String: String] {
        var values: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { values[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        return values
    }

    /// How messages name the target: the database and where it is (never a password).
    package func name(schema: String) -> String {
        "PostgreSQL database \(database) on \(host):\(port), schema \(schema)"
    }

    /// The start of the paths of the files Casebridge keeps on this machine for the target in `schema`
    /// (the kept staging, the report's secret, the schedule's lock): `$XDG_STATE_HOME/casebridge/`
    /// (default `~/.local/state/casebridge/`) and the SHA-256 of the host, port, database and schema.
    package func localStem(schema: String) -> String {
        let identity = "\(host)\n\(port)\n\(database)\n\(schema)"
        return Self.stateFolder + "/" + SHA256.hash(data: Data(identity.utf8)).hex
    }

    /// `$XDG_STATE_HOME/casebridge`, or `~/.local/state/casebridge`.
    package static var stateFolder: String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? (homeFolder + "/.local/state")
        return base + "/casebridge"
    }

    /// `~`: `$HOME` when it is set, as libpq reads `~/.pgpass` and `~/.pg_service.conf`, else the
    /// user's home folder in the password database.
    static var homeFolder: String {
        ProcessInfo.processInfo.environment["HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? NSHomeDirectory()
    }
}

/// The settings of a service in libpq's connection service file, read as libpq reads them: the
/// `[NAME]` section of `PGSERVICEFILE` (default `~/.pg_service.conf`), else of `pg_service.conf` in
/// `PGSYSCONFDIR` (default Debian's `/etc/postgresql-common`). Only to name a `service=NAME` target
/// (its host, port, database and role) in messages and in the paths of the files kept on this
/// machine: the connection itself is libpq's, which reads the file again.
enum PostgresServiceFile {
    /// The settings of `service`, from the first file that defines it; none when no file does.
    static func settings(of service: String) -> [String: String] {
        let environment = ProcessInfo.processInfo.environment
        let personal = environment["PGSERVICEFILE"] ?? (PostgresAddress.homeFolder + "/.pg_service.conf")
        let system = (environment["PGSYSCONFDIR"] ?? "/etc/postgresql-common") + "/pg_service.conf"
        for file in [personal, system] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8), let found = settings(of: service, in: text) else { continue }
            return found
        }
        return [:]
    }

    /// The settings of `service` in a service file's `text`, or `nil` when it has no such section.
    static func settings(of service: String, in text: String) -> [String: String]? {
        var found: [String: String]?
        var inService = false
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                if found != nil { break }
                inService = line.dropFirst().dropLast() == service
                if inService { found = [:] }
                continue
            }
            guard inService, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            // The first setting of a key stands, as in libpq.
            if found?[key] == nil { found?[key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces) }
        }
        return found
    }
}
