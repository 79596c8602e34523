import CasebridgeTarget
import CasebridgeCheck
import CasebridgeGenerate
import CasebridgeLoad
import CasebridgeModel
import CasebridgeStore
import Foundation
import TestSupport
import Testing

/// A generated series (a full export, ten nightly deltas and the final state as one full export),
/// written once per test run and shared read-only.
enum Series {
    static let exports: [SeriesExport] = {
        let folder = TemporaryFolder.shared("load-series")
        let options = GeneratorOptions(families: 150, seed: 3, defectRate: 0.08, inlinePartBytes: 96)
        return try! SeriesGenerator(options: options, deltas: 10).write(to: folder)
    }()

    static var full: SeriesExport { exports[0] }
    static var deltas: ArraySlice<SeriesExport> { exports[1..<(exports.count - 1)] }
    static var finalFull: SeriesExport { exports[exports.count - 1] }
}

/// Loads one export of the series, naming it by its folder (`03-delta/export.xml`) as findings do.
@discardableResult
func load(_ export: SeriesExport, into target: String, dryRun: Bool = false, allowGap: Bool = false,
          progress: @escaping (String) -> Void = { _ in }) throws -> MigrationResult {
    var migration = Migration(mapping: Reference.mapping, policy: Reference.policy, target: Reference.targetMapping)
    migration.allowGap = allowGap
    return try migration.run(export: export.exportFile.path, displayName: "\(export.name)/export.xml", into: target, dryRun: dryRun,
                             progress: progress)
}

/// Collects a run's progress messages.
final class Messages: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ message: String) { lock.withLock { list.append(message) } }
    var all: [String] { lock.withLock { list } }
}

/// The staging a run keeps beside `target` for the next delta.
func keptState(_ target: String) -> String { target + ".casebridge-state" }

/// Findings as comparable lines: rule, key fields in order, and the file (its folder and name) and line cited.
enum FindingLines {
    static let keyFields = Dictionary(uniqueKeysWithValues: RuleRegistry.all.map { ($0.description.id, $0.description.keyFields) })

    /// The findings a run stored.
    static func stored(in target: String, run: Int64) throws -> Set<String> {
        let database = try Database(path: target, readOnly: true, create: false)
        var lines = Set<String>()
        for row in try database.rows("SELECT rule, key_json, source_file, source_line FROM casebridge_finding WHERE run_id = ?", [.integer(run)]) {
            let key = try JSONSerialization.jsonObject(with: Data((row["key_json"] ?? "{}").utf8)) as? [String: String] ?? [:]
            let rule = row["rule"] ?? "?"
            let values = (keyFields[rule] ?? []).map { "\($0)=\(key[$0] ?? "-")" }.joined(separator: " ")
            lines.insert("\(rule) \(values) @ \(row["source_file"] ?? "-"):\(row["source_line"] ?? "-")")
        }
        return lines
    }

    /// The findings the generator expects after `export`, their files named from the series' folder.
    static func expected(after export: SeriesExport) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: export.expectedFindingsFile)) as? [String: Any]
        var lines = Set<String>()
        for finding in object?["findings"] as? [[String: Any]] ?? [] {
            let rule = finding["rule"] as? String ?? "?"
            let values = (keyFields[rule] ?? []).map { "\($0)=\(finding[$0] as? String ?? "-")" }.joined(separator: " ")
            let source = finding["source"] as? [String: Any]
            let file = (source?["file"] as? String ?? "-").replacingOccurrences(of: "../", with: "")
            let named = file.contains("/") ? file : "\(export.name)/\(file)"
            lines.insert("\(rule) \(values) @ \(named):\(source?["line"] as? Int ?? -1)")
        }
        return lines
    }
}

/// The data tables of a target (every table but Casebridge's bookkeeping), row by row.
func dataTables(_ path: String) throws -> [String: [String]] {
    try dump(path) { !$0.hasPrefix("casebridge_") }
}

