import CasebridgeModel
import Foundation

/// One export of a series, as ``SeriesGenerator/write(to:progress:)`` wrote it.
public struct SeriesExport: Sendable {
    /// The export's folder name: `00-full`, `01-delta`, …, `final-full`.
    public var name: String
    /// `FOLDER/export.xml`.
    public var exportFile: URL
    /// `FOLDER/expected-findings.json`: the findings over the state after this export is applied.
    public var expectedFindingsFile: URL
    /// `full` or `delta`.
    public var kind: String
    public var exportId: String
    public var sequence: Int
    /// A delta's `since`: the previous export's `exportedAt`.
    public var since: String?
    public var exportedAt: String
    /// The as-of date of the merged state: the London date of `exportedAt`.
    public var asOf: CivilDate
    /// Record elements written (nested ones included, `Deleted` not).
    public var records: Int
    /// `Deleted` elements written.
    public var deletions: Int
    /// Bytes of `export.xml` plus the files under `attachments/`.
    public var bytesWritten: Int
    /// Findings in `expected-findings.json`.
    public var findings: Int
}

/// Writes a series of exports: a full export, `deltas` nightly delta exports and a full export of the
/// final state, each with the findings a checker must report over the state the target then holds.
///
/// ```swift
/// let exports = try SeriesGenerator(options: GeneratorOptions(families: 200, seed: 7), deltas: 10)
///     .write(to: URL(filePath: "/tmp/series"))
/// // /tmp/series/00-full, /tmp/series/01-delta … /tmp/series/10-delta, /tmp/series/final-full
/// ```
///
/// The full export is exactly what ``ExportGenerator`` writes for the same options (its `sequence` and
/// `exportedAt`). Each night `n` (see ``SeriesNight``) changes the state in working hours on the day
/// after the previous export, and its delta follows at 23:10 UTC: `kind="delta"`, `sequence` one more,
/// `since` the previous `exportedAt`, every record created or changed written whole, `<Deletions>` for
/// the records removed, href parts in its own `attachments/`. Its `expected-findings.json` is the
/// ``SeriesOracle``'s reckoning over the merged state on its as-of date; a finding's source is where
/// its record was last written, relative to the delta's folder (`../00-full/export.xml` for a record
/// not written since the full export). `final-full` holds the final state as one full export, with the
/// last delta's `sequence` and `exportedAt`, so that the full export and every delta applied in order
/// hold the same records as `final-full` alone.
///
/// Cost: the state is held in memory (every record, content by reference to a pool), so a series is
/// for up to a few thousand families; each night's findings go over the whole state.
public struct SeriesGenerator: Sendable {
    public let options: GeneratorOptions
    /// Delta exports after the full export (1 or more).
    public let deltas: Int
    /// How busy each night is: the rates of change multiplied by it (1, the default, is a usual night,
    /// about 0.3% of records written again; 3 writes about three times as many).
    public var activity: Double = 1

    public init(options: GeneratorOptions, deltas: Int) {
        self.options = options
        self.deltas = deltas
    }

    /// The folder names of the series, in order: the full export, each delta, the final full export.
    public var folderNames: [String] {
        let width = max(2, String(deltas).count)
        return [padded(0, width) + "-full"] + (0..<deltas).map { padded($0 + 1, width) + "-delta" } + ["final-full"]
    }

    /// The UTC date of the full export's `exportedAt`; night `n`'s changes and delta fall `n` days later.
    static let firstDay = CivilDate(year: 2019, month: 9, day: 2)

    static func exportedAt(night: Int) -> String { "\((firstDay + night).iso)T23:10:00Z" }

    static func exportId(night: Int, number: Int) -> String {
        let day = firstDay + night
        return "EXP-\(padded(day.year, 4))\(padded(day.month, 2))\(padded(day.day, 2))-\(padded(number, 4))"
    }

