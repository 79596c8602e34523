import CasebridgeModel
import Foundation

/// A run as the target's history holds it (`casebridge_run`), for `status` and the report.
public struct RunRecord: Sendable, Equatable {
    public var id: Int
    public var exportId: String?
    public var sequence: Int?
    /// `full` or `delta`.
    public var kind: String?
    /// `loaded`, or `loading` for a run that never finished (only a run killed in another engine's
    /// transaction could leave one).
    public var outcome: String
    public var exportedAt: String?
    /// The export's as-of date, when it had one.
    public var asOf: CivilDate?
    public var finishedAt: String?
    public var inserted = 0
    public var updated = 0
    public var deleted = 0
    /// The records in quarantine after the run (``QuarantineCount``): for a delta, the live quarantine,
    /// records earlier exports put there included; the rows `casebridge_quarantine` holds for the run.
    public var quarantine = QuarantineCount(records: 0)
    public var findings = 0
    /// Findings the run before did not hold, and findings of the run before this one no longer holds.
    public var findingsNew = 0
    public var findingsResolved = 0
    /// Who ran it and with what (`nil` for a run of a Casebridge that did not record it).
    public var audit: RunAudit?
    /// The SHA-256 of the export file the run loaded.
    public var exportSHA256: String?

    public init(id: Int, outcome: String) {
        self.id = id
        self.outcome = outcome
    }
}

/// One finding the target stored with a run.
public struct StoredFinding: Sendable {
    public var rule: String
    public var severity: String
    /// The rule and key values, the same gap from run to run (a JSON array).
    public var identity: String
    /// Key and context fields by name (`origin`, `child`, `section`, …).
    public var fields: [String: String]
    public var recordKind: String?
    public var recordId: String?
    public var child: String?
    public var family: String?
    public var document: String?
    public var team: String?
    public var eventDate: CivilDate?
    /// The check's sentence; it holds legacy ids, so it goes to team worklists only.
    public var message: String
    /// The export the record was read from (an earlier one for a record a delta carried over) and the line.
    public var sourceFile: String?
    public var sourceLine: Int?
    /// Whether the previous loaded run did not hold this gap.
    public var isNew: Bool

    /// The child the finding itself names (its `child` field, or the Person record it concerns); unlike
    /// ``child``, not the owner of a document or visit the finding is about. `check`'s headline counts these.
    public var namedChild: String? { fields["child"] ?? (recordKind == "Person" ? recordId : nil) }

    /// The severity's rank: 0 for critical, rising as severity falls; unknown severities last.
    public var severityRank: Int { Severity(rawValue: severity)?.rank ?? Severity.allCases.count }
}

/// A record a run could not load, as `casebridge_quarantine` holds it (without its raw XML).
public struct QuarantinedRecord: Sendable, Equatable {
    /// The record kind (`Person`, `Document`, … or `Deleted` for a deletion that could not be applied).
    public var kind: String
    public var recordId: String?
    /// The export the record was read from, and its line.
    public var sourceFile: String
    public var sourceLine: Int?
    /// Why it could not load, one sentence each.
    public var reasons: [String]
}

/// A target's history, read without changing it: its runs, each run's findings and quarantine, and its
/// teams. What `casebridge status` and `casebridge report` show, whatever engine holds the target.
public protocol TargetHistory: TargetRuns {
    /// Every run, newest first, at most `limit` of them.
    func runRecords(limit: Int) throws -> [RunRecord]
    /// Every loaded run, oldest first.
    func loadedRunRecords() throws -> [RunRecord]
    /// The findings stored with `run`, in the order the load stored them.
    func storedFindings(run: Int) throws -> [StoredFinding]
    /// The number of findings of `run` by severity and rule: critical first, then the largest.
    func findingCounts(run: Int) throws -> [(severity: String, rule: String, count: Int)]
    /// The records `run` could not load: the live quarantine after it, as many as its
    /// ``RunRecord/quarantine`` counts.
    func quarantine(run: Int) throws -> [QuarantinedRecord]
    /// How many records are in quarantine after `run` (``QuarantineCount``): as many as ``quarantine(run:)`` lists.
    func quarantineCount(run: Int) throws -> QuarantineCount
    /// How many findings `run` holds, how many of them it found first, and how many of the previous run's it resolved.
    func findingChanges(run: Int) throws -> (open: Int, new: Int, resolved: Int)
    /// The target's teams, id to name (`nil` where it has none), from its team table (`ssd_department`);
    /// empty for a target without one.
    func teams() throws -> [String: String?]
}
