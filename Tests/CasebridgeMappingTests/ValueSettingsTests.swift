@testable import CasebridgeMapping
import CasebridgeModel
import Testing

/// A Document record with the fields given, for the settings' tests.
func documentMapping(_ fields: String) -> String {
    """
    format: test
    root: Export
    records:
      - kind: Document
        element: /Export/Doc
        fields:
          id: {path: "@id", key: true}
    \(fields)
    """
}

/// Loads `yaml`, expecting a refusal on `line` mentioning `words`.
func expectRefusal(_ yaml: String, line: Int, _ words: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    do {
        _ = try MappingLoader.parse(yaml, file: "bad.yaml")
        Issue.record("accepted: \(yaml)", sourceLocation: sourceLocation)
    } catch let error as ConfigError {
        #expect(error.line == line, "\(error)", sourceLocation: sourceLocation)
        #expect(error.reason.contains(words), "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}

struct ValueSettingsTests {
    @Test func `map, match, pattern, zone, min and template load into the field's rule`() throws {
        let mapping = try MappingLoader.parse(documentMapping("""
                  scope: {path: "@shared", map: {household: family, individual: child}, codes: [family, child]}
                  type: {path: "@kind", match: ignore-case, map: {"Strategy Discussion Minutes": STRAT, "Home visit": VISIT}}
                  version: {path: "@issue", type: integer, min: 1}
                  eventDate: {path: When, type: date, pattern: dd-MMM-yyyy}
                  recordedAt: {path: Recorded, type: timestamp, pattern: "dd/MM/yyyy HH:mm[:ss]", zone: Europe/London}
                  uploadedAt: {path: Uploaded, type: timestamp}
                  origin: {template: "{@prefix}-{@number}"}
            """), file: "m.yaml")
        let document = try #require(mapping.records.first)
        let scope = try #require(document.field("scope"))
        #expect(scope.rule.recoding?.recode("household") == "family")
        #expect(scope.quotesRawValues)
        #expect(document.field("type")?.rule.recoding?.matching == .ignoreCase)
        #expect(document.field("version")?.rule.minimum == 1)
        #expect(document.field("eventDate")?.rule.pattern?.text == "dd-MMM-yyyy")
        #expect(document.field("recordedAt")?.rule.zone == .london)
        #expect(document.field("uploadedAt")?.format == .timestamp)
        #expect(document.field("origin")?.location == .template([.place(.attribute("prefix")), .literal("-"), .place(.attribute("number"))]))
        #expect(document.field("origin")?.label == "origin")
        #expect(document.field("version")?.quotesRawValues == false)
    }

    @Test func `the reference mapping refuses a version below 1`() throws {
        let mapping = try MappingLoader.load(path: mappingsFolder.appendingPathComponent("legacy-case-export.yaml").path)
        let version = try #require(mapping.records.first { $0.kind == .document }?.field("version"))
        #expect(version.rule.minimum == 1)
    }

    @Test func `a step may test an attribute, and a record may be chosen by one with where`() throws {
        let mapping = try MappingLoader.parse("""
            format: test
            root: Export
            records:
              - kind: Document
                element: /Export/Item
                where: {"@class": Document}
                fields:
                  id: "@ref"
                  eventDate: {path: "Field[@name='EventDate']", type: uk-date}
                  title: "Answer[@question=\\"Q17\\"]/@value"
              - kind: Plan
                element: /Export/Item[@class='Plan']
                fields:
                  id: "@ref"
            """, file: "m.yaml")
        #expect(mapping.records[0].path.last?.test == AttributeTest(attribute: "class", values: ["Document"]))
        #expect(mapping.records[1].path.last?.test == AttributeTest(attribute: "class", values: ["Plan"]))
        let eventDate = try #require(mapping.records[0].field("eventDate"))
        #expect(eventDate.location == .elementText([QualifiedName(namespace: "", local: "Field",
                                                                  test: AttributeTest(attribute: "name", values: ["EventDate"]))]))
        #expect(eventDate.label == "Field[@name='EventDate']")
        #expect(mapping.records[0].field("title")?.location == .elementAttribute(
            [QualifiedName(namespace: "", local: "Answer", test: AttributeTest(attribute: "question", values: ["Q17"]))], "value"))
    }

    @Test func `a condition judged on a recoded field names a canonical value`() throws {
        _ = try MappingLoader.parse(documentMapping("""
                  scope: {path: "@shared", map: {household: family, individual: child}}
                  family: {path: "@household", required: {when: scope, equals: family}}
            """), file: "m.yaml")
        expectRefusal(documentMapping("""
                  scope: {path: "@shared", map: {household: family, individual: child}}
                  family: {path: "@household", required: {when: scope, equals: household}}
            """), line: 9, "conditions are judged on canonical values: one of family, child")
    }

    @Test(arguments: [
        ("      version: {path: \"@v\", type: integer, map: {one: \"x\"}}", 8, "type integer cannot hold"),
        ("      scope: {path: \"@s\", codes: [family, child], map: {household: family, person: individual}}", 8, "not one of the field's codes"),
        ("      scope: {path: \"@s\", match: ignore-case, map: {Family: family, FAMILY: family}}", 8, "same value under match: ignore-case"),
        ("      scope: {path: \"@s\", match: loose, map: {a: b}}", 8, "'loose' is not a way to match"),
        ("      scope: {path: \"@s\", match: exact}", 8, "give a map too"),
        ("      scope: {path: \"@s\", map: {}}", 8, "map is empty"),
        ("      scope: {path: \"@s\", map: {\" a\": b}}", 8, "whitespace around it"),
        ("      scope: {value: family, map: {a: family}}", 8, "a fixed value needs no map"),
        ("      title: {path: \"@t\", min: 1}", 8, "min applies to type integer only"),
        ("      version: {path: \"@v\", type: integer, min: 5, max: 2}", 8, "max 2 is below min 5"),
        ("      eventDate: {path: When, type: date}", 8, "type date needs a pattern"),
        ("      eventDate: {path: When, type: uk-date, pattern: dd/MM/yyyy}", 8, "pattern applies to type date or timestamp"),
        ("      eventDate: {path: When, type: date, pattern: \"dd/MM/yyyy HH:mm\"}", 8, "holds a time: use type timestamp"),
        ("      recordedAt: {path: R, type: timestamp, pattern: dd/MM/yyyy}", 8, "holds no time"),
        ("      recordedAt: {path: R, type: timestamp, pattern: \"dd/MM/yyyy HH:mm\"}", 8, "zone: Europe/London or zone: UTC"),
        ("      recordedAt: {path: R, type: timestamp, pattern: \"dd/MM/yyyy HH:mmXXX\", zone: UTC}", 8, "leave out zone"),
        ("      recordedAt: {path: R, type: timestamp, pattern: \"dd/MM/yyyy HH:mm[XXX]\"}", 8, "its offset (XXX) is optional"),
        ("      recordedAt: {path: R, type: timestamp, zone: Europe/Paris}", 8, "'Europe/Paris' is not a zone"),
        ("      recordedAt: {path: R, type: utc-timestamp, zone: UTC}", 8, "zone applies to type timestamp only"),
        ("      eventDate: {path: When, type: date, pattern: dd/MM/yy}", 8, "yyyy"),
        ("      origin: {template: \"{@prefix}-{@number\"}", 8, "not closed"),
        ("      origin: {template: \"plain\"}", 8, "names no place"),
        ("      origin: {template: \"{../x}\"}", 8, "must stay inside the record"),
        ("      content: {path: \".\", type: base64, map: {a: b}}", 8, "holds content"),
        ("      title: \"Field[@name=EventDate]\"", 8, "not a step with an attribute test"),
    ])
    func `a misused value setting is refused on its line`(field: String, line: Int, words: String) {
        let yaml = field.contains("content:") ? documentMapping(field).replacingOccurrences(of: "kind: Document", with: "kind: Part")
            .replacingOccurrences(of: "id: {path: \"@id\", key: true}", with: "seq: {path: \"@seq\", type: integer}") : documentMapping(field)
        expectRefusal(yaml, line: line, words)
    }

    @Test(arguments: [
        ("element: /Export/Item\n    where: {\"@class\": Document}", "element: /Export/Item", "cannot stand beside the same step without one"),
        ("element: /Export/Item\n    where: {\"@class\": Document}", "element: /Export/Item[@kind='Plan']", "may test one attribute only"),
        ("element: /Export/Item\n    where: {\"@class\": [Document, Plan]}", "element: /Export/Item[@class='Plan']", "share a value"),
    ])
    func `steps that one element could match both are refused`(first: String, second: String, words: String) {
        let yaml = """
            format: test
            root: Export
            records:
              - kind: Document
                \(first)
                fields:
                  id: "@ref"
              - kind: Plan
                \(second)
                fields:
                  id: "@ref"
            """
        expectRefusal(yaml, line: 9, words)
    }

    @Test func `steps of one name testing one attribute for other values stand side by side`() throws {
        _ = try MappingLoader.parse("""
            format: test
            root: Export
            records:
              - kind: Document
                element: /Export/Item
                where: {"@class": [Document, Letter]}
                fields:
                  id: "@ref"
                  title: "Field[@name='Title']"
                  eventDate: {path: "Field[@name='EventDate']", type: iso-date}
              - kind: Plan
                element: /Export/Item[@class='Plan']
                fields:
                  id: "@ref"
            """, file: "m.yaml")
    }

    @Test func `where names one attribute of the record's element`() {
        expectRefusal("""
            format: test
            root: Export
            records:
              - kind: Document
                element: /Export/Item
                where: {class: Document}
                fields:
                  id: "@ref"
            """, line: 6, "where tests one attribute")
        expectRefusal("""
            format: test
            root: Export
            records:
              - kind: Document
                element: /Export/Item[@class='Document']
                where: {"@class": Document}
                fields:
                  id: "@ref"
            """, line: 6, "give the test once")
    }
}
