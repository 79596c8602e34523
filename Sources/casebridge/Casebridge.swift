import ArgumentParser
import CasebridgeModel
import CasebridgeRead
import Foundation

/// The `casebridge` command line: parses arguments, calls the library, maps results to exit codes
/// (``ExitStatus``, the one table of them).
@main
struct Casebridge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "casebridge",
        abstract: "Check and migrate legacy children's social care exports.",
        discussion: ExitStatus.help(for: ExitStatus.allCases),
        version: CasebridgeBuild.version,
        subcommands: [CheckCommand.self, MigrateCommand.self, ReportCommand.self, RulesCommand.self, GenerateCommand.self,
                      ScheduleCommand.self, StatusCommand.self, SurveyCommand.self, PreviewCommand.self]
    )

    /// Runs the command line: a usage error exits 2 as the contract says, and an error that knows its
    /// exit status (``ExitStatusError``) is printed on one line and exits with it.
    static func main() {
        ReturnedMemory.fixMappingThreshold()
        Interruption.removeTemporaryFilesOnSignal()
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "help", let message = unknownHelpTopic(Array(arguments.dropFirst())) {
            printError("casebridge: help: \(message)")
            Foundation.exit(ExitStatus.usage.rawValue)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as any ExitStatusError {
            printError("casebridge: \(error)")
            Foundation.exit(error.exitStatus.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                let message = fullMessage(for: error)
                FileHandle.standardError.write(Data((message + "\n").utf8))
                Foundation.exit(ExitStatus.usage.rawValue)
            }
            exit(withError: error)
        }
    }
}

/// Why `casebridge help TOPIC…` names no command (`nil` when it does): help on a command that does
/// not exist is a usage error, not the overview.
func unknownHelpTopic(_ topic: [String]) -> String? {
    var subcommands: [any ParsableCommand.Type] = Casebridge.configuration.subcommands
    for name in topic where !name.hasPrefix("-") {
        let names: [String] = subcommands.map { $0.configuration.commandName ?? "" }
        guard let index = names.firstIndex(of: name) else {
            let known = names.joined(separator: ", ")
            return "there is no command '\(topic.joined(separator: " "))'" + (known.isEmpty ? "" : " (commands: \(known))")
        }
        subcommands = subcommands[index].configuration.subcommands
    }
    return nil
}

extension ExitCode {
    /// The exit code of `status`.
    init(_ status: ExitStatus) {
        self.init(status.rawValue)
    }
}

/// Prints one line to stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
