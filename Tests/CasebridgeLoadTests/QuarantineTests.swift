import CasebridgeCheck
import CasebridgeLoad
import CasebridgeStore
import Foundation
import TestSupport
import Testing

struct QuarantineTests {
    /// Two persons share an id; a document has a type outside the code list (a key field) and two
    /// parts; another document has two parts with the same seq; a status is listed twice.
    static let export = Fixture.export(Fixture.staff
        + Fixture.people(
            Fixture.person("C-1", statuses: #"<Status code="CP" from="2019-06-01"/><Status code="CP" from="2019-06-01"/>"#),
            Fixture.person("C-2"), Fixture.person("C-2", birthDate: "2015-01-01"))
        + Fixture.documents(
            Fixture.document("D-1", person: "C-1", type: "NOTATYPE", parts: [.inline("first"), .inline("second")]),
            Fixture.document("D-2", person: "C-1", parts: [.inline("one", seq: "1"), .inline("again", seq: "1"), .inline("two", seq: "2")]),
            Fixture.document("D-3", person: "C-1"))
        + Fixture.visits(Fixture.visit("V-1", person: "C-1")))

    @Test func `records that cannot load keep their raw XML, file, line and every reason`() throws {
        let folder = try TemporaryFolder()
        let exportPath = try folder.write(Self.export, to: "export.xml")
        let target = folder.path("target.db")
        let result = try migrate(exportPath, into: target)
        #expect(result.reconciliation.allSatisfy { $0.unaccounted == 0 })

        let database = try Database(path: target, readOnly: true, create: false)
        let rows = try database.rows("""
            SELECT q.kind, q.record_id, q.source_file, q.source_line, q.reasons, r.xml FROM casebridge_quarantine q
            LEFT JOIN casebridge_raw_xml r ON r.sha256 = q.raw_sha256 ORDER BY q.kind, q.source_line, q.reasons
            """)
        func quarantined(_ kind: String) -> [Row] { rows.filter { $0["kind"] == kind } }

        // Both persons called C-2, each with its own element's XML.
        let persons = quarantined("Person")
        #expect(persons.count == 2)
        #expect(persons.allSatisfy { $0["reasons"] == #"["id C-2 is shared by 2 Person records"]"# })
        #expect(Set(persons.compactMap { $0["xml"] }).count == 2)
        for person in persons {
            let xml = try #require(person["xml"])
            #expect(xml.hasPrefix(#"<Person id="C-2""#) && xml.hasSuffix("</Person>"))
            #expect(Self.export.contains(xml))
            #expect(person["source_file"] == "export.xml")
        }
        // The document with a bad type, and its parts and section with it.
        let document = try #require(quarantined("Document").first { $0["record_id"] == "D-1" })
        #expect(document["reasons"]?.contains("key field type") == true)
        #expect(document["xml"]?.hasPrefix(#"<Document id="D-1""#) == true)
        #expect(document["xml"]?.hasSuffix("</Document>") == true)
        let parts = quarantined("Part")
        #expect(parts.filter { $0["record_id"] == "D-1" }.count == 2)
        #expect(parts.filter { $0["record_id"] == "D-1" }.allSatisfy { $0["reasons"] == #"["its Document is quarantined"]"# })
        // Two parts with the same seq cannot both be part 1 of D-2; part 2 loads, and so does D-2.
        let shared = parts.filter { $0["record_id"] == "D-2" }
        #expect(shared.count == 2)
        #expect(shared.allSatisfy { $0["reasons"]?.contains(#"shares key [\"D-2\",1] of cb_document_part"#) == true })
        #expect(shared.allSatisfy { $0["xml"]?.hasPrefix("<Part seq=\"1\"") == true })
        #expect(try database.rows("SELECT seq FROM cb_document_part WHERE document_id = 'D-2'").compactMap { $0.int("seq") } == [2])
        #expect(try count(database, "SELECT count(*) FROM cb_document WHERE document_id IN ('D-2', 'D-3')") == 2)
        // The repeated status.
        let statuses = quarantined("Status")
        #expect(statuses.count == 2)
        #expect(statuses.allSatisfy { $0["reasons"]?.contains("of cb_person_status") == true })
        // Every quarantined record has its XML, and nothing else was held back.
        #expect(rows.allSatisfy { $0["xml"] != nil && ($0.int("source_line") ?? 0) > 0 })
        #expect(rows.count == result.reconciliation.reduce(0) { $0 + $1.quarantined })
        #expect(try count(database, "SELECT count(*) FROM ssd_person") == 1)
        #expect(try count(database, "SELECT count(*) FROM ssd_cp_visits") == 0)
        #expect(try count(database, "SELECT count(*) FROM ssd_cin_visits") == 1)
    }

    @Test func `a quarantined record whose start tag is longer than the first look back keeps its raw XML whole`() throws {
        let folder = try TemporaryFolder()
        // Two persons share an id; the start tag of each runs over 6,000 bytes (spaces between its attributes).
        func padded(_ person: String) -> String {
            let close = person.firstIndex(of: ">")!
            return String(person[..<close]) + String(repeating: " ", count: 6_000) + String(person[close...])
        }
        let export = Fixture.export(Fixture.staff + Fixture.people(padded(Fixture.person("C-9")), padded(Fixture.person("C-9", birthDate: "2015-01-01"))))
        let exportPath = try folder.write(export, to: "export.xml")
        let target = folder.path("target.db")
        _ = try migrate(exportPath, into: target)
        let database = try Database(path: target, readOnly: true, create: false)
        let xml = try database.rows("""
            SELECT r.xml FROM casebridge_quarantine q JOIN casebridge_raw_xml r ON r.sha256 = q.raw_sha256 WHERE q.kind = 'Person' ORDER BY q.source_line
            """).compactMap { $0["xml"] }
        #expect(xml.count == 2)
        #expect(xml.allSatisfy { $0.hasPrefix(#"<Person id="C-9""#) && $0.hasSuffix("</Person>") && export.contains($0) })
    }

    @Test func `a record with every reason against it lists them all`() throws {
        let folder = try TemporaryFolder()
        // D-1 is shared by two documents, and one of them also has a bad type: both reasons are kept.
        let exportPath = try folder.write(Fixture.export(Fixture.staff
            + Fixture.people(Fixture.person("C-1"))
            + Fixture.documents(Fixture.document("D-1", person: "C-1", type: "NOTATYPE"), Fixture.document("D-1", person: "C-1"))), to: "export.xml")
        let target = folder.path("target.db")
        _ = try migrate(exportPath, into: target)
        let database = try Database(path: target, readOnly: true, create: false)
        let reasons = try database.rows("SELECT reasons FROM casebridge_quarantine WHERE kind = 'Document' ORDER BY source_line").compactMap { $0["reasons"] }
        #expect(reasons.count == 2)
        #expect(reasons.contains { $0.contains("key field type") && $0.contains("is shared by 2 Document records") })
    }

    /// A target table whose columns must have values: a record lacking two of them has both reasons,
    /// one lacking one has that one, and a record with both loads.
    @Test func `a record lacking values the target requires is quarantined with a reason for each column it lacks`() throws {
        let folder = try TemporaryFolder()
        let exportPath = try folder.write(Fixture.export(Fixture.staff
            + Fixture.people(Fixture.person("C-1", birthDate: nil, gender: "5"), Fixture.person("C-2", birthDate: nil),
                             Fixture.person("C-3"))), to: "export.xml")
        var mapping = Reference.targetMapping
        let person = try #require(mapping.tables.firstIndex { $0.table == "ssd_person" })
        mapping.tables[person].requiredColumns += ["pers_dob", "pers_sex"]
        let result = try migrate(exportPath, into: folder.path("target.db"), mapping: mapping)
        #expect(result.reconciliation.allSatisfy { $0.unaccounted == 0 })

        let database = try Database(path: folder.path("target.db"), readOnly: true, create: false)
        var reasons: [String: [String]] = [:]
        for row in try database.rows("SELECT record_id, reasons FROM casebridge_quarantine WHERE kind = 'Person'") {
            let list = try JSONDecoder().decode([String].self, from: Data((row["reasons"] ?? "[]").utf8))
            reasons[row["record_id"] ?? "?"] = list.sorted()
        }
        #expect(reasons == [
            "C-1": ["has no value for pers_dob, which must have a value in ssd_person",
                    "has no value for pers_sex, which must have a value in ssd_person"],
            "C-2": ["has no value for pers_dob, which must have a value in ssd_person"],
        ])
        #expect(try database.rows("SELECT pers_person_id FROM ssd_person").compactMap { $0["pers_person_id"] } == ["C-3"])
    }
}