    /// Writes the series into `directory` (created mode 0700 if need be), calling `progress` after
    /// each export, and returns them in order.
    @discardableResult
    public func write(to directory: URL, progress: (SeriesExport) throws -> Void = { _ in }) throws -> [SeriesExport] {
        try options.validate()
        guard deltas >= 1 else { throw GeneratorError.invalidOption("a series needs at least 1 delta, not \(deltas)") }
        guard activity > 0, activity.isFinite else { throw GeneratorError.invalidOption("the activity must be above 0, not \(activity)") }
        guard GeneratorOptions.exportedAt == Self.exportedAt(night: 0) else {
            throw GeneratorError.invalidOption("the full export's exportedAt is not the series' first night")
        }
        if !FileManager.default.fileExists(atPath: directory.path) {
            try FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        }
        try OwnerOnly.makeFolder(directory.path)
        let folders = folderNames
        var exports: [SeriesExport] = []

        // The full export, as a single export is written.
        let fullFolder = directory.appendingPathComponent(folders[0], isDirectory: true)
        let (full, lines) = try ExportGenerator(options: options).write(to: fullFolder, recordingLines: true)
        let export0 = SeriesExport(
            name: folders[0], exportFile: full.exportFile, expectedFindingsFile: full.expectedFindingsFile,
            kind: "full", exportId: options.exportId, sequence: options.sequence, since: nil,
            exportedAt: GeneratorOptions.exportedAt, asOf: GeneratorOptions.asOf,
            records: full.records.values.reduce(0, +), deletions: 0, bytesWritten: full.bytesWritten,
            findings: full.findings)
        exports.append(export0)
        try progress(export0)

        let newline: [UInt8] = options.crlf ? [0x0D, 0x0A] : [0x0A]
        let pool = ContentPool(seed: options.seed, typicalBytes: options.inlinePartBytes, newline: newline)
        let factory = DocumentFactory(
            pool: pool, hrefPartRate: options.hrefPartRate, wrappedBase64Rate: options.wrappedBase64Rate)
        var state = SeriesState(
            options: options, factory: factory, organisation: Organisation(seed: options.seed, families: options.families))
        state.wrote(export: 0, lines: lines!)

        for night in 1...deltas {
            var day = SeriesNight(night: night, day: Self.firstDay + night, seed: options.seed, factory: factory,
                                  activity: activity)
            let changes = day.apply(to: &state)
            let envelope = Envelope(
                exportId: Self.exportId(night: night, number: 1), sequence: options.sequence + night, kind: "delta",
                since: Self.exportedAt(night: night - 1), exportedAt: Self.exportedAt(night: night))
            let export = try write(
                folder: directory.appendingPathComponent(folders[night], isDirectory: true), name: folders[night],
                envelope: envelope, pool: pool
            ) { writer in
                try state.write(writer, only: changes)
                try writer.write(deletions: changes.deletions)
            } findings: { lines in
                state.wrote(export: night, lines: lines)
                return SeriesOracle(state: state, asOf: Self.asOf(night: night), folders: folders, viewpoint: night)
            }
            exports.append(export)
            try progress(export)
        }

        // The final state as one full export, from the same night.
        let last = folders.count - 1
        let envelope = Envelope(
            exportId: Self.exportId(night: deltas, number: 2), sequence: options.sequence + deltas, kind: "full",
            since: nil, exportedAt: Self.exportedAt(night: deltas))
        let final = try write(
            folder: directory.appendingPathComponent(folders[last], isDirectory: true), name: folders[last],
            envelope: envelope, pool: pool
        ) { writer in
            try state.writeAll(writer)
        } findings: { lines in
            SeriesOracle(state: state, asOf: Self.asOf(night: deltas), folders: folders, viewpoint: last,
                         sources: lines.mapValues { RecordSource(export: last, line: $0) })
        }
        exports.append(final)
        try progress(final)
        return exports
    }

    /// The as-of date of night `n`'s export: the London date of 23:10 UTC on its day.
    static func asOf(night: Int) -> CivilDate {
        WorkCalendar.londonDate(firstDay + night, hour: 23, minute: 10)
    }

    /// Writes one export into `folder` with `body`, then its expected findings from the oracle that
    /// `findings` makes once the lines of the records written are known.
    private func write(
        folder: URL, name: String, envelope: Envelope, pool: ContentPool,
        body: (ExportWriter) throws -> Void, findings: ([String: Int]) -> SeriesOracle
    ) throws -> SeriesExport {
        try OwnerOnly.makeFolder(folder.path)
        let attachments = folder.appendingPathComponent("attachments", isDirectory: true)
        try OwnerOnly.makeFolder(attachments.path)
        let exportFile = folder.appendingPathComponent(Expect.file)
        let sink = try ByteSink(path: exportFile.path, newline: options.crlf ? [0x0D, 0x0A] : [0x0A])
        let writer = ExportWriter(sink: sink, pool: pool, attachments: attachments, options: options)
        writer.recordLines = [:]
        try writer.begin(envelope)
        try body(writer)
        try writer.end()
        let bytes = sink.totalBytes
        try sink.finish()

        let asOf = Self.asOf(night: envelope.sequence - options.sequence)
        let document = findings(writer.recordLines!).document(header: ExportHeader(
            file: Expect.file, exportId: envelope.exportId, sequence: envelope.sequence, kind: envelope.kind,
            exportedAt: envelope.exportedAt, asOf: asOf))
        let expectedFile = folder.appendingPathComponent("expected-findings.json")
        try OwnerOnly.writeFile(expectedFile.path, Array((document.json.serialised(pretty: true) + "\n").utf8))
        let deletions = writer.counts[.deleted] ?? 0
        return SeriesExport(
            name: name, exportFile: exportFile, expectedFindingsFile: expectedFile, kind: envelope.kind,
            exportId: envelope.exportId, sequence: envelope.sequence, since: envelope.since,
            exportedAt: envelope.exportedAt, asOf: asOf, records: writer.counts.values.reduce(0, +) - deletions,
            deletions: deletions, bytesWritten: bytes + writer.attachmentBytes, findings: document.findings.count)
    }
}
