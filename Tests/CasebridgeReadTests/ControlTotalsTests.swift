import CasebridgeMapping
import CasebridgeModel
@testable import CasebridgeRead
import Foundation
import TestSupport
import Testing

/// Control totals: the counts an export declares for itself, held against the records read, so that an
/// export cut short (but with its tags closed) is never taken for a whole one.
struct ControlTotalsTests {
    /// Two people and one visit, then `totals` (a `<Totals>` element or nothing).
    static func export(totals: String) -> String {
        envelopeStart + """

            <People>
              <Person id="C-1" kind="child"><Gender>1</Gender></Person>
              <Person id="C-2" kind="adult"><Gender>2</Gender></Person>
            </People>
            <Visits><Visit id="V-1" person="C-1" date="2019-08-01" seenAlone="true"/></Visits>
            \(totals)
            </CaseExport>
            """
    }

    static func read(_ xml: String, mapping: Mapping = Reference.mapping) throws -> ReadSummary {
        let folder = try TemporaryFolder()
        let path = try folder.write(xml, to: "export.xml")
        return try ExportReader(mapping: mapping).read(path: path, into: CollectingSink())
    }

    static func failure(_ xml: String, mapping: Mapping = Reference.mapping) throws -> ReadError {
        do {
            _ = try read(xml, mapping: mapping)
        } catch let error as ReadError {
            return error
        }
        Issue.record("the read did not fail")
        return ReadError(file: "", line: 0, column: 0, reason: "")
    }

    @Test func `counts that match the records read are accepted and reported`() throws {
        let summary = try Self.read(Self.export(totals: """
            <Totals><Total kind="Person" count="2"/><Total kind="Visit" count="1"/><Total kind="Team" count="0"/></Totals>
            """))
        #expect(summary.declaredTotals == [.person: 2, .visit: 1, .team: 0])
    }

    @Test func `an export without totals is read as before, nothing checked`() throws {
        let summary = try Self.read(Self.export(totals: ""))
        #expect(summary.declaredTotals.isEmpty)
        #expect(summary.records[.person] == 2)
    }

    @Test func `an export holding fewer records than it declares is refused at its totals' line`() throws {
        let xml = Self.export(totals: "<Totals>\n<Total kind=\"Person\" count=\"3\"/>\n<Total kind=\"Visit\" count=\"1\"/></Totals>")
        let error = try Self.failure(xml)
        #expect(error.reason.hasPrefix("the export declares 3 Person records but 2 were read: it is incomplete"), "\(error.reason)")
        let line = xml.components(separatedBy: "\n").firstIndex { $0.contains("kind=\"Person\" count") }.map { $0 + 1 }
        #expect(error.line == line)
        #expect(error.exitStatus == .unreadable)
    }

    @Test func `every count that differs is named, more records than declared included`() throws {
        let error = try Self.failure(Self.export(totals: """
            <Totals><Total kind="Person" count="1"/><Total kind="Visit" count="4"/></Totals>
            """))
        #expect(error.reason.contains("1 Person records but 2 were read; 4 Visit records but 1 were read"), "\(error.reason)")
    }

    @Test(arguments: [
        ("<Total kind=\"Persons\" count=\"2\"/>", "a kind (a single word of 7 characters), which is not a record kind this mapping reads"),
        ("<Total count=\"2\"/>", "a kind it does not name"),
        ("<Total kind=\"Person\" count=\"two\"/>", "give a single word of 3 characters for Person: not a whole number"),
        ("<Total kind=\"Person\" count=\"-2\"/>", "give a number with a sign or a fraction for Person: not a whole number"),
        ("<Total kind=\"Person\"/>", "give no count for Person"),
        ("<Total kind=\"Person\" count=\"2\"/><Total kind=\"Person\" count=\"3\"/>", "two counts for Person: 2 and 3"),
    ])
    func `totals that cannot be held against the records are refused`(totals: String, words: String) throws {
        let error = try Self.failure(Self.export(totals: "<Totals>\(totals)</Totals>"))
        #expect(error.reason.contains(words), "\(error.reason)")
    }

    @Test func `a mapping can place each kind's count in the envelope instead`() throws {
        let mapping = try MappingLoader.parse("""
            format: counted
            defaultNamespace: "urn:lce:2"
            root: CaseExport
            envelope:
              exportId: "@exportId"
            totals:
              Person: "@people"
              Visit: "Trailer/@visits"
            records:
              - kind: Person
                element: /CaseExport/People/Person
                fields:
                  id: {path: "@id", key: true}
              - kind: Visit
                element: /CaseExport/Visits/Visit
                fields:
                  id: "@id"
            """, file: "counted.yaml")
        let whole = Self.export(totals: "<Trailer visits=\"1\"/>").replacingOccurrences(of: "kind=\"full\"", with: "kind=\"full\" people=\"2\"")
        #expect(try Self.read(whole, mapping: mapping).declaredTotals == [.person: 2, .visit: 1])
        let cut = whole.replacingOccurrences(of: "visits=\"1\"", with: "visits=\"9\"")
        #expect(try Self.failure(cut, mapping: mapping).reason.hasPrefix("the export declares 9 Visit records but 1 were read"))
    }

    @Test(arguments: [
        ("totals: {element: CaseExport/Totals/Total, kind: \"@kind\", count: \"@count\"}", "must be a path from the root"),
        ("totals: {element: /CaseExport/Totals/Total, kind: \"@kind\"}", "count"),
        ("totals: {Plan: \"@plans\"}", "'Plan' is not a record kind this mapping reads"),
        ("totals: {element: /CaseExport/People/Person, kind: \"@kind\", count: \"@count\"}", "already mapped as a record"),
    ])
    func `a totals mapping with a mistake is refused on its line`(totals: String, words: String) throws {
        let text = """
            format: counted
            defaultNamespace: "urn:lce:2"
            root: CaseExport
            records:
              - kind: Person
                element: /CaseExport/People/Person
                fields:
                  id: "@id"
            \(totals)
            """
        #expect {
            try MappingLoader.parse(text, file: "counted.yaml")
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.line == 9 && error.reason.contains(words)
        }
    }
}
