import CasebridgeMapping
import CasebridgeModel
import CasebridgeStore
import Foundation

/// A target in a PostgreSQL database: every table (data and bookkeeping) in one schema the target
/// mapping names (default `casebridge`), loaded through libpq in one transaction per run.
///
/// The staging stays a local SQLite file: the target mapping's expressions are evaluated there as for
/// an SQLite target, and the rows each table receives are shipped with `COPY … FROM STDIN` into
/// temporary tables, then inserted, updated and archived set-based in SQL (``PostgresLoadSession``).
/// Writers take turns on a transaction-level advisory lock (the sequence checks run again under it);
/// a new target is created under a session-level one, so two runs creating it at once take turns. The
/// staging a committed run keeps for the next delta lives on this machine
/// (`$XDG_STATE_HOME/casebridge/<SHA-256 of host, port, database and schema>.casebridge-state`).
///
/// ```swift
/// let target = try PostgresTarget(target: "postgresql://loader@db.council.local/ssd", schema: "casebridge")
/// ```
public final class PostgresTarget: TargetEngine {
    let address: PostgresAddress
    /// The schema that holds the target's tables.
    public let schema: String
    /// Seconds to wait for another run's lock on the target.
    public let lockTimeout: Double
    private var opened: PostgresConnection?
    /// Held from ``inspect(mapping:dryRun:)`` of a target that does not exist until it is created.
    private var holdsCreationLock = false

    /// Reads the connection string `target`; refuses one that names a password or that libpq cannot read.
    public init(target: String, schema: String = TargetMapping.defaultPostgresSchema, lockTimeout: Double = 5) throws {
        address = try PostgresAddress(target)
        self.schema = schema
        self.lockTimeout = lockTimeout
    }

    public var name: String { address.name(schema: schema) }

    public var keptStagingPath: String { address.localStem(schema: schema) + ".casebridge-state" }

    /// The staging is read on a connection of the load's own, no more once the findings are stored.
    public var stagingWritable: StagingWritable { .onceFindingsStored }
    public var savesStateWhileRowsArePrepared: Bool { false }

    // MARK: The connection

    /// The connection, opened on first use: the schema first on the search path (temporary tables are
    /// always named `pg_temp.…`), instants in UTC, and a server that checks every second whether the
    /// client is still there (a killed run's transaction ends at once instead of holding its locks).
    func connection(_ doing: PostgresFailure.Doing = .reading) throws -> PostgresConnection {
        if let opened, opened.isAlive { return opened }
        let connection = try guarded(.connecting) { try PostgresConnection(address.conninfo) }
        try guarded(doing) {
            try connection.execute("""
                SET search_path = \(quotedName(schema)); SET TimeZone = 'UTC';
                DO $$ BEGIN
                    IF current_setting('server_version_num')::int >= 140000 THEN
                        PERFORM set_config('client_connection_check_interval', '1000', false);
                    END IF;
                END $$;
                """)
        }
        opened = connection
        return connection
    }

    /// Runs `body`, turning a PostgreSQL failure into a one-line ``TargetError`` naming the target.
    func guarded<T>(_ doing: PostgresFailure.Doing, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError {
            throw PostgresFailure.targetError(error, address: address, schema: schema, doing: doing)
        }
    }

    /// The connection as SQL written for both engines uses it.
    func portable(_ doing: PostgresFailure.Doing) throws -> PostgresPortable {
        PostgresPortable(connection: try connection(doing), address: address, schema: schema, doing: doing)
    }

    // MARK: Locks

    /// The advisory lock a load holds for its transaction; `create` the one a creation holds until it commits.
    func lockKey(_ purpose: String) -> String { "hashtextextended('casebridge \(purpose) ' || \(PostgresSchemaVetting.literal(schema)), 0)" }

    /// Waits up to ``lockTimeout`` for the advisory lock `purpose` (`scope` `xact` for the transaction's).
    func takeLock(_ purpose: String, transaction: Bool) throws {
        let connection = try connection(.loading)
        let milliseconds = max(1, Int(lockTimeout * 1000))
        do {
            try connection.execute("SET lock_timeout = \(milliseconds)")
            try connection.execute("SELECT pg_advisory\(transaction ? "_xact" : "")_lock(\(lockKey(purpose)))")
            try connection.execute("SET lock_timeout = 0")
        } catch {
            if error.sqlState == "55P03" {
                let what = purpose == "create" ? "is creating this target" : "is loading into this target"
                throw TargetError(name, "another casebridge \(what) and did not finish within \(lockTimeout) s (--lock-timeout); nothing was changed")
            }
            throw PostgresFailure.targetError(error, address: address, schema: schema, doing: .loading)
        }
    }

