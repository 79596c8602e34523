import CasebridgeModel
import Foundation

/// What an export's `CaseExport` start tag says about it.
struct Envelope {
    var exportId: String
    var sequence: Int
    /// `full` or `delta`.
    var kind: String
    /// A delta's `since`: the previous export's `exportedAt`.
    var since: String?
    var exportedAt: String
}

/// Writes the records of an export as LCE2 and keeps the tally the expected findings need:
/// records per kind, quarantined records, and each planted defect's findings with the line its
/// record's start tag is on. Every record's start tag begins a line of its own.
///
/// The household methods (`write(documents:)`, `write(plans:)`, `write(visits:ids:)`) number records
/// export-wide and keep the tally; the record methods that take an `id` write one record as given,
/// for a series, whose state knows its ids. With ``recordLines`` set, the writer notes the line of
/// every record it writes, keyed by ``ExportWriter/key(_:_:)``.
final class ExportWriter {
    private let sink: ByteSink
    private let pool: ContentPool
    private let attachments: URL
    /// `""` or `"lce:"`.
    private let p: String
    private let options: GeneratorOptions
    /// The nested household layout's spelling, when ``GeneratorOptions/layout`` asks for it.
    private let nested: NestedLayout?

    private(set) var counts: [RecordKind: Int] = [:]
    private(set) var findings: [Finding] = []
    private(set) var quarantined = 0
    private(set) var eligible = 0
    private(set) var defective = 0
    private(set) var attachmentFiles = 0
    private(set) var attachmentBytes = 0
    /// The line of each record written (the first, for a duplicated id), when not nil.
    var recordLines: [String: Int]?

    /// The key of a record in ``recordLines``: `Kind|id`; a Member's id is `FAMILY/PERSON`, an
    /// Outcome's `PLAN/OUTCOME`.
    static func key(_ kind: RecordKind, _ id: String) -> String { kind.rawValue + "|" + id }

    private func noteLine(_ kind: RecordKind, _ id: String, _ line: Int) {
        guard recordLines != nil else { return }
        let key = Self.key(kind, id)
        if recordLines![key] == nil { recordLines![key] = line }
    }

    // Export-wide numbering; each household's records number on from here.
    private var documentsSoFar = 0
    private var originsSoFar = 0
    private var plansSoFar = 0
    private var visitsSoFar = 0

    init(sink: ByteSink, pool: ContentPool, attachments: URL, options: GeneratorOptions) {
        self.sink = sink
        self.pool = pool
        self.attachments = attachments
        self.options = options
        nested = options.layout == .nested ? NestedLayout(sink: sink) : nil
        p = options.prefixedNamespace && options.layout == .flat ? "lce:" : ""
    }

    private func count(_ kind: RecordKind, _ n: Int = 1) { counts[kind, default: 0] += n }

    private func note(_ found: [Finding], quarantines: Int) {
        defective += 1
        findings += found
        quarantined += quarantines
    }

    // MARK: Envelope

    /// The envelope of the options: a full export at ``GeneratorOptions/exportedAt``.
    func begin() throws {
        try begin(Envelope(exportId: options.exportId, sequence: options.sequence, kind: "full", since: nil,
                           exportedAt: GeneratorOptions.exportedAt))
    }

    func begin(_ envelope: Envelope) throws {
        if let nested { return try nested.begin(envelope, options: options) }
        if options.bom { try sink.bytes([0xEF, 0xBB, 0xBF]) }
        try sink.line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        let namespace = options.prefixedNamespace ? "xmlns:lce=\"urn:lce:2\"" : "xmlns=\"urn:lce:2\""
        let since = envelope.since.map { " since=\"\($0)\"" } ?? ""
        try sink.line(
            "<\(p)CaseExport \(namespace) schemaVersion=\"\(options.totals ? "2.4" : "2.3")\" system=\"CareRecords 6.4\" "
                + "authority=\"Example Borough Council\" exportId=\"\(envelope.exportId)\" "
                + "sequence=\"\(envelope.sequence)\" kind=\"\(envelope.kind)\"\(since) exportedAt=\"\(envelope.exportedAt)\">")
    }

    /// A delta's `<Deletions>` section: one `Deleted` element per (kind, id).
    func write(deletions: [(kind: RecordKind, id: String)]) throws {
        guard !deletions.isEmpty else { return }
        try open("Deletions")
        for deletion in deletions {
            try sink.line("    <\(p)Deleted kind=\"\(deletion.kind.rawValue)\" id=\"\(deletion.id)\"/>")
            count(.deleted)
        }
        try close("Deletions")
    }

    /// The top-level kinds a `<Totals>` trailer counts (what they own is not counted).
    static let totalledKinds: [RecordKind] = [.team, .worker, .person, .family, .document, .plan, .visit, .deleted]

