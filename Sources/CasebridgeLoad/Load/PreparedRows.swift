import CasebridgeStore
import CasebridgeTarget
import Foundation

/// The rows each target table receives, prepared in the staging (``IncomingRows/prepare(newFrom:)``) on
/// the thread that then runs the rules, and the run's reconciliation, which the load waits for: an SQLite
/// load saves the live state meanwhile (``TargetEngine/savesStateWhileRowsArePrepared``).
final class PreparedRows: @unchecked Sendable {
    private let stagingPath: String
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var result: Result<[KindReconciliation], any Error>?

    /// - Parameter stagingPath: the staging file, as a failure to read or write it names it.
    init(stagingPath: String) {
        self.stagingPath = stagingPath
    }

    /// Prepares the rows with `prepare`, on the calling thread, which returns the reconciliation; hands
    /// it, or what it threw, to ``reconciliation()``, and throws what it threw.
    func make(_ prepare: () throws -> [KindReconciliation]) throws {
        let made = Result { try prepare() }
        condition.withLock {
            result = made
            condition.broadcast()
        }
        _ = try made.get()
    }

    /// Waits until the rows are prepared; the reconciliation. Throws what preparing them threw (a
    /// ``ReconciliationError``, a mistake in the target mapping, or the staging's failure as a ``TargetError``).
    func reconciliation() throws -> [KindReconciliation] {
        let made = condition.withLock {
            while result == nil { condition.wait() }
            return result!
        }
        do {
            return try made.get()
        } catch let error as DatabaseError {
            throw TargetError.writingStaging(stagingPath, error)
        }
    }
}
