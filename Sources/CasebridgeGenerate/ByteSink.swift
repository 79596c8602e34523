#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Owner-only permissions: children's records (synthetic or not) are written readable by their owner alone.
enum OwnerOnly {
    static let file: mode_t = 0o600
    static let folder: mode_t = 0o700

    /// Creates `path` as an owner-only folder if it does not exist yet; an existing folder is left as it is.
    static func makeFolder(_ path: String) throws {
        if mkdir(path, folder) == 0 {
            // mkdir's mode is filtered by the umask; set it exactly.
            guard chmod(path, folder) == 0 else { throw GeneratorError.io(path: path, errno: errno) }
            return
        }
        let error = errno
        var info = stat()
        guard error == EEXIST, stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw GeneratorError.io(path: path, errno: error)
        }
    }

    /// Opens `path` for writing, created or truncated, mode 0600.
    static func create(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, file)
        guard fd >= 0 else { throw GeneratorError.io(path: path, errno: errno) }
        // An existing file keeps its old mode through O_TRUNC; and the umask filters a new one.
        guard fchmod(fd, file) == 0 else {
            let error = errno
            close(fd)
            throw GeneratorError.io(path: path, errno: error)
        }
        return fd
    }

    /// Writes all of `bytes` to `fd`.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let n = write(fd, base, remaining)
            if n < 0 {
                if errno == EINTR { continue }
                throw GeneratorError.io(path: path, errno: errno)
            }
            remaining -= n
            base += n
        }
    }

    /// Writes a whole small file, mode 0600.
    static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        let fd = try create(path)
        defer { close(fd) }
        try bytes.withUnsafeBytes { try writeAll(fd, $0, path: path) }
    }
}

/// A buffered, line-counting writer for the export file.
///
/// Everything goes through one buffer flushed in chunks of `chunkSize` bytes, so a gigabyte export
/// costs a few hundred `write` calls. The writer knows the line it is on, which is how findings
/// name the line a record's start tag was written on: text passed to ``text(_:)`` must not hold a
/// line break, ``endLine()`` writes one, and ``bytes(_:lineBreaks:)`` is told how many its bytes hold.
final class ByteSink {
    private let fd: Int32
    private let path: String
    private var buffer: [UInt8]
    private let chunkSize: Int
    private let newline: [UInt8]
    /// The 1-based line the next byte lands on.
    private(set) var line = 1
    /// Bytes already handed to the file; ``totalBytes`` adds the buffered ones.
    private var flushedBytes = 0
    private var closed = false

    init(path: String, newline: [UInt8], chunkSize: Int = 4 << 20) throws {
        self.fd = try OwnerOnly.create(path)
        self.path = path
        self.newline = newline
        self.chunkSize = chunkSize
        buffer = []
        buffer.reserveCapacity(chunkSize + (64 << 10))
    }

    deinit {
        if !closed { close(fd) }
    }

    /// Appends text that holds no line break.
    @inline(__always)
    func text(_ s: String) {
        buffer.append(contentsOf: s.utf8)
    }

    /// Appends raw bytes holding `lineBreaks` line breaks.
    func bytes(_ b: some Collection<UInt8>, lineBreaks: Int = 0) throws {
        buffer.append(contentsOf: b)
        line += lineBreaks
        try flushIfFull()
    }

    /// Ends the current line.
    func endLine() throws {
        buffer.append(contentsOf: newline)
        line += 1
        try flushIfFull()
    }

    /// Appends a whole line: `s` then a line break.
    /// Writes a record with lines of its own inside (a plan's outcomes and actions): its start line,
    /// the `marked` lines, whose line numbers it returns, the `other` lines, and its end line.
    func record(start: String, marked: [String], other: [String], end: String) throws -> [Int] {
        try self.line(start)
        var lines: [Int] = []
        for text in marked {
            lines.append(line)
            try self.line(text)
        }
        for text in other { try self.line(text) }
        try self.line(end)
        return lines
    }

    func line(_ s: String) throws {
        buffer.append(contentsOf: s.utf8)
        try endLine()
    }

    private func flushIfFull() throws {
        if buffer.count >= chunkSize { try flush() }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try OwnerOnly.writeAll(fd, $0, path: path) }
        flushedBytes += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// The total bytes in the file once flushed.
    var totalBytes: Int { flushedBytes + buffer.count }

    /// Flushes and closes the file.
    func finish() throws {
        try flush()
        closed = true
        guard close(fd) == 0 else { throw GeneratorError.io(path: path, errno: errno) }
    }
}