struct DeltaTests {
    @Test func `a full export and ten deltas load to the same data as the final state loaded whole, with the findings of each night`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        try load(Series.full, into: target)
        #expect(try FindingLines.stored(in: target, run: 1) == FindingLines.expected(after: Series.full))
        var run: Int64 = 1
        for (night, delta) in Series.deltas.enumerated() {
            // Every third night the kept staging is gone (deleted, or left by a run that failed): the
            // delta is then loaded onto the state rebuilt from the target; else it continues the kept one.
            let rebuild = night % 3 == 2
            if rebuild { StagingFile.remove(keptState(target)) }
            let messages = Messages()
            let result = try load(delta, into: target, progress: messages.add)
            #expect(messages.all.contains("applying the delta to the live state kept by the last run") == !rebuild, "\(delta.name)")
            #expect(messages.all.contains("carrying the target's live state into the delta") == rebuild, "\(delta.name)")
            run += 1
            #expect(result.load.runID == run)
            #expect(result.reconciliation.allSatisfy { $0.unaccounted == 0 }, "\(delta.name): \(result.reconciliation)")
            let stored = try FindingLines.stored(in: target, run: run)
            let expected = try FindingLines.expected(after: delta)
            #expect(stored.subtracting(expected).isEmpty, "\(delta.name) extra: \(stored.subtracting(expected).sorted().prefix(5))")
            #expect(expected.subtracting(stored).isEmpty, "\(delta.name) missed: \(expected.subtracting(stored).sorted().prefix(5))")
        }
        let whole = folder.path("whole.db")
        try load(Series.finalFull, into: whole)
        let incremental = try dataTables(target)
        let once = try dataTables(whole)
        #expect(incremental.keys.sorted() == once.keys.sorted())
        for table in once.keys.sorted() {
            let extra = Set(incremental[table] ?? []).subtracting(once[table] ?? [])
            let missing = Set(once[table] ?? []).subtracting(incremental[table] ?? [])
            #expect(incremental[table] == once[table], "\(table): \(extra.count) rows only after the deltas, \(missing.count) only in the whole load")
        }
        #expect(try dataTables(target).values.reduce(0) { $0 + $1.count } > 10_000)

