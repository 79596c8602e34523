@testable import CasebridgeRead
import Testing

struct ContentSpoolTests {
    private static func bytes(_ count: Int, seed: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ seed) }
    }

    /// A pack writes through its own buffer: what spans buffer flushes, or is read back while bytes are
    /// still in the buffer, comes back whole.
    @Test func `a pack gives back every part's bytes at its offset, across its write buffer`() {
        let pack = ContentPack()
        let sizes = [1, 4096, 1000, ContentSpool.fileBufferBytes - 3, 7, 2 * ContentSpool.fileBufferBytes + 5, 0, 333]
        var parts: [(offset: Int64, bytes: [UInt8])] = []
        for (index, size) in sizes.enumerated() {
            let part = Self.bytes(size, seed: index)
            parts.append((pack.count, part))
            part.withUnsafeBufferPointer { pack.append($0) }
        }
        #expect(!pack.writeFailed)
        #expect(pack.count == Int64(sizes.reduce(0, +)))
        for part in parts.reversed() {
            var read: [UInt8] = []
            #expect(pack.read(offset: part.offset, length: Int64(part.bytes.count)) { read += $0 })
            #expect(read == part.bytes)
        }
        #expect(!pack.read(offset: pack.count - 1, length: 2) { _ in })
        // Appending after a read goes on at the end.
        Self.bytes(10, seed: 99).withUnsafeBufferPointer { pack.append($0) }
        var tail: [UInt8] = []
        #expect(pack.read(offset: pack.count - 10, length: 10) { tail += $0 })
        #expect(tail == Self.bytes(10, seed: 99))
    }

    @Test func `a document's spool moves to a file past its memory limit and starts empty again after a reset`() {
        let spool = ContentSpool(memoryLimit: 100)
        let first = Self.bytes(60, seed: 1)
        let second = Self.bytes(5000, seed: 2)
        first.withUnsafeBufferPointer { spool.append($0) }
        second.withUnsafeBufferPointer { spool.append($0) }
        var read: [UInt8] = []
        #expect(spool.read(offset: 0, length: 5060) { read += $0 })
        #expect(read == first + second)
        spool.reset()
        #expect(spool.count == 0)
        first.withUnsafeBufferPointer { spool.append($0) }
        read = []
        #expect(spool.read(offset: 0, length: 60) { read += $0 })
        #expect(read == first)
    }
}
