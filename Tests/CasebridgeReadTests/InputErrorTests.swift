import CasebridgeMapping
@testable import CasebridgeRead
import Foundation
import TestSupport
import Testing

/// Errors that say what is wrong with an export, on one line, without a byte of its content.
struct InputErrorTests {
    static func failure(_ data: Data, name: String = "export.xml") throws -> ReadError {
        let folder = try TemporaryFolder()
        let path = try folder.write(data, to: name)
        do {
            _ = try ExportReader(mapping: Reference.mapping).read(path: path, into: CollectingSink())
        } catch let error as ReadError {
            #expect(!error.reason.contains("\n"), "one line: \(error.reason)")
            return error
        }
        Issue.record("read without an error")
        return ReadError(file: "", line: 0, column: 0, reason: "")
    }

    static func failure(_ text: String) throws -> ReadError { try failure(Data(text.utf8)) }

    static let person = "\n<People><Person id=\"C-1\" kind=\"child\"><Forename>"

    @Test func `an unescaped ampersand is named, not called a file cut short`() throws {
        let error = try Self.failure(envelopeStart + Self.person + "Tom & Jerry</Forename></Person></People></CaseExport>\n")
        #expect(error.reason.hasPrefix("an & that is not escaped"), "\(error.reason)")
        #expect(!error.reason.contains("cut short"))
        #expect(error.line == 3)
    }

    @Test func `an ampersand that starts an unknown name is named without repeating it`() throws {
        let error = try Self.failure(envelopeStart + Self.person + "Tom &Jerry; Smith</Forename></Person></People></CaseExport>\n")
        #expect(error.reason.contains("a literal & must be written &amp;"), "\(error.reason)")
        #expect(!error.reason.contains("Jerry") && !error.reason.contains("Tom"))
    }

    @Test(arguments: ["1 < 2</Forename>", "x</Forename><Gender g=\"1 < 2\">2</Gender>"])
    func `an unescaped less-than sign is named`(text: String) throws {
        let error = try Self.failure(envelopeStart + Self.person + text + "</Person></People></CaseExport>\n")
        #expect(error.reason.contains("< ") || error.reason.contains("a <"), "\(error.reason)")
        #expect(error.reason.contains("&lt;"))
    }

    @Test func `an escaped ampersand reads`() throws {
        let records = try readRecords(envelopeStart + Self.person + "Tom &amp; Jerry</Forename></Person></People></CaseExport>\n")
        #expect(records.first?.value("forename") == "Tom & Jerry")
    }

    @Test func `Latin-1 bytes with no declared encoding are named, and no byte is printed`() throws {
        var data = Data((envelopeStart.replacingOccurrences(of: " encoding=\"UTF-8\"", with: "") + Self.person).utf8)
        data.append(contentsOf: Array("Zo".utf8) + [0xEB] + Array(" M".utf8) + [0xFC] + Array("ller".utf8))
        data.append(Data("</Forename></Person></People></CaseExport>\n".utf8))
        let error = try Self.failure(data)
        #expect(error.reason.contains("not UTF-8, and the export declares no encoding"), "\(error.reason)")
        #expect(!error.reason.contains("0x") && !error.reason.contains("Bytes"))
    }

    @Test func `Latin-1 bytes under a UTF-8 declaration say the declaration is wrong`() throws {
        var data = Data((envelopeStart + Self.person).utf8)
        data.append(contentsOf: Array("M".utf8) + [0xFC] + Array("ller".utf8))
        data.append(Data("</Forename></Person></People></CaseExport>\n".utf8))
        let error = try Self.failure(data)
        #expect(error.reason.contains("although the export declares UTF-8"), "\(error.reason)")
    }

    @Test(arguments: ["ISO-8859-1", "windows-1252"])
    func `an encoding other than UTF-8 or UTF-16 is refused, saying which`(encoding: String) throws {
        let error = try Self.failure(envelopeStart.replacingOccurrences(of: "UTF-8", with: encoding) + "</CaseExport>\n")
        #expect(error.reason.contains("declares encoding \(encoding)"), "\(error.reason)")
        #expect(error.reason.contains("iconv"))
    }

    @Test func `a UTF-16 export with a byte-order mark reads`() throws {
        let xml = envelopeStart.replacingOccurrences(of: "UTF-8", with: "UTF-16") + "\n<Teams><Team id=\"T-1\"><Name>Ost</Name></Team></Teams></CaseExport>\n"
        var data = Data([0xFF, 0xFE])
        data.append(xml.data(using: .utf16LittleEndian)!)
        let folder = try TemporaryFolder()
        let path = try folder.write(data, to: "export.xml")
        let sink = CollectingSink()
        _ = try ExportReader(mapping: Reference.mapping).read(path: path, into: sink)
        #expect(sink.records.first?.value("name") == "Ost")
    }

    @Test(arguments: [
        ("id,forename,surname\nC-1,Amira,Khan\nC-2,Noah,Smith\n", "CSV (comma-separated values)"),
        ("{\"people\": [{\"forename\": \"Amira\"}]}", "JSON"),
        ("<!DOCTYPE html><html><body>Sign in</body></html>", "an HTML page"),
        ("Amira Khan was seen at home", "text that does not start with an element"),
        ("   \n\t ", "only whitespace"),
    ])
    func `a file that is not XML says what it looks like`(text: String, words: String) throws {
        let error = try Self.failure(text)
        #expect(error.reason.contains(words), "\(error.reason)")
        #expect(!error.reason.contains("Amira") && !error.reason.contains("Khan"))
    }

    @Test(arguments: [
        (Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00]), "a ZIP archive"), (Data([0x1F, 0x8B, 0x08, 0x00]), "gzip-compressed"),
        (Data("%PDF-1.7\n".utf8), "a PDF document"), (Data([0x00, 0x01, 0x02, 0x41, 0x42]), "binary data"), (Data(), "empty"),
    ])
    func `a binary file or an empty one says what it is`(data: Data, words: String) throws {
        #expect(try Self.failure(data).reason.contains(words))
    }

    @Test func `a folder is refused, suggesting its export file`() throws {
        let folder = try TemporaryFolder()
        _ = try folder.write(envelopeStart + "</CaseExport>", to: "export.xml")
        do {
            _ = try ExportReader(mapping: Reference.mapping).read(path: folder.url.path, into: CollectingSink())
            Issue.record("a folder was read")
        } catch let error as ReadError {
            #expect(error.reason == "this is a folder: did you mean \(folder.url.path)/export.xml?")
        }
        let empty = try TemporaryFolder()
        #expect(throws: ReadError.self) { try ExportReader(mapping: Reference.mapping).read(path: empty.url.path, into: CollectingSink()) }
    }

    @Test func `a file cut short is still called cut short`() throws {
        let error = try Self.failure(envelopeStart + Self.person + "Amira")
        #expect(error.reason.hasPrefix("the file ends with 4 elements still open: it looks cut short"), "\(error.reason)")
    }
}
