import CasebridgeModel

/// Records of one kind in the order they are written, by id. Removing a record empties its slot;
/// a new record goes at the end.
struct OrderedRecords<Record> {
    private(set) var slots: [(id: String, record: Record?)] = []
    private var index: [String: Int] = [:]

    /// The live record with `id`; setting nil removes it.
    subscript(id: String) -> Record? {
        get { index[id].flatMap { slots[$0].record } }
        set {
            if let i = index[id] {
                slots[i].record = newValue
            } else if let newValue {
                index[id] = slots.count
                slots.append((id, newValue))
            }
        }
    }

    /// The live records in order.
    var live: [(id: String, record: Record)] {
        slots.compactMap { slot in slot.record.map { (slot.id, $0) } }
    }
}

/// A document of the state, with the origin id it was written with and, for a duplicated id, the
/// second record written right after it.
struct StoredDocument {
    var record: DocumentRecord
    var origin: String?
    var twin: DocumentRecord?

    /// Whether the checker sets it aside (a failing key field or a duplicated id).
    var quarantined: Bool { (record.defect?.quarantines ?? 0) > 0 }
}

/// A visit of the state and, for a duplicated id, the second visit written right after it.
struct StoredVisit {
    var record: VisitRecord
    var twin: VisitRecord?

    var quarantined: Bool { (record.defect?.quarantines ?? 0) > 0 }
}

/// Where a record was last written: the export's index in the series (0 the full export, then each
/// delta, then the final full export) and the line of its start tag.
struct RecordSource {
    let export: Int
    let line: Int
}

/// Everything a series' legacy system holds on a night: what the full export wrote, with each night's
/// changes applied. Held in memory, so a series is for exports of up to a few thousand families.
///
/// Built from the same households, in the same order and with the same ids, as ``ExportGenerator``
/// writes them, so the state of night 0 is exactly the full export.
struct SeriesState {
    let organisation: Organisation
    let ids: IdScheme
    var people = OrderedRecords<PersonRecord>()
    var families = OrderedRecords<FamilyRecord>()
    var documents = OrderedRecords<StoredDocument>()
    var plans = OrderedRecords<PlanRecord>()
    var visits = OrderedRecords<StoredVisit>()
    /// The numbers of the next new document, plan and visit.
    var nextDocument: Int
    var nextPlan: Int
    var nextVisit: Int
    /// New children per household so far: each takes one of ``newChildSlots``.
    var newChildren: [Int: Int] = [:]
    /// Where each record was last written, keyed by ``ExportWriter/key(_:_:)``.
    var sources: [String: RecordSource] = [:]

    /// Child slots the base households never use.
    static let newChildSlots = [5, 7]

    init(options: GeneratorOptions, factory: DocumentFactory, organisation: Organisation) {
        self.organisation = organisation
        let ids = IdScheme(families: options.families)
        self.ids = ids
        var documentsSoFar = 0, originsSoFar = 0, plansSoFar = 0, visitsSoFar = 0
        for unit in 0..<options.families {
            let household = Household(
                unit: unit, seed: options.seed, ids: ids, organisation: organisation, defectRate: options.defectRate)
            for person in household.people { people[person.id] = person }
            families[household.family.id] = household.family

            let written = household.documents(factory: factory, defectRate: options.defectRate)
            for d in written.documents where !d.notWritten {
                let id = IdScheme.document(documentsSoFar + d.local + 1)
                if d.isDuplicate {
                    documents[id]?.twin = d
                } else {
                    let origin = d.origin.map { IdScheme.origin(originsSoFar + $0 + 1, on: d.date) }
                    documents[id] = StoredDocument(record: d, origin: origin, twin: nil)
                }
            }
            documentsSoFar += written.ids
            originsSoFar += written.origins

            let plans = household.plans(defectRate: options.defectRate)
            for plan in plans { self.plans[IdScheme.plan(plansSoFar + plan.local + 1)] = plan }
            plansSoFar += plans.count

            let (visits, count) = household.visits(defectRate: options.defectRate)
            for visit in visits {
                let id = IdScheme.visit(visitsSoFar + visit.local + 1)
                if visit.isDuplicate {
                    self.visits[id]?.twin = visit
                } else {
                    self.visits[id] = StoredVisit(record: visit, twin: nil)
                }
            }
            visitsSoFar += count
        }
        nextDocument = documentsSoFar + 1
        nextPlan = plansSoFar + 1
        nextVisit = visitsSoFar + 1
    }

    /// Notes where an export wrote its records.
    mutating func wrote(export: Int, lines: [String: Int]) {
        for (key, line) in lines { sources[key] = RecordSource(export: export, line: line) }
    }

    /// The household a family id names (`F-000001` is household 0).
    static func unit(ofFamily id: String) -> Int { Int(id.dropFirst(2))! - 1 }

    /// Writes every live record, in state order, section by section.
    func writeAll(_ writer: ExportWriter) throws {
        try writer.write(organisation: organisation)
        try write(writer, only: nil)
    }

    /// Writes the People, Families, Documents, Plans and Visits sections: every live record, or only
    /// those whose ids are in `only` (sections with nothing to write are left out).
    func write(_ writer: ExportWriter, only: NightChanges?) throws {
        func section<R>(_ name: String, _ records: OrderedRecords<R>, _ chosen: Set<String>?,
                        _ write: (String, R) throws -> Void) throws {
            let rows = records.live.filter { chosen?.contains($0.id) ?? true }
            guard only == nil || !rows.isEmpty else { return }
            try writer.open(name)
            for row in rows { try write(row.id, row.record) }
            try writer.close(name)
        }
        try section("People", people, only?.people) { _, person in try writer.write(person: person) }
        try section("Families", families, only?.families) { _, family in try writer.write(family: family) }
        try section("Documents", documents, only?.documents) { id, stored in
            try writer.write(document: stored.record, id: id, origin: stored.origin)
            if let twin = stored.twin { try writer.write(document: twin, id: id, origin: nil) }
        }
        try section("Plans", plans, only?.plans) { id, plan in try writer.write(plan: plan, id: id) }
        try section("Visits", visits, only?.visits) { id, stored in
            try writer.write(visit: stored.record, id: id)
            if let twin = stored.twin { try writer.write(visit: twin, id: id) }
        }
    }
}
