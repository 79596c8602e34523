import ArgumentParser
import CasebridgeCheck
import CasebridgeLoad
import CasebridgeMapping
import CasebridgeModel
import CasebridgeRead
import CasebridgeTarget
import Foundation

/// Loads the target mapping at `path` (the built-in `target/ssd.yaml` when `nil`), or exits 2 with the
/// mapping's line and the reason.
func loadTargetMapping(_ path: String?) throws -> TargetMapping {
    try loadConfiguration("target mapping") { try TargetMapping.load(path: path ?? TargetMapping.builtInPath) }
}

/// The PostgreSQL schema a PostgreSQL `target`'s tables live in: the target mapping's at `path` (the
/// built-in one when `nil`); the default for an SQLite target, which has none.
func targetSchema(_ path: String?, for target: String) throws -> String {
    guard TargetEngines.isPostgres(target) else { return TargetMapping.defaultPostgresSchema }
    return try loadTargetMapping(path).postgresSchema
}

/// What `--target` takes, in every command's help.
let targetHelp = "The target: an SQLite database file, or a PostgreSQL connection string (postgresql://USER@HOST[:PORT]/DB[?sslmode=…], "
    + "or keyword/value pairs such as 'host=/run/postgresql dbname=ssd'; its password from PGPASSWORD, ~/.pgpass or the service file, "
    + "never in the string)."

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Read, check and load an export into the replacement system's database.",
        discussion: """
            Reads EXPORT, checks it, and loads every record into the target (an SQLite file, or a PostgreSQL database whose \
            tables live in the schema the target mapping names, default casebridge) in one transaction: \
            records with findings load (their findings are stored with the run), records that cannot load are \
            quarantined with their raw XML and reasons. Prints what each table received and the reconciliation \
            read = loaded + quarantined per record kind. A target that does not exist is created with the schema \
            of the target mapping. An export already loaded is skipped (exit 0). A full export that would delete more \
            of a table than the policy's deletion guard allows is refused unless --allow-deletions.

            """ + ExitStatus.help(for: [.clean, .usage, .unreadable, .target, .unreconciled, .sequence, .deletions])
    )

    @Argument(help: "The export XML file.")
    var export: String

    @Option(help: ArgumentHelp(targetHelp + " Created when it does not exist."))
    var target: String

    @Flag(name: .customLong("dry-run"), help: "Do everything but commit: print what would change; the target is left untouched.")
    var dryRun = false

    @OptionGroup var mappingOptions: MappingOptions

    @Option(name: .customLong("target-mapping"), help: "The target mapping (default: the built-in target/ssd.yaml); it names a PostgreSQL target's schema.")
    var targetMapping: String?

    @Option(name: .customLong("lock-timeout"), help: "Seconds to wait for another process's lock on the target.")
    var lockTimeout: Double = 5

    @Flag(name: .customLong("allow-gap"), help: "Load the export even though exports between the last loaded one and it are missing (recorded with the run).")
    var allowGap = false

    @Flag(name: .customLong("allow-deletions"), help: "Load a full export even if it deletes more of a table than the policy's deletion guard allows (recorded with the run).")
    var allowDeletions = false

    @Flag(name: .customLong("strict-mapping"), help: "Treat the mapping's coverage warnings (a path that matched nothing, a required field empty in every record) as errors: exit 2 before anything is loaded.")
    var strictMapping = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    func run() throws {
        let mapping = try mappingOptions.load()
        let policy = try mappingOptions.loadPolicy()
        let targetSchema = try loadTargetMapping(targetMapping)
        var migration = Migration(mapping: mapping, policy: policy, target: targetSchema)
        migration.lockTimeout = lockTimeout
        migration.allowGap = allowGap
        migration.allowDeletions = allowDeletions
        migration.strictMapping = strictMapping
        migration.options = mappingOptions.runOptions(targetMapping: targetMapping, dryRun: dryRun, allowGap: allowGap,
                                                      allowDeletions: allowDeletions)
        let bar = quiet ? nil : ProgressLine(label: "reading \((export as NSString).lastPathComponent)")
        let result: MigrationResult
        do {
            result = try migration.run(
                export: export, into: target, dryRun: dryRun,
                readProgress: { done, total in bar?.update(done: done, total: total) },
                progress: { message in
                    bar?.finish()
                    if !quiet { printError("casebridge: \(message)") }
                    StopPoint.reached(message)
                })
        } catch let skipped as ExportAlreadyLoaded {
            bar?.finish()
            print("Skipped: \(skipped)")
            return
        } catch let error as ConfigError {
            printError("casebridge: target mapping error: \(error)")
            throw ExitCode(ExitStatus.usage)
        } catch let error as MappingCoverageError {
            bar?.finish()
            printCoverage(error.warnings, strict: true)
            printError("casebridge: --strict-mapping: nothing was checked or loaded")
            throw ExitCode(ExitStatus.usage)
        } catch let error as SequenceError {
            printError("casebridge: \(export): \(error)")
            throw ExitCode(ExitStatus.sequence)
        } catch {
            bar?.finish()
            throw error
        }
        for warning in result.check.warnings { printError("casebridge: warning: \(warning)") }
        printCoverage(result.check.read.coverage.warnings, strict: false)
        print(MigrationSummary.text(result), terminator: "")
        if !quiet {
            printError(String(format: "casebridge: read and stage %.2f s, check and load %.2f s", result.checkSeconds, result.loadSeconds))
        }
    }
}
