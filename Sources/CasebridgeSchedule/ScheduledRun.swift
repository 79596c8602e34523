import CasebridgeLoad
import CasebridgeMapping
import CasebridgeModel
import CasebridgeRead
import CasebridgeStore
import CasebridgeTarget
import Foundation

/// What happened to one export of the inbox.
public enum ScheduledOutcome: Sendable, Equatable {
    /// Loaded as run `run`, then moved to `done/`.
    case loaded(run: Int64, inserted: Int, updated: Int, deleted: Int, findings: Int, newFindings: Int, resolvedFindings: Int, movedTo: String)
    /// The target already held it (a no-op); moved to `done/`.
    case skipped(run: Int64, movedTo: String)
    /// It failed: moved to `failed/` with a reason file (`movedTo`), or left in the inbox (`movedTo == nil`)
    /// when the target, not the export, refused.
    case failed(reason: String, exitStatus: ExitStatus, movedTo: String?)
    /// Left in the inbox: it waits for the missing sequences, or was not tried after an earlier failure.
    case waiting(reason: String)
}

/// One line of a scheduled run: the export and what happened to it.
public struct ScheduledStep: Sendable, Equatable {
    public var entry: InboxEntry
    public var outcome: ScheduledOutcome

    /// `loaded   b-export (EXP-413, sequence 413) as run 2: …`
    public var line: String {
        let what = entry.described.isEmpty ? entry.name : "\(entry.name) (\(entry.described))"
        switch outcome {
        case let .loaded(run, inserted, updated, deleted, findings, new, resolved, movedTo):
            return "loaded   \(what) as run \(run): \(number(inserted)) rows inserted, \(number(updated)) updated, \(number(deleted)) deleted; "
                + "\(number(findings)) findings (\(number(new)) new, \(number(resolved)) resolved) → \(movedTo)"
        case let .skipped(run, movedTo):
            return "skipped  \(what): already loaded as run \(run) → \(movedTo)"
        case let .failed(reason, status, movedTo):
            return "failed   \(what): \(reason) (exit \(status.rawValue)) → \(movedTo ?? "left in the inbox")"
        case let .waiting(reason):
            return "waiting  \(what): \(reason)"
        }
    }
}

/// What a scheduled run did, in the order it did it.
public struct ScheduleReport: Sendable {
    public var inbox: String
    public var target: String
    public var steps: [ScheduledStep] = []
    /// The target's last loaded sequence after the run.
    public var lastLoaded: Int?
    /// The sequences the waiting exports wait for.
    public var missing: [Int] = []

    /// ``ExitStatus/clean`` when nothing failed, else the exit status of the first failure.
    public var exitStatus: ExitStatus {
        for step in steps { if case let .failed(_, status, _) = step.outcome { return status } }
        return .clean
    }

    public func count(_ matching: (ScheduledOutcome) -> Bool) -> Int { steps.filter { matching($0.outcome) }.count }

    /// `Schedule run: 5 loaded, 0 skipped, 0 failed, 0 waiting; last loaded sequence 416.`
    public var summary: String {
        let loaded = count { if case .loaded = $0 { true } else { false } }
        let skipped = count { if case .skipped = $0 { true } else { false } }
        let failed = count { if case .failed = $0 { true } else { false } }
        let waiting = count { if case .waiting = $0 { true } else { false } }
        var text = "Schedule run: \(loaded) loaded, \(skipped) skipped, \(failed) failed, \(waiting) waiting"
        if steps.isEmpty { text = "Schedule run: nothing waits in \(inbox)" }
        text += "; last loaded sequence \(lastLoaded.map(String.init) ?? "none")"
        if !missing.isEmpty { text += "; missing: \(Self.describe(missing))" }
        return text + "."
    }

    /// "sequence 413" or "sequences 413–415" or "sequences 413, 415".
    static func describe(_ missing: [Int]) -> String {
        if missing.count == 1 { return "sequence \(missing[0])" }
        if missing.count > 2 { return "sequences \(missing.first!)–\(missing.last!)" }
        return "sequences " + missing.map(String.init).joined(separator: ", ")
    }
}

