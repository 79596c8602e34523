import CasebridgeModel
import Foundation

// The defects the generator plants, one enum per kind of record they land on.
//
// Each case says where it may land (`applies(to:)`), what it changes (`apply`), which findings a
// correct checker must then report (`findings`), and how many records it quarantines. A record
// takes at most one defect, and every defect is designed against all fourteen rules so that it
// causes exactly the findings listed and nothing else.
//
// Adding a defect is one case here plus its four answers; a defect on family-scope documents is a
// `DocumentDefect` case whose `applies(to:)` accepts `scope == "family"` (the document section then
// treats such documents as eligible automatically).

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

    func applies(to person: PersonRecord) -> Bool {
        switch self {
        case .birthDateNotADate: return person.birthDate != nil
        default: return true
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

    func applies(to document: DocumentRecord) -> Bool {
        // Family-scope copies carry no defect yet: a defect there also moves
        // family-document-missing and replica-diverges, which the expected findings don't cover.
        document.scope == "child"
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
        }
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

    func applies(to plan: PlanRecord) -> Bool {
        switch self {
        case .missingPerson: return true
        // Only on a closed plan: an open plan's review date is what plan-review-overdue reads.
        case .reviewDueNotADate: return plan.end != nil
        }
    }

    func apply(to plan: inout PlanRecord, rng: inout Xoshiro256StarStar) {
        switch self {
        case .missingPerson: plan.person = IdScheme.missingChild(rng.below(100_000))
        case .reviewDueNotADate: plan.reviewDue = "\(padded(plan.start.year, 4))-13-01"
        }
    }

    func findings(_ plan: PlanRecord, id: String, line: Int) -> [Finding] {
        switch self {
        case .missingPerson: return [Expect.orphan(.plan, id, person: plan.person, line: line)]
        case .reviewDueNotADate:
            return [Expect.invalid(.plan, id, "reviewDue", Expect.not(plan.reviewDue!, .isoDate), line: line)]
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
