import CasebridgeTarget
import CasebridgeCheck
import CasebridgeLoad
import CasebridgeModel
import CasebridgeStore
import Crypto
import Foundation
import TestSupport
import Testing

struct MigrationTests {
    @Test func `500 families reconcile exactly, keep every finding, and a second run inserts nothing`() throws {
        let folder = try TemporaryFolder()
        let generated = GeneratedExport.make(families: 500, seed: 21, partBytes: 96, into: folder.url.appendingPathComponent("export"))
        let target = folder.path("target.db")

        let first = try migrate(generated.export, into: target)
        #expect(first.reconciliation.allSatisfy { $0.unaccounted == 0 })
        let staged = first.check.document.recordCounts
        for kind in first.reconciliation {
            #expect(kind.read == staged[kind.kind.rawValue] ?? -1, "\(kind.kind)")
            #expect(kind.read == kind.loaded + kind.quarantined, "\(kind.kind)")
        }
        #expect(first.load.tables.allSatisfy { $0.updated == 0 && $0.deleted == 0 && $0.unchanged == 0 })
        #expect(first.load.quarantine.records == first.reconciliation.reduce(0) { $0 + $1.quarantined })

        let database = try Database(path: target, readOnly: true, create: false)
        // Every row of every data table has its lineage, and lineage names only rows that exist.
        for table in Reference.targetMapping.tables {
            let rows = try count(database, "SELECT count(*) FROM \(table.table)")
            #expect(rows == first.load.tables.first { $0.table == table.table }?.inserted, "\(table.table)")
            #expect(try count(database, "SELECT count(*) FROM casebridge_lineage WHERE table_name = ?", [.text(table.table)]) == rows)
        }
        #expect(try count(database, "SELECT count(*) FROM casebridge_lineage WHERE source_line IS NULL OR source_line < 1 OR length(row_sha256) <> 64") == 0)
        // The stored findings are check's findings, which are the generator's.
        let stored = Set(try database.rows("SELECT identity FROM casebridge_finding WHERE run_id = 1").compactMap { $0["identity"] })
        let checked = Set(first.check.document.findings.map { finding in
            JSONValue.array([.string(finding.rule)] + finding.key.map { .string($0.value) }).serialised()
        })
        #expect(stored == checked)
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: generated.expectedFindings))) as? [String: Any]
        #expect(stored.count == (expected?["findings"] as? [Any])?.count)
        #expect(try database.scalar("PRAGMA integrity_check")?.string == "ok")
        #expect(try database.rows("PRAGMA foreign_key_check").isEmpty)
        #expect(try count(database, "SELECT count(*) FROM casebridge_run_kind WHERE read <> loaded + quarantined") == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // The same export again is a no-op; the same records exported again (the next sequence) change nothing.
        let hash = fileHash(target)
        #expect(throws: ExportAlreadyLoaded.self) { try migrate(generated.export, into: target) }
        #expect(fileHash(target) == hash)
        let again = try generated.copy(sequence: 413)
        defer { try? FileManager.default.removeItem(atPath: again) }
        let second = try migrate(again, into: target)
        #expect(second.load.runID == 2)
        #expect(second.load.tables.allSatisfy { $0.inserted == 0 && $0.updated == 0 && $0.deleted == 0 })
        #expect(second.load.tables.map(\.unchanged) == first.load.tables.map(\.inserted))
        #expect(second.load.contentAdded == 0)
        #expect(second.reconciliation == first.reconciliation)
        #expect(try count(database, "SELECT count(*) FROM casebridge_lineage WHERE run_id = 2") == 0)
    }

    @Test func `a dry run leaves an existing target byte-identical and reports what the real run then does`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        // Two authorities' exports of 30 families each: the second, run into a target holding the first, inserts and deletes.
        let first = GeneratedExport.make(families: 30, seed: 5, into: folder.url.appendingPathComponent("first"))
        let other = GeneratedExport.make(families: 30, seed: 6, sequence: 413, into: folder.url.appendingPathComponent("other"))
        _ = try migrate(first.export, into: target)
        let before = fileHash(target)
        let dry = try migrate(other.export, into: target, dryRun: true)
        #expect(fileHash(target) == before)
        #expect(!FileManager.default.fileExists(atPath: target + "-journal"))
        #expect(dry.load.tables.contains { $0.inserted > 0 } && dry.load.tables.contains { $0.deleted > 0 })

        // Another authority's records: every row of the first goes, which the deletion guard lets through only when told.
        #expect(dry.load.overDeletionGuard.count > 3)
        let real = try migrate(other.export, into: target, allowDeletions: true)
        #expect(real.load.tables == dry.load.tables)
        #expect(real.reconciliation == dry.reconciliation)
        #expect(real.load.contentAdded == dry.load.contentAdded)
        #expect(fileHash(target) != before)
    }

    @Test func `a dry run into a target that does not exist creates nothing`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("new.db")
        let dry = try migrate(GeneratedExport.small.export, into: target, dryRun: true)
        #expect(dry.load.tables.allSatisfy { $0.inserted > 0 || $0.table.hasPrefix("ssd_c") })
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)
    }

    @Test func `a changed record is updated, a vanished one archived, and the rest left unchanged`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        let original = try Data(contentsOf: URL(fileURLWithPath: GeneratedExport.small.export))
        let first = try migrate(GeneratedExport.small.export, into: target)

        // The next export renames the first team and drops one visit (a one-line element whose id is unique).
        var teamID = ""
        var visitID = ""
        let changed = try GeneratedExport.small.copy(sequence: 413, withoutTotals: true) { lines in
            let team = try #require(lines.firstIndex { $0.contains("<Team id=") })
            teamID = String(try #require(lines[team].firstMatch(of: /<Team id="([^"]+)"/)?.1))
            lines[team] = lines[team].replacing(/<Name>[^<]*<\/Name>/, with: "<Name>Renamed team</Name>")
            let visit = try #require(lines.indices.first { index in
                guard lines[index].contains("<Visit id="), lines[index].contains("/>"), lines[index].contains("date=\"20"),
                      let id = lines[index].firstMatch(of: /<Visit id="([^"]+)"/)?.1 else { return false }
                return occurrences(of: "id=\"\(id)\"", in: original) == 1
            })
            visitID = String(try #require(lines[visit].firstMatch(of: /<Visit id="([^"]+)"/)?.1))
            lines.remove(at: visit)
        }
        defer { try? FileManager.default.removeItem(atPath: changed) }

        let second = try migrate(changed, into: target)
        let byTable = Dictionary(uniqueKeysWithValues: second.load.tables.map { ($0.table, $0) })
        #expect(byTable["ssd_department"]?.updated == 1)
        #expect((byTable["ssd_cin_visits"]?.deleted ?? 0) + (byTable["ssd_cp_visits"]?.deleted ?? 0) == 1)
        #expect(second.load.tables.reduce(0) { $0 + $1.inserted } == 0)
        #expect(second.load.tables.reduce(0) { $0 + $1.updated } == 1)
        #expect(second.load.tables.reduce(0) { $0 + $1.unchanged } == first.load.tables.reduce(0) { $0 + $1.inserted } - 2)

        let database = try Database(path: target, readOnly: true, create: false)
        #expect(try database.scalar("SELECT dept_team_name FROM ssd_department WHERE dept_team_id = ?", [.text(teamID)])?.string == "Renamed team")
        #expect(try count(database, "SELECT count(*) FROM casebridge_lineage WHERE table_name = 'ssd_department' AND row_key = ? AND run_id = 2",
                          [.text(teamID)]) == 1)
        let archived = try database.rows("SELECT table_name, row_json, deleted_run FROM casebridge_deleted WHERE row_key = ?", [.text(visitID)])
        #expect(archived.count == 1)
        #expect(archived.first?["row_json"]?.contains(visitID) == true)
        #expect(archived.first?.int("deleted_run") == 2)
        #expect(try count(database, "SELECT count(*) FROM casebridge_lineage WHERE row_key = ?", [.text(visitID)]) == 0)
    }

    @Test func `content is stored once per SHA-256 and every stored byte matches its hash`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        let result = try migrate(GeneratedExport.small.export, into: target)
        let database = try Database(path: target, readOnly: true, create: false)
        let distinct = try count(database, "SELECT count(DISTINCT content_sha256) FROM cb_document_part WHERE content_sha256 IS NOT NULL")
        #expect(distinct == result.load.contentAdded)
        #expect(try count(database, "SELECT count(*) FROM cb_content") == distinct)
        #expect(result.load.contentReused > 0, "replicas share content")
        #expect(try count(database, "SELECT count(*) FROM cb_content WHERE length(data) <> bytes") == 0)
        for row in try database.rows("SELECT sha256, hex(data) AS data FROM cb_content") {
            let bytes = try #require(row["data"]).hexBytes
            #expect(SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() == row["sha256"])
        }
    }
}

extension String {
    /// The bytes of a string of hex digits.
    var hexBytes: [UInt8] {
        var bytes: [UInt8] = []
        var index = startIndex
        while index < endIndex {
            let next = self.index(index, offsetBy: 2)
            bytes.append(UInt8(self[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }
}
