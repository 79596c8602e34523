import CasebridgeStore
import CasebridgeTarget
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Keeps the staging of a run that commits as the staging kept for the next delta (``StateCache``):
/// prepared as the live state's (``StateCache/prepareSeal(_:mapping:newFrom:)``), then given
/// the run's token once the load committed, and, when the run did not continue the kept staging, moved
/// there (replacing the one before).
///
/// The staging is prepared on a thread of its own while the load finishes, from when the engine lets it
/// be written (``TargetEngine/stagingWritable``) and the rules and their findings are done with it: an
/// SQLite target's load reads the staging as it was when it took its view of the prepared rows (the
/// staging in WAL mode meanwhile), a PostgreSQL target's reads it no more once its findings are stored. The preparation is
/// waited for once the load committed.
/// A failure here costs the next delta speed, not correctness: the kept staging is then not used.
final class StagingKeeper: @unchecked Sendable {
    private let staging: StagingStore
    private let file: StagingFile
    private let keptPath: String
    private let token: String
    private let mapping: TargetMapping
    /// The first rid of the run's own records, when it continued the kept staging.
    private let newFrom: Int?
    private let writable: StagingWritable
    /// The rules' findings, completed from the staging: the staging is read until they are done.
    private let findings: CompletedFindings
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var started = false
    private var prepared: Result<Void, any Error>?

    init(staging: StagingStore, file: StagingFile, keptAt path: String, token: String, mapping: TargetMapping,
         newFrom: Int?, writable: StagingWritable, findings: CompletedFindings) {
        self.staging = staging
        self.file = file
        keptPath = path
        self.token = token
        self.mapping = mapping
        self.newFrom = newFrom
        self.writable = writable
        self.findings = findings
    }

    /// The load has taken its view of the prepared rows (``TargetSession/readPreparedRows()``).
    func loadReadPreparedRows() {
        if writable == .oncePreparedRowsRead { startPreparing() }
    }

    /// The load stored the run's findings.
    func findingsStored() {
        if writable == .onceFindingsStored { startPreparing() }
    }

    /// Starts preparing the staging on a thread of its own, once the rules and their findings are done
    /// with it; nothing else may write it meanwhile.
    private func startPreparing() {
        condition.withLock {
            guard !started else { return }
            started = true
            Thread.detachNewThread { [self] in
                findings.waitUntilDone()
                let result = Result { try StateCache.prepareSeal(file.path, mapping: mapping, newFrom: newFrom) }
                condition.withLock {
                    prepared = result
                    condition.broadcast()
                }
            }
        }
    }

    /// Waits for a preparation started; whatever it gave, nothing works on the staging once this returns.
    func waitUntilPrepared() {
        condition.withLock {
            while started && prepared == nil { condition.wait() }
        }
    }

    /// Keeps the staging of the run, which committed: the findings kept for the next delta written
    /// (`keepingFindings`, on the staging's own connection), the staging prepared unless it was already,
    /// what went through the WAL moved into the file, then sealed with the run's token. Returns a warning
    /// when it could not be kept (the next delta is then slower, never wrong).
    func keep(keepingFindings: () throws -> Void) -> String? {
        do {
            waitUntilPrepared()
            try keepingFindings()
            startPreparing()
            waitUntilPrepared()
            try condition.withLock { prepared! }.get()
            try staging.settleWrites()
            try StateCache.seal(file.path, token: token, newFrom: newFrom)
        } catch {
            StagingFile.remove(newFrom == nil ? file.path : keptPath)
            return Self.notKept(error)
        }
        guard newFrom == nil else { return nil }
        chmod(file.path, 0o600)
        // What a run that failed left beside the kept staging would be read as this one's.
        for suffix in ["-journal", "-wal", "-shm"] { unlink(keptPath + suffix) }
        guard rename(file.path, keptPath) == 0 else {
            let reason = String(cString: strerror(errno))
            StagingFile.remove(file.path)
            return Self.notKept("\(keptPath): \(reason)")
        }
        return nil
    }

    private static func notKept(_ reason: Any) -> String {
        "the staging could not be kept for the next delta (\(reason)): the next delta reads the live state from the target instead, which takes longer"
    }
}
