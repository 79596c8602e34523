#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive flock(2) on a lock file, taken with a bounded wait. The kernel lets go when the holding
/// process ends, however it ends, so a killed run never leaves a stale lock; the file itself stays
/// unless its holder removes it.
///
/// ```swift
/// let lock = try FileLock(path: "target.db.schedule-lock", wait: 5)
/// defer { lock.release() }
/// ```
public final class FileLock {
    /// Why the lock was not taken.
    public enum Failure: Error, Sendable {
        /// Another process still held it after the wait; `holder` is the process id it wrote, if any.
        case busy(holder: Int32?)
        /// The lock file could not be opened or locked; the system's reason.
        case unavailable(String)
    }

    public let path: String
    private var fd: Int32 = -1

    /// Takes the lock on `path` (created 0600 if missing), waiting up to `wait` seconds for another
    /// holder to let go, and writes this process's id into it.
    public init(path: String, wait: Double) throws(Failure) {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .unavailable("the lock file cannot be opened: \(String(cString: strerror(errno)))") }
        var waited = 0.0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw .unavailable("the lock cannot be taken: \(reason)")
            }
            if waited >= wait {
                let holder = Self.holder(of: path)
                close(fd)
                throw .busy(holder: holder)
            }
            usleep(50_000)
            waited += 0.05
        }
        self.fd = fd
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
    }

    /// The process id written in the lock file at `path`, if any.
    public static func holder(of path: String) -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = read(fd, &bytes, bytes.count)
        guard count > 0 else { return nil }
        return Int32(String(decoding: bytes[..<count], as: UTF8.self).filter(\.isNumber))
    }

    /// Clears the process id and lets go of the lock (also done when the process ends).
    public func release() {
        guard fd >= 0 else { return }
        _ = ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    /// Removes the lock file, then lets go of the lock: for a holder whose work makes the lock needless
    /// from now on (a waiter then holds the removed file and sees that work done).
    public func removeAndRelease() {
        guard fd >= 0 else { return }
        unlink(path)
        release()
    }

    deinit { release() }
}
