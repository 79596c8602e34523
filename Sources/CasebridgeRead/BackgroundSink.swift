import Foundation

/// Hands records to another sink on a thread of its own, in batches, so that parsing (one core) and
/// storing (the other) overlap.
///
/// The target is used only by the background thread until ``finish()`` returns; after that it belongs
/// to the caller again. At most `maxQueuedBatches` batches wait, so memory stays bounded when storing
/// is the slower side. A failure of the target is thrown by the next `accept` or by `finish`.
public final class BackgroundSink: RecordSink, @unchecked Sendable {
    private let target: RecordSink
    private let batchSize: Int
    private let maxQueuedBatches: Int
    private let condition = NSCondition()
    // Guarded by `condition`:
    /// Each batch's records are optional so that the storing thread can take them out one by one (a move).
    private var queue: [[PendingRecord?]] = []
    private var failure: (any Error)?
    private var closed = false
    private var done = false
    // Touched by the producer only:
    private var pending: [PendingRecord?] = []

    public init(_ target: RecordSink, batchSize: Int = 512, maxQueuedBatches: Int = 8) {
        self.target = target
        self.batchSize = batchSize
        self.maxQueuedBatches = maxQueuedBatches
        pending.reserveCapacity(batchSize)
        let thread = Thread { [self] in drain() }
        thread.name = "casebridge-store"
        thread.start()
    }

    public func accept(_ record: ReadRecord) throws {
        try accept(pending: PendingRecord(record))
    }

    /// Queues `record`; its values are read on the storing thread, just before it is stored.
    public func accept(pending record: consuming PendingRecord) throws {
        pending.append(consume record)
        if pending.count >= batchSize { try hand(over: false) }
    }

    /// Waits until every record has been stored; throws the target's failure, if any.
    public func finish() throws {
        try hand(over: true)
        condition.lock()
        while !done { condition.wait() }
        let failure = self.failure
        condition.unlock()
        if let failure { throw failure }
    }

    /// Stops storing: records not yet stored are dropped. For a read that failed.
    public func cancel() {
        condition.lock()
        queue.removeAll()
        closed = true
        condition.broadcast()
        while !done { condition.wait() }
        condition.unlock()
    }

    private func hand(over last: Bool) throws {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= maxQueuedBatches, failure == nil { condition.wait() }
        if let failure { throw failure }
        if !pending.isEmpty { queue.append(pending) }
        pending = []
        pending.reserveCapacity(batchSize)
        if last { closed = true }
        condition.broadcast()
    }

    private func drain() {
        while true {
            condition.lock()
            while queue.isEmpty, !closed { condition.wait() }
            if queue.isEmpty {
                done = true
                condition.broadcast()
                condition.unlock()
                return
            }
            var batch = queue.removeFirst()
            condition.broadcast()
            let failed = failure != nil
            condition.unlock()
            guard !failed else { continue }
            do {
                // Each record taken out of the batch (a move, not a copy), its values read in place.
                for index in batch.indices {
                    guard var record = batch[index].take() else { continue }
                    record.finish()
                    try target.accept(record.record)
                }
            } catch {
                condition.lock()
                failure = error
                queue.removeAll()
                condition.broadcast()
                condition.unlock()
            }
        }
    }
}
