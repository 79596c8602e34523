import CasebridgeTarget
import CasebridgeCheck
import CasebridgeLoad
import CasebridgeStore
import Foundation
import TestSupport
import Testing

/// Each way a target can be refused: a one-line reason, and the target left exactly as it was.
struct TargetFailureTests {
    private func expectRefused(_ target: String, containing words: String, mapping: TargetMapping = Reference.targetMapping,
                               lockTimeout: Double = 5) throws {
        let before = fileHash(target)
        let error = #expect(throws: TargetError.self) {
            try migrate(GeneratedExport.small.export, into: target, mapping: mapping, lockTimeout: lockTimeout)
        }
        #expect(error?.description.contains(words) == true, "\(String(describing: error))")
        #expect(error?.description.contains("\n") == false)
        #expect(fileHash(target) == before)
    }

    @Test func `a file that is not an SQLite database is refused`() throws {
        let folder = try TemporaryFolder()
        let target = try folder.write("Minutes of the strategy meeting\n", to: "notes.db")
        try expectRefused(target, containing: "is not a Casebridge target: it is not an SQLite database")
    }

    @Test func `an SQLite database that Casebridge did not build is refused`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("other.db")
        let other = try Database(path: target)
        try other.execute("CREATE TABLE patients (id TEXT PRIMARY KEY); INSERT INTO patients VALUES ('X')")
        try expectRefused(target, containing: "is an SQLite database but not a Casebridge target (it holds patients")
    }

    @Test func `a target locked by another process is refused after the wait`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        _ = try migrate(GeneratedExport.small.export, into: target)
        let other = try Database(path: target, create: false)
        try other.execute("BEGIN EXCLUSIVE")
        defer { try? other.execute("ROLLBACK") }
        try expectRefused(target, containing: "locked by another process", lockTimeout: 0.2)
    }

    @Test func `a read-only target is refused`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        _ = try migrate(GeneratedExport.small.export, into: target)
        try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: target)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target) }
        try expectRefused(target, containing: "read-only")
    }

    @Test func `a target holding another schema version is refused`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        _ = try migrate(GeneratedExport.small.export, into: target)
        var newer = Reference.targetMapping
        newer.schemaVersion = 2
        try expectRefused(target, containing: "holds schema ssd version 1", mapping: newer)
        var edited = Reference.targetMapping
        edited.ddlSHA256 = String(repeating: "0", count: 64)
        try expectRefused(target, containing: "a changed DDL needs a new version", mapping: edited)
    }

    @Test func `records no table takes fail the run and change nothing`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        _ = try migrate(GeneratedExport.small.export, into: target)
        let before = fileHash(target)
        var withoutVisits = Reference.targetMapping
        withoutVisits.tables.removeAll { $0.from == .visit }
        let error = #expect(throws: ReconciliationError.self) {
            try migrate(GeneratedExport.smallOther.export, into: target, mapping: withoutVisits)
        }
        #expect(error?.description.contains("Visit: read") == true)
        #expect(fileHash(target) == before)
    }

    @Test func `records a table's where leaves without a row fail the run; records quarantined or with a row in another table do not`() throws {
        let folder = try TemporaryFolder()
        // Every Person has a row in cb_person: a where on ssd_person leaves none unaccounted.
        var personsOnce = Reference.targetMapping
        let ssdPerson = try #require(personsOnce.tables.firstIndex { $0.table == "ssd_person" })
        personsOnce.tables[ssdPerson].condition = "0"
        let result = try migrate(GeneratedExport.small.export, into: folder.path("persons.db"), mapping: personsOnce)
        let persons = try #require(result.reconciliation.first { $0.kind == .person })
        #expect(persons.unaccounted == 0 && persons.loaded > 0)

        // Documents have one table: its where leaves every document it does not hold unaccounted.
        var familyDocuments = Reference.targetMapping
        let documents = try #require(familyDocuments.tables.firstIndex { $0.table == "cb_document" })
        familyDocuments.tables[documents].condition = "r.scope = 'family'"
        let target = folder.path("documents.db")
        let error = #expect(throws: ReconciliationError.self) {
            try migrate(GeneratedExport.small.export, into: target, mapping: familyDocuments)
        }
        let unaccounted = try #require(error?.kinds.first { $0.kind == .document })
        #expect(unaccounted.unaccounted > 0 && unaccounted.loaded > 0)
        #expect(error?.kinds.allSatisfy { $0.kind == .document } == true)
        #expect(!FileManager.default.fileExists(atPath: target))
    }

    @Test func `a target mapping with a mistake names its line`() throws {
        let folder = try TemporaryFolder()
        let ddl = try folder.write("CREATE TABLE t (id TEXT PRIMARY KEY, name TEXT NOT NULL);", to: "v1.sql")
        _ = ddl
        let mappingPath = try folder.write("""
            schema: {name: test, version: 1, ddl: v1.sql}
            tables:
              - table: t
                from: Team
                columns:
                  id: r.id
                  nmae: r.name
            """, to: "m.yaml")
        let error = #expect(throws: (any Error).self) { try TargetMapping.load(path: mappingPath) }
        #expect(String(describing: error!).contains("m.yaml:7"))
        #expect(String(describing: error!).contains("no column 'nmae'"))
    }

    @Test(arguments: [
        ("{Child: person}", "not 'Child'"), ("{Part: person}", "not 'Part'"), ("{Plan: family}", "Visit has no field 'family'"),
        ("Plan", "dependsOn"),
    ])
    func `a dependsOn that names no kind, a kind without ids, or one the record cannot name is refused on its line`(
        kind: String, mentions: String
    ) throws {
        let folder = try TemporaryFolder()
        _ = try folder.write("CREATE TABLE t (id TEXT PRIMARY KEY);", to: "v1.sql")
        let mappingPath = try folder.write("""
            schema: {name: test, version: 1, ddl: v1.sql}
            tables:
              - table: t
                from: Visit
                dependsOn: \(kind)
                columns:
                  id: r.id
            """, to: "m.yaml")
        let error = #expect(throws: (any Error).self) { try TargetMapping.load(path: mappingPath) }
        #expect(String(describing: error!).contains("m.yaml:5"), "\(error!)")
        #expect(String(describing: error!).contains(mentions), "\(error!)")
    }

    @Test func `the built-in mapping says what its cross-record tables read about`() {
        let reading = Reference.targetMapping.tables.filter(\.readsOtherRecords)
        #expect(reading.map(\.table).sorted() == ["ssd_cin_plans", "ssd_cin_visits", "ssd_cp_visits"])
        #expect(reading.allSatisfy { !$0.isRebuiltWhole })
        #expect(reading.first { $0.table == "ssd_cin_visits" }?.dependsOn == [TableDependency(kind: .plan, field: "person")])
        #expect(reading.first { $0.table == "ssd_cin_plans" }?.dependsOn == [TableDependency(kind: .person, field: "person")])
        #expect(reading.first { $0.table == "ssd_cin_plans" }?.dependsOn.first?.isShared == false)
    }
}
