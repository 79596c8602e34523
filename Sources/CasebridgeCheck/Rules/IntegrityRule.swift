import CasebridgeModel
import CasebridgeStore

/// One integrity rule of `docs/rules.md`: a description that is its single source of truth,
/// and a query over the staged export.
///
/// A rule file reads top to bottom as spec, examples, query. Its examples run as tests.
public protocol IntegrityRule: Sendable {
    /// Id, severity, summary, key fields and the examples that must and must not trigger it.
    static var description: RuleDescription { get }

    init()

    /// Every finding of this rule in the staged export, each key at most once.
    func findings(in context: RuleContext) throws -> [Finding]

    /// What each finding is about, for a rule whose findings about one record depend on nothing else
    /// (see ``FindingSubject``); `nil` (the default) for a rule that reads across records or by the
    /// as-of date, which always runs over the whole state.
    static var subject: FindingSubject? { get }
}

extension IntegrityRule {
    /// The rule's description, from an instance.
    public var description: RuleDescription { Self.description }

    public static var subject: FindingSubject? { nil }

    /// The rule's ``IntegrityRule/subject``, from an instance.
    public var subject: FindingSubject? { Self.subject }
}

/// What a finding is about, for rules whose findings can be judged again for what a delta changed alone.
///
/// Each case says what a rule that declares it promises its findings depend on; never the as-of date.
/// A delta that continues the kept staging then runs the rule over what it changed alone, and keeps
/// the last run's findings about everything else (``CarriedFindings``).
public enum FindingSubject: Sendable {
    /// The record of `kind` whose id is the finding's key field `field` (`document`, `plan`): its
    /// findings depend only on the staged rows with that record's kind and id, the rows those own (a
    /// Document's Parts and Sections, a Plan's Outcomes), the invalid values reported on it, and the policy.
    case record(RecordKind, field: String)
    /// The record named by the key fields `recordKind` and `recordId`, with the same promise as ``record(_:field:)``.
    case namedByKey
    /// The record named by the key fields `recordKind` and `recordId`, judged by what it names: its
    /// findings depend on that record and on which ids the staged records of `kinds` hold (read whole),
    /// never on what those records say (``StagingStore/markChanges(newFrom:naming:)`` adds the records
    /// naming an id that appeared or went).
    case naming([RecordKind])
    /// The family document whose copies the finding is about: its key or context field `origin`. Its
    /// findings about an origin depend only on the Documents with that origin, the Members of the
    /// families those name, whether the Persons those Members name exist and are quarantined (not what
    /// else they hold), and the policy (``StagingStore/markChanges(newFrom:)``
    /// lists the origins to judge again).
    case familyDocument

    /// The kind and id of the record `finding` is about (for a family document, its origin under
    /// ``StagingStore/changedOrigin``).
    func record(of finding: Finding) -> RecordKey? {
        switch self {
        case let .record(kind, field):
            return finding.key.first { $0.name == field }.map { RecordKey(kind: kind.rawValue, id: $0.value) }
        case .namedByKey, .naming:
            guard let kind = finding.key.first(where: { $0.name == "recordKind" })?.value,
                  let id = finding.key.first(where: { $0.name == "recordId" })?.value else { return nil }
            return RecordKey(kind: kind, id: id)
        case .familyDocument:
            return finding[field: "origin"].map { RecordKey(kind: StagingStore.changedOrigin, id: $0) }
        }
    }

    /// Which staged records the rule reads when it judges what a delta changed.
    var narrowing: StagingStore.Narrowing {
        switch self {
        case .record, .namedByKey: return .records(keepingWhole: [])
        case let .naming(kinds): return .records(keepingWhole: kinds)
        case .familyDocument: return .familyDocuments
        }
    }
}

/// What a rule says of its gaps, in three voices: exactly when it finds one (`casebridge rules`, the
/// check's CSV), what the gap is in plain words without ids (the director's report), and what a team
/// does to close one, with the real ids (the teams' worklists).
public struct RuleWording: Sendable {
    /// One sentence: when the rule finds a gap.
    public var summary: String
    /// The gap in plain words, without ids.
    public var gap: String
    /// What to do about one gap: one sentence naming its ids.
    public var action: @Sendable (GapFacts) -> String

    public init(summary: String, gap: String, action: @escaping @Sendable (GapFacts) -> String) {
        self.summary = summary
        self.gap = gap
        self.action = action
    }
}

/// What an action sentence may name of one gap, as the target stored its finding.
public struct GapFacts: Sendable {
    /// The child whose record holds the gap, or "the child".
    public var child: String
    /// The document it concerns, or "the document".
    public var document: String
    /// The UK date of the event the gap concerns (a document's event, a plan's review), if known.
    public var date: String?
    /// The record it concerns, as `Kind id` ("record" when unknown).
    public var record: String
    /// The finding's key and context fields by name.
    public var fields: [String: String]
    /// The finding's own sentence.
    public var message: String

    /// The facts of a gap about `child`'s `document` (each `nil` when not known), dated `date`, about the
    /// record of `record.kind` and `record.id`, with the finding's `fields` and `message`.
    public init(child: String?, document: String?, date: CivilDate?, record: (kind: String?, id: String?),
                fields: [String: String], message: String) {
        self.child = child ?? "the child"
        self.document = document ?? fields["document"] ?? "the document"
        self.date = date?.uk
        self.record = "\(record.kind ?? "record") \(record.id ?? "")".trimmingCharacters(in: .whitespaces)
        self.fields = fields
        self.message = message
    }

