import CasebridgeModel
import Foundation

// The defects the generator plants, one enum per kind of record they land on.
//
// Each case says where it may land (`applies(to:)`), what it changes (`apply`), which findings a
// correct checker must then report (`findings`), and how many records it quarantines. A record
// takes at most one defect, and every defect is designed against all fourteen rules so that it
// causes exactly the findings listed and nothing else.
//
// Adding a defect is one case here plus its four answers. Defects on family-scope copies change the
// copy only; family-document-missing and replica-diverges are then judged once per origin, from all
// its copies as written (`ExportWriter.originFindings`), so that defects on two copies of one origin
// add up as the rules say. Some cases are boundaries that must produce no finding (an upload exactly
// at its limit, a review due on the as-of date).

/// The expected findings, built as the contract spells them.
enum Expect {
    static let file = "export.xml"

    static func source(_ line: Int) -> SourceLocation { SourceLocation(file: file, line: line) }

    static func notUploaded(_ document: String, line: Int) -> Finding {
        Finding(rule: "document-not-uploaded", severity: .critical, key: [FindingField("document", document)],
                message: "\(document) has no UploadedAt: the document was never uploaded",
                source: source(line))
    }

    static func incomplete(_ document: String, _ why: String, line: Int) -> Finding {
        Finding(rule: "document-incomplete", severity: .critical, key: [FindingField("document", document)],
                message: "\(document) was uploaded incomplete: \(why)", source: source(line))
    }

    static func orphan(_ kind: RecordKind, _ id: String, person: String, line: Int) -> Finding {
        Finding(rule: "orphan-reference", severity: .high,
                key: [FindingField("recordKind", kind.rawValue), FindingField("recordId", id)],
                message: "\(kind.rawValue) \(id) names person \(person), who is not in the export",
                source: source(line))
    }

    static func duplicate(_ kind: RecordKind, _ id: String, line: Int) -> Finding {
        Finding(rule: "duplicate-id", severity: .critical,
                key: [FindingField("recordKind", kind.rawValue), FindingField("recordId", id)],
                message: "two \(kind.rawValue) records share the id \(id); both are quarantined",
                source: source(line))
    }

    static func invalid(_ kind: RecordKind, _ id: String, _ field: String, _ why: String, line: Int) -> Finding {
        Finding(rule: "invalid-value", severity: .high,
                key: [FindingField("recordKind", kind.rawValue), FindingField("recordId", id),
                      FindingField("field", field)],
                message: "\(kind.rawValue) \(id): \(field) \(why)", source: source(line))
    }

    static func familyDocumentMissing(origin: String, child: String, family: String, type: String,
                                      date: CivilDate, line: Int) -> Finding {
        Finding(rule: "family-document-missing", severity: .critical,
                key: [FindingField("origin", origin), FindingField("child", child)],
                context: [FindingField("family", family)],
                message: "\(child) was in \(family) on \(date.uk) but holds no copy of \(type) \(origin)",
                source: source(line))
    }

    static func replicaDiverges(_ document: String, origin: String, _ why: String, line: Int) -> Finding {
        Finding(rule: "replica-diverges", severity: .high, key: [FindingField("document", document)],
                message: "\(document) is a copy of \(origin) that \(why)", source: source(line))
    }

    static func lateUpload(_ document: String, type: String, event: CivilDate, uploaded: CivilDate, days: Int,
                           line: Int) -> Finding {
        Finding(rule: "late-upload", severity: .high, key: [FindingField("document", document)],
                message: "\(document) (\(type), event \(event.uk)) was uploaded on \(uploaded.uk), "
                    + "\(days) working days later; the limit is \(Policy.uploadLimit[type]!)",
                source: source(line))
    }

    static func visitOverdue(_ child: String, line: Int) -> Finding {
        Finding(rule: "visit-overdue", severity: .high, key: [FindingField("child", child)],
                message: "\(child) has an open status and has not been visited within its limit of working days",
                source: source(line))
    }

    static func childsVoiceMissing(_ document: String, type: String, line: Int) -> Finding {
        Finding(rule: "childs-voice-missing", severity: .high, key: [FindingField("document", document)],
                message: "\(document) (\(type)) has no ChildsVoice section with text", source: source(line))
    }

