import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Holds one document's decoded inline content, so that parts written out of `seq` order can be
/// hashed again in order. Memory up to a limit, then an unlinked temporary file.
final class ContentSpool {
    private let memoryLimit: Int
    private var memory: [UInt8] = []
    private var file: UnsafeMutablePointer<FILE>?
    /// The temporary file's write buffer (glibc gives a file its own 4 KiB one unless handed one).
    private var fileBuffer: UnsafeMutablePointer<CChar>?
    private(set) var count = 0
    /// Set when a write to the temporary file failed (a full disk): what was read back would be short.
    private(set) var writeFailed = false

    /// The size of the temporary file's write buffer.
    static let fileBufferBytes = 1 << 20

    init(memoryLimit: Int = 16 << 20) {
        self.memoryLimit = memoryLimit
    }

    deinit {
        closeFile()
    }

    /// Empties the spool for the next document.
    func reset() {
        memory.removeAll(keepingCapacity: memory.capacity <= memoryLimit)
        closeFile()
        count = 0
    }

    private func closeFile() {
        if let file { fclose(file) }
        file = nil
        fileBuffer?.deallocate()
        fileBuffer = nil
    }

    /// Appends decoded bytes.
    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        count += bytes.count
        if let file {
            if fwrite(bytes.baseAddress, 1, bytes.count, file) != bytes.count { writeFailed = true }
            return
        }
        if memory.count + bytes.count <= memoryLimit {
            memory.append(contentsOf: bytes)
            return
        }
        // Spill: what was in memory goes to a temporary file (tmpfile is unlinked at creation), written
        // through a buffer of its own: stdio's default of 4 KiB made a run's pack one write call per page.
        guard let spill = tmpfile() else {
            memory.append(contentsOf: bytes)
            return
        }
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Self.fileBufferBytes)
        setvbuf(spill, buffer, _IOFBF, Self.fileBufferBytes)
        fileBuffer = buffer
        let kept = memory.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, spill) }
        if kept != memory.count || fwrite(bytes.baseAddress, 1, bytes.count, spill) != bytes.count { writeFailed = true }
        memory = []
        file = spill
    }

    /// Hands the bytes at `offset ..< offset + length` to `body` in blocks.
    func read(offset: Int, length: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        guard offset >= 0, length >= 0, offset + length <= count else { return false }
        guard let file else {
            memory.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + length)])) }
            return true
        }
        fflush(file)
        guard fseeko(file, off_t(offset), SEEK_SET) == 0 else { return false }
        let blockSize = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16)
        defer { buffer.deallocate() }
        var remaining = length
        while remaining > 0 {
            let n = fread(buffer, 1, min(blockSize, remaining), file)
            guard n > 0 else { return false }
            body(UnsafeRawBufferPointer(start: buffer, count: n))
            remaining -= n
        }
        fseeko(file, 0, SEEK_END)
        return true
    }
}

/// Every part's decoded inline content of one read, in one unlinked temporary file, so that a load
/// can store it after the read without decoding the export again.
///
/// Written by the reading thread only; read after the read has finished.
public final class ContentPack: @unchecked Sendable {
    private let spool = ContentSpool(memoryLimit: 0)

    public init() {}

    /// Whether writing the temporary file failed (a full disk): the pack cannot be trusted.
    public var writeFailed: Bool { spool.writeFailed }

    /// Bytes kept so far: the offset the next part's content will start at.
    public var count: Int64 { Int64(spool.count) }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        spool.append(bytes)
    }

    /// Hands the bytes at `offset ..< offset + length` to `body` in blocks of up to 1 MiB;
    /// `false` when the pack does not hold them.
    public func read(offset: Int64, length: Int64, _ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        spool.read(offset: Int(offset), length: Int(length), body)
    }
}
