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
    /// Seconds spent reading and checking, and loading.
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
/// The load is one transaction on the target: a run that fails or is killed leaves the target as it
/// was (a target that did not exist is built under a temporary name and renamed into place only once
/// committed). A dry run does all of it and rolls back.
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

    public init(mapping: Mapping, policy: Policy, target: TargetMapping, rules: [any IntegrityRule] = RuleRegistry.all) {
        self.mapping = mapping
        self.policy = policy
        self.target = target
        self.rules = rules
    }

    public func run(export path: String, displayName: String? = nil, into targetPath: String, dryRun: Bool = false,
                    readProgress: ((Int64, Int64) -> Void)? = nil, progress: @escaping (String) -> Void = { _ in }) throws -> MigrationResult {
        let started = Date()
        // Two runs creating one new target: the second waits here for the first, then finds it made.
        let creating = dryRun ? nil : try creationLock(targetPath)
        let state = try TargetDatabase.inspect(path: targetPath, mapping: target, dryRun: dryRun)
        let exists = FileManager.default.fileExists(atPath: targetPath)
        if exists { creating?.release() }
        if exists, !dryRun { try probeLock(targetPath) }
        // An export already loaded, older than the last, or leaving a gap is settled before the long read.
        let (header, sinceWarning) = try checkSequence(of: path, against: state == .casebridge ? targetPath : nil)
        // A delta is checked and loaded as the whole state it changes: read into the staging the last
        // run kept (StateCache) and applied there, or, when there is none to continue, into a staging
        // completed with the records of the target's live state that it does not replace or delete.
        var applyDelta: ((StagingStore) throws -> Void)?
        var sourceFiles: [Int: String] = [:]
        var continuing: (newFrom: Int, sequence: Int)?
        // A delta builds on the state the target holds now; the load checks, inside its transaction,
        // that no other run changed it meanwhile (the token is read before the state is).
        var expectedStateToken: String?
        if header.kind == "delta", let sequence = header.sequence {
            sourceFiles = try Self.exportFiles(of: targetPath)
            if !dryRun, let (newFrom, token) = StateCache.continuable(target: targetPath, mapping: target) {
                continuing = (newFrom, sequence)
                expectedStateToken = token
                applyDelta = { [target] staging in
                    progress("applying the delta to the live state kept by the last run")
                    try StateCache.applyDelta(to: staging, newFrom: newFrom, mapping: target)
                }
            } else {
                expectedStateToken = StateCache.targetToken(targetPath)
                applyDelta = { staging in
                    progress("carrying the target's live state into the delta")
                    try LiveState.carry(into: staging, from: targetPath, sequence: sequence)
                }
            }
        }

        // Where the load happens: in place, or (for a target that does not exist yet) under a
        // temporary name renamed into place after the commit.
        let workPath: String
        if exists {
            workPath = targetPath
        } else if dryRun {
            workPath = CheckRun.temporaryPath()
        } else {
            Self.removeAbandoned(besides: targetPath)
            let url = URL(fileURLWithPath: targetPath)
            workPath = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).casebridge-new-\(getpid())").path
            CheckRun.remove(workPath)
        }
        defer { if !exists { CheckRun.remove(workPath) } }

        let pack = ContentPack()
        // Staging holds the export's personal data: it goes when the run ends, however it ends, unless
        // the run commits, when it is kept (0600, beside the target) for the next delta.
        let cachePath = StateCache.path(forTarget: targetPath)
        let stagingPath = continuing == nil ? CheckRun.temporaryPath() : cachePath
        defer { if continuing == nil { CheckRun.remove(stagingPath) } }
        let stateToken = UUID().uuidString
        if continuing != nil {
            do {
                try StateCache.begin(cachePath, runToken: stateToken)
            } catch let error as DatabaseError {
                throw TargetError.writing(cachePath, error, what: "the staging kept beside the target")
            }
        }
        var reconciliation: [KindReconciliation] = []
        var outcome: LoadOutcome?
        var checkSeconds = 0.0
        var loadStart = Date()
        let incoming = { (staging: StagingStore) in IncomingRows(mapping: target, staging: staging) }
        var check: CheckResult
        do {
            var checkRun = CheckRun(mapping: mapping, policy: policy, rules: rules, stagingPath: stagingPath)
            checkRun.sourceFiles = sourceFiles
            checkRun.continuing = continuing.map { (ridOffset: $0.newFrom, sequence: $0.sequence) }
            // A staging a committed run keeps carries the findings of rules that judge one record at a time.
            checkRun.carriesFindings = !dryRun && header.sequence != nil
            checkRun.hashesExport = true
            check = try checkRun.run(
                export: path, displayName: displayName, pack: pack, progress: readProgress, afterRead: applyDelta,
                beforeRules: { staging in
                    progress("preparing rows for \(target.tables.count) tables")
                    try incoming(staging).prepare(newFrom: continuing?.newFrom)
                },
                afterCheck: { staging, result in
                    checkSeconds = Date().timeIntervalSince(started)
                    loadStart = Date()
                    reconciliation = try incoming(staging).reconcile(newFrom: continuing?.newFrom)
                    let unaccounted = reconciliation.filter { $0.unaccounted != 0 }
                    if !unaccounted.isEmpty { throw ReconciliationError(kinds: unaccounted) }
                    try staging.shareForReading()
                    outcome = try load(workPath: workPath, fresh: state == .fresh, stagingPath: stagingPath, exportPath: path,
                                       result: result, reconciliation: reconciliation, pack: pack, dryRun: dryRun,
                                       started: started, sourceFiles: sourceFiles, continuedFrom: continuing?.newFrom,
                                       stateToken: stateToken, expectedStateToken: expectedStateToken, progress: progress)
                })
        } catch let error as DatabaseError {
            // Staging failed (the load's own failures arrive as TargetError): most often a full disk.
            throw TargetError.writing(stagingPath, error, what: "the staging database")
        }
        if !exists, !dryRun {
            // A link never replaces a file: whatever appeared at the target's path meanwhile is left as it is.
            guard link(workPath, targetPath) == 0 else {
                let reason = errno == EEXIST ? "another program created a file there while this run built the new target; that file was left as it is"
                    : String(cString: strerror(errno))
                throw TargetError(targetPath, "the new target could not be moved into place: \(reason); nothing was changed")
            }
            unlink(workPath)
            // Anyone waiting to create the target now finds it made (see creationLock).
            creating?.removeAndRelease()
            // The rename itself is durable once the folder is synced.
            let folder = open(URL(fileURLWithPath: targetPath).deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
            if folder >= 0 {
                fsync(folder)
                close(folder)
            }
        }
        if !dryRun, let sequence = header.sequence {
            progress("keeping the live state's staging for the next delta")
            if let continuing {
                do {
                    try StateCache.seal(cachePath, token: stateToken, mapping: target, sequence: sequence, newFrom: continuing.newFrom)
                } catch {
                    CheckRun.remove(cachePath)
                }
            } else {
                StateCache.keep(staging: stagingPath, target: targetPath, token: stateToken, mapping: target, sequence: sequence)
            }
        }
        if let sinceWarning { check.warnings.append(sinceWarning) }
        return MigrationResult(dryRun: dryRun, target: targetPath, check: check, reconciliation: reconciliation, load: outcome!,
                               checkSeconds: checkSeconds, loadSeconds: Date().timeIntervalSince(loadStart))
    }

    /// For a target that does not exist yet: the lock (`DB.casebridge-create`) that makes two runs creating
    /// it at once take turns, waiting up to ``lockTimeout``; `nil` for a target that exists. The one that
    /// creates the target removes the file as it lets go, so a run that waited finds the target made,
    /// and later runs need no lock (SQLite's own locks hold an existing target).
    private func creationLock(_ targetPath: String) throws -> FileLock? {
        guard !FileManager.default.fileExists(atPath: targetPath) else { return nil }
        let path = targetPath + ".casebridge-create"
        do {
            return try FileLock(path: path, wait: lockTimeout)
        } catch let .busy(holder) {
            throw TargetError(targetPath, "another casebridge\(holder.map { " (pid \($0))" } ?? "") is creating this target "
                + "and did not finish within \(lockTimeout) s (--lock-timeout); nothing was changed")
        } catch let .unavailable(reason) {
            throw TargetError(targetPath, "\(path): \(reason)")
        }
    }

    /// Removes the half-built new targets that killed runs left beside `targetPath` (named after their
    /// process, which no longer exists).
    static func removeAbandoned(besides targetPath: String) {
        let url = URL(fileURLWithPath: targetPath)
        let prefix = ".\(url.lastPathComponent).casebridge-new-"
        let folder = url.deletingLastPathComponent()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where name.hasPrefix(prefix) {
            var digits = String(name.dropFirst(prefix.count))
            if digits.hasSuffix("-journal") { digits.removeLast("-journal".count) }
            guard let pid = Int32(digits), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// The file each loaded export was read from, by sequence: findings and quarantine about records a
    /// delta carries over name the export that sent them.
    static func exportFiles(of targetPath: String) throws -> [Int: String] {
        do {
            let database = try Database(path: targetPath, readOnly: true, create: false)
            var files: [Int: String] = [:]
            for row in try database.rows("SELECT sequence, export_file FROM casebridge_run WHERE outcome = 'loaded' AND sequence IS NOT NULL") {
                if let sequence = row.int("sequence"), let file = row["export_file"] { files[sequence] = file }
            }
            return files
        } catch let error as DatabaseError {
            throw TargetError(targetPath, "cannot read the target's runs: \(error.message)")
        }
    }

    /// Reads the export's envelope only, and throws ``ExportAlreadyLoaded`` or ``SequenceError`` when its
    /// sequence does not follow the target's last loaded export.
    /// Also returns a warning when a delta's `since` is not the `exportedAt` of the last export loaded
    /// (changes made in between may be in no export the target received).
    private func checkSequence(of path: String, against targetPath: String?) throws -> (header: ExportHeader, warning: String?) {
        let values = try ExportReader(mapping: mapping).readEnvelope(path: path).values
        let header = ExportHeader(file: path, exportId: values["exportId"], sequence: values["sequence"].flatMap { Int($0) },
                                  kind: values["kind"])
        do {
            let database = try targetPath.map { try Database(path: $0, readOnly: true, create: false) }
            database?.setBusyTimeout(milliseconds: Int(lockTimeout * 1000))
            _ = try SequenceCheck.position(in: database, export: header, allowGap: allowGap,
                                           exportDigest: { FileDigest.sha256(path: path) })
            guard header.kind == "delta", let database, let last = try database.rows("""
                SELECT sequence, exported_at FROM casebridge_run WHERE outcome = 'loaded' ORDER BY sequence DESC LIMIT 1
                """).first, let exportedAt = last["exported_at"], values["since"] != exportedAt else {
                return (header, nil)
            }
            return (header, "the delta's since (\(values["since"] ?? "missing")) is not the exportedAt of the last export loaded "
                + "(sequence \(last["sequence"] ?? "?"), \(exportedAt)): changes made between the two may be in no export this target received")
        } catch let error as DatabaseError {
            throw TargetError(targetPath ?? path, "cannot read the target's runs: \(error.message)")
        }
    }

    /// Fails at once, before the long read, when another process holds the target.
    private func probeLock(_ path: String) throws {
        do {
            let database = try Database(path: path, create: false)
            database.setBusyTimeout(milliseconds: Int(lockTimeout * 1000))
            try database.execute("BEGIN IMMEDIATE")
            try database.execute("ROLLBACK")
        } catch let error as DatabaseError {
            throw TargetError.writing(path, error)
        }
    }

    private func load(workPath: String, fresh: Bool, stagingPath: String, exportPath: String, result: CheckResult,
                      reconciliation: [KindReconciliation], pack: ContentPack, dryRun: Bool, started: Date,
                      sourceFiles: [Int: String], continuedFrom: Int?, stateToken: String, expectedStateToken: String?,
                      progress: @escaping (String) -> Void) throws -> LoadOutcome {
        do {
            let database = try Database(path: workPath)
            database.setBusyTimeout(milliseconds: Int(lockTimeout * 1000))
            try database.execute("PRAGMA cache_size = -65536")
            try database.execute("ATTACH DATABASE ? AS s", [.text(stagingPath)])
            try database.execute("BEGIN IMMEDIATE")
            do {
                let loader = Loader(mapping: target, database: database, exportPath: exportPath, pack: pack, allowGap: allowGap,
                                    deletionGuard: policy.deletionGuard, refusesOverDeletion: !dryRun && !allowDeletions,
                                    progress: progress)
                let facts = RunFacts(exportFile: result.document.export.file, export: result.document.export, options: options,
                                     startedAt: started, sourceFiles: sourceFiles, continuedFrom: continuedFrom,
                                     stateToken: dryRun ? nil : stateToken, expectedStateToken: expectedStateToken,
                                     exportSHA256: result.read.sha256, audit: .current(mappingFile: mapping.file, policyFile: policy.file, targetMappingFile: target.path))
                let outcome = try loader.load(fresh: fresh, facts: facts, reconciliation: reconciliation,
                                              findings: result.document.findings)
                if dryRun {
                    try database.execute("ROLLBACK")
                } else {
                    progress("committing")
                    try database.execute("COMMIT")
                }
                return outcome
            } catch {
                try? database.execute("ROLLBACK")
                throw error
            }
        } catch {
            // After a failed write (a full disk) SQLite may leave the rollback to the next connection:
            // open one now, so the target is back as it was before this process exits.
            Self.recover(workPath)
            if let error = error as? DatabaseError { throw TargetError.writing(workPath, error) }
            throw error
        }
    }

    /// Rolls back a transaction a failed connection left in the journal, by opening the file afresh.
    static func recover(_ path: String) {
        guard FileManager.default.fileExists(atPath: path + "-journal"),
              let database = try? Database(path: path, create: false) else { return }
        database.setBusyTimeout(milliseconds: 2000)
        _ = try? database.scalar("SELECT count(*) FROM sqlite_master")
    }
}
