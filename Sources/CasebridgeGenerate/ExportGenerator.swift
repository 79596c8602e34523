import CasebridgeModel
import Foundation

/// Writes a synthetic LCE2 export with known defects, and the findings a correct check must report.
///
/// ```swift
/// let summary = try ExportGenerator(options: GeneratorOptions(families: 200, seed: 7))
///     .write(to: URL(filePath: "/tmp/sample"))
/// // /tmp/sample/export.xml, /tmp/sample/attachments/…, /tmp/sample/expected-findings.json
/// ```
///
/// The base data breaks none of the fourteen rules of `docs/rules.md` under the default policy;
/// each defect (chosen with probability ``GeneratorOptions/defectRate`` per eligible record) adds
/// exactly the findings recorded for it. Memory holds one household at a time: the export is written
/// section by section, each section regenerating the households from their seeds.
///
/// Cost: about the size of the export in bytes copied through a 4 MiB buffer, plus a SHA-256 over
/// each document's content; a pool of content blobs is prepared once.
public struct ExportGenerator: Sendable {
    public let options: GeneratorOptions

    public init(options: GeneratorOptions) {
        self.options = options
    }

    /// Writes `directory/export.xml`, `directory/attachments/` and `directory/expected-findings.json`.
    ///
    /// Creates `directory` (mode 0700) if it does not exist; files are written mode 0600 and
    /// overwrite files of the same names. Files already in `attachments/` are left alone.
    public func write(to directory: URL) throws -> GenerationSummary {
        try write(to: directory, recordingLines: false).summary
    }

    /// ``write(to:)``, and with `recordingLines` the line of every record written (see
    /// ``ExportWriter/recordLines``), which a series needs to place its findings.
    func write(to directory: URL, recordingLines: Bool) throws -> (summary: GenerationSummary, lines: [String: Int]?) {
        try options.validate()
        let fileManager = FileManager.default
        if !fileManager.fileExists(atPath: directory.path) {
            try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
            // Set exactly, whatever the umask.
            guard chmod(directory.path, OwnerOnly.folder) == 0 else {
                throw GeneratorError.io(path: directory.path, errno: errno)
            }
        }
        let attachments = directory.appendingPathComponent("attachments", isDirectory: true)
        try OwnerOnly.makeFolder(attachments.path)

        let exportFile = directory.appendingPathComponent("export.xml")
        let newline: [UInt8] = options.crlf ? [0x0D, 0x0A] : [0x0A]
        let pool = ContentPool(seed: options.seed, typicalBytes: options.inlinePartBytes, newline: newline)
        let organisation = Organisation(seed: options.seed, families: options.families)
        let ids = IdScheme(families: options.families)
        let factory = DocumentFactory(
            pool: pool, hrefPartRate: options.hrefPartRate, wrappedBase64Rate: options.wrappedBase64Rate)
        func household(_ unit: Int) -> Household {
            Household(unit: unit, seed: options.seed, ids: ids, organisation: organisation, defectRate: options.defectRate)
        }

        let sink = try ByteSink(path: exportFile.path, newline: newline)
        let writer = ExportWriter(sink: sink, pool: pool, attachments: attachments, options: options)
        if recordingLines { writer.recordLines = [:] }
        try writer.begin()
        let sections = Sections(writer: writer, organisation: organisation, factory: factory, options: options, household: household)
        switch options.layout {
        case .flat: try sections.writeFlat()
        case .nested: try sections.writeNested()
        }
        try writer.end()
        let exportBytes = sink.totalBytes
        try sink.finish()

        var records: [String: Int] = [:]
        for kind in RecordKind.allCases { records[kind.rawValue] = writer.counts[kind] ?? 0 }
        let document = FindingsDocument(
            export: ExportHeader(
                file: Expect.file, exportId: options.exportId, sequence: options.sequence, kind: "full",
                exportedAt: GeneratorOptions.exportedAt, asOf: GeneratorOptions.asOf),
            recordCounts: records, quarantined: writer.quarantined, findings: writer.findings,
            rulesRun: Self.rulesCovered)
        let expectedFile = directory.appendingPathComponent("expected-findings.json")
        try OwnerOnly.writeFile(expectedFile.path, Array((document.json.serialised(pretty: true) + "\n").utf8))

        let summary = GenerationSummary(
            exportFile: exportFile, expectedFindingsFile: expectedFile,
            bytesWritten: exportBytes + writer.attachmentBytes, records: records, findings: writer.findings.count,
            quarantined: writer.quarantined, eligibleRecords: writer.eligible, defectiveRecords: writer.defective,
            attachmentFiles: writer.attachmentFiles)
        return (summary, writer.recordLines)
    }

    /// Writes the records of every household, section by section (flat) or household by household (nested).
    private struct Sections {
        let writer: ExportWriter
        let organisation: Organisation
        let factory: DocumentFactory
        let options: GeneratorOptions
        let household: (Int) -> Household

        /// The reference format: each section regenerates the households it needs, one at a time.
        func writeFlat() throws {
            try writer.write(organisation: organisation)
            let units = 0..<options.families
            try writer.open("People")
            for unit in units {
                for person in household(unit).people { try writer.write(person: person) }
            }
            try writer.close("People")
            try writer.open("Families")
            for unit in units { try writer.write(family: household(unit).family) }
            try writer.close("Families")
            try writer.open("Documents")
            for unit in units {
                try writer.write(documents: household(unit).documents(factory: factory, defectRate: options.defectRate))
            }
            try writer.close("Documents")
            try writer.open("Plans")
            for unit in units { try writer.write(plans: household(unit).plans(defectRate: options.defectRate)) }
            try writer.close("Plans")
            try writer.open("Visits")
            for unit in units {
                let (visits, count) = household(unit).visits(defectRate: options.defectRate)
                try writer.write(visits: visits, ids: count)
            }
            try writer.close("Visits")
        }

        /// The nested layout: each household once, holding its people, members and casework.
        func writeNested() throws {
            try writer.open("Organisation")
            for team in organisation.teams { try writer.write(team: team) }
            for worker in organisation.workers { try writer.write(worker: worker) }
            try writer.close("Organisation")
            try writer.open("Households")
            for unit in 0..<options.families {
                let home = household(unit)
                try writer.beginHousehold(home.family)
                for person in home.people { try writer.write(person: person) }
                try writer.write(members: home.family)
                try writer.write(documents: home.documents(factory: factory, defectRate: options.defectRate))
                try writer.write(plans: home.plans(defectRate: options.defectRate))
                let (visits, count) = home.visits(defectRate: options.defectRate)
                try writer.write(visits: visits, ids: count)
                try writer.endHousehold()
            }
            try writer.close("Households")
        }
    }

    /// The rules whose findings the expected findings cover: all fourteen.
    public static let rulesCovered = [
        "family-document-missing", "document-not-uploaded", "document-incomplete", "replica-diverges", "late-upload",
        "visit-overdue", "childs-voice-missing", "required-section-missing", "plan-without-outcomes",
        "outcome-not-timebound", "plan-review-overdue", "orphan-reference", "duplicate-id", "invalid-value",
    ]
}
