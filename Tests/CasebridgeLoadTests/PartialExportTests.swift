import CasebridgeTarget
import CasebridgeCheck
import CasebridgeGenerate
import CasebridgeLoad
import CasebridgeMapping
import CasebridgeModel
import CasebridgeRead
import CasebridgeStore
import Foundation
import TestSupport
import Testing

/// A partial export must never empty the target: control totals, the deletion guard, and the same
/// export id and sequence with other bytes.
struct PartialExportTests {
    /// Keeps the first `kept` of the export's Documents (each from its `<Document ` line to its
    /// `</Document>`), closing every tag: a legacy export job cut short that still ended its file.
    static func keepDocuments(_ kept: Int) -> (inout [String]) throws -> Void {
        { lines in
            var seen = 0
            var dropping = false
            var out: [String] = []
            for line in lines {
                if line.hasPrefix("    <Document ") {
                    seen += 1
                    dropping = seen > kept
                }
                if !dropping { out.append(line) }
                if line.hasPrefix("    </Document>") { dropping = false }
            }
            lines = out
        }
    }

    /// How many Documents the shared export holds.
    static let documents = (try? readLines(GeneratedExport.small.export))?.filter { $0.hasPrefix("    <Document ") }.count ?? 0

    /// The shared export loaded once into a new target, beside which it keeps its staging for the next delta.
    static let loaded = Result {
        let target = TemporaryFolder.shared("partial-loaded").appendingPathComponent("target.db").path
        _ = try migrate(GeneratedExport.small.export, into: target)
        return target
    }

    /// A copy of ``loaded`` in `folder`, with the staging it keeps: where each test starts.
    static func loadedTarget(_ folder: TemporaryFolder) throws -> String {
        let loaded = try Self.loaded.get()
        let target = folder.path("target.db")
        try FileManager.default.copyItem(atPath: loaded, toPath: target)
        try FileManager.default.copyItem(atPath: loaded + ".casebridge-state", toPath: target + ".casebridge-state")
        return target
    }

    static func migrateAllowing(_ export: String, into target: String, dryRun: Bool = false) throws -> MigrationResult {
        var migration = Migration(mapping: Reference.mapping, policy: Reference.policy, target: Reference.targetMapping)
        migration.allowDeletions = true
        return try migration.run(export: export, displayName: "export.xml", into: target, dryRun: dryRun)
    }

