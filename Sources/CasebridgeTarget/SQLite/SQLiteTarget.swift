import CasebridgeModel
import CasebridgeStore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The embedded engine: a target in one SQLite file, loaded with the staging database attached to the
/// target's connection (as `s`), so that every step is set-based SQL across the two files.
///
/// A target that does not exist is built under a temporary name beside it and linked into place only
/// once committed; two runs creating it at once take turns on `DB.casebridge-create` (``inspect(mapping:dryRun:)``).
public final class SQLiteTarget: TargetEngine {
    public let path: String
    /// Seconds to wait for another process's lock on the target.
    public let lockTimeout: Double
    /// Held from ``inspect(mapping:dryRun:)`` of a target that does not exist until it is created.
    private var creationLock: FileLock?

    public init(path: String, lockTimeout: Double = 5) {
        self.path = path
        self.lockTimeout = lockTimeout
    }

    public var name: String { path }

    public var keptStagingPath: String { path + ".casebridge-state" }

    /// The staging is attached read only, and the load's view of it taken as its transaction begins.
    public var stagingWritable: StagingWritable { .oncePreparedRowsRead }
    public var savesStateWhileRowsArePrepared: Bool { true }

    /// The staging's first attachment, through which the live state is saved: its view taken before
    /// the rows are prepared. The staging is attached again as `s` for the rest of the load.
    static let recordsSchema = "s0"

    /// Looks at the file without changing it. For a target that does not exist (and not a dry run), first
    /// takes the lock that makes two runs creating it at once take turns, waiting up to ``lockTimeout``:
    /// the second then finds the target the first made.
    public func inspect(mapping: TargetMapping, dryRun: Bool) throws -> TargetState {
        if !dryRun, !FileManager.default.fileExists(atPath: path) { creationLock = try takeCreationLock() }
        let state = try TargetDatabase.inspect(path: path, mapping: mapping, dryRun: dryRun)
        if FileManager.default.fileExists(atPath: path) {
            creationLock?.release()
            creationLock = nil
        }
        return state
    }

    /// `DB.casebridge-create`: the one that creates the target removes the file as it lets go, so a run
    /// that waited finds the target made, and later runs need no lock (SQLite's own locks hold an
    /// existing target).
    private func takeCreationLock() throws -> FileLock {
        let lockPath = path + ".casebridge-create"
        do {
            return try FileLock(path: lockPath, wait: lockTimeout)
        } catch let .busy(holder) {
            throw TargetError(path, "another casebridge\(holder.map { " (pid \($0))" } ?? "") is creating this target "
                + "and did not finish within \(lockTimeout) s (--lock-timeout); nothing was changed")
        } catch let .unavailable(reason) {
            throw TargetError(path, "\(lockPath): \(reason)")
        }
    }

    public func probeLock() throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            let database = try Database(path: path, create: false)
            database.setBusyTimeout(milliseconds: Int(lockTimeout * 1000))
            try database.probeWriteLock()
        } catch let error as DatabaseError {
            throw TargetError.writing(path, error)
        }
    }

    public func runs() throws -> (any TargetRuns)? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let database = try Database(path: path, readOnly: true, create: false)
            database.setBusyTimeout(milliseconds: Int(lockTimeout * 1000))
            guard try database.hasTable("casebridge_run") else { return nil }
            return BookkeepingReader(database)
        } catch let error as DatabaseError {
            throw TargetError(path, "cannot read the target's runs: \(error.message)")
        }
    }

    public func history() throws -> any TargetHistory {
        BookkeepingReader(try TargetDatabase.openForReading(path))
    }

    public func carryLiveState(into staging: StagingStore, sequence: Int) throws {
        try LiveState.carry(into: staging, from: path, sequence: sequence)
    }

    public func transaction<T>(staging stagingPath: String, creating: Bool,
                               _ body: (any TargetSession) throws -> (T, TransactionEnd)) throws -> T {
        let workPath = creating ? try newWorkPath() : path
        defer { if creating { Self.remove(workPath) } }
        var committed = false
        let result: T
        do {
            let database = try Database(path: workPath)
            database.setBusyTimeout(milliseconds: Int(lockTimeout * 1000))
            try database.execute("PRAGMA cache_size = -65536")
            // Twice: each attachment's view of the staging is taken when the transaction first reads it,
            // and held until it ends (``SQLiteLoadSession/readPreparedRows()``).
            try database.attach(stagingPath, as: Self.recordsSchema, readOnly: true)
            try database.attach(stagingPath, as: "s", readOnly: true)
            // The write lock on the target at once (a new target's work file is this run's alone); each
            // attachment of the staging read from when the load first reads it.
            let begin = Database.TransactionBegin.readingAttachedLazily(lockingMain: creating ? nil : "DELETE FROM main.casebridge_meta WHERE 0")
            result = try database.inTransaction(begin) {
                let (value, end) = try body(SQLiteLoadSession(database: database))
                committed = end == .commit
                return (value, end)
            }
        } catch {
            // After a failed write (a full disk) SQLite may leave the rollback to the next connection:
            // open one now, so the target is back as it was before this process exits.
            Self.recover(workPath)
            if let error = error as? DatabaseError { throw TargetError.writing(workPath, error) }
            throw error
        }
        if creating, committed { try place(workPath) }
        return result
    }

    /// Where a new target is built: beside it (``StagingFile/workPath(becoming:)``), or a temporary
    /// file for a dry run, which never places it.
    private func newWorkPath() throws -> String {
        guard creationLock != nil else { return StagingFile.temporaryPath() }
        return StagingFile.workPath(becoming: path)
    }

    /// Links the committed new target into place (a link never replaces a file: whatever appeared at the
    /// target's path meanwhile is left as it is), lets waiting creators find it, and syncs the folder.
    private func place(_ workPath: String) throws {
        guard link(workPath, path) == 0 else {
            let reason = errno == EEXIST ? "another program created a file there while this run built the new target; that file was left as it is"
                : String(cString: strerror(errno))
            throw TargetError(path, "the new target could not be moved into place: \(reason); nothing was changed")
        }
        unlink(workPath)
        creationLock?.removeAndRelease()
        creationLock = nil
        let folder = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }

    /// Rolls back a transaction a failed connection left in the journal, by opening the file afresh.
    static func recover(_ path: String) {
        guard FileManager.default.fileExists(atPath: path + "-journal"),
              let database = try? Database(path: path, create: false) else { return }
        database.setBusyTimeout(milliseconds: 2000)
        _ = try? database.scalar("SELECT count(*) FROM sqlite_master")
    }

    /// Removes an SQLite file and its journals.
    static func remove(_ path: String) { StagingFile.remove(path) }
}
