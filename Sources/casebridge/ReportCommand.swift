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
            pseudonym only, teams by name), DIR/summary.json, DIR/quarantine.csv (the run's quarantined records and \
            why) and DIR/teams/<team>.csv (one row per gap with the real ids and what to do; gaps no team holds go to \
            unallocated.csv). --team T alone writes only T's worklist (the team audience); a team the target does \
            not hold is refused. --suppress-small shows counts from 1 to 4 as "fewer than 5" and withholds further \
            counts so that none of them can be worked out from a total. The pseudonyms' secret is kept beside the \
            target as TARGET.report-secret (for a PostgreSQL target, on this machine under $XDG_STATE_HOME/casebridge/; \
            created on first use; keep it, or every pseudonym changes). Files are \
            written mode 0600 and folders the report creates 0700; an existing DIR keeps its mode.

            """ + ExitStatus.help(for: [.clean, .usage, .target, .output])
    )

    @Option(help: ArgumentHelp("The Casebridge target that migrate wrote. " + targetHelp))
    var target: String

    @Option(name: .customLong("target-mapping"), help: "The target mapping that names a PostgreSQL target's schema (default: the built-in target/ssd.yaml).")
    var targetMapping: String?

    @Option(help: "The folder to write into (created mode 0700; an existing folder keeps its mode).")
    var out: String

    @Option(help: "director (index.html, summary.json, quarantine.csv and every team's worklist) or team (one worklist); default: team with --team, else director.")
    var audience: ReportAudience?

    @Option(help: "The team whose worklist to write, by id (unallocated for gaps no team holds); implies --audience team.")
    var team: String?

    @Flag(name: .customLong("suppress-small"), help: "Show counts from 1 to 4 as \"fewer than 5\" and withhold the counts they could be worked out from, for copies that leave the council.")
    var suppressSmall = false

    @Option(name: .customLong("run"), help: "The run to report (default: the latest loaded run).")
    var runID: Int?

    /// The audience asked for, or the one --team implies.
    var chosenAudience: ReportAudience { audience ?? (team == nil ? .director : .team) }

    func validate() throws {
        if audience == .team, team == nil { throw ValidationError("--audience team needs --team ID") }
        if audience == .director, team != nil { throw ValidationError("--team writes one team's worklist; leave out --audience director") }
        if let runID, runID < 1 { throw ValidationError("--run must be a run id (1 or more)") }
    }

    func run() throws {
        let audience = chosenAudience
        let options = ReportOptions(audience: audience, team: team, suppressSmall: suppressSmall, run: runID,
                                    schema: try targetSchema(targetMapping, for: target))
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
            let quarantined = outcome.figures.quarantined
            text += QuarantineCount.line(shown: outcome.counts.text(QuarantineCount.jsonKey, quarantined), records: quarantined)
                + " after run \(outcome.run.id) (\(Report.quarantineFile) lists them)\n"
        }
        text += "Wrote:\n" + outcome.files.map { "  \($0)\n" }.joined()
        print(text, terminator: "")
    }
}
