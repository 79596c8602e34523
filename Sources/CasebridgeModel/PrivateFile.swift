#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files that hold children's data: mode 0600 from the first byte, folders 0700.
public enum PrivateFile {
    /// An error writing a file, with the path and the system's reason.
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Replaces the file at `path` with `text`, readable and writable by its owner only.
    public static func write(_ text: String, to path: String) throws {
        var text = text
        try text.withUTF8 { try write(bytes: UnsafeRawBufferPointer($0), to: path) }
    }

    /// Replaces the file at `path` with `bytes`, readable and writable by its owner only.
    public static func write(bytes: UnsafeRawBufferPointer, to path: String) throws {
        let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        // An existing file keeps its old mode through O_CREAT: tighten it.
        fchmod(fd, 0o600)
        var offset = 0
        while offset < bytes.count {
            let n = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw WriteError(path: path, reason: String(cString: strerror(errno)))
            }
            offset += n
        }
    }

    /// Creates `path` and its missing parents with mode 0700.
    public static func makeFolder(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o700) != 0, errno != EEXIST {
                throw WriteError(path: current, reason: String(cString: strerror(errno)))
            }
        }
    }
}

@inline(__always)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}

/// Text written in pieces to a file (created 0600) or to standard output, through a buffer.
public final class TextOutput {
    private let fd: Int32
    private let owns: Bool
    private var buffer: [UInt8] = []
    private let path: String

    /// Writes to the file at `path` (replaced, mode 0600), or to standard output when `path` is `nil`.
    public init(path: String?) throws {
        if let path {
            let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw PrivateFile.WriteError(path: path, reason: String(cString: strerror(errno))) }
            fchmod(fd, 0o600)
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
        if failed { throw PrivateFile.WriteError(path: path, reason: "the output could not be written in full") }
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
                    throw PrivateFile.WriteError(path: path, reason: String(cString: strerror(errno)))
                }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
