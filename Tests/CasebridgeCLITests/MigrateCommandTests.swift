import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs `sqlite3` (installed by scripts/setup) on a database.
func sqlite(_ database: String, _ sql: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = [database, sql]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// Starts `casebridge migrate EXPORT --target TARGET --allow-deletions` (with `environment` added to
/// this process's), waits for `line` on its stderr, and kills it with SIGKILL; whether it was killed there.
/// The run stops itself once it has printed `line` (`CASEBRIDGE_STOP_AT`), so the kill lands at that moment
/// however small the export, never after the run committed. It runs with a temporary folder of its own,
/// removed afterwards: nothing removes what a killed run left there.
func killMigrate(_ export: String, into target: String, at line: String, environment: [String: String] = [:]) throws -> Bool {
    let temporary = try TemporaryFolder("killed")
    let process = Process()
    process.executableURL = CLI.executable
    process.arguments = ["migrate", export, "--target", target, "--allow-deletions"]
    process.environment = ProcessInfo.processInfo.environment
        .merging(environment.merging(["TMPDIR": temporary.url.path, "CASEBRIDGE_STOP_AT": line]) { $1 }) { $1 }
    let err = Pipe()
    process.standardError = err
    process.standardOutput = Pipe()
    try process.run()
    var seen = ""
    var killed = false
    while process.isRunning {
        let data = err.fileHandleForReading.availableData
        if data.isEmpty { break }
        seen += String(decoding: data, as: UTF8.self)
        if seen.contains(line) {
            kill(process.processIdentifier, SIGKILL)
            killed = true
            break
        }
    }
    process.waitUntilExit()
    return killed && process.terminationReason == .uncaughtSignal
}

/// Everything a database holds, as SQL text (opening it also rolls back a transaction a killed
/// process left behind, as any later run would).
func dump(_ database: String) throws -> String { try sqlite(database, ".dump") }

func sha256(of path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    process.arguments = [path]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(String(decoding: data, as: UTF8.self).prefix(64))
}

/// Generated exports shared by the migrate tests (written once per test run).
enum MigrateExports {
    static let folder = TemporaryFolder.shared("cli-migrate")

    static func generate(_ name: String, families: Int, seed: Int, sequence: Int, partBytes: Int = 96) -> String {
        let out = folder.appendingPathComponent(name)
        let result = try! CLI.run(["generate", "--families", String(families), "--seed", String(seed), "--out", out.path,
                                   "--part-bytes", String(partBytes), "--sequence", String(sequence),
                                   "--export-id", "EXP-\(sequence)"])
        precondition(result.status == 0, result.stderr)
        return out.appendingPathComponent("export.xml").path
    }

    static let large = generate("large", families: 400, seed: 31, sequence: 412)
    static let small = generate("small", families: 100, seed: 33, sequence: 413)
    /// Another authority's 100 families, the sequence before `small`'s: a target loaded from it takes
    /// `small` as a full export that replaces nearly every row.
    static let smallBefore = generate("small-before", families: 100, seed: 36, sequence: 412)
    static let afterGap = generate("after-gap", families: 10, seed: 34, sequence: 416)

    /// `large` loaded into a new SQLite target: the test that fails a second run for want of disk starts from a copy.
    static let largeTarget = LoadedTarget(loading: large, as: "large-target")
    /// `smallBefore` loaded into a new SQLite target: the tests that kill a second run start from a copy.
    static let smallBeforeTarget = LoadedTarget(loading: smallBefore, as: "small-before-target")

    /// A series: the full export (sequence 412) and two nightly deltas (413, 414), by sequence.
    static let series: [Int: String] = {
        let out = folder.appendingPathComponent("series")
        let result = try! CLI.run(["generate", "--families", "100", "--seed", "35", "--out", out.path, "--part-bytes", "96", "--series", "2"])
        precondition(result.status == 0, result.stderr)
        return [412: "00-full", 413: "01-delta", 414: "02-delta"].mapValues { out.appendingPathComponent($0).appendingPathComponent("export.xml").path }
    }()

    /// The series' full export loaded into a new SQLite target, with the staging it keeps for the next delta.
    static let seriesFullTarget = LoadedTarget(loading: series[412]!, as: "series-full-target")

    /// The data rows of a target that loaded the series in order, uninterrupted: what a run killed part-way
    /// through it must end with once the series has loaded.
    static let seriesRows: [String] = {
        let reference = folder.appendingPathComponent("series-reference.db").path
        try! seriesFullTarget.copy(to: reference)
        for sequence in 413...414 {
            let result = try! CLI.run(["migrate", series[sequence]!, "--target", reference, "--quiet"])
            precondition(result.status == 0, result.stderr)
        }
        return try! dataRows(reference)
    }()
}

/// A new SQLite target that loaded one export, made once for the tests that start from it: each copies it
/// (``copy(to:)``) and compares with its dump and SHA-256 taken here.
struct LoadedTarget: Sendable {
    let path: String
    let dump: String
    let sha256: String

    init(loading export: String, as name: String) {
        path = MigrateExports.folder.appendingPathComponent("\(name).db").path
        let result = try! CLI.run(["migrate", export, "--target", path, "--quiet"])
        precondition(result.status == 0, result.stderr)
        dump = try! CasebridgeCLITests.dump(path)
        sha256 = try! CasebridgeCLITests.sha256(of: path)
    }

    /// Copies the target to `target`, the same bytes, and the staging it keeps beside it (`….casebridge-state`)
    /// beside the copy, where a delta loaded into the copy looks for it.
    func copy(to target: String) throws {
        try FileManager.default.copyItem(atPath: path, toPath: target)
        try FileManager.default.copyItem(atPath: path + ".casebridge-state", toPath: target + ".casebridge-state")
    }
}

/// The rows of every data table (every table but Casebridge's bookkeeping), sorted, for comparing two targets.
func dataRows(_ database: String) throws -> [String] {
    let tables = try sqlite(database, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'casebridge_%' ORDER BY name")
    return try tables.split(separator: "\n").flatMap { table in
        lines(of: try sqlite(database, "SELECT '\(table)', * FROM \"\(table)\"")).filter { !$0.isEmpty }.sorted()
    }
}

struct MigrateCommandTests {
    @Test func `migrate prints each table and a reconciliation that balances; a dry run, a repeat and a gap say so`() throws {
        let scratch = try TemporaryFolder()
        let target = scratch.url.appendingPathComponent("target.db").path
        let dry = try CLI.run(["migrate", MigrateExports.small, "--target", target, "--dry-run", "--quiet"])
        #expect(dry.status == 0)
        #expect(dry.stdout.hasPrefix("Dry run of"))
        #expect(dry.stdout.contains("would insert"))
        #expect(!FileManager.default.fileExists(atPath: target))

        let result = try CLI.run(["migrate", MigrateExports.small, "--target", target, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("into \(target) as run 1."))
        #expect(result.stdout.contains("ssd_person"))
        #expect(result.stdout.contains("Every kind reconciles"))
        #expect(result.stderr.isEmpty)
        #expect(try sqlite(target, "PRAGMA integrity_check; PRAGMA foreign_key_check;") == "ok\n")

        let again = try CLI.run(["migrate", MigrateExports.small, "--target", target, "--quiet"])
        #expect(again.status == 0)
        #expect(again.stdout.hasPrefix("Skipped: EXP-413 (sequence 413) was already loaded as run 1 at "))

        let gap = try CLI.run(["migrate", MigrateExports.afterGap, "--target", target, "--quiet"])
        #expect(gap.status == 6)
        #expect(gap.stderr.contains("sequence 416 follows 413: sequences 414, 415 are missing"))
        // Another authority's records: every row of the first goes, which the deletion guard lets through only when told.
        let allowed = try CLI.run(["migrate", MigrateExports.afterGap, "--target", target, "--quiet", "--allow-gap", "--allow-deletions"])
        #expect(allowed.status == 0)
        #expect(try sqlite(target, "SELECT json_extract(options, '$.allowedGap') FROM casebridge_run WHERE run_id = 2") == "[414,415]\n")
    }

    @Test func `migrate leaves nothing of the export in the temporary folder, loaded or refused`() throws {
        let scratch = try TemporaryFolder()
        let temporary = scratch.url.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let target = scratch.url.appendingPathComponent("target.db").path
        let environment = ["TMPDIR": temporary.path]
        #expect(try CLI.run(["migrate", MigrateExports.small, "--target", target, "--quiet"], environment: environment).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path) == [])
        let dry = try CLI.run(["migrate", MigrateExports.large, "--target", scratch.url.appendingPathComponent("new.db").path,
                               "--dry-run", "--quiet"], environment: environment)
        #expect(dry.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path) == [])
        let notes = try scratch.write("not a database\n", to: "notes.db")
        #expect(try CLI.run(["migrate", MigrateExports.small, "--target", notes, "--quiet"], environment: environment).status == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path) == [])
    }

    @Test func `a target that is not Casebridge's exits 4 with one line, and a bad target mapping exits 2`() throws {
        let scratch = try TemporaryFolder()
        let notes = try scratch.write("not a database\n", to: "notes.db")
        let refused = try CLI.run(["migrate", MigrateExports.small, "--target", notes, "--quiet"])
        #expect(refused.status == 4)
        #expect(refused.stderr == "casebridge: \(notes): is not a Casebridge target: it is not an SQLite database\n")
        #expect(try String(contentsOfFile: notes, encoding: .utf8) == "not a database\n")

        let mapping = try scratch.write("schema: {name: x, version: 1, ddl: missing.sql}\ntables: []\n", to: "bad.yaml")
        let bad = try CLI.run(["migrate", MigrateExports.small, "--target", scratch.url.appendingPathComponent("t.db").path,
                               "--target-mapping", mapping, "--quiet"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("bad.yaml:1:"))
        #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("t.db").path))
    }

    @Test func `a full disk fails the run with one line and leaves the target as it was`() throws {
        let scratch = try TemporaryFolder()
        let target = scratch.url.appendingPathComponent("target.db").path
        try MigrateExports.largeTarget.copy(to: target)
        let (before, hash) = (MigrateExports.largeTarget.dump, MigrateExports.largeTarget.sha256)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: target)[.size] as? Int)
        // No file may be written past half the target's size: a smaller export's staging stays under
        // that, its load changes more of the target than that (the journal keeps every page it changes,
        // and the rows replaced and archived lie all through the file), and a write past the limit fails
        // as a full disk does.
        let limit = size / 1024 / 2
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "ulimit -f \(limit); trap '' XFSZ; exec \"$0\" \"$@\"", CLI.executable.path,
                             "migrate", MigrateExports.small, "--target", target, "--quiet", "--allow-deletions"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 4, "\(stderr)")
        #expect(stderr.contains("no space left to write the target"), "\(stderr)")
        #expect(stderr.split(separator: "\n").count == 1)
        // The process rolled its transaction back itself: no journal is left for a later run to replay.
        #expect(!FileManager.default.fileExists(atPath: target + "-journal"))
        #expect(try sha256(of: target) == hash)
        #expect(try dump(target) == before)
    }


    @Test(arguments: ["preparing rows", "loading ssd_person", "loading cb_document"])
    func `migrate killed mid-run leaves the target exactly as it was, and the next run completes`(_ moment: String) throws {
        let scratch = try TemporaryFolder()
        let target = scratch.url.appendingPathComponent("target.db").path
        try MigrateExports.smallBeforeTarget.copy(to: target)
        let (before, hash) = (MigrateExports.smallBeforeTarget.dump, MigrateExports.smallBeforeTarget.sha256)

        #expect(try killMigrate(MigrateExports.small, into: target, at: moment), "migrate was not killed at '\(moment)'")
        #expect(try dump(target) == before)
        #expect(try sha256(of: target) == hash)
        #expect(try sqlite(target, "PRAGMA integrity_check") == "ok\n")

        let resumed = try CLI.run(["migrate", MigrateExports.small, "--target", target, "--quiet", "--allow-deletions"])
        #expect(resumed.status == 0)
        #expect(resumed.stdout.contains("as run 2."))
    }

    /// A delta killed while it continues the staging the last run kept, or (without one) while it builds
    /// the live state from the target.
    @Test(arguments: [("applying the delta to the live state", false), ("preparing rows", false), ("loading cb_document", false),
                      ("carrying the target's live state", true), ("loading cb_document", true)])
    func `a delta killed mid-load leaves the target as it was, and the next run completes it`(_ moment: String, _ withoutKeptState: Bool) throws {
        let scratch = try TemporaryFolder()
        let target = scratch.url.appendingPathComponent("target.db").path
        try MigrateExports.seriesFullTarget.copy(to: target)
        if withoutKeptState { try FileManager.default.removeItem(atPath: target + ".casebridge-state") }
        let (before, hash) = (MigrateExports.seriesFullTarget.dump, MigrateExports.seriesFullTarget.sha256)

        #expect(try killMigrate(MigrateExports.series[413]!, into: target, at: moment), "migrate was not killed at '\(moment)'")
        #expect(try dump(target) == before)
        #expect(try sha256(of: target) == hash)
        #expect(try sqlite(target, "PRAGMA integrity_check") == "ok\n")

        // The next runs load the delta that was killed and the one after it: nothing lost, nothing twice.
        for sequence in 413...414 {
            let resumed = try CLI.run(["migrate", MigrateExports.series[sequence]!, "--target", target, "--quiet"])
            #expect(resumed.status == 0, "\(resumed.stderr)")
        }
        #expect(try sqlite(target, "SELECT group_concat(sequence, ' ') FROM casebridge_run") == "412 413 414\n")
        #expect(try dataRows(target) == MigrateExports.seriesRows)
    }

    @Test func `migrate killed while building a new target leaves no target behind`() throws {
        let scratch = try TemporaryFolder()
        let target = scratch.url.appendingPathComponent("new.db").path
        #expect(try killMigrate(MigrateExports.small, into: target, at: "loading cb_document"))
        #expect(!FileManager.default.fileExists(atPath: target))
        let next = try CLI.run(["migrate", MigrateExports.small, "--target", target, "--quiet"])
        #expect(next.status == 0)
        // The next run cleared what the killed one left.
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0.contains("casebridge-new") }
        #expect(left.isEmpty)
    }
}
