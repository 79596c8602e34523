import CasebridgeMapping
import CasebridgeModel
@testable import CasebridgeRead
import Foundation
import TestSupport
import Testing

/// The public children-in-need census samples in ../shared/reference, each read as an unknown export.
let cinSamples: [String] = {
    let folder = URL(fileURLWithPath: cinSample).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    let files = ["csc-validator-be-cin/fake_data/CIN2rows.xml", "csc-validator-be-cin/fake_data/CIN_Census_2021.xml",
                 "csc-validator-be-cin/fake_data/CIN_Census_2021_no_assessment_factors.xml", "csc-validator-be-cin/fake_data/CIN_Census_2024.xml",
                 "csc-validator-be-cin/fake_data/CIN_Census_2026.xml", "csc-validator-be-cin/fake_data/CIN_header_issues_100.xml",
                 "csc-validator-be-cin/fake_data/fake_CIN_data.xml", "liia-tools/spec/cin_census/samples/cin-2022.xml",
                 "liia-tools-pipeline/cin_census_pipeline/spec/samples/BAR_cin_2022.xml"]
    return files.map { folder.appendingPathComponent($0).path }.filter { FileManager.default.fileExists(atPath: $0) }
}()

struct DraftAndPreviewTests {
    @Test func `a draft marks every guess for review and loads as it is`() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write(SurveyTests.people(40), to: "export.xml")
        let draft = DraftMapping.yaml(for: try ExportSurvey.run(path: path))
        #expect(draft.hasPrefix(DraftMapping.firstLine))
        let mapping = try MappingLoader.parse(draft, file: "draft.yaml")
        #expect(mapping.kinds == [.person])
        let guessed = draft.split(separator: "\n").filter { $0.contains("{path:") || $0.contains("- kind:") || $0.hasPrefix("format:") }
        #expect(!guessed.isEmpty)
        #expect(guessed.allSatisfy { $0.contains("# review") })
        #expect(draft.contains("kind: {path: \"@kind\", codes: [\"adult\", \"child\"]}"))
        #expect(draft.contains("birthDate: {path: \"BirthDate\", type: iso-date}"))
        #expect(!draft.contains("Amira"))
        let sink = CollectingSink()
        _ = try ExportReader(mapping: mapping).read(path: path, into: sink)
        #expect(sink.records.count == 40)
        #expect(sink.records.first?.value("id") == "C-0")
    }

    @Test func `a draft guesses layouts, zones and the council's words for booleans`() throws {
        let rows = (0..<20).map { i in
            "<Visit ref=\"V-\(i)\" on=\"1\(i % 10)-Aug-2019\" at=\"1\(i % 10)/08/2019 17:40\" alone=\"\(i % 2 == 0 ? "Y" : "N")\"/>"
        }
        let folder = try TemporaryFolder()
        let path = try folder.write("<Export><Visits>\(rows.joined())</Visits></Export>", to: "export.xml")
        let draft = DraftMapping.yaml(for: try ExportSurvey.run(path: path))
        #expect(draft.contains("date: {path: \"@on\", type: date, pattern: \"dd-MMM-yyyy\"}"), "\(draft)")
        #expect(draft.contains("seenAlone: {path: \"@alone\", type: boolean, map: {\"Y\": \"true\", \"N\": \"false\"}}"), "\(draft)")
        let mapping = try MappingLoader.parse(draft, file: "draft.yaml")
        #expect(mapping.kinds == [.visit])
    }

    @Test(.enabled(if: !cinSamples.isEmpty))
    func `every census sample can be surveyed, drafted and previewed`() throws {
        for sample in cinSamples {
            let survey = try ExportSurvey.run(path: sample)
            #expect(survey.paths.first?.name == "Message")
            let mapping = try MappingLoader.parse(DraftMapping.yaml(for: survey), file: "draft.yaml")
            let preview = try RecordPreview.run(export: sample, mapping: mapping, records: 3)
            #expect(!preview.records.isEmpty, "\(sample)")
        }
    }

    @Test func `a preview shows the first records of a kind, raw beside canonical, and their findings`() throws {
        let folder = try TemporaryFolder()
        let preview = try RecordPreview.run(export: try folder.write(itemExport("""
            <Individual prefix="C" number="1" category="C"><Sex>Q</Sex><Born>03.05.2014</Born></Individual>
            <Individual prefix="C" number="2" category="A"><Sex>m</Sex></Individual>
            <Individual prefix="C" number="3" category="A"><Sex>F</Sex></Individual>
            """), to: "export.xml"), mapping: MappedValueReadTests.mapping, records: 2, kind: .person)
        #expect(preview.records.count == 2)
        #expect(!preview.reachedEnd)
        let text = preview.text()
        #expect(text.contains("Person C-1  (line 3)"), "\(text)")
        #expect(text.contains("  birthDate  2014-05-03  ← \"03.05.2014\"\n"), "\(text)")
        #expect(text.contains("  kind       child       ← \"C\"\n"), "\(text)")
        #expect(text.contains("  id         C-1\n"), "\(text)")
        #expect(text.contains("invalid-value: Gender 'Q' is not one of the values the mapping recodes (M, F, U, X)"), "\(text)")
        #expect(text.contains("  gender  1      ← \"m\"\n"), "\(text)")
        #expect(!text.contains("Person C-3"))
    }

    @Test func `a preview that runs out of records says so`() throws {
        let folder = try TemporaryFolder()
        let preview = try RecordPreview.run(export: try folder.write(itemExport("""
            <Individual prefix="C" number="1" category="C"><Sex>F</Sex><Born>03.05.2014</Born></Individual>
            """), to: "export.xml"), mapping: MappedValueReadTests.mapping, records: 5)
        #expect(preview.records.count == 1)
        #expect(preview.reachedEnd)
        #expect(preview.text().contains("(the export holds no more)"))
    }
}
