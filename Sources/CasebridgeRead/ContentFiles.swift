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
        let directory = (exportPath as NSString).deletingLastPathComponent
        folder = Self.realPath(directory.isEmpty ? "." : directory) ?? directory
    }

    /// The resolved path `href` names, or `nil` when it is absolute, leaves the folder, or does not exist.
    public func resolve(_ href: String) -> String? {
        guard !href.isEmpty, !href.hasPrefix("/"), !href.contains("\0") else { return nil }
        guard let resolved = Self.realPath(folder + "/" + href) else { return nil }
        guard resolved.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/") else { return nil }
        return resolved
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