/// `casebridge schedule run`: every export waiting in an inbox, migrated one after another in sequence
/// order.
///
/// - An export whose envelope cannot be read (or gives no sequence), and exports that claim the same
///   sequence, move to `failed/` with a reason file before anything loads; the exports after a sequence
///   claimed twice are not tried (an unreadable one's place is unknown: the gap check holds back the
///   exports after it once the target has loaded one).
/// - The rest, by sequence: the next one loads and moves to `done/`; one the target already holds is
///   skipped and moves to `done/`; one that fails (unreadable body, no reconciliation, out of order)
///   moves to `failed/` and the run stops there, the later ones staying in the inbox (they would leave a
///   gap). A target that refuses (locked, not Casebridge's, full) leaves the export in the inbox: the
///   fault is not the export's.
/// - An export after a gap waits in the inbox for the missing ones, as do all after it; with
///   ``allowGap`` it loads anyway (the gap is recorded with its run).
///
/// The caller holds a ``ScheduleLock`` for the target around ``run(progress:)``.
public struct ScheduledRun {
    public var inbox: Inbox
    public var target: String
    public var migration: Migration

    public init(inbox: Inbox, target: String, migration: Migration) {
        self.inbox = inbox
        self.target = target
        self.migration = migration
    }

    /// Runs the inbox once; `progress` receives each step as it happens.
    /// - Throws: ``InboxError`` when the inbox cannot be listed or an export cannot be moved.
    public func run(progress: (ScheduledStep) -> Void = { _ in }) throws -> ScheduleReport {
        var report = ScheduleReport(inbox: inbox.url.path, target: target)
        func record(_ step: ScheduledStep) {
            report.steps.append(step)
            progress(step)
        }
        let entries = try inbox.entries(mapping: migration.mapping)
        var lastLoaded = Self.lastLoadedSequence(target: target, schema: migration.target.postgresSchema)
        report.lastLoaded = lastLoaded

        // Set aside what cannot be placed in order: no readable envelope, or a sequence claimed twice.
        var readable: [InboxEntry] = []
        for entry in entries {
            if let reason = entry.unreadable {
                let moved = try inbox.moveToFailed(entry, reason: reason, exitStatus: .unreadable)
                record(ScheduledStep(entry: entry, outcome: .failed(reason: reason, exitStatus: .unreadable,
                                                                   movedTo: relative(moved))))
            } else {
                readable.append(entry)
            }
        }
        let bySequence = Dictionary(grouping: readable, by: { $0.sequence! })
        for (sequence, claims) in bySequence.sorted(by: { $0.key < $1.key }) where claims.count > 1 {
            let names = claims.map(\.name).joined(separator: ", ")
            let reason = "\(claims.count) exports in the inbox claim sequence \(sequence) (\(names)); which one belongs is for a person to decide"
            for entry in claims {
                let moved = try inbox.moveToFailed(entry, reason: reason, exitStatus: .sequence)
                record(ScheduledStep(entry: entry, outcome: .failed(reason: reason, exitStatus: .sequence,
                                                                   movedTo: relative(moved))))
            }
        }
        let ordered = readable.filter { bySequence[$0.sequence!]!.count == 1 }.sorted { $0.sequence! < $1.sequence! }
        // Exports after a sequence claimed twice would leave a gap (also in a new target, which has no history to tell).
        let firstTie = bySequence.filter { $0.value.count > 1 }.keys.min()

        var stopped: String?
        var waitingFor: Int?
        for entry in ordered {
            let sequence = entry.sequence!
            if stopped == nil, let firstTie, sequence > firstTie {
                stopped = "sequence \(firstTie)"
            }
            if let stopped {
                record(ScheduledStep(entry: entry, outcome: .waiting(reason: "not tried: \(stopped) failed before it")))
                continue
            }
            if let waitingFor {
                record(ScheduledStep(entry: entry, outcome: .waiting(reason: "waits behind sequence \(waitingFor)")))
                continue
            }
            if let last = lastLoaded, sequence > last + 1, !migration.allowGap {
                let missing = Array((last + 1)..<sequence)
                report.missing = missing
                waitingFor = sequence
                record(ScheduledStep(entry: entry, outcome: .waiting(
                    reason: "\(ScheduleReport.describe(missing)) \(missing.count == 1 ? "is" : "are") missing; it waits for \(missing.count == 1 ? "it" : "them") (or run with --allow-gap)")))
                continue
            }
            let outcome = try migrate(entry)
            record(ScheduledStep(entry: entry, outcome: outcome))
            switch outcome {
            case .loaded: lastLoaded = max(lastLoaded ?? sequence, sequence)
            case .failed: stopped = entry.name
            default: break
            }
        }
        report.lastLoaded = lastLoaded
        return report
    }

