import ArgumentParser
import CasebridgeModel
import CasebridgeRead
import Foundation

/// How `survey` prints what it found.
enum SurveyFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct SurveyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "survey",
        abstract: "Describe an unknown export: its element tree, counts and the shapes of its values.",
        discussion: """
            One streaming pass over EXPORT, with the same limits as check (no entities, no network). For each \
            element path: how many elements, their attributes and text, how many distinct values, and the shapes \
            seen (ISO date, UK date, timestamp with or without a zone, whole number, base64, SHA-256, free text). \
            Values are printed only for plain code lists; names, birth dates, identifiers and free text appear as \
            counts and shapes, so a survey can be pasted into a ticket. --draft-mapping writes a starting mapping \
            with paths and guessed types, every guess marked '# review'.

            """ + ExitStatus.help(for: [.clean, .usage, .unreadable])
    )

    @Argument(help: "The export XML file.")
    var export: String

    @Option(help: "How to print the survey: text or json.")
    var format: SurveyFormat = .text

    @Option(name: .customLong("draft-mapping"), help: "Also write a draft mapping file here (mode 0600; replaced only if it is a draft survey wrote).")
    var draftMapping: String?

    @Flag(help: "No progress on stderr.")
    var quiet = false

    func run() throws {
        if let draftMapping {
            try OutputPath.vet(draftMapping, option: "--draft-mapping", inputs: [export], specialFiles: .written,
                               isOwn: DraftMapping.isOwn(prefix:))
        }
        let survey = try whileReading(export, verb: "surveying", quiet: quiet) { progress in
            try ExportSurvey.run(path: export) { done, total in progress?.update(done: done, total: total) }
        }
        let output = try TextOutput(path: nil)
        switch format {
        case .text: output.write(survey.text())
        case .json: output.write(survey.json.serialised(pretty: true) + "\n")
        }
        try output.finish()
        if let draftMapping {
            let draft = try TextOutput(path: draftMapping)
            draft.write(DraftMapping.yaml(for: survey))
            try draft.finish()
            if !quiet { printError("casebridge: draft mapping written to \(draftMapping): review every line marked '# review'") }
        }
    }
}
