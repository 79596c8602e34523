import ArgumentParser
import CasebridgeModel
import CasebridgeSchedule
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a target's last runs, its last sequence, what is in quarantine now, what waits in the inbox and the open gaps.",
        discussion: ExitStatus.help(for: [.clean, .usage, .target])
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: ArgumentHelp(targetHelp))
    var target: String

    @Option(name: .customLong("target-mapping"), help: "The target mapping that names a PostgreSQL target's schema (default: the built-in target/ssd.yaml).")
    var targetMapping: String?

    @Option(help: "The inbox folder of `schedule run`: list what waits there.")
    var inbox: String?

    @Option(help: "text or json.")
    var format: Format = .text

    @Option(help: "How many of the latest runs to list.")
    var runs: Int = 10

    @OptionGroup var mappingOptions: MappingOptions

    func run() throws {
        let mapping = try mappingOptions.load()
        let status: TargetStatus
        do {
            status = try TargetStatus.read(target: target, schema: try targetSchema(targetMapping, for: target),
                                           inbox: inbox.map(Inbox.init(path:)), mapping: mapping, runLimit: runs)
        } catch let error as InboxError {
            printError("casebridge: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
        switch format {
        case .text: print(status.text, terminator: "")
        case .json: print(status.json.serialised(pretty: true))
        }
    }
}
