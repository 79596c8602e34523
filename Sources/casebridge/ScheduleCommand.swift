import ArgumentParser
import CasebridgeLoad
import CasebridgeMapping
import CasebridgeModel
import CasebridgeSchedule
import CasebridgeTarget
import Foundation

#if canImport(Glibc)
import Glibc
#endif

struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Load the exports waiting in an inbox, unattended, and install the timer that does it.",
        subcommands: [ScheduleRunCommand.self, ScheduleInstallCommand.self]
    )
}

struct ScheduleRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Migrate every export waiting in the inbox, in sequence order.",
        discussion: """
            An export in INBOX is a file *.xml or a folder holding export.xml. Each is migrated in sequence order; \
            a loaded or already-loaded export moves to INBOX/done/, a failed one to INBOX/failed/ with <name>.reason.txt, \
            and the run stops there. An export after a gap waits in the inbox (unless --allow-gap). A lock on \
            DB.schedule-lock (for a PostgreSQL target, under $XDG_STATE_HOME/casebridge/) keeps two runs from overlapping. A failure exits with the first failed export's code, \
            as migrate would.

            """ + ExitStatus.help(for: [.clean, .usage, .unreadable, .target, .unreconciled, .sequence, .busy, .deletions])
    )

    @Option(help: "The folder exports are delivered into.")
    var inbox: String

    @Option(help: ArgumentHelp(targetHelp + " Created when it does not exist."))
    var target: String

    @OptionGroup var mappingOptions: MappingOptions

    @Option(name: .customLong("target-mapping"), help: "The target mapping (default: the built-in target/ssd.yaml); it names a PostgreSQL target's schema.")
    var targetMapping: String?

    @Option(help: "Seconds to wait for another schedule run on the same target to finish.")
    var wait: Double = 0

    @Flag(name: .customLong("allow-gap"), help: "Load exports even after a gap in the sequence (recorded with each run).")
    var allowGap = false

    func run() throws {
        let mapping = try mappingOptions.load()
        let policy = try mappingOptions.loadPolicy()
        let targetSchema = try loadTargetMapping(targetMapping)
        let lock: ScheduleLock
        do {
            lock = try ScheduleLock(target: target, schema: targetSchema.postgresSchema, wait: wait)
        } catch let busy as ScheduleBusy {
            printError("casebridge: \(busy)")
            throw ExitCode(ExitStatus.busy)
        } catch let error as InboxError {
            printError("casebridge: \(error)")
            throw ExitCode(ExitStatus.target)
        }
        defer { lock.release() }

        var migration = Migration(mapping: mapping, policy: policy, target: targetSchema)
        migration.allowGap = allowGap
        migration.options = mappingOptions.runOptions(targetMapping: targetMapping, dryRun: false, allowGap: allowGap,
                                                      extra: [("schedule", .string(Inbox(path: inbox).url.path))])
        let report: ScheduleReport
        do {
            report = try ScheduledRun(inbox: Inbox(path: inbox), target: target, migration: migration).run { step in
                print(step.line)
                fflush(nil)  // each line reaches a log as it happens
            }
        } catch let error as InboxError {
            printError("casebridge: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
        print(report.summary)
        if report.exitStatus != .clean { throw ExitCode(report.exitStatus) }
    }
}

struct ScheduleInstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Write a systemd service and timer (or print the crontab line) that run `schedule run`.",
        discussion: """
            With --systemd DIR (default ~/.config/systemd/user) writes casebridge-schedule.service and \
            casebridge-schedule.timer from scripts/systemd/*.in and prints the systemctl line that enables them; \
            with --cron prints the crontab line instead (its output appended to INBOX/schedule.log).
            """
    )

    @Option(help: "The folder exports are delivered into.")
    var inbox: String

    @Option(help: ArgumentHelp(targetHelp))
    var target: String

    @Option(name: .customLong("target-mapping"), help: "The target mapping the scheduled runs load with (default: the built-in target/ssd.yaml).")
    var targetMapping: String?

    @Option(help: "How often: 1d, 12h, 1h, 30m, …")
    var every: String = "1d"

    @Option(help: "The time of day (HH:MM) the schedule is anchored to.")
    var at: String = "02:00"

    @Option(help: "Where to write the systemd user units (default: ~/.config/systemd/user).")
    var systemd: String?

    @Flag(help: "Print a crontab line instead of writing systemd units.")
    var cron = false

    @OptionGroup var mappingOptions: MappingOptions

    func validate() throws {
        if cron, systemd != nil { throw ValidationError("give --systemd DIR or --cron, not both") }
    }

    func run() throws {
        let interval: ScheduleInterval
        do {
            interval = try ScheduleInterval(every: every, at: at)
        } catch let error as ScheduleTemplateError {
            printError("casebridge: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
        let inboxPath = absolute(inbox)
        // A PostgreSQL connection string goes as it is (it names no password: the unit finds it where
        // libpq looks, PGPASSWORD in the unit's environment, ~/.pgpass or the service file).
        _ = try TargetEngines.open(target: target)
        let targetPath = TargetEngines.isPostgres(target) ? target : absolute(target)
        var options: [String] = []
        if let mapping = mappingOptions.mapping { options += ["--mapping", absolute(mapping)] }
        if let policy = mappingOptions.policy { options += ["--policy", absolute(policy)] }
        if let targetMapping { options += ["--target-mapping", absolute(targetMapping)] }
        let casebridge = Self.executablePath()
        if cron {
            print(ScheduleTemplates.cronLine(interval, casebridge: casebridge, inbox: inboxPath, target: targetPath, options: options,
                                             log: inboxPath + "/schedule.log"))
            return
        }
        let folder = absolute(systemd ?? (NSHomeDirectory() + "/.config/systemd/user"))
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let service = folder + "/" + ScheduleTemplates.serviceName
            let timer = folder + "/" + ScheduleTemplates.timerName
            try Self.write(ScheduleTemplates.service(casebridge: casebridge, inbox: inboxPath, target: targetPath, options: options), to: service)
            try Self.write(ScheduleTemplates.timer(interval), to: timer)
            print("Wrote:\n  \(service)\n  \(timer)")
            print("The timer runs casebridge schedule run \(interval.described) (OnCalendar=\(interval.onCalendar)). To start it:")
            print("  systemctl --user daemon-reload && systemctl --user enable --now \(ScheduleTemplates.timerName)")
        } catch {
            printError("casebridge: the units could not be written to \(folder): \(error.localizedDescription)")
            throw ExitCode(ExitStatus.output)
        }
    }

    /// Writes `text` to `path`, 0600.
    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }

    /// This casebridge's absolute path (the executable itself, through /proc on Linux).
    static func executablePath() -> String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.resolvingSymlinksInPath().path
    }
}

/// `path` made absolute against the working directory.
func absolute(_ path: String) -> String {
    URL(fileURLWithPath: (path as NSString).expandingTildeInPath).standardizedFileURL.path
}
