import CasebridgeLoad
import CasebridgeModel
import CasebridgeSchedule
@testable import CasebridgeTarget
import Foundation
import TestSupport
import Testing

/// A login role of its own for one test: a member of `casebridge_trusted` (so it connects without a
/// password, scripts/postgres), with no other privilege than PUBLIC's. Dropped by ``drop(in:)``.
struct TestRole {
    let name = "cbt_role_" + UUID().uuidString.prefix(8).lowercased()

    init() throws {
        try PostgresServer.psql(try #require(PostgresServer.uri), "CREATE ROLE \(name) LOGIN IN ROLE casebridge_trusted")
    }

    /// `database`'s URI, connecting as this role.
    func uri(_ database: PostgresDatabase) throws -> String { try PostgresServer.with(database.uri, user: name) }

    /// Drops what the role owns and may do in `database`, then the role.
    func drop(in database: PostgresDatabase) {
        _ = try? database.psql("DROP OWNED BY \(name)")
        _ = try? PostgresServer.psql(PostgresServer.uri ?? "", "DROP ROLE IF EXISTS \(name)")
    }
}

/// A role that could not do the load is refused before anything is read, naming the grant it lacks;
/// a role holding the grants the README lists loads.
@Suite(.enabled(if: PostgresServer.enabled))
struct PostgresPrivilegeTests {
    private func expectRefused(_ target: String, containing words: String) {
        let error = #expect(throws: TargetError.self) { try migrate(Exports.small, into: target) }
        #expect(error?.description.contains(words) == true, "\(String(describing: error))")
        #expect(error?.description.contains("\n") == false)
    }

    @Test func `a role that may not create the schema, or tables in it, is told which grant it lacks; with it, it creates the target`() throws {
        let database = try PostgresServer.database("create")
        let role = try TestRole()
        defer { role.drop(in: database) }
        let target = try role.uri(database)
        expectRefused(target, containing: "role \(role.name) may not create schema casebridge in database \(database.name): GRANT CREATE ON DATABASE \(database.name) TO \(role.name)")
        try database.psql("CREATE SCHEMA casebridge")
        expectRefused(target, containing: "role \(role.name) may not create tables in schema casebridge: GRANT USAGE, CREATE ON SCHEMA casebridge TO \(role.name)")
        try database.psql("GRANT USAGE, CREATE ON SCHEMA casebridge TO \(role.name)")
        #expect(try migrate(Exports.small, into: target).load.runID == 1)
    }

    @Test func `a role that may not write an existing target's tables is told which grant it lacks; with it, it loads, and one that may only read sees its status`() throws {
        let database = try PostgresServer.database("write")
        try migrate(Exports.small, into: database.uri)
        let role = try TestRole()
        defer { role.drop(in: database) }
        let target = try role.uri(database)
        expectRefused(target, containing: "role \(role.name) may not use schema casebridge: GRANT USAGE ON SCHEMA casebridge TO \(role.name)")
        try database.psql("GRANT USAGE ON SCHEMA casebridge TO \(role.name); GRANT SELECT ON ALL TABLES IN SCHEMA casebridge TO \(role.name)")
        // Reading needs no more.
        let status = try TargetStatus.read(target: target, inbox: nil, mapping: Reference.mapping)
        #expect(status.lastLoadedSequence == 412)
        expectRefused(target, containing: "role \(role.name) lacks DELETE on casebridge.casebridge_deleted (and ")
        expectRefused(target, containing: ": GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA casebridge TO \(role.name)")
        try database.psql("GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA casebridge TO \(role.name)")
        #expect(try migrate(Exports.smallOther, into: target, allowDeletions: true).load.runID == 2)
    }

    @Test func `a role that may not create temporary tables is told so`() throws {
        let database = try PostgresServer.database("temp")
        let role = try TestRole()
        defer { role.drop(in: database) }
        try database.psql("REVOKE TEMPORARY ON DATABASE \(database.name) FROM PUBLIC; GRANT CREATE ON DATABASE \(database.name) TO \(role.name)")
        expectRefused(try role.uri(database), containing: "may not create temporary tables, which the load ships its rows into: GRANT TEMPORARY ON DATABASE \(database.name) TO \(role.name)")
    }
}
