import ArgumentParser
import Foundation

/// The `casebridge` command line: parses arguments, calls the library, maps results to exit codes.
///
/// Exit codes (findings-format.md): 0 no finding at or above `--fail-on`; 1 findings at or above it;
/// 2 a usage or configuration error; 3 the export cannot be read at all.
@main
struct Casebridge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "casebridge",
        abstract: "Check and migrate legacy children's social care exports.",
        discussion: """
            Exit codes: 0 no finding at or above --fail-on (check) or loaded (migrate); 1 findings at or above it; \
            2 a usage or configuration error; 3 the export cannot be read; 4 the target was refused or could not \
            be written; 5 a migrate run does not reconcile; 6 an export out of sequence; 7 a report could not be written; 8 another schedule run holds the lock.
            """,
        version: "0.1.0",
        subcommands: [CheckCommand.self, MigrateCommand.self, ReportCommand.self, RulesCommand.self, GenerateCommand.self,
                      ScheduleCommand.self, StatusCommand.self]
    )

    /// Runs the command line, turning every usage error into exit code 2 as the contract says.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                let message = fullMessage(for: error)
                FileHandle.standardError.write(Data((message + "\n").utf8))
                Foundation.exit(ExitCodes.usage)
            }
            exit(withError: error)
        }
    }
}

/// The exit statuses of findings-format.md.
enum ExitCodes {
    static let clean: Int32 = 0
    static let findings: Int32 = 1
    static let usage: Int32 = 2
    static let unreadable: Int32 = 3
    /// migrate: the target was refused (not a Casebridge database, locked, read-only, full); nothing changed.
    static let target: Int32 = 4
    /// migrate: some records would neither load nor be quarantined; nothing changed.
    static let unreconciled: Int32 = 5
    /// migrate: the export's sequence is older than the last loaded, or leaves a gap; nothing changed.
    static let sequence: Int32 = 6
    /// report: an output file or folder could not be written.
    static let output: Int32 = 7
    /// schedule run: another schedule run holds the target's lock (after `--wait`).
    static let busy: Int32 = 8
}

/// Prints one line to stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
