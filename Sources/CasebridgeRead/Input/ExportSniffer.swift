import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What the first bytes of an export say before libxml2 sees them: that it is XML in UTF-8 or
/// UTF-16, or what else it is, in one line that never shows the file's bytes.
///
/// A folder is refused with its `export.xml` suggested; CSV, JSON, a ZIP or gzip archive, a PDF, an
/// HTML page and binary data are named; an XML declaration of another encoding (`ISO-8859-1`,
/// `windows-1252`) is refused with the command that converts it.
public enum ExportSniffer {
    /// What the head of a readable XML export declared.
    public struct Head: Sendable, Equatable {
        /// The encoding the XML declaration names (`UTF-8`), or `nil` when it names none.
        public var declaredEncoding: String?
        /// Whether the file starts with a byte-order mark.
        public var hasByteOrderMark: Bool
    }

    /// How many bytes of the head are looked at.
    public static let headSize = 4096

    /// Refuses `path` when it is a folder or not a regular file, suggesting the export inside a folder.
    public static func refuseFolder(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { return }  // opening it says why
        if (info.st_mode & S_IFMT) == S_IFDIR {
            let inside = (path as NSString).appendingPathComponent("export.xml")
            let suggestion = FileManager.default.fileExists(atPath: inside)
                ? ": did you mean \(inside)?" : ", not an export file (give the XML file inside it)"
            throw ReadError(file: path, line: 0, column: 0, reason: "this is a folder\(suggestion)")
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            throw ReadError(file: path, line: 0, column: 0, reason: "the export is not a regular file")
        }
    }

    /// Checks the first bytes of the export at `path` (`head`, up to ``headSize`` of them).
    public static func check(_ head: [UInt8], file path: String) throws -> Head {
        let fail = { (reason: String) in ReadError(file: path, line: 1, column: 1, reason: reason) }
        guard !head.isEmpty else { throw fail("the export is empty (0 bytes)") }
        if head.starts(with: [0x00, 0x00, 0xFE, 0xFF]) || head.starts(with: [0xFF, 0xFE, 0x00, 0x00]) {
            throw fail("the export is UTF-32, which is not read: ask for UTF-8 (or convert it: iconv -f UTF-32 -t UTF-8)")
        }
        if head.starts(with: [0xFE, 0xFF]) || head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0x00, 0x3C]) || head.starts(with: [0x3C, 0x00]) {
            return Head(declaredEncoding: nil, hasByteOrderMark: head[0] != 0x00 && head[0] != 0x3C)  // UTF-16: libxml2 reads it
        }
        let bom = head.starts(with: [0xEF, 0xBB, 0xBF])
        let text = Array(head.dropFirst(bom ? 3 : 0).drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D })
        guard let first = text.first else { throw fail("the export holds only whitespace") }
        guard first == 0x3C else { throw fail(notXML(text)) }
        if let html = htmlPage(text) { throw fail(html) }
        let declared = declaredEncoding(text)
        if let declared, !["utf-8", "utf8", "utf-16", "utf16"].contains(declared.lowercased()) {
            throw fail("the export declares encoding \(declared); Casebridge reads UTF-8 and UTF-16 only: ask for a UTF-8 export, "
                + "or convert it (iconv -f \(declared) -t UTF-8 export.xml > export-utf8.xml, then change the declaration)")
        }
        return Head(declaredEncoding: declared, hasByteOrderMark: bom)
    }

    /// What a file that does not start with `<` looks like.
    static func notXML(_ b: [UInt8]) -> String {
        let prefix = "the export is not XML: "
        if b.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return prefix + "it is a ZIP archive (a zipped export or a spreadsheet): unzip it and give the XML file" }
        if b.starts(with: [0x1F, 0x8B]) { return prefix + "it is gzip-compressed: decompress it first (gunzip)" }
        if b.starts(with: Array("%PDF".utf8)) { return prefix + "it is a PDF document" }
        let controls = b.filter { $0 < 0x09 || ($0 > 0x0D && $0 < 0x20) || $0 == 0x7F }.count
        if controls > 0 { return prefix + "it looks like binary data" }
        if b.first == 0x7B || b.first == 0x5B { return prefix + "it looks like JSON" }
        let lines = b.split(separator: 0x0A, maxSplits: 4, omittingEmptySubsequences: true).prefix(4)
        for separator: UInt8 in [0x2C, 0x3B, 0x09] {
            let counts = lines.map { $0.filter { $0 == separator }.count }
            if let first = counts.first, first > 0, counts.allSatisfy({ $0 == first }) {
                let name = separator == 0x2C ? "comma" : separator == 0x3B ? "semicolon" : "tab"
                return prefix + "it looks like CSV (\(name)-separated values); Casebridge reads XML exports"
            }
        }
        return prefix + "it is text that does not start with an element (<)"
    }

    /// An HTML page (a login page or an error page saved instead of the export).
    private static func htmlPage(_ b: [UInt8]) -> String? {
        let start = String(decoding: b.prefix(64), as: UTF8.self).lowercased()
        guard start.hasPrefix("<!doctype html") || start.hasPrefix("<html") else { return nil }
        return "the export is not XML: it is an HTML page (perhaps a login or error page saved in its place)"
    }

    /// The encoding an XML declaration names, if it starts the text and names one; an encoding name is
    /// letters, digits and `._:-` only, at most 40 of them (anything else is shown as such).
    static func declaredEncoding(_ b: [UInt8]) -> String? {
        guard b.starts(with: Array("<?xml".utf8)), let end = b.firstIndex(of: 0x3E) else { return nil }
        let declaration = String(decoding: b[..<end], as: UTF8.self)
        guard let range = declaration.range(of: "encoding") else { return nil }
        var rest = declaration[range.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\t" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        rest = rest.dropFirst()
        guard let close = rest.firstIndex(of: quote) else { return nil }
        let name = String(rest[..<close])
        let allowed = name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || [0x2E, 0x5F, 0x3A, 0x2D].contains($0) }
        return allowed && name.count <= 40 ? name : "(a name that is not an encoding)"
    }
}
