import ArgumentParser
import CasebridgeCheck
import CasebridgeMapping
import CasebridgeModel
import CasebridgeRead
import CasebridgeStore
import Foundation

extension FindingsFormat: ExpressibleByArgument {}
extension Severity: ExpressibleByArgument {}

/// The options every command that reads and checks an export shares.
struct MappingOptions: ParsableArguments {
    @Option(name: .long, help: "The mapping file that says how to read the export (default: the built-in legacy-case-export.yaml).")
    var mapping: String?

    @Option(name: .long, help: "The policy file of limits, required sections and bank holidays (default: the built-in policy/default.yaml).")
    var policy: String?

    /// Loads the policy, or exits 2 with the policy file's line and the reason.
    func loadPolicy() throws -> Policy {
        try loadConfiguration("policy") { try Policy.load(path: policy ?? Policy.defaultPath) }
    }

    /// What a migrate run records as its options: the files it read (or that it used the built-in
    /// ones), whether it was a dry run, whether a gap was allowed, and `extra` members.
    func runOptions(targetMapping: String?, dryRun: Bool, allowGap: Bool, allowDeletions: Bool = false,
                    extra: [(String, JSONValue)] = []) -> JSONValue {
        .object([
            ("mapping", .string(mapping ?? "built-in legacy-case-export.yaml")),
            ("policy", .string(policy ?? "built-in policy/default.yaml")),
            ("targetMapping", .string(targetMapping ?? "built-in target/ssd.yaml")),
            ("dryRun", .bool(dryRun)),
            ("allowGap", .bool(allowGap)),
            ("allowDeletions", .bool(allowDeletions)),
        ] + extra)
    }

    /// Loads the mapping, or exits 2 with the mapping file's line and the reason.
    func load() throws -> Mapping {
        try loadConfiguration("mapping") { try MappingLoader.load(path: mapping ?? BuiltInMappings.legacyCaseExport) }
    }
}

/// Prints the mapping's coverage warnings (a path that matched nothing, a required field empty in every
/// record) on stderr, one a line with the mapping's file and line; errors under `--strict-mapping`.
func printCoverage(_ warnings: [String], strict: Bool) {
    for warning in warnings { printError("casebridge: mapping \(strict ? "error" : "warning"): \(warning)") }
}

/// Runs `load`; a mistake in the file (a ``ConfigError``, naming its line) is printed as
/// "casebridge: WHAT error: …" and exits 2, as a configuration error does.
func loadConfiguration<T>(_ what: String, _ load: () throws -> T) throws -> T {
    do {
        return try load()
    } catch let error as ConfigError {
        printError("casebridge: \(what) error: \(error)")
        throw ExitCode(ExitStatus.usage)
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Read an export, stage it, and report every integrity gap.",
        discussion: """
            Streams EXPORT through the mapping into a temporary SQLite staging database, runs every rule and \
            writes the findings. Progress goes to stderr; findings to stdout or --output.

            """ + ExitStatus.help(for: [.clean, .findings, .usage, .unreadable])
    )

    @Argument(help: "The export XML file.")
    var export: String

    @OptionGroup var mappingOptions: MappingOptions

    @Option(help: "How to write the findings: text, json or csv.")
    var format: FindingsFormat = .text

    @Option(help: "Write the findings to this file (mode 0600; replaced only if it is a findings file check wrote; a device such as /dev/null is written as it is) instead of stdout.")
    var output: String?

    @Option(name: .customLong("fail-on"), help: "Exit 1 when a finding is at or above this severity: critical, high, medium or low.")
    var failOn: Severity = .critical

    @Option(help: "Keep the staging database at this path (replaced if it is a staging database check wrote) instead of a temporary file.")
    var staging: String?

    @Flag(help: "No progress on stderr.")
    var quiet = false

    @Flag(help: "Print how long each stage and each rule took, on stderr.")
    var timings = false

    @Flag(name: .customLong("strict-mapping"), help: "Treat the mapping's coverage warnings (a path that matched nothing, a required field empty in every record) as errors: exit 2.")
    var strictMapping = false

    func run() throws {
        let mapping = try mappingOptions.load()
        let policy = try mappingOptions.loadPolicy()
        // Every output is settled before the read: a mistyped path never costs an input, a target or a long read.
        if let output {
            try OutputPath.vet(output, option: "--output", inputs: [export], specialFiles: .written,
                               isOwn: FindingsDocument.isOwnOutput(prefix:))
        }
        if let staging {
            try OutputPath.vet(staging, option: "--staging", inputs: [export], specialFiles: .refused,
                               isOwn: StagingStore.isStaging(prefix:))
        }
        var run = CheckRun(mapping: mapping, policy: policy, stagingPath: staging)
        run.strictMapping = strictMapping
        let result: CheckResult
        do {
            result = try whileReading(export, quiet: quiet) { progress in
                try run.run(export: export) { done, total in progress?.update(done: done, total: total) }
            }
        } catch let error as MappingCoverageError {
            printCoverage(error.warnings, strict: true)
            printError("casebridge: --strict-mapping: the export was not checked")
            throw ExitCode(ExitStatus.usage)
        }
        for warning in result.warnings { printError("casebridge: warning: \(warning)") }
        printCoverage(result.read.coverage.warnings, strict: false)
        let destination = try TextOutput(path: output)
        result.document.write(as: format) { destination.write($0) }
        try destination.finish()
        if let output, !quiet { printError("casebridge: \(result.document.findingCount) findings written to \(output)") }
        if !quiet {
            let megabytes = Double(result.read.bytes) / 1_000_000
            printError(String(format: "casebridge: read %.1f MB in %.2f s (%.0f MB/s); staging %.2f s; rules %.2f s",
                              megabytes, result.timings.read, megabytes / max(result.timings.read, 0.001),
                              result.timings.index, result.timings.judging))
        }
        if timings {
            printError(String(format: "timing: read %.3f s", result.timings.read))
            printError(String(format: "timing: staging indexes and quarantine %.3f s", result.timings.index))
            printError(String(format: "timing: rules %.3f s (two at a time; each rule's own seconds follow)", result.timings.judging))
            for (rule, seconds) in result.timings.rules { printError(String(format: "timing: rule %@ %.3f s", rule, seconds)) }
        }
        if let worst = result.document.worstSeverity, worst <= failOn {
            throw ExitCode(ExitStatus.findings)
        }
    }
}
