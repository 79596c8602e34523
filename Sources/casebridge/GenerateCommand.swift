import ArgumentParser
import CasebridgeGenerate
import Foundation

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic export with known defects, and the findings a check must report on it.",
        discussion: """
            Writes DIR/export.xml, DIR/attachments/ and DIR/expected-findings.json. The same options and seed \
            always give the same bytes. All data is synthetic.
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

    @Flag(help: "Write elements with an lce: prefix instead of the default namespace.")
    var prefix = false

    @Flag(help: "Write CRLF line endings.")
    var crlf = false

    @Flag(help: "Start the file with a UTF-8 byte-order mark.")
    var bom = false

    @Option(help: "The envelope's sequence number (default 412).")
    var sequence: Int?

    @Option(name: .customLong("export-id"), help: "The envelope's exportId (default EXP-20190902-0001).")
    var exportId: String?

    func validate() throws {
        guard families > 0 else { throw ValidationError("--families must be at least 1") }
        guard (0...1).contains(defectRate) else { throw ValidationError("--defect-rate must be between 0 and 1") }
    }

    func run() throws {
        var options = GeneratorOptions(families: families, seed: seed)
        options.defectRate = defectRate
        options.prefixedNamespace = prefix
        options.crlf = crlf
        options.bom = bom
        if let partBytes { options.inlinePartBytes = partBytes }
        if let sequence { options.sequence = sequence }
        if let exportId { options.exportId = exportId }
        let summary = try ExportGenerator(options: options).write(to: URL(fileURLWithPath: out))
        let megabytes = Double(summary.bytesWritten) / 1_000_000
        print(String(format: "wrote %@ (%.1f MB, %d records) and %@ (%d expected findings)",
                     summary.exportFile.path, megabytes, summary.records.values.reduce(0, +),
                     summary.expectedFindingsFile.path, summary.findings))
    }
}
