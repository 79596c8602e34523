import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A staging database's file and its lifetime: a temporary one goes, with its journals, when the last
/// reference to it goes (however the run ends); a kept one stays where its owner named.
///
/// ```swift
/// let file = StagingFile.temporary()          // removed when `file` goes
/// let store = try StagingStore(path: file.path)
/// ```
public final class StagingFile: Sendable {
    public let path: String
    /// Whether the file is removed when this goes.
    public let isTemporary: Bool

    /// A fresh file in the temporary folder, removed when this goes.
    public static func temporary() -> StagingFile { StagingFile(path: temporaryPath(), isTemporary: true) }

    /// The file at `path`, which stays when this goes (`check --staging`, the staging kept beside a target).
    public init(keptAt path: String) {
        self.path = path
        isTemporary = false
    }

    private init(path: String, isTemporary: Bool) {
        self.path = path
        self.isTemporary = isTemporary
    }

    deinit {
        if isTemporary { Self.remove(path) }
    }

    /// A fresh file that becomes the file at `path` once its run is done with it (its owner renames it
    /// there), removed when this goes if it was not: ``workPath(becoming:)``.
    public static func temporary(becoming path: String) -> StagingFile {
        StagingFile(path: workPath(becoming: path), isTemporary: true)
    }

    /// A fresh path for a temporary SQLite file, listed with ``TemporaryFiles`` until it is removed.
    public static func temporaryPath() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-staging-\(UUID().uuidString).sqlite").path
        TemporaryFiles.add(path)
        return path
    }

    /// A fresh path for an SQLite file that is to become the file at `path` (a new target, the staging
    /// kept beside a target): `.NAME.casebridge-new-PID-ID` in `path`'s folder, so that it is moved into
    /// place by a rename within one file system (the temporary folder is often another one, where a
    /// rename fails). Listed with ``TemporaryFiles``; what killed runs left there for `path` (named after
    /// a process that no longer exists) is removed first.
    public static func workPath(becoming path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        let prefix = ".\(url.lastPathComponent).casebridge-new-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count).prefix(while: \.isNumber)), kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink(folder.appendingPathComponent(name).path)
        }
        let work = folder.appendingPathComponent(prefix + "\(getpid())-\(UUID().uuidString.prefix(8))").path
        TemporaryFiles.add(work)
        return work
    }

    /// Removes an SQLite file and its journals (and from ``TemporaryFiles``).
    public static func remove(_ path: String) {
        removeFiles(path)
        TemporaryFiles.forget(path)
    }

    fileprivate static func removeFiles(_ path: String) {
        for suffix in ["", "-journal", "-wal", "-shm"] { unlink(path + suffix) }
    }
}

/// The SQLite files this process writes records into that no later run needs (temporary stagings, a
/// new target being built under its temporary name): an interrupted run removes them before it ends
/// (``removeAll()``), as a run that ends in any other way does one by one, so that no copy of
/// children's records is left behind in the temporary folder.
public enum TemporaryFiles {
    // Guarded by `lock`, an NSLock: ThreadSanitizer does not see Synchronization's Mutex order two
    // threads' accesses to a global (it reported two runs in one process listing their files as a race).
    nonisolated(unsafe) private static var paths: Set<String> = []
    private static let lock = NSLock()

    /// Lists the SQLite file at `path` (with its journals) as one to remove if the run is interrupted.
    public static func add(_ path: String) {
        lock.withLock { _ = paths.insert(path) }
    }

    /// Takes `path` off the list (it was removed, or it is kept from now on).
    public static func forget(_ path: String) {
        lock.withLock { _ = paths.remove(path) }
    }

    /// Removes every listed file and its journals: an interrupted run's last act.
    public static func removeAll() {
        for path in lock.withLock({ paths }) { StagingFile.removeFiles(path) }
    }
}
