import ArgumentParser
import CasebridgeGenerate
import Foundation

extension ExportLayout: ExpressibleByArgument {}

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic export with known defects, and the findings a check must report on it.",
        discussion: """
            Writes DIR/export.xml, DIR/attachments/ and DIR/expected-findings.json. The same options and seed \
            always give the same bytes. All data is synthetic.

            With --series K: DIR/00-full (the full export), DIR/01-delta … DIR/K-delta (one nightly delta \
            each, with the findings over the merged state after it) and DIR/final-full (the final state as \
            one full export), each a folder of the layout above.
            """
    )

    @Option(help: "How many families (households) to write.")
    var families: Int

    @Option(help: "The seed of the pseudo-random generator.")
    var seed: UInt64 = 1

    @Option(help: "The folder to write into (created, mode 0700).")
    var out: String

    @Option(name: .customLong("defect-rate"), help: "The share of eligible records given a defect, 0 to 1.")
    var defectRate: Double = 0.05

    @Option(name: .customLong("part-bytes"), help: "The typical decoded size of an inline part.")
    var partBytes: Int?

    @Option(name: .customLong("attachment-rate"), help: "The share of parts written as files under attachments/ (an href) rather than inline, 0 to 1 (default 0.08).")
    var attachmentRate: Double?

    @Option(help: "How to lay the records out: flat (the reference format, LCE2) or nested (the same records by household, read by mappings/examples/household-export.yaml).")
    var layout: ExportLayout = .flat

    @Flag(help: "Write elements with an lce: prefix instead of the default namespace.")
    var prefix = false

    @Flag(help: "Write CRLF line endings.")
    var crlf = false

    @Flag(help: "Start the file with a UTF-8 byte-order mark.")
    var bom = false

    @Flag(name: .customLong("no-totals"), help: "Leave out the <Totals> trailer of record counts (an older, schema 2.3 export).")
    var noTotals = false

    @Option(help: "The envelope's sequence number (default 412).")
    var sequence: Int?

    @Option(name: .customLong("export-id"), help: "The envelope's exportId (default EXP-20190902-0001).")
    var exportId: String?

    @Option(help: "Write a series: the full export, this many nightly delta exports, and the final state as a full export.")
    var series: Int?

    @Option(help: "With --series: how busy each night is, its rates of change multiplied by this (1: a usual night, about 0.3% of records written again).")
    var activity: Double = 1

    func validate() throws {
        guard families > 0 else { throw ValidationError("--families must be at least 1") }
        guard (0...1).contains(defectRate) else { throw ValidationError("--defect-rate must be between 0 and 1") }
        if let attachmentRate, !(0...1).contains(attachmentRate) {
            throw ValidationError("--attachment-rate must be between 0 and 1")
        }
        if let series, series < 1 { throw ValidationError("--series must be at least 1") }
        guard activity > 0, activity.isFinite else { throw ValidationError("--activity must be above 0") }
        if activity != 1, series == nil { throw ValidationError("--activity applies to a series: give --series too") }
        if layout == .nested, series != nil { throw ValidationError("--series writes the flat layout only: leave out --layout nested") }
        if layout == .nested, prefix { throw ValidationError("--prefix applies to the flat layout only") }
    }

    func run() throws {
        var options = GeneratorOptions(families: families, seed: seed)
        options.defectRate = defectRate
        options.prefixedNamespace = prefix
        options.crlf = crlf
        options.bom = bom
        options.totals = !noTotals
        options.layout = layout
        if let partBytes { options.inlinePartBytes = partBytes }
        if let attachmentRate { options.hrefPartRate = attachmentRate }
        if let sequence { options.sequence = sequence }
        if let exportId { options.exportId = exportId }
        if let series {
            var generator = SeriesGenerator(options: options, deltas: series)
            generator.activity = activity
            try generator.write(to: URL(fileURLWithPath: out)) { export in
                print(Self.line(export, in: out))
            }
            return
        }
        let summary = try ExportGenerator(options: options).write(to: URL(fileURLWithPath: out))
        let megabytes = Double(summary.bytesWritten) / 1_000_000
        print(String(format: "wrote %@ (%.1f MB, %d records) and %@ (%d expected findings)",
                     summary.exportFile.path, megabytes, summary.records.values.reduce(0, +),
                     summary.expectedFindingsFile.path, summary.findings))
    }

    /// One line per export of a series, its file named under `folder` as given.
    static func line(_ export: SeriesExport, in folder: String) -> String {
        let what = export.kind == "delta"
            ? String(format: "delta, sequence %d since %@, %d records, %d deletions", export.sequence, export.since ?? "?",
                     export.records, export.deletions)
            : String(format: "full, sequence %d, %d records", export.sequence, export.records)
        return String(format: "wrote %@ (%@, %.1f MB) and expected-findings.json (%d expected findings as of %@)",
                      "\(folder)/\(export.name)/export.xml", what, Double(export.bytesWritten) / 1_000_000, export.findings,
                      export.asOf.iso)
    }
}
