import Foundation

/// The one place that decides which engine holds a `--target`: a PostgreSQL connection string (a URI
/// `postgresql://USER@HOST[:PORT]/DB[?sslmode=…]` or `postgres://…`, or libpq keyword/value pairs such as
/// `host=/run/postgresql dbname=ssd`) is a PostgreSQL target; anything else is the path of an SQLite file.
///
/// ```swift
/// let engine = try TargetEngines.open(target: "postgresql://loader@db.council.local/ssd", schema: mapping.postgresSchema)
/// let engine = try TargetEngines.open(target: "out/target.db")
/// ```
public enum TargetEngines {
    /// Whether `target` names a PostgreSQL database rather than an SQLite file.
    public static func isPostgres(_ target: String) -> Bool { PostgresAddress.names(target) }

    /// The engine of `target`. `schema` is the PostgreSQL schema its tables live in (the target mapping's
    /// ``TargetMapping/postgresSchema``; an SQLite target has none); `lockTimeout` the seconds to wait for
    /// another process's lock. A PostgreSQL string that names a password, or that libpq cannot read, is
    /// refused with a ``TargetError``. Nothing is opened until the engine is used.
    public static func open(target: String, schema: String = TargetMapping.defaultPostgresSchema,
                            lockTimeout: Double = 5) throws -> any TargetEngine {
        if isPostgres(target) { return try PostgresTarget(target: target, schema: schema, lockTimeout: lockTimeout) }
        return SQLiteTarget(path: target, lockTimeout: lockTimeout)
    }

    /// Where the files Casebridge keeps on this machine for `target` begin (the kept staging
    /// `….casebridge-state`, the report's `….report-secret`, the schedule's `….schedule-lock`): beside an
    /// SQLite target, its own path; for a PostgreSQL target, `$XDG_STATE_HOME/casebridge/` and the
    /// SHA-256 of its host, port, database and schema (``PostgresAddress/localStem(schema:)``; the folder
    /// is made, mode 0700, when missing).
    public static func localStem(target: String, schema: String = TargetMapping.defaultPostgresSchema) throws -> String {
        guard isPostgres(target) else { return target }
        let stem = try PostgresAddress(target).localStem(schema: schema)
        try? FileManager.default.createDirectory(atPath: PostgresAddress.stateFolder, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        return stem
    }

    /// `target` as messages name it: an SQLite target by its path, a PostgreSQL one by its database,
    /// host and schema (never a password).
    public static func displayName(target: String, schema: String = TargetMapping.defaultPostgresSchema) -> String {
        guard isPostgres(target), let address = try? PostgresAddress(target) else { return target }
        return address.name(schema: schema)
    }
}
