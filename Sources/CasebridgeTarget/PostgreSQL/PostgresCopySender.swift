import Foundation

/// Sends the blocks of a large `COPY … FROM STDIN` on a thread of its own, so that the next block is
/// made (read from the staging and written in the copy's format) while the server takes the last.
///
/// Sent from the thread that makes them, each block waited for the server to read it, and the server
/// then waited for the next: on a first load each side was busy about half the time. At most
/// `maxQueued` blocks wait. The connection is used by the sender's thread alone from the first block
/// handed over until ``finish()`` or ``stop()`` returns; a failure to send is thrown by the next
/// ``send(_:)`` or by ``finish()``.
final class PostgresCopySender: @unchecked Sendable {
    private let connection: PostgresConnection
    private let maxQueued: Int
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var queue: [[UInt8]] = []
    /// Sent blocks, kept for their capacity.
    private var spare: [[UInt8]] = []
    private var sending = false
    private var closed = false
    private var done = false
    private var failure: (any Error)?

    init(connection: PostgresConnection, maxQueued: Int = 4) {
        self.connection = connection
        self.maxQueued = maxQueued
        let thread = Thread { [self] in run() }
        thread.name = "casebridge-copy"
        thread.start()
    }

    /// Queues `block` to be sent; returns an emptied block to fill next (one sent before, when there is one).
    func send(_ block: [UInt8]) throws -> [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= maxQueued, failure == nil { condition.wait() }
        if let failure { throw failure }
        queue.append(block)
        condition.broadcast()
        return spare.popLast() ?? []
    }

    /// Waits until every queued block has been sent, leaving the thread running; throws a failure to send.
    func waitUntilSent() throws {
        condition.lock()
        defer { condition.unlock() }
        while !queue.isEmpty || sending, failure == nil { condition.wait() }
        if let failure { throw failure }
    }

    /// Sends what is queued, ends the thread and hands the connection back; throws a failure to send.
    func finish() throws {
        condition.lock()
        closed = true
        condition.broadcast()
        while !done { condition.wait() }
        let failure = self.failure
        condition.unlock()
        if let failure { throw failure }
    }

    /// Drops what is queued, ends the thread and hands the connection back (the copy is abandoned).
    func stop() {
        condition.lock()
        queue.removeAll()
        closed = true
        condition.broadcast()
        while !done { condition.wait() }
        condition.unlock()
    }

    private func run() {
        condition.lock()
        while true {
            while queue.isEmpty, !closed { condition.wait() }
            guard !queue.isEmpty, failure == nil else { break }
            var block = queue.removeFirst()
            sending = true
            condition.unlock()
            var sent: (any Error)?
            do { try block.withUnsafeBytes { try connection.putCopyData($0) } } catch { sent = error }
            block.removeAll(keepingCapacity: true)
            condition.lock()
            sending = false
            if let sent {
                failure = sent
                queue.removeAll()
            } else if spare.count < maxQueued {
                spare.append(block)
            }
            condition.broadcast()
        }
        done = true
        condition.broadcast()
        condition.unlock()
    }
}
