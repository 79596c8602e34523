import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A small generated series for the schedule tests (written once per test run): the full export,
/// sequence 412, and five nightly deltas, 413…417.
enum ScheduleExports {
    static let folder = TemporaryFolder.shared("cli-schedule")

    /// The export folders (export.xml and attachments/), by sequence.
    static let bySequence: [Int: URL] = {
        let out = folder.appendingPathComponent("series")
        let result = try! CLI.run(["generate", "--families", "40", "--seed", "412", "--out", out.path, "--part-bytes", "96", "--series", "5"])
        precondition(result.status == 0, result.stderr)
        var folders: [Int: URL] = [:]
        for (offset, name) in ["00-full", "01-delta", "02-delta", "03-delta", "04-delta", "05-delta"].enumerated() {
            let sequence = 412 + offset
            let export = out.appendingPathComponent(name).appendingPathComponent("export.xml")
            // Export ids that say their sequence, so that the expected lines read plainly.
            let text = try! String(contentsOf: export, encoding: .utf8)
            try! text.replacing(/exportId="[^"]*"/, with: "exportId=\"EXP-\(sequence)\"", maxReplacements: 1)
                .write(to: export, atomically: true, encoding: .utf8)
            folders[sequence] = out.appendingPathComponent(name)
        }
        return folders
    }()

    /// Copies the export of `sequence` into `inbox` as `name`.
    static func place(_ sequence: Int, in inbox: URL, as name: String) throws {
        try FileManager.default.copyItem(at: bySequence[sequence]!, to: inbox.appendingPathComponent(name))
    }
}

/// Runs `casebridge` in the background, its output collected into files.
final class Background {
    let process = Process()
    let out: URL
    let err: URL

