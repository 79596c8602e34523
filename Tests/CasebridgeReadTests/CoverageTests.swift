import CasebridgeMapping
import CasebridgeModel
@testable import CasebridgeRead
import Foundation
import TestSupport
import Testing

/// A mapping that reads nothing from a misspelt path says so, with the line to fix.
struct CoverageTests {
    static let mappingText = """
        format: coverage
        defaultNamespace: "urn:lce:2"
        root: CaseExport
        records:
          - kind: Person
            element: /CaseExport/People/Person
            fields:
              id: {path: "@id", required: true, key: true}
              birthDate: {path: BirthDate, type: iso-date}
          - kind: Visit
            element: /CaseExport/Visits/Visit
            fields:
              id: {path: "@id", required: true, key: true}
              person: "@person"
        """

    static let export = envelopeStart + """
        <People><Person id="C-1" kind="child"><BirthDate>2014-05-03</BirthDate></Person>
        <Person id="C-2" kind="child"><BirthDate>2015-05-03</BirthDate></Person></People>
        <Visits><Visit id="V-1" person="C-1"/></Visits>
        </CaseExport>
        """

    static func summary(_ mapping: String, _ xml: String = export) throws -> ReadSummary {
        let folder = try TemporaryFolder()
        let path = try folder.write(xml, to: "export.xml")
        return try ExportReader(mapping: MappingLoader.parse(mapping, file: "council.yaml")).read(path: path, into: CollectingSink())
    }

    @Test func `a mapping that reads everything it names has no warnings`() throws {
        let summary = try Self.summary(Self.mappingText)
        #expect(summary.coverage.warnings.isEmpty, "\(summary.coverage.warnings)")
        #expect(summary.coverage.recordsByKind == [.person: 2, .visit: 1])
        #expect(summary.coverage.fields.first { $0.name == "birthDate" }?.present == 2)
    }

    @Test func `a misspelt record path is a warning naming the mapping's line, and its kind read 0`() throws {
        let summary = try Self.summary(Self.mappingText.replacingOccurrences(of: "/CaseExport/Visits/Visit", with: "/CaseExport/Visits/Vist"))
        #expect(summary.coverage.warnings == [
            "council.yaml:10: /CaseExport/Visits/Vist matched no element, though /CaseExport/Visits occurs once: no Visit was read from it",
        ])
        #expect(summary.coverage.recordsByKind[.visit] == 0)
    }

    @Test func `a misspelt field element is a warning`() throws {
        let summary = try Self.summary(Self.mappingText.replacingOccurrences(of: "path: BirthDate", with: "path: BirthDat"))
        #expect(summary.coverage.warnings.count == 1)
        #expect(summary.coverage.warnings.first?.hasPrefix("council.yaml:9: /CaseExport/People/Person/BirthDat matched no element, though /CaseExport/People/Person occurs 2 times") == true)
    }

    @Test func `a required field empty in every record is a warning`() throws {
        let summary = try Self.summary(Self.mappingText.replacingOccurrences(of: "id: {path: \"@id\", required: true, key: true}\n      birthDate",
                                                                             with: "id: {path: \"@ref\", required: true, key: true}\n      birthDate"))
        #expect(summary.coverage.warnings == [
            "council.yaml:8: Person.id is required but was empty in all 2 Person records: does its path name the right place?",
        ])
    }

    @Test func `a path whose parent never occurs is no warning: the export simply has none`() throws {
        let summary = try Self.summary(Self.mappingText, Self.export.replacingOccurrences(of: "<Visits><Visit id=\"V-1\" person=\"C-1\"/></Visits>", with: ""))
        #expect(summary.coverage.warnings.isEmpty)
        #expect(summary.coverage.recordsByKind[.visit] == 0)
    }

    @Test func `an optional field empty everywhere is no warning`() throws {
        let summary = try Self.summary(Self.mappingText.replacingOccurrences(of: "person: \"@person\"", with: "person: \"@child\""))
        #expect(summary.coverage.warnings.isEmpty)
        #expect(summary.coverage.fields.first { $0.kind == .visit && $0.name == "person" }?.present == 0)
    }
}

struct CoverageAndTotalsTests {
    @Test func `declared records that a misspelt element reads none of blame the mapping, not the export`() throws {
        let mapping = CoverageTests.mappingText.replacingOccurrences(of: "/CaseExport/Visits/Visit", with: "/CaseExport/Visits/Vist") + """

            totals:
              element: /CaseExport/Totals/Total
              kind: "@kind"
              count: "@count"
            """
        let export = CoverageTests.export.replacingOccurrences(of: "</CaseExport>", with: """
            <Totals><Total kind="Person" count="2"/><Total kind="Visit" count="1"/></Totals></CaseExport>
            """)
        do {
            _ = try CoverageTests.summary(mapping, export)
            Issue.record("read")
        } catch let error as ReadError {
            #expect(error.reason.contains("the mapping's element /CaseExport/Visits/Vist (council.yaml:10) matched nothing"), "\(error.reason)")
            #expect(!error.reason.contains("cut short"))
        }
    }
}