    static func sectionMissing(_ document: String, _ section: String, type: String, line: Int) -> Finding {
        Finding(rule: "required-section-missing", severity: .medium,
                key: [FindingField("document", document), FindingField("section", section)],
                message: "\(document) (\(type)) has no \(section) section with text", source: source(line))
    }

    static func planWithoutOutcomes(_ plan: String, line: Int) -> Finding {
        Finding(rule: "plan-without-outcomes", severity: .high, key: [FindingField("plan", plan)],
                message: "\(plan) has no outcomes", source: source(line))
    }

    static func outcomeNotTimebound(_ plan: String, _ outcome: String, line: Int) -> Finding {
        Finding(rule: "outcome-not-timebound", severity: .medium,
                key: [FindingField("plan", plan), FindingField("outcome", outcome)],
                message: "outcome \(outcome) of \(plan) has no target date", source: source(line))
    }

    static func planReviewOverdue(_ plan: String, due: String, line: Int) -> Finding {
        Finding(rule: "plan-review-overdue", severity: .medium, key: [FindingField("plan", plan)],
                message: "\(plan) is open and its review was due on \(due)", source: source(line))
    }

    /// The section findings of a document as it stands (no finding when every required section has text).
    static func sections(_ d: DocumentRecord, id: String, line: Int) -> [Finding] {
        func has(_ name: String) -> Bool { d.sections.contains { $0.name == name && !Policy.isBlank($0.text) } }
        var out: [Finding] = []
        if Policy.childsVoice.contains(d.type), !has("ChildsVoice") { out.append(childsVoiceMissing(id, type: d.type, line: line)) }
        for name in Policy.otherSections[d.type] ?? [] where !has(name) {
            out.append(sectionMissing(id, name, type: d.type, line: line))
        }
        return out
    }

    /// "is "X", which is not <expectation>".
    static func not(_ value: String, _ format: ValueFormat) -> String {
        "is \"\(value)\", which is not \(format.expectation)"
    }

    static func notCode(_ value: String, _ codes: String) -> String {
        "is \"\(value)\", which is not one of \(codes)"
    }
}

// MARK: - Person

enum PersonDefect: CaseIterable {
    case birthDateNotADate, genderNotACode, ethnicityNotACode, lastModifiedWithoutZone
    /// visit-overdue, on a child with a status open on the as-of date: visits stop one or more
    /// working days beyond the limit; stop exactly at the limit (no finding); or none since the
    /// status began (a finding when the status is older than its limit).
    case visitsStopped, visitsStoppedAtLimit, noVisitSinceStatusStart

    var isVisitDefect: Bool { self == .visitsStopped || self == .visitsStoppedAtLimit || self == .noVisitSinceStatusStart }

    /// The status open on the as-of date (the generator gives a child at most one).
    static func openStatus(_ person: PersonRecord) -> StatusRecord? {
        let asOf = Calendar2019.asOf
        return person.statuses.first { $0.from <= asOf && ($0.to.map { $0 >= asOf } ?? true) }
    }

    func applies(to person: PersonRecord) -> Bool {
        switch self {
        case .birthDateNotADate: return person.birthDate != nil
        case .visitsStopped, .visitsStoppedAtLimit, .noVisitSinceStatusStart:
            guard let open = Self.openStatus(person) else { return false }
            let span = WorkCalendar.workingDays(open.from, Calendar2019.asOf)
            let limit = Policy.visitLimit[open.code]!
            switch self {
            case .visitsStopped: return span > limit
            case .visitsStoppedAtLimit: return span >= limit
            default: return true
            }
        default: return true
        }
    }

    /// The child's visit dates once the defect is applied (ascending, as many as before).
    func visits(_ visits: [CivilDate], person: PersonRecord, rng: inout Xoshiro256StarStar) -> [CivilDate] {
        let open = Self.openStatus(person)!
        let asOf = Calendar2019.asOf
        let limit = Policy.visitLimit[open.code]!
        let span = WorkCalendar.workingDays(open.from, asOf)
        switch self {
        case .noVisitSinceStatusStart:
            return visits.map { $0 >= open.from ? open.from - 1 : $0 }
        default:
            let target = self == .visitsStoppedAtLimit
                ? limit
                : min(span, rng.chance(0.5) ? limit + 1 : limit + rng.int(2...15))
            // Any day (weekends and holidays too) that many working days before the as-of date.
            var candidates: [CivilDate] = []
            var day = asOf
            while day >= open.from {
                let n = WorkCalendar.workingDays(day, asOf)
                if n == target { candidates.append(day) }
                if n > target { break }
                day = day - 1
            }
            let last = rng.pick(candidates)
            return visits.map { min($0, last) }
        }
    }

