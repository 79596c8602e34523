import CasebridgeRead
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One input read as an `href` of a part, resolved against the scratch export's folder (directly and
/// through a linked folder). Whatever the href, the resolver must never name, nor the reader hand
/// over, anything outside the folder: an absolute href resolves to nothing; a resolved path lies
/// inside the folder, with no link left in it; what is read is never the sentinel's content.
public enum HrefTarget {
    static let views = [ContentFiles(exportPath: Scratch.shared.exportPath), ContentFiles(exportPath: Scratch.shared.linkedExportPath)]

    public static func run(_ bytes: UnsafeRawBufferPointer) {
        let href = String(decoding: bytes, as: UTF8.self)
        let scratch = Scratch.shared
        for files in views {
            precondition(files.folder == realFolder, "the folder was not resolved: \(files.folder)")
            if let resolved = files.resolve(href) {
                precondition(!href.hasPrefix("/"), "an absolute href resolved: \(href)")
                precondition(resolved.hasPrefix(files.folder + "/"), "href \(href) resolved outside the folder: \(resolved)")
                precondition(realPath(resolved) == resolved, "href \(href) resolved to a path with a link in it: \(resolved)")
                precondition(resolved != scratch.sentinelPath)
            }
            var content: [UInt8] = []
            let read = files.read(href) { block in
                if content.count < 1 << 16 { content.append(contentsOf: block.prefix(1 << 16)) }
            }
            if read { precondition(content != scratch.sentinelContent, "href \(href) read the sentinel outside the folder") }
        }
    }

    static let realFolder = realPath(Scratch.shared.folder) ?? Scratch.shared.folder

    static func realPath(_ path: String) -> String? {
        guard let resolved = Glibc.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
