import Foundation
import Synchronization

/// Work left for when the test process exits (shared fixtures removed, template databases dropped), done
/// in the order it was left. A test process that crashes leaves it undone.
enum AtExit {
    private static let work = Mutex<[@Sendable () -> Void]>([])

    /// Does `body` when the process exits.
    static func perform(_ body: @escaping @Sendable () -> Void) {
        let first = work.withLock { work in
            work.append(body)
            return work.count == 1
        }
        guard first else { return }
        atexit {
            for body in AtExit.work.withLock({ $0 }) {
                body()
            }
        }
    }
}
