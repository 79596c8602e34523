import CasebridgeMapping
import CasebridgeModel
@testable import CasebridgeRead
import Foundation
import TestSupport
import Testing

/// A nested, name/value export that uses every way a mapping can place and recode a value.
let itemMapping = """
    format: items
    root: Export
    envelope:
      exportId: "@run"
      exportedAt: {path: "@created", type: timestamp, pattern: "dd-MMM-yyyy HH:mm:ss", zone: Europe/London}
    records:
      - kind: Person
        element: /Export/Individual
        fields:
          id: {template: "{@prefix}-{@number}", required: true, key: true}
          kind: {path: "@category", map: {C: child, U: unborn, A: adult}, codes: [child, unborn, adult]}
          gender: {path: Sex, match: ignore-case, map: {M: "1", F: "2", U: "0", X: "9"}, label: Gender}
          birthDate: {path: Born, type: date, pattern: dd.MM.yyyy, required: {when: kind, equals: child}}
      - kind: Status
        element: /Export/Individual/Episode
        fields:
          person: {inherit: Person.id}
          code: {path: "@code", codes: [CIN, CP, LAC]}
          from: {path: "@start", type: date, pattern: yyyy/MM/dd}
      - kind: Document
        element: /Export/Item
        where: {"@class": Document}
        fields:
          id: {path: "@ref", required: true, key: true}
          person: {path: "@child", required: true, key: true}
          scope: {path: "@shared", map: {household: family, individual: child}, required: true, key: true}
          family: {path: "@household", required: {when: scope, equals: family}, key: true}
          version: {path: "@issue", type: integer, min: 1}
          type: {path: "@kind", match: ignore-case-and-spacing, map: {"Strategy Discussion Minutes": STRAT, "Home visit": VISIT}}
          eventDate: {path: "Field[@name='EventDate']", type: date, pattern: dd-MMM-yyyy, label: EventDate}
          recordedAt: {path: "Field[@name='Recorded']", type: timestamp, pattern: "dd/MM/yyyy HH:mm", zone: Europe/London}
          uploadedAt: {path: "Field[@name='Uploaded']", type: timestamp}
      - kind: Visit
        element: /Export/Item
        where: {"@class": Visit}
        fields:
          id: "@ref"
          person: "@child"
          date: {path: "@on", type: iso-date}
          seenAlone: {path: "Answer[@question='Q17']/@value", type: boolean, map: {Y: "true", N: "false"}}
    """

