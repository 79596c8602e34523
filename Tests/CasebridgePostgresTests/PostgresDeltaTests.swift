import CasebridgeGenerate
import CasebridgeLoad
import CasebridgeStore
@testable import CasebridgeTarget
import Foundation
import TestSupport
import Testing

/// A generated series (a full export, ten nightly deltas and the final state as one full export),
/// written once per test run and shared read-only.
enum Series {
    static let exports: [SeriesExport] = {
        let folder = TemporaryFolder.shared("pg-series")
        let options = GeneratorOptions(families: 60, seed: 3, defectRate: 0.08, inlinePartBytes: 96)
        return try! SeriesGenerator(options: options, deltas: 10).write(to: folder)
    }()

    static var full: SeriesExport { exports[0] }
    static var deltas: ArraySlice<SeriesExport> { exports[1..<(exports.count - 1)] }
    static var finalFull: SeriesExport { exports[exports.count - 1] }
}

/// Loads one export of the series, naming it by its folder (`03-delta/export.xml`) as findings do.
@discardableResult
func load(_ export: SeriesExport, into target: String, progress: @escaping (String) -> Void = { _ in }) throws -> MigrationResult {
    try Migration(mapping: Reference.mapping, policy: Reference.policy, target: Reference.targetMapping)
        .run(export: export.exportFile.path, displayName: "\(export.name)/export.xml", into: target, progress: progress)
}

/// Collects a run's progress messages.
final class Messages: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ message: String) { lock.withLock { list.append(message) } }
    var all: [String] { lock.withLock { list } }
}

@Suite(.enabled(if: PostgresServer.enabled))
struct PostgresDeltaTests {
    @Test func `a full export and ten deltas load into PostgreSQL as into SQLite: the same findings, quarantine and rows every night`() throws {
        let folder = try TemporaryFolder()
        let database = try PostgresServer.database("series")
        let sqlite = folder.path("target.db")
        let kept = try TargetEngines.open(target: database.uri).keptStagingPath
        try load(Series.full, into: sqlite)
        try load(Series.full, into: database.uri)
        #expect(try RunRows.postgres(database.uri, run: 1) == RunRows.sqlite(sqlite, run: 1))
        for (night, delta) in Series.deltas.enumerated() {
            // Every third night the kept staging is gone: the delta is then loaded onto the state rebuilt
            // from the target (copied out of PostgreSQL); else it continues the kept one.
            let rebuild = night % 3 == 2
            if rebuild {
                StagingFile.remove(kept)
                StagingFile.remove(sqlite + ".casebridge-state")
            }
            let messages = Messages()
            let intoPostgres = try load(delta, into: database.uri, progress: messages.add)
            let intoSQLite = try load(delta, into: sqlite)
            #expect(messages.all.contains("applying the delta to the live state kept by the last run") == !rebuild, "\(delta.name)")
            #expect(messages.all.contains("carrying the target's live state into the delta") == rebuild, "\(delta.name)")
            #expect(intoPostgres.load.tables == intoSQLite.load.tables, "\(delta.name)")
            let run = night + 2
            let rows = try RunRows.postgres(database.uri, run: run)
            #expect(rows == (try RunRows.sqlite(sqlite, run: run)), "\(delta.name)")
            let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: delta.expectedFindingsFile)) as? [String: Any]
            #expect(rows["casebridge_finding"]?.count == (expected?["findings"] as? [Any])?.count, "\(delta.name)")
        }
        for table in TargetRows.dataTables {
            #expect(try TargetRows.postgres(database.uri, table) == TargetRows.sqlite(sqlite, table), "\(table)")
        }
        // The deltas end where the final state loaded whole does.
        let whole = try PostgresServer.database("whole")
        try load(Series.finalFull, into: whole.uri)
        for table in TargetRows.dataTables {
            #expect(try TargetRows.postgres(database.uri, table) == TargetRows.postgres(whole.uri, table), "\(table)")
        }
    }

    @Test func `the staging kept for a PostgreSQL target is a file on this machine, 0600, named after its host, database and schema`() throws {
        let database = try PostgresServer.database("kept")
        let engine = try TargetEngines.open(target: database.uri)
        let kept = engine.keptStagingPath
        #expect(kept.hasPrefix(PostgresAddress.stateFolder + "/"))
        #expect(kept.hasSuffix(".casebridge-state"))
        #expect(!kept.contains(database.name))
        try migrate(Exports.small, into: database.uri, dryRun: true)
        #expect(!FileManager.default.fileExists(atPath: kept))
        try migrate(Exports.small, into: database.uri)
        #expect(try FileManager.default.attributesOfItem(atPath: kept)[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.attributesOfItem(atPath: PostgresAddress.stateFolder)[.posixPermissions] as? Int == 0o700)
        // Another schema of the same database is another target, with a staging of its own.
        #expect(try TargetEngines.open(target: database.uri, schema: "other").keptStagingPath != kept)
        // The same database named another way is the same target.
        let keywords = try database.keywordString()
        #expect(try TargetEngines.open(target: keywords).keptStagingPath == kept)
    }

    @Test func `a load that changes a tenth of a table or more leaves its statistics made; a smaller change leaves them to autovacuum`() throws {
        let database = try PostgresServer.database("analyse")
        // reltuples: -1 until the table is first analysed; then the rows the statistics counted.
        func statistics() throws -> [String: String] {
            let rows = try database.psql("""
                SELECT relname, reltuples::bigint FROM pg_class
                WHERE relnamespace = 'casebridge'::regnamespace AND relkind = 'r'
                """)
            return Dictionary(uniqueKeysWithValues: rows.split(separator: "\n").map { line in
                let fields = line.split(separator: "|", maxSplits: 1)
                return (String(fields[0]), String(fields[1]))
            })
        }
        func rows(_ table: String) throws -> String {
            try database.psql("SELECT count(*) FROM casebridge.\(quotedName(table))").trimmingCharacters(in: .newlines)
        }
        let full = try load(Series.full, into: database.uri)
        let afterFull = try statistics()
        for table in full.load.tables where table.inserted > 0 { #expect(afterFull[table.table] == (try rows(table.table)), "\(table.table)") }
        #expect(afterFull["casebridge_lineage"] == (try rows("casebridge_lineage")))
        // The full load's inserts make the server's autovacuum VACUUM these tables when it next wakes, and a
        // VACUUM sets reltuples too: after the delta, that would count the delta's rows. Kept off them, the
        // statistics hold what the loads left (a CI run once met it between the two loads).
        _ = try database.psql(afterFull.keys.map { "ALTER TABLE casebridge.\(quotedName($0)) SET (autovacuum_enabled = off);" }.joined())

        let delta = try load(Series.deltas[Series.deltas.startIndex], into: database.uri)
        let changed = delta.load.tables.filter { $0.inserted + $0.updated + $0.deleted > 0 }
        let reshaped = changed.filter(PostgresLoadSession.reshapes)
        try #require(changed.count > reshaped.count, "the delta changes some table by less than a tenth")
        let afterDelta = try statistics()
        for table in changed {
            let expected = reshaped.contains(table) ? try rows(table.table) : afterFull[table.table]
            #expect(afterDelta[table.table] == expected, "\(table.table)")
        }
    }
}
