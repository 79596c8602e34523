import CasebridgeModel
import Foundation

/// Builds documents: content drawn from the pool, timestamps that keep every upload on time, and
/// the sections the default policy requires.
struct DocumentFactory {
    let pool: ContentPool
    let hrefPartRate: Double
    let wrappedBase64Rate: Double

    /// One to three parts and the Manifest that describes them.
    func content(_ rng: inout Xoshiro256StarStar) -> (parts: [PartRecord], manifest: ManifestRecord) {
        let count = 1 + rng.weighted([55, 30, 15])
        var parts: [PartRecord] = []
        for seq in 1...count {
            let blob = rng.below(pool.count)
            let body: PartBody = rng.chance(hrefPartRate) ? .attachment : .inline(wrapped: rng.chance(wrappedBase64Rate))
            parts.append(PartRecord(
                seq: String(seq), blob: blob, bytes: String(pool[blob].raw.count), sha256: pool[blob].sha256, body: body))
        }
        return (parts, Self.manifest(of: parts, pool: pool))
    }

    /// The Manifest of `parts` as they are: their number, total bytes, and digest in seq order.
    static func manifest(of parts: [PartRecord], pool: ContentPool) -> ManifestRecord {
        let blobs = parts.map(\.blob)
        return ManifestRecord(
            parts: String(parts.count), bytes: String(blobs.reduce(0) { $0 + pool[$1].raw.count }),
            sha256: pool.manifestSha256(blobs))
    }

    /// RecordedAt on the event date, UploadedAt then or up to two calendar days later (never more
    /// than two working days, within every upload limit), in daytime UTC so that the London date is
    /// the UTC date, and never after the export.
    func times(on date: CivilDate, _ rng: inout Xoshiro256StarStar) -> (recorded: String, uploaded: String) {
        let hour = rng.int(8...15)
        let recorded = timestamp(date, hour, rng.int(0...59), rng.int(0...59))
        var delay = rng.weighted([60, 30, 10])
        if date + delay > Calendar2019.lastEvent { delay = 0 }
        let uploadHour = delay == 0 ? rng.int((hour + 1)...17) : rng.int(8...17)
        return (recorded, timestamp(date + delay, uploadHour, rng.int(0...59), rng.int(0...59)))
    }

    /// The sections of a `type` document, each with non-blank text; some as CDATA.
    func sections(_ type: String, forename: String?, charRefs: Bool, _ rng: inout Xoshiro256StarStar) -> [SectionRecord] {
        Vocabulary.sections(of: type).map { name in
            let phrase = rng.pick(Vocabulary.phrases(for: name))
                .replacingOccurrences(of: "{child}", with: forename ?? "The child")
            if rng.chance(0.12) {
                return SectionRecord(name: name, text: "[" + type + "] " + phrase + " <see file>", cdata: true)
            }
            return SectionRecord(name: name, text: xmlText(phrase, charRefs: charRefs), cdata: false)
        }
    }

    /// A complete, on-time child-scope document.
    func childDocument(
        _ type: String, person: String, forename: String?, date: CivilDate, author: String, charRefs: Bool,
        _ rng: inout Xoshiro256StarStar
    ) -> DocumentRecord {
        let (parts, manifest) = content(&rng)
        let (recorded, uploaded) = times(on: date, &rng)
        return DocumentRecord(
            local: -1, person: person, type: type, scope: "child", family: nil, origin: nil,
            version: rng.chance(0.2) ? "1" : nil, title: "\(Vocabulary.title(of: type)) \(date.uk)", date: date,
            recordedAt: recorded, uploadedAt: uploaded, author: author, manifest: manifest, parts: parts,
            sections: sections(type, forename: forename, charRefs: charRefs, &rng))
    }
}

/// A household's documents, in the order they are written, and how many origins they use.
struct HouseholdDocuments {
    var documents: [DocumentRecord]
    /// Distinct document ids (a duplicated id counts once).
    var ids: Int
    var origins: Int
    /// Each origin's event, and the children who were members on its date: what
    /// family-document-missing and replica-diverges are judged against once its copies are written.
    var events: [OriginEvent]
}

struct OriginEvent {
    let origin: Int
    let type: String
    let date: CivilDate
    let family: String
    let children: [String]
}

