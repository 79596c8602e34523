import CasebridgeMapping
import CasebridgeModel
@testable import CasebridgeRead
import Foundation
import TestSupport
import Testing

/// A survey describes an unknown export by counts and shapes, and shows values only for code lists.
struct SurveyTests {
    static func survey(_ xml: String) throws -> ExportSurvey {
        let folder = try TemporaryFolder()
        return try ExportSurvey.run(path: try folder.write(xml, to: "export.xml"), displayName: "export.xml")
    }

    /// `count` people: a code repeated often, a name, a birth date and an id each.
    static func people(_ count: Int, kinds: [String] = ["child", "adult"]) -> String {
        let names = ["Amira", "Noah", "Zoë", "Kacper", "Siobhán", "Tyler", "Oisín"]
        let rows = (0..<count).map { i in
            "<Person id=\"C-\(i)\" kind=\"\(kinds[i % kinds.count])\"><Forename>\(names[i % names.count])</Forename>"
                + "<BirthDate>\(2000 + i % 17)-0\(1 + i % 9)-1\(i % 10)</BirthDate><Note>\(names[i % names.count]) was seen at home</Note></Person>"
        }
        return envelopeStart + "<People>" + rows.joined(separator: "\n") + "</People></CaseExport>"
    }

    @Test func `the tree has every path once, with counts and how often an element repeats in its parent`() throws {
        let survey = try Self.survey(Self.people(30))
        let birthIndex = try #require(survey.paths.firstIndex { $0.name == "BirthDate" })
        #expect(survey.path(of: birthIndex) == "/CaseExport/People/Person/BirthDate")
        let person = try #require(survey.paths.first { $0.name == "Person" })
        #expect(person.occurrences == 30)
        #expect(person.mostInOneParent == 30)
        #expect(person.attributes.map(\.name) == ["id", "kind"])
        let birth = try #require(survey.paths.first { $0.name == "BirthDate" })
        #expect(birth.text.mainShape?.name == "ISO date (yyyy-MM-dd)")
        #expect(survey.namespaces == ["urn:lce:2"])
    }

    @Test func `a code list shows its values; names, birth dates, ids and free text never do`() throws {
        let text = try Self.survey(Self.people(40)).text()
        #expect(text.contains("@kind  40 values · 2 distinct · word · values: adult 20, child 20"), "\(text)")
        for name in ["Amira", "Noah", "Zoë", "Kacper", "Siobhán", "Tyler", "Oisín", "C-1 ", "seen at home"] {
            #expect(!text.contains(name), "\(name) printed")
        }
        #expect(text.range(of: #"\d{4}-\d{2}-\d{2}"#, options: .regularExpression) == nil, "a date printed")
    }

    @Test func `a column that repeats too little shows no values, even codes`() throws {
        let text = try Self.survey(Self.people(6)).text()
        #expect(text.contains("@kind  6 values · 2 distinct · word"))
        #expect(!text.contains("values: adult"))
    }

    @Test func `a rare value among codes is counted, never shown`() throws {
        let text = try Self.survey(Self.people(60, kinds: Array(repeating: "child", count: 29) + ["Lily-Mae"])).text()
        #expect(text.contains("values: child 58 (and 1 rarer value not shown)"), "\(text)")
        #expect(!text.contains("Lily-Mae"))
    }

    @Test func `distinct values are counted only up to the limit, so memory stays flat`() throws {
        let survey = try Self.survey(Self.people(ColumnStats.distinctLimit + 10))
        let person = try #require(survey.paths.first { $0.name == "Person" })
        #expect(person.attributes[0].stats.distinct == nil)
        #expect(person.attributes[0].stats.count == ColumnStats.distinctLimit + 10)
        var budget = 10
        var column = ColumnStats()
        for i in 0..<20 { column.add(shape: ValueShape.of("v\(i)"), value: "v\(i)", budget: &budget) }
        #expect(column.distinct == nil, "the survey's shared budget ran out")
    }

    @Test func `paths past the limit are counted, not kept`() throws {
        let elements = (0..<(SurveyTree.pathLimit + 5)).map { "<E\($0)/>" }.joined()
        let survey = try Self.survey("<Root>\(elements)</Root>")
        #expect(survey.paths.count == SurveyTree.pathLimit)
        #expect(survey.elementsBeyondLimit == 6)
        #expect(survey.text().contains("were counted but not described"))
    }

    @Test func `long text is shaped as it streams without being kept`() throws {
        let base64 = Data((0..<30_000).map { UInt8($0 % 251) }).base64EncodedString(options: .lineLength76Characters)
        let survey = try Self.survey("<Root><Part>\(base64)</Part><Part>\(base64)</Part></Root>")
        let part = try #require(survey.paths.first { $0.name == "Part" })
        #expect(part.text.mainShape?.kind == .base64)
        #expect(part.text.distinct == nil)
    }

    @Test func `a survey refuses what a read refuses`() throws {
        #expect(throws: ReadError.self) { try Self.survey("<!DOCTYPE R [<!ENTITY x \"y\">]><R>&x;</R>") }
        #expect(throws: ReadError.self) { try Self.survey("id,name\n1,Amira\n") }
        #expect(throws: ReadError.self) { try Self.survey("<R><A>Tom & Jerry</A></R>") }
    }

    @Test func `the JSON survey holds the same counts`() throws {
        let json = try Self.survey(Self.people(40)).json
        guard case let .array(paths)? = json["paths"] else {
            Issue.record("no paths")
            return
        }
        let person = try #require(paths.first { $0["path"]?.stringValue == "/CaseExport/People/Person" })
        #expect(person["occurrences"]?.intValue == 40)
        #expect(!json.serialised().contains("Amira"))
    }
}
