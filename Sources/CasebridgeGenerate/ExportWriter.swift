import CasebridgeModel
import Foundation

/// Writes the records of an export as LCE2 and keeps the tally the expected findings need:
/// records per kind, quarantined records, and each planted defect's findings with the line its
/// record's start tag is on. Every record's start tag begins a line of its own.
final class ExportWriter {
    private let sink: ByteSink
    private let pool: ContentPool
    private let attachments: URL
    /// `""` or `"lce:"`.
    private let p: String
    private let options: GeneratorOptions

    private(set) var counts: [RecordKind: Int] = [:]
    private(set) var findings: [Finding] = []
    private(set) var quarantined = 0
    private(set) var eligible = 0
    private(set) var defective = 0
    private(set) var attachmentFiles = 0
    private(set) var attachmentBytes = 0

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
        p = options.prefixedNamespace ? "lce:" : ""
    }

    private func count(_ kind: RecordKind, _ n: Int = 1) { counts[kind, default: 0] += n }

    private func note(_ found: [Finding], quarantines: Int) {
        defective += 1
        findings += found
        quarantined += quarantines
    }

    // MARK: Envelope

    func begin() throws {
        if options.bom { try sink.bytes([0xEF, 0xBB, 0xBF]) }
        try sink.line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        let namespace = options.prefixedNamespace ? "xmlns:lce=\"urn:lce:2\"" : "xmlns=\"urn:lce:2\""
        try sink.line(
            "<\(p)CaseExport \(namespace) schemaVersion=\"2.3\" system=\"CareRecords 6.4\" "
                + "authority=\"Example Borough Council\" exportId=\"\(options.exportId)\" "
                + "sequence=\"\(options.sequence)\" kind=\"full\" exportedAt=\"\(GeneratorOptions.exportedAt)\">")
    }

    func end() throws {
        try sink.line("</\(p)CaseExport>")
    }

    func open(_ section: String) throws { try sink.line("  <\(p)\(section)>") }
    func close(_ section: String) throws { try sink.line("  </\(p)\(section)>") }

    // MARK: Teams, workers, people, families

    func write(team: TeamRecord) throws {
        try sink.line("    <\(p)Team id=\"\(team.id)\"><\(p)Name>\(team.name)</\(p)Name></\(p)Team>")
        count(.team)
    }

    func write(worker: WorkerRecord) throws {
        try sink.line(
            "    <\(p)Worker id=\"\(worker.id)\" team=\"\(worker.team)\"><\(p)Name>\(worker.name)</\(p)Name>"
                + "<\(p)Role>\(worker.role)</\(p)Role></\(p)Worker>")
        count(.worker)
    }

    private func element(_ name: String, _ text: String) throws {
        try sink.line("      <\(p)\(name)>\(text)</\(p)\(name)>")
    }

    func write(person: PersonRecord) throws {
        let line = sink.line
        try sink.line("    <\(p)Person id=\"\(person.id)\" kind=\"\(person.kind)\">")
        try element("Forename", person.forename)
        try element("Surname", person.surname)
        if let birth = person.birthDate { try element("BirthDate", birth) }
        try element("Gender", person.gender)
        try element("Ethnicity", person.ethnicity)
        if let a = person.allocation {
            try sink.line("      <\(p)Allocation team=\"\(a.team)\" worker=\"\(a.worker)\" from=\"\(a.from.iso)\"/>")
            count(.allocation)
        }
        for s in person.statuses {
            let to = s.to.map { " to=\"\($0.iso)\"" } ?? ""
            try sink.line("      <\(p)Status code=\"\(s.code)\" from=\"\(s.from.iso)\"\(to)/>")
            count(.status)
        }
        try element("LastModified", person.lastModified)
        try sink.line("    </\(p)Person>")
        count(.person)
        if PersonDefect.allCases.contains(where: { $0.applies(to: person) }) { eligible += 1 }
        if let defect = person.defect {
            note(defect.findings(person, line: line), quarantines: defect.quarantines)
        }
    }

    func write(family: FamilyRecord) throws {
        try sink.line("    <\(p)Family id=\"\(family.id)\">")
        try element("Name", family.name)
        count(.family)
        for member in family.members {
            let line = sink.line
            let to = member.to.map { " to=\"\($0.iso)\"" } ?? ""
            try sink.line(
                "      <\(p)Member person=\"\(member.person)\" role=\"\(member.role)\" from=\"\(member.from.iso)\"\(to)/>")
            count(.member)
            if member.eligible { eligible += 1 }
            if let defect = member.defect {
                note(defect.findings(member, family: family.id, line: line), quarantines: defect.quarantines)
            }
        }
        try sink.line("    </\(p)Family>")
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
        let origin = IdScheme.origin(originsSoFar + event.origin + 1, on: event.date)
        let live = documents.filter {
            $0.origin == event.origin && !$0.isDuplicate && !$0.notWritten && ($0.defect?.quarantines ?? 0) == 0
        }
        guard let first = live.first else { return [] }
        var out: [Finding] = []
        let holders = Set(live.map(\.person))
        for child in event.children where !holders.contains(child) {
            out.append(Expect.familyDocumentMissing(
                origin: origin, child: child, family: event.family, type: Vocabulary.title(of: event.type).lowercased(),
                date: event.date, line: lines[first.local]!))
        }
        func id(_ d: DocumentRecord) -> String { IdScheme.document(documentsSoFar + d.local + 1) }
        let versions = live.map { Int($0.version ?? "1")! }
        let top = versions.max()!
        var atTop: [DocumentRecord] = []
        for (d, version) in zip(live, versions) {
            if version < top {
                out.append(Expect.replicaDiverges(id(d), origin: origin, "holds version \(version) below version \(top)",
                                                  line: lines[d.local]!))
            } else {
                atTop.append(d)
            }
        }
        // A missing Manifest is a value of its own.
        let values = atTop.map { $0.manifest?.sha256 ?? "(no manifest)" }
        var tally: [String: Int] = [:]
        for v in values { tally[v, default: 0] += 1 }
        let majority = tally.first { $0.value * 2 > values.count }?.key
        for (d, value) in zip(atTop, values) where value != majority {
            out.append(Expect.replicaDiverges(
                id(d), origin: origin,
                majority == nil ? "differs in content from other copies at version \(top), with no majority"
                    : "differs in content from the majority of copies at version \(top)",
                line: lines[d.local]!))
        }
        return out
    }

    private func write(document d: DocumentRecord, lines: inout [Int: Int]) throws {
        let id = IdScheme.document(documentsSoFar + d.local + 1)
        if d.notWritten {
            if d.eligible { eligible += 1 }
            if let defect = d.defect { note(defect.findings(d, id: id, origin: nil, line: 0), quarantines: 0) }
            return
        }
        let line = sink.line
        if lines[d.local] == nil { lines[d.local] = line }
        var start = "    <\(p)Document id=\"\(id)\" person=\"\(d.person)\" type=\"\(d.type)\" scope=\"\(d.scope)\""
        if let family = d.family { start += " family=\"\(family)\"" }
        let origin = d.origin.map { IdScheme.origin(originsSoFar + $0 + 1, on: d.date) }
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
        for (index, part) in d.parts.enumerated() { try write(part: part, index: index, document: id) }
        for section in d.sections {
            let text = section.cdata ? "<![CDATA[\(section.text)]]>" : section.text
            try sink.line("      <\(p)Section name=\"\(section.name)\">\(text)</\(p)Section>")
            count(.section)
        }
        try sink.line("    </\(p)Document>")
        count(.document)
        if d.isDuplicate { return }  // its twin carries the finding and the eligibility
        if d.eligible { eligible += 1 }
        if let defect = d.defect {
            note(defect.findings(d, id: id, origin: origin, line: line), quarantines: defect.quarantines)
        }
    }

    private func write(part: PartRecord, index: Int, document: String) throws {
        let blob = pool[part.blob]
        let head = "      <\(p)Part seq=\"\(part.seq)\" mime=\"\(blob.mime)\" bytes=\"\(part.bytes)\" sha256=\"\(part.sha256)\""
        let close = "</\(p)Part>"
        switch part.body {
        case .inline(wrapped: false):
            sink.text(head + " encoding=\"base64\">")
            try sink.bytes(blob.base64)
            try sink.line(close)
        case .inline(wrapped: true):
            try sink.line(head + " encoding=\"base64\">")
            try sink.bytes(blob.wrapped, lineBreaks: blob.wrappedLineBreaks)
            try sink.line("      " + close)
        case .inlineWithoutEncoding:
            sink.text(head + ">")
            try sink.bytes(blob.base64)
            try sink.line(close)
        case .inlineCorrupt:
            sink.text(head + " encoding=\"base64\">")
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
            try sink.line(head + " href=\"attachments/\(name)\"/>")
        case .missingAttachment:
            try sink.line(head + " href=\"attachments/\(document)-\(index + 1)-unsent.\(blob.ext)\"/>")
        case let .href(path):
            try sink.line(head + " href=\"\(path)\"/>")
        }
        count(.part)
    }

    // MARK: Plans and visits

    func write(plans: [PlanRecord]) throws {
        for plan in plans {
            let id = IdScheme.plan(plansSoFar + plan.local + 1)
            let line = sink.line
            var start = "    <\(p)Plan id=\"\(id)\" person=\"\(plan.person)\" type=\"\(plan.type)\" start=\"\(plan.start.iso)\""
            if let end = plan.end { start += " end=\"\(end.iso)\"" }
            if let review = plan.reviewDue { start += " reviewDue=\"\(review)\"" }
            try sink.line(start + ">")
            var outcomeLines: [Int] = []
            for o in plan.outcomes {
                outcomeLines.append(sink.line)
                let target = o.targetDate.map { " targetDate=\"\($0)\"" } ?? ""
                try sink.line("      <\(p)Outcome id=\"\(o.id)\"\(target)>\(o.text)</\(p)Outcome>")
                count(.outcome)
            }
            for a in plan.actions {
                try sink.line("      <\(p)Action id=\"\(a.id)\" owner=\"\(a.owner)\" due=\"\(a.due.iso)\">\(a.text)</\(p)Action>")
                count(.action)
            }
            try sink.line("    </\(p)Plan>")
            count(.plan)
            if plan.eligible { eligible += 1 }
            if let defect = plan.defect {
                note(defect.findings(plan, id: id, line: line, outcomeLines: outcomeLines), quarantines: defect.quarantines)
            }
        }
        plansSoFar += plans.count
    }

    func write(visits: [VisitRecord], ids: Int) throws {
        for visit in visits {
            let id = IdScheme.visit(visitsSoFar + visit.local + 1)
            let line = sink.line
            try sink.line(
                "    <\(p)Visit id=\"\(id)\" person=\"\(visit.person)\" date=\"\(visit.date)\" "
                    + "seenAlone=\"\(visit.seenAlone)\" worker=\"\(visit.worker)\"/>")
            count(.visit)
            if visit.isDuplicate { continue }
            if visit.eligible { eligible += 1 }
            if let defect = visit.defect {
                note(defect.findings(visit, id: id, line: line), quarantines: defect.quarantines)
            }
        }
        visitsSoFar += ids
    }
}