    /// Migrates one export and moves it where it belongs.
    private func migrate(_ entry: InboxEntry) throws -> ScheduledOutcome {
        do {
            let result = try migration.run(export: entry.exportPath, displayName: inbox.exportPathOnceDone(entry), into: target)
            for warning in result.check.warnings {
                FileHandle.standardError.write(Data("casebridge: \(entry.name): warning: \(warning)\n".utf8))
            }
            for warning in result.check.read.coverage.warnings {
                FileHandle.standardError.write(Data("casebridge: \(entry.name): mapping warning: \(warning)\n".utf8))
            }
            let tables = result.load.tables
            let moved = try inbox.moveToDone(entry)
            return .loaded(run: result.load.runID, inserted: tables.reduce(0) { $0 + $1.inserted },
                           updated: tables.reduce(0) { $0 + $1.updated }, deleted: tables.reduce(0) { $0 + $1.deleted },
                           findings: result.load.findings, newFindings: result.load.findingsNew,
                           resolvedFindings: result.load.findingsResolved, movedTo: relative(moved))
        } catch let skipped as ExportAlreadyLoaded {
            return .skipped(run: skipped.run, movedTo: relative(try inbox.moveToDone(entry)))
        } catch let error as InboxError {
            throw error
        } catch let error as any ExitStatusError {
            let reason = switch error {
            case is ConfigError: "target mapping error: \(error)"
            case is ReadError: "the export cannot be read: \(error)"
            default: error.description
            }
            // The export's own fault moves it to failed/; a target that refused leaves it waiting.
            guard Self.blamesExport(error.exitStatus) else { return .failed(reason: reason, exitStatus: error.exitStatus, movedTo: nil) }
            let moved = try inbox.moveToFailed(entry, reason: reason, exitStatus: error.exitStatus)
            return .failed(reason: reason, exitStatus: error.exitStatus, movedTo: relative(moved))
        } catch {
            return .failed(reason: "\(error)", exitStatus: .target, movedTo: nil)
        }
    }

    /// Whether a failure with `status` is the export's (it moves to `failed/`), not the target's or the
    /// configuration's (the export waits in the inbox for the next run).
    static func blamesExport(_ status: ExitStatus) -> Bool {
        switch status {
        case .unreadable, .unreconciled, .sequence, .deletions: return true
        case .clean, .findings, .usage, .target, .output, .busy: return false
        }
    }

    /// `done/name`: a path inside the inbox, as the lines print it.
    private func relative(_ url: URL) -> String {
        let base = inbox.url.path + "/"
        return url.path.hasPrefix(base) ? String(url.path.dropFirst(base.count)) : url.path
    }

    /// The highest sequence the target (its tables in `schema`, for a PostgreSQL one) has loaded, or `nil`
    /// (no target yet, nothing loaded, or not readable: then the migration itself says why).
    public static func lastLoadedSequence(target: String, schema: String = TargetMapping.defaultPostgresSchema) -> Int? {
        guard let runs = try? TargetEngines.open(target: target, schema: schema).runs() else { return nil }
        return (try? runs.lastLoadedRun())??.sequence
    }
}

/// A count as reports print it: `42,719`.
func number(_ value: Int) -> String { value.grouped }
