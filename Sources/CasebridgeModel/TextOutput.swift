#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure writing an output file, with the path and the system's reason.
public struct OutputError: ExitStatusError {
    public var exitStatus: ExitStatus { .output }

    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}

@inline(__always)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}

/// Text written in pieces to a file or to standard output, through a buffer. Files hold children's
/// data: they are created with mode 0600, and an existing file is tightened to 0600.
public final class TextOutput {
    private let fd: Int32
    private let owns: Bool
    private var buffer: [UInt8] = []
    private let path: String

    /// Writes to the file at `path` (replaced, mode 0600), or to standard output when `path` is `nil`.
    /// A device or a pipe (`/dev/null`) is written as it is: its mode never changes.
    public init(path: String?) throws {
        if let path {
            let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
            var info = stat()
            if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { fchmod(fd, 0o600) }
            self.fd = fd
            self.path = path
            owns = true
        } else {
            fd = 1
            self.path = "standard output"
            owns = false
        }
        buffer.reserveCapacity(1 << 20)
    }

    deinit {
        if owns { close(fd) }
    }

    /// Appends `text`; errors are reported by ``finish()``.
    public func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { try? flush() }
    }

    /// Writes what is buffered; throws if any write failed (a full disk, a closed pipe).
    public func finish() throws {
        try flush()
        if failed { throw OutputError(path: path, reason: "the output could not be written in full") }
    }

    private var failed = false

    private func flush() throws {
        try buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failed = true
                    throw OutputError(path: path, reason: String(cString: strerror(errno)))
                }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
