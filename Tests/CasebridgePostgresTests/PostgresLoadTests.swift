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

    @Test func `a first load builds again every index and key it took off its new tables: the target has those its DDL makes`() throws {
        let database = try PostgresServer.database("indexes")
        try migrate(Exports.small, into: database.uri)
        // The same DDL run alone, into a schema of its own.
        let ddl = try #require(Reference.targetMapping.postgresDDL).text
        try database.psql("CREATE SCHEMA made; SET search_path = made; \(ddl)\n\(PostgresBookkeeping.ddl)")
        database.extraSchemas = ["made"]
        let indexes = { (schema: String) in
            try database.psql("""
                SELECT tablename, indexname, replace(indexdef, ' ON \(schema).', ' ON ') FROM pg_indexes
                WHERE schemaname = '\(schema)' ORDER BY 1, 2
                """)
        }
        let constraints = { (schema: String) in
            try database.psql("""
                SELECT t.relname, k.conname, replace(pg_get_constraintdef(k.oid), ' \(schema).', ' ') FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
                WHERE k.connamespace = '\(schema)'::regnamespace ORDER BY 1, 2
                """)
        }
        #expect(try indexes("casebridge") == indexes("made"))
        #expect(try constraints("casebridge") == constraints("made"))
        #expect(try indexes("casebridge").contains("casebridge_lineage_pkey"))
        #expect(try constraints("casebridge").contains("REFERENCES cb_content(sha256) DEFERRABLE INITIALLY DEFERRED"))
    }

    @Test func `a key the copied rows break fails when it is built again (at the connection's next call), and the transaction with it`() throws {
        let database = try PostgresServer.database("rebuild")
        let connection = try PostgresConnection(database.uri)
        try connection.execute("""
            BEGIN; CREATE SCHEMA s; CREATE TABLE s.a (id text PRIMARY KEY, note text);
            CREATE TABLE s.b (id text PRIMARY KEY, a_id text REFERENCES s.a (id)); CREATE INDEX b_a ON s.b (a_id)
            """)
        let deferred = try PostgresDeferredIndexes.detach(["a", "b"], schema: "s", connection: connection)
        #expect(try connection.scalar("SELECT count(*) FROM pg_index WHERE indrelid IN ('s.a'::regclass, 's.b'::regclass)")?.int == 0)
        try connection.execute("INSERT INTO s.a VALUES ('1', 'x'), ('1', 'y'); INSERT INTO s.b VALUES ('2', '1')")
        // Sent while the caller goes on; the failure comes with the connection's next call.
        try deferred.startRebuilding(connection: connection)
        #expect(throws: PostgresError.self) { try connection.execute("SELECT 1") }
        try connection.execute("ROLLBACK")
        #expect(try connection.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 's'")?.int == 0)
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
