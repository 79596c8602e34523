import CasebridgeLoad
import CasebridgeReport
@testable import CasebridgeTarget
import Foundation
import TestSupport
import Testing

/// One target mapping, two engines: the same exports loaded into an SQLite file and into PostgreSQL
/// leave the same rows, quarantine, findings and report.
@Suite(.enabled(if: PostgresServer.enabled))
struct EngineEquivalenceTests {
    @Test func `the same exports loaded into SQLite and PostgreSQL give the same rows, quarantine, findings and report`() throws {
        let folder = try TemporaryFolder()
        let database = try PostgresServer.database("same")
        let sqlite = folder.path("target.db")
        for (run, export) in [Exports.small, Exports.smallOther].enumerated() {
            let intoSQLite = try migrate(export, into: sqlite, allowDeletions: true)
            let intoPostgres = try migrate(export, into: database.uri, allowDeletions: true)
            #expect(intoPostgres.load.runID == Int64(run + 1))
            #expect(intoPostgres.load.tables == intoSQLite.load.tables)
            #expect(intoPostgres.reconciliation == intoSQLite.reconciliation)
            #expect(intoPostgres.load.contentAdded == intoSQLite.load.contentAdded && intoPostgres.load.contentReused == intoSQLite.load.contentReused)
            #expect((intoPostgres.load.findingsNew, intoPostgres.load.findingsResolved) == (intoSQLite.load.findingsNew, intoSQLite.load.findingsResolved))
            for table in TargetRows.dataTables + ["casebridge_raw_xml"] {
                let inSQLite = try TargetRows.sqlite(sqlite, table)
                #expect(try TargetRows.postgres(database.uri, table) == inSQLite, "\(table) after run \(run + 1)")
            }
            let lineage = ["table_name", "row_key", "record_kind", "record_id", "run_id", "source_sequence", "source_line", "row_sha256"]
            #expect(try TargetRows.postgres(database.uri, "casebridge_lineage", columns: lineage) == TargetRows.sqlite(sqlite, "casebridge_lineage", columns: lineage))
            let archived = ["table_name", "row_key", "deleted_run"]
            #expect(try TargetRows.postgres(database.uri, "casebridge_deleted", columns: archived) == TargetRows.sqlite(sqlite, "casebridge_deleted", columns: archived))
            #expect(try RunRows.postgres(database.uri, run: run + 1) == RunRows.sqlite(sqlite, run: run + 1))
        }
        // The second export is another authority's: every row of the first was archived, and updated rows were written.
        #expect(try TargetRows.postgres(database.uri, "casebridge_deleted", columns: ["row_key"]).count > 1000)

        // The director's report, from either target with the same secret, is the same file (but for the time each run ended).
        let secret = folder.path("secret")
        func summary(_ target: String, _ name: String) throws -> String {
            _ = try Report.write(target: target, to: folder.path(name), options: ReportOptions(secretPath: secret))
            return try String(contentsOfFile: folder.path(name + "/summary.json"), encoding: .utf8)
                .replacing(/"loadedAt": "[^"]*"/, with: "\"loadedAt\": \"…\"")
        }
        let fromPostgres = try summary(database.uri, "postgres")
        #expect(fromPostgres == (try summary(sqlite, "sqlite")))
        #expect(fromPostgres.contains("\"loadedAt\": \"…\""))
    }

    @Test func `status and the report read a PostgreSQL target through the same history as an SQLite one`() throws {
        let folder = try TemporaryFolder()
        let database = try PostgresServer.database("history")
        let sqlite = folder.path("target.db")
        try migrate(Exports.small, into: sqlite)
        try migrate(Exports.small, into: database.uri)
        let fromPostgres = try TargetEngines.open(target: database.uri).history()
        let fromSQLite = try TargetEngines.open(target: sqlite).history()
        #expect(try fromPostgres.quarantine(run: 1) == fromSQLite.quarantine(run: 1))
        #expect(try fromPostgres.quarantine(run: 1).count > 10)
        let findings = { (history: any TargetHistory) in
            try history.storedFindings(run: 1).map { "\($0.identity) \($0.team ?? "-") \($0.child ?? "-") \($0.eventDate?.iso ?? "-") \($0.isNew)" }
        }
        #expect(try findings(fromPostgres) == findings(fromSQLite))
        #expect(try fromPostgres.findingCounts(run: 1).map { "\($0)" } == fromSQLite.findingCounts(run: 1).map { "\($0)" })
        #expect(try fromPostgres.findingChanges(run: 1) == fromSQLite.findingChanges(run: 1))
        #expect(try fromPostgres.teams() == fromSQLite.teams())
        #expect(try fromPostgres.runRecords(limit: 5).map(\.audit) == fromSQLite.runRecords(limit: 5).map(\.audit))
    }
}
