import CasebridgeModel
import CasebridgeRead
import CasebridgeStore

/// A loaded run, as the target's history holds it.
public struct LoadedRun: Sendable, Equatable {
    public var runID: Int64
    public var exportID: String?
    public var sequence: Int?
    public var finishedAt: String?
    public var exportedAt: String?
    /// The SHA-256 of the export file's bytes (`nil` for a run of an older Casebridge, which did not record it).
    public var exportSHA256: String?
    public var exportFile: String
}

/// The runs a target has loaded: what sequence discipline, a delta's warnings and the files findings
/// name read, before the load and again inside its transaction.
public protocol TargetRuns {
    /// The first run that loaded an export with `sequence`, if any.
    func loadedRun(sequence: Int) throws -> LoadedRun?
    /// The loaded run with the highest sequence, if any.
    func lastLoadedRun() throws -> LoadedRun?
    /// Every loaded run that has a sequence.
    func loadedRuns() throws -> [LoadedRun]
    /// The token the target recorded with its last load (the kept staging matches it, ``StateCache``).
    func stateToken() throws -> String?
}

/// A target database, whatever engine holds it: the seam between the load and the SQL of one engine.
///
/// The load (`CasebridgeLoad`'s `Loader`) decides what happens, in what order; an engine says how, in
/// its own SQL, and no other code speaks to the target. ``SQLiteTarget`` is the embedded engine.
///
/// ```swift
/// let target = SQLiteTarget(path: "target.db", lockTimeout: 5)
/// let state = try target.inspect(mapping: mapping, dryRun: false)
/// let outcome = try target.transaction(staging: staging.path, creating: state == .fresh) { session in
///     (try loader.load(into: session, …), dryRun ? .rollback : .commit)
/// }
/// ```
public protocol TargetEngine: AnyObject {
    /// The target as messages name it: a path, or a host and a database (never a password).
    var name: String { get }
    /// Where the staging a committed run keeps for the next delta lives: a local file, whatever the engine.
    var keptStagingPath: String { get }
    /// From when, in a load's transaction, the staging may be written (made ready for the next delta)
    /// without changing what the load reads of it.
    var stagingWritable: StagingWritable { get }
    /// Whether the load saves the live state while the rows each table receives are still being
    /// prepared in the staging (by another connection, the staging in WAL mode): it then reads the
    /// staged records as they were when it first read them, and the prepared rows from
    /// ``TargetSession/readPreparedRows()`` on. Otherwise the rows are prepared before the load begins.
    var savesStateWhileRowsArePrepared: Bool { get }
    /// What the target holds, without changing it; a target that is not a Casebridge target of `mapping`,
    /// or cannot be written (unless `dryRun`), is refused with a ``TargetError``.
    func inspect(mapping: TargetMapping, dryRun: Bool) throws -> TargetState
    /// Fails at once, before the long read, when another process holds the target.
    func probeLock() throws
    /// The target's runs, read without a transaction; `nil` when the target holds none yet.
    func runs() throws -> (any TargetRuns)?
    /// The target's whole history, for the commands that only read it (`status`, `report`): a target
    /// that is not a Casebridge target, or holds nothing yet, is refused with a ``TargetError``.
    func history() throws -> any TargetHistory
    /// Completes a delta's staging with the records of the target's live state that the delta neither
    /// writes again nor deletes (see `LiveState`); the delta's own records get locations naming `sequence`.
    func carryLiveState(into staging: StagingStore, sequence: Int) throws
    /// Runs `body` in one transaction on the target, with the staging database at `stagingPath` readable,
    /// and commits or rolls back as `body` says. With `creating`, the target does not exist yet: it is
    /// built whole and appears only once committed. A failure, or a kill, leaves the target as it was.
    func transaction<T>(staging stagingPath: String, creating: Bool,
                        _ body: (any TargetSession) throws -> (T, TransactionEnd)) throws -> T
}

/// From when, in a load's transaction, the staging may be written without changing what the load reads.
public enum StagingWritable: Sendable {
    /// Once the load has taken its view of the prepared rows (``TargetSession/readPreparedRows()``): it
    /// reads the staging as it was then, until the transaction ends (an SQLite target attaches it read
    /// only, ``Database/attach(_:as:readOnly:)``). Another connection may then write it only when it is
    /// in WAL mode (``StagingStore/shareForReading(whileWritten:)``).
    case oncePreparedRowsRead
    /// Once the run's findings are stored: the load reads the staging no more after that (a PostgreSQL
    /// target, which reads it on a connection of the session's own).
    case onceFindingsStored
}

/// What the load does inside the target's transaction, step by step: each step one engine's SQL.
public protocol TargetSession: TargetRuns {
    /// Creates the target's schema and Casebridge's bookkeeping in a new target.
    func createSchema(_ mapping: TargetMapping) throws
    /// Brings an older target's bookkeeping to this Casebridge's version.
    func upgradeBookkeeping() throws
    /// Records a run about to load `facts`' export with `options`; returns its id.
    func beginRun(_ facts: RunFacts, options: JSONValue) throws -> Int64
    /// Replaces the options recorded with run `run`.
    func recordOptions(_ options: JSONValue, run: Int64) throws
    /// Classifies the staged rows of `table` against lineage, writes the new and changed ones, archives
    /// the ones no longer produced, and says what it did.
    func loadTable(_ table: TableMapping, run: Int64, facts: RunFacts) throws -> TableChanges
    /// Stores the content of every loaded part the target does not hold yet, once per SHA-256, verified
    /// as written; adds what it stored and reused to `outcome`.
    func storeContent(in table: String, facts: RunFacts, source: ContentSource, outcome: inout LoadOutcome) throws
    /// Stores the quarantined records with their reasons and raw XML (read from `source`); returns how many.
    func storeQuarantine(run: Int64, facts: RunFacts, source: ContentSource) throws -> Int
    /// Stores the run's findings, completed from the staging; returns how many.
    func storeFindings(_ findings: CompletedFindings, run: Int64) throws -> Int
    /// Compares the run's findings with the previous loaded run's: how many are new and how many resolved.
    func compareFindings(run: Int64) throws -> (new: Int, resolved: Int)
    /// Brings the target's live state up to date with the staging.
    func saveLiveState(sequence: Int, isFull: Bool, continuedFrom: Int?) throws
    /// Takes the view of the staging, its prepared rows done, that the rest of the load reads.
    func readPreparedRows() throws
    /// Records the token the staging kept after this run matches (`nil`: none does).
    func recordStateToken(_ token: String?) throws
    /// Records what the run did and marks it loaded.
    func finishRun(_ outcome: LoadOutcome, reconciliation: [KindReconciliation]) throws
}

/// Where a load reads what the staging does not hold: the export file itself (raw XML of quarantined
/// records, `href` attachments beside it) and the decoded inline content of its parts.
public struct ContentSource {
    /// The export file as read.
    public var exportPath: String
    /// The decoded inline content of the parts, as the read kept it.
    public var pack: ContentPack

    public init(exportPath: String, pack: ContentPack) {
        self.exportPath = exportPath
        self.pack = pack
    }
}
