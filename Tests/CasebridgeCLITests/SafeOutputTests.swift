import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Mistyped paths never cost data: `--output` and `--staging` never overwrite the export, a target or a
/// file Casebridge did not write; they are settled before the read (exit 2); a device keeps its mode.
struct SafeOutputTests {
    /// A folder with the clean export and a migrated target beside it.
    private func setUp() throws -> (TemporaryFolder, export: String, target: String) {
        let scratch = try TemporaryFolder()
        let export = try scratch.write(cleanExport, to: "export.xml")
        let target = scratch.url.appendingPathComponent("target.db").path
        let migrated = try CLI.run(["migrate", export, "--target", target, "--quiet"])
        try #require(migrated.status == 0, "\(migrated.stderr)")
        return (scratch, export, target)
    }

    @Test(arguments: [
        (["--output", "export.xml"], "--output export.xml: is the export export.xml itself; nothing was read or written"),
        (["--staging", "export.xml"], "--staging export.xml: is the export export.xml itself; nothing was read or written"),
        (["--staging", "target.db"], "--staging target.db: exists and is an SQLite database, not a file this option writes"),
        (["--output", "target.db"], "--output target.db: exists and is an SQLite database, not a file this option writes"),
        (["--output", "notes.txt"], "--output notes.txt: exists and is a text file, not a file this option writes"),
        (["--output", "nodir/f.txt"], "--output nodir/f.txt: the folder nodir does not exist; nothing was read or written"),
        (["--output", "."], "--output .: is a folder; name a file; nothing was read or written"),
    ])
    func `check refuses an output that would overwrite an input, a target or another file, before reading`(
        options: [String], message: String
    ) throws {
        let (scratch, _, target) = try setUp()
        let notes = try scratch.write("Lily-Mae's notes\n", to: "notes.txt")
        let before = try [target, notes, scratch.url.appendingPathComponent("export.xml").path].map(sha256(of:))
        let result = try CLI.run(["check", "export.xml"] + options, in: scratch.url)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("casebridge: \(message)"), "\(result.stderr)")
        #expect(result.stderr.components(separatedBy: "\n").filter { !$0.isEmpty }.count == 1, "\(result.stderr)")
        #expect(!result.stderr.contains("reading"))
        #expect(try [target, notes, scratch.url.appendingPathComponent("export.xml").path].map(sha256(of:)) == before)
    }

    @Test func `a findings file or a staging database check wrote is replaced, each format over another`() throws {
        let (scratch, _, _) = try setUp()
        for format in ["text", "json", "csv", "text"] {
            let result = try CLI.run(["check", "export.xml", "--output", "findings.out", "--format", format, "--quiet"], in: scratch.url)
            #expect(result.status == 0, "\(format): \(result.stderr)")
        }
        let staged = try CLI.run(["check", "export.xml", "--staging", "staging.db", "--quiet"], in: scratch.url)
        #expect(staged.status == 0, "\(staged.stderr)")
        let again = try CLI.run(["check", "export.xml", "--staging", "staging.db", "--quiet"], in: scratch.url)
        #expect(again.status == 0, "\(again.stderr)")
        let empty = try scratch.write("", to: "empty.txt")
        #expect(try CLI.run(["check", "export.xml", "--output", empty, "--quiet"], in: scratch.url).status == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: empty)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func `a device stands in for /dev/null: written as it is, its mode and type unchanged; staging refuses it`() throws {
        let (scratch, _, _) = try setUp()
        let device = scratch.url.appendingPathComponent("null").path
        // The same device as /dev/null (character, major 1, minor 3), made in the test's own folder.
        try #require(mknod(device, S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0, "mknod: \(String(cString: strerror(errno)))")
        chmod(device, 0o666)
        let result = try CLI.run(["check", "export.xml", "--output", device, "--quiet"], in: scratch.url)
        #expect(result.status == 0, "\(result.stderr)")
        var info = stat()
        #expect(stat(device, &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFCHR)
        #expect(info.st_mode & 0o777 == 0o666)
        let staging = try CLI.run(["check", "export.xml", "--staging", device, "--quiet"], in: scratch.url)
        #expect(staging.status == 2)
        #expect(staging.stderr.contains("is not a regular file"), "\(staging.stderr)")
    }

    @Test func `two migrate runs creating one new target at once: exactly one creates it`() throws {
        let scratch = try TemporaryFolder()
        let export = MigrateExports.small
        let target = scratch.url.appendingPathComponent("new.db").path
        let runs = [Process(), Process()]
        var outputs: [Pipe] = []
        for process in runs {
            process.executableURL = CLI.executable
            process.arguments = ["migrate", export, "--target", target, "--quiet", "--lock-timeout", "120"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            outputs.append(pipe)
        }
        for process in runs { try process.run() }
        let texts = outputs.map { String(decoding: $0.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        for process in runs { process.waitUntilExit() }
        #expect(runs.map(\.terminationStatus) == [0, 0], "\(texts)")
        #expect(texts.filter { $0.contains("Migrated ") }.count == 1, "\(texts)")
        #expect(texts.filter { $0.contains("Skipped: ") && $0.contains("already loaded as run 1") }.count == 1, "\(texts)")
        #expect(try sqlite(target, "SELECT count(*) FROM casebridge_run") == "1\n")
        #expect(!FileManager.default.fileExists(atPath: target + ".casebridge-create"))
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0.contains("casebridge-new") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func `a second creator that cannot wait long enough refuses with one line and changes nothing`() throws {
        let scratch = try TemporaryFolder()
        let target = scratch.url.appendingPathComponent("new.db").path
        // Another process holds the creation lock (as a run creating the target would).
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [target + ".casebridge-create", "sleep", "30"]
        try holder.run()
        defer { holder.terminate() }
        var waited = 0
        while !FileManager.default.fileExists(atPath: target + ".casebridge-create"), waited < 100 {
            usleep(50_000)
            waited += 1
        }
        usleep(200_000)
        let result = try CLI.run(["migrate", MigrateExports.small, "--target", target, "--quiet", "--lock-timeout", "0.3"])
        #expect(result.status == 4)
        #expect(result.stderr.contains("is creating this target and did not finish within 0.3 s"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target))
    }
}
