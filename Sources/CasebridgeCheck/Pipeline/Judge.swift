import CasebridgeModel
import CasebridgeStore
import Foundation

/// What judging found: the findings document, each rule's seconds and the warnings about the export.
public struct Judgement: Sendable {
    public var document: FindingsDocument
    public var ruleSeconds: [(String, Double)]
    /// Seconds judging took from start to end (rules run two at a time: less than their sum).
    public var seconds: Double = 0
    /// Warnings about the export as a whole (an envelope value that failed), for stderr.
    public var warnings: [String]
    /// When a delta continued a kept staging and the rules that judge one record at a time ran over
    /// the records it changed alone (``CarriedFindings``): how many records (by kind and id) and family
    /// documents (by origin) that was.
    public var judgedChangedRecords: Int?
    /// The findings to keep in the staging for the next delta, when the judge was told to leave that to
    /// its caller (``Judge/defersKeeping``): ``Judge/keep(_:in:)`` writes them.
    public var findingsToKeep: FindingsToKeep?
}

/// The findings a judgement keeps in the staging for the next delta (``Judge/keepsFindings``), and how.
public struct FindingsToKeep: Sendable {
    var subjects: [(subject: RecordKey, finding: Finding)]
    /// What they were made with (empty when one names no record: the next delta then judges every record).
    var basis: String
    /// In place of the kept findings about the records the delta changed only (`temp.changed_record`).
    var onlyChanged: Bool
}

/// The second phase of `check` and `migrate`: every rule over a staged export.
///
/// With ``keepsFindings``, the findings of rules that judge one record at a time are kept in the
/// staging for the next delta; judging a delta that continues a staging which kept them on the same
/// basis, those rules run over the records it changed alone and the kept findings stand for the others.
public struct Judge {
    public var policy: Policy
    public var rules: [any IntegrityRule]
    /// The files of earlier exports by sequence, which findings about records carried from them name.
    public var sourceFiles: [Int: String] = [:]
    /// Keep findings in the staging for the next delta (a load that keeps its staging).
    public var keepsFindings = false
    /// Whether a delta is judged with the live state it changes (a migration), not on its own (a check).
    public var mergesDeltaWithState = false
    /// Leave writing the findings kept for the next delta to the caller (``keep(_:in:)``), so that judging
    /// only reads the staging (beside other readers: a load that reads it meanwhile); the staging lets
    /// other connections read it when judging ends (``StagingStore/shareForReading()``).
    public var defersKeeping = false
    /// Keep each rule's findings in a temporary file from the moment the rule ends until they are written
    /// (``FindingSpill``), not in memory: what `check` does, whose findings may be a hundred thousand.
    /// Not with ``keepsFindings``, whose kept findings are taken from those held.
    public var spillsFindings = false

    public init(policy: Policy, rules: [any IntegrityRule] = RuleRegistry.all) {
        self.policy = policy
        self.rules = rules
    }