    func apply(to person: inout PersonRecord) {
        switch self {
        case .birthDateNotADate:
            // 30 February of the year the person was born.
            person.birthDate = String(person.birthDate!.prefix(4)) + "-02-30"
        case .genderNotACode: person.gender = "3"
        case .ethnicityNotACode: person.ethnicity = "XXXX"
        case .lastModifiedWithoutZone: person.lastModified.removeLast()
        case .visitsStopped, .visitsStoppedAtLimit, .noVisitSinceStatusStart: break  // see visits(_:person:rng:)
        }
    }

    func findings(_ person: PersonRecord, line: Int) -> [Finding] {
        switch self {
        case .birthDateNotADate:
            return [Expect.invalid(.person, person.id, "BirthDate", Expect.not(person.birthDate!, .isoDate), line: line)]
        case .genderNotACode:
            return [Expect.invalid(.person, person.id, "Gender", Expect.notCode(person.gender, "0, 1, 2, 9"), line: line)]
        case .ethnicityNotACode:
            return [Expect.invalid(.person, person.id, "Ethnicity",
                                   Expect.notCode(person.ethnicity, "the DfE ethnicity codes"), line: line)]
        case .lastModifiedWithoutZone:
            return [Expect.invalid(.person, person.id, "LastModified", Expect.not(person.lastModified, .utcTimestamp), line: line)]
        case .visitsStopped, .visitsStoppedAtLimit, .noVisitSinceStatusStart:
            return person.visitOverdue ? [Expect.visitOverdue(person.id, line: line)] : []
        }
    }

    var quarantines: Int { 0 }
}

// MARK: - Member

enum MemberDefect: CaseIterable {
    /// A parent or other adult member who is not a Person of the export.
    case missingPerson

    func applies(to member: MemberRecord) -> Bool {
        member.role == "parent" || member.role == "other"
    }

    /// `index` keeps two such members of one family apart (their ids are `FAMILY/PERSON`).
    func apply(to member: inout MemberRecord, unit: Int, index: Int) {
        member.person = IdScheme.missingAdult(unit * Household.adultSlots * 4 + index)
    }

    func findings(_ member: MemberRecord, family: String, line: Int) -> [Finding] {
        [Expect.orphan(.member, "\(family)/\(member.person)", person: member.person, line: line)]
    }

    var quarantines: Int { 0 }
}

// MARK: - Document

enum DocumentDefect: CaseIterable {
    case notUploaded
    // document-incomplete, each a different way
    case manifestPartsWrong, partBytesWrong, partShaWrong, base64Broken, hrefMissingFile,
         hrefParentFolder, hrefAbsolute, manifestBytesWrong, manifestShaWrong, seqRepeated,
         inlineWithoutEncoding, manifestMissing, partShaNotHex
    case missingPerson
    case duplicateId
    case recordedAtWithSpace
    case typeNotACode
    // late-upload: over the limit, and on it (no finding), by day and at 23:30 UTC.
    case uploadedOneDayLate, uploadedDaysLate, uploadedLateAtNight, uploadedAtLimit, uploadedAtLimitAtNight
    // childs-voice-missing and required-section-missing.
    case childsVoiceDropped, childsVoiceBlank, sectionDropped, sectionBlank
    // family-scope copies only: family-document-missing and replica-diverges.
    case copyNotWritten, staleVersion, divergentContent

    /// Defects that take a record out of the export or into quarantine: never on the first copy
    /// of an origin, so that every origin keeps a copy and its first copy in file order is a live one.
    var removesRecord: Bool { self == .copyNotWritten || quarantines > 0 }

