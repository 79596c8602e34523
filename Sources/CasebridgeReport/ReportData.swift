import CasebridgeModel
import CasebridgeTarget
import CasebridgeStore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Why a report cannot be written: a target that is not Casebridge's, a run it does not hold, an
/// output folder that cannot be written. One line naming the path and the reason.
public struct ReportError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure, so the command line can pick its exit status.
    public enum Kind: Sendable {
        /// The target is missing, not a Casebridge target, or unreadable.
        case target
        /// The options ask for something the target does not hold (a run, a team).
        case usage
        /// An output file or folder could not be written.
        case output
    }

    public var kind: Kind
    public var path: String
    public var reason: String

    public init(_ kind: Kind, _ path: String, _ reason: String) {
        self.kind = kind
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// A migrate run as the target records it.

/// Open, new and resolved gaps of one loaded run, compared with the loaded run before it.
public struct TrendPoint: Sendable, Equatable {
    public var run: Int
    public var asOf: CivilDate?
    /// Findings of this run.
    public var open: Int
    /// Findings of this run whose identity the previous loaded run did not hold (all of them for the first run).
    public var new: Int
    /// Findings of the previous loaded run whose identity this run does not hold.
    public var resolved: Int
}

/// Everything a report shows, read from the target's bookkeeping tables (never from an export) and
/// its team table.
public struct ReportData: Sendable {
    public var target: String
    public var run: RunRecord
    public var findings: [StoredFinding]
    /// Loaded runs up to and including the reported one, oldest first.
    public var trend: [TrendPoint]
    /// Records of the reported run that could not load: the live quarantine after that run.
    public var quarantine: [QuarantinedRecord]
    /// Team names by id, from the target's team table (`ssd_department`) where it has one and names them.
    public var teamNames: [String: String]
    /// Every team id the target holds: its team table's and the findings'.
    public var knownTeams: Set<String>

    /// How many records of the reported run could not load.
    /// The records in quarantine after the run (``QuarantineCount``): one for each record ``quarantine`` lists.
    public var quarantined: Int { quarantine.count }

    /// Reads the run `runID` (default: the latest loaded run) of the Casebridge target `path` (an SQLite
    /// file, or a PostgreSQL connection string whose tables live in `schema`).
    ///
    /// Throws ``ReportError`` of kind `.target` for a file that is not a Casebridge target or holds no
    /// loaded run, and of kind `.usage` for a run it does not hold.
    public static func load(target path: String, schema: String = TargetMapping.defaultPostgresSchema, run runID: Int? = nil) throws -> ReportData {
        let history: any TargetHistory
        do {
            history = try TargetEngines.open(target: path, schema: schema).history()
        } catch let error as TargetError {
            throw ReportError(.target, error.path, error.reason)
        }
        do {
            let runs = try history.loadedRunRecords()
            guard let latest = runs.last else { throw ReportError(.target, path, "holds no loaded run yet; run casebridge migrate first") }
            let chosen: RunRecord
            if let runID {
                guard let found = runs.first(where: { $0.id == runID }) else {
                    let known = runs.map { String($0.id) }.joined(separator: ", ")
                    throw ReportError(.usage, path, "holds no loaded run \(runID) (loaded runs: \(known))")
                }
                chosen = found
            } else {
                chosen = latest
            }
            let findings = try history.storedFindings(run: chosen.id)
            let trend = try runs.filter { $0.id <= chosen.id }.map { run in
                let changes = try history.findingChanges(run: run.id)
                return TrendPoint(run: run.id, asOf: run.asOf, open: changes.open, new: changes.new, resolved: changes.resolved)
            }
            let teams = try history.teams()
            let known = Set(teams.keys).union(findings.compactMap(\.team))
            return ReportData(target: path, run: chosen, findings: findings, trend: trend, quarantine: try history.quarantine(run: chosen.id),
                              teamNames: teams.compactMapValues { $0 }, knownTeams: known)
        } catch let error as DatabaseError {
            throw ReportError(.target, path, "cannot be read: \(error.message)")
        } catch let error as TargetError {
            throw ReportError(.target, error.path, error.reason)
        }
    }
}
