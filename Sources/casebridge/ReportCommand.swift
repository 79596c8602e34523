import ArgumentParser
import CasebridgeModel
import CasebridgeReport
import Foundation

extension ReportAudience: ExpressibleByArgument {}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the director's gap report and the teams' worklists from a migrated target.",
        discussion: """
            Reads the findings, runs and quarantine the target stored (the latest loaded run unless --run), never an \
            export. The director audience writes DIR/index.html (one self-contained page, children and families by \
            pseudonym only), DIR/summary.json and DIR/teams/<team>.csv (one row per gap with the real ids and what to \
            do; gaps no team holds go to unallocated.csv). The team audience writes only --team's worklist. The \
            pseudonyms' secret is kept beside the target as TARGET.report-secret (created on first use; keep it, or \
            every pseudonym changes). Files are mode 0600, folders 0700.

            """ + ExitStatus.help(for: [.clean, .usage, .target, .output])
    )

    @Option(help: "The Casebridge target database that migrate wrote.")
    var target: String

    @Option(help: "The folder to write into (created, or set to mode 0700).")
    var out: String

    @Option(help: "director (index.html, summary.json and every team's worklist) or team (one worklist).")
    var audience: ReportAudience = .director

    @Option(help: "With --audience team: the team's id (unallocated for gaps no team holds).")
    var team: String?

    @Flag(name: .customLong("suppress-small"), help: "Show counts from 1 to 4 as \"fewer than 5\", for copies that leave the council.")
    var suppressSmall = false

    @Option(name: .customLong("run"), help: "The run to report (default: the latest loaded run).")
    var runID: Int?

    func validate() throws {
        if audience == .team, team == nil { throw ValidationError("--audience team needs --team ID") }
        if audience == .director, team != nil { throw ValidationError("--team goes with --audience team") }
        if let runID, runID < 1 { throw ValidationError("--run must be a run id (1 or more)") }
    }

    func run() throws {
        let options = ReportOptions(audience: audience, team: team, suppressSmall: suppressSmall, run: runID)
        let outcome: ReportOutcome
        do {
            outcome = try Report.write(target: target, to: out, options: options)
        } catch let error as ReportError {
            printError("casebridge: \(error)")
            switch error.kind {
            case .target: throw ExitCode(ExitStatus.target)
            case .usage: throw ExitCode(ExitStatus.usage)
            case .output: throw ExitCode(ExitStatus.output)
            }
        }
        for warning in outcome.warnings { printError("casebridge: warning: \(warning)") }
        var text = "Report of run \(outcome.run.id)" + (outcome.run.asOf.map { " as of \($0.uk)" } ?? "") + "\n"
        if audience == .director {
            text += DirectorReport.criticalSentence(outcome.figures.headline, outcome.counts) + "\n"
            text += DirectorReport.familySentence(outcome.figures.headline, outcome.counts) + "\n"
        }
        text += "Wrote:\n" + outcome.files.map { "  \($0)\n" }.joined()
        print(text, terminator: "")
    }
}
