import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The commands with a PostgreSQL `--target`, against a real server (``PostgresServer``). Each runs with
/// `XDG_STATE_HOME` in its scratch folder, where the kept staging and the report's secret go.
@Suite(.enabled(if: PostgresServer.enabled))
struct PostgresCommandTests {
    /// The environment that keeps a run's state in `scratch`.
    private func state(_ scratch: TemporaryFolder) -> [String: String] {
        ["XDG_STATE_HOME": scratch.path("state")]
    }

    private func run(_ arguments: [String], _ scratch: TemporaryFolder, environment: [String: String] = [:]) throws -> CLI.Result {
        try CLI.run(arguments, environment: state(scratch).merging(environment) { $1 })
    }

    @Test func `migrate, a dry run, a repeat, a gap, status and report take a PostgreSQL URI as they take a path`() throws {
        let scratch = try TemporaryFolder()
        let database = try PostgresServer.database("cli")
        let dry = try run(["migrate", MigrateExports.small, "--target", database.uri, "--dry-run", "--quiet"], scratch)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.hasPrefix("Dry run of") && dry.stdout.contains("would insert"))
        #expect(try database.psql("SELECT count(*) FROM pg_namespace WHERE nspname = 'casebridge'") == "0\n")

        let loaded = try run(["migrate", MigrateExports.small, "--target", database.uri, "--quiet"], scratch)
        #expect(loaded.status == 0, "\(loaded.stderr)")
        #expect(loaded.stdout.contains("into PostgreSQL database \(database.name) on "))
        #expect(loaded.stdout.contains(", schema casebridge as run 1.") && loaded.stdout.contains("Every kind reconciles"))
        let kept = try FileManager.default.contentsOfDirectory(atPath: scratch.path("state/casebridge"))
        #expect(kept.count == 1 && kept[0].hasSuffix(".casebridge-state"), "\(kept)")

        let again = try run(["migrate", MigrateExports.small, "--target", database.uri, "--quiet"], scratch)
        #expect(again.status == 0 && again.stdout.hasPrefix("Skipped: EXP-413 (sequence 413) was already loaded as run 1 at "))
        let gap = try run(["migrate", MigrateExports.afterGap, "--target", database.uri, "--quiet"], scratch)
        #expect(gap.status == 6 && gap.stderr.contains("sequence 416 follows 413: sequences 414, 415 are missing"), "\(gap.stderr)")
        let allowed = try run(["migrate", MigrateExports.afterGap, "--target", database.uri, "--quiet", "--allow-gap", "--allow-deletions"], scratch)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(try database.psql("SELECT options::json -> 'allowedGap' FROM casebridge.casebridge_run WHERE run_id = 2") == "[414,415]\n")