    @Test func `a full export holding a third of the documents is refused by the deletion guard, the target unchanged`() throws {
        let folder = try TemporaryFolder()
        let target = try Self.loadedTarget(folder)
        let cut = try GeneratedExport.small.copy(sequence: 413, withoutTotals: true, edit: Self.keepDocuments(Self.documents / 3))
        defer { try? FileManager.default.removeItem(atPath: cut) }
        let before = fileHash(target)
        #expect {
            try migrate(cut, into: target)
        } throws: { error in
            guard let error = error as? DeletionGuardError else { return false }
            let document = error.tables.first { $0.table == "cb_document" }
            return error.exitStatus == .deletions && document.map { $0.deleted > $0.liveBefore / 2 } == true
                && error.description.contains("--allow-deletions") && error.description.hasSuffix("Nothing was changed")
        }
        #expect(fileHash(target) == before)
    }

    @Test func `with its totals, the same cut export is refused as incomplete before it is checked`() throws {
        let folder = try TemporaryFolder()
        let target = try Self.loadedTarget(folder)
        let cut = try GeneratedExport.small.copy(sequence: 413, edit: Self.keepDocuments(Self.documents / 3))
        defer { try? FileManager.default.removeItem(atPath: cut) }
        let before = fileHash(target)
        #expect {
            try migrate(cut, into: target)
        } throws: { error in
            (error as? ReadError)?.reason.contains("Document records but \((Self.documents / 3).grouped) were read: it is incomplete") == true
        }
        #expect(fileHash(target) == before)
    }

    @Test func `a dry run shows what a full export over the guard would delete, and changes nothing`() throws {
        let folder = try TemporaryFolder()
        let target = try Self.loadedTarget(folder)
        let cut = try GeneratedExport.small.copy(sequence: 413, withoutTotals: true, edit: Self.keepDocuments(Self.documents / 3))
        defer { try? FileManager.default.removeItem(atPath: cut) }
        let before = fileHash(target)
        let dry = try migrate(cut, into: target, dryRun: true)
        #expect(dry.load.overDeletionGuard.map(\.table).contains("cb_document"))
        #expect(MigrationSummary.text(dry).contains("Deletion guard: this full export deletes"))
        #expect(MigrationSummary.text(dry).contains("a real run is refused unless given --allow-deletions"))
        #expect(fileHash(target) == before)
    }

    @Test func `--allow-deletions loads it and the run records what it was allowed to delete`() throws {
        let folder = try TemporaryFolder()
        let target = try Self.loadedTarget(folder)
        let cut = try GeneratedExport.small.copy(sequence: 413, withoutTotals: true, edit: Self.keepDocuments(Self.documents / 3))
        defer { try? FileManager.default.removeItem(atPath: cut) }
        let result = try Self.migrateAllowing(cut, into: target)
        let documents = try #require(result.load.tables.first { $0.table == "cb_document" })
        #expect(documents.deleted > Self.documents / 2)
        let database = try Database(path: target, readOnly: true, create: false)
        let options = try #require(try database.scalar("SELECT options FROM casebridge_run WHERE run_id = 2")?.string)
        #expect(options.contains("\"allowedDeletions\":[{\"table\":\"cb_document\",\"deleted\":\(documents.deleted),\"live\":\(documents.liveBefore)}"))
        #expect(try count(database, "SELECT count(*) FROM casebridge_deleted WHERE table_name = 'cb_document' AND deleted_run = 2") == documents.deleted)
    }

    @Test func `deletions within the guard's floor or share load as before`() throws {
        let folder = try TemporaryFolder()
        let target = try Self.loadedTarget(folder)
        // Ten documents fewer: at the floor, in a table of hundreds.
        let fewer = try GeneratedExport.small.copy(sequence: 413, withoutTotals: true, edit: Self.keepDocuments(Self.documents - 10))
        defer { try? FileManager.default.removeItem(atPath: fewer) }
        let result = try migrate(fewer, into: target)
        #expect(result.load.overDeletionGuard.isEmpty)
        #expect((result.load.tables.first { $0.table == "cb_document" }?.deleted ?? 0) > 0)
    }

    @Test func `the guard's share and floor are settings of the policy file`() throws {
        var guardrail = DeletionGuard()
        #expect(!guardrail.exceeded(deleted: 10, live: 11))
        #expect(guardrail.exceeded(deleted: 11, live: 100))
        #expect(!guardrail.exceeded(deleted: 20, live: 1000))
        #expect(guardrail.exceeded(deleted: 21, live: 1000))
        guardrail = try Policy.parse(try String(contentsOfFile: Policy.defaultPath, encoding: .utf8)
            .replacingOccurrences(of: "maxShare: 2%", with: "maxShare: 0.5")
            .replacingOccurrences(of: "floor: 10", with: "floor: 0"), file: "p.yaml").deletionGuard
        #expect(guardrail == DeletionGuard(maxShare: 0.5, floor: 0))
        #expect(throws: ConfigError.self) {
            try Policy.parse(try String(contentsOfFile: Policy.defaultPath, encoding: .utf8)
                .replacingOccurrences(of: "maxShare: 2%", with: "maxShare: 150%"), file: "p.yaml")
        }
    }

    @Test func `a delta's deletions are its own words, not held to the guard`() throws {
        let folder = try TemporaryFolder()
        let target = try Self.loadedTarget(folder)
        let ids = try readLines(GeneratedExport.small.export).filter { $0.hasPrefix("    <Document ") }
            .compactMap { $0.firstMatch(of: /id="([^"]+)"/).map { String($0.1) } }
        let deletions = Set(ids.prefix(ids.count / 2)).sorted().map { "    <Deleted kind=\"Document\" id=\"\($0)\"/>" }
        let delta = try folder.write("""
            <?xml version="1.0" encoding="UTF-8"?>
            <CaseExport xmlns="urn:lce:2" schemaVersion="2.4" exportId="EXP-413" sequence="413" kind="delta" \
            since="\(GeneratorOptions.exportedAt)" exportedAt="2019-09-03T23:10:00Z">
              <Deletions>
            \(deletions.joined(separator: "\n"))
              </Deletions>
            </CaseExport>
            """, to: "delta.xml")
        let result = try migrate(delta, into: target)
        #expect(result.load.overDeletionGuard.isEmpty)
        let documents = try #require(result.load.tables.first { $0.table == "cb_document" })
        #expect(documents.deleted > documents.liveBefore / 3)
    }

    @Test func `the same export id and sequence with other bytes is refused; the same bytes are skipped`() throws {
        let folder = try TemporaryFolder()
        let target = try Self.loadedTarget(folder)
        let before = fileHash(target)
        #expect(throws: ExportAlreadyLoaded.self) { try migrate(GeneratedExport.small.export, into: target) }
        let rewritten = try GeneratedExport.small.copy(sequence: 412) { lines in
            let root = try #require(lines.firstIndex { $0.contains(" sequence=\"") })
            lines[root] = lines[root].replacingOccurrences(of: "Example Borough Council", with: "Example Borough")
        }
        defer { try? FileManager.default.removeItem(atPath: rewritten) }
        #expect {
            try migrate(rewritten, into: target)
        } throws: { error in
            guard let error = error as? SequenceError else { return false }
            return error.exitStatus == .sequence && error.description.contains("holds other bytes")
        }
        #expect(fileHash(target) == before)
        let database = try Database(path: target, readOnly: true, create: false)
        #expect(try database.scalar("SELECT export_sha256 FROM casebridge_run WHERE run_id = 1")?.string
            == FileDigest.sha256(path: GeneratedExport.small.export))
    }

    @Test func `each run records who ran it, the build, and the digests of the files it used`() throws {
        let folder = try TemporaryFolder()
        let target = try Self.loadedTarget(folder)
        let database = try Database(path: target, readOnly: true, create: false)
        let run = try #require(try database.rows("SELECT * FROM casebridge_run WHERE run_id = 1").first)
        #expect(run["run_user"]?.isEmpty == false)
        #expect(run["run_host"] == ProcessInfo.processInfo.hostName)
        #expect(run["casebridge_version"] == CasebridgeBuild.version)
        #expect(run["casebridge_build"] == CasebridgeBuild.digest)
        #expect(run["mapping_sha256"] == FileDigest.sha256(path: Reference.mapping.file))
        #expect(run["policy_sha256"] == FileDigest.sha256(path: Policy.defaultPath))
        #expect(run["target_mapping_sha256"] == FileDigest.sha256(path: TargetMapping.builtInPath))
        #expect(run["mapping_sha256"]?.count == 64)
    }

    @Test func `a target of bookkeeping version 2 is brought to version 3 by its next load, and not by a dry run`() throws {
        let folder = try TemporaryFolder()
        let target = try Self.loadedTarget(folder)
        do {
            let database = try Database(path: target, create: false)
            for column in ["export_sha256", "run_user", "run_host", "casebridge_version", "casebridge_build", "mapping_sha256",
                           "policy_sha256", "target_mapping_sha256"] {
                try database.execute("ALTER TABLE casebridge_run DROP COLUMN \(column)")
            }
            try database.execute("UPDATE casebridge_meta SET value = '2' WHERE key = 'bookkeeping_version'")
        }
        let next = try GeneratedExport.small.copy(sequence: 413)
        defer { try? FileManager.default.removeItem(atPath: next) }
        let before = fileHash(target)
        _ = try migrate(next, into: target, dryRun: true)
        #expect(fileHash(target) == before)
        let result = try migrate(next, into: target)
        #expect(result.load.runID == 2)
        let database = try Database(path: target, readOnly: true, create: false)
        #expect(try database.scalar("SELECT value FROM casebridge_meta WHERE key = 'bookkeeping_version'")?.string == "3")
        #expect(try database.scalar("SELECT export_sha256 FROM casebridge_run WHERE run_id = 2")?.string == FileDigest.sha256(path: next))
        #expect(try database.scalar("SELECT export_sha256 FROM casebridge_run WHERE run_id = 1")?.string == nil)
    }
}
