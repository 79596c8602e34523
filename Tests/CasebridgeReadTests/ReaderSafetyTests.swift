@testable import CasebridgeRead
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Untrusted input: malformed files fail with a place and a reason; entities are refused before
/// anything is expanded or fetched.
struct ReaderSafetyTests {
    @Test func `a truncated file fails with its line and column`() throws {
        let error = try #require(try readError(envelopeStart + "\n<People>\n<Person id=\"C-1\" kind=\"child\">\n<Forename>Am"))
        #expect(error.line >= 3)
        #expect(error.file.hasSuffix("export.xml"))
        #expect(!error.reason.isEmpty && !error.reason.contains("\n"))
        #expect(error.reason.hasPrefix("the file ends with 4 elements still open: it looks cut short (libxml2: "), "\(error.reason)")
    }

    @Test func `a file cut inside base64 content says it looks cut short`() throws {
        let error = try #require(try readError(envelopeStart + "\n<Documents>\n<Document id=\"D-1\" person=\"C-1\" type=\"VISIT\" scope=\"child\">\n"
            + "<Part seq=\"1\" mime=\"text/plain\" bytes=\"3\" sha256=\"x\" encoding=\"base64\">QUJD"))
        #expect(error.reason.hasPrefix("the file ends with 4 elements still open: it looks cut short"), "\(error.reason)")
    }

    @Test func `a well-formed file whose root is closed is not called cut short, even with an error at the end`() throws {
        let error = try #require(try readError(envelopeStart + "\n</CaseExport>\n<Extra/>\n"))
        #expect(!error.reason.contains("cut short"), "\(error.reason)")
    }

    @Test func `a byte that is not UTF-8 fails`() throws {
        var data = Data((envelopeStart + "\n<People><Person id=\"C-1\" kind=\"child\"><Forename>").utf8)
        data.append(contentsOf: [0xFF, 0xFE, 0x41])
        data.append(Data("</Forename></Person></People></CaseExport>".utf8))
        let folder = try TemporaryFolder()
        let path = try folder.write(data, to: "export.xml")
        #expect(throws: ReadError.self) { try ExportReader(mapping: Reference.mapping).read(path: path, into: CollectingSink()) }
    }

    @Test func `an unclosed tag fails naming the line`() throws {
        let error = try #require(try readError(envelopeStart + "\n<People>\n<Person id=\"C-1\" kind=\"child\">\n</People>\n</CaseExport>\n"))
        #expect(error.line >= 3)
        #expect(error.reason.contains("mismatch") || error.reason.contains("Person"))
    }

    @Test func `an empty file fails`() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("", to: "export.xml")
        #expect(throws: ReadError.self) { try ExportReader(mapping: Reference.mapping).read(path: path, into: CollectingSink()) }
    }

    @Test func `a file with another root fails naming it`() throws {
        let error = try #require(try readError("<?xml version=\"1.0\"?><Message><Header/></Message>"))
        #expect(error.reason.contains("Message"))
    }

    @Test(arguments: ["file:///etc/passwd", "http://127.0.0.1:9/evil.dtd"])
    func `an external entity is refused and never fetched`(system: String) throws {
        let before = ExternalEntities.attempts.load(ordering: .relaxed)
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE CaseExport [<!ENTITY xxe SYSTEM "\(system)">]>
            <CaseExport xmlns="urn:lce:2" exportId="E" sequence="1" kind="full" exportedAt="2019-09-02T23:10:00Z">
            <Teams><Team id="&xxe;"><Name>&xxe;</Name></Team></Teams></CaseExport>
            """
        let error = try #require(try readError(xml))
        #expect(error.reason.contains("entity"))
        #expect(ExternalEntities.attempts.load(ordering: .relaxed) == before)
    }

    @Test func `an external DTD is not loaded`() throws {
        let before = ExternalEntities.attempts.load(ordering: .relaxed)
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE CaseExport SYSTEM "http://127.0.0.1:9/case.dtd">
            <CaseExport xmlns="urn:lce:2" exportId="E" sequence="1" kind="full" exportedAt="2019-09-02T23:10:00Z">
            <Teams><Team id="T-1"><Name>East</Name></Team></Teams></CaseExport>
            """
        let records = try readRecords(xml)
        #expect(records.count == 1)
        #expect(ExternalEntities.attempts.load(ordering: .relaxed) == before)
    }

    @Test func `a billion laughs is refused at its first declaration, in bounded memory`() throws {
        var declarations = "<!ENTITY lol \"lol\">\n"
        for level in 1...9 {
            let previous = level == 1 ? "lol" : "lol\(level - 1)"
            declarations += "<!ENTITY lol\(level) \"" + String(repeating: "&\(previous);", count: 10) + "\">\n"
        }
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE CaseExport [\n\(declarations)]>
            <CaseExport xmlns="urn:lce:2" exportId="E" sequence="1" kind="full" exportedAt="2019-09-02T23:10:00Z">
            <Teams><Team id="T-1"><Name>&lol9;</Name></Team></Teams></CaseExport>
            """
        let before = peakResidentKilobytes()
        let error = try #require(try readError(xml))
        #expect(error.reason.contains("entity 'lol'"))
        #expect(peakResidentKilobytes() - before < 50_000)
    }

    @Test func `a parameter entity is refused`() throws {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE CaseExport [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>
            <CaseExport xmlns="urn:lce:2"/>
            """
        let error = try #require(try readError(xml))
        #expect(error.reason.contains("entity"))
    }

    @Test func `predefined entities, character references and CDATA read as text`() throws {
        let xml = envelopeStart + """
            <Teams><Team id="T-1"><Name>Zo&#235; &amp; <![CDATA[Ó Súilleabháin <East>]]></Name></Team></Teams></CaseExport>
            """
        let team = try #require(try readRecords(xml).first)
        #expect(team.value("name") == "Zoë & Ó Súilleabháin <East>")
    }
}

private func peakResidentKilobytes() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return usage.ru_maxrss
}