    /// The field `name`, or nothing.
    public subscript(field name: String) -> String { fields[name] ?? "" }
}

/// What a rule is: the facts `casebridge rules` prints, the words reports use, and the examples the tests run.
public struct RuleDescription: Sendable {
    /// The stable id, the `rule` field of a finding.
    public var id: String
    public var severity: Severity
    /// What the rule says of its gaps.
    public var wording: RuleWording
    /// One sentence: when the rule finds a gap.
    public var summary: String { wording.summary }
    /// The key fields of its findings, in order (`recordKind`, `recordId`, `field`).
    public var keyFields: [String]
    /// Small exports on which it must find exactly the listed keys.
    public var triggering: [RuleExample]
    /// Small exports on which it must find nothing.
    public var nonTriggering: [RuleExample]

    public init(id: String, severity: Severity, keyFields: [String], wording: RuleWording,
                triggering: [RuleExample], nonTriggering: [RuleExample]) {
        self.id = id
        self.severity = severity
        self.wording = wording
        self.keyFields = keyFields
        self.triggering = triggering
        self.nonTriggering = nonTriggering
    }
}

/// A small export in the reference format and the keys a rule must find in it.
public struct RuleExample: Sendable {
    /// What the example shows, in words; it names the test.
    public var note: String
    /// The export's sections (`<People>…</People><Documents>…</Documents>`), without the envelope.
    public var sections: String
    /// The key values of each finding expected, in any order; empty for a non-triggering example.
    public var expected: [[String]]
    /// Files beside the export, for `href` parts: relative path → content.
    public var files: [String: [UInt8]]
    /// The envelope's `exportedAt`.
    public var exportedAt: String

    public init(_ note: String, _ sections: String, expect expected: [[String]] = [],
                files: [String: [UInt8]] = [:], exportedAt: String = "2019-09-02T23:10:00Z") {
        self.note = note
        self.sections = sections
        self.expected = expected
        self.files = files
        self.exportedAt = exportedAt
    }
}

/// What a rule may look at: the staged export and its envelope.
public struct RuleContext {
    public let staging: StagingStore
    public let export: ExportHeader
    public let policy: Policy
    /// The files of earlier exports by sequence, for records a delta load carried over from them.
    public let sourceFiles: [Int: String]

    public init(staging: StagingStore, export: ExportHeader, policy: Policy, sourceFiles: [Int: String] = [:]) {
        self.staging = staging
        self.export = export
        self.policy = policy
        self.sourceFiles = sourceFiles
        database = staging.database
    }

    /// The same context, its rules' queries run through `database` (another connection to the same
    /// staging file, for rules run beside each other).
    func reading(through database: Database) -> RuleContext {
        var context = self
        context.database = database
        return context
    }

    /// The as-of date as SQL text, or `nil` when the export's `exportedAt` is missing or invalid
    /// (rules that need it then find nothing, and check warns).
    public var asOf: String? { export.asOf?.iso }

    /// The staging database: the staging's own connection, or another one to the same file.
    public private(set) var database: Database

    /// Where a record was read, from its staged location (``RecordLocation``): a line of this export,
    /// or of the earlier export a carried record came from.
    public func source(line location: Int?) -> SourceLocation? {
        guard let location else { return nil }
        let place = RecordLocation.place(location, file: export.file, sequence: export.sequence, earlierFiles: sourceFiles)
        return SourceLocation(file: place.file, line: place.line)
    }

    /// Where the records a finding stands for were read, from their staged locations as SQL's
    /// `group_concat(line)` lists them (`"12,40,77"`): the first (in file order) as the finding's line,
    /// and, when there are more than one, every line in the same file as ``SourceLocation/lines``.
    public func source(locations list: String?) -> SourceLocation? {
        let locations = (list ?? "").split(separator: ",").compactMap { Int($0) }
        let places = locations.sorted().map {
            RecordLocation.place($0, file: export.file, sequence: export.sequence, earlierFiles: sourceFiles)
        }
        // This export's records first, then those of earlier exports by sequence.
        let current = places.filter { $0.file == export.file }
        guard let first = current.first ?? places.first else { return nil }
        let lines = places.filter { $0.file == first.file }.map(\.line)
        return SourceLocation(file: first.file, line: first.line, lines: lines.count > 1 ? lines : [])
    }

    /// The lines `source` lists, for a finding's message: "lines 12, 40, 77", at most `limit` of them
    /// and how many more; `nil` for a finding of one record.
    public static func linesPhrase(_ source: SourceLocation?, limit: Int = 10) -> String? {
        guard let lines = source?.lines, lines.count > 1 else { return nil }
        let shown = lines.prefix(limit).map(String.init).joined(separator: ", ")
        return "lines " + shown + (lines.count > limit ? " and \(lines.count - limit) more" : "")
    }
}

/// Context fields that findings about a child's record (a document, a plan) carry.
enum RecordContext {
    static func fields(child: String?, family: String? = nil) -> [FindingField] {
        var fields: [FindingField] = []
        if let child { fields.append(FindingField("child", child)) }
        if let family { fields.append(FindingField("family", family)) }
        return fields
    }
}