    /// Ends the export: the `<Totals>` trailer (schema 2.4) counting every record of each top-level kind
    /// written, then the root's end tag.
    func end() throws {
        if let nested {
            let totals = Self.totalledKinds.filter { (counts[$0] ?? 0) > 0 || $0 != .deleted }.map { ($0, counts[$0] ?? 0) }
            return try nested.end(totals: options.totals ? totals : nil)
        }
        if options.totals {
            try open("Totals")
            for kind in Self.totalledKinds where (counts[kind] ?? 0) > 0 || kind != .deleted {
                try sink.line("    <\(p)Total kind=\"\(kind.rawValue)\" count=\"\(counts[kind] ?? 0)\"/>")
            }
            try close("Totals")
        }
        try sink.line("</\(p)CaseExport>")
    }

    func open(_ section: String) throws { try sink.line("  <\(p)\(section)>") }
    func close(_ section: String) throws { try sink.line("  </\(p)\(section)>") }

    // MARK: Teams, workers, people, families

    func write(team: TeamRecord) throws {
        defer { count(.team) }
        if let nested { return try nested.team(team) }
        try sink.line("    <\(p)Team id=\"\(team.id)\"><\(p)Name>\(team.name)</\(p)Name></\(p)Team>")
    }

    func write(worker: WorkerRecord) throws {
        defer { count(.worker) }
        if let nested { return try nested.worker(worker) }
        try sink.line(
            "    <\(p)Worker id=\"\(worker.id)\" team=\"\(worker.team)\"><\(p)Name>\(worker.name)</\(p)Name>"
                + "<\(p)Role>\(worker.role)</\(p)Role></\(p)Worker>")
    }

    private func element(_ name: String, _ text: String) throws {
        try sink.line("      <\(p)\(name)>\(text)</\(p)\(name)>")
    }

    func write(person: PersonRecord) throws {
        let line = sink.line
        noteLine(.person, person.id, line)
        if let nested { try nested.person(person) } else { try writeFlat(person: person) }
        if person.allocation != nil { count(.allocation) }
        count(.status, person.statuses.count)
        count(.person)
        if PersonDefect.allCases.contains(where: { $0.applies(to: person) }) { eligible += 1 }
        if let defect = person.defect {
            note(defect.findings(person, line: line), quarantines: defect.quarantines)
        }
    }

    private func writeFlat(person: PersonRecord) throws {
        try sink.line("    <\(p)Person id=\"\(person.id)\" kind=\"\(person.kind)\">")
        try element("Forename", person.forename)
        try element("Surname", person.surname)
        if let birth = person.birthDate { try element("BirthDate", birth) }
        try element("Gender", person.gender)
        try element("Ethnicity", person.ethnicity)
        if let a = person.allocation {
            try sink.line("      <\(p)Allocation team=\"\(a.team)\" worker=\"\(a.worker)\" from=\"\(a.from.iso)\"/>")
        }
        for s in person.statuses {
            let to = s.to.map { " to=\"\($0.iso)\"" } ?? ""
            try sink.line("      <\(p)Status code=\"\(s.code)\" from=\"\(s.from.iso)\"\(to)/>")
        }
        try element("LastModified", person.lastModified)
        try sink.line("    </\(p)Person>")
    }

    func write(family: FamilyRecord) throws {
        noteLine(.family, family.id, sink.line)
        try sink.line("    <\(p)Family id=\"\(family.id)\">")
        try element("Name", family.name)
        count(.family)
        for member in family.members {
            let line = sink.line
            let to = member.to.map { " to=\"\($0.iso)\"" } ?? ""
            try sink.line(
                "      <\(p)Member person=\"\(member.person)\" role=\"\(member.role)\" from=\"\(member.from.iso)\"\(to)/>")
            tally(member: member, family: family.id, line: line)
        }
        try sink.line("    </\(p)Family>")
    }

    /// The nested layout's household: its start tag and label (the Family record); people, members and
    /// casework follow, then ``endHousehold()``.
    func beginHousehold(_ family: FamilyRecord) throws {
        noteLine(.family, family.id, sink.line)
        try nested?.householdStart(family)
        count(.family)
    }

    /// The nested layout's members of a household.
    func write(members family: FamilyRecord) throws {
        for member in family.members {
            let line = sink.line
            try nested?.member(member)
            tally(member: member, family: family.id, line: line)
        }
    }

    func endHousehold() throws { try nested?.householdEnd() }

    private func tally(member: MemberRecord, family: String, line: Int) {
        noteLine(.member, "\(family)/\(member.person)", line)
        count(.member)
        if member.eligible { eligible += 1 }
        if let defect = member.defect {
            note(defect.findings(member, family: family, line: line), quarantines: defect.quarantines)
        }
    }

    // MARK: Documents

