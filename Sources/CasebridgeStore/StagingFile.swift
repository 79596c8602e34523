import Foundation
import Synchronization

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

    /// A fresh path for a temporary SQLite file, listed with ``TemporaryFiles`` until it is removed.
    public static func temporaryPath() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-staging-\(UUID().uuidString).sqlite").path
        TemporaryFiles.add(path)
        return path
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
    private static let paths = Mutex<Set<String>>([])

    /// Lists the SQLite file at `path` (with its journals) as one to remove if the run is interrupted.
    public static func add(_ path: String) {
        paths.withLock { _ = $0.insert(path) }
    }

    /// Takes `path` off the list (it was removed, or it is kept from now on).
    public static func forget(_ path: String) {
        paths.withLock { _ = $0.remove(path) }
    }

    /// Removes every listed file and its journals: an interrupted run's last act.
    public static func removeAll() {
        for path in paths.withLock({ $0 }) { StagingFile.removeFiles(path) }
    }
}