extension Household {
    /// The household's documents: one copy of each family event on every child who was a member
    /// on its date, and each child's own documents; then the defects.
    func documents(factory: DocumentFactory, defectRate: Double) -> HouseholdDocuments {
        var rng = Xoshiro256StarStar(seed: seed, unit: unit, stream: .documents)
        var drafts: [DocumentRecord] = []

        // Family events, from the phases of the case.
        var events: [(type: String, date: CivilDate)] = []
        if let first = phases.first, rng.chance(0.7) {
            events.append(("FAMASS", first.from + rng.int(5...30)))
        }
        for phase in phases {
            let end = min(phase.to ?? Calendar2019.lastEvent, Calendar2019.lastEvent)
            switch phase.code {
            case "CP":
                events.append(("STRAT", phase.from - rng.int(1...5)))
                events.append(("ICPC", phase.from))
                var day = phase.from + rng.int(80...95)
                while day <= end {
                    events.append(("RCPC", day))
                    day = day + rng.int(170...190)
                }
                day = phase.from + rng.int(8...12)
                while day <= end {
                    events.append(("CGM", day))
                    day = day + rng.int(28...45)
                }
                if rng.chance(0.15) {
                    let letter = phase.from + rng.int(60...200)
                    if letter <= end { events.append(("PLOLET", letter)) }
                }
            case "LAC":
                events.append(("PLOLET", phase.from - rng.int(20...60)))
            default:
                break
            }
        }
        var origins = 0
        var originEvents: [OriginEvent] = []
        for event in events where event.date >= Calendar2019.firstEvent && event.date <= Calendar2019.lastEvent {
            let children = family.members.filter { $0.isChild(on: event.date) }.map(\.person)
            if children.isEmpty { continue }
            let origin = origins
            origins += 1
            originEvents.append(OriginEvent(origin: origin, type: event.type, date: event.date, family: family.id, children: children))
            let version = rng.chance(0.25) ? "2" : "1"
            let (parts, manifest) = factory.content(&rng)
            let (recorded, uploaded) = factory.times(on: event.date, &rng)
            let sections = factory.sections(event.type, forename: nil, charRefs: charRefs, &rng)
            for child in children {
                drafts.append(DocumentRecord(
                    local: -1, person: child, type: event.type, scope: "family", family: family.id, origin: origin,
                    version: version, title: "\(Vocabulary.title(of: event.type)) \(event.date.uk)", date: event.date,
                    recordedAt: recorded, uploadedAt: uploaded, author: worker.id, manifest: manifest, parts: parts,
                    sections: sections))
            }
        }

        // Each child's own documents, within their statuses.
        for child in cases {
            func add(_ type: String, _ date: CivilDate) {
                drafts.append(factory.childDocument(
                    type, person: child.person, forename: child.forename, date: date, author: worker.id,
                    charRefs: charRefs, &rng))
            }
            for (i, status) in child.statuses.enumerated() {
                let end = min(status.to ?? Calendar2019.lastEvent, Calendar2019.lastEvent)
                if i == 0 { add("ASSESS", min(status.from + rng.int(0...10), end)) }
                let planType = status.code == "CIN" ? "CINPLAN" : status.code == "CP" ? "CPPLAN" : "DIRECT"
                add(planType, min(status.from + rng.int(0...15), end))
                var day = status.from + rng.int(30...90)
                while day <= end {
                    add("SUPERV", day)
                    day = day + rng.int(60...120)
                }
                if rng.chance(0.4) { add("DIRECT", rng.date(status.from...end)) }
                if rng.chance(0.3) { add("LETTER", rng.date(status.from...end)) }
            }
            let start = child.statuses[0].from
            let end = min(child.statuses.last!.to ?? Calendar2019.lastEvent, Calendar2019.lastEvent)
            if end.daysSinceEpoch - start.daysSinceEpoch > 365 { add("CHRON", rng.date(start...end)) }
            for visit in child.visits where rng.chance(0.35) { add("VISIT", visit) }
        }

        // Written in date order; ids rise through the file.
        let ordered = drafts.enumerated()
            .sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }
            .map(\.element)

