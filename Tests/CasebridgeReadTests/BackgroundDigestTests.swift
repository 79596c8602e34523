@testable import CasebridgeRead
import Crypto
import Testing

struct BackgroundDigestTests {
    /// Blocks of every size the parse hands over, and some it never does: empty, one byte, a whole block
    /// and more than one (the buffer grows to it), with fewer buffers than blocks so that it waits.
    @Test func `the digest is every byte handed in, in order, whatever the blocks`() {
        var blocks: [[UInt8]] = [[], [7]]
        blocks += (0..<9).map { index in (0..<(index * 1000 + 1)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) } }
        blocks.append(Array(repeating: 0xAB, count: PushParse.blockSize))
        blocks.append((0..<(PushParse.blockSize + 17)).map { UInt8(truncatingIfNeeded: $0) })
        blocks.append([1, 2, 3])
        let digest = BackgroundDigest(buffers: 2)
        for block in blocks { block.withUnsafeBytes { digest.update($0) } }
        #expect(digest.finalize() == SHA256.hash(data: blocks.flatMap { $0 }))
    }

    @Test func `a stream of nothing has the digest of no bytes`() {
        #expect(BackgroundDigest().finalize() == SHA256.hash(data: [UInt8]()))
    }

    /// The caller reuses its buffer as soon as `update` returns: the digest must not see the later bytes.
    @Test func `each block is copied before update returns`() {
        var buffer = [UInt8](repeating: 1, count: 4096)
        let digest = BackgroundDigest(buffers: 3)
        var expected: [UInt8] = []
        for round in 0..<20 {
            for index in buffer.indices { buffer[index] = UInt8(truncatingIfNeeded: round &+ index) }
            expected += buffer
            buffer.withUnsafeBytes { digest.update($0) }
        }
        #expect(digest.finalize() == SHA256.hash(data: expected))
    }
}
