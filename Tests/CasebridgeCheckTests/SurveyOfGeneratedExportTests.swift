import CasebridgeCheck
@testable import CasebridgeGenerate
import CasebridgeMapping
import CasebridgeModel
import CasebridgeRead
import Foundation
import Testing

/// A survey of a generated export can be pasted into a ticket: none of the generator's names, and no
/// birth date, reaches it; and the draft it writes reads the export as the reference mapping does.
struct SurveyOfGeneratedExportTests: ~Copyable {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-survey-\(UUID().uuidString)")
    let export: String

    init() throws {
        var options = GeneratorOptions(families: 120, seed: 11)
        options.inlinePartBytes = 256
        export = try ExportGenerator(options: options).write(to: folder).exportFile.path
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    @Test func `no forename, surname or birth date of the export is printed`() throws {
        let survey = try ExportSurvey.run(path: export, displayName: "export.xml")
        let outputs = [survey.text(), survey.json.serialised(pretty: true), DraftMapping.yaml(for: survey)]
        let names = Vocabulary.girls + Vocabulary.boys + Vocabulary.women + Vocabulary.men + Vocabulary.surnames
            + Vocabulary.workerForenames + Vocabulary.workerSurnames
        for output in outputs {
            for name in names where output.contains(name) {
                Issue.record("\(name) printed")
            }
            #expect(output.range(of: #"\d{4}-\d{2}-\d{2}"#, options: .regularExpression) == nil, "a date printed")
            #expect(output.range(of: #"\d{2}/\d{2}/\d{4}"#, options: .regularExpression) == nil, "a date printed")
        }
    }

    @Test func `the draft reads as many records of each kind as the reference mapping`() throws {
        let draft = try MappingLoader.parse(DraftMapping.yaml(for: try ExportSurvey.run(path: export)), file: "draft.yaml")
        let reference = try MappingLoader.load(path: BuiltInMappings.legacyCaseExport)
        final class Counter: RecordSink {
            var counts: [RecordKind: Int] = [:]
            func accept(_ record: ReadRecord) throws { counts[record.kind, default: 0] += 1 }
        }
        let byDraft = Counter()
        _ = try ExportReader(mapping: draft).read(path: export, into: byDraft)
        let byReference = Counter()
        _ = try ExportReader(mapping: reference).read(path: export, into: byReference)
        for kind: RecordKind in [.team, .worker, .person, .status, .allocation, .family, .member, .document, .part, .section, .plan,
                                 .outcome, .action, .visit] {
            #expect(byDraft.counts[kind] == byReference.counts[kind], "\(kind)")
        }
    }
}