    func applies(to document: DocumentRecord) -> Bool {
        let family = document.scope == "family"
        if family, removesRecord, document.firstOfOrigin { return false }
        switch self {
        case .uploadedOneDayLate, .uploadedDaysLate, .uploadedLateAtNight, .uploadedAtLimit, .uploadedAtLimitAtNight:
            return Self.upload(self, for: document) != nil
        case .childsVoiceDropped, .childsVoiceBlank:
            return Policy.childsVoice.contains(document.type) && document.sections.contains { $0.name == "ChildsVoice" }
        case .sectionDropped, .sectionBlank:
            return Policy.otherSections[document.type] != nil
        case .copyNotWritten: return family
        case .staleVersion: return family && (Int(document.version ?? "1") ?? 1) >= 2 && document.copies >= 2
        case .divergentContent: return family && document.copies >= 2
        default: return true
        }
    }

    /// The UTC date, hour and minute of a late (or just on time) upload of `d`, or nil when it would
    /// fall after the export. Daytime uploads are between 08:00 and 17:59 UTC, so their London date
    /// is their UTC date.
    static func upload(_ defect: DocumentDefect, for d: DocumentRecord) -> (date: CivilDate, night: Bool)? {
        let limit = Policy.uploadLimit[d.type]!
        let over = WorkCalendar.workingDay(limit + 1, after: d.date)
        let lastOnTime = over - 1
        let target: CivilDate
        var night = false
        switch defect {
        case .uploadedOneDayLate: target = over
        case .uploadedDaysLate: target = WorkCalendar.workingDay(limit + 4, after: d.date)
        case .uploadedAtLimit: target = lastOnTime
        case .uploadedLateAtNight:
            // 23:30 UTC the day before, in summer time: already the next day in London.
            guard WorkCalendar.isSummerTime(over - 1, hour: 23, minute: 30) else { return nil }
            target = over - 1
            night = true
        case .uploadedAtLimitAtNight:
            // 23:30 UTC whose London date is the last day on time.
            night = true
            if WorkCalendar.isSummerTime(lastOnTime - 1, hour: 23, minute: 30) {
                target = lastOnTime - 1
            } else if !WorkCalendar.isSummerTime(lastOnTime, hour: 23, minute: 30) {
                target = lastOnTime
            } else {
                return nil
            }
        default: return nil
        }
        // Never after the export (2019-09-02T23:10:00Z), never before the event.
        guard target >= d.date, night ? target < Calendar2019.lastEvent : target <= Calendar2019.lastEvent else { return nil }
        return (target, night)
    }

