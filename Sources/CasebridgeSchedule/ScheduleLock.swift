import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Another `schedule run` holds the lock on the same target.
public struct ScheduleBusy: Error, CustomStringConvertible, Sendable {
    public var lockPath: String
    /// The holder's process id, as it wrote it into the lock file (`nil` when not yet written).
    public var holder: Int32?

    public var description: String {
        "another schedule run holds \(lockPath)\(holder.map { " (pid \($0))" } ?? "")"
    }
}

/// The lock that keeps two `schedule run`s on one target from overlapping: flock(2) on
/// `DB.schedule-lock` (created 0600 beside the target), which the holder's process id is written into.
///
/// The kernel releases the lock when the holding process ends, however it ends, so a killed run never
/// leaves a stale lock behind; the file itself stays (removing it would let two runs lock two files).
public final class ScheduleLock {
    public let path: String
    private var fd: Int32 = -1

    /// The lock file for `target`: `target.schedule-lock`.
    public static func path(forTarget target: String) -> String { target + ".schedule-lock" }

    /// Takes the lock, waiting up to `wait` seconds for another holder to let go.
    /// - Throws: ``ScheduleBusy`` when it is still held after `wait`; ``InboxError`` when the file cannot be opened.
    public init(target: String, wait: Double) throws {
        path = Self.path(forTarget: target)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw InboxError(reason: "\(path): the lock file cannot be opened: \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(max(0, wait))
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw InboxError(reason: "\(path): the lock cannot be taken: \(reason)")
            }
            if Date() >= deadline {
                let holder = Self.holder(of: path)
                close(fd)
                throw ScheduleBusy(lockPath: path, holder: holder)
            }
            usleep(50_000)
        }
        self.fd = fd
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
    }

    /// The process id written in the lock file at `path`, if any.
    public static func holder(of path: String) -> Int32? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Clears the process id and lets go of the lock (also done when the process ends).
    public func release() {
        guard fd >= 0 else { return }
        _ = ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