    func write(documents household: HouseholdDocuments) throws {
        var lines: [Int: Int] = [:]
        for document in household.documents { try write(document: document, lines: &lines) }
        for event in household.events { findings += originFindings(event, household.documents, lines: lines) }
        documentsSoFar += household.ids
        originsSoFar += household.origins
    }

    /// family-document-missing and replica-diverges for one origin, from its copies as written.
    private func originFindings(_ event: OriginEvent, _ documents: [DocumentRecord], lines: [Int: Int]) -> [Finding] {
        let live = documents.filter {
            $0.origin == event.origin && !$0.isDuplicate && !$0.notWritten && ($0.defect?.quarantines ?? 0) == 0
        }
        let copies = live.map { d in
            OriginCopy(id: IdScheme.document(documentsSoFar + d.local + 1), person: d.person,
                       version: Int(d.version ?? "1")!, manifestSha256: d.manifest?.sha256,
                       source: Expect.source(lines[d.local]!))
        }
        return OriginRules.findings(
            origin: IdScheme.origin(originsSoFar + event.origin + 1, on: event.date), type: event.type,
            date: event.date, family: event.family, children: event.children, copies: copies)
    }

    private func write(document d: DocumentRecord, lines: inout [Int: Int]) throws {
        let id = IdScheme.document(documentsSoFar + d.local + 1)
        if d.notWritten {
            if d.eligible { eligible += 1 }
            if let defect = d.defect { note(defect.findings(d, id: id, origin: nil, line: 0), quarantines: 0) }
            return
        }
        let origin = d.origin.map { IdScheme.origin(originsSoFar + $0 + 1, on: d.date) }
        let line = try write(document: d, id: id, origin: origin)
        if lines[d.local] == nil { lines[d.local] = line }
        // A quarantined document takes its parts and sections with it, each a record in quarantine.
        if d.isQuarantined { quarantined += d.recordsInQuarantine }
        if d.isDuplicate { return }  // its twin carries the finding and the eligibility
        if d.eligible { eligible += 1 }
        if let defect = d.defect {
            note(defect.findings(d, id: id, origin: origin, line: line), quarantines: 0)
        }
    }

    /// Writes one Document element with its parts and sections; returns the line of its start tag.
    @discardableResult
    func write(document d: DocumentRecord, id: String, origin: String?) throws -> Int {
        let line = sink.line
        noteLine(.document, id, line)
        if let nested {
            try nested.documentStart(d, id: id, origin: origin)
        } else {
            try writeFlatStart(document: d, id: id, origin: origin)
        }
        for (index, part) in d.parts.enumerated() { try write(part: part, index: index, document: id) }
        for section in d.sections {
            if let nested {
                try nested.section(section)
            } else {
                let text = section.cdata ? "<![CDATA[\(section.text)]]>" : section.text
                try sink.line("      <\(p)Section name=\"\(section.name)\">\(text)</\(p)Section>")
            }
            count(.section)
        }
        if let nested { try nested.documentEnd() } else { try sink.line("    </\(p)Document>") }
        count(.document)
        return line
    }

    private func writeFlatStart(document d: DocumentRecord, id: String, origin: String?) throws {
        var start = "    <\(p)Document id=\"\(id)\" person=\"\(d.person)\" type=\"\(d.type)\" scope=\"\(d.scope)\""
        if let family = d.family { start += " family=\"\(family)\"" }
        if let origin { start += " origin=\"\(origin)\"" }
        if let version = d.version { start += " version=\"\(version)\"" }
        try sink.line(start + ">")
        try element("Title", d.title)
        try element("EventDate", d.date.uk)
        try element("RecordedAt", d.recordedAt)
        if let uploaded = d.uploadedAt { try element("UploadedAt", uploaded) }
        try sink.line("      <\(p)Author worker=\"\(d.author)\"/>")
        if let m = d.manifest {
            try sink.line("      <\(p)Manifest parts=\"\(m.parts)\" bytes=\"\(m.bytes)\" sha256=\"\(m.sha256)\"/>")
        }
    }

