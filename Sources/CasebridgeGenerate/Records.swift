import CasebridgeModel

// The records of one household as they will be written: attribute and element values are final
// strings (a defect is applied by changing them), text is already XML-escaped.

struct TeamRecord {
    let id: String
    let name: String
}

struct WorkerRecord {
    let id: String
    let team: String
    let name: String
    let role: String
}

struct StatusRecord {
    let code: String
    let from: CivilDate
    let to: CivilDate?
}

struct AllocationRecord {
    let team: String
    let worker: String
    let from: CivilDate
}

struct PersonRecord {
    var id: String
    var kind: String
    var forename: String
    var surname: String
    var birthDate: String?
    var gender: String
    var ethnicity: String
    var allocation: AllocationRecord?
    var statuses: [StatusRecord]
    var lastModified: String
    var defect: PersonDefect?
    /// For a visit defect: whether the child ends up overdue a visit.
    var visitOverdue = false
}

struct MemberRecord {
    var person: String
    let role: String
    let from: CivilDate
    let to: CivilDate?
    var eligible = false
    var defect: MemberDefect?

    /// Whether this is a `role="child"` member whose interval holds `date`.
    func isChild(on date: CivilDate) -> Bool {
        role == "child" && from <= date && (to.map { date <= $0 } ?? true)
    }
}

struct FamilyRecord {
    let id: String
    let name: String
    var members: [MemberRecord]
}

/// How a part's content is written.
enum PartBody: Equatable {
    /// Base64 text with `encoding="base64"`, on one line or wrapped at 76 columns.
    case inline(wrapped: Bool)
    /// Base64 text without an `encoding` attribute.
    case inlineWithoutEncoding
    /// Base64 text with a `*` in the middle.
    case inlineCorrupt
    /// An `href` to `attachments/DOCUMENT-SEQ.EXT`, a file written beside the export.
    case attachment
    /// An `href` to `attachments/DOCUMENT-SEQ-unsent.EXT`, a file never written.
    case missingAttachment
    /// This literal `href`; nothing is written.
    case href(String)

    var isInline: Bool {
        switch self {
        case .inline, .inlineWithoutEncoding, .inlineCorrupt: return true
        default: return false
        }
    }
}

struct PartRecord {
    var seq: String
    /// Index of the content in the pool.
    var blob: Int
    var bytes: String
    var sha256: String
    var body: PartBody
}

struct ManifestRecord {
    var parts: String
    var bytes: String
    var sha256: String
}

struct SectionRecord {
    let name: String
    /// XML text, or the raw text of a CDATA section.
    let text: String
    let cdata: Bool
}

struct DocumentRecord {
    /// Index within the household; the id is `D-` and the export-wide number.
    var local: Int
    var person: String
    var type: String
    var scope: String
    var family: String?
    /// Index of the household's origin this copy belongs to (family scope).
    var origin: Int?
    var version: String?
    var title: String
    var date: CivilDate
    var recordedAt: String
    var uploadedAt: String?
    var author: String
    var manifest: ManifestRecord?
    var parts: [PartRecord]
    var sections: [SectionRecord]
    var eligible = false
    var defect: DocumentDefect?
    /// What exactly the defect did, in words, for the finding's message.
    var defectNote = ""
    /// The second record of a duplicated id: written right after the first, no finding of its own.
    var isDuplicate = false
    /// Family scope: whether this is the first copy of its origin in file order, and how many copies it has.
    var firstOfOrigin = false
    var copies = 0
    /// A copy left out of the export ("only partial uploading"): counted, never written.
    var notWritten = false

    /// Whether a checker quarantines this record: the twin of a duplicated id, or a defect that quarantines.
    var isQuarantined: Bool { isDuplicate || (defect?.quarantines ?? 0) > 0 }

    /// The records in quarantine when this document is (``QuarantineCount``): itself, its parts and its sections.
    var recordsInQuarantine: Int { 1 + parts.count + sections.count }
}

struct OutcomeRecord {
    let id: String
    /// nil: no attribute; may be blank.
    var targetDate: String?
    let text: String
}

struct ActionRecord {
    let id: String
    let owner: String
    let due: CivilDate
    let text: String
}

struct PlanRecord {
    var local: Int
    var person: String
    let type: String
    let start: CivilDate
    var end: CivilDate?
    var reviewDue: String?
    var outcomes: [OutcomeRecord]
    let actions: [ActionRecord]
    var eligible = false
    var defect: PlanDefect?
}

struct VisitRecord {
    var local: Int
    var person: String
    var date: String
    var seenAlone: String
    let worker: String
    /// The child's latest visit, which `visit-overdue` may depend on: only defects that leave it
    /// counting may land on it.
    let isLatest: Bool
    var eligible = false
    var defect: VisitDefect?
    var isDuplicate = false
}

/// How ids are spelled. Person numbers are padded to 6 digits, or 7 once the export is large
/// enough for a 6-digit number to reach 900000: the `C-9xxxxx` / `A-9xxxxx` ids that orphan
/// defects point at never name a real person either way.
struct IdScheme {
    let personWidth: Int

    init(families: Int) {
        personWidth = families * Household.childSlots >= 900_000 ? 7 : 6
    }

    func child(unit: Int, slot: Int) -> String {
        "C-" + padded(unit * Household.childSlots + slot + 1, personWidth)
    }

    func adult(unit: Int, slot: Int) -> String {
        "A-" + padded(unit * Household.adultSlots + slot + 1, personWidth)
    }

    static func family(unit: Int) -> String { "F-" + padded(unit + 1, 6) }
    static func document(_ n: Int) -> String { "D-" + padded(n, 7) }
    static func plan(_ n: Int) -> String { "PL-" + padded(n, 6) }
    static func visit(_ n: Int) -> String { "V-" + padded(n, 7) }
    static func origin(_ n: Int, on date: CivilDate) -> String {
        "EV-\(padded(date.year, 4))\(padded(date.month, 2))\(padded(date.day, 2))-\(padded(n, 4))"
    }

    /// A person id that no person of the export has.
    static func missingChild(_ n: Int) -> String { "C-9" + padded(n % 100_000, 5) }
    static func missingAdult(_ n: Int) -> String { "A-9" + padded(n % 100_000, 5) }
}

/// The dates every household keeps to, so that the clean base breaks no rule on the as-of date.
enum Calendar2019 {
    static let asOf = GeneratorOptions.asOf
    /// The last day an event may fall on: the day before the as-of date.
    static let lastEvent = CivilDate(year: 2019, month: 9, day: 2)
    static let firstEvent = CivilDate(year: 2015, month: 1, day: 5)
    /// No status starts after this, so every open status has a visit on or after its start.
    static let latestStatusStart = CivilDate(year: 2019, month: 8, day: 20)
    /// Routine visits stop here; an open status's last visit falls in ``recentVisits``.
    static let lastRoutineVisit = CivilDate(year: 2019, month: 8, day: 27)
    /// Within five calendar days of the as-of date: at most three working days before it.
    static let recentVisits = CivilDate(year: 2019, month: 8, day: 29)...lastEvent
}

extension CivilDate {
    static func + (date: CivilDate, days: Int) -> CivilDate { date.adding(days: days) }
    static func - (date: CivilDate, days: Int) -> CivilDate { date.adding(days: -days) }
}

/// `yyyy-MM-ddTHH:mm:ssZ`.
func timestamp(_ date: CivilDate, _ hour: Int, _ minute: Int, _ second: Int) -> String {
    "\(date.iso)T\(padded(hour, 2)):\(padded(minute, 2)):\(padded(second, 2))Z"
}
