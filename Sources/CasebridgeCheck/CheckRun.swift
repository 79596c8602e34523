import CasebridgeMapping
import CasebridgeModel
import CasebridgeRead
import CasebridgeStore
import Foundation

/// What `check` found: the findings document, the read's figures, the stages' times and the warnings.
public struct CheckResult: Sendable {
    public var document: FindingsDocument
    public var read: ReadSummary
    public var timings: StageTimings
    /// Warnings about the export as a whole (an envelope value that failed), for stderr.
    public var warnings: [String]
    /// When a delta continued a kept staging and the rules that judge one record at a time ran over
    /// the records it changed alone (``CarriedFindings``): how many records (by kind and id) and family
    /// documents (by origin) that was.
    public var judgedChangedRecords: Int?

    /// The result of staging `staged` and judging it as `judgement`.
    public init(_ staged: StagedExport, _ judgement: Judgement) {
        document = judgement.document
        read = staged.summary
        timings = staged.timings
        timings.rules = judgement.ruleSeconds
        timings.judging = judgement.seconds
        warnings = judgement.warnings
        judgedChangedRecords = judgement.judgedChangedRecords
    }
}

/// `check`: read → stage → judge, for one export (``ExportStaging``, ``Judge``); `migrate` runs the same
/// phases with a load after them.
///
/// ```swift
/// let result = try CheckRun(mapping: MappingLoader.load(path: BuiltInMappings.legacyCaseExport),
///                           policy: Policy.load(path: Policy.defaultPath))
///     .run(export: "export.xml")
/// ```
public struct CheckRun {
    public var mapping: Mapping
    public var policy: Policy
    public var rules: [any IntegrityRule]
    /// Where to keep the staging database; a temporary file, removed afterwards, when `nil`.
    public var stagingPath: String?
    /// Whether the mapping's coverage warnings (a path that matched nothing, a required field empty in
    /// every record) refuse the export once it is read, before any rule runs: ``MappingCoverageError``.
    public var strictMapping = false

    public init(mapping: Mapping, policy: Policy, rules: [any IntegrityRule] = RuleRegistry.all, stagingPath: String? = nil) {
        self.mapping = mapping
        self.policy = policy
        self.rules = rules
        self.stagingPath = stagingPath
    }

    /// Checks the export at `path`. `displayName` is how findings name the file (default: `path`).
    public func run(export path: String, displayName: String? = nil,
                    progress: ((Int64, Int64) -> Void)? = nil) throws -> CheckResult {
        let file = stagingPath.map(StagingFile.init(keptAt:)) ?? .temporary()
        let staged = try ExportStaging(mapping: mapping).read(export: path, displayName: displayName, into: file, progress: progress)
            .finish(policy: policy)
        let coverage = staged.summary.coverage.warnings
        if strictMapping, !coverage.isEmpty { throw MappingCoverageError(warnings: coverage) }
        var judge = Judge(policy: policy, rules: rules)
        judge.spillsFindings = true
        return CheckResult(staged, try judge.judge(staged))
    }
}