        var copies: [Int: Int] = [:]
        for d in ordered { if let o = d.origin { copies[o, default: 0] += 1 } }
        let unborn = Set(people.filter { $0.kind == "unborn" }.map(\.id))
        var seenOrigins: Set<Int> = []
        var defects = Xoshiro256StarStar(seed: seed, unit: unit, stream: .documentDefects)
        var out: [DocumentRecord] = []
        out.reserveCapacity(ordered.count + 4)
        for (local, draft) in ordered.enumerated() {
            var document = draft
            document.local = local
            if let o = document.origin {
                document.firstOfOrigin = seenOrigins.insert(o).inserted
                document.copies = copies[o]!
            }
            let applicable = DocumentDefect.allCases.filter { $0.applies(to: document) }
            document.eligible = !applicable.isEmpty
            guard document.eligible, defects.chance(defectRate) else {
                out.append(document)
                continue
            }
            // An unborn child's copy is left out, and a letter before proceedings loses its timescales,
            // more often than chance would have it: both are rare.
            let defect: DocumentDefect
            if unborn.contains(document.person), applicable.contains(.copyNotWritten), defects.chance(0.8) {
                defect = .copyNotWritten
            } else if document.type == "PLOLET", defects.chance(0.3) {
                defect = defects.pick([.sectionDropped, .sectionBlank])
            } else {
                defect = defects.pick(applicable, preferring: [.copyNotWritten, .staleVersion, .divergentContent], 0.3)
            }
            document.defectNote = defect.apply(to: &document, pool: factory.pool, rng: &defects)
            document.defect = defect
            out.append(document)
            if defect == .duplicateId {
                // Another document of the same child exported under the same id.
                var twin = factory.childDocument(
                    defects.pick(Vocabulary.childTypes), person: document.person, forename: nil, date: document.date,
                    author: document.author, charRefs: charRefs, &defects)
                twin.local = local
                twin.isDuplicate = true
                out.append(twin)
            }
        }
        return HouseholdDocuments(documents: out, ids: ordered.count, origins: origins, events: originEvents)
    }

    /// One plan per status of each child: open while the status is open, with outcomes that all
    /// have a target date and, when open, a review date on or after the as-of date.
    func plans(defectRate: Double) -> [PlanRecord] {
        var rng = Xoshiro256StarStar(seed: seed, unit: unit, stream: .plans)
        let outcomeTexts = [
            "{child} attends school on at least 9 days in 10", "Mum engages with the drug & alcohol service",
            "{child} is seen by the dentist and the optician", "Home conditions are kept to a good standard",
            "{child} has a bedroom of their own", "Parents attend every core group meeting",
            "{child} says they feel safe at home",
        ]
        let actionTexts = [
            "Refer to the family support service", "Complete the parenting assessment", "Book the dental appointment",
            "Share the plan with school & health", "Arrange the family group conference",
        ]
        var plans: [PlanRecord] = []
        for child in cases {
            func text(_ template: String) -> String {
                xmlText(template.replacingOccurrences(of: "{child}", with: child.forename), charRefs: charRefs)
            }
            for status in child.statuses {
                let reviewDue: String?
                if status.to == nil {
                    reviewDue = (Calendar2019.asOf + rng.int(1...90)).iso
                } else {
                    reviewDue = rng.chance(0.8) ? (status.from + rng.int(20...90)).iso : nil
                }
                let outcomes = (1...rng.int(1...3)).map {
                    OutcomeRecord(id: "O-\($0)", targetDate: (status.from + rng.int(30...400)).iso, text: text(rng.pick(outcomeTexts)))
                }
                let actionCount = rng.int(0...3)
                let actions = actionCount == 0 ? [] : (1...actionCount).map {
                    ActionRecord(id: "A-\($0)", owner: worker.id, due: status.from + rng.int(5...60), text: text(rng.pick(actionTexts)))
                }
                plans.append(PlanRecord(
                    local: plans.count, person: child.person, type: status.code, start: status.from, end: status.to,
                    reviewDue: reviewDue, outcomes: outcomes, actions: actions))
            }
        }
        var defects = Xoshiro256StarStar(seed: seed, unit: unit, stream: .planDefects)
        for i in plans.indices {
            let applicable = PlanDefect.allCases.filter { $0.applies(to: plans[i]) }
            guard !applicable.isEmpty else { continue }
            plans[i].eligible = true
            if defects.chance(defectRate) {
                let defect = defects.pick(applicable, preferring: [.reviewOverdue, .reviewDueToday, .reviewDueBlank], 0.4)
                defect.apply(to: &plans[i], rng: &defects)
                plans[i].defect = defect
            }
        }
        return plans
    }

    /// Every visit of each child; a duplicated id is written as a second visit right after the first.
    func visits(defectRate: Double) -> (visits: [VisitRecord], ids: Int) {
        var rng = Xoshiro256StarStar(seed: seed, unit: unit, stream: .visits)
        var visits: [VisitRecord] = []
        for child in cases {
            for (i, date) in child.visits.enumerated() {
                visits.append(VisitRecord(
                    local: visits.count, person: child.person, date: date.iso,
                    seenAlone: rng.chance(0.65) ? "true" : "false", worker: worker.id,
                    isLatest: i == child.visits.count - 1))
            }
        }
        let ids = visits.count
        var defects = Xoshiro256StarStar(seed: seed, unit: unit, stream: .visitDefects)
        var out: [VisitRecord] = []
        out.reserveCapacity(visits.count + 4)
        for var visit in visits {
            let applicable = VisitDefect.allCases.filter { $0.applies(to: visit) }
            visit.eligible = !applicable.isEmpty
            guard visit.eligible, defects.chance(defectRate) else {
                out.append(visit)
                continue
            }
            let defect = defects.pick(applicable)
            defect.apply(to: &visit, rng: &defects)
            visit.defect = defect
            out.append(visit)
            if defect == .duplicateId {
                // An earlier visit to the same child exported under the same id.
                let date = max(CivilDate(iso: visit.date)! - defects.int(1...10), Calendar2019.firstEvent)
                var twin = VisitRecord(
                    local: visit.local, person: visit.person, date: date.iso,
                    seenAlone: defects.chance(0.5) ? "true" : "false", worker: visit.worker, isLatest: false)
                twin.isDuplicate = true
                out.append(twin)
            }
        }
        return (out, ids)
    }
}
