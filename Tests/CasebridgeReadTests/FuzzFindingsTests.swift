@testable import CasebridgeRead
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What the fuzz targets (Fuzz/, `scripts/fuzz`) found, each kept as a test of its own. A test here
/// that fails by never returning is the hang it was written for.
struct FuzzFindingsTests {
    /// fuzz-href, on its seed `attachments/fifo`: opening a named pipe for reading waited for a writer
    /// forever, before the regular-file check could refuse it.
    @Test func `an href naming a named pipe is unreadable, and reading it does not wait for a writer`() throws {
        let folder = try TemporaryFolder()
        let export = try folder.write(envelopeStart + "</CaseExport>\n", to: "export.xml")
        try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("attachments"), withIntermediateDirectories: true)
        #expect(mkfifo(folder.url.appendingPathComponent("attachments/fifo").path, 0o600) == 0)
        let files = ContentFiles(exportPath: export)
        #expect(files.resolve("attachments/fifo") != nil)
        #expect(!files.read("attachments/fifo") { _ in })
    }

    @Test func `a part whose href names a named pipe reads as unreadable`() throws {
        let folder = try TemporaryFolder()
        try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("attachments"), withIntermediateDirectories: true)
        #expect(mkfifo(folder.url.appendingPathComponent("attachments/fifo").path, 0o600) == 0)
        let records = try readRecords(envelopeStart + """
            <Documents><Document id="D-1" person="C-1" type="VISIT" scope="child">
            <Part seq="1" mime="text/plain" bytes="5" sha256="\(String(repeating: "0", count: 64))" href="attachments/fifo"/>
            </Document></Documents></CaseExport>
            """, folder: folder)
        let part = try #require(records.first { $0.kind == .part })
        #expect(part.content?.state == .unreadable)
    }

    /// The same wait, one step earlier: an export path that is a named pipe (a file dropped into a
    /// scheduled inbox, say).
    @Test func `an export that is a named pipe is refused without waiting for a writer`() throws {
        let folder = try TemporaryFolder()
        let path = folder.url.appendingPathComponent("export.xml").path
        #expect(mkfifo(path, 0o600) == 0)
        let error = try #require(throws: ReadError.self) { try ExportReader(mapping: Reference.mapping).read(path: path, into: CollectingSink()) }
        #expect(error.reason == "the export is not a regular file")
    }
}

/// What running the hostile seeds through `casebridge migrate` (HostileMigrateTests) found.
struct HostileSeedFindingsTests {
    /// libxml2 words bad UTF-8 on two lines ("Input is not proper UTF-8, indicate encoding !" then
    /// "Bytes: 0xFF 0xFE 0x41 0x3C"): the reason went to stderr as two lines. The bytes may be part of a
    /// child's name, so the reason says what is wrong in words and never repeats them (XMLErrorWords).
    @Test func `the reason for bad UTF-8 is one line that says so in words, without the bytes`() throws {
        var data = Data((envelopeStart + "\n<People><Person id=\"C-1\" kind=\"child\"><Forename>").utf8)
        data.append(contentsOf: [0xFF, 0xFE, 0x41])
        data.append(Data("</Forename></Person></People></CaseExport>".utf8))
        let folder = try TemporaryFolder()
        let path = try folder.write(data, to: "export.xml")
        let error = try #require(throws: ReadError.self) { try ExportReader(mapping: Reference.mapping).read(path: path, into: CollectingSink()) }
        #expect(!error.reason.contains("\n"), "\(error.reason)")
        #expect(error.reason.contains("not UTF-8") && !error.reason.contains("0xFF"), "\(error.reason)")
    }
}
