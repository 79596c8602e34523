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

    /// Content files beside the export at `exportPath`.
    public init(exportPath: String) {
        // Foundation's deletingLastPathComponent traps on some short names without a folder ("ab"): split by hand.
        let directory = exportPath.lastIndex(of: "/").map { String(exportPath[..<$0]) } ?? ""
        let resolved = directory.isEmpty ? (exportPath.hasPrefix("/") ? "/" : ".") : directory
        folder = Self.realPath(resolved) ?? resolved
    }

    /// The resolved path `href` names, or `nil` when it is absolute, leaves the folder, or does not exist.
    public func resolve(_ href: String) -> String? {
        guard !href.isEmpty, !href.hasPrefix("/"), !href.contains("\0") else { return nil }
        guard let resolved = Self.realPath(folder + "/" + href) else { return nil }
        guard resolved.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/") else { return nil }
        return resolved
    }

    /// Why `href` cannot be read, in words that do not quote it (a file name may hold a child's name):
    /// "href is an absolute path, which is never opened".
    public func problem(with href: String) -> String {
        if href.hasPrefix("/") { return "href is an absolute path, which is never opened" }
        if href.split(separator: "/").contains("..") { return "href leads out of the export's folder through .., which is never opened" }
        var info = stat()
        guard lstat(folder + "/" + href, &info) == 0 else { return "href names no file in the export's folder" }
        guard resolve(href) != nil else { return "href names a link that leads nowhere or out of the export's folder, which is never opened" }
        return "href names something that is not a readable file"
    }

    /// Reads the file `href` names, in blocks, handing each to `body`; `false` when it cannot be read.
    public func read(_ href: String, _ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
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
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        let size = 1 << 20
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
