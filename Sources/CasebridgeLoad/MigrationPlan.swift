import CasebridgeCheck
import CasebridgeModel
import CasebridgeRead
import CasebridgeStore
import CasebridgeTarget
import Foundation

/// What a migration settles before the long read, from the export's envelope and the target's history:
/// whether the export may load at all (an export already loaded, older than the last, or leaving a gap
/// is settled here, and again inside the load's transaction), and, for a delta, what state it builds on.
struct MigrationPlan {
    /// A delta continuing the staging the last run kept: where it is, and where the delta's records go.
    struct KeptStaging {
        var file: StagingFile
        var continuation: ExportStaging.Continuation
    }

    var header: ExportHeader
    var state: TargetState
    /// A warning when a delta's `since` is not the `exportedAt` of the last export loaded.
    var sinceWarning: String?
    /// The file each loaded export was read from, by sequence: findings and quarantine about records a
    /// delta carries over name the export that sent them.
    var sourceFiles: [Int: String] = [:]
    /// For a delta, the token the target held when its state was read: the load checks, inside its
    /// transaction, that no other run changed the state meanwhile.
    var expectedStateToken: String?
    /// The staging the delta continues, if the last run kept one that matches the target.
    var keptStaging: KeptStaging?
    /// Where the export is staged: the kept staging, or a temporary file (gone when the run ends,
    /// however it ends, unless the run commits and keeps it for the next delta: then it is made beside
    /// where it will be kept).
    var stagingFile: StagingFile
    /// Whether the run keeps its staging for the next delta once it commits: a run that writes an
    /// export with a sequence.
    var keepsStaging: Bool

    static func settle(export path: String, migration: Migration, engine: any TargetEngine, dryRun: Bool) throws -> MigrationPlan {
        let state = try engine.inspect(mapping: migration.target, dryRun: dryRun)
        if state == .casebridge, !dryRun { try engine.probeLock() }
        let values = try ExportReader(mapping: migration.mapping).readEnvelope(path: path).values
        let header = ExportHeader(file: path, exportId: values["exportId"], sequence: values["sequence"].flatMap { Int($0) },
                                  kind: values["kind"])
        let keepsStaging = !dryRun && header.sequence != nil
        var plan = MigrationPlan(header: header, state: state,
                                 stagingFile: keepsStaging ? .temporary(becoming: engine.keptStagingPath) : .temporary(),
                                 keepsStaging: keepsStaging)
        do {
            let runs = state == .casebridge ? try engine.runs() : nil
            _ = try SequenceCheck.position(in: runs, export: header, allowGap: migration.allowGap,
                                           exportDigest: { FileDigest.sha256(path: path) })
            guard header.kind == "delta", let runs, let sequence = header.sequence else { return plan }
            plan.sinceWarning = try sinceWarning(since: values["since"], runs: runs)
            for run in try runs.loadedRuns() { if let sequence = run.sequence { plan.sourceFiles[sequence] = run.exportFile } }
            // The token is read before the state is.
            plan.expectedStateToken = try runs.stateToken()
            if !dryRun, let token = plan.expectedStateToken,
               let newFrom = StateCache.continuable(at: engine.keptStagingPath, token: token, mapping: migration.target) {
                plan.keptStaging = KeptStaging(file: StagingFile(keptAt: engine.keptStagingPath),
                                               continuation: ExportStaging.Continuation(ridOffset: newFrom, sequence: sequence))
                plan.stagingFile = plan.keptStaging!.file
            } else if dryRun, let token = plan.expectedStateToken,
                      let copy = StateCache.copyForDryRun(at: engine.keptStagingPath, token: token, mapping: migration.target) {
                // A dry run continues a copy of the kept staging, which goes when the run ends.
                plan.keptStaging = KeptStaging(file: copy.file,
                                               continuation: ExportStaging.Continuation(ridOffset: copy.newFrom, sequence: sequence))
                plan.stagingFile = copy.file
            }
            return plan
        } catch let error as DatabaseError {
            throw TargetError(engine.name, "cannot read the target's runs: \(error.message)")
        }
    }

    /// A warning when a delta's `since` is not the `exportedAt` of the last export loaded: changes made in
    /// between may be in no export the target received.
    private static func sinceWarning(since: String?, runs: any TargetRuns) throws -> String? {
        guard let last = try runs.lastLoadedRun(), let exportedAt = last.exportedAt, since != exportedAt else { return nil }
        return "the delta's since (\(since ?? "missing")) is not the exportedAt of the last export loaded "
            + "(sequence \(last.sequence.map(String.init) ?? "?"), \(exportedAt)): changes made between the two may be in no export this target received"
    }
}