    /// Changes `document`; returns words for the finding's message. `duplicateId` is applied by the
    /// document section, which writes a second document with the same id.
    func apply(to d: inout DocumentRecord, pool: ContentPool, rng: inout Xoshiro256StarStar) -> String {
        func partIndex() -> Int { rng.below(d.parts.count) }
        func inlinePart() -> Int {
            if let i = d.parts.firstIndex(where: { $0.body.isInline }) { return i }
            d.parts[0].body = .inline(wrapped: false)
            return 0
        }
        switch self {
        case .notUploaded:
            d.uploadedAt = nil
            d.manifest = nil
            d.parts = []
            return ""
        case .manifestPartsWrong:
            let declared = d.parts.count + 1
            d.manifest!.parts = String(declared)
            return "Manifest declares \(declared) parts but the document holds \(d.parts.count)"
        case .partBytesWrong:
            let i = partIndex()
            let actual = Int(d.parts[i].bytes)!
            let declared = actual + rng.int(1...512)
            d.parts[i].bytes = String(declared)
            return "part \(d.parts[i].seq) declares \(declared) bytes but holds \(actual)"
        case .partShaWrong:
            let i = partIndex()
            d.parts[i].sha256 = rng.hex64()
            return "part \(d.parts[i].seq)'s content does not match its sha256"
        case .base64Broken:
            let i = inlinePart()
            d.parts[i].body = .inlineCorrupt
            return "part \(d.parts[i].seq)'s base64 does not decode"
        case .hrefMissingFile:
            let i = partIndex()
            d.parts[i].body = .missingAttachment
            return "part \(d.parts[i].seq)'s href names a file that is not in attachments/"
        case .hrefParentFolder:
            let i = partIndex()
            d.parts[i].body = .href("../outside.bin")
            return "part \(d.parts[i].seq)'s href ../outside.bin leads out of the export's folder"
        case .hrefAbsolute:
            let i = partIndex()
            d.parts[i].body = .href("/etc/hostname")
            return "part \(d.parts[i].seq)'s href /etc/hostname is an absolute path"
        case .manifestBytesWrong:
            let actual = Int(d.manifest!.bytes)!
            let declared = actual + rng.int(1...4096)
            d.manifest!.bytes = String(declared)
            return "its parts hold \(actual) bytes but Manifest declares \(declared)"
        case .manifestShaWrong:
            d.manifest!.sha256 = rng.hex64()
            return "the SHA-256 of its parts does not match Manifest@sha256"
        case .seqRepeated:
            if d.parts.count < 2 {
                let blob = rng.below(pool.count)
                d.parts.append(PartRecord(
                    seq: "2", blob: blob, bytes: String(pool[blob].raw.count), sha256: pool[blob].sha256,
                    body: .inline(wrapped: false)))
                d.manifest = DocumentFactory.manifest(of: d.parts, pool: pool)
            }
            let last = d.parts.count - 1
            d.parts[last].seq = d.parts[last - 1].seq
            return "seq \(d.parts[last].seq) is used by two parts"
        case .inlineWithoutEncoding:
            let i = inlinePart()
            d.parts[i].body = .inlineWithoutEncoding
            return "part \(d.parts[i].seq) holds inline text without encoding=\"base64\""
        case .manifestMissing:
            d.manifest = nil
            return "it has UploadedAt but no Manifest"
        case .partShaNotHex:
            let i = partIndex()
            var upper = d.parts[i].sha256.uppercased()
            if upper == d.parts[i].sha256 { upper.removeLast() }  // all digits: make it 63 long instead
            d.parts[i].sha256 = upper
            return "part \(d.parts[i].seq)'s sha256 is not a SHA-256 digest, so its content cannot be checked"
        case .missingPerson:
            d.person = IdScheme.missingChild(rng.below(100_000))
            return ""
        case .duplicateId:
            return ""
        case .recordedAtWithSpace:
            d.recordedAt = d.recordedAt.replacingOccurrences(of: "T", with: " ")
            return ""
        case .typeNotACode:
            d.type = "XYZ"
            return ""
        case .uploadedOneDayLate, .uploadedDaysLate, .uploadedLateAtNight, .uploadedAtLimit, .uploadedAtLimitAtNight:
            let (date, night) = Self.upload(self, for: d)!
            d.uploadedAt = night
                ? timestamp(date, 23, 30, rng.int(0...59))
                : timestamp(date, rng.int(8...17), rng.int(0...59), rng.int(0...59))
            return ""
        case .childsVoiceDropped:
            d.sections.removeAll { $0.name == "ChildsVoice" }
            return ""
        case .childsVoiceBlank:
            let blank = Self.blank(&rng)
            for i in d.sections.indices where d.sections[i].name == "ChildsVoice" { d.sections[i] = SectionRecord(name: "ChildsVoice", text: blank.text, cdata: blank.cdata) }
            return ""
        case .sectionDropped, .sectionBlank:
            let names = Policy.otherSections[d.type]!
            // SUPERV: one of its two sections, or both.
            let chosen = names.count > 1 && rng.chance(0.3) ? names : [rng.pick(names)]
            if self == .sectionDropped {
                d.sections.removeAll { chosen.contains($0.name) }
            } else {
                let blank = Self.blank(&rng)
                for i in d.sections.indices where chosen.contains(d.sections[i].name) {
                    d.sections[i] = SectionRecord(name: d.sections[i].name, text: blank.text, cdata: blank.cdata)
                }
            }
            return ""
        case .copyNotWritten:
            d.notWritten = true
            return ""
        case .staleVersion:
            // An older issue: a lower version (sometimes by default, with no attribute), other content.
            let version = Int(d.version ?? "1")! - 1
            d.version = version == 1 && rng.chance(0.5) ? nil : String(version)
            Self.replaceContent(&d, pool: pool, rng: &rng)
            return ""
        case .divergentContent:
            Self.replaceContent(&d, pool: pool, rng: &rng)
            return ""
        }
    }

