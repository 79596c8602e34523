import CasebridgeMapping
import CasebridgeModel
import CasebridgeRead
import CasebridgeStore
import Foundation

/// How long each stage of a check took, in seconds.
public struct StageTimings: Sendable {
    public var read: Double = 0
    public var index: Double = 0
    public var rules: [(String, Double)] = []
}

/// What `check` found: the findings document, the read's figures and where staging was kept.
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
}

/// Read → stage → check, for one export.
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
    /// The files of earlier exports by sequence, which findings about records carried from them name.
    public var sourceFiles: [Int: String] = [:]
    /// Read into the staging database at ``stagingPath`` that a previous run kept, instead of a fresh
    /// one: the records get rids from `ridOffset` and locations naming `sequence`.
    public var continuing: (ridOffset: Int, sequence: Int)?
    /// Keep the findings of rules that judge records one at a time in the staging (``CarriedFindings``),
    /// for a load that keeps it for the next delta; and, ``continuing`` a staging that kept them on the
    /// same basis, run those rules over the records the delta changed alone and take the kept findings
    /// for the others.
    public var carriesFindings = false
    /// Compute the SHA-256 of the export's bytes as they are read (``ReadSummary/sha256``).
    public var hashesExport = false

    public init(mapping: Mapping, policy: Policy, rules: [any IntegrityRule] = RuleRegistry.all, stagingPath: String? = nil) {
        self.mapping = mapping
        self.policy = policy
        self.rules = rules
        self.stagingPath = stagingPath
    }

    /// Checks the export at `path`. `displayName` is how findings name the file (default: `path`).
    ///
    /// - Parameters:
    ///   - pack: where to keep the parts' decoded inline content, for a load that stores it.
    ///   - afterRead: runs once the records read are committed to staging, before indexes and
    ///     quarantine (a delta load adds the records it carries over from the target here).
    ///   - beforeRules: runs once the export is staged, before the rules (a load decides here which
    ///     records it cannot take, so that the rules see them quarantined).
    ///   - afterCheck: runs with the staging store and the result before staging is removed.
    public func run(export path: String, displayName: String? = nil, pack: ContentPack? = nil,
                    progress: ((Int64, Int64) -> Void)? = nil,
                    afterRead: ((StagingStore) throws -> Void)? = nil,
                    beforeRules: ((StagingStore) throws -> Void)? = nil,
                    afterCheck: ((StagingStore, CheckResult) throws -> Void)? = nil) throws -> CheckResult {
        let stagingFile = stagingPath ?? Self.temporaryPath()
        if stagingPath != nil, continuing == nil { try? FileManager.default.removeItem(atPath: stagingFile) }
        defer { if stagingPath == nil { Self.remove(stagingFile) } }
        let staging = try continuing.map { try StagingStore(continuing: stagingFile, ridOffset: $0.ridOffset, sequence: $0.sequence) }
            ?? StagingStore(path: stagingFile)
        var timings = StageTimings()

        let readStart = Date()
        // Parsing and storing run on two threads, overlapping.
        let storing = BackgroundSink(staging)
        let summary: ReadSummary
        do {
            summary = try ExportReader(mapping: mapping).read(path: path, into: storing, pack: pack, hashing: hashesExport,
                                                              progress: progress)
            try storing.finish()
        } catch {
            storing.cancel()
            throw error
        }
        timings.read = Date().timeIntervalSince(readStart)

        let indexStart = Date()
        try staging.finishLoading(envelope: summary.envelope.values, beforeIndexing: afterRead)
        try policy.install(into: staging.database)
        try beforeRules?(staging)
        timings.index = Date().timeIntervalSince(indexStart)

        let envelope = summary.envelope.values
        let header = ExportHeader(
            file: displayName ?? path, exportId: envelope["exportId"], sequence: envelope["sequence"].flatMap { Int($0) },
            kind: envelope["kind"], exportedAt: envelope["exportedAt"],
            asOf: envelope["exportedAt"].flatMap(LondonTime.date(ofTimestamp:)))
        let context = RuleContext(staging: staging, export: header, policy: policy, sourceFiles: sourceFiles)
        let basis = carriesFindings ? CarriedFindings.basis(policy: policy, rules: rules) : nil
        var carried: CarriedFindings.Carried?
        if let basis, let continuing, let kept = try CarriedFindings.load(from: staging, basis: basis) {
            var named = Set<RecordKind>()
            for rule in rules { if case let .naming(kinds) = rule.subject { named.formUnion(kinds) } }
            let changed = try staging.markChanges(newFrom: continuing.ridOffset, naming: named)
            carried = CarriedFindings.Carried(kept: kept, changed: changed)
        }
        let (found, seconds) = try judge(in: context, carried: carried)
        timings.rules = zip(rules, seconds).map { ($0.description.id, $1) }
        let findings = Array(found.joined())
        if let basis { try keep(found, in: staging, basis: basis, carried: carried) }
        let counts = try staging.recordCounts()
        let recordCounts = Dictionary(uniqueKeysWithValues: mapping.kinds.map { ($0.rawValue, counts[$0] ?? 0) })
        var warnings = summary.envelope.invalid.map { "export envelope: \($0.label) \($0.raw.map { "'\($0)' " } ?? "")\($0.reason)" }
        if header.kind == "delta", afterRead == nil {
            warnings.append("this is a delta export, checked on its own: rules across records see only the records it holds "
                + "(a document's person, a family's other children may be in earlier exports); "
                + "`casebridge migrate --dry-run` checks it over the target's state")
        }
        if header.asOf == nil {
            warnings.append("the export has no valid exportedAt, so rules that judge by the as-of date found nothing")
        }
        let document = FindingsDocument(
            export: header, recordCounts: recordCounts, quarantined: try staging.quarantinedCount(),
            findings: findings, rulesRun: rules.map { $0.description.id })
        var result = CheckResult(document: document, read: summary, timings: timings, warnings: warnings)
        result.judgedChangedRecords = carried?.changed.count
        try afterCheck?(staging, result)
        return result
    }

    /// Each rule's findings and seconds, in the rules' order. With `carried`, the rules that judge one
    /// record (or one family document's copies) at a time run over the records the delta changed (the
    /// copies of the documents it changed) alone, and the kept findings stand for the others.
    private func judge(in context: RuleContext, carried: CarriedFindings.Carried?) throws -> ([[Finding]], [Double]) {
        var found = Array(repeating: [Finding](), count: rules.count)
        var seconds = Array(repeating: 0.0, count: rules.count)
        var judged = Set<Int>()
        var narrowings: [StagingStore.Narrowing] = []
        for narrowing in rules.compactMap(\.subject?.narrowing) where !narrowings.contains(narrowing) { narrowings.append(narrowing) }
        for narrowing in narrowings {
            guard let carried else { break }
            try context.staging.narrow(narrowing)
            for (index, rule) in rules.enumerated() {
                guard let subject = rule.subject, subject.narrowing == narrowing else { continue }
                let start = Date()
                let fresh = try rule.findings(in: context).filter { carried.isChanged($0, subject) ?? true }
                let unchanged = (carried.kept.byRule[rule.description.id] ?? []).filter { !carried.changed.contains($0.subject) }
                found[index] = fresh + unchanged.map(\.finding)
                seconds[index] = Date().timeIntervalSince(start)
                judged.insert(index)
            }
            try context.staging.widen()
        }
        for (index, rule) in rules.enumerated() where !judged.contains(index) {
            let start = Date()
            found[index] = try rule.findings(in: context)
            seconds[index] = Date().timeIntervalSince(start)
        }
        return (found, seconds)
    }

    /// Keeps the findings of the rules with a subject in the staging (those about changed records only,
    /// when `carried`: the others are kept already).
    private func keep(_ found: [[Finding]], in staging: StagingStore, basis: String, carried: CarriedFindings.Carried?) throws {
        var subjects: [(subject: RecordKey, finding: Finding)] = []
        var complete = true
        for (index, rule) in rules.enumerated() {
            guard let subject = rule.subject else { continue }
            for finding in found[index] {
                guard let record = subject.record(of: finding) else {
                    complete = false
                    continue
                }
                if carried?.changed.contains(record) == false { continue }
                subjects.append((record, finding))
            }
        }
        // A finding that names no record cannot be carried: the next delta then judges every record.
        try staging.keep(findings: subjects, basis: complete ? basis : "", onlyChanged: carried != nil)
    }

    /// A fresh path for a temporary staging database.
    public static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-staging-\(UUID().uuidString).sqlite").path
    }

    /// Removes an SQLite file and its journals.
    public static func remove(_ path: String) {
        for suffix in ["", "-journal", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