    private func write(part: PartRecord, index: Int, document: String) throws {
        let blob = pool[part.blob]
        // The nested layout spells a part <Attachment … format="base64" file="…">.
        let (element, indent, encoding, href) = nested == nil ? (p + "Part", "      ", "encoding", "href") : ("Attachment", "        ", "format", "file")
        let head = "\(indent)<\(element) seq=\"\(part.seq)\" mime=\"\(blob.mime)\" bytes=\"\(part.bytes)\" sha256=\"\(part.sha256)\""
        let close = "</\(element)>"
        switch part.body {
        case .inline(wrapped: false):
            sink.text(head + " \(encoding)=\"base64\">")
            try sink.bytes(blob.base64)
            try sink.line(close)
        case .inline(wrapped: true):
            try sink.line(head + " \(encoding)=\"base64\">")
            try sink.bytes(blob.wrapped, lineBreaks: blob.wrappedLineBreaks)
            try sink.line(indent + close)
        case .inlineWithoutEncoding:
            sink.text(head + ">")
            try sink.bytes(blob.base64)
            try sink.line(close)
        case .inlineCorrupt:
            sink.text(head + " \(encoding)=\"base64\">")
            let middle = blob.base64.count / 2
            try sink.bytes(blob.base64[..<middle])
            sink.text("*")
            try sink.bytes(blob.base64[middle...])
            try sink.line(close)
        case .attachment:
            // Named by position, not seq, so that two parts never share a file.
            let name = "\(document)-\(index + 1).\(blob.ext)"
            try OwnerOnly.writeFile(attachments.appendingPathComponent(name).path, blob.raw)
            attachmentFiles += 1
            attachmentBytes += blob.raw.count
            try sink.line(head + " \(href)=\"attachments/\(name)\"/>")
        case .missingAttachment:
            try sink.line(head + " \(href)=\"attachments/\(document)-\(index + 1)-unsent.\(blob.ext)\"/>")
        case let .href(path):
            try sink.line(head + " \(href)=\"\(path)\"/>")
        }
        count(.part)
    }

    // MARK: Plans and visits

    func write(plans: [PlanRecord]) throws {
        for plan in plans {
            let id = IdScheme.plan(plansSoFar + plan.local + 1)
            let (line, outcomeLines) = try write(plan: plan, id: id)
            if plan.eligible { eligible += 1 }
            if let defect = plan.defect {
                note(defect.findings(plan, id: id, line: line, outcomeLines: outcomeLines), quarantines: defect.quarantines)
            }
        }
        plansSoFar += plans.count
    }

    /// Writes one Plan element with its outcomes and actions; returns the lines of its start tag and
    /// of each Outcome.
    @discardableResult
    func write(plan: PlanRecord, id: String) throws -> (line: Int, outcomeLines: [Int]) {
        let line = sink.line
        noteLine(.plan, id, line)
        let outcomeLines = try nested?.plan(plan, id: id) ?? writeFlat(plan: plan, id: id)
        for (outcome, outcomeLine) in zip(plan.outcomes, outcomeLines) { noteLine(.outcome, "\(id)/\(outcome.id)", outcomeLine) }
        count(.outcome, plan.outcomes.count)
        count(.action, plan.actions.count)
        count(.plan)
        return (line, outcomeLines)
    }

    private func writeFlat(plan: PlanRecord, id: String) throws -> [Int] {
        var start = "    <\(p)Plan id=\"\(id)\" person=\"\(plan.person)\" type=\"\(plan.type)\" start=\"\(plan.start.iso)\""
        if let end = plan.end { start += " end=\"\(end.iso)\"" }
        if let review = plan.reviewDue { start += " reviewDue=\"\(review)\"" }
        return try sink.record(
            start: start + ">",
            marked: plan.outcomes.map { o in
                "      <\(p)Outcome id=\"\(o.id)\"\(o.targetDate.map { " targetDate=\"\($0)\"" } ?? "")>\(o.text)</\(p)Outcome>"
            },
            other: plan.actions.map { a in
                "      <\(p)Action id=\"\(a.id)\" owner=\"\(a.owner)\" due=\"\(a.due.iso)\">\(a.text)</\(p)Action>"
            },
            end: "    </\(p)Plan>")
    }

    /// The reference format's sections of the organisation: `<Teams>` and `<Workers>`.
    func write(organisation: Organisation) throws {
        try open("Teams")
        for team in organisation.teams { try write(team: team) }
        try close("Teams")
        try open("Workers")
        for worker in organisation.workers { try write(worker: worker) }
        try close("Workers")
    }

    func write(visits: [VisitRecord], ids: Int) throws {
        for visit in visits {
            let id = IdScheme.visit(visitsSoFar + visit.local + 1)
            let line = try write(visit: visit, id: id)
            if visit.isDuplicate { continue }
            if visit.eligible { eligible += 1 }
            if let defect = visit.defect {
                note(defect.findings(visit, id: id, line: line), quarantines: defect.quarantines)
            }
        }
        visitsSoFar += ids
    }

    /// Writes one Visit element; returns the line it is on.
    @discardableResult
    func write(visit: VisitRecord, id: String) throws -> Int {
        let line = sink.line
        noteLine(.visit, id, line)
        defer { count(.visit) }
        if let nested {
            try nested.visit(visit, id: id)
            return line
        }
        try sink.line(
            "    <\(p)Visit id=\"\(id)\" person=\"\(visit.person)\" date=\"\(visit.date)\" "
                + "seenAlone=\"\(visit.seenAlone)\" worker=\"\(visit.worker)\"/>")
        return line
    }
}
