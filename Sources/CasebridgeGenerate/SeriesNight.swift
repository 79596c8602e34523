import CasebridgeModel

/// What one night changed: the ids of the records its delta writes whole, and the records it deleted.
struct NightChanges {
    var people: Set<String> = []
    var families: Set<String> = []
    var documents: Set<String> = []
    var plans: Set<String> = []
    var visits: Set<String> = []
    var deletions: [(kind: RecordKind, id: String)] = []

    /// Records written plus records deleted.
    var touched: Int { people.count + families.count + documents.count + plans.count + visits.count + deletions.count }
}

/// One night of the legacy system's life between two exports, applied to a series' state.
///
/// Seeded by the series' seed and the night's number, so a series is the same wherever it is made.
/// In the day's working hours (UTC, which is also the London date): visits to children with an open
/// status, with a visit record sometimes; plan reviews; unborn children born and new babies; a child
/// recorded as having joined a household in the past (opening gaps for the family's later family
/// documents); a missing copy of a family document added late (closing a gap); a document never
/// uploaded uploaded at last; names and statuses changed; and deletions: a document every night, a
/// visit often, now and then a child with everything that names them.
struct SeriesNight {
    let night: Int
    /// The UTC (and London) date of the day's changes; the night's export follows at 23:10 UTC.
    let day: CivilDate
    let factory: DocumentFactory
    /// How busy the night is: each rate of change (births, visits, reviews, corrections, late copies
    /// and uploads) is multiplied by it, up to certainty; 1 is a usual night.
    let activity: Double
    var rng: Xoshiro256StarStar
    var changes = NightChanges()

    init(night: Int, day: CivilDate, seed: UInt64, factory: DocumentFactory, activity: Double = 1) {
        self.night = night
        self.day = day
        self.factory = factory
        self.activity = activity
        rng = Xoshiro256StarStar(seed: seed, unit: night, stream: .series)
    }

    /// Whether a change that happens at `rate` on a usual night happens (the rate scaled by ``activity``).
    private mutating func often(_ rate: Double) -> Bool {
        rng.chance(min(1, rate * activity))
    }

    /// A time in the day's working hours.
    private mutating func daytime() -> String {
        timestamp(day, rng.int(8...16), rng.int(0...59), rng.int(0...59))
    }

    /// Applies the night's changes to `state` and returns them.
    mutating func apply(to state: inout SeriesState) -> NightChanges {
        births(&state)
        personChanges(&state)
        visits(&state)
        reviews(&state)
        newBaby(&state)
        joiner(&state)
        lateCopies(&state)
        lateUploads(&state)
        deletions(&state)
        return changes
    }

    // MARK: People

    private mutating func births(_ state: inout SeriesState) {
        for (id, person) in state.people.live where person.kind == "unborn" && often(0.1) {
            var born = person
            let girl = rng.chance(0.5)
            born.kind = "child"
            born.forename = xmlText(rng.pick(girl ? Vocabulary.girls : Vocabulary.boys))
            born.birthDate = day.iso
            born.gender = girl ? "2" : "1"
            born.lastModified = daytime()
            // A birth rewrites LastModified, with its zone.
            if born.defect == .lastModifiedWithoutZone { born.defect = nil }
            state.people[id] = born
            changes.people.insert(id)
        }
    }

    /// Surnames corrected now and then; a child's open status replaced by another code, with the plan
    /// of the old status closed and a plan for the new one.
    private mutating func personChanges(_ state: inout SeriesState) {
        for (id, person) in state.people.live {
            if often(0.006) {
                var changed = person
                let surname = rng.pick(Vocabulary.surnames)
                changed.surname = xmlText(surname)
                changed.lastModified = daytime()
                if changed.defect == .lastModifiedWithoutZone { changed.defect = nil }
                state.people[id] = changed
                changes.people.insert(id)
            }
            guard let last = person.statuses.last, last.to == nil, last.from < day, often(0.008) else { continue }
            let next: String
            switch last.code {
            case "CIN": next = "CP"
            case "CP": next = rng.chance(0.7) ? "CIN" : "LAC"
            default: next = "CIN"
            }
            var changed = state.people[id]!
            changed.statuses[changed.statuses.count - 1] = StatusRecord(code: last.code, from: last.from, to: day - 1)
            changed.statuses.append(StatusRecord(code: next, from: day, to: nil))
            changed.lastModified = daytime()
            if changed.defect == .lastModifiedWithoutZone { changed.defect = nil }
            state.people[id] = changed
            changes.people.insert(id)
            for (planId, plan) in state.plans.live where plan.person == id && plan.end == nil && plan.type == last.code {
                var closed = plan
                closed.end = max(day - 1, plan.start)
                state.plans[planId] = closed
                changes.plans.insert(planId)
            }
            let worker = person.allocation?.worker ?? state.organisation.workers[0].id
            let outcomes = (1...rng.int(1...3)).map {
                OutcomeRecord(id: "O-\($0)", targetDate: (day + rng.int(30...300)).iso,
                              text: xmlText(rng.pick(["Home conditions are kept to a good standard",
                                                      "Parents attend every core group meeting",
                                                      "School attendance stays above 90%"])))
            }
            let planId = IdScheme.plan(state.nextPlan)
            state.nextPlan += 1
            state.plans[planId] = PlanRecord(
                local: -1, person: id, type: next, start: day, end: nil, reviewDue: (day + rng.int(20...60)).iso,
                outcomes: outcomes,
                actions: [ActionRecord(id: "A-1", owner: worker, due: day + rng.int(5...30),
                                       text: "Share the plan with school &amp; health")])
            changes.plans.insert(planId)
        }
    }

