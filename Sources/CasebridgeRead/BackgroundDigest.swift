import Crypto
import Foundation

/// A SHA-256 of a stream of bytes, computed on a thread of its own, so that hashing an export as it is
/// parsed does not slow the parse (on a full load the parsing thread is the busier of the two).
///
/// ``update(_:)`` copies each block into one of a few buffers that are reused, and waits only when all
/// of them are still queued, so memory stays at `buffers` blocks whatever the size of the stream.
/// ``finalize()`` waits for the queued blocks and returns the digest of every byte handed in, in order;
/// it must be called once, also when the stream is abandoned, so that the thread ends.
final class BackgroundDigest: @unchecked Sendable {
    private struct Block {
        var start: UnsafeMutableRawPointer
        var capacity: Int
        var count = 0
    }

    private let condition = NSCondition()
    // Guarded by `condition`:
    private var queued: [Block] = []
    private var free: [Block] = []
    private var allocated = 0
    private var closed = false
    private var digest: SHA256.Digest?
    private let buffers: Int

    init(buffers: Int = 4) {
        self.buffers = buffers
        let thread = Thread { [self] in hashQueuedBlocks() }
        thread.name = "casebridge-digest"
        thread.start()
    }

    deinit {
        for block in free { block.start.deallocate() }
    }

    /// Hands `bytes` to the digest: copied before it returns, so the caller may reuse its buffer.
    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        condition.lock()
        while free.isEmpty, allocated >= buffers { condition.wait() }
        var block: Block
        if let reused = free.popLast() {
            block = reused
        } else {
            allocated += 1
            block = Block(start: UnsafeMutableRawPointer.allocate(byteCount: PushParse.blockSize, alignment: 16),
                          capacity: PushParse.blockSize)
        }
        condition.unlock()
        if block.capacity < bytes.count {
            // Larger than a block of the parse: this buffer grows to it.
            block.start.deallocate()
            block = Block(start: UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 16), capacity: bytes.count)
        }
        block.start.copyMemory(from: source, byteCount: bytes.count)
        block.count = bytes.count
        condition.withLock {
            queued.append(block)
            condition.broadcast()
        }
    }

    /// The digest of every byte handed in, once they are all hashed.
    func finalize() -> SHA256.Digest {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
        while digest == nil { condition.wait() }
        return digest!
    }

    private func hashQueuedBlocks() {
        var hasher = SHA256()
        while true {
            condition.lock()
            while queued.isEmpty, !closed { condition.wait() }
            guard !queued.isEmpty else {
                digest = hasher.finalize()
                condition.broadcast()
                condition.unlock()
                return
            }
            let block = queued.removeFirst()
            condition.unlock()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(start: block.start, count: block.count))
            condition.withLock {
                free.append(block)
                condition.broadcast()
            }
        }
    }
}
