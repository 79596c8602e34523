import ArgumentParser

/// The `casebridge` command line: parses arguments, calls the library, maps results to exit codes.
@main
struct Casebridge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "casebridge",
        abstract: "Check and migrate legacy children's social care exports.",
        version: "0.1.0",
        subcommands: []
    )
}