    // MARK: Visits and plans

    /// Children with a status open today and no visit for a few days are visited, some with a record.
    private mutating func visits(_ state: inout SeriesState) {
        var latest: [String: CivilDate] = [:]
        for (_, stored) in state.visits.live where !stored.quarantined {
            if let date = CivilDate(iso: stored.record.date) {
                latest[stored.record.person] = max(latest[stored.record.person] ?? date, date)
            }
        }
        for (id, person) in state.people.live {
            let open = person.statuses.contains { $0.from <= day && ($0.to.map { $0 >= day } ?? true) }
            guard open, day.daysSinceEpoch - (latest[id] ?? CivilDate(year: 2000, month: 1, day: 1)).daysSinceEpoch >= 4,
                  often(0.4) else { continue }
            let worker = person.allocation?.worker ?? state.organisation.workers[0].id
            let visitId = IdScheme.visit(state.nextVisit)
            state.nextVisit += 1
            state.visits[visitId] = StoredVisit(record: VisitRecord(
                local: -1, person: id, date: day.iso, seenAlone: rng.chance(0.65) ? "true" : "false", worker: worker,
                isLatest: true), twin: nil)
            changes.visits.insert(visitId)
            if rng.chance(0.45) {
                addDocument(&state, factory.childDocument(
                    "VISIT", person: id, forename: nil, date: day, author: worker, charRefs: false, &rng))
            } else if rng.chance(0.05) {
                addDocument(&state, factory.childDocument(
                    rng.pick(["SUPERV", "LETTER", "DIRECT"]), person: id, forename: nil, date: day, author: worker,
                    charRefs: false, &rng))
            }
        }
    }

    private mutating func addDocument(_ state: inout SeriesState, _ document: DocumentRecord, origin: String? = nil) {
        let id = IdScheme.document(state.nextDocument)
        state.nextDocument += 1
        state.documents[id] = StoredDocument(record: document, origin: origin, twin: nil)
        changes.documents.insert(id)
    }

    /// Open plans due for review within two days (or overdue, or with no date) are reviewed, some of them.
    private mutating func reviews(_ state: inout SeriesState) {
        for (id, plan) in state.plans.live where plan.end == nil && !changes.plans.contains(id) {
            let text = plan.reviewDue?.trimmingCharacters(in: .whitespaces) ?? ""
            let due = CivilDate(iso: text)
            guard text.isEmpty || (due.map { $0 <= day + 2 } ?? false), often(0.35) else { continue }
            var reviewed = plan
            reviewed.reviewDue = (day + rng.int(60...120)).iso
            state.plans[id] = reviewed
            changes.plans.insert(id)
        }
    }

    // MARK: Children joining households

    /// A new child id in `family`'s household, or nil when its spare slots are used.
    private func newChildId(_ state: inout SeriesState, family: String) -> String? {
        let unit = SeriesState.unit(ofFamily: family)
        let used = state.newChildren[unit, default: 0]
        guard used < SeriesState.newChildSlots.count else { return nil }
        state.newChildren[unit] = used + 1
        return state.ids.child(unit: unit, slot: SeriesState.newChildSlots[used])
    }

