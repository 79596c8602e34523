import CasebridgeCheck
import CasebridgeModel
import CasebridgeTarget
import Foundation

/// A full export would delete more of some table's live rows than the policy's deletion guard allows:
/// most often an export cut short that still closed its tags. Nothing was changed.
public struct DeletionGuardError: ExitStatusError, Sendable {
    public var tables: [TableChanges]
    public var deletionGuard: DeletionGuard

    public var exitStatus: ExitStatus { .deletions }

    public var description: String {
        "this full export would delete " + DeletionGuardError.describe(tables) + ": more than the policy's deletion guard allows "
            + "(\(DeletionGuardError.percent(deletionGuard.maxShare)) of a table, beyond \(deletionGuard.floor) rows). An export "
            + "cut short looks like this: compare it with the last one; if those records really went, run again with "
            + "--allow-deletions. Nothing was changed"
    }

    /// "8,005 of cb_document's 24,012 live rows (33%), 10 of …".
    static func describe(_ tables: [TableChanges]) -> String {
        tables.map {
            "\($0.deleted.grouped) of \($0.table)'s \($0.liveBefore.grouped) live rows (\(percent(Double($0.deleted) / Double(max($0.liveBefore, 1)))))"
        }.joined(separator: ", ")
    }

    static func percent(_ share: Double) -> String {
        let value = share * 100
        return value == value.rounded() ? "\(Int(value))%" : String(format: "%.1f%%", value)
    }
}

/// What the load is asked to do, beyond the records staged: the run's facts, the findings judged, and
/// how strict to be.
struct LoadRequest {
    var facts: RunFacts
    /// The run's findings, being completed from the staging while the tables load.
    var findings: CompletedFindings
    /// The rows each table receives, being prepared in the staging, and the reconciliation.
    var rows: PreparedRows
    /// Whether the live state is saved while the rows are prepared (``TargetEngine/savesStateWhileRowsArePrepared``).
    var savesStateFirst: Bool
    /// Where the load reads what staging does not hold (raw XML, attachments, inline content).
    var source: ContentSource
    var allowGap: Bool
    /// The policy's limit on what a full export may delete of a table.
    var deletionGuard: DeletionGuard
    /// Whether a full export over ``deletionGuard`` fails the load (else it is only reported).
    var refusesOverDeletion: Bool
    /// What keeps the staging for the next delta once the run commits (`nil`: a dry run, or an export
    /// with no sequence), told when the load read the prepared rows and when it stored the findings: it makes the staging
    /// ready meanwhile, from when the engine lets it (``TargetEngine/stagingWritable``).
    var keeper: StagingKeeper?
}

/// The load, step by step, inside one target transaction: what is written, in what order and under
/// which checks. How each step is done in SQL is the engine's (``TargetSession``).
struct Loader {
    let mapping: TargetMapping
    let progress: (String) -> Void

    func load(_ request: LoadRequest, into session: any TargetSession, fresh: Bool) throws -> LoadOutcome {
        let facts = request.facts
        if fresh { try session.createSchema(mapping) } else { try session.upgradeBookkeeping() }
        // Settled again inside the transaction: another run may have loaded an export since the check
        // before the read.
        let position = try SequenceCheck.position(in: fresh ? nil : session, export: facts.export, allowGap: request.allowGap,
                                                  exportDigest: { facts.exportSHA256 })
        if facts.export.kind == "delta", try session.stateToken() != facts.expectedStateToken {
            throw TargetError(request.source.exportPath, "another run loaded an export into the target while this delta was being read and checked; nothing was changed: run it again")
        }
        var options = facts.options
        if case let .afterGap(missing) = position {
            options = options.adding("allowedGap", .array(missing.map { .int($0) }))
        }
        var outcome = LoadOutcome(runID: try session.beginRun(facts, options: options))
        let state = (sequence: facts.export.sequence ?? 0, isFull: facts.export.kind != "delta", continuedFrom: facts.continuedFrom)
        if request.savesStateFirst {
            // It reads only the staged records, which preparing the rows does not change.
            progress("keeping the live state")
            try session.saveLiveState(sequence: state.sequence, isFull: state.isFull, continuedFrom: state.continuedFrom)
        }
        let reconciliation = try request.rows.reconciliation()
        try session.readPreparedRows()
        request.keeper?.loadReadPreparedRows()
        // Staging holds the whole live state (a delta's staging was completed from the target's), so a
        // row whose key it no longer produces was deleted.
        for table in mapping.tables {
            progress("loading \(table.table)")
            outcome.tables.append(try session.loadTable(table, run: outcome.runID, facts: facts))
        }
        try guardDeletions(request, options: options, session: session, outcome: &outcome)
        if let contentTable = mapping.contentTable {
            progress("storing content")
            try session.storeContent(in: contentTable, facts: facts, source: request.source, outcome: &outcome)
        }
        // An engine that builds a new target's indexes once its tables are full (PostgreSQL) builds them
        // as the run finishes, while the staging is made ready for the next delta (below).
        if !request.savesStateFirst {
            progress("keeping the live state")
            try session.saveLiveState(sequence: state.sequence, isFull: state.isFull, continuedFrom: state.continuedFrom)
        }
        progress("storing quarantine")
        outcome.quarantine = QuarantineCount(records: try session.storeQuarantine(run: outcome.runID, facts: facts, source: request.source))
        progress("storing findings")
        outcome.findings = try session.storeFindings(request.findings, run: outcome.runID)
        request.keeper?.findingsStored()
        (outcome.findingsNew, outcome.findingsResolved) = try session.compareFindings(run: outcome.runID)
        try session.recordStateToken(facts.stateToken)
        try session.finishRun(outcome, reconciliation: reconciliation)
        return outcome
    }

    /// A delta deletes what it names; a full export deletes what it no longer holds, which is what an
    /// export cut short looks like: over the policy's guard it is refused, or (allowed) recorded.
    private func guardDeletions(_ request: LoadRequest, options: JSONValue, session: any TargetSession,
                                outcome: inout LoadOutcome) throws {
        guard request.facts.guardsDeletions else { return }
        let guardrail = request.deletionGuard
        outcome.overDeletionGuard = outcome.tables.filter { guardrail.exceeded(deleted: $0.deleted, live: $0.liveBefore) }
        guard !outcome.overDeletionGuard.isEmpty else { return }
        if request.refusesOverDeletion { throw DeletionGuardError(tables: outcome.overDeletionGuard, deletionGuard: guardrail) }
        let allowed = JSONValue.array(outcome.overDeletionGuard.map {
            .object([("table", .string($0.table)), ("deleted", .int($0.deleted)), ("live", .int($0.liveBefore))])
        })
        try session.recordOptions(options.adding("allowedDeletions", allowed), run: outcome.runID)
    }
}
