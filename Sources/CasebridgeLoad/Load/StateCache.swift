import CasebridgeModel
import CasebridgeStore
import CasebridgeTarget
import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The staging database of the last run, kept beside the target (`<target>.casebridge-state`, mode
/// 0600): the live state already staged, indexed and turned into target rows, so that the next delta
/// reads its few records into it and changes it in place, instead of building the whole state again
/// from `casebridge_state_*` (``LiveState``).
///
/// It is a cache: the target is the truth. Each load records a fresh token in the target's
/// `casebridge_meta` and the kept staging carries the same token only once it matches the committed
/// target; a run that starts to change it first withdraws its token. So a run that fails, is killed, or
/// loads a full export leaves either a staging that matches the target or one that is not used (the
/// next delta then rebuilds the state from the target, and keeps a new staging).
enum StateCache {
    /// Raised when the kept staging's tables change shape.
    static let layoutVersion = 7

    /// What the kept staging must have been built with: this layout, and this target mapping.
    static func key(for mapping: TargetMapping) -> String {
        let yaml = FileManager.default.contents(atPath: mapping.path) ?? Data()
        let text = "\(layoutVersion)|\(mapping.ddlSHA256)|\(SHA256.hash(data: yaml).hex)"
        return SHA256.hash(data: Data(text.utf8)).hex
    }

    /// The first rid a delta's records get in the staging kept at `path`, when that staging can be
    /// continued: it exists, carries `token` (the one the target recorded with its last run), and was
    /// built with `mapping`. `nil` otherwise (the live state is then carried from the target).
    static func continuable(at path: String, token: String, mapping: TargetMapping) -> Int? {
        guard FileManager.default.fileExists(atPath: path),
              let cache = try? Database(path: path, readOnly: true, create: false),
              let values = try? cache.rows("SELECT key, value FROM \(StagingTable.cache)") else { return nil }
        var meta: [String: String] = [:]
        for row in values { if let key = row["key"] { meta[key] = row["value"] } }
        guard meta["token"] == token, meta["key"] == key(for: mapping) else { return nil }
        var highest = 0
        for kind in RecordKind.allCases {
            guard let rid = try? cache.scalar("SELECT max(rid) FROM \(StagingStore.table(kind))")?.int else { continue }
            highest = max(highest, rid)
        }
        return highest + 1
    }

    /// A temporary copy of the staging kept at `path`, for a dry run to continue as a delta does (the
    /// copy goes when the run ends; the kept staging stays as it was), and the first rid the delta's
    /// records get in it. `nil` when the kept staging cannot be continued, or when another run began to
    /// change it while it was copied (a run withdraws its token before it changes anything, so a token
    /// still in place after the copy means the copy is whole).
    static func copyForDryRun(at path: String, token: String, mapping: TargetMapping) -> (file: StagingFile, newFrom: Int)? {
        guard continuable(at: path, token: token, mapping: mapping) != nil else { return nil }
        let copy = StagingFile.temporary()
        guard (try? FileManager.default.copyItem(atPath: path, toPath: copy.path)) != nil,
              continuable(at: path, token: token, mapping: mapping) != nil,
              let newFrom = continuable(at: copy.path, token: token, mapping: mapping) else { return nil }
        return (copy, newFrom)
    }

    /// Withdraws the kept staging's token before the run `runToken` changes it, so that a run that does
    /// not finish leaves it unused (and a second run that starts on it meanwhile keeps the first from
    /// sealing it); and empties the tables that list what the delta changes.
    static func begin(_ path: String, runToken: String) throws {
        let database = try Database(path: path, create: false)
        // One transaction: each of its own would write, and wait for, a journal of its own.
        try database.transaction {
            try database.execute("UPDATE \(StagingTable.cache) SET value = ? WHERE key = 'token'", [.text("in use by " + runToken)])
            try StagingStore.emptyDeltaLists(in: database)
        }
    }

    /// Applies a delta read into the kept staging (its records from rid `newFrom` on): the old records
    /// it writes again (same kind and id) or deletes go, with what they own, their invalid values and
    /// their target rows (whose keys are listed in `stg_removed_keys`). The records go to `stg_dropped`;
    /// their kinds, ids and quarantine to `stg_dropped_ids` (with the ids of the records their invalid
    /// values are reported on, `quarantined` NULL); the values they hold in the fields target rows read
    /// them by (``TableDependency``) or rules judge them together by (``StagingStore/groupingFields``) to
    /// `stg_dropped_refs`.
    /// A deletion naming no record of the state is quarantined with that reason. Runs before staging
    /// decides quarantine.
    static func applyDelta(to staging: StagingStore, newFrom: Int, mapping: TargetMapping) throws {
        let database = staging.database
        try database.transaction {
            try staging.quarantineUnknownDeletions(kinds: LiveState.kinds.filter { $0.owner == nil }, state: { StagingStore.table($0) },
                                                   before: newFrom)
            for kind in LiveState.kinds where kind.owner == nil {
                let staged = StagingStore.table(kind)
                try database.execute("""
                    INSERT INTO \(StagingTable.dropped) (kind, rid)
                    SELECT ?1, o.rid FROM \(staged) o
                    WHERE o.rid < ?2 AND o.record_id IS NOT NULL
                      AND (o.record_id IN (SELECT record_id FROM \(staged) WHERE rid >= ?2 AND record_id IS NOT NULL)
                           OR o.record_id IN (SELECT id FROM \(StagingTable.records(.deleted)) WHERE kind = ?1 AND id IS NOT NULL))
                    """, [.text(kind.rawValue), .integer(Int64(newFrom))])
            }
            for kind in LiveState.kinds {
                guard let owner = kind.owner else { continue }
                try database.execute("""
                    INSERT INTO \(StagingTable.dropped) (kind, rid)
                    SELECT ?, o.rid FROM \(StagingStore.table(kind)) o
                    WHERE o.owner_rid IN (SELECT rid FROM \(StagingTable.dropped) WHERE kind = ?)
                    """, [.text(kind.rawValue), .text(owner.rawValue)])
            }
            // The ids of what goes (and whether it was quarantined), and of the records its invalid values are
            // reported on, for the rules that judge the records a delta changed (StagingStore.markChanges).
            for kind in LiveState.kinds {
                try database.execute("""
                    INSERT INTO \(StagingTable.droppedIDs) (kind, record_id, quarantined)
                    SELECT ?1, record_id, quarantined FROM \(StagingStore.table(kind))
                    WHERE rid IN (SELECT rid FROM \(StagingTable.dropped) WHERE kind = ?1) AND record_id IS NOT NULL
                    """, [.text(kind.rawValue)])
            }
            try database.execute("""
                INSERT INTO \(StagingTable.droppedIDs) (kind, record_id)
                SELECT reported_kind, record_id FROM \(StagingTable.invalid) WHERE rid IN (SELECT rid FROM \(StagingTable.dropped)) AND record_id IS NOT NULL
                """)
            // The values the records that go hold in the fields target rows read them by (a Plan's
            // `person`, TableMapping.dependsOn) and rules judge them together by (a copy's `origin`).
            var fields = Set(mapping.tables.flatMap(\.dependsOn).filter(\.isShared))
            for (kind, names) in StagingStore.groupingFields {
                for name in names { fields.insert(TableDependency(kind: kind, field: name)) }
            }
            for dependency in fields.sorted(by: { ($0.kind, $0.field) < ($1.kind, $1.field) }) {
                let field = quotedName(dependency.field)
                try database.execute("""
                    INSERT INTO \(StagingTable.droppedRefs) (kind, field, value)
                    SELECT ?1, ?2, \(field) FROM \(StagingStore.table(dependency.kind))
                    WHERE rid IN (SELECT rid FROM \(StagingTable.dropped) WHERE kind = ?1) AND \(field) IS NOT NULL
                    """, [.text(dependency.kind.rawValue), .text(dependency.field)])
            }
            for table in mapping.tables {
                let incoming = table.incoming
                try database.execute("""
                    INSERT INTO \(StagingTable.removedKeys) (tbl, key)
                    SELECT ?, _key FROM \(incoming) WHERE _rid IN (SELECT rid FROM \(StagingTable.dropped) WHERE kind = ?) AND _key IS NOT NULL
                    """, [.text(table.table), .text(table.from.rawValue)])
                try database.execute("DELETE FROM \(incoming) WHERE _rid IN (SELECT rid FROM \(StagingTable.dropped) WHERE kind = ?)",
                                     [.text(table.from.rawValue)])
            }
            for kind in LiveState.kinds {
                try database.execute("DELETE FROM \(StagingStore.table(kind)) WHERE rid IN (SELECT rid FROM \(StagingTable.dropped) WHERE kind = ?)",
                                     [.text(kind.rawValue)])
            }
            try database.execute("DELETE FROM \(StagingTable.invalid) WHERE rid IN (SELECT rid FROM \(StagingTable.dropped))")
        }
    }

    /// Makes the staging of a run the live state's, for the next delta (all but its token, which
    /// ``seal(_:token:newFrom:)`` writes once the run committed): the run's own records become carried,
    /// content offsets into the run's temporary pack are dropped, the lists of what the run changed are
    /// emptied, and the indexes the next delta finds what it changed by are built
    /// (``StagingStore/buildChangeIndexes(in:)``). Its records' locations already name their exports'
    /// sequences: a kept staging's records were staged so (``ExportStaging/locationsNaming``, a continued
    /// staging, a carried live state). With `newFrom`, only records from that rid on are the
    /// run's own (a delta continuing the kept staging); else every record not carried is. Everything it
    /// wrote is on disk when it returns (a staging in WAL mode: once settled into the file, which
    /// ``seal(_:token:newFrom:)`` syncs before it writes the token). A staging prepared for a run that
    /// then fails carries no token the target knows, and is not used.
    static func prepareSeal(_ path: String, mapping: TargetMapping, newFrom: Int?) throws {
        let database = try Database(path: path, create: false)
        database.setBusyTimeout(milliseconds: StagingStore.sharedBusyMilliseconds)
        // A staging in WAL mode (read meanwhile, ``StagingStore/shareForReading(whileWritten:)``) stays in it.
        if try database.scalar("PRAGMA journal_mode")?.string != "wal" { try database.execute("PRAGMA journal_mode = OFF") }
        try database.execute("PRAGMA synchronous = OFF")
        try database.transaction {
            let own = LiveState.ownRecords(continuedFrom: newFrom)
            for kind in RecordKind.allCases {
                let staged = StagingStore.table(kind)
                // One pass per table: a Part's content offset (into this run's pack) goes with it.
                let offset = kind == .part ? "content_offset = NULL, " : ""
                try database.execute("UPDATE \(staged) SET \(offset)carried = 1 WHERE \(own)")
            }
            try database.execute("""
                DELETE FROM \(StagingTable.records(.deleted));
                DELETE FROM \(StagingTable.quarantine) WHERE kind = 'Deleted';
                """)
            try StagingStore.emptyDeltaLists(in: database)
            try StagingStore.buildChangeIndexes(in: database)
            try database.execute("INSERT OR REPLACE INTO \(StagingTable.cache) (key, value) VALUES ('key', ?)", [.text(key(for: mapping))])
        }
        // The token goes last, once everything else is on disk: a staging torn by a power cut is never
        // taken for the live state.
        sync(path)
    }

    /// Gives the staging ``prepareSeal(_:mapping:newFrom:)`` prepared the token of the committed
    /// run: with `newFrom` (continuing the kept staging), only if no other run took it since this one began.
    /// What was written since it was prepared (the findings kept) is on disk first.
    static func seal(_ path: String, token: String, newFrom: Int?) throws {
        sync(path)
        let database = try Database(path: path, create: false)
        try database.execute("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        if newFrom == nil {
            try database.execute("INSERT OR REPLACE INTO \(StagingTable.cache) (key, value) VALUES ('token', ?)", [.text(token)])
        } else {
            try database.execute("UPDATE \(StagingTable.cache) SET value = ?1 WHERE key = 'token' AND value = 'in use by ' || ?1", [.text(token)])
        }
        sync(path)
    }

    private static func sync(_ path: String) {
        let file = open(path, O_RDONLY)
        guard file >= 0 else { return }
        fsync(file)
        close(file)
    }
}