    private mutating func newChild(_ state: inout SeriesState, id: String, birth: CivilDate) -> PersonRecord {
        let girl = rng.chance(0.5)
        return PersonRecord(
            id: id, kind: "child", forename: xmlText(rng.pick(girl ? Vocabulary.girls : Vocabulary.boys)),
            surname: xmlText(rng.pick(Vocabulary.surnames)), birthDate: birth.iso, gender: girl ? "2" : "1",
            ethnicity: rng.pick(Vocabulary.ethnicities), allocation: nil, statuses: [], lastModified: daytime())
    }

    private mutating func addMember(_ state: inout SeriesState, family: String, person: String, from: CivilDate) {
        var record = state.families[family]!
        record.members.append(MemberRecord(person: person, role: "child", from: from, to: nil))
        state.families[family] = record
        changes.families.insert(family)
    }

    /// Some nights a baby is born into a household: a new child and a member from today.
    private mutating func newBaby(_ state: inout SeriesState) {
        guard rng.chance(0.5) else { return }
        let families = state.families.live
        guard !families.isEmpty else { return }
        let family = families[rng.below(families.count)].id
        guard let id = newChildId(&state, family: family) else { return }
        state.people[id] = newChild(&state, id: id, birth: day)
        changes.people.insert(id)
        addMember(&state, family: family, person: id, from: day)
    }

    /// On the first night, and on half the others: a child recorded as a member of a household since
    /// before one of its family events, who holds no copy of the family's documents since.
    private mutating func joiner(_ state: inout SeriesState) {
        guard night == 1 || rng.chance(0.5) else { return }
        var events: [String: [CivilDate]] = [:]
        var order: [String] = []
        for (_, stored) in state.documents.live where stored.origin != nil && !stored.quarantined {
            let family = stored.record.family!
            if events[family] == nil { order.append(family) }
            events[family, default: []].append(stored.record.date)
        }
        guard !order.isEmpty else { return }
        let family = order[rng.below(order.count)]
        guard !changes.families.contains(family), let id = newChildId(&state, family: family) else { return }
        let event = rng.pick(events[family]!)
        let from = event - rng.int(0...90)
        state.people[id] = newChild(&state, id: id, birth: from - rng.int(365...4000))
        changes.people.insert(id)
        addMember(&state, family: family, person: id, from: from)
    }

    // MARK: Late documents

    /// A live copy of `copies` to copy content from: one at the top version with the most common
    /// digest, defect-free when there is one.
    private func model(_ copies: [(id: String, record: DocumentRecord)]) -> DocumentRecord {
        let top = copies.map { Int($0.record.version ?? "1")! }.max()!
        let atTop = copies.map(\.record).filter { Int($0.version ?? "1")! == top }
        var tally: [String: Int] = [:]
        for d in atTop { tally[d.manifest?.sha256 ?? "", default: 0] += 1 }
        let best = atTop.max { (tally[$0.manifest?.sha256 ?? ""]!, $0.defect == nil ? 1 : 0) < (tally[$1.manifest?.sha256 ?? ""]!, $1.defect == nil ? 1 : 0) }!
        return best
    }

    /// Fresh parts for the content of `source`, clean, with their Manifest.
    private func content(like source: DocumentRecord) -> (parts: [PartRecord], manifest: ManifestRecord) {
        let parts = source.parts.enumerated().map { index, part in
            PartRecord(seq: String(index + 1), blob: part.blob, bytes: String(factory.pool[part.blob].raw.count),
                       sha256: factory.pool[part.blob].sha256, body: .inline(wrapped: false))
        }
        return (parts, DocumentFactory.manifest(of: parts, pool: factory.pool))
    }

    /// Missing copies of family documents added on the children who lack them (uploaded today, so late).
    private mutating func lateCopies(_ state: inout SeriesState) {
        let oracle = SeriesOracle(state: state, asOf: day, folders: [], viewpoint: 0)
        var added = 0
        var gaps: [(origin: String, copies: [(id: String, record: DocumentRecord)], child: String)] = []
        for (origin, copies) in oracle.origins() {
            let first = copies[0].record
            let holders = Set(copies.map(\.record.person))
            for child in oracle.children(of: first.family!, on: first.date)
            where !holders.contains(child) && !changes.people.contains(child) {
                gaps.append((origin, copies, child))
            }
        }
        for (index, gap) in gaps.enumerated() {
            let forced = night >= 2 && added == 0 && index == gaps.count - 1
            guard forced || often(0.3) else { continue }
            let source = model(gap.copies)
            var copy = source
            copy.person = gap.child
            copy.recordedAt = daytime()
            copy.uploadedAt = timestamp(day, 17, rng.int(0...59), rng.int(0...59))
            (copy.parts, copy.manifest) = source.parts.isEmpty ? factory.content(&rng) : content(like: source)
            copy.sections = factory.sections(source.type, forename: nil, charRefs: false, &rng)
            copy.defect = nil
            copy.defectNote = ""
            addDocument(&state, copy, origin: gap.origin)
            added += 1
        }
    }

