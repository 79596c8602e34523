import CasebridgeMapping
import CasebridgeModel
@testable import CasebridgeRead
import Crypto
import Foundation
import TestSupport
import Testing

/// What records look like when read, whatever the line numbers: kind, id, values, failures, content.
func comparable(_ records: [ReadRecord]) -> [String] {
    records.map { record in
        let values = zip(record.kind.fields, zip(record.values, record.badValues)).map { field, pair in
            "\(field.name)=\(pair.0 ?? "-")|\(pair.1 ?? "-")"
        }
        let invalid = record.invalid.map { "\($0.label):\($0.reason)" }.sorted()
        let content = record.content.map { "\($0.state.rawValue):\($0.bytes ?? -1):\($0.sha256 ?? "-")" } ?? ""
        return "\(record.kind.rawValue) \(record.reportedId) \(values) \(invalid) \(content) \(record.partsSha256 ?? "")"
    }.sorted()
}

let sampleSections = """
    <Teams><Team id="T-1"><Name>East</Name></Team></Teams>
    <People>
    <Person id="C-1" kind="child"><Forename>Zoë</Forename><Surname>Ó Súilleabháin</Surname><BirthDate>2014-05-03</BirthDate><Gender>2</Gender><Ethnicity>WBRI</Ethnicity>
    <Status code="CP" from="2019-06-01"/><LastModified>2019-08-30T14:02:11Z</LastModified></Person>
    </People>
    <Families><Family id="F-1"><Name>Khan household</Name><Member person="C-1" role="child" from="2014-05-03"/></Family></Families>
    <Documents>
    <Document id="D-1" person="C-1" type="STRAT" scope="family" family="F-1" origin="EV-1"><Title>Strategy</Title>
    <EventDate>14/08/2019</EventDate><RecordedAt>2019-08-15T10:22:00Z</RecordedAt><UploadedAt>2019-08-15T16:40:00Z</UploadedAt>
    <Manifest parts="1" bytes="5" sha256="\(Fixture.sha("hello"))"/>
    <Part seq="1" mime="text/plain" bytes="5" sha256="\(Fixture.sha("hello"))" encoding="base64">aGVs
    bG8=</Part><Section name="Analysis"><![CDATA[a & b]]></Section></Document>
    </Documents>
    """

enum Fixture {
    static func sha(_ text: String) -> String { SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined() }
}

struct ReaderTests {
    @Test func `records keep their source line`() throws {
        let records = try readRecords(envelopeStart + "\n" + sampleSections + "\n</CaseExport>\n")
        let person = try #require(records.first { $0.kind == .person })
        #expect(person.line == 5)
        let status = try #require(records.first { $0.kind == .status })
        #expect(status.value("person") == "C-1")
        let document = try #require(records.first { $0.kind == .document })
        #expect(document.line == 10)
        #expect(document.partsSha256 == Fixture.sha("hello"))
        let part = try #require(records.first { $0.kind == .part })
        #expect(part.content?.state == .ok)
        #expect(part.content?.bytes == 5)
        #expect(document.value("eventDate") == "2019-08-14")
    }