    private func releaseCreationLock() {
        guard holdsCreationLock else { return }
        holdsCreationLock = false
        _ = try? opened?.execute("SELECT pg_advisory_unlock(\(lockKey("create")))")
    }

    public func probeLock() throws {
        try takeLock("load", transaction: false)
        let connection = try connection(.loading)
        try guarded(.loading) { try connection.execute("SELECT pg_advisory_unlock(\(lockKey("load")))") }
    }

    // MARK: Inspecting

    /// Looks at the schema without changing it. For a target that does not exist (and not a dry run),
    /// first takes the lock that makes two runs creating it at once take turns, waiting up to
    /// ``lockTimeout``: the second then finds the target the first made. Refuses a role that lacks a
    /// privilege the load needs, naming the grant.
    public func inspect(mapping: TargetMapping, dryRun: Bool) throws -> TargetState {
        guard let ddl = mapping.postgresDDL else {
            throw ConfigError(file: mapping.path, line: 1, column: 1, reason: "the target mapping names no PostgreSQL DDL "
                + "(postgresql: {ddl: …} in its schema entry, or a .postgres.sql file beside \(URL(fileURLWithPath: mapping.ddlPath).lastPathComponent))")
        }
        let vetting = PostgresSchemaVetting(target: self, connection: try connection(), mapping: mapping, ddl: ddl)
        var state = try vetting.state()
        if state == .fresh, !dryRun {
            try takeLock("create", transaction: false)
            holdsCreationLock = true
            state = try vetting.state()
            if state == .casebridge { releaseCreationLock() }
        }
        try vetting.requirePrivileges(state)
        if !dryRun {
            try? FileManager.default.createDirectory(atPath: PostgresAddress.stateFolder, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
        }
        return state
    }

    public func runs() throws -> (any TargetRuns)? {
        let connection = try connection()
        let tables = try guarded(.reading) { try PostgresCatalog(connection: connection, schema: schema).tableNames() }
        guard tables.contains("casebridge_run") else { return nil }
        return BookkeepingReader(try portable(.reading))
    }

    public func history() throws -> any TargetHistory {
        let vetting = PostgresSchemaVetting(target: self, connection: try connection(), mapping: nil, ddl: nil)
        try vetting.requireCasebridge()
        return BookkeepingReader(try portable(.reading))
    }

    public func carryLiveState(into staging: StagingStore, sequence: Int) throws {
        try PostgresLiveState(target: self).carry(into: staging, sequence: sequence)
    }

    // MARK: The load's transaction

    /// Runs `body` in one transaction under the load's advisory lock, with a session that reads the
    /// staging at `stagingPath`; commits or rolls back as `body` says. A failure, a dropped connection
    /// or a kill leaves every table as it was (PostgreSQL rolls back what was not committed).
    public func transaction<T>(staging stagingPath: String, creating: Bool,
                               _ body: (any TargetSession) throws -> (T, TransactionEnd)) throws -> T {
        defer { releaseCreationLock() }
        let connection = try connection(.loading)
        try guarded(.loading) { try connection.execute("BEGIN") }
        do {
            try takeLock("load", transaction: true)
            let staging: Database
            do {
                staging = try Database(path: stagingPath, readOnly: true, create: false)
            } catch let error as DatabaseError {
                throw TargetError(stagingPath, "the staging cannot be read: \(error.message); nothing was changed")
            }
            let (value, end) = try body(try PostgresLoadSession(target: self, connection: connection, staging: staging))
            try guarded(.loading) { try connection.execute(end == .commit ? "COMMIT" : "ROLLBACK") }
            return value
        } catch {
            if connection.isAlive { _ = try? connection.execute("ROLLBACK") }
            if let error = error as? PostgresError {
                throw PostgresFailure.targetError(error, address: address, schema: schema, doing: .loading)
            }
            if let error = error as? DatabaseError {
                throw TargetError.writingStaging(stagingPath, error)
            }
            throw error
        }
    }
}
