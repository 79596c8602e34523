import CasebridgeCheck
@testable import CasebridgeGenerate
import CasebridgeModel
import Foundation
import TestSupport
import Testing

/// Findings are pasted into tickets and e-mails: a value is quoted only when it is a code (at most 40
/// characters); a date, a number or free text is described by its shape, whatever it holds.
struct ValuesInFindingsTests {
    /// Checks `sections` with the reference mapping; returns the findings as JSON and the warnings.
    static func check(_ sections: String, exportedAt: String = "2019-09-02T23:10:00Z") throws -> (json: String, text: String, warnings: [String]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-values-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("export.xml").path
        try Data(Fixture.export(Fixture.staff + sections, exportedAt: exportedAt).utf8).write(to: URL(fileURLWithPath: path))
        let result = try CheckRun(mapping: Reference.mapping, policy: Reference.policy).run(export: path, displayName: "export.xml")
        var text = ""
        result.document.write(as: .text) { text += $0 }
        return (result.document.json.serialised(), text, result.warnings)
    }

    @Test func `a document version of 0 is an invalid value, and 1 is not`() throws {
        let zero = try Self.check(Fixture.people(Fixture.person("C-1")) + Fixture.documents(Fixture.document("D-1", person: "C-1", version: "0")))
        #expect(zero.json.contains("\"field\":\"version\""))
        #expect(zero.json.contains("version is a whole number below the minimum 1"))
        let one = try Self.check(Fixture.people(Fixture.person("C-1")) + Fixture.documents(Fixture.document("D-1", person: "C-1", version: "1")))
        #expect(!one.json.contains("\"field\":\"version\""))
    }

    @Test func `the generator's names planted in dates, numbers and free text never reach findings`() throws {
        let forenames = Vocabulary.girls + Vocabulary.boys
        for (index, surname) in Vocabulary.surnames.enumerated() {
            let forename = forenames[index % forenames.count]
            let name = "\(forename) \(surname)"
            let person = Fixture.person("C-1", birthDate: forename, lastModified: "\(name) 2019")
            let document = Fixture.document("D-1", person: "C-1", version: surname, eventDate: "when \(name) was seen")
            let plan = Fixture.plan("PL-1", person: "C-1", reviewDue: forename,
                                    outcomes: [("O-1", "when \(name) starts school")])
            let visit = Fixture.visit("V-1", person: "C-1", date: surname, seenAlone: forename)
            let found = try Self.check(Fixture.people(person) + Fixture.documents(document) + Fixture.plans(plan) + Fixture.visits(visit))
            #expect(found.json.contains("invalid-value"))
            for output in [found.json, found.text] + found.warnings {
                #expect(!output.contains(forename), "\(forename) in \(output.prefix(200))")
                #expect(!output.contains(surname), "\(surname) in \(output.prefix(200))")
            }
        }
    }

    @Test func `the outcome of the issue reads as its shape`() throws {
        let plan = Fixture.plan("PL-1", person: "C-1", outcomes: [("O-1", "when Lily-Mae Müller starts school")])
        let found = try Self.check(Fixture.people(Fixture.person("C-1")) + Fixture.plans(plan))
        #expect(found.json.contains("Outcome PL-1/O-1: targetDate is free text of 34 characters, not an ISO date (yyyy-MM-dd)"))
    }

    @Test func `a code that fails is still quoted, cut at 40 characters`() throws {
        let long = String(repeating: "Y", count: 50)
        let found = try Self.check(Fixture.people(Fixture.person("C-1", gender: "7"), Fixture.person("C-2", gender: long)))
        #expect(found.json.contains("Person C-1: Gender '7' is not one of the codes 0, 1, 2, 9"))
        #expect(found.json.contains("Person C-2: Gender '\(String(repeating: "Y", count: 39))…' is not one of the codes"))
    }

    @Test func `an envelope value that fails is described on stderr, never quoted`() throws {
        let found = try Self.check(Fixture.people(Fixture.person("C-1")), exportedAt: "Amira Khan")
        #expect(found.warnings.contains { $0.contains("exportedAt") })
        #expect(!found.warnings.joined().contains("Amira"))
        #expect(!found.json.contains("Amira"))
    }
}