    @Test func `a prefix, a default namespace, CRLF and a byte-order mark read the same`() throws {
        let plain = try comparable(readRecords(envelopeStart + sampleSections + "</CaseExport>"))
        let prefixedSections = sampleSections
            .replacingOccurrences(of: "<(?!!)(/?)([A-Z])", with: "<$1lce:$2", options: .regularExpression)
        let prefixed = """
            <?xml version="1.0" encoding="UTF-8"?>
            <lce:CaseExport xmlns:lce="urn:lce:2" exportId="EXP-1" sequence="1" kind="full" exportedAt="2019-09-02T23:10:00Z">
            \(prefixedSections)</lce:CaseExport>
            """
        #expect(try comparable(readRecords(prefixed)) == plain)
        let crlf = (envelopeStart + sampleSections + "</CaseExport>").replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try comparable(readRecords(crlf)) == plain)
        let folder = try TemporaryFolder()
        let path = try folder.write(Data([0xEF, 0xBB, 0xBF]) + Data((envelopeStart + sampleSections + "</CaseExport>").utf8), to: "export.xml")
        let sink = CollectingSink()
        _ = try ExportReader(mapping: Reference.mapping).read(path: path, into: sink)
        #expect(comparable(sink.records) == plain)
    }

    @Test func `an attribute is taken wherever it stands, and not from a prefixed attribute of the same name`() throws {
        // The reader finds an element's attributes by the address libxml2 keeps each name at, once it has
        // matched them by name: the order changes, one is missing, and x:code shares code's local name.
        let people = """
            <People><Person id="C-1" kind="child"><Forename>A</Forename><Surname>B</Surname><BirthDate>2014-05-03</BirthDate>
            <Status code="CP" from="2019-06-01"/>
            <Status from="2019-07-01" code="CIN"/>
            <Status xmlns:x="urn:x" x:code="LAC" from="2019-08-01"/>
            <Status from="2019-09-01" x:code="LAC" code="CP" xmlns:x="urn:x"/>
            <Status to="2019-10-01"/>
            <Status code="CIN" from="2019-11-01"/>
            </Person></People>
            """
        let statuses = try readRecords(envelopeStart + people + "</CaseExport>").filter { $0.kind == .status }
        #expect(statuses.map { $0.rawValue("code") } == ["CP", "CIN", nil, "CP", nil, "CIN"])
        #expect(statuses.map { $0.rawValue("from") } == ["2019-06-01", "2019-07-01", "2019-08-01", "2019-09-01", nil, "2019-11-01"])
        #expect(statuses.map { $0.rawValue("to") } == [nil, nil, nil, nil, "2019-10-01", nil])
    }

    @Test func `a record's id is whole unless a part of it is missing, whatever characters it holds`() throws {
        let sections = """
            <People><Person id="C?1" kind="child"><Forename>A</Forename><Surname>B</Surname><BirthDate>2014-05-03</BirthDate></Person>
            <Person id="C-2" kind="child"><Forename>A</Forename><Surname>B</Surname><BirthDate>2015-05-03</BirthDate></Person></People>
            <Families><Family id="F-1"><Name>N</Name><Member person="C?1" role="child" from="2014-05-03"/>
            <Member role="child" from="2015-05-03"/></Family></Families>
            """
        let records = try readRecords(envelopeStart + sections + "</CaseExport>")
        let people = records.filter { $0.kind == .person }, members = records.filter { $0.kind == .member }
        #expect(people.map(\.reportedId) == ["C?1", "C-2"])
        #expect(people.map(\.recordId) == ["C?1", "C-2"])
        #expect(members.map(\.reportedId) == ["F-1/C?1", "F-1/?"])
        #expect(members.map(\.recordId) == ["F-1/C?1", nil])
    }

    @Test func `another namespace is not the reference format`() throws {
        let other = envelopeStart.replacingOccurrences(of: "urn:lce:2", with: "urn:other") + sampleSections + "</CaseExport>"
        #expect(try readError(other) != nil)
    }

    @Test func `a nested export and its flat twin stage identical records`() throws {
        let nestedMapping = try MappingLoader.parse("""
            format: nested-households
            root: Export
            envelope:
              exportId: "@id"
              exportedAt: {path: "@at", type: utc-timestamp}
            records:
              - kind: Family
                element: /Export/Household
                fields:
                  id: {path: "@ref", required: true, key: true}
                  name: Name
              - kind: Person
                element: /Export/Household/Child
                fields:
                  id: {path: Id, required: true, key: true}
                  kind: {value: child}
                  forename: Forename
                  surname: Surname
                  birthDate: {path: Born, type: iso-date}
                  gender: {path: Sex, codes: ["0", "1", "2", "9"]}
                  ethnicity: Ethnicity
                  lastModified: {path: Changed, type: utc-timestamp}
              - kind: Status
                element: /Export/Household/Child/Status
                fields:
                  person: {inherit: Person.id}
                  code: {path: "@code", required: true, codes: [CIN, CP, LAC]}
                  from: {path: "@from", type: iso-date, required: true}
                  to: {path: "@to", type: iso-date}
              - kind: Member
                element: /Export/Household/Child
                fields:
                  family: {inherit: Family.id}
                  person: {path: Id, required: true, key: true}
                  role: {value: child}
                  from: {path: Joined, type: iso-date}
              - kind: Document
                element: /Export/Household/Child/Doc
                fields:
                  id: {path: "@id", required: true, key: true}
                  person: {inherit: Person.id}
                  type: "@type"
                  scope: {value: family}
                  family: {inherit: Family.id}
                  origin: "@event"
                  title: Title
                  eventDate: {path: "@on", type: iso-date}
                  recordedAt: {path: Recorded, type: utc-timestamp}
                  uploadedAt: {path: Uploaded, type: utc-timestamp}
                  manifestParts: {path: "@parts", type: integer}
                  manifestBytes: {path: "@bytes", type: integer}
                  manifestSha256: {path: "@sha256", type: sha256}
              - kind: Part
                element: /Export/Household/Child/Doc/Content
                fields:
                  document: {inherit: Document.id}
                  seq: {path: "@n", type: integer}
                  bytes: {path: "@size", type: integer}
                  sha256: {path: "@hash", type: sha256}
                  content: {path: ".", type: base64}
            """, file: "nested.yaml")
        let flatMapping = try MappingLoader.parse("""
            format: flat-twin
            root: Export
            envelope:
              exportId: "@id"
              exportedAt: {path: "@at", type: utc-timestamp}
            records:
              - kind: Family
                element: /Export/Households/Household
                fields:
                  id: {path: "@ref", required: true, key: true}
                  name: Name
              - kind: Person
                element: /Export/Children/Child
                fields:
                  id: {path: "@id", required: true, key: true}
                  kind: {value: child}
                  forename: Forename
                  surname: Surname
                  birthDate: {path: "@born", type: iso-date}
                  gender: {path: "@sex", codes: ["0", "1", "2", "9"]}
                  ethnicity: "@ethnicity"
                  lastModified: {path: "@changed", type: utc-timestamp}
              - kind: Status
                element: /Export/Children/Child/Status
                fields:
                  person: {inherit: Person.id}
                  code: {path: "@code", required: true, codes: [CIN, CP, LAC]}
                  from: {path: "@from", type: iso-date, required: true}
                  to: {path: "@to", type: iso-date}
              - kind: Member
                element: /Export/Households/Household/Member
                fields:
                  family: {inherit: Family.id}
                  person: {path: "@child", required: true, key: true}
                  role: {value: child}
                  from: {path: "@joined", type: iso-date}
              - kind: Document
                element: /Export/Docs/Doc
                fields:
                  id: {path: "@id", required: true, key: true}
                  person: "@child"
                  type: "@type"
                  scope: {value: family}
                  family: "@household"
                  origin: "@event"
                  title: Title
                  eventDate: {path: "@on", type: iso-date}
                  recordedAt: {path: "@recorded", type: utc-timestamp}
                  uploadedAt: {path: "@uploaded", type: utc-timestamp}
                  manifestParts: {path: "@parts", type: integer}
                  manifestBytes: {path: "@bytes", type: integer}
                  manifestSha256: {path: "@sha256", type: sha256}
              - kind: Part
                element: /Export/Docs/Doc/Content
                fields:
                  document: {inherit: Document.id}
                  seq: {path: "@n", type: integer}
                  bytes: {path: "@size", type: integer}
                  sha256: {path: "@hash", type: sha256}
                  content: {path: ".", type: base64}
            """, file: "flat.yaml")
        let hash = Fixture.sha("hello")
        let nested = """
            <Export id="X-1" at="2019-09-02T23:10:00Z">
              <Household ref="F-1"><Name>Khan household</Name>
                <Child><Id>C-1</Id><Forename>Amira</Forename><Surname>Khan</Surname><Born>2014-05-03</Born><Sex>2</Sex>
                  <Ethnicity>ABAN</Ethnicity><Changed>2019-08-30T14:02:11Z</Changed><Joined>2014-05-03</Joined>
                  <Status code="CP" from="2019-06-01"/>
                  <Doc id="D-1" type="STRAT" event="EV-1" on="2019-08-14" parts="1" bytes="5" sha256="\(hash)">
                    <Title>Strategy</Title><Recorded>2019-08-15T10:22:00Z</Recorded><Uploaded>2019-08-15T16:40:00Z</Uploaded>
                    <Content n="1" size="5" hash="\(hash)">aGVsbG8=</Content></Doc>
                </Child>
                <Child><Id>C-2</Id><Forename>Zoë</Forename><Surname>Khan</Surname><Born>2016-11-20</Born><Sex>1</Sex>
                  <Ethnicity>ABAN</Ethnicity><Changed>2019-08-30T14:02:11Z</Changed><Joined>2016-11-20</Joined></Child>
              </Household>
            </Export>
            """
        let flat = """
            <Export id="X-1" at="2019-09-02T23:10:00Z">
              <Children>
                <Child id="C-2" born="2016-11-20" sex="1" ethnicity="ABAN" changed="2019-08-30T14:02:11Z"><Forename>Zoë</Forename><Surname>Khan</Surname></Child>
                <Child id="C-1" born="2014-05-03" sex="2" ethnicity="ABAN" changed="2019-08-30T14:02:11Z"><Forename>Amira</Forename><Surname>Khan</Surname>
                  <Status code="CP" from="2019-06-01"/></Child>
              </Children>
              <Households><Household ref="F-1"><Name>Khan household</Name>
                <Member child="C-1" joined="2014-05-03"/><Member child="C-2" joined="2016-11-20"/></Household></Households>
              <Docs><Doc id="D-1" child="C-1" household="F-1" type="STRAT" event="EV-1" on="2019-08-14" recorded="2019-08-15T10:22:00Z"
                  uploaded="2019-08-15T16:40:00Z" parts="1" bytes="5" sha256="\(hash)"><Title>Strategy</Title>
                  <Content n="1" size="5" hash="\(hash)">aGVs bG8=</Content></Doc></Docs>
            </Export>
            """
        let fromNested = try comparable(readRecords(nested, mapping: nestedMapping))
        let fromFlat = try comparable(readRecords(flat, mapping: flatMapping))
        #expect(fromNested.count == 8)
        #expect(fromNested == fromFlat)
    }

    @Test func `an href through a link that leads outside is never read`() throws {
        let folder = try TemporaryFolder()
        let outside = try TemporaryFolder()
        let secret = try outside.write("hello", to: "secret.txt")
        try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("attachments"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder.url.appendingPathComponent("attachments/link.txt").path,
                                                   withDestinationPath: secret)
        _ = try folder.write("hello", to: "attachments/inside.txt")
        let hash = Fixture.sha("hello")
        let xml = envelopeStart + """
            <Documents><Document id="D-1" person="C-1" type="LETTER" scope="child">
            <Part seq="1" bytes="5" sha256="\(hash)" href="attachments/link.txt"/>
            <Part seq="2" bytes="5" sha256="\(hash)" href="attachments/inside.txt"/>
            <Part seq="3" bytes="5" sha256="\(hash)" href="attachments/../attachments/inside.txt"/>
            </Document></Documents></CaseExport>
            """
        let parts = try readRecords(xml, folder: folder).filter { $0.kind == .part }
        #expect(parts.map { $0.content?.state } == [.unreadable, .ok, .ok])
    }

    @Test func `a large inline part streams through the decoder and hash`() throws {
        // Over libxml2's 10 MB single-text-node limit, without XML_PARSE_HUGE.
        let size = 24 << 20
        var content = [UInt8](repeating: 0, count: size)
        for i in 0..<size { content[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 13) }
        let hash = SHA256.hash(data: content).map { String(format: "%02x", $0) }.joined()
        var xml = Data((envelopeStart + """
            <Documents><Document id="D-1" person="C-1" type="LETTER" scope="child">
            <Manifest parts="1" bytes="\(size)" sha256="\(hash)"/><Part seq="1" bytes="\(size)" sha256="\(hash)" encoding="base64">
            """).utf8)
        xml.append(Data(content).base64EncodedData(options: [.lineLength76Characters, .endLineWithLineFeed]))
        xml.append(Data("</Part></Document></Documents></CaseExport>".utf8))
        let folder = try TemporaryFolder()
        let path = try folder.write(xml, to: "export.xml")
        let sink = CollectingSink()
        _ = try ExportReader(mapping: Reference.mapping).read(path: path, into: sink)
        let part = try #require(sink.records.first { $0.kind == .part })
        #expect(part.content == PartContent(state: .ok, bytes: size, sha256: hash))
        #expect(sink.records.first { $0.kind == .document }?.partsSha256 == hash)
    }
}