    /// Whitespace-only text, written literally (never as character references, never across lines).
    static func blank(_ rng: inout Xoshiro256StarStar) -> (text: String, cdata: Bool) {
        let texts = ["", " ", "   ", "\t", " \t "]
        return (rng.pick(texts), rng.chance(0.25))
    }

    /// New parts with a Manifest that describes them, whose digest differs from the old one.
    static func replaceContent(_ d: inout DocumentRecord, pool: ContentPool, rng: inout Xoshiro256StarStar) {
        let old = d.manifest?.sha256
        repeat {
            let count = 1 + rng.below(3)
            d.parts = (1...count).map { seq in
                let blob = rng.below(pool.count)
                return PartRecord(seq: String(seq), blob: blob, bytes: String(pool[blob].raw.count),
                                  sha256: pool[blob].sha256, body: .inline(wrapped: false))
            }
            d.manifest = DocumentFactory.manifest(of: d.parts, pool: pool)
        } while d.manifest?.sha256 == old
    }

    /// `id` and `origin` are the ids the document was written with (origin for family scope).
    func findings(_ d: DocumentRecord, id: String, origin: String?, line: Int) -> [Finding] {
        switch self {
        case .notUploaded:
            return [Expect.notUploaded(id, line: line)]
        case .manifestPartsWrong, .partBytesWrong, .partShaWrong, .base64Broken, .hrefMissingFile,
             .hrefParentFolder, .hrefAbsolute, .manifestBytesWrong, .manifestShaWrong, .seqRepeated,
             .inlineWithoutEncoding:
            return [Expect.incomplete(id, d.defectNote, line: line)]
        case .manifestMissing:
            return [Expect.incomplete(id, d.defectNote, line: line)]
                + ["Manifest@parts", "Manifest@bytes", "Manifest@sha256"].map {
                    Expect.invalid(.document, id, $0, "is missing; it is required when UploadedAt is present", line: line)
                }
        case .partShaNotHex:
            let part = d.parts.first { $0.sha256.count != 64 || $0.sha256.contains(where: \.isUppercase) }!
            return [Expect.incomplete(id, d.defectNote, line: line),
                    Expect.invalid(.document, id, "Part@sha256", Expect.not(part.sha256, .sha256), line: line)]
        case .missingPerson:
            return [Expect.orphan(.document, id, person: d.person, line: line)]
        case .duplicateId:
            return [Expect.duplicate(.document, id, line: line)]
        case .recordedAtWithSpace:
            return [Expect.invalid(.document, id, "RecordedAt", Expect.not(d.recordedAt, .utcTimestamp), line: line)]
        case .typeNotACode:
            return [Expect.invalid(.document, id, "type",
                                   Expect.notCode(d.type, "the document types") + "; the document is quarantined",
                                   line: line)]
        case .uploadedOneDayLate, .uploadedDaysLate, .uploadedLateAtNight, .uploadedAtLimit, .uploadedAtLimitAtNight:
            let (date, night) = Self.upload(self, for: d)!
            let london = night ? WorkCalendar.londonDate(date, hour: 23, minute: 30) : date
            let days = WorkCalendar.workingDays(d.date, london)
            guard days > Policy.uploadLimit[d.type]! else { return [] }
            return [Expect.lateUpload(id, type: d.type, event: d.date, uploaded: london, days: days, line: line)]
        case .childsVoiceDropped, .childsVoiceBlank, .sectionDropped, .sectionBlank:
            return Expect.sections(d, id: id, line: line)
        case .copyNotWritten, .staleVersion, .divergentContent:
            return []  // the origin's findings, made once all its copies are written
        }
    }

    var quarantines: Int {
        switch self {
        case .duplicateId: return 2
        case .typeNotACode: return 1
        default: return 0
        }
    }
}

// MARK: - Plan

enum PlanDefect: CaseIterable {
    case missingPerson, reviewDueNotADate
    case noOutcomes, outcomeUntimed, allOutcomesUntimed
    /// Open plans: review due before the as-of date (a finding), on it or blank (none).
    case reviewOverdue, reviewDueToday, reviewDueBlank

