import CasebridgeTarget
import CasebridgeCheck
import CasebridgeLoad
import CasebridgeStore
import Foundation
import TestSupport
import Testing

/// Sequence discipline: an export already loaded is skipped, an older one and a gap are refused, and a
/// gap the user allows is recorded with the run.
struct SequenceTests {
    private func export(_ folder: TemporaryFolder, sequence: String?, exportId: String = "EXP-A", kind: String = "full") throws -> String {
        var text = Fixture.export(Fixture.staff + Fixture.people(Fixture.person("C-1")))
        text = text.replacing(/sequence="\d+"/, with: sequence.map { "sequence=\"\($0)\"" } ?? "")
            .replacing(/exportId="[^"]*"/, with: "exportId=\"\(exportId)\"")
            .replacing(/kind="full"/, with: "kind=\"\(kind)\"")
        return try folder.write(text, to: "export-\(UUID().uuidString).xml")
    }

    @Test func `an export already loaded is skipped and changes nothing`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        let first = try export(folder, sequence: "7")
        _ = try migrate(first, into: target)
        let hash = fileHash(target)
        let skipped = #expect(throws: ExportAlreadyLoaded.self) { try migrate(first, into: target) }
        #expect(skipped?.description == "EXP-A (sequence 7) was already loaded as run 1 at \(skipped?.loadedAt ?? "?"); nothing to do")
        #expect(throws: ExportAlreadyLoaded.self) { try migrate(first, into: target, dryRun: true) }
        #expect(fileHash(target) == hash)
    }

    @Test func `an older export, another export under a loaded sequence, and a gap are refused`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        _ = try migrate(try export(folder, sequence: "7", exportId: "EXP-7"), into: target)
        _ = try migrate(try export(folder, sequence: "8", exportId: "EXP-8"), into: target)
        let hash = fileHash(target)

        let older = #expect(throws: SequenceError.self) { try migrate(try export(folder, sequence: "6", exportId: "EXP-6"), into: target) }
        #expect(older?.reason.contains("sequence 6 is older than the last loaded export (sequence 8)") == true)
        let clash = #expect(throws: SequenceError.self) { try migrate(try export(folder, sequence: "8", exportId: "EXP-X"), into: target) }
        #expect(clash?.reason.contains("sequence 8 was loaded from EXP-8 as run 2; this export (EXP-X) claims the same sequence") == true)
        let gap = #expect(throws: SequenceError.self) { try migrate(try export(folder, sequence: "11", exportId: "EXP-11"), into: target) }
        #expect(gap?.reason.contains("sequence 11 follows 8: sequences 9, 10 are missing") == true)
        let one = #expect(throws: SequenceError.self) { try migrate(try export(folder, sequence: "10", exportId: "EXP-10"), into: target) }
        #expect(one?.reason.contains("sequence 10 follows 8: sequence 9 is missing; load it first, or give --allow-gap") == true)
        #expect(fileHash(target) == hash)
    }

    @Test func `a gap the user allows loads and is recorded with the run`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        _ = try migrate(try export(folder, sequence: "7", exportId: "EXP-7"), into: target)
        var migration = Migration(mapping: Reference.mapping, policy: Reference.policy, target: Reference.targetMapping)
        migration.allowGap = true
        migration.options = .object([("allowGap", .bool(true))])
        let result = try migration.run(export: try export(folder, sequence: "11", exportId: "EXP-11"), into: target)
        #expect(result.load.runID == 2)
        let database = try Database(path: target, readOnly: true, create: false)
        let options = try #require(try database.scalar("SELECT options FROM casebridge_run WHERE run_id = 2")?.string)
        let recorded = try #require(try JSONSerialization.jsonObject(with: Data(options.utf8)) as? [String: Any])
        #expect(recorded["allowGap"] as? Bool == true && recorded["allowedGap"] as? [Int] == [8, 9, 10], "\(options)")
        #expect(try database.scalar("SELECT sequence FROM casebridge_run WHERE run_id = 2")?.int == 11)
    }

    @Test func `an export without a sequence, and a delta export, are refused before anything is read`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        let none = #expect(throws: SequenceError.self) { try migrate(try export(folder, sequence: nil), into: target) }
        #expect(none?.reason.contains("has no valid sequence") == true)
        let delta = #expect(throws: SequenceError.self) { try migrate(try export(folder, sequence: "3", kind: "delta"), into: target) }
        #expect(delta?.reason.contains("is a delta export") == true)
        #expect(!FileManager.default.fileExists(atPath: target))
    }
}
