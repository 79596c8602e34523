import CasebridgeCheck
import CasebridgeMapping
import CasebridgeModel
import CasebridgeRead
import CasebridgeStore
import CasebridgeTarget
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Records of some kind that neither load nor are quarantined: the run fails rather than lose them.
public struct ReconciliationError: ExitStatusError, Sendable {
    public var exitStatus: ExitStatus { .unreconciled }

    public var kinds: [KindReconciliation]

    public var description: String {
        let parts = kinds.map {
            "\($0.kind.rawValue): read \($0.read), loaded \($0.loaded), quarantined \($0.quarantined), \($0.unaccounted) would be lost"
        }
        return "the run does not reconcile (\(parts.joined(separator: "; "))): no target table takes those records; "
            + "add a table for them to the target mapping. Nothing was changed"
    }
}

/// What a migrate run did (or, dry, would do).
public struct MigrationResult: Sendable {
    public var dryRun: Bool
    public var target: String
    public var check: CheckResult
    public var reconciliation: [KindReconciliation]
    public var load: LoadOutcome
    /// Seconds spent reading and staging the export, and then checking and loading it (the rules run
    /// beside the load).
    public var checkSeconds: Double
    public var loadSeconds: Double
}

/// Read → stage → check → load, for one export into one target.
///
/// ```swift
/// let result = try Migration(mapping: mapping, policy: policy, target: TargetMapping.load(path: TargetMapping.builtInPath))
///     .run(export: "export.xml", into: "target.db")
/// ```
///
/// Its phases hand their values on: settle the export's place in the target's history
/// (``MigrationPlan``), read it into staging (``ExportStaging``; a delta completed with the live state it
/// changes), prepare the rows each target table would receive (``IncomingRows``) and then judge them with
/// the rules (``Judge``) on a thread of their own, while the load (``Loader``) runs in one transaction of
/// the target's engine (``TargetEngine``): into SQLite it saves the live state while the rows are
/// prepared, and every engine loads the tables once they are (the load and the rules only read the
/// staging then; the load stores the findings once they are made),
/// and keep the staging, with the findings it carries, for the next delta. A run that fails or is killed
/// leaves the target as it was; a dry run does all of it and rolls back.
public struct Migration {
    public var mapping: Mapping
    public var policy: Policy
    public var target: TargetMapping
    public var rules: [any IntegrityRule]
    /// How long to wait for another process's lock on the target before giving up.
    public var lockTimeout: Double = 5
    /// Recorded with the run: the options it was given.
    public var options: JSONValue = .object([])
    /// Load an export whose sequence leaves a gap after the last one loaded (the gap is recorded).
    public var allowGap = false
    /// Load a full export even when it deletes more of a table than the policy's deletion guard allows
    /// (what it deleted is recorded with the run).
    public var allowDeletions = false
    /// Refuse the export, before judging or loading anything, when the mapping's coverage warns
    /// (a path that matched nothing, a required field empty in every record): ``MappingCoverageError``.
    public var strictMapping = false

    public init(mapping: Mapping, policy: Policy, target: TargetMapping, rules: [any IntegrityRule] = RuleRegistry.all) {
        self.mapping = mapping
        self.policy = policy
        self.target = target
        self.rules = rules
    }

    /// Migrates the export at `path` into `target`: an SQLite file's path, or a PostgreSQL connection string
    /// (``TargetEngines``; its tables in the target mapping's schema); created when it does not exist.
    /// `displayName` is how findings and the run name the export (default: `path`).
    public func run(export path: String, displayName: String? = nil, into target: String, dryRun: Bool = false,
                    readProgress: ((Int64, Int64) -> Void)? = nil, progress: @escaping (String) -> Void = { _ in }) throws -> MigrationResult {
        let engine = try TargetEngines.open(target: target, schema: self.target.postgresSchema, lockTimeout: lockTimeout)
        return try run(export: path, displayName: displayName, into: engine, dryRun: dryRun, readProgress: readProgress, progress: progress)
    }

