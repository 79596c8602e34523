@testable import CasebridgeMapping
import CasebridgeModel
import Foundation
import Testing

let mappingsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("mappings")

/// A mapping with one mistake must fail on the mistake's line with a reason that names it.
struct MappingMistake: Sendable, CustomTestStringConvertible {
    let note: String
    let yaml: String
    let line: Int
    let mentions: String
    var testDescription: String { note }
}

let minimal = """
    format: test
    root: Export
    records:
      - kind: Person
        element: /Export/Person
        fields:
          id: {path: "@id", key: true}

    """

struct MappingLoaderTests {
    @Test func `the reference mapping loads and maps every record kind`() throws {
        let mapping = try MappingLoader.load(path: mappingsFolder.appendingPathComponent("legacy-case-export.yaml").path)
        #expect(Set(mapping.kinds) == Set(RecordKind.allCases))
        #expect(mapping.root == QualifiedName(namespace: "urn:lce:2", local: "CaseExport"))
        let document = try #require(mapping.records.first { $0.kind == .document })
        #expect(document.field("manifestParts")?.label == "Manifest@parts")
        #expect(document.field("eventDate")?.format == .ukDate)
        #expect(document.field("eventDate")?.label == "EventDate")
        let status = try #require(mapping.records.first { $0.kind == .status })
        #expect(status.field("code")?.label == "Status@code")
        #expect(status.field("person")?.location == .inherited(.person, "id"))
        let keys = Set(document.fields.filter(\.isKey).map(\.name))
        #expect(keys == ["id", "person", "type", "scope", "family", "origin"])
    }

    @Test func `prefixes resolve to namespace URIs`() throws {
        let mapping = try MappingLoader.parse("""
            format: test
            namespaces: {x: "urn:x"}
            root: x:Export
            records:
              - kind: Team
                element: /x:Export/x:Team
                fields:
                  id: "@id"
                  name: x:Name
            """, file: "t.yaml")
        #expect(mapping.records[0].path.map(\.namespace) == ["urn:x", "urn:x"])
        #expect(mapping.records[0].field("name")?.location == .elementText([QualifiedName(namespace: "urn:x", local: "Name")]))
    }

    @Test(arguments: [
        MappingMistake(note: "an unknown record kind", yaml: minimal.replacingOccurrences(of: "kind: Person", with: "kind: Child"),
                       line: 4, mentions: "'Child' is not a record kind"),
        MappingMistake(note: "an unknown field", yaml: minimal + "      nickname: Nick\n", line: 8, mentions: "'nickname' is not a field of Person"),
        MappingMistake(note: "a misspelt setting", yaml: minimal + "      kind: {path: \"@kind\", requird: true}\n", line: 8,
                       mentions: "'requird' is not a setting"),
        MappingMistake(note: "a date without its format", yaml: minimal + "      birthDate: Born\n", line: 8, mentions: "say its type"),
        MappingMistake(note: "a type that cannot feed the field", yaml: minimal + "      birthDate: {path: Born, type: integer}\n",
                       line: 8, mentions: "cannot feed it"),
        MappingMistake(note: "an unknown type", yaml: minimal + "      birthDate: {path: Born, type: dmy}\n", line: 8,
                       mentions: "'dmy' is not a type"),
        MappingMistake(note: "a path that climbs out of the record", yaml: minimal + "      forename: ../Name\n", line: 8,
                       mentions: "must stay inside the record"),
        MappingMistake(note: "an element path not from the root", yaml: minimal.replacingOccurrences(of: "/Export/Person", with: "Person"),
                       line: 5, mentions: "starting with /"),
        MappingMistake(note: "an undeclared prefix", yaml: minimal + "      forename: p:Name\n", line: 8, mentions: "prefix 'p'"),
        MappingMistake(note: "a condition naming a field the record does not map",
                       yaml: minimal + "      birthDate: {path: Born, type: iso-date, required: {when: kind, equals: child}}\n",
                       line: 8, mentions: "maps no field 'kind'"),
        MappingMistake(note: "inheriting from a record that does not enclose this one", yaml: minimal + """
              - kind: Status
                element: /Export/Status
                fields:
                  person: {inherit: Person.id}

            """, line: 11, mentions: "no Person record encloses Status"),
        MappingMistake(note: "broken YAML", yaml: minimal + "  - kind: [Team\n", line: 9, mentions: "not valid YAML"),
        MappingMistake(note: "a field with two sources", yaml: minimal + "      forename: {path: Name, value: x}\n", line: 8,
                       mentions: "exactly one of path, inherit, value or template"),
    ])
    func `a mistake names its line and reason`(_ mistake: MappingMistake) {
        do {
            _ = try MappingLoader.parse(mistake.yaml, file: "bad.yaml")
            Issue.record("\(mistake.note) was accepted")
        } catch let error as ConfigError {
            #expect(error.file == "bad.yaml")
            #expect(error.line == mistake.line, "\(error)")
            #expect(error.reason.contains(mistake.mentions), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func `a missing mapping file says so`() {
        #expect(throws: ConfigError.self) { try MappingLoader.load(path: "/nonexistent/mapping.yaml") }
    }
}
