import CasebridgeLoad
import CasebridgeModel
@testable import CasebridgeTarget
import Foundation
import TestSupport
import Testing

/// The guarantees an SQLite target gives, on PostgreSQL: a dry run changes nothing, a repeat is a no-op,
/// two runs at once never both load.
@Suite(.enabled(if: PostgresServer.enabled))
struct PostgresLoadTests {
    @Test func `a dry run into PostgreSQL changes nothing and counts what the real run then does`() throws {
        let database = try PostgresServer.database("dry")
        try migrate(Exports.small, into: database.uri)
        let before = try database.dump()
        let dry = try migrate(Exports.smallOther, into: database.uri, dryRun: true)
        #expect(try database.dump() == before)
        #expect(dry.load.tables.contains { $0.inserted > 0 } && dry.load.tables.contains { $0.deleted > 0 })
        let real = try migrate(Exports.smallOther, into: database.uri, allowDeletions: true)
        #expect(real.load.tables == dry.load.tables)
        #expect(real.reconciliation == dry.reconciliation)
        #expect(real.load.contentAdded == dry.load.contentAdded)
        #expect(real.load.runID == 2)
        // The same export again is a no-op.
        let loaded = try database.dump()
        #expect(throws: ExportAlreadyLoaded.self) { try migrate(Exports.smallOther, into: database.uri) }
        #expect(try database.dump() == loaded)
    }

    @Test func `a dry run into a database that holds no target creates nothing`() throws {
        let database = try PostgresServer.database("drynew")
        let dry = try migrate(Exports.small, into: database.uri, dryRun: true)
        #expect(dry.load.tables.allSatisfy { $0.inserted > 0 || $0.table.hasPrefix("ssd_c") || $0.table == "ssd_legal_status" })
        #expect(try database.psql("SELECT count(*) FROM pg_namespace WHERE nspname = 'casebridge'") == "0\n")
    }

    @Test func `a target mapping's schema holds every table, and another schema is another target`() throws {
        let database = try PostgresServer.database("schema")
        database.extraSchemas = ["council_b"]
        var mapping = Reference.targetMapping
        mapping.postgresSchema = "council_b"
        try migrate(Exports.small, into: database.uri, mapping: mapping)
        try migrate(Exports.smallOther, into: database.uri)
        let tables = try database.psql("SELECT table_schema, count(*) FROM information_schema.tables WHERE table_schema IN ('casebridge', 'council_b') GROUP BY 1 ORDER BY 1")
        let count = Reference.targetMapping.tables.count + 2 + PostgresBookkeeping.tables.count  // + ssd_legal_status, cb_content
        #expect(tables == "casebridge|\(count)\ncouncil_b|\(count)\n")
        #expect(try TargetEngines.open(target: database.uri, schema: "council_b").history().lastLoadedRun()?.sequence == 412)
        #expect(try TargetEngines.open(target: database.uri).history().lastLoadedRun()?.sequence == 413)
    }

    @Test func `two runs loading one PostgreSQL target at once take turns: exactly one loads the export`() throws {
        let database = try PostgresServer.database("race")
        let outcomes = Outcomes()
        let group = DispatchGroup()
        for _ in 0..<2 {
            group.enter()
            let uri = database.uri
            Thread.detachNewThread {
                do {
                    let result = try migrate(Exports.small, into: uri, lockTimeout: 60)
                    outcomes.add("loaded as run \(result.load.runID)")
                } catch is ExportAlreadyLoaded {
                    outcomes.add("skipped")
                } catch {
                    outcomes.add("refused: \(error)")
                }
                group.leave()
            }
        }
        group.wait()
        #expect(outcomes.all.sorted() == ["loaded as run 1", "skipped"], "\(outcomes.all)")
        #expect(try database.psql("SELECT count(*) FROM casebridge.casebridge_run") == "1\n")
    }
}

/// What concurrent runs report.
final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ outcome: String) { lock.withLock { list.append(outcome) } }
    var all: [String] { lock.withLock { list } }
}
