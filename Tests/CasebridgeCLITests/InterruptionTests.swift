import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A run interrupted by Ctrl-C, a service stop or a closed terminal leaves no copy of the records in the
/// temporary folder, no half-built target, and ends by the signal it was sent.
struct InterruptionTests {
    /// Starts `casebridge arguments` with its own temporary folder (through `/bin/sh`, so that `ignoring`
    /// can be set as `nohup` sets it), waits until `moment` holds, sends `signal` and waits for the end.
    /// Returns how it ended, with whether `moment` was reached while it ran.
    private func interrupt(_ arguments: [String], temporary: URL, ignoring: Int32? = nil, with signal: Int32,
                           when moment: () -> Bool) throws -> (reached: Bool, reason: Process.TerminationReason, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let quoted = ([CLI.executable.path] + arguments).map { "'" + $0 + "'" }.joined(separator: " ")
        process.arguments = ["-c", (ignoring.map { "trap '' \($0); " } ?? "") + "exec " + quoted]
        process.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": temporary.path]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var reached = false
        while process.isRunning {
            if moment() {
                reached = true
                kill(process.processIdentifier, signal)
                break
            }
            usleep(2000)
        }
        process.waitUntilExit()
        return (reached, process.terminationReason, process.terminationStatus)
    }

    private func stagings(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("casebridge-staging-") }
    }

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func `check interrupted while it reads removes its staging and ends by the signal`(_ signal: Int32) throws {
        let temporary = try TemporaryFolder()
        let ended = try interrupt(["check", MigrateExports.large, "--quiet"], temporary: temporary.url, with: signal) {
            !((try? stagings(in: temporary.url))?.isEmpty ?? true)
        }
        #expect(ended.reached, "check ended before its staging was made")
        #expect(ended.reason == .uncaughtSignal && ended.status == signal, "ended by \(ended.reason) \(ended.status)")
        #expect(try stagings(in: temporary.url).isEmpty)
    }

    @Test func `migrate interrupted while it builds a new target leaves neither the target, its work file nor the staging`() throws {
        let temporary = try TemporaryFolder()
        let folder = try TemporaryFolder()
        let target = folder.url.appendingPathComponent("target.db").path
        let building = { (try? FileManager.default.contentsOfDirectory(atPath: folder.url.path))?.contains { $0.hasPrefix(".target.db.casebridge-new-") } ?? false }
        let ended = try interrupt(["migrate", MigrateExports.large, "--target", target, "--quiet"], temporary: temporary.url, with: SIGINT,
                                  when: building)
        #expect(ended.reached, "migrate ended before it began building the target")
        #expect(ended.reason == .uncaughtSignal && ended.status == SIGINT, "ended by \(ended.reason) \(ended.status)")
        // The staging of a run that would keep it is made beside the target: nothing is left there but
        // the (empty) file the creation lock is taken on.
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0 != "target.db.casebridge-create" }
        #expect(left.isEmpty, "\(left)")
        #expect(try stagings(in: temporary.url).isEmpty)
        // The next run builds the target whole.
        let next = try CLI.run(["migrate", MigrateExports.large, "--target", target, "--quiet"])
        #expect(next.status == 0, "\(next.stderr)")
    }

    @Test func `a run started ignoring SIGINT, as under nohup, goes on ignoring it`() throws {
        let temporary = try TemporaryFolder()
        let ended = try interrupt(["check", MigrateExports.small, "--quiet"], temporary: temporary.url, ignoring: SIGINT, with: SIGINT) {
            !((try? stagings(in: temporary.url))?.isEmpty ?? true)
        }
        #expect(ended.reached, "check ended before its staging was made")
        // It checked the export to the end: findings exit 1.
        #expect(ended.reason == .exit && ended.status == 1, "ended by \(ended.reason) \(ended.status)")
        #expect(try stagings(in: temporary.url).isEmpty)
    }
}