        // status by the URI and by keyword/value pairs; the report with its secret on this machine.
        for target in [database.uri, try database.keywordString()] {
            let status = try run(["status", "--target", target], scratch)
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.contains("Last loaded sequence: 416 (run 2)\n"))
        }
        let report = try run(["report", "--target", database.uri, "--out", scratch.path("report")], scratch)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(FileManager.default.fileExists(atPath: scratch.path("report/summary.json")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("state/casebridge")).contains { $0.hasSuffix(".report-secret") })
    }

    @Test func `after two deltas, status and report over PostgreSQL show the live quarantine, as over SQLite`() throws {
        let scratch = try TemporaryFolder()
        let database = try PostgresServer.database("quarantine")
        let file = scratch.path("series.db")
        for sequence in [412, 413, 414] {
            let export = try #require(MigrateExports.series[sequence])
            for target in [database.uri, file] {
                let run = try run(["migrate", export, "--target", target, "--quiet"], scratch)
                #expect(run.status == 0, "\(run.stderr)")
            }
        }
        let live = try database.psql("SELECT count(*) FROM casebridge.casebridge_quarantine WHERE run_id = 3").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Int(live) ?? 0 > 0)
        func runs(_ target: String) throws -> (now: Int?, each: [Int?]) {
            let text = try run(["status", "--target", target, "--format", "json"], scratch).stdout
            let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            return (json["quarantined"] as? Int, (json["runs"] as? [[String: Any]] ?? []).map { $0["quarantined"] as? Int })
        }
        let postgres = try runs(database.uri), sqlite = try runs(file)
        #expect(postgres.now == Int(live))
        #expect(postgres.now == sqlite.now && postgres.each == sqlite.each && postgres.each.count == 3)
        let status = try run(["status", "--target", database.uri], scratch)
        #expect(status.stdout.contains("In quarantine: \(QuarantineCountTests.grouped(Int(live) ?? 0)) records after run 3"), "\(status.stdout)")
        let report = try run(["report", "--target", database.uri, "--out", scratch.path("report")], scratch)
        #expect(report.stdout.contains("In quarantine: \(live) records after run 3"), "\(report.stdout)")
        let listed = try String(contentsOfFile: scratch.path("report/quarantine.csv"), encoding: .utf8)
            .components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(listed.count == (Int(live) ?? 0) + 1)
    }

    @Test func `a wrong password, or none, exits 4 with one line naming the role; the right one from PGPASSFILE loads`() throws {
        let scratch = try TemporaryFolder()
        let database = try PostgresServer.database("password")
        let role = "cbt_pw_" + UUID().uuidString.prefix(8).lowercased()
        try database.psql("CREATE ROLE \(role) LOGIN PASSWORD 'right-horse-battery'; GRANT CREATE ON DATABASE \(database.name) TO \(role)")
        defer {
            _ = try? database.psql("DROP OWNED BY \(role)")
            _ = try? PostgresServer.psql(PostgresServer.uri ?? "", "DROP ROLE IF EXISTS \(role)")
        }
        let target = try PostgresServer.with(database.uri, user: role)
        let noFile = ["PGPASSFILE": scratch.path("none")]
        let wrong = try run(["migrate", MigrateExports.small, "--target", target, "--quiet"], scratch,
                            environment: noFile.merging(["PGPASSWORD": "wrong-staple"]) { $1 })
        #expect(wrong.status == 4)
        #expect(wrong.stderr.contains("the server refused the password of role \(role)"), "\(wrong.stderr)")
        #expect(wrong.stderr.contains("PostgreSQL database \(database.name) on "))
        #expect(!wrong.stderr.contains("wrong-staple") && wrong.stderr.split(separator: "\n").count == 1)
        let none = try run(["migrate", MigrateExports.small, "--target", target, "--quiet"], scratch, environment: noFile)
        #expect(none.status == 4 && none.stderr.contains("asks role \(role) for a password and none was found"), "\(none.stderr)")
        let inString = try run(["migrate", MigrateExports.small, "--target", "postgresql://\(role):right-horse-battery@/x", "--quiet"], scratch)
        #expect(inString.status == 4 && inString.stderr.contains("names a password") && !inString.stderr.contains("right-horse"), "\(inString.stderr)")

        let passfile = try scratch.write("*:*:*:\(role):right-horse-battery\n", to: "pgpass")
        chmod(passfile, 0o600)
        let right = try run(["migrate", MigrateExports.small, "--target", target, "--quiet"], scratch, environment: ["PGPASSFILE": passfile])
        #expect(right.status == 0, "\(right.stderr)")
    }

    @Test func `a service names the host, database, role and password: messages and the kept staging follow it, and never show the password`() throws {
        let scratch = try TemporaryFolder()
        let database = try PostgresServer.database("service")
        let role = "cbt_sv_" + UUID().uuidString.prefix(8).lowercased()
        try database.psql("CREATE ROLE \(role) LOGIN PASSWORD 'service-kept-pw'; GRANT CREATE ON DATABASE \(database.name) TO \(role)")
        defer {
            _ = try? database.psql("DROP OWNED BY \(role)")
            _ = try? PostgresServer.psql(PostgresServer.uri ?? "", "DROP ROLE IF EXISTS \(role)")
        }
        let socket = try #require(URLComponents(string: database.uri)?.queryItems?.first { $0.name == "host" }?.value)
        let services = try scratch.write("""
            # the council's loading service
            [other]
            dbname=postgres
            [ssd-load]
            host=\(socket)
            dbname=\(database.name)
            user=\(role)
            password=service-kept-pw
            [wrong]
            host=\(socket)
            dbname=\(database.name)
            user=\(role)
            password=not-the-pw
            """, to: "pg_service.conf")
        let environment = ["PGSERVICEFILE": services, "PGPASSFILE": scratch.path("none")]
        let loaded = try run(["migrate", MigrateExports.small, "--target", "service=ssd-load", "--quiet"], scratch, environment: environment)
        #expect(loaded.status == 0, "\(loaded.stderr)")
        #expect(loaded.stdout.contains("into PostgreSQL database \(database.name) on \(socket):5432, schema casebridge as run 1."), "\(loaded.stdout)")
        // The same database named by its service or by a URI is the same target, with one kept staging.
        let status = try run(["status", "--target", "service=ssd-load"], scratch, environment: environment)
        #expect(status.status == 0 && status.stdout.contains("Last loaded sequence: 413 (run 1)\n"), "\(status.stdout) \(status.stderr)")
        let kept = try FileManager.default.contentsOfDirectory(atPath: scratch.path("state/casebridge")).filter { $0.hasSuffix(".casebridge-state") }
        #expect(kept.count == 1)
        let byURI = try PostgresServer.with(database.uri, user: role)
        let skipped = try run(["migrate", MigrateExports.small, "--target", byURI, "--quiet"], scratch,
                              environment: ["PGPASSFILE": scratch.path("none"), "PGPASSWORD": "service-kept-pw"])
        #expect(skipped.status == 0 && skipped.stdout.hasPrefix("Skipped:"), "\(skipped.stdout) \(skipped.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("state/casebridge")).filter { $0.hasSuffix(".casebridge-state") } == kept)

        let wrong = try run(["migrate", MigrateExports.small, "--target", "service=wrong", "--quiet"], scratch, environment: environment)
        #expect(wrong.status == 4)
        #expect(wrong.stderr.contains("PostgreSQL database \(database.name) on \(socket):5432") && wrong.stderr.contains("refused the password of role \(role)"),
                "\(wrong.stderr)")
        #expect(!wrong.stderr.contains("not-the-pw") && wrong.stderr.split(separator: "\n").count == 1)
    }

    @Test func `sslmode goes to libpq as written: a mode it does not know is refused in one line, and require over the Unix socket loads`() throws {
        let scratch = try TemporaryFolder()
        let database = try PostgresServer.database("tls")
        let bogus = try run(["migrate", MigrateExports.small, "--target", database.uri + "&sslmode=sometimes", "--quiet"], scratch)
        #expect(bogus.status == 4 && bogus.stderr.contains("sslmode") && bogus.stderr.split(separator: "\n").count == 1, "\(bogus.stderr)")
        // A Unix socket never uses TLS: libpq lets sslmode=require through there.
        let loaded = try run(["migrate", MigrateExports.small, "--target", database.uri + "&sslmode=require", "--quiet"], scratch)
        #expect(loaded.status == 0, "\(loaded.stderr)")
    }

    /// `MigrateExports.smallBefore` loaded once, with its dump: the kill test's cases start from copies of it
    /// (the export they kill is a full one, which does not continue the staging kept for the first).
    static let smallBeforeLoaded = Result {
        try PostgresServer.template("killfrom") { database in
            let scratch = try TemporaryFolder()
            let result = try CLI.run(["migrate", MigrateExports.smallBefore, "--target", database.uri, "--quiet"],
                                     environment: ["XDG_STATE_HOME": scratch.path("state")])
            precondition(result.status == 0, result.stderr)
            withExtendedLifetime(scratch) {}
            return try database.dump()
        }
    }

    @Test(arguments: ["loading ssd_person", "loading cb_document", "storing content", "keeping the live state"])
    func `migrate killed mid-load leaves every table of a PostgreSQL target as it was, and the next run completes`(_ moment: String) throws {
        let scratch = try TemporaryFolder()
        let loaded = try Self.smallBeforeLoaded.get()
        let database = try PostgresServer.database("kill", copying: loaded)
        #expect(try killMigrate(MigrateExports.small, into: database.uri, at: moment, environment: state(scratch)), "migrate was not killed at '\(moment)'")
        #expect(try database.dump() == loaded.value)
        let resumed = try run(["migrate", MigrateExports.small, "--target", database.uri, "--quiet", "--allow-deletions"], scratch)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("as run 2."))
    }

    @Test func `a delta killed while it continues the kept staging leaves the PostgreSQL target as it was, and the next runs complete it`() throws {
        let scratch = try TemporaryFolder()
        let database = try PostgresServer.database("killdelta")
        #expect(try run(["migrate", MigrateExports.series[412]!, "--target", database.uri, "--quiet"], scratch).status == 0)
        let before = try database.dump()
        #expect(try killMigrate(MigrateExports.series[413]!, into: database.uri, at: "loading cb_document", environment: state(scratch)))
        #expect(try database.dump() == before)
        for sequence in 413...414 {
            let resumed = try run(["migrate", MigrateExports.series[sequence]!, "--target", database.uri, "--quiet"], scratch)
            #expect(resumed.status == 0, "\(resumed.stderr)")
        }
        #expect(try database.psql("SELECT string_agg(sequence::text, ' ' ORDER BY run_id) FROM casebridge.casebridge_run") == "412 413 414\n")
    }

    @Test func `two migrate runs into one PostgreSQL target at once: one loads, the other skips it or is refused, never both`() throws {
        let scratch = try TemporaryFolder()
        let database = try PostgresServer.database("twice")
        let environment = state(scratch)
        let runs = try (0..<2).map { index in
            try Background(["migrate", MigrateExports.small, "--target", database.uri, "--quiet"], scratch: scratch, name: "run\(index)",
                           environment: environment)
        }
        let results = try runs.map { try $0.finish() }
        #expect(results.filter { $0.status == 0 && $0.stdout.contains("as run 1.") }.count == 1, "\(results.map(\.stderr))")
        let other = try #require(results.first { !$0.stdout.contains("as run 1.") })
        #expect((other.status == 0 && other.stdout.hasPrefix("Skipped:")) || (other.status == 4 && other.stderr.contains("another casebridge")),
                "\(other.stdout) \(other.stderr)")
        #expect(try database.psql("SELECT count(*) FROM casebridge.casebridge_run") == "1\n")
    }

    @Test func `schedule run loads an inbox into PostgreSQL and schedule install writes the URI as it is`() throws {
        let scratch = try TemporaryFolder()
        let database = try PostgresServer.database("schedule")
        let inbox = scratch.url.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        for sequence in [413, 412] { try ScheduleExports.place(sequence, in: inbox, as: "n\(sequence)") }
        let loaded = try run(["schedule", "run", "--inbox", inbox.path, "--target", database.uri], scratch)
        #expect(loaded.status == 0, "\(loaded.stderr)")
        #expect(loaded.stdout.hasSuffix("Schedule run: 2 loaded, 0 skipped, 0 failed, 0 waiting; last loaded sequence 413.\n"), "\(loaded.stdout)")
        let locks = try FileManager.default.contentsOfDirectory(atPath: scratch.path("state/casebridge")).filter { $0.hasSuffix(".schedule-lock") }
        #expect(locks.count == 1)

        let cron = try run(["schedule", "install", "--inbox", inbox.path, "--target", database.uri, "--cron"], scratch)
        #expect(cron.status == 0, "\(cron.stderr)")
        #expect(cron.stdout.contains("--target '\(database.uri)'"), "\(cron.stdout)")
        let units = scratch.path("units")
        let systemd = try run(["schedule", "install", "--inbox", inbox.path, "--target", database.uri, "--systemd", units], scratch)
        #expect(systemd.status == 0, "\(systemd.stderr)")
        let service = try String(contentsOfFile: units + "/casebridge-schedule.service", encoding: .utf8)
        #expect(service.contains("--target \(database.uri)"), "\(service)")
        let refused = try run(["schedule", "install", "--inbox", inbox.path, "--target", "postgresql://u:pw-in-unit@/x", "--cron"], scratch)
        #expect(refused.status == 4 && !refused.stderr.contains("pw-in-unit"), "\(refused.stderr)")
    }
}