    /// Migrates the export at `path` into the target `engine` holds.
    public func run(export path: String, displayName: String? = nil, into engine: any TargetEngine, dryRun: Bool = false,
                    readProgress: ((Int64, Int64) -> Void)? = nil, progress: @escaping (String) -> Void = { _ in }) throws -> MigrationResult {
        let started = Date()
        // The run's audit names the build, as the findings a delta carries are tied to it.
        CasebridgeBuild.prepareDigest()
        let plan = try MigrationPlan.settle(export: path, migration: self, engine: engine, dryRun: dryRun)
        let stateToken = UUID().uuidString
        if let kept = plan.keptStaging {
            do {
                try StateCache.begin(kept.file.path, runToken: stateToken)
            } catch let error as DatabaseError {
                throw TargetError.writing(kept.file.path, error, what: "the staging kept beside the target")
            }
        }
        let pack = ContentPack()
        var staged: StagedExport
        var judge = Judge(policy: policy, rules: rules)
        judge.sourceFiles = plan.sourceFiles
        judge.mergesDeltaWithState = true
        // A committed run with a sequence keeps its staging for the next delta, made ready while the load
        // finishes (``StagingKeeper``); it carries the findings of rules that judge one record at a time,
        // written once the load has read the staging (the rules run beside it, below).
        judge.keepsFindings = plan.keepsStaging
        judge.defersKeeping = true
        let sharedEarly = engine.savesStateWhileRowsArePrepared
        do {
            staged = try stage(path, displayName: displayName, plan: plan, engine: engine, pack: pack,
                               readProgress: readProgress, progress: progress)
            let coverage = staged.summary.coverage.warnings
            if strictMapping, !coverage.isEmpty { throw MappingCoverageError(warnings: coverage) }
            // A load that saves the live state while the rows are prepared reads the staging meanwhile,
            // which another connection writes: in WAL mode from now on (as the staging a run keeps
            // must be while it is made ready beside the load).
            if sharedEarly { try staged.staging.shareForReading(whileWritten: true) }
        } catch let error as DatabaseError {
            // Staging failed (the load's own failures arrive as TargetError): most often a full disk.
            throw TargetError.writingStaging(plan.stagingFile.path, error)
        }
        let checkSeconds = Date().timeIntervalSince(started)
        let loadStart = Date()
        // On a thread of their own, the rows each target table receives are prepared (deciding which
        // records they cannot take, so that the rules see them quarantined), then the rules judge while
        // the tables load (both only read the staging), and their findings are completed for storing.
        progress("preparing rows for \(target.tables.count) tables")
        let rows = PreparedRows(stagingPath: plan.stagingFile.path)
        let incoming = IncomingRows(mapping: target, staging: staged.staging)
        let judging = Judging(judge: judge, staged: staged, rows: rows) { [staged] in
            let start = Date()
            try incoming.prepare(newFrom: staged.continuing?.ridOffset)
            staged.timings.index += Date().timeIntervalSince(start)
            let reconciliation = try incoming.reconcile(newFrom: staged.continuing?.ridOffset)
            let unaccounted = reconciliation.filter { $0.unaccounted != 0 }
            if !unaccounted.isEmpty { throw ReconciliationError(kinds: unaccounted) }
            if !sharedEarly { try staged.staging.shareForReading() }
            return reconciliation
        }
        let findings = CompletedFindings.start(staging: staged.file.path, asOf: staged.header.asOf?.iso) { try judging.run() }
        defer { findings.waitUntilDone() }
        // An engine that reads the staging only once its rows are prepared begins its load then.
        if !sharedEarly { _ = try rows.reconciliation() }
        var facts = RunFacts(exportFile: staged.header.file, export: staged.header,
                             options: Self.recording(coverage: staged.summary.coverage.warnings, in: options), startedAt: started)
        facts.sourceFiles = plan.sourceFiles
        facts.continuedFrom = staged.continuing?.ridOffset
        facts.stateToken = dryRun ? nil : stateToken
        facts.expectedStateToken = plan.expectedStateToken
        facts.exportSHA256 = staged.summary.sha256
        facts.audit = .current(mappingFile: mapping.file, policyFile: policy.file, targetMappingFile: target.path)
        var request = LoadRequest(facts: facts, findings: findings, rows: rows, savesStateFirst: sharedEarly,
                                  source: ContentSource(exportPath: path, pack: pack), allowGap: allowGap,
                                  deletionGuard: policy.deletionGuard, refusesOverDeletion: !dryRun && !allowDeletions)
        if plan.keepsStaging {
            request.keeper = StagingKeeper(staging: staged.staging, file: staged.file, keptAt: engine.keptStagingPath, token: stateToken,
                                           mapping: target, newFrom: staged.continuing?.ridOffset,
                                           writable: engine.stagingWritable, findings: findings)
        }
        // A run that fails leaves nothing working on the staging behind it.
        defer { request.keeper?.waitUntilPrepared() }
        let loader = Loader(mapping: target, progress: progress)
        let outcome = try engine.transaction(staging: staged.file.path, creating: plan.state == .fresh) { session in
            let outcome = try loader.load(request, into: session, fresh: plan.state == .fresh)
            if !dryRun { progress("committing") }
            return (outcome, dryRun ? .rollback : .commit)
        }
        // The load stored the findings, so the rules are done.
        let judgement = judging.judgement()
        var notKept: String?
        if let keeper = request.keeper {
            progress("keeping the live state's staging for the next delta")
            notKept = keeper.keep { try judge.keep(judgement, in: staged.staging) }
        }
        var check = CheckResult(staged, judgement)
        check.warnings += [plan.sinceWarning, notKept].compactMap { $0 }
        return MigrationResult(dryRun: dryRun, target: engine.name, check: check, reconciliation: try rows.reconciliation(), load: outcome,
                               checkSeconds: checkSeconds, loadSeconds: Date().timeIntervalSince(loadStart))
    }

