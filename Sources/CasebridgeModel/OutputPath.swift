#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A usage mistake found before any work started: exit 2 and one line saying what to do instead.
public struct UsageError: ExitStatusError, Sendable, Equatable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
    public var exitStatus: ExitStatus { .usage }
}

/// Vets a path a command is about to write, before it reads anything, so that a mistyped option never
/// costs data: it never overwrites an input (the export), a target or any file Casebridge did not write
/// itself, and a device or a pipe (`/dev/null`, `/dev/stdout`) is written as it is.
///
/// ```swift
/// try OutputPath.vet("findings.txt", option: "--output", inputs: ["export.xml"],
///                    specialFiles: .written, isOwn: FindingsDocument.isOwnOutput)
/// ```
public enum OutputPath {
    /// What to do with an existing device, pipe or socket.
    public enum SpecialFiles: Sendable {
        /// Write to it as it is (its mode and type never change).
        case written
        /// Refuse it: the option needs a regular file (an SQLite database, say).
        case refused
    }

    /// Throws a ``UsageError`` naming `option` unless `path` may be written: it does not exist yet and its
    /// folder does and is writable, or it is an empty regular file, or a regular file whose first bytes
    /// `isOwn` recognises as what this option writes, or (with `specialFiles: .written`) a device or pipe.
    /// A path that is one of `inputs` (the same file, through any name or link) is always refused.
    public static func vet(_ path: String, option: String, inputs: [String], specialFiles: SpecialFiles,
                           isOwn: ([UInt8]) -> Bool) throws(UsageError) {
        let refuse = { (reason: String) in UsageError("\(option) \(path): \(reason); nothing was read or written") }
        var info = stat()
        guard stat(path, &info) == 0 else {
            guard errno == ENOENT else { throw refuse("cannot be examined: \(String(cString: strerror(errno)))") }
            let folder = parentFolder(of: path)
            var folderInfo = stat()
            guard stat(folder, &folderInfo) == 0, (folderInfo.st_mode & S_IFMT) == S_IFDIR else {
                throw refuse("the folder \(folder) does not exist")
            }
            guard access(folder, W_OK) == 0 else { throw refuse("the folder \(folder) cannot be written") }
            return
        }
        for input in inputs {
            var inputInfo = stat()
            if stat(input, &inputInfo) == 0, inputInfo.st_dev == info.st_dev, inputInfo.st_ino == info.st_ino {
                throw refuse("is the export \(input) itself")
            }
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            throw refuse("is a folder; name a file")
        case S_IFREG:
            guard info.st_size > 0 else { return }
            let prefix = firstBytes(of: path)
            guard isOwn(prefix) else {
                throw refuse("exists and is \(describe(prefix)), not a file this option writes; name a new file, or remove that one if it is not needed")
            }
        default:
            if specialFiles == .refused { throw refuse("is not a regular file") }
        }
    }

    /// The folder `path` would be created in.
    static func parentFolder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    /// The first bytes of the file at `path` (up to 4 KiB).
    static func firstBytes(of path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = read(fd, &bytes, bytes.count)
        return count > 0 ? Array(bytes[..<count]) : []
    }

    /// What a file's first bytes make it look like, never quoting them (they may be personal data).
    static func describe(_ prefix: [UInt8]) -> String {
        var text = prefix
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text.removeFirst(3) }
        while let first = text.first, first == 0x20 || first == 0x09 || first == 0x0A || first == 0x0D { text.removeFirst() }
        if prefix.starts(with: Array("SQLite format 3\u{0}".utf8)) { return "an SQLite database" }
        if text.first == UInt8(ascii: "<") { return "an XML or HTML file" }
        if text.first == UInt8(ascii: "{") || text.first == UInt8(ascii: "[") { return "a JSON file" }
        if prefix.contains(0) { return "a binary file" }
        return "a text file"
    }
}
