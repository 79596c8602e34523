import CasebridgeStore
import CasebridgeTarget
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Keeps the staging of a run that commits as the staging kept for the next delta (``StateCache``):
/// prepared as the live state's (``StateCache/prepareSeal(_:mapping:sequence:newFrom:)``), then given
/// the run's token once the load committed, and, when the run did not continue the kept staging, moved
/// there (replacing the one before).
///
/// An engine that stops reading the staging before it commits (a PostgreSQL target, once its findings
/// are stored) has the staging prepared on a thread of its own while the server finishes: a new
/// target's index builds, a delta's last statements. Otherwise it is prepared once the load committed.
/// A failure here costs the next delta speed, not correctness: the kept staging is then not used.
final class StagingKeeper: @unchecked Sendable {
    private let file: StagingFile
    private let keptPath: String
    private let token: String
    private let mapping: TargetMapping
    private let sequence: Int
    /// The first rid of the run's own records, when it continued the kept staging.
    private let newFrom: Int?
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var started = false
    private var prepared: Result<Void, any Error>?

    init(file: StagingFile, keptAt path: String, token: String, mapping: TargetMapping, sequence: Int, newFrom: Int?) {
        self.file = file
        keptPath = path
        self.token = token
        self.mapping = mapping
        self.sequence = sequence
        self.newFrom = newFrom
    }

    /// Starts preparing the staging on a thread of its own; nothing may read or write it meanwhile.
    func startPreparing() {
        condition.withLock {
            guard !started else { return }
            started = true
            Thread.detachNewThread { [self] in
                let result = Result { try StateCache.prepareSeal(file.path, mapping: mapping, sequence: sequence, newFrom: newFrom) }
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
    /// (`keepingFindings`, on the connection that judged), the staging prepared unless it was already,
    /// then sealed with the run's token.
    func keep(keepingFindings: () throws -> Void) {
        do {
            waitUntilPrepared()
            try keepingFindings()
            startPreparing()
            waitUntilPrepared()
            try condition.withLock { prepared! }.get()
            try StateCache.seal(file.path, token: token, newFrom: newFrom)
        } catch {
            StagingFile.remove(newFrom == nil ? file.path : keptPath)
            return
        }
        guard newFrom == nil else { return }
        chmod(file.path, 0o600)
        guard rename(file.path, keptPath) == 0 else { return }
        try? FileManager.default.removeItem(atPath: keptPath + "-journal")
    }
}