struct Base64StreamDecoderTests {
    func decode(_ pieces: [String], blockSize: Int = 4) -> ([UInt8], Base64StreamDecoder.Failure?) {
        decode(pieces.map { Array($0.utf8) }, blockSize: blockSize)
    }

    func decode(_ pieces: [[UInt8]], blockSize: Int) -> ([UInt8], Base64StreamDecoder.Failure?) {
        let decoder = Base64StreamDecoder(blockSize: blockSize)
        var out: [UInt8] = []
        for piece in pieces {
            piece.withUnsafeBufferPointer { decoder.feed($0) { out.append(contentsOf: $0) } }
        }
        decoder.finish { out.append(contentsOf: $0) }
        return (out, decoder.failure)
    }

    @Test func `groups split across pieces decode`() {
        let (bytes, failure) = decode(["aG", "Vs\n", "bG8", "="])
        #expect(failure == nil)
        #expect(bytes == Array("hello".utf8))
    }

    @Test(arguments: ["aGVsbG8", "aGVsbG8==", "aGVs*bG8=", "aGVsbG8=aGVs", "a===", "=aGV"])
    func `malformed base64 fails`(text: String) {
        #expect(decode([text]).1 != nil)
    }

    /// Decodes `text` fed in pieces of the given sizes (cycled), with blocks of `blockSize`.
    func decode(_ text: [UInt8], pieces: [Int], blockSize: Int) -> ([UInt8], Base64StreamDecoder.Failure?) {
        var split: [[UInt8]] = []
        var start = 0
        while start < text.count {
            let end = min(text.count, start + pieces[split.count % pieces.count])
            split.append(Array(text[start..<end]))
            start = end
        }
        return decode(split, blockSize: blockSize)
    }

