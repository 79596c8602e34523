@testable import CasebridgeRead
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The short way to a content file (opened relative to the export's folder) reads exactly what the long
/// way (the path resolved with its links, then checked to lie inside the folder) reads, and refuses what it refuses.
struct ContentFilesTests {
    /// What reading `href` gives: its bytes, or `nil` when refused.
    private func bytes(_ files: ContentFiles, _ href: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        return files.read(href) { bytes.append(contentsOf: $0) } ? bytes : nil
    }

    /// What the long way alone gives.
    private func longWay(_ files: ContentFiles, _ href: String) -> [UInt8]? {
        guard let path = files.resolve(href) else { return nil }
        var bytes: [UInt8] = []
        return ContentFiles.readFile(path, { bytes.append(contentsOf: $0) }) ? bytes : nil
    }

    @Test func `every href reads as the long way reads it`() throws {
        let root = try TemporaryFolder()
        let export = root.url.appendingPathComponent("export")
        let manager = FileManager.default
        try manager.createDirectory(at: export.appendingPathComponent("attachments/deeper"), withIntermediateDirectories: true)
        _ = try root.write("outside", to: "outside.bin")
        _ = try root.write("plain", to: "export/attachments/a.bin")
        _ = try root.write("deeper", to: "export/attachments/deeper/b.bin")
        _ = try root.write("top", to: "export/top.bin")
        _ = try root.write("", to: "export/attachments/empty.bin")
        try manager.createSymbolicLink(atPath: root.path("export/attachments/inside-link.bin"), withDestinationPath: "a.bin")
        try manager.createSymbolicLink(atPath: root.path("export/attachments/outside-link.bin"), withDestinationPath: "../../outside.bin")
        try manager.createSymbolicLink(atPath: root.path("export/linked"), withDestinationPath: "attachments")
        try manager.createSymbolicLink(atPath: root.path("export/away"), withDestinationPath: root.url.path)
        #expect(mkfifo(root.path("export/attachments/pipe"), 0o600) == 0)
        // A slash followed by a combining mark is one Character to Swift, but a separator to the kernel:
        // "../\u{301}" names a file in the folder above the export's.
        _ = try root.write("outside", to: "\u{301}")
        // The same in a folder's name: "away/\u{301}y" must be two steps, so that the link "away" is not followed.
        _ = try root.write("far", to: "\u{301}y/far.bin")
        let files = ContentFiles(exportPath: root.path("export/export.xml"))

        let hrefs = [
            "attachments/a.bin", "attachments/deeper/b.bin", "top.bin", "attachments/empty.bin", "attachments/inside-link.bin",
            "attachments/outside-link.bin", "linked/a.bin", "away/outside.bin", "attachments/./a.bin", "attachments//a.bin",
            "attachments/deeper/../a.bin", "../outside.bin", "/etc/hostname", "attachments/missing.bin", "attachments",
            "attachments/", "attachments/pipe", "", "attachments/a.bin/x", "../\u{301}", "/\u{301}", "attachments/.\u{301}/a.bin",
            "away/\u{301}y/far.bin",
        ]
        for href in hrefs {
            #expect(bytes(files, href) == longWay(files, href), "\(href)")
        }
        #expect(bytes(files, "attachments/deeper/b.bin") == Array("deeper".utf8))
        #expect(bytes(files, "attachments/inside-link.bin") == Array("plain".utf8))
        #expect(bytes(files, "attachments/outside-link.bin") == nil)
        #expect(bytes(files, "away/outside.bin") == nil)
        #expect(bytes(files, "../\u{301}") == nil)
        #expect(bytes(files, "away/\u{301}y/far.bin") == nil)
        // Read again, from the subfolders held open.
        #expect(bytes(files, "attachments/a.bin") == Array("plain".utf8))
    }

    @Test func `a link to a folder whose name is only canonically equal to the export's is refused`() throws {
        let root = try TemporaryFolder()
        // Two folders to the file system, one name to String's comparison: "café" precomposed and decomposed.
        try FileManager.default.createDirectory(at: root.url.appendingPathComponent("caf\u{e9}"), withIntermediateDirectories: true)
        _ = try root.write("secret", to: "cafe\u{301}/secret.bin")
        try FileManager.default.createSymbolicLink(atPath: root.path("caf\u{e9}/link.bin"), withDestinationPath: "../cafe\u{301}/secret.bin")
        let files = ContentFiles(exportPath: root.path("caf\u{e9}/export.xml"))
        #expect(files.resolve("link.bin") == nil)
        #expect(bytes(files, "link.bin") == nil)
    }
}
