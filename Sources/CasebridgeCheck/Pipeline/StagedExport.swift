import CasebridgeMapping
import CasebridgeModel
import CasebridgeRead
import CasebridgeStore
import Foundation

/// How long each stage of a check took, in seconds.
public struct StageTimings: Sendable {
    public var read: Double = 0
    /// Indexes, quarantine, the policy tables and (in a migration) the rows each target table would receive.
    public var index: Double = 0
    public var rules: [(String, Double)] = []
    /// Seconds from the first rule's start to the last one's end: less than the sum of ``rules``, as
    /// rules run two at a time.
    public var judging: Double = 0
}

/// The first phase of `check` and `migrate`: an export read through a mapping into a staging database.
///
/// ```swift
/// let read = try ExportStaging(mapping: mapping).read(export: "export.xml", into: .temporary())
/// let staged = try read.finish(policy: policy)          // indexed, quarantine decided
/// let judgement = try Judge(policy: policy).judge(staged)
/// ```
public struct ExportStaging {
    public var mapping: Mapping
    /// Compute the SHA-256 of the export's bytes as they are read (``ReadSummary/sha256``).
    public var hashesExport = false
    /// The export's sequence, when a new staging is to be kept for the next delta: its records'
    /// locations are staged naming it (``RecordLocation``), as a kept staging holds them, rather than
    /// rewritten once the run is done. `nil` stages plain lines.
    public var locationsNaming: Int?

    public init(mapping: Mapping) {
        self.mapping = mapping
    }

    /// Where a delta's records go in a staging a previous run kept: after its records (`ridOffset`),
    /// their locations naming the delta's `sequence`.
    public struct Continuation: Sendable {
        public var ridOffset: Int
        public var sequence: Int

        public init(ridOffset: Int, sequence: Int) {
            self.ridOffset = ridOffset
            self.sequence = sequence
        }
    }

    /// Reads the export at `path` into `file` (a new staging, replacing what a kept path held; or, with
    /// `continuing`, the staging a previous run kept there), parsing and storing on two threads.
    ///
    /// - Parameters:
    ///   - displayName: how findings name the file (default: `path`).
    ///   - pack: where to keep the parts' decoded inline content, for a load that stores it.
    public func read(export path: String, displayName: String? = nil, into file: StagingFile, continuing: Continuation? = nil,
                     pack: ContentPack? = nil, progress: ((Int64, Int64) -> Void)? = nil) throws -> ReadExport {
        if !file.isTemporary, continuing == nil { try? FileManager.default.removeItem(atPath: file.path) }
        let staging = try continuing.map { try StagingStore(continuing: file.path, ridOffset: $0.ridOffset, sequence: $0.sequence) }
            ?? StagingStore(path: file.path, locationsNaming: locationsNaming)
        let start = Date()
        let storing = BackgroundSink(staging)
        let summary: ReadSummary
        do {
            summary = try ExportReader(mapping: mapping).read(path: path, into: storing, pack: pack, hashing: hashesExport,
                                                              progress: progress)
            try storing.finish()
        } catch {
            storing.cancel()
            throw error
        }
        try staging.commitRead(envelope: summary.envelope.values)
        return ReadExport(staging: staging, file: file, summary: summary, header: Self.header(summary, file: displayName ?? path),
                          seconds: Date().timeIntervalSince(start), continuing: continuing)
    }

    /// The export's envelope as findings name it.
    static func header(_ summary: ReadSummary, file: String) -> ExportHeader {
        let envelope = summary.envelope.values
        return ExportHeader(
            file: file, exportId: envelope["exportId"], sequence: envelope["sequence"].flatMap { Int($0) },
            kind: envelope["kind"], exportedAt: envelope["exportedAt"],
            asOf: envelope["exportedAt"].flatMap(LondonTime.date(ofTimestamp:)))
    }
}

/// An export read into staging: its records committed, not yet indexed, quarantine not yet decided.
/// A delta load completes it here with the live state it changes, then ``finish(policy:)`` stages it.
public final class ReadExport {
    public let staging: StagingStore
    /// The staging's file, which lives as long as this (a temporary one goes with it).
    public let file: StagingFile
    public let summary: ReadSummary
    public let header: ExportHeader
    let seconds: Double
    let continuing: ExportStaging.Continuation?

    init(staging: StagingStore, file: StagingFile, summary: ReadSummary, header: ExportHeader, seconds: Double,
         continuing: ExportStaging.Continuation?) {
        self.staging = staging
        self.file = file
        self.summary = summary
        self.header = header
        self.seconds = seconds
        self.continuing = continuing
    }

    /// Builds the indexes, decides quarantine and installs `policy`: the export staged.
    public func finish(policy: Policy) throws -> StagedExport {
        let start = Date()
        try staging.finishStaging()
        try policy.install(into: staging.database)
        var timings = StageTimings()
        timings.read = seconds
        timings.index = Date().timeIntervalSince(start)
        return StagedExport(read: self, timings: timings)
    }
}

/// An export staged (indexed, quarantine decided, the policy installed): what the rules judge and the
/// load takes.
public final class StagedExport {
    public let staging: StagingStore
    /// The staging's file, which lives as long as this (a temporary one goes with it).
    public let file: StagingFile
    public let summary: ReadSummary
    public let header: ExportHeader
    /// How long reading and staging took; a load adds the time it spends preparing rows to `index`.
    public var timings: StageTimings
    /// Where the records read begin, in a staging a delta continued.
    public let continuing: ExportStaging.Continuation?

    init(read: ReadExport, timings: StageTimings) {
        staging = read.staging
        file = read.file
        summary = read.summary
        header = read.header
        continuing = read.continuing
        self.timings = timings
    }
}
