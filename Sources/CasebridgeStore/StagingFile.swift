import Foundation

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

    /// A fresh path for a temporary SQLite file.
    public static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-staging-\(UUID().uuidString).sqlite").path
    }

    /// Removes an SQLite file and its journals.
    public static func remove(_ path: String) {
        for suffix in ["", "-journal", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