    /// Runs every rule over `staged`.
    public func judge(_ staged: StagedExport) throws -> Judgement {
        let start = Date()
        let staging = staged.staging
        let context = RuleContext(staging: staging, export: staged.header, policy: policy, sourceFiles: sourceFiles)
        let basis = keepsFindings ? CarriedFindings.basis(policy: policy, rules: rules) : nil
        var carried: CarriedFindings.Carried?
        if let basis, let continuing = staged.continuing, let kept = try CarriedFindings.load(from: staging, basis: basis) {
            var named = Set<RecordKind>()
            for rule in rules { if case let .naming(kinds) = rule.subject { named.formUnion(kinds) } }
            let changed = try staging.markChanges(newFrom: continuing.ridOffset, naming: named)
            carried = CarriedFindings.Carried(kept: kept, changed: changed)
        }
        let spill = spillsFindings && basis == nil ? try FindingSpill() : nil
        var found: [[Finding]]
        let seconds: [Double]
        (found, seconds) = try staging.whileJudging { try findings(in: context, carried: carried, spill: spill) }
        let toKeep = basis.map { findingsToKeep(found, basis: $0, carried: carried) }
        if let toKeep, !defersKeeping { try staging.keep(findings: toKeep.subjects, basis: toKeep.basis, onlyChanged: toKeep.onlyChanged) }
        let counts = try staging.recordCounts()
        let recordCounts = Dictionary(uniqueKeysWithValues: staged.summary.kinds.map { ($0.rawValue, counts[$0] ?? 0) })
        let quarantined = try staging.quarantineCount().records
        let rulesRun = rules.map { $0.description.id }
        let document = if let spill {
            FindingsDocument(export: staged.header, recordCounts: recordCounts, quarantined: quarantined, spill: spill, rulesRun: rulesRun)
        } else {
            FindingsDocument(export: staged.header, recordCounts: recordCounts, quarantined: quarantined, findings: Self.joined(&found),
                             rulesRun: rulesRun)
        }
        if defersKeeping { try staging.shareForReading() }
        return Judgement(document: document, ruleSeconds: zip(rules, seconds).map { ($0.description.id, $1) },
                         seconds: Date().timeIntervalSince(start), warnings: warnings(staged),
                         judgedChangedRecords: carried?.changed.count, findingsToKeep: defersKeeping ? toKeep : nil)
    }

    /// Every rule's findings in one array, each rule's let go as it is added (a run with many findings
    /// holds them once, not twice).
    private static func joined(_ found: inout [[Finding]]) -> [Finding] {
        var all: [Finding] = []
        all.reserveCapacity(found.reduce(0) { $0 + $1.count })
        for index in found.indices {
            all.append(contentsOf: found[index])
            found[index] = []
        }
        return all
    }

    /// Keeps in `staging` the findings `judgement` left to keep (``defersKeeping``), on the connection that
    /// judged (whose temporary tables list what the delta changed).
    public func keep(_ judgement: Judgement, in staging: StagingStore) throws {
        guard let toKeep = judgement.findingsToKeep else { return }
        try staging.keep(findings: toKeep.subjects, basis: toKeep.basis, onlyChanged: toKeep.onlyChanged)
    }

    private func warnings(_ staged: StagedExport) -> [String] {
        var warnings = staged.summary.envelope.invalid.map {
            "export envelope: \($0.label) \($0.raw.map { "'\($0)' " } ?? "")\($0.reason)"
        }
        if staged.header.kind == "delta", !mergesDeltaWithState {
            warnings.append("this is a delta export, checked on its own: rules across records see only the records it holds "
                + "(a document's person, a family's other children may be in earlier exports); "
                + "`casebridge migrate --dry-run` checks it over the target's state")
        }
        if staged.header.asOf == nil {
            warnings.append("the export has no valid exportedAt, so rules that judge by the as-of date found nothing")
        }
        return warnings
    }

    /// Each rule's findings and seconds, in the rules' order. With `carried`, the rules that judge one
    /// record (or one family document's copies) at a time run over the records the delta changed (the
    /// copies of the documents it changed) alone, and the kept findings stand for the others.
    private func findings(in context: RuleContext, carried: CarriedFindings.Carried?,
                          spill: FindingSpill?) throws -> ([[Finding]], [Double]) {
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
        // The other rules over the whole staging, two at a time.
        let whole = rules.indices.filter { !judged.contains($0) }
        for (index, result) in try ConcurrentRules(rules: rules, context: context, spill: spill).run(whole) {
            found[index] = result.findings
            seconds[index] = result.seconds
        }
        return (found, seconds)
    }

    /// The findings of the rules with a subject to keep in the staging (those about changed records only,
    /// when `carried`: the others are kept already).
    private func findingsToKeep(_ found: [[Finding]], basis: String, carried: CarriedFindings.Carried?) -> FindingsToKeep {
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
        return FindingsToKeep(subjects: subjects, basis: complete ? basis : "", onlyChanged: carried != nil)
    }
}