    /// Documents never uploaded are uploaded at last, some of them: a family copy with the content of
    /// its origin's other copies, a child's own document with new content.
    private mutating func lateUploads(_ state: inout SeriesState) {
        let origins = Dictionary(uniqueKeysWithValues: SeriesOracle(state: state, asOf: day, folders: [], viewpoint: 0)
            .origins().map { ($0.origin, $0.copies) })
        for (id, stored) in state.documents.live
        where stored.record.uploadedAt == nil && !stored.quarantined && !changes.documents.contains(id) && often(0.2) {
            var d = stored.record
            d.uploadedAt = daytime()
            let others = stored.origin.flatMap { origins[$0] }?.filter { $0.id != id && $0.record.uploadedAt != nil } ?? []
            (d.parts, d.manifest) = others.isEmpty ? factory.content(&rng) : content(like: model(others))
            d.defect = nil
            d.defectNote = ""
            state.documents[id] = StoredDocument(record: d, origin: stored.origin, twin: nil)
            changes.documents.insert(id)
        }
    }

    // MARK: Deletions

    private mutating func deletions(_ state: inout SeriesState) {
        // A document or two deleted in error every night, a visit often, now and then a child.
        for _ in 0..<(rng.chance(0.5) ? 2 : 1) { deleteDocument(&state) }
        if rng.chance(0.6) { deleteVisit(&state) }
        if rng.chance(0.15) { deletePerson(&state) }
    }

    /// A defect-free document not touched tonight, a child's own more often than a family copy.
    private mutating func deleteDocument(_ state: inout SeriesState) {
        let family = rng.chance(0.2)
        let documents = state.documents.live.filter {
            $0.record.record.defect == nil && $0.record.twin == nil && !changes.documents.contains($0.id)
                && ($0.record.origin != nil) == family
        }
        guard !documents.isEmpty else { return }
        let id = documents[rng.below(documents.count)].id
        state.documents[id] = nil
        changes.deletions.append((.document, id))
    }

    private mutating func deleteVisit(_ state: inout SeriesState) {
        let visits = state.visits.live.filter {
            $0.record.record.defect == nil && $0.record.twin == nil && !changes.visits.contains($0.id)
        }
        guard !visits.isEmpty else { return }
        let id = visits[rng.below(visits.count)].id
        state.visits[id] = nil
        changes.deletions.append((.visit, id))
    }

    /// A child recorded in error, deleted with their documents, plans and visits, and taken out of
    /// every household: nothing is left naming them.
    private mutating func deletePerson(_ state: inout SeriesState) {
        var clean: [String: Bool] = [:]
        for (id, person) in state.people.live where person.kind == "child" {
            clean[id] = person.defect == nil && !changes.people.contains(id)
        }
        for (id, stored) in state.documents.live where clean[stored.record.person] == true {
            if stored.record.defect != nil || stored.twin != nil || changes.documents.contains(id) {
                clean[stored.record.person] = false
            }
        }
        for (id, plan) in state.plans.live where clean[plan.person] == true {
            if plan.defect != nil || changes.plans.contains(id) { clean[plan.person] = false }
        }
        for (id, stored) in state.visits.live where clean[stored.record.person] == true {
            if stored.record.defect != nil || stored.twin != nil || changes.visits.contains(id) {
                clean[stored.record.person] = false
            }
        }
        let candidates = state.people.live.map(\.id).filter { clean[$0] == true }
        guard !candidates.isEmpty else { return }
        let person = candidates[rng.below(candidates.count)]
        state.people[person] = nil
        changes.deletions.append((.person, person))
        for (id, stored) in state.documents.live where stored.record.person == person {
            state.documents[id] = nil
            changes.deletions.append((.document, id))
        }
        for (id, plan) in state.plans.live where plan.person == person {
            state.plans[id] = nil
            changes.deletions.append((.plan, id))
        }
        for (id, stored) in state.visits.live where stored.record.person == person {
            state.visits[id] = nil
            changes.deletions.append((.visit, id))
        }
        for (id, family) in state.families.live where family.members.contains(where: { $0.person == person }) {
            var record = family
            record.members.removeAll { $0.person == person }
            state.families[id] = record
            changes.families.insert(id)
        }
    }
}
