import CasebridgeModel
import CasebridgeTarget
import Foundation

/// Another `schedule run` holds the lock on the same target.
public struct ScheduleBusy: ExitStatusError, Sendable {
    public var exitStatus: ExitStatus { .busy }

    public var lockPath: String
    /// The holder's process id, as it wrote it into the lock file (`nil` when not yet written).
    public var holder: Int32?

    public var description: String {
        "another schedule run holds \(lockPath)\(holder.map { " (pid \($0))" } ?? "")"
    }
}

/// The lock that keeps two `schedule run`s on one target from overlapping: a ``FileLock`` on
/// `DB.schedule-lock` (created 0600 beside an SQLite target; for a PostgreSQL target, on this machine
/// where its kept staging is, ``TargetEngines/localStem(target:schema:)``), which the holder's process
/// id is written into.
///
/// The kernel releases the lock when the holding process ends, however it ends, so a killed run never
/// leaves a stale lock behind; the file itself stays (removing it would let two runs lock two files).
public final class ScheduleLock {
    public let path: String
    private let lock: FileLock

    /// The lock file for `target` (its tables in `schema`, for a PostgreSQL one): `target.schedule-lock`.
    /// - Throws: ``TargetError`` for a PostgreSQL connection string that names a password or cannot be read.
    public static func path(forTarget target: String, schema: String = TargetMapping.defaultPostgresSchema) throws -> String {
        try TargetEngines.localStem(target: target, schema: schema) + ".schedule-lock"
    }

    /// Takes the lock, waiting up to `wait` seconds for another holder to let go.
    /// - Throws: ``ScheduleBusy`` when it is still held after `wait`; ``InboxError`` when the file cannot be opened;
    ///   ``TargetError`` for a target that cannot be read.
    public init(target: String, schema: String = TargetMapping.defaultPostgresSchema, wait: Double) throws {
        path = try Self.path(forTarget: target, schema: schema)
        do {
            lock = try FileLock(path: path, wait: max(0, wait))
        } catch let .busy(holder) {
            throw ScheduleBusy(lockPath: path, holder: holder)
        } catch let .unavailable(reason) {
            throw InboxError(reason: "\(path): \(reason)")
        }
    }

    /// The process id written in the lock file at `path`, if any.
    public static func holder(of path: String) -> Int32? { FileLock.holder(of: path) }

    /// Clears the process id and lets go of the lock (also done when the process ends).
    public func release() { lock.release() }
}
