import ArgumentParser
import CasebridgeCheck
import CasebridgeModel
import Foundation

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List every integrity rule with its id, severity and description."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(help: "text or json.")
    var format: Format = .text

    func run() throws {
        let descriptions = RuleRegistry.all.map(\.description)
        switch format {
        case .text:
            let width = descriptions.map(\.id.count).max() ?? 0
            var out = ""
            for rule in descriptions {
                let padded = rule.id.padding(toLength: width, withPad: " ", startingAt: 0)
                let severity = rule.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                out += "\(padded)  \(severity)  \(rule.summary)\n"
            }
            print(out, terminator: "")
        case .json:
            let json = JSONValue.array(descriptions.map { rule in
                .object([
                    ("id", .string(rule.id)), ("severity", .string(rule.severity.rawValue)),
                    ("description", .string(rule.summary)), ("key", .array(rule.keyFields.map(JSONValue.string))),
                ])
            })
            print(json.serialised(pretty: true))
        }
    }
}
