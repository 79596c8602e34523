/// Every status a Casebridge command exits with, and what each means: the one table the command
/// line, the scheduler, the help texts and the README's table are made from.
///
/// ```swift
/// throw ExitCode(ExitStatus.sequence.rawValue)   // in the command line
/// ExitStatus.help(for: [.clean, .usage, .target]) // "Exit codes: 0 …; 2 …; 4 …."
/// ```
public enum ExitStatus: Int32, CaseIterable, Sendable, Comparable {
    /// Done: no finding at or above `--fail-on` (check), loaded or already loaded (migrate), written (report).
    case clean = 0
    /// `check`: at least one finding at or above `--fail-on`.
    case findings = 1
    /// A bad option, or a mapping, policy or target mapping file with a mistake (named with its line).
    case usage = 2
    /// The export cannot be read, or cannot be read in full.
    case unreadable = 3
    /// The target was refused or could not be written; nothing changed.
    case target = 4
    /// Some records would neither load nor be quarantined; nothing changed.
    case unreconciled = 5
    /// The export does not follow the target's sequence of loaded exports; nothing changed.
    case sequence = 6
    /// A report or output file could not be written.
    case output = 7
    /// Another `schedule run` holds the target's lock.
    case busy = 8
    /// A full export would delete more of a table's live rows than the policy allows; nothing changed.
    case deletions = 9

    public static func < (lhs: ExitStatus, rhs: ExitStatus) -> Bool { lhs.rawValue < rhs.rawValue }

    /// What the status means, as the README's table and every command's help say it.
    public var meaning: String {
        switch self {
        case .clean:
            return "done: no finding at or above --fail-on (check), the export loaded or was already loaded (migrate), "
                + "the output written (report, status)"
        case .findings:
            return "check: at least one finding at or above --fail-on (default critical)"
        case .usage:
            return "a usage or configuration error: a bad option, an output that would overwrite an input or a target, "
                + "a mapping or policy file with a mistake (named with its line)"
        case .unreadable:
            return "the export cannot be read: missing, not XML, not well-formed, a bad byte, refused entities, "
                + "or fewer or more records than its Totals declare (named with file:line:column)"
        case .target:
            return "the target was refused or could not be written (not a Casebridge database, another schema version, "
                + "locked, read-only, disk full); nothing changed"
        case .unreconciled:
            return "migrate: the run does not reconcile (records that would neither load nor be quarantined); nothing changed"
        case .sequence:
            return "migrate: the export's sequence is older than the last loaded, claims a loaded sequence, was loaded "
                + "before from other bytes, or leaves a gap (without --allow-gap), or it is a delta and the target holds "
                + "no full export yet; nothing changed"
        case .output:
            return "a report or output file or folder could not be written"
        case .busy:
            return "schedule run: another schedule run holds the target's lock (DB.schedule-lock) after --wait; nothing was done"
        case .deletions:
            return "migrate: a full export would delete more of a table's live rows than the policy's deletion guard "
                + "allows (it looks partial), without --allow-deletions; nothing changed"
        }
    }

    /// "Exit codes: 0 …; 2 …." for a command's help, listing `statuses` in order.
    public static func help(for statuses: [ExitStatus]) -> String {
        "Exit codes: " + statuses.sorted().map { "\($0.rawValue) \($0.meaning)" }.joined(separator: "; ") + "."
    }
}

/// An error that says which status the command it ends exits with.
public protocol ExitStatusError: Error, CustomStringConvertible {
    /// The status a command that fails with this error exits with.
    var exitStatus: ExitStatus { get }
}