        // The other way round: the final state sent as the next full export, after the deltas, changes no row.
        let finalAgain = try copy(Series.finalFull, sequence: Series.finalFull.sequence + 1)
        defer { try? FileManager.default.removeItem(atPath: finalAgain) }
        let again = try Migration(mapping: Reference.mapping, policy: Reference.policy, target: Reference.targetMapping)
            .run(export: finalAgain, displayName: "final-again.xml", into: target)
        #expect(again.load.tables.allSatisfy { $0.inserted == 0 && $0.updated == 0 && $0.deleted == 0 }, "\(again.load.tables)")
        #expect(try dataTables(target) == incremental)
    }

    @Test func `a delta continuing the kept staging judges and quarantines every record as one rebuilding the state from the target`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        try load(Series.full, into: target)
        for delta in Series.deltas {
            // The same delta onto a copy of the target without the kept staging: every rule then runs over
            // the whole state and quarantine is decided for every record.
            let rebuilt = folder.path("rebuilt.db")
            try FileManager.default.copyItem(atPath: target, toPath: rebuilt)
            let continued = try load(delta, into: target)
            #expect((continued.check.judgedChangedRecords ?? 0) > 0, "\(delta.name): the rules judged every record")
            let whole = try load(delta, into: rebuilt)
            #expect(whole.check.judgedChangedRecords == nil)
            #expect(try lastRun(target) == lastRun(rebuilt), "\(delta.name)")
            #expect(try dataTables(target) == dataTables(rebuilt), "\(delta.name)")
            // The findings document too, every line of a finding that stands for several records included.
            #expect(Set(continued.check.document.findings) == Set(whole.check.document.findings), "\(delta.name)")
            StagingFile.remove(rebuilt)
            StagingFile.remove(keptState(rebuilt))
        }
    }

    @Test func `a delta under another policy judges every record again, as one rebuilding the state would`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        try load(Series.full, into: target)
        // Every upload limit one working day shorter: more late uploads among records the delta does not touch.
        var stricter = Reference.policy
        for index in stricter.documentTypes.indices { stricter.documentTypes[index].uploadWithinWorkingDays -= 1 }
        let delta = try #require(Series.deltas.first)
        let rebuilt = folder.path("rebuilt.db")
        try FileManager.default.copyItem(atPath: target, toPath: rebuilt)
        func run(_ path: String) throws -> MigrationResult {
            try Migration(mapping: Reference.mapping, policy: stricter, target: Reference.targetMapping)
                .run(export: delta.exportFile.path, displayName: "\(delta.name)/export.xml", into: path)
        }
        let continued = try run(target)
        #expect(continued.check.judgedChangedRecords == nil)
        _ = try run(rebuilt)
        #expect(try lastRun(target) == lastRun(rebuilt))
        let late = { (result: MigrationResult) in result.check.document.findings.filter { $0.rule == "late-upload" }.count }
        let before = try FindingLines.stored(in: target, run: 1).filter { $0.hasPrefix("late-upload ") }.count
        #expect(late(continued) > before)
        // The next delta, under the same stricter policy, continues again.
        let next = try #require(Series.deltas.dropFirst().first)
        let again = try Migration(mapping: Reference.mapping, policy: stricter, target: Reference.targetMapping)
            .run(export: next.exportFile.path, displayName: "\(next.name)/export.xml", into: target)
        #expect(again.check.judgedChangedRecords != nil)
    }

    /// The findings and quarantine of a target's last run, row by row (every column but the run's id).
    private func lastRun(_ path: String, findings least: Int = 100) throws -> [String: [String]] {
        let database = try Database(path: path, readOnly: true, create: false)
        var tables: [String: [String]] = [:]
        for table in ["casebridge_finding", "casebridge_quarantine"] {
            let columns = try database.rows("SELECT name FROM pragma_table_info(?)", [.text(table)]).compactMap { $0["name"] }
            let expression = columns.filter { $0 != "run_id" }.map { "quote(\"\($0)\")" }.joined(separator: " || '|' || ")
            tables[table] = try database.rows("""
                SELECT \(expression) AS line FROM \(table) WHERE run_id = (SELECT max(run_id) FROM casebridge_run)
                """).compactMap { $0["line"] }.sorted()
        }
        #expect((tables["casebridge_finding"]?.count ?? 0) >= least)
        return tables
    }

    /// A copy of a series export beside it (so that its hrefs still lead to its attachments) under another
    /// sequence and exportId.
    private func copy(_ export: SeriesExport, sequence: Int) throws -> String {
        let text = try String(contentsOf: export.exportFile, encoding: .utf8)
            .replacing(/sequence="\d+"/, with: "sequence=\"\(sequence)\"", maxReplacements: 1)
            .replacing(/exportId="[^"]*"/, with: "exportId=\"EXP-\(sequence)\"", maxReplacements: 1)
        let path = export.exportFile.deletingLastPathComponent().appendingPathComponent("copy-\(UUID().uuidString).xml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func `a delta's deletions archive rows with the run that deleted them, and the run records new and resolved findings`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        try load(Series.full, into: target)
        let delta = Series.deltas.first { delta in
            (try? String(contentsOf: delta.exportFile, encoding: .utf8).contains("<Deleted kind=\"Person\"")) == true
        } ?? Series.deltas[Series.deltas.startIndex]
        for earlier in Series.deltas.prefix(while: { $0.sequence < delta.sequence }) { try load(earlier, into: target) }
        let text = try String(contentsOf: delta.exportFile, encoding: .utf8)
        let deletions = text.matches(of: /<Deleted kind="(\w+)" id="([^"]+)"\/>/).map { (String($0.1), String($0.2)) }
        #expect(!deletions.isEmpty)
        let result = try load(delta, into: target)
        let database = try Database(path: target, readOnly: true, create: false)
        for (kind, id) in deletions {
            // Gone from the data and lineage, kept in casebridge_deleted with this run.
            #expect(try count(database, "SELECT count(*) FROM casebridge_lineage WHERE record_kind = ? AND record_id = ?",
                              [.text(kind), .text(id)]) == 0, "\(kind) \(id) still has rows")
            #expect(try count(database, """
                SELECT count(*) FROM casebridge_deleted WHERE deleted_run = ? AND row_json LIKE ?
                """, [.integer(result.load.runID), .text("%\"\(id)\"%")]) >= 1, "\(kind) \(id) was not archived")
        }
        let deleted = try #require(result.reconciliation.first { $0.kind == .deleted })
        #expect(deleted.read == deletions.count && deleted.loaded == deletions.count && deleted.quarantined == 0)

        // New, still open and resolved, by identity against the previous run.
        let run = result.load.runID
        let previous = try FindingLines.stored(in: target, run: run - 1)
        let now = try FindingLines.stored(in: target, run: run)
        func identities(_ lines: Set<String>) -> Set<String> { Set(lines.map { String($0.split(separator: "@")[0]) }) }
        let new = identities(now).subtracting(identities(previous))
        let resolved = identities(previous).subtracting(identities(now))
        #expect(!new.isEmpty || !resolved.isEmpty)
        #expect(try count(database, "SELECT count(*) FROM casebridge_finding WHERE run_id = ?1 AND first_run = ?1", [.integer(run)]) == new.count)
        #expect(try count(database, "SELECT count(*) FROM casebridge_finding_resolved WHERE run_id = ?", [.integer(run)]) == resolved.count)
        #expect(try count(database, "SELECT findings_new FROM casebridge_run WHERE run_id = ?", [.integer(run)]) == new.count)
        #expect(try count(database, "SELECT findings_resolved FROM casebridge_run WHERE run_id = ?", [.integer(run)]) == resolved.count)
        // A gap open since the full export keeps the full export's run as its first.
        #expect(try count(database, "SELECT count(*) FROM casebridge_finding WHERE run_id = ? AND first_run = 1", [.integer(run)]) > 0)
    }

    @Test func `applying a delta twice changes nothing: skipped as loaded, and its records again under the next sequence change no row`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        try load(Series.full, into: target)
        let delta = Series.deltas[Series.deltas.startIndex]
        try load(delta, into: target)
        let hash = fileHash(target)
        #expect(throws: ExportAlreadyLoaded.self) { try load(delta, into: target) }
        #expect(fileHash(target) == hash)

        // The same records and deletions sent again as the next export: rows unchanged, the deletions
        // of records already gone quarantined (they name nothing the target holds), nothing lost.
        let data = try dataTables(target)
        var text = try String(contentsOf: delta.exportFile, encoding: .utf8)
        text = text.replacing(/sequence="\d+"/, with: "sequence=\"\(delta.sequence + 1)\"")
            .replacing(/exportId="[^"]*"/, with: "exportId=\"EXP-again\"")
        let again = URL(fileURLWithPath: delta.exportFile.deletingLastPathComponent().path).appendingPathComponent("again.xml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: again))
        defer { try? FileManager.default.removeItem(atPath: again) }
        let result = try Migration(mapping: Reference.mapping, policy: Reference.policy, target: Reference.targetMapping)
            .run(export: again, displayName: "again.xml", into: target)
        #expect(result.load.tables.allSatisfy { $0.inserted == 0 && $0.updated == 0 && $0.deleted == 0 }, "\(result.load.tables)")
        #expect(try dataTables(target) == data)
        let deleted = result.reconciliation.first { $0.kind == .deleted }
        #expect(deleted.map { $0.loaded == 0 && $0.quarantined == $0.read } ?? true)
        #expect(result.reconciliation.allSatisfy { $0.unaccounted == 0 })
        let database = try Database(path: target, readOnly: true, create: false)
        if let deleted, deleted.read > 0 {
            #expect(try count(database, """
                SELECT count(*) FROM casebridge_quarantine WHERE run_id = ? AND kind = 'Deleted' AND reasons LIKE '%which the target does not hold%'
                """, [.integer(result.load.runID)]) == deleted.read)
        }
    }

    @Test func `the staging kept for the next delta is 0600, untouched by a dry run, and unused once another run changed the target`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        try load(Series.full, into: target)
        let kept = keptState(target)
        #expect(try FileManager.default.attributesOfItem(atPath: kept)[.posixPermissions] as? Int == 0o600)
        let first = Series.deltas[Series.deltas.startIndex]
        let second = Series.deltas[Series.deltas.startIndex + 1]
        let hashes = (fileHash(target), fileHash(kept))
        try load(first, into: target, dryRun: true)
        #expect((fileHash(target), fileHash(kept)) == hashes)

        // While the second delta (allowed past the gap) is being read and checked, another run loads the
        // first: the second must not load onto a state that changed under it.
        var loadedMeanwhile = false
        #expect(throws: TargetError.self) {
            try load(second, into: target, allowGap: true) { message in
                guard message.hasPrefix("preparing rows"), !loadedMeanwhile else { return }
                loadedMeanwhile = true
                _ = try? load(first, into: target)
            }
        }
        #expect(loadedMeanwhile)
        let database = try Database(path: target, readOnly: true, create: false)
        #expect(try count(database, "SELECT max(sequence) FROM casebridge_run") == first.sequence)
        // The run that did load kept its staging; the next delta continues it.
        let messages = Messages()
        try load(second, into: target, progress: messages.add)
        #expect(messages.all.contains("applying the delta to the live state kept by the last run"))
        let whole = folder.path("whole.db")
        try load(Series.full, into: whole)
        try load(first, into: whole)
        StagingFile.remove(keptState(whole))
        try load(second, into: whole)
        #expect(try dataTables(target) == dataTables(whole))
    }

    @Test func `a run that keeps its staging makes it beside the target, and nothing else is left there`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        var madeBeside = false
        try load(Series.full, into: target) { message in
            guard message.hasPrefix("preparing rows") else { return }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.url.path)) ?? []
            madeBeside = names.contains { $0.hasPrefix(".target.db.casebridge-state.casebridge-new-") }
        }
        #expect(madeBeside)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted() == ["target.db", "target.db.casebridge-state"])
    }

    /// A folder on another file system than the temporary folder's (`/dev/shm` on Linux), when there is one.
    static let otherFileSystem: String? = {
        var shm = stat(), temporary = stat()
        guard stat("/dev/shm", &shm) == 0, access("/dev/shm", W_OK) == 0,
              stat(FileManager.default.temporaryDirectory.path, &temporary) == 0, shm.st_dev != temporary.st_dev else { return nil }
        return "/dev/shm"
    }()

    @Test(.enabled(if: otherFileSystem != nil, "no writable folder on another file system than the temporary folder's"))
    func `a target on another file system than the temporary folder keeps its staging, and the next delta continues it`() throws {
        let folder = URL(fileURLWithPath: Self.otherFileSystem!).appendingPathComponent("casebridge-delta-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("target.db").path
        let full = try load(Series.full, into: target)
        #expect(full.check.warnings.isEmpty, "\(full.check.warnings)")
        #expect(FileManager.default.fileExists(atPath: keptState(target)))
        let messages = Messages()
        try load(Series.deltas[Series.deltas.startIndex], into: target, progress: messages.add)
        #expect(messages.all.contains("applying the delta to the live state kept by the last run"))
    }

    @Test func `a dry-run delta continues a copy of the kept staging and reports what carrying the state from the target reports`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        try load(Series.full, into: target)
        let kept = keptState(target)
        let hashes = (fileHash(target), fileHash(kept))
        let first = Series.deltas[Series.deltas.startIndex]
        let messages = Messages()
        let continued = try load(first, into: target, dryRun: true, progress: messages.add)
        #expect(messages.all.contains("applying the delta to the live state kept by the last run"))
        #expect((fileHash(target), fileHash(kept)) == hashes)

        // Without a kept staging, the dry run carries the live state from the target: the same report.
        let aside = folder.path("kept-aside")
        try FileManager.default.moveItem(atPath: kept, toPath: aside)
        let carried = try load(first, into: target, dryRun: true)
        try FileManager.default.moveItem(atPath: aside, toPath: kept)
        #expect(continued.load.tables == carried.load.tables)
        #expect(Set(continued.check.document.findings) == Set(carried.check.document.findings))
        #expect(continued.load.quarantine == carried.load.quarantine)

        // And what the delta then does.
        let real = try load(first, into: target)
        #expect(continued.load.tables == real.load.tables)
        #expect(Set(continued.check.document.findings) == Set(real.check.document.findings))
    }

    @Test func `a delta into a target that holds no full export is refused`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        #expect(throws: SequenceError.self) { try load(Series.deltas[Series.deltas.startIndex], into: target) }
        #expect(!FileManager.default.fileExists(atPath: target))
    }

    @Test func `a delta whose since is not the last export's exportedAt loads with a warning; one that follows does not`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        try load(Series.full, into: target)
        let first = Series.deltas[Series.deltas.startIndex]
        #expect(try load(first, into: target).check.warnings.isEmpty)
        var migration = Migration(mapping: Reference.mapping, policy: Reference.policy, target: Reference.targetMapping)
        migration.allowGap = true
        let third = Series.deltas[Series.deltas.startIndex + 2]
        let result = try migration.run(export: third.exportFile.path, displayName: "\(third.name)/export.xml", into: target)
        #expect(result.check.warnings.contains { $0.hasPrefix("the delta's since (") && $0.contains("(sequence \(first.sequence), ") },
                "\(result.check.warnings)")
    }

    @Test func `check of a delta on its own warns that rules across records see only its records`() throws {
        let delta = Series.deltas[Series.deltas.startIndex]
        let alone = try CheckRun(mapping: Reference.mapping, policy: Reference.policy).run(export: delta.exportFile.path)
        #expect(alone.warnings.contains { $0.hasPrefix("this is a delta export, checked on its own") })
        let full = try CheckRun(mapping: Reference.mapping, policy: Reference.policy).run(export: Series.full.exportFile.path)
        #expect(!full.warnings.contains { $0.hasPrefix("this is a delta export") })
    }

    @Test func `a finding about a record an earlier export sent names that export's file and line`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        try load(Series.full, into: target)
        let delta = Series.deltas[Series.deltas.startIndex]
        let result = try load(delta, into: target)
        let database = try Database(path: target, readOnly: true, create: false)
        let files = Set(try database.rows("SELECT DISTINCT source_file FROM casebridge_finding WHERE run_id = ?",
                                          [.integer(result.load.runID)]).compactMap { $0["source_file"] })
        #expect(files.contains("00-full/export.xml"))
        // Lineage names the export each row's record came from.
        #expect(try count(database, "SELECT count(*) FROM casebridge_lineage WHERE source_sequence = ?", [.integer(Int64(Series.full.sequence))]) > 0)
        #expect(try count(database, "SELECT count(*) FROM casebridge_lineage WHERE source_sequence = ?", [.integer(Int64(delta.sequence))]) > 0)
        #expect(try count(database, "SELECT count(*) FROM casebridge_lineage WHERE source_sequence IS NULL OR source_line > 4294967295") == 0)
    }
    /// A small export of the reference format: `kind` full or delta (a delta's `since` is the full's exportedAt).
    private func export(_ folder: TemporaryFolder, _ name: String, sequence: Int, delta: Bool, _ sections: String) throws -> String {
        var text = Fixture.export(Fixture.staff + sections, exportedAt: "2019-09-0\(sequence)T23:10:00Z", sequence: sequence)
            .replacingOccurrences(of: "exportId=\"EXP-EXAMPLE\"", with: "exportId=\"EXP-\(sequence)\"")
        if delta {
            text = text.replacingOccurrences(of: "kind=\"full\"", with: "kind=\"delta\" since=\"2019-09-0\(sequence - 1)T23:10:00Z\"")
        }
        return try folder.write(text, to: name)
    }

    private func migrateSmall(_ path: String, into target: String) throws -> MigrationResult {
        try Migration(mapping: Reference.mapping, policy: Reference.policy, target: Reference.targetMapping)
            .run(export: path, displayName: URL(fileURLWithPath: path).lastPathComponent, into: target)
    }

    @Test func `a delta that sends a duplicated id once replaces both copies: the document loads and duplicate-id is resolved`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        let people = Fixture.people(Fixture.person("C-1"))
        let full = try export(folder, "full.xml", sequence: 1, delta: false, people
            + Fixture.documents(Fixture.document("D-1", person: "C-1"), Fixture.document("D-1", person: "C-1", type: "VISIT")))
        let first = try migrateSmall(full, into: target)
        #expect(first.check.document.findings.contains { $0.rule == "duplicate-id" })
        let database = try Database(path: target, readOnly: true, create: false)
        #expect(try count(database, "SELECT count(*) FROM cb_document WHERE document_id = 'D-1'") == 0)
        #expect(try count(database, "SELECT count(*) FROM casebridge_quarantine WHERE run_id = 1 AND kind = 'Document' AND record_id = 'D-1'") == 2)

        let delta = try export(folder, "delta.xml", sequence: 2, delta: true, Fixture.documents(Fixture.document("D-1", person: "C-1")))
        let second = try migrateSmall(delta, into: target)
        #expect(!second.check.document.findings.contains { $0.rule == "duplicate-id" })
        #expect(try count(database, "SELECT count(*) FROM cb_document WHERE document_id = 'D-1' AND document_type = 'ASSESS'") == 1)
        #expect(try count(database, "SELECT count(*) FROM casebridge_quarantine WHERE run_id = 2") == 0)
        #expect(try count(database, "SELECT count(*) FROM casebridge_finding_resolved WHERE run_id = 2 AND rule = 'duplicate-id'") == 1)
        // The person the delta did not mention is carried: still there, unchanged.
        #expect(second.load.tables.first { $0.table == "ssd_person" }.map { $0.unchanged == 1 && $0.inserted == 0 && $0.deleted == 0 } == true)
    }

    @Test func `a delta continuing the kept staging quarantines its own records that cannot load, and frees the ones whose twin it replaced`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        let full = try export(folder, "full.xml", sequence: 1, delta: false, Fixture.people(
                Fixture.person("C-1"), Fixture.person("C-2"), Fixture.person("C-2", birthDate: "2015-01-01"))
            + Fixture.documents(
                Fixture.document("D-1", person: "C-1"),
                Fixture.document("D-2", person: "C-1", parts: [.inline("one", seq: "1"), .inline("again", seq: "1"), .inline("two", seq: "2")])))
        _ = try migrateSmall(full, into: target)
        // The delta: C-2 once (both copies replaced), C-3 twice, a new document whose parts repeat a seq.
        let delta = try export(folder, "delta.xml", sequence: 2, delta: true, Fixture.people(
                Fixture.person("C-2"), Fixture.person("C-3"), Fixture.person("C-3", birthDate: "2016-01-01"))
            + Fixture.documents(
                Fixture.document("D-3", person: "C-2", parts: [.inline("a", seq: "1"), .inline("b", seq: "1"), .inline("c", seq: "2")])))
        let rebuilt = folder.path("rebuilt.db")
        try FileManager.default.copyItem(atPath: target, toPath: rebuilt)
        let continued = try migrateSmall(delta, into: target)
        #expect(continued.check.judgedChangedRecords != nil)
        _ = try migrateSmall(delta, into: rebuilt)
        #expect(try lastRun(target, findings: 1) == lastRun(rebuilt, findings: 1))
        #expect(try dataTables(target) == dataTables(rebuilt))

        let database = try Database(path: target, readOnly: true, create: false)
        let quarantined = try database.rows("SELECT kind, record_id, reasons FROM casebridge_quarantine WHERE run_id = 2")
            .map { "\($0["kind"] ?? "") \($0["record_id"] ?? "") \($0["reasons"] ?? "")" }.sorted()
        #expect(quarantined == [
            #"Part D-2 ["shares key [\"D-2\",1] of cb_document_part with 1 other record(s)"]"#,
            #"Part D-2 ["shares key [\"D-2\",1] of cb_document_part with 1 other record(s)"]"#,
            #"Part D-3 ["shares key [\"D-3\",1] of cb_document_part with 1 other record(s)"]"#,
            #"Part D-3 ["shares key [\"D-3\",1] of cb_document_part with 1 other record(s)"]"#,
            #"Person C-3 ["id C-3 is shared by 2 Person records"]"#,
            #"Person C-3 ["id C-3 is shared by 2 Person records"]"#,
        ], "\(quarantined)")
        #expect(try count(database, "SELECT count(*) FROM ssd_person WHERE pers_person_id = 'C-2'") == 1)
        #expect(try count(database, "SELECT count(*) FROM ssd_person WHERE pers_person_id = 'C-3'") == 0)
        #expect(try count(database, "SELECT count(*) FROM cb_document_part WHERE document_id = 'D-3'") == 1)
    }

    @Test func `a delta changing a child's plans builds that child's visit rows again, and only those`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        let full = try export(folder, "full.xml", sequence: 1, delta: false,
            Fixture.people(Fixture.person("C-1"), Fixture.person("C-2"), Fixture.person("C-3"), Fixture.person("C-4"))
            + Fixture.plans(Fixture.plan("PL-1", person: "C-1"), Fixture.plan("PL-2", person: "C-2", type: "CIN"),
                            Fixture.plan("PL-4", person: "C-3"), Fixture.plan("PL-5", person: "C-4"))
            + Fixture.visits(Fixture.visit("V-1", person: "C-1", date: "2019-07-01"), Fixture.visit("V-2", person: "C-2", date: "2019-07-01"),
                             Fixture.visit("V-3", person: "C-1", date: "2019-08-30"), Fixture.visit("V-4", person: "C-3", date: "2019-08-30"),
                             Fixture.visit("V-5", person: "C-4", date: "2019-08-30")))
        _ = try migrateSmall(full, into: target)
        let database = try Database(path: target, readOnly: true, create: false)
        func visits(_ table: String) throws -> [String] {
            try database.rows("SELECT * FROM \(table) ORDER BY 1").map { row in
                row.values.compactMap { $0.string }.filter { $0.hasPrefix("V-") || $0.hasPrefix("PL-") }.sorted().joined(separator: " ")
            }
        }
        #expect(try visits("ssd_cp_visits") == ["PL-1 V-1", "PL-1 V-3", "PL-4 V-4", "PL-5 V-5"])
        #expect(try visits("ssd_cin_visits") == ["V-2"])

        // PL-1 ends before V-3; C-2 gets a child protection plan covering V-2; C-4's plan is deleted;
        // C-3 and V-4 are not mentioned.
        let delta = try export(folder, "delta.xml", sequence: 2, delta: true,
            Fixture.plans(Fixture.plan("PL-1", person: "C-1", end: "2019-07-15"), Fixture.plan("PL-3", person: "C-2", start: "2019-06-15"))
            + #"<Deletions><Deleted kind="Plan" id="PL-5"/></Deletions>"#)
        let rebuilt = folder.path("rebuilt.db")
        try FileManager.default.copyItem(atPath: target, toPath: rebuilt)
        let continued = try migrateSmall(delta, into: target)
        _ = try migrateSmall(delta, into: rebuilt)
        #expect(try visits("ssd_cp_visits") == ["PL-1 V-1", "PL-3 V-2", "PL-4 V-4"])
        #expect(try visits("ssd_cin_visits") == ["V-3", "V-5"])
        #expect(try dataTables(target) == dataTables(rebuilt))
        #expect(try lastRun(target, findings: 0) == lastRun(rebuilt, findings: 0))
        // Only the rows about C-1, C-2 and C-4 were built again and compared: V-4's row stays, unchanged.
        let cp = try #require(continued.load.tables.first { $0.table == "ssd_cp_visits" })
        #expect(cp.inserted == 1 && cp.updated == 0 && cp.deleted == 2 && cp.unchanged == 2, "\(cp)")
        #expect(try count(database, "SELECT count(*) FROM casebridge_deleted WHERE table_name = 'ssd_cp_visits' AND row_key = 'V-3'") == 1)
        #expect(try count(database, "SELECT count(*) FROM casebridge_deleted WHERE table_name = 'ssd_cin_visits' AND row_key = 'V-2'") == 1)
    }

    @Test func `a delta re-sending a child builds the rows of that child's CIN plans again, which read its allocations`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        func child(_ id: String, team: String) -> String {
            Fixture.person(id, statuses: #"<Allocation team="\#(team)" worker="W-1" from="2019-01-01"/>"#)
        }
        let full = try export(folder, "full.xml", sequence: 1, delta: false,
            Fixture.people(child("C-1", team: "T-1"), child("C-2", team: "T-1"))
            + Fixture.plans(Fixture.plan("PL-1", person: "C-1", type: "CIN"), Fixture.plan("PL-2", person: "C-2", type: "CIN"),
                            Fixture.plan("PL-3", person: "C-3", type: "CIN")))
        _ = try migrateSmall(full, into: target)
        let database = try Database(path: target, readOnly: true, create: false)
        func teams() throws -> [String] {
            try database.rows("SELECT cinp_cin_plan_id || ' ' || cinp_cin_plan_team AS t FROM ssd_cin_plans ORDER BY 1").compactMap { $0["t"] }
        }
        #expect(try teams() == ["PL-1 T-1", "PL-2 T-1"])
        // C-1 sent again with another team; C-3, whom PL-3 named before the target held them, sent at last.
        let delta = try export(folder, "delta.xml", sequence: 2, delta: true, Fixture.people(child("C-1", team: "T-9"), child("C-3", team: "T-5")))
        let rebuilt = folder.path("rebuilt.db")
        try FileManager.default.copyItem(atPath: target, toPath: rebuilt)
        let continued = try migrateSmall(delta, into: target)
        _ = try migrateSmall(delta, into: rebuilt)
        #expect(try teams() == ["PL-1 T-9", "PL-2 T-1", "PL-3 T-5"])
        #expect(try dataTables(target) == dataTables(rebuilt))
        let plans = try #require(continued.load.tables.first { $0.table == "ssd_cin_plans" })
        #expect(plans.updated == 2 && plans.unchanged == 1, "\(plans)")
    }

    @Test func `a delta sending a person an old visit named resolves its orphan-reference; deleting a person opens those of its records`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        let full = try export(folder, "full.xml", sequence: 1, delta: false,
            Fixture.people(Fixture.person("C-1"), Fixture.person("C-2"))
            + Fixture.documents(Fixture.document("D-1", person: "C-1"), Fixture.document("D-2", person: "C-2"))
            + Fixture.visits(Fixture.visit("V-1", person: "C-9"), Fixture.visit("V-2", person: "C-2")))
        let first = try migrateSmall(full, into: target)
        func orphans(_ result: MigrationResult) -> [String] {
            result.check.document.findings.filter { $0.rule == "orphan-reference" }.map { $0.key.map(\.value).joined(separator: " ") }.sorted()
        }
        #expect(orphans(first) == ["Visit V-1"])
        let delta = try export(folder, "delta.xml", sequence: 2, delta: true,
            Fixture.people(Fixture.person("C-9")) + #"<Deletions><Deleted kind="Person" id="C-1"/></Deletions>"#)
        let rebuilt = folder.path("rebuilt.db")
        try FileManager.default.copyItem(atPath: target, toPath: rebuilt)
        let continued = try migrateSmall(delta, into: target)
        #expect(continued.check.judgedChangedRecords != nil)
        let whole = try migrateSmall(delta, into: rebuilt)
        #expect(orphans(continued) == ["Document D-1"])
        #expect(orphans(whole) == ["Document D-1"])
        #expect(try lastRun(target, findings: 1) == lastRun(rebuilt, findings: 1))
    }

    @Test func `a delta sending a child a family already listed opens a gap for the family's documents; re-sending a child as it was does not`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        let family = Fixture.families(Fixture.family("F-1", [("C-1", "child", "2014-05-03", nil), ("C-2", "child", "2014-05-03", nil)]))
        let strategy = Fixture.document("D-1", person: "C-1", type: "STRAT", scope: "family", family: "F-1", origin: "EV-1", sections: [])
        let full = try export(folder, "full.xml", sequence: 1, delta: false,
            Fixture.people(Fixture.person("C-1")) + family + Fixture.documents(strategy))
        let first = try migrateSmall(full, into: target)
        func gaps(_ result: MigrationResult) -> [String] {
            result.check.document.findings.filter { $0.rule == "family-document-missing" }.map { $0.key.map(\.value).joined(separator: " ") }.sorted()
        }
        // C-2 is a member but no Person the target holds: no gap yet.
        #expect(gaps(first) == [])
        let delta = try export(folder, "delta.xml", sequence: 2, delta: true, Fixture.people(Fixture.person("C-2"), Fixture.person("C-1")))
        let rebuilt = folder.path("rebuilt.db")
        try FileManager.default.copyItem(atPath: target, toPath: rebuilt)
        let continued = try migrateSmall(delta, into: target)
        #expect(continued.check.judgedChangedRecords != nil)
        _ = try migrateSmall(delta, into: rebuilt)
        #expect(gaps(continued) == ["EV-1 C-2"])
        #expect(try lastRun(target, findings: 1) == lastRun(rebuilt, findings: 1))
    }

    @Test func `a record deleted by one delta and sent again by the next loads again; its deletion stays archived`() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("target.db")
        let full = try export(folder, "full.xml", sequence: 1, delta: false, Fixture.people(Fixture.person("C-1"))
            + Fixture.documents(Fixture.document("D-1", person: "C-1"), Fixture.document("D-2", person: "C-1")))
        _ = try migrateSmall(full, into: target)
        let deleting = try export(folder, "delta-2.xml", sequence: 2, delta: true, #"<Deletions><Deleted kind="Document" id="D-2"/></Deletions>"#)
        let second = try migrateSmall(deleting, into: target)
        #expect(second.reconciliation.first { $0.kind == .deleted }.map { $0.read == 1 && $0.loaded == 1 } == true)
        let database = try Database(path: target, readOnly: true, create: false)
        #expect(try count(database, "SELECT count(*) FROM cb_document WHERE document_id = 'D-2'") == 0)
        #expect(try count(database, "SELECT count(*) FROM casebridge_deleted WHERE table_name = 'cb_document' AND row_key = 'D-2' AND deleted_run = 2") == 1)
        #expect(try count(database, "SELECT count(*) FROM cb_document WHERE document_id = 'D-1'") == 1)

        let again = try export(folder, "delta-3.xml", sequence: 3, delta: true, Fixture.documents(Fixture.document("D-2", person: "C-1")))
        _ = try migrateSmall(again, into: target)
        #expect(try count(database, "SELECT count(*) FROM cb_document WHERE document_id = 'D-2'") == 1)
        #expect(try count(database, "SELECT run_id FROM casebridge_lineage WHERE table_name = 'cb_document' AND row_key = 'D-2'") == 3)
        #expect(try count(database, "SELECT count(*) FROM casebridge_deleted WHERE row_key = 'D-2'") == 1)
    }
}