    /// The run's options with the mapping's coverage warnings, when there are any, as `mappingWarnings`:
    /// a run that read less than its mapping names says so in the target's history.
    private static func recording(coverage warnings: [String], in options: JSONValue) -> JSONValue {
        guard !warnings.isEmpty, case .object(let members) = options else { return options }
        return .object(members + [("mappingWarnings", .array(warnings.map { .string($0) }))])
    }

    /// Reads the export into the staging `plan` chose, completes a delta with the live state it changes,
    /// and stages it.
    private func stage(_ path: String, displayName: String?, plan: MigrationPlan, engine: any TargetEngine, pack: ContentPack,
                       readProgress: ((Int64, Int64) -> Void)?, progress: @escaping (String) -> Void) throws -> StagedExport {
        var staging = ExportStaging(mapping: mapping)
        staging.hashesExport = true
        if plan.keepsStaging { staging.locationsNaming = plan.header.sequence }
        let read = try staging.read(export: path, displayName: displayName, into: plan.stagingFile, continuing: plan.keptStaging?.continuation,
                                    pack: pack, progress: readProgress)
        if let kept = plan.keptStaging {
            progress("applying the delta to the live state kept by the last run")
            try StateCache.applyDelta(to: read.staging, newFrom: kept.continuation.ridOffset, mapping: target)
        } else if plan.header.kind == "delta", let sequence = plan.header.sequence {
            progress("carrying the target's live state into the delta")
            try engine.carryLiveState(into: read.staging, sequence: sequence)
        }
        return try read.finish(policy: policy)
    }
}

/// The rules' judgement of a staged export, made on the thread that runs them (``run()``) once it has
/// prepared the rows each target table receives, and read once it is done (``judgement()``): the
/// staging's own connection is that thread's meanwhile.
private final class Judging: @unchecked Sendable {
    private let judge: Judge
    private let staged: StagedExport
    private let rows: PreparedRows
    /// Prepares the rows; returns the reconciliation.
    private let prepare: () throws -> [KindReconciliation]
    private let lock = NSLock()
    private var made: Judgement?

    init(judge: Judge, staged: StagedExport, rows: PreparedRows, prepare: @escaping () throws -> [KindReconciliation]) {
        self.judge = judge
        self.staged = staged
        self.rows = rows
        self.prepare = prepare
    }

    /// Prepares the rows, then judges the export; returns its findings.
    func run() throws -> [Finding] {
        try rows.make(prepare)
        let judgement = try judge.judge(staged)
        lock.withLock { made = judgement }
        return judgement.document.findings
    }

    /// The judgement ``run()`` made: asked only once the load stored the findings it gave.
    func judgement() -> Judgement {
        lock.withLock { made }!
    }
}