    init(_ arguments: [String], scratch: TemporaryFolder, name: String, environment: [String: String] = [:]) throws {
        out = scratch.url.appendingPathComponent("\(name).out")
        err = scratch.url.appendingPathComponent("\(name).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.executableURL = CLI.executable
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
    }

    func finish() throws -> CLI.Result {
        process.waitUntilExit()
        return CLI.Result(status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
                          stderr: try String(contentsOf: err, encoding: .utf8))
    }
}

struct ScheduleCommandTests {
    private func inbox(_ scratch: TemporaryFolder) throws -> URL {
        let url = scratch.url.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private func contents(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    @Test func `schedule run loads a full export and five deltas from a shuffled inbox in sequence order, and a second run at the same time does not overlap`() throws {
        let scratch = try TemporaryFolder()
        let inbox = try inbox(scratch)
        let target = scratch.url.appendingPathComponent("target.db").path
        // Names out of sequence order, one of them a bare file.
        let placed = [(415, "a-nightly"), (412, "b-nightly"), (417, "f-nightly"), (416, "c-nightly"), (413, "d-nightly"), (414, "e-nightly")]
        for (sequence, name) in placed { try ScheduleExports.place(sequence, in: inbox, as: name) }
        try FileManager.default.moveItem(at: inbox.appendingPathComponent("e-nightly/export.xml"), to: inbox.appendingPathComponent("e-nightly.xml"))
        try FileManager.default.removeItem(at: inbox.appendingPathComponent("e-nightly"))  // no attachments: parts fail, records still load

        let lock = target + ".schedule-lock"
        let first = try Background(["schedule", "run", "--inbox", inbox.path, "--target", target], scratch: scratch, name: "first")
        // Wait until the first run holds the lock (its pid in the lock file).
        let deadline = Date().addingTimeInterval(20)
        while (try? String(contentsOfFile: lock, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) != String(first.process.processIdentifier),
              first.process.isRunning, Date() < deadline {
            usleep(2_000)
        }
        #expect(first.process.isRunning, "the first run ended before the second could start")
        let started = Date()
        let second = try CLI.run(["schedule", "run", "--inbox", inbox.path, "--target", target, "--wait", "0"])
        #expect(second.status == 8)
        #expect(second.stderr == "casebridge: another schedule run holds \(lock) (pid \(first.process.processIdentifier))\n")
        #expect(second.stdout.isEmpty)
        #expect(Date().timeIntervalSince(started) < 5)
        // A third, willing to wait, starts once the first has finished and finds nothing left to do.
        let third = try Background(["schedule", "run", "--inbox", inbox.path, "--target", target, "--wait", "60"], scratch: scratch, name: "third")

        let result = try first.finish()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 7, "\(result.stdout)")
        #expect(lines.prefix(6).map { $0.prefix(8) }.allSatisfy { $0 == "loaded  " }, "\(result.stdout)")
        #expect(lines[0].hasPrefix("loaded   b-nightly (EXP-412, sequence 412) as run 1: "))
        #expect(lines[0].hasSuffix(" → done/b-nightly"))
        #expect(lines[2].hasPrefix("loaded   e-nightly.xml (EXP-414, sequence 414) as run 3: "))
        #expect(lines[5].hasPrefix("loaded   f-nightly (EXP-417, sequence 417) as run 6: "))
        #expect(lines[6] == "Schedule run: 6 loaded, 0 skipped, 0 failed, 0 waiting; last loaded sequence 417.")
        #expect(try sqlite(target, "SELECT group_concat(sequence || ' ' || export_kind, ', ') FROM (SELECT * FROM casebridge_run ORDER BY run_id)")
            == "412 full, 413 delta, 414 delta, 415 delta, 416 delta, 417 delta\n")
        // No overlap: each run started after the one before it finished.
        #expect(try sqlite(target, """
            SELECT count(*) FROM casebridge_run a JOIN casebridge_run b ON b.run_id = a.run_id + 1 WHERE b.started_at < a.finished_at
            """) == "0\n")
        #expect(contents(inbox) == ["done"])
        #expect(contents(inbox.appendingPathComponent("done")) == ["a-nightly", "b-nightly", "c-nightly", "d-nightly", "e-nightly.xml", "f-nightly"])
        #expect(try FileManager.default.attributesOfItem(atPath: inbox.appendingPathComponent("done").path)[.posixPermissions] as? Int == 0o700)
        #expect(try FileManager.default.attributesOfItem(atPath: lock)[.posixPermissions] as? Int == 0o600)
        // Runs, findings and worklists name each export where it now lies, in done/; findings of the
        // last night about records the full export sent name the full export.
        let done = inbox.standardizedFileURL.appendingPathComponent("done").path
        #expect(try sqlite(target, "SELECT export_file FROM casebridge_run WHERE sequence = 414") == "\(done)/e-nightly.xml\n")
        #expect(try sqlite(target, "SELECT export_file FROM casebridge_run WHERE sequence = 412") == "\(done)/b-nightly/export.xml\n")
        #expect(try sqlite(target, """
            SELECT count(*) > 0 FROM casebridge_finding WHERE run_id = 6 AND source_file = '\(done)/b-nightly/export.xml'
            """) == "1\n")
        let report = scratch.url.appendingPathComponent("report").path
        #expect(try CLI.run(["report", "--target", target, "--out", report]).status == 0)
        let worklists = try FileManager.default.contentsOfDirectory(atPath: report + "/teams")
            .map { try String(contentsOfFile: report + "/teams/" + $0, encoding: .utf8) }.joined()
        #expect(worklists.contains(",\(done)/b-nightly/export.xml,"))

        let waited = try third.finish()
        #expect(waited.status == 0, "\(waited.stderr)")
        #expect(waited.stdout == "Schedule run: nothing waits in \(inbox.standardizedFileURL.path); last loaded sequence 417.\n")
        #expect(try sqlite(target, "SELECT count(*) FROM casebridge_run") == "6\n")
    }

    @Test func `a gap leaves the later export waiting and says what is missing; status shows runs, sequence, inbox and gaps`() throws {
        let scratch = try TemporaryFolder()
        let inbox = try inbox(scratch)
        let target = scratch.url.appendingPathComponent("target.db").path
        for sequence in [412, 413, 415] { try ScheduleExports.place(sequence, in: inbox, as: "n\(sequence)") }
        let run = try CLI.run(["schedule", "run", "--inbox", inbox.path, "--target", target])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("waiting  n415 (EXP-415, sequence 415): sequence 414 is missing; it waits for it (or run with --allow-gap)\n"))
        #expect(run.stdout.hasSuffix("Schedule run: 2 loaded, 0 skipped, 0 failed, 1 waiting; last loaded sequence 413; missing: sequence 414.\n"))
        #expect(contents(inbox) == ["done", "n415"])

        // The same export delivered again is skipped and filed.
        try ScheduleExports.place(413, in: inbox, as: "n413")
        let again = try CLI.run(["schedule", "run", "--inbox", inbox.path, "--target", target])
        #expect(again.status == 0)
        #expect(again.stdout.contains("skipped  n413 (EXP-413, sequence 413): already loaded as run 2 → done/n413-1\n"))

        let status = try CLI.run(["status", "--target", target, "--inbox", inbox.path])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("Last loaded sequence: 413 (run 2)\n"))
        #expect(status.stdout.contains("Last runs:\n"))
        #expect(status.stdout.contains("  n415  sequence 415  after a gap: sequence 414 missing\n"))
        let critical = try sqlite(target, "SELECT count(*) FROM casebridge_finding WHERE run_id = 2 AND severity = 'critical'")
        #expect(status.stdout.contains("Open gaps after run 2: "))
        #expect(Int(critical.trimmingCharacters(in: .whitespacesAndNewlines))! > 0)
        let json = try CLI.run(["status", "--target", target, "--inbox", inbox.path, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["lastLoadedSequence"] as? Int == 413)
        #expect((object["runs"] as? [[String: Any]])?.map { $0["sequence"] as? Int } == [413, 412])
        let newest = try #require((object["runs"] as? [[String: Any]])?.first)
        #expect("\(newest["newFindings"] as? Int ?? -1)\n" == (try sqlite(target, "SELECT count(*) FROM casebridge_finding WHERE run_id = 2 AND first_run = 2")))
        #expect("\(newest["resolvedFindings"] as? Int ?? -1)\n" == (try sqlite(target, "SELECT count(*) FROM casebridge_finding_resolved WHERE run_id = 2")))
        let waiting = (object["inbox"] as? [String: Any])?["waiting"] as? [[String: Any]]
        #expect(waiting?.first?["state"] as? String == "after a gap")
        let gaps = try #require(object["openGaps"] as? [[String: Any]])
        #expect(gaps.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == Int(try sqlite(target, "SELECT count(*) FROM casebridge_finding WHERE run_id = 2").dropLast()))

        let allowed = try CLI.run(["schedule", "run", "--inbox", inbox.path, "--target", target, "--allow-gap"])
        #expect(allowed.status == 0)
        #expect(allowed.stdout.contains("loaded   n415 (EXP-415, sequence 415) as run 3: "))
        #expect(try sqlite(target, "SELECT json_extract(options, '$.allowedGap') FROM casebridge_run WHERE run_id = 3") == "[414]\n")
    }

    @Test func `an unreadable export moves to failed with a reason file and stops the run`() throws {
        let scratch = try TemporaryFolder()
        let inbox = try inbox(scratch)
        let target = scratch.url.appendingPathComponent("target.db").path
        for sequence in [412, 413, 414] { try ScheduleExports.place(sequence, in: inbox, as: "n\(sequence)") }
        // 413's envelope reads, its body is cut short; garbage.xml has no envelope at all.
        let cut = inbox.appendingPathComponent("n413/export.xml")
        let bytes = try Data(contentsOf: cut)
        try bytes.prefix(bytes.count / 2).write(to: cut)
        _ = try scratch.write("this is not XML\n", to: "inbox/garbage.xml")

        let run = try CLI.run(["schedule", "run", "--inbox", inbox.path, "--target", target])
        #expect(run.status == 3, "\(run.stdout)\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(run.stdout)")
        #expect(lines[0].hasPrefix("failed   garbage.xml: the envelope cannot be read: "))
        #expect(lines[0].hasSuffix("(exit 3) → failed/garbage.xml"))
        #expect(lines[1].hasPrefix("loaded   n412 (EXP-412, sequence 412) as run 1: "))
        #expect(lines[2].hasPrefix("failed   n413 (EXP-413, sequence 413): the export cannot be read: "))
        #expect(lines[3] == "waiting  n414 (EXP-414, sequence 414): not tried: n413 failed before it")
        #expect(lines[4] == "Schedule run: 1 loaded, 0 skipped, 2 failed, 1 waiting; last loaded sequence 412.")
        #expect(contents(inbox) == ["done", "failed", "n414"])
        let failed = inbox.appendingPathComponent("failed")
        #expect(contents(failed) == ["garbage.xml", "garbage.xml.reason.txt", "n413", "n413.reason.txt"])
        let reason = try String(contentsOf: failed.appendingPathComponent("n413.reason.txt"), encoding: .utf8)
        let reasonLines = reason.split(separator: "\n")
        #expect(reasonLines.count == 3)
        #expect(reasonLines[0].hasPrefix("reason: the export cannot be read: "))
        #expect(reasonLines[1] == "exit status: 3")
        #expect(reasonLines[2].hasPrefix("time: 20"))
        #expect(try FileManager.default.attributesOfItem(atPath: failed.path)[.posixPermissions] as? Int == 0o700)
        #expect(try FileManager.default.attributesOfItem(atPath: failed.appendingPathComponent("n413.reason.txt").path)[.posixPermissions] as? Int == 0o600)
        #expect(try sqlite(target, "SELECT count(*) FROM casebridge_run") == "1\n")
    }

    /// A copy of the full export (412) in `inbox` as `name`, under `sequence`, holding only its first third of
    /// documents (its tags closed), with or without its `<Totals>`; or, with `keepAll`, every record.
    private func placePartial(in inbox: URL, as name: String, sequence: Int, totals: Bool, keepAll: Bool = false,
                              edit: (String) -> String = { $0 }) throws {
        try ScheduleExports.place(412, in: inbox, as: name)
        let file = inbox.appendingPathComponent(name).appendingPathComponent("export.xml")
        var lines = try readLines(file.path)
        let documents = lines.filter { $0.hasPrefix("    <Document ") }.count
        var seen = 0, dropping = false
        lines = lines.filter { line in
            if line.hasPrefix("    <Document ") { seen += 1; dropping = !keepAll && seen > documents / 3 }
            defer { if line.hasPrefix("    </Document>") { dropping = false } }
            let isTotals = line.hasPrefix("  <Totals>") || line.hasPrefix("    <Total ") || line.hasPrefix("  </Totals>")
            return !dropping && (totals || !isTotals)
        }
        let text = lines.joined(separator: "\n").replacing(/sequence="412"/, with: "sequence=\"\(sequence)\"", maxReplacements: 1)
            .replacing(/exportId="EXP-412"/, with: "exportId=\"EXP-\(sequence)\"", maxReplacements: 1)
        try edit(text).write(to: file, atomically: true, encoding: .utf8)
    }

    @Test func `a partial full export, or the same export rewritten, moves to failed and leaves the target byte-identical`() throws {
        let scratch = try TemporaryFolder()
        let inbox = try inbox(scratch)
        let target = scratch.url.appendingPathComponent("target.db").path
        try ScheduleExports.place(412, in: inbox, as: "n412")
        #expect(try CLI.run(["schedule", "run", "--inbox", inbox.path, "--target", target]).status == 0)
        let loaded = try sha256(of: target)

        try placePartial(in: inbox, as: "cut", sequence: 413, totals: false)
        let guarded = try CLI.run(["schedule", "run", "--inbox", inbox.path, "--target", target])
        #expect(guarded.status == 9, "\(guarded.stdout)\(guarded.stderr)")
        #expect(guarded.stdout.hasPrefix("failed   cut (EXP-413, sequence 413): this full export would delete "), "\(guarded.stdout)")
        #expect(guarded.stdout.contains("--allow-deletions. Nothing was changed (exit 9) → failed/cut\n"), "\(guarded.stdout)")
        #expect(try String(contentsOf: inbox.appendingPathComponent("failed/cut.reason.txt"), encoding: .utf8).contains("exit status: 9"))

        try placePartial(in: inbox, as: "cut-totals", sequence: 413, totals: true)
        let counted = try CLI.run(["schedule", "run", "--inbox", inbox.path, "--target", target])
        #expect(counted.status == 3, "\(counted.stdout)\(counted.stderr)")
        #expect(counted.stdout.contains("Document records but"), "\(counted.stdout)")
        #expect(counted.stdout.contains("it is incomplete"), "\(counted.stdout)")

        try placePartial(in: inbox, as: "rewritten", sequence: 412, totals: true, keepAll: true) {
            $0.replacingOccurrences(of: "Example Borough Council", with: "Example Borough")
        }
        let rewritten = try CLI.run(["schedule", "run", "--inbox", inbox.path, "--target", target])
        #expect(rewritten.status == 6, "\(rewritten.stdout)\(rewritten.stderr)")
        #expect(rewritten.stdout.contains("holds other bytes"), "\(rewritten.stdout)")
        #expect(contents(inbox.appendingPathComponent("failed")).filter { !$0.hasSuffix(".txt") } == ["cut", "cut-totals", "rewritten"])
        #expect(try sha256(of: target) == loaded)
    }

    @Test func `a target that is not Casebridge's: status exits 4 with one line, schedule run leaves the export in the inbox`() throws {
        let scratch = try TemporaryFolder()
        let notes = try scratch.write("not a database\n", to: "notes.db")
        let refused = try CLI.run(["status", "--target", notes])
        #expect(refused.status == 4)
        #expect(refused.stderr == "casebridge: \(notes): is not a Casebridge target: it is not an SQLite database\n")
        #expect(refused.stdout.isEmpty)

        let inbox = try inbox(scratch)
        try ScheduleExports.place(412, in: inbox, as: "n412")
        let run = try CLI.run(["schedule", "run", "--inbox", inbox.path, "--target", notes])
        #expect(run.status == 4)
        #expect(run.stdout.hasPrefix("failed   n412 (EXP-412, sequence 412): \(notes): is not a Casebridge target: it is not an SQLite database (exit 4) → left in the inbox\n"))
        #expect(contents(inbox) == ["n412"])
        #expect(try String(contentsOfFile: notes, encoding: .utf8) == "not a database\n")
    }

    @Test func `two exports claiming one sequence both move to failed and nothing loads`() throws {
        let scratch = try TemporaryFolder()
        let inbox = try inbox(scratch)
        let target = scratch.url.appendingPathComponent("target.db").path
        try ScheduleExports.place(412, in: inbox, as: "first")
        try ScheduleExports.place(412, in: inbox, as: "second")
        try ScheduleExports.place(413, in: inbox, as: "third")
        let run = try CLI.run(["schedule", "run", "--inbox", inbox.path, "--target", target])
        #expect(run.status == 6)
        #expect(run.stdout.contains("failed   first (EXP-412, sequence 412): 2 exports in the inbox claim sequence 412 (first, second)"))
        #expect(contents(inbox.appendingPathComponent("failed")) == ["first", "first.reason.txt", "second", "second.reason.txt"])
        // 413 would follow a sequence that did not load: it is not tried, even in a new target.
        #expect(run.stdout.contains("waiting  third (EXP-413, sequence 413): not tried: sequence 412 failed before it\n"))
        #expect(contents(inbox) == ["failed", "third"])
        #expect(!FileManager.default.fileExists(atPath: target))
    }

    @Test func `install --systemd writes the service and timer; --cron prints the crontab line`() throws {
        let scratch = try TemporaryFolder()
        let units = scratch.url.appendingPathComponent("units")
        let result = try CLI.run(["schedule", "install", "--inbox", "inbox", "--target", "t.db", "--systemd", units.path], in: scratch.url)
        #expect(result.status == 0, "\(result.stderr)")
        let base = scratch.url.standardizedFileURL.resolvingSymlinksInPath().path
        let service = try String(contentsOf: units.appendingPathComponent("casebridge-schedule.service"), encoding: .utf8)
        let timer = try String(contentsOf: units.appendingPathComponent("casebridge-schedule.timer"), encoding: .utf8)
        let executable = CLI.executable.standardizedFileURL.resolvingSymlinksInPath().path
        #expect(service.contains("\nExecStart=\(executable) schedule run --inbox \(base)/inbox --target \(base)/t.db\n"), "\(service)")
        #expect(service.contains("\nType=oneshot\n"))
        #expect(timer.contains("\nOnCalendar=*-*-* 02:00:00\nPersistent=true\n"))
        #expect(timer.contains("\nWantedBy=timers.target\n"))
        #expect(result.stdout.contains("  systemctl --user daemon-reload && systemctl --user enable --now casebridge-schedule.timer\n"))

        let hourly = try CLI.run(["schedule", "install", "--inbox", "inbox", "--target", "t.db", "--systemd", units.path,
                                  "--every", "12h", "--at", "03:30"], in: scratch.url)
        #expect(hourly.status == 0)
        #expect(try String(contentsOf: units.appendingPathComponent("casebridge-schedule.timer"), encoding: .utf8)
            .contains("\nOnCalendar=*-*-* 03/12:30:00\n"))

        let cron = try CLI.run(["schedule", "install", "--inbox", "inbox", "--target", "t.db", "--cron"], in: scratch.url)
        #expect(cron.status == 0)
        #expect(cron.stdout == "0 2 * * * \(executable) schedule run --inbox \(base)/inbox --target \(base)/t.db >> \(base)/inbox/schedule.log 2>&1\n")
        #expect(try CLI.run(["schedule", "install", "--inbox", "i", "--target", "t", "--cron", "--every", "5h"]).status == 2)
    }
}
