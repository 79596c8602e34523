import CasebridgeModel
import CasebridgeStore
import Foundation

/// What one run did to one target table.
public struct TableChanges: Sendable, Equatable {
    public var table: String
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    public var deleted = 0
    /// Records of the table's kind that would have had a row here but are in quarantine after the run
    /// (a delta's included: the live state's).
    public var quarantined = 0
    /// The table's live rows before the run: counted for a full export, whose deletion guard weighs the
    /// deleted rows against them (``RunFacts/guardsDeletions``); 0 for a delta.
    public var liveBefore = 0

    public init(table: String) {
        self.table = table
    }
}

/// What one load wrote: per table, content, quarantine and findings.
public struct LoadOutcome: Sendable {
    public var runID: Int64
    public var tables: [TableChanges] = []
    public var contentAdded = 0
    public var contentBytesAdded: Int64 = 0
    public var contentReused = 0
    /// The records in quarantine after the run: one `casebridge_quarantine` row each (``QuarantineCount``).
    public var quarantine = QuarantineCount(records: 0)
    public var findings = 0
    /// Findings the previous run did not hold, and findings of the previous run this one no longer holds.
    public var findingsNew = 0
    public var findingsResolved = 0
    /// The tables a full export deletes more of than the policy's deletion guard allows (loaded only
    /// with `--allow-deletions`; a dry run shows them either way).
    public var overDeletionGuard: [TableChanges] = []

    public init(runID: Int64) {
        self.runID = runID
    }
}

/// Per record kind: how many were read, will load, and are quarantined.
public struct KindReconciliation: Sendable, Equatable {
    public var kind: RecordKind
    public var read: Int
    public var loaded: Int
    public var quarantined: Int
    /// Records of the target's live state a delta load checked with its own (not read from this export).
    public var carried = 0

    public init(kind: RecordKind, read: Int, loaded: Int, quarantined: Int) {
        self.kind = kind
        self.read = read
        self.loaded = loaded
        self.quarantined = quarantined
    }

    /// Records that neither load nor are quarantined: no table takes them.
    public var unaccounted: Int { read - loaded - quarantined }
}

/// The facts about a run that the target records with it.
public struct RunFacts: Sendable {
    public var exportFile: String
    public var export: ExportHeader
    public var options: JSONValue
    public var startedAt: Date
    /// The files of the earlier exports that records carried into a delta's staging came from, by sequence.
    public var sourceFiles: [Int: String] = [:]
    /// When staging is the live state continued by this delta (``StateCache``), the first rid of the
    /// records it read: only the rows it lists in `stg_touched`, and the keys it lists in
    /// `stg_removed_keys`, can have changed.
    public var continuedFrom: Int?
    public var continuesState: Bool { continuedFrom != nil }
    /// Whether the load weighs what it deletes of each table against the rows the table held before
    /// (``TableChanges/liveBefore``, counted only then): a full export deletes what it no longer holds,
    /// and an export cut short looks like one that deleted much; a delta deletes only what it names.
    public var guardsDeletions: Bool { export.kind != "delta" }
    /// Recorded in the target: the staging kept after this run is the live state only while the two agree.
    public var stateToken: String?
    /// For a delta: the token the target held when its state was read; another means another run loaded
    /// an export meanwhile, and the delta's staging no longer matches the target.
    public var expectedStateToken: String?
    /// The SHA-256 of the export file's bytes as read.
    public var exportSHA256: String?
    /// Who ran the run, with what.
    public var audit: RunAudit?

    public init(exportFile: String, export: ExportHeader, options: JSONValue, startedAt: Date) {
        self.exportFile = exportFile
        self.export = export
        self.options = options
        self.startedAt = startedAt
    }

    /// The file a staged location (``RecordLocation``) was read from, and the line in it.
    public func place(of location: Int?) -> (file: String, line: Int?) {
        guard let location else { return (exportFile, nil) }
        let place = RecordLocation.place(location, file: exportFile, sequence: export.sequence, earlierFiles: sourceFiles)
        return (place.file, place.line)
    }
}