    @Test(arguments: [3, 4, 5, 64, 1 << 16])
    func `long content decodes whole in any pieces and blocks, wrapped or not`(blockSize: Int) {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 2, 3, 47, 48, 49, 1000, 4099] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            for options: Data.Base64EncodingOptions in [[], .lineLength76Characters, .lineLength64Characters] {
                let text = Array(Data(bytes).base64EncodedString(options: options).utf8)
                for pieces in [[text.count + 1], [1], [7, 1, 2, 13], [4096]] {
                    let (decoded, failure) = decode(text, pieces: pieces, blockSize: blockSize)
                    #expect(failure == nil && decoded == bytes, "length \(length), pieces \(pieces), block \(blockSize)")
                }
            }
        }
    }

    @Test(arguments: [0, 1, 2, 3, 4, 5, 6, 7, 40, 41, 42, 43, 398, 399])
    func `a character outside the alphabet anywhere in long content fails, whatever the block`(position: Int) {
        let text = Array(Data((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }).base64EncodedString().utf8)
        for bad in [UInt8(ascii: "*"), UInt8(ascii: "-"), 0x80, 0xFF, 0] {
            var broken = text
            broken[position] = bad
            for blockSize in [4, 1 << 16] {
                #expect(decode(broken, pieces: [broken.count], blockSize: blockSize).1 == .invalidCharacter(bad))
                #expect(decode(broken, pieces: [5, 3], blockSize: blockSize).1 == .invalidCharacter(bad))
            }
        }
    }

    @Test func `every length round-trips through Foundation's encoder`() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            let encoded = Data(bytes).base64EncodedString(options: .lineLength64Characters)
            let (decoded, failure) = decode([encoded])
            #expect(failure == nil)
            #expect(decoded == bytes)
        }
    }
}
