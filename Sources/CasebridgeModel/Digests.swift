import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension SHA256.Digest {
    /// 64 lowercase hex digits.
    public var hex: String {
        String(unsafeUninitializedCapacity: 64) { buffer in
            writeHex(to: buffer.baseAddress!)
            return 64
        }
    }

    /// Writes the 64 lowercase hex digits to `out`, which has room for them: for a caller that hands
    /// them on without a `String` (an SQL function's result).
    public func writeHex(to out: UnsafeMutablePointer<UInt8>) {
        withUnsafeBytes { bytes in
            for (index, byte) in bytes.enumerated() {
                out[2 * index] = Self.hexDigit(byte >> 4)
                out[2 * index + 1] = Self.hexDigit(byte & 0x0F)
            }
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") - 10 + value }
}

/// The SHA-256 of a whole file, read in blocks: what a run records of the export, the mapping and the
/// policy it used, so that the same name with other bytes is told apart.
public enum FileDigest {
    /// The lowercase hex SHA-256 of the file at `path`, or `nil` when it cannot be read.
    public static func sha256(path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var hasher = SHA256()
        let size = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer, size)
            if count < 0, errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(start: buffer, count: count))
        }
        return hasher.finalize().hex
    }
}

/// This Casebridge: its release and the build that runs, as each run records them.
public enum CasebridgeBuild {
    /// The release, as `casebridge --version` prints it.
    public static let version = "0.5.0"

    /// The SHA-256 of the running executable: two builds of one release judge and load differently
    /// only if this differs.
    public static let digest: String = {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return "unknown" }
        return FileDigest.sha256(path: path) ?? "unknown"
    }()

    /// Starts working out ``digest`` on a thread of its own (hashing the executable takes a few tens of
    /// milliseconds), so that a run which needs it once it has read its export finds it ready.
    public static func prepareDigest() {
        Thread.detachNewThread { _ = digest }
    }
}