func itemExport(_ body: String) -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <Export run="R-1" created="03-Sep-2019 00:10:00">
    \(body)
    </Export>
    """
}

struct MappedValueReadTests {
    static let mapping = try! MappingLoader.parse(itemMapping, file: "items.yaml")

    static func read(_ body: String) throws -> [ReadRecord] {
        try readRecords(itemExport(body), mapping: mapping)
    }

    @Test func `a split id, recoded codes and other date layouts read as canonical values`() throws {
        let records = try Self.read("""
            <Individual prefix="C" number="000123" category="C"><Sex>f</Sex><Born>03.05.2014</Born>
              <Episode code="CP" start="2019/06/01"/></Individual>
            """)
        let person = try #require(records.first { $0.kind == .person })
        #expect(person.value("id") == "C-000123")
        #expect(person.value("kind") == "child")
        #expect(person.value("gender") == "2")
        #expect(person.value("birthDate") == "2014-05-03")
        #expect(person.invalid.isEmpty)
        let status = try #require(records.first { $0.kind == .status })
        #expect(status.value("person") == "C-000123")
        #expect(status.value("from") == "2019-06-01")
    }

    @Test func `a template is absent when a place it names is absent`() throws {
        let records = try Self.read("<Individual prefix=\"C\" category=\"A\"><Sex>M</Sex></Individual>")
        let person = try #require(records.first)
        #expect(person.value("id") == nil)
        #expect(person.invalid.map(\.label) == ["id"])
        #expect(person.keyFailed)
    }

    @Test func `the kind of an element is chosen by its attribute`() throws {
        let records = try Self.read("""
            <Item class="Document" ref="D-1" child="C-1" shared="individual" kind="Home visit">
              <Field name="EventDate">14-Aug-2019</Field><Field name="Recorded">14/08/2019 17:40</Field>
              <Field name="Uploaded">2019-08-14T18:00:00+01:00</Field></Item>
            <Item class="Visit" ref="V-1" child="C-1" on="2019-08-20"><Answer question="Q16" value="N"/><Answer question="Q17" value="Y"/></Item>
            <Item class="Audit" ref="X-1"/>
            """)
        #expect(records.map(\.kind) == [.document, .visit])
        let document = records[0]
        #expect(document.value("eventDate") == "2019-08-14")
        #expect(document.value("recordedAt") == "2019-08-14T16:40:00Z")
        #expect(document.value("uploadedAt") == "2019-08-14T17:00:00Z")
        #expect(document.value("type") == "VISIT")
        #expect(document.value("scope") == "child")
        #expect(records[1].value("seenAlone") == "true")
        #expect(records[1].value("id") == "V-1")
    }

    @Test func `a condition is judged on the canonical value`() throws {
        let records = try Self.read("""
            <Item class="Document" ref="D-1" child="C-1" shared="household" kind="Strategy  discussion minutes"/>
            <Item class="Document" ref="D-2" child="C-1" shared="individual" kind="Home visit"/>
            """)
        #expect(records[0].value("type") == "STRAT")
        #expect(records[0].invalid.map(\.field) == ["family"], "a household document needs its family")
        #expect(records[1].invalid.isEmpty, "an individual document needs none")
    }

    @Test func `a value the map does not hold is invalid, quoted and, for a key, quarantines`() throws {
        let records = try Self.read("""
            <Item class="Document" ref="D-1" child="C-1" shared="\(String(repeating: "household", count: 6))" kind="Home visit"/>
            <Individual prefix="C" number="1" category="C"><Sex>Q</Sex><Born>03.05.2014</Born></Individual>
            """)
        let scope = try #require(records[0].invalid.first { $0.field == "scope" })
        #expect(scope.raw == String(String(repeating: "household", count: 6).prefix(39)) + "…")
        #expect(scope.reason == "is not one of the values the mapping recodes (household, individual)")
        #expect(records[0].keyFailed)
        let gender = try #require(records[1].invalid.first)
        #expect(gender.label == "Gender")
        #expect(gender.raw == "Q")
        #expect(!records[1].keyFailed)
    }

    @Test func `a value that is not a code is described, never quoted`() throws {
        let records = try Self.read("""
            <Item class="Document" ref="D-1" child="C-1" shared="individual" kind="Home visit" issue="0">
              <Field name="EventDate">when Lily-Mae Müller starts school</Field><Field name="Recorded">31/03/2019 01:30</Field></Item>
            """)
        let invalid = Dictionary(uniqueKeysWithValues: records[0].invalid.map { ($0.label, $0) })
        #expect(invalid["EventDate"]?.raw == nil)
        #expect(invalid["EventDate"]?.reason == "is free text of 34 characters, not a date (dd-MMM-yyyy)")
        #expect(invalid["issue"]?.reason == "is a whole number below the minimum 1")
        #expect(invalid["issue"]?.raw == nil)
        #expect(invalid["Field[@name='Recorded']"]?.reason.contains("skipped when the clocks go forward") == true)
        #expect(records[0].badValues.contains("0"), "the raw value is still staged for the target's _bad column")
    }

    @Test func `the envelope reads through the same rules`() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write(itemExport(""), to: "export.xml")
        let summary = try ExportReader(mapping: Self.mapping).read(path: path, into: CollectingSink())
        #expect(summary.envelope.values["exportedAt"] == "2019-09-02T23:10:00Z")
    }

    @Test func `an envelope value that fails is never quoted`() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write(itemExport("").replacingOccurrences(of: "03-Sep-2019 00:10:00", with: "Amira Khan"), to: "export.xml")
        let summary = try ExportReader(mapping: Self.mapping).read(path: path, into: CollectingSink())
        #expect(summary.envelope.invalid.count == 1)
        #expect(summary.envelope.invalid.allSatisfy { $0.raw == nil })
        #expect(summary.envelope.invalid.first?.reason.contains("Amira") == false)
    }
}
