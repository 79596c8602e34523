import CasebridgeModel
import Foundation
import Testing

typealias Status = CasebridgeModel.ExitStatus

/// Exit codes are one table (`ExitStatus`): the README's table and every command's help are made from it.
struct ExitStatusTests {
    @Test func `the README's table of exit codes is the table the code uses, row for row`() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let rows = try String(contentsOf: readme, encoding: .utf8).components(separatedBy: "\n")
            .filter { $0.range(of: #"^\| \d+ \| "#, options: .regularExpression) != nil }
        #expect(rows == Status.allCases.map { "| \($0.rawValue) | \($0.meaning) |" })
    }

    @Test(arguments: [
        (["check"], [Status.clean, .findings, .usage, .unreadable]),
        (["migrate"], [.clean, .usage, .unreadable, .target, .unreconciled, .sequence, .deletions]),
        (["report"], [.clean, .usage, .target, .output]),
        (["status"], [.clean, .usage, .target]),
        (["schedule", "run"], [.clean, .usage, .unreadable, .target, .unreconciled, .sequence, .busy, .deletions]),
    ])
    func `each command's help lists its exit codes in the table's words`(command: [String], statuses: [Status]) throws {
        let help = try CLI.run(["help"] + command)
        #expect(help.status == 0)
        let flat = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(flat.contains(Status.help(for: statuses)), "\(help.stdout)")
    }

    @Test(arguments: [(["help", "nosuch"], "there is no command 'nosuch' (commands: check, migrate, report, rules, generate, schedule, status, survey, preview)"),
                      (["help", "schedule", "nope"], "there is no command 'schedule nope' (commands: run, install)")])
    func `help on a command that does not exist is a usage error`(arguments: [String], message: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == Status.usage.rawValue)
        #expect(result.stderr == "casebridge: help: \(message)\n")
        #expect(result.stdout.isEmpty)
        #expect(try CLI.run(["help", "schedule", "run"]).status == 0)
    }
}
