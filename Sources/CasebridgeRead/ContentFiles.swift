import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Opens the files that `href` parts name, and nothing outside the export's folder.
///
/// An absolute path, a path that climbs out through `..`, or a link that leads outside is never
/// opened: it counts as unreadable, as the format's rules say.
public struct ContentFiles: Sendable {
    /// The export's folder, with links resolved.
    public let folder: String
    /// The folder and its subfolders, open, for the short way to a file (``FolderHandles``).
    private let handles: FolderHandles

    /// Content files beside the export at `exportPath`.
    public init(exportPath: String) {
        // Foundation's deletingLastPathComponent traps on some short names without a folder ("ab"): split by hand.
        let directory = exportPath.lastIndex(of: "/").map { String(exportPath[..<$0]) } ?? ""
        let resolved = directory.isEmpty ? (exportPath.hasPrefix("/") ? "/" : ".") : directory
        folder = Self.realPath(resolved) ?? resolved
        handles = FolderHandles(folder: folder)
    }

    /// The resolved path `href` names, or `nil` when it is absolute, leaves the folder, or does not exist.
    public func resolve(_ href: String) -> String? {
        guard !href.isEmpty, !Self.isAbsolute(href), !href.utf8.contains(0) else { return nil }
        guard let resolved = Self.realPath(folder + "/" + href) else { return nil }
        // Compared as bytes: String's hasPrefix holds canonically equivalent names equal ("é" and "e\u{301}"),
        // which are two different folders to the file system.
        guard resolved.utf8.starts(with: (folder.utf8.last == UInt8(ascii: "/") ? folder : folder + "/").utf8) else { return nil }
        return resolved
    }

    /// Why `href` cannot be read, in words that do not quote it (a file name may hold a child's name):
    /// "href is an absolute path, which is never opened".
    public func problem(with href: String) -> String {
        if Self.isAbsolute(href) { return "href is an absolute path, which is never opened" }
        if href.utf8.split(separator: UInt8(ascii: "/")).contains(where: { $0.elementsEqual("..".utf8) }) {
            return "href leads out of the export's folder through .., which is never opened"
        }
        var info = stat()
        guard lstat(folder + "/" + href, &info) == 0 else { return "href names no file in the export's folder" }
        guard resolve(href) != nil else { return "href names a link that leads nowhere or out of the export's folder, which is never opened" }
        return "href names something that is not a readable file"
    }

    /// Whether `href` starts at the root: judged by its first byte, as the kernel judges it.
    static func isAbsolute(_ href: String) -> Bool {
        href.utf8.first == UInt8(ascii: "/")
    }

    /// Reads the file `href` names, in blocks, handing each to `body`; `false` when it cannot be read.
    public func read(_ href: String, _ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        // The short way: opened relative to the folder, through no link; else the long way decides.
        if let fd = handles.open(href) { return Self.readOpened(fd, body) }
        guard let path = resolve(href) else { return false }
        return Self.readFile(path, body)
    }

    /// Reads the file at `path` (already checked), in blocks; `false` when it is not a readable regular file.
    ///
    /// Opened without blocking: a named pipe in the export's folder would otherwise wait for a writer
    /// forever before the check below could refuse it (found by the href fuzz target).
    static func readFile(_ path: String, _ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return false }
        return readOpened(fd, body)
    }

    /// Reads the open file `fd` (closing it), in blocks; `false` when it is not a readable regular file.
    static func readOpened(_ fd: Int32, _ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        // A block the file's size (most attachments are a few KB), at most 1 MiB.
        let size = min(1 << 20, max(4096, Int(info.st_size) + 1))
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = Glibc.read(fd, buffer, size)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            if n == 0 { return true }
            body(UnsafeRawBufferPointer(start: buffer, count: n))
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = Glibc.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// The export's folder and the subfolders its `href`s name, held open, so that a content file is opened
/// relative to its folder (`openat`) in one step rather than resolved from the root component by component.
///
/// Every step is opened with `O_NOFOLLOW`, so a file opened this way lies inside the folder through no link:
/// where the way holds a link, `.` or `..`, or fails in any way, ``open(_:)`` gives `nil` and
/// ``ContentFiles`` resolves the path the long way, which decides (and words) every refusal.
final class FolderHandles: @unchecked Sendable {
    private let lock = NSLock()
    // Guarded by `lock`:
    private let root: Int32
    private var subfolders: [String: Int32] = [:]
    /// Subfolders held open at most; others are opened and closed for each file.
    private static let limit = 64

    init(folder: String) {
        root = Glibc.open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    }

    deinit {
        if root >= 0 { close(root) }
        for fd in subfolders.values { close(fd) }
    }

    /// The file `href` names opened for reading (`O_NONBLOCK`, as ``ContentFiles/readFile(_:_:)``
    /// opens it), or `nil` when the short way does not reach it.
    ///
    /// The href is scanned as bytes, once: `String.split` walks grapheme clusters, and cost more than
    /// opening the file (about 12,000 instructions an href).
    func open(_ href: String) -> Int32? {
        guard root >= 0, !ContentFiles.isAbsolute(href) else { return nil }
        return href.withCString { path -> Int32? in
            let length = strlen(path)
            guard length > 0, length == href.utf8.count else { return nil }
            // Every step a plain name: not empty, not "." nor "..".
            var stepStart = 0
            var lastSlash = -1
            for index in 0...length where index == length || path[index] == Self.slash {
                let step = index - stepStart
                if step == 0 || (step <= 2 && (stepStart..<index).allSatisfy({ path[$0] == Self.dot })) { return nil }
                if index < length { lastSlash = index }
                stepStart = index + 1
            }
            let folder = lastSlash < 0 ? "" : String(decoding: UnsafeRawBufferPointer(start: path, count: lastSlash), as: UTF8.self)
            return lock.withLock {
                guard let (directory, owned) = subfolder(folder) else { return nil }
                defer { if owned { close(directory) } }
                let fd = openat(directory, path + (lastSlash + 1), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
                return fd >= 0 ? fd : nil
            }
        }
    }

    private static let slash = CChar(UInt8(ascii: "/"))
    private static let dot = CChar(UInt8(ascii: "."))

    /// The open subfolder `path` (relative, without links), and whether the caller must close it.
    private func subfolder(_ path: String) -> (Int32, owned: Bool)? {
        if path.isEmpty { return (root, false) }
        if let fd = subfolders[path] { return (fd, false) }
        var fd = root
        // Split at its slash bytes, as open(_:) checked it: a String.split keeps a slash joined to a
        // combining mark inside one step, and openat would then follow a link at the step before it.
        for step in path.utf8.split(separator: UInt8(ascii: "/")) {
            let next = openat(fd, String(Substring(step)), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if fd != root { close(fd) }
            guard next >= 0 else { return nil }
            fd = next
        }
        guard subfolders.count < Self.limit else { return (fd, true) }
        subfolders[path] = fd
        return (fd, false)
    }
}
