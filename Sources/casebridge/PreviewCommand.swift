import ArgumentParser
import CasebridgeCheck
import CasebridgeMapping
import CasebridgeModel
import CasebridgeRead
import Foundation

extension RecordKind: ExpressibleByArgument {}

struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Show the first records a mapping makes of an export: raw values beside canonical ones.",
        discussion: """
            Reads EXPORT through the mapping until it has made --records records (of --kind, when given) and \
            prints them field by field: the canonical value, the raw value it came from where they differ, and \
            every invalid-value finding. It prints the export's values: keep the output to yourself.

            """ + ExitStatus.help(for: [.clean, .usage, .unreadable])
    )

    @Argument(help: "The export XML file.")
    var export: String

    @Option(help: "The mapping file to read the export with (default: the built-in legacy-case-export.yaml).")
    var mapping: String?

    @Option(help: "How many records to show.")
    var records: Int = 5

    @Option(help: "Show only records of this kind (Person, Document, Visit, …).")
    var kind: RecordKind?

    func validate() throws {
        guard records > 0 else { throw ValidationError("--records must be at least 1") }
    }

    func run() throws {
        let loaded = try loadConfiguration("mapping") { try MappingLoader.load(path: mapping ?? BuiltInMappings.legacyCaseExport) }
        if let kind, !loaded.kinds.contains(kind) {
            printError("casebridge: the mapping reads no \(kind.rawValue) records (it reads \(loaded.kinds.map(\.rawValue).joined(separator: ", ")))")
            throw ExitCode(ExitStatus.usage)
        }
        var preview = try whileReading(export, quiet: true) { _ in
            try RecordPreview.run(export: export, mapping: loaded, records: records, kind: kind)
        }
        if mapping == nil { preview.mapping = "the built-in legacy-case-export.yaml" }
        let output = try TextOutput(path: nil)
        output.write(preview.text())
        try output.finish()
    }
}
