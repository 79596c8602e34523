import CasebridgeMapping
import CasebridgeRead
import Foundation

/// One input read as a mapping file: `MappingLoader.parse` either refuses it with a ``ConfigError``
/// (file, line, reason) or returns a mapping, and a mapping it returns must read any export without
/// crashing: the target reads two small exports (the reference format and a nested one) with it.
public enum MappingTarget {
    /// Exports every loaded mapping is tried on, written once into the scratch folder.
    static let samples: [String] = {
        let scratch = Scratch.shared
        var paths: [String] = []
        for (name, text) in [("sample-reference.xml", Samples.reference), ("sample-nested.xml", Samples.nested)] {
            let path = scratch.folder + "/" + name
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) } catch { fatalError("\(path): \(error)") }
            paths.append(path)
        }
        return paths
    }()

    final class Discard: RecordSink {
        func accept(_ record: ReadRecord) throws {
            Scratch.shared.refuse(digest: record.content?.sha256, "part of \(record.reportedId)")
        }
    }

    public static func run(_ bytes: UnsafeRawBufferPointer) {
        let text = String(decoding: bytes, as: UTF8.self)
        let mapping: Mapping
        do {
            mapping = try MappingLoader.parse(text, file: "fuzz.yaml")
        } catch is ConfigError {
            return
        } catch {
            fatalError("the mapping was refused with \(type(of: error)), not a ConfigError: \(error)")
        }
        let reader = ExportReader(mapping: mapping)
        for sample in samples {
            do { _ = try reader.read(path: sample, into: Discard()) } catch is ReadError {} catch {
                fatalError("reading with a loaded mapping failed with \(type(of: error)): \(error)")
            }
            _ = try? reader.readEnvelope(path: sample)
        }
    }
}

/// Small exports that mappings are tried on.
enum Samples {
    static let reference = """
        <?xml version="1.0" encoding="UTF-8"?>
        <CaseExport xmlns="urn:lce:2" schemaVersion="2.4" exportId="EXP-1" sequence="1" kind="full" exportedAt="2019-09-02T23:10:00Z">
        <Teams><Team id="T-1"><Name>East</Name></Team></Teams>
        <Workers><Worker id="W-1" team="T-1"><Name>Sam Patel</Name><Role>Social Worker</Role></Worker></Workers>
        <People><Person id="C-1" kind="child"><Forename>Amira</Forename><Surname>Khan</Surname><BirthDate>2014-05-03</BirthDate>
        <Gender>2</Gender><Ethnicity>ABAN</Ethnicity><Allocation team="T-1" worker="W-1" from="2019-03-01"/>
        <Status code="CP" from="2019-06-01"/><LastModified>2019-08-30T14:02:11Z</LastModified></Person></People>
        <Families><Family id="F-1"><Name>Khan household</Name><Member person="C-1" role="child" from="2014-05-03"/></Family></Families>
        <Documents><Document id="D-1" person="C-1" type="STRAT" scope="family" family="F-1" origin="EV-1" version="1">
        <Title>Strategy</Title><EventDate>14/08/2019</EventDate><RecordedAt>2019-08-15T10:22:00Z</RecordedAt>
        <UploadedAt>2019-08-15T16:40:00Z</UploadedAt><Author worker="W-1"/>
        <Manifest parts="2" bytes="10" sha256="\(String(repeating: "0", count: 64))"/>
        <Part seq="1" mime="text/plain" bytes="5" sha256="\(String(repeating: "a", count: 64))" encoding="base64">aGVsbG8=</Part>
        <Part seq="2" mime="text/plain" bytes="5" sha256="\(String(repeating: "b", count: 64))" href="attachments/D-1-1.bin"/>
        <Section name="ChildsVoice">Safe at nan's.</Section></Document></Documents>
        <Plans><Plan id="PL-1" person="C-1" type="CP" start="2019-06-01"><Outcome id="O-1" targetDate="2019-10-01">School</Outcome>
        <Action id="A-1" owner="W-1" due="2019-06-15">Refer</Action></Plan></Plans>
        <Visits><Visit id="V-1" person="C-1" date="2019-08-20" seenAlone="true" worker="W-1"/></Visits>
        <Deletions><Deleted kind="Person" id="C-9"/></Deletions>
        <Totals><Total kind="Person" count="1"/></Totals>
        </CaseExport>
        """

    static let nested = """
        <Export id="X-1" seq="1" kind="full" at="2019-09-02T23:10:00Z">
          <Household ref="F-1"><Name>Khan household</Name>
            <Child><Id>C-1</Id><Forename>Amira</Forename><Surname>Khan</Surname><Born>2014-05-03</Born><Sex>2</Sex>
              <Ethnicity>ABAN</Ethnicity><Changed>2019-08-30T14:02:11Z</Changed><Joined>2014-05-03</Joined>
              <Status code="CP" from="2019-06-01"/>
              <Doc id="D-1" type="STRAT" event="EV-1" on="2019-08-14" parts="2" bytes="10">
                <Title>Strategy</Title><Recorded>2019-08-15T10:22:00Z</Recorded>
                <Content n="2" size="5" encoding="base64">aGVsbG8=</Content><Content n="1" file="attachments/D-1-1.bin"/>
                <Note name="ChildsVoice">Safe.</Note></Doc>
              <Plan id="PL-1" type="CP" start="2019-06-01"><Outcome id="O-1" by="2019-10-01">School</Outcome></Plan>
            </Child>
          </Household>
        </Export>
        """
}
