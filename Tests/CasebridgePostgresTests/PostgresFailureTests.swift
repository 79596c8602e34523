import CasebridgeLoad
import CasebridgeMapping
import CasebridgeModel
@testable import CasebridgeTarget
import Foundation
import TestSupport
import Testing

/// Each way a PostgreSQL target can be refused or fail, against a real server: one line naming the host
/// and the database (never a password), exit status 4, and every table left as it was.
@Suite(.enabled(if: PostgresServer.enabled))
struct PostgresFailureTests {
    /// Expects migrating `export` into `target` to fail with a ``TargetError`` of one line holding every one
    /// of `words`; `database`, when given, must hold the same rows after as before.
    private func expectRefused(_ target: String, _ database: PostgresDatabase?, containing words: [String], export: String = Exports.small,
                               mapping: TargetMapping = Reference.targetMapping, progress: @escaping (String) -> Void = { _ in }) throws {
        let before = try database?.dump()
        let error = #expect(throws: TargetError.self) { try migrate(export, into: target, mapping: mapping, progress: progress) }
        for word in words { #expect(error?.description.contains(word) == true, "\(String(describing: error)) lacks “\(word)”") }
        #expect(error?.description.contains("\n") == false)
        #expect(error?.exitStatus == .target)
        if let database { #expect(try database.dump() == before) }
    }

    @Test func `a server that is not running is refused, naming where it was looked for`() throws {
        let folder = try TemporaryFolder("nopg")
        try expectRefused("postgresql:///ssd?host=\(folder.url.path)", nil, containing: ["cannot connect to the PostgreSQL server at \(folder.url.path):5432", "database ssd"])
    }

    @Test func `a database that does not exist is refused, naming it and its host`() throws {
        let uri = try PostgresServer.with(try #require(PostgresServer.uri), database: "cbt_not_there")
        try expectRefused(uri, nil, containing: ["database cbt_not_there does not exist on"])
    }

    @Test(arguments: ["postgresql://loader:s3cret-pw@db.example/ssd", "postgres://loader:s3cret-pw@/ssd?host=/run/postgresql",
                      "host=/run/postgresql dbname=ssd password=s3cret-pw", "postgresql:///ssd?password=s3cret-pw"])
    func `a connection string that names a password is refused before connecting, and never shows it`(_ target: String) throws {
        let error = #expect(throws: TargetError.self) { try migrate(Exports.small, into: target) }
        #expect(error?.description.contains("names a password; give it in PGPASSWORD, ~/.pgpass or the service file") == true, "\(String(describing: error))")
        #expect(error?.description.contains("s3cret") == false)
    }

    @Test func `a schema that is not Casebridge's is refused and left alone`() throws {
        let database = try PostgresServer.database("foreign")
        try database.psql("CREATE SCHEMA casebridge; CREATE TABLE casebridge.patients (id text PRIMARY KEY); INSERT INTO casebridge.patients VALUES ('X')")
        try expectRefused(database.uri, database, containing: ["schema casebridge", "is not a Casebridge target (it holds patients and no casebridge_meta)"])
    }

    @Test func `a target built with another schema version, or another DDL under the same version, is refused`() throws {
        let database = try PostgresServer.database("version")
        try migrate(Exports.small, into: database.uri)
        var newer = Reference.targetMapping
        newer.schemaVersion = 2
        try expectRefused(database.uri, database, containing: ["holds schema ssd version 1", "describes ssd version 2"], export: Exports.smallOther, mapping: newer)
        var edited = Reference.targetMapping
        edited.postgresDDL?.sha256 = String(repeating: "0", count: 64)
        try expectRefused(database.uri, database, containing: ["different ssd-v1.postgres.sql", "a changed DDL needs a new version"],
                          export: Exports.smallOther, mapping: edited)
    }

    @Test func `a PostgreSQL DDL that does not make the SQLite DDL's tables creates nothing`() throws {
        let database = try PostgresServer.database("ddl")
        var mapping = Reference.targetMapping
        let ddl = try #require(mapping.postgresDDL)
        mapping.postgresDDL?.text = ddl.text.replacingOccurrences(of: "    pers_nationality      varchar(48)\n", with: "")
            .replacingOccurrences(of: "    pers_is_mother        char(1),\n", with: "    pers_is_mother        char(1)\n")
        try expectRefused(database.uri, database, containing: ["does not make the tables of ssd-v1.sql", "table ssd_person has 15 columns where the reference DDL has 16"],
                          mapping: mapping)
        #expect(try database.psql("SELECT count(*) FROM pg_namespace WHERE nspname = 'casebridge'") == "0\n")
    }

    @Test func `a connection the server ends mid-load fails the run with one line and leaves the target as it was`() throws {
        let database = try PostgresServer.database("terminated")
        try migrate(Exports.small, into: database.uri)
        var ended = false
        try expectRefused(database.uri, database, containing: ["PostgreSQL database \(database.name) on", "nothing was changed"], export: Exports.smallOther) { message in
            guard message == "loading cb_document", !ended else { return }
            ended = true
            _ = try? database.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'casebridge'")
        }
        #expect(ended)
        // The next run loads it whole.
        #expect(try migrate(Exports.smallOther, into: database.uri, allowDeletions: true).load.runID == 2)
    }

    @Test func `a limit the server sets on what a load may write fails the run with one line and changes nothing`() throws {
        let database = try PostgresServer.database("quota")
        try migrate(Exports.small, into: database.uri)
        // No temporary file at all, and little memory: the comparison with lineage must spill, and may not.
        try database.psql("ALTER DATABASE \(database.name) SET temp_file_limit = 0; ALTER DATABASE \(database.name) SET work_mem = '64kB'")
        try expectRefused(database.uri, database, containing: ["the server cannot write more", "temp_file_limit", "nothing was changed"], export: Exports.smallOther)
    }
}