    func applies(to plan: PlanRecord) -> Bool {
        switch self {
        case .missingPerson, .noOutcomes, .outcomeUntimed, .allOutcomesUntimed: return true
        // Only on a closed plan: an open plan's review date is what plan-review-overdue reads.
        case .reviewDueNotADate: return plan.end != nil
        case .reviewOverdue, .reviewDueToday, .reviewDueBlank: return plan.end == nil
        }
    }

    func apply(to plan: inout PlanRecord, rng: inout Xoshiro256StarStar) {
        func untimed() -> String? { rng.pick([nil, "", "  "]) }
        switch self {
        case .missingPerson: plan.person = IdScheme.missingChild(rng.below(100_000))
        case .reviewDueNotADate: plan.reviewDue = "\(padded(plan.start.year, 4))-13-01"
        case .noOutcomes: plan.outcomes = []
        case .outcomeUntimed:
            plan.outcomes[rng.below(plan.outcomes.count)].targetDate = untimed()
        case .allOutcomesUntimed:
            for i in plan.outcomes.indices { plan.outcomes[i].targetDate = untimed() }
        case .reviewOverdue: plan.reviewDue = (Calendar2019.asOf - (rng.chance(0.4) ? 1 : rng.int(2...90))).iso
        case .reviewDueToday: plan.reviewDue = Calendar2019.asOf.iso
        case .reviewDueBlank: plan.reviewDue = rng.pick(["", " "])
        }
    }

    /// `outcomeLines` are the lines of the plan's Outcome elements, in order.
    func findings(_ plan: PlanRecord, id: String, line: Int, outcomeLines: [Int]) -> [Finding] {
        switch self {
        case .missingPerson: return [Expect.orphan(.plan, id, person: plan.person, line: line)]
        case .reviewDueNotADate:
            return [Expect.invalid(.plan, id, "reviewDue", Expect.not(plan.reviewDue!, .isoDate), line: line)]
        case .noOutcomes: return [Expect.planWithoutOutcomes(id, line: line)]
        case .outcomeUntimed, .allOutcomesUntimed:
            return zip(plan.outcomes, outcomeLines).compactMap { outcome, line in
                let target = outcome.targetDate?.trimmingCharacters(in: .whitespaces) ?? ""
                return target.isEmpty ? Expect.outcomeNotTimebound(id, outcome.id, line: line) : nil
            }
        case .reviewOverdue: return [Expect.planReviewOverdue(id, due: plan.reviewDue!, line: line)]
        case .reviewDueToday, .reviewDueBlank: return []
        }
    }

    var quarantines: Int { 0 }
}

// MARK: - Visit

enum VisitDefect: CaseIterable {
    case missingPerson, duplicateId, dateInUKForm, seenAloneNotBoolean

    func applies(to visit: VisitRecord) -> Bool {
        switch self {
        // Anything that takes a visit away from its child stays off the child's latest visit,
        // which visit-overdue may depend on.
        case .missingPerson, .duplicateId, .dateInUKForm: return !visit.isLatest
        case .seenAloneNotBoolean: return true
        }
    }

    func apply(to visit: inout VisitRecord, rng: inout Xoshiro256StarStar) {
        switch self {
        case .missingPerson: visit.person = IdScheme.missingChild(rng.below(100_000))
        case .duplicateId: break  // the visit section writes the second visit
        case .dateInUKForm: visit.date = CivilDate(iso: visit.date)!.uk
        case .seenAloneNotBoolean: visit.seenAlone = "yes"
        }
    }

    func findings(_ visit: VisitRecord, id: String, line: Int) -> [Finding] {
        switch self {
        case .missingPerson: return [Expect.orphan(.visit, id, person: visit.person, line: line)]
        case .duplicateId: return [Expect.duplicate(.visit, id, line: line)]
        case .dateInUKForm:
            return [Expect.invalid(.visit, id, "date",
                                   Expect.not(visit.date, .isoDate) + "; the visit is quarantined", line: line)]
        case .seenAloneNotBoolean:
            return [Expect.invalid(.visit, id, "seenAlone", Expect.not(visit.seenAlone, .boolean), line: line)]
        }
    }

    var quarantines: Int {
        switch self {
        case .duplicateId: return 2
        case .dateInUKForm: return 1
        default: return 0
        }
    }
}
