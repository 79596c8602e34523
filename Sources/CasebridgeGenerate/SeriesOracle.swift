import CasebridgeModel

/// The findings a correct checker must report over the state a series' target holds on a night: the
/// generator's own reckoning, from what it knows of the state, never from Casebridge's rules.
///
/// Findings that a record makes by itself come from the defect planted on it (``PersonDefect``,
/// ``DocumentDefect``, …), as for a single export. Findings that depend on the as-of date or on other
/// records are worked out from the state, because a night's changes move them: missing and divergent
/// copies (``OriginRules``), uploads and their timeliness, visits against open statuses, plan reviews,
/// outcomes, and references to people who are not there. Over the state of night 0 it gives exactly
/// the full export's expected findings.
struct SeriesOracle {
    let state: SeriesState
    let asOf: CivilDate
    /// The folder of each export of the series, by index; sources are named relative to `viewpoint`'s.
    let folders: [String]
    let viewpoint: Int
    /// Where records were written; the state's own sources unless given.
    var sources: [String: RecordSource]

    init(state: SeriesState, asOf: CivilDate, folders: [String], viewpoint: Int, sources: [String: RecordSource]? = nil) {
        self.state = state
        self.asOf = asOf
        self.folders = folders
        self.viewpoint = viewpoint
        self.sources = sources ?? state.sources
    }

    /// Defects whose findings the oracle works out from the state instead.
    private static let documentDefectsFromState: Set<DocumentDefect> = [
        .notUploaded, .missingPerson, .uploadedOneDayLate, .uploadedDaysLate, .uploadedLateAtNight,
        .uploadedAtLimit, .uploadedAtLimitAtNight, .childsVoiceDropped, .childsVoiceBlank, .sectionDropped,
        .sectionBlank, .copyNotWritten, .staleVersion, .divergentContent,
    ]

    /// Records not written yet (made tonight) come last.
    private func fileOrder(_ key: String) -> (Int, Int) {
        guard let source = sources[key] else { return (Int.max, 0) }
        return (source.export, source.line)
    }

    /// The file and line of record `key`, the file relative to the viewpoint's folder.
    func place(_ key: String) -> SourceLocation {
        let source = sources[key]!
        let file = source.export == viewpoint ? Expect.file : "../\(folders[source.export])/\(Expect.file)"
        return SourceLocation(file: file, line: source.line)
    }

    private func placed(_ kind: RecordKind, _ id: String, _ findings: [Finding]) -> [Finding] {
        let location = place(ExportWriter.key(kind, id))
        return findings.map { finding in
            var finding = finding
            finding.source = location
            return finding
        }
    }

    /// The valid, unquarantined visit dates of each person.
    private var visitDates: [String: [CivilDate]] {
        var out: [String: [CivilDate]] = [:]
        for (_, stored) in state.visits.live where !stored.quarantined {
            if let date = CivilDate(iso: stored.record.date) { out[stored.record.person, default: []].append(date) }
        }
        return out
    }

    /// The London date of a `yyyy-MM-ddTHH:mm:ssZ` timestamp the generator wrote.
    static func londonDate(_ timestamp: String) -> CivilDate? {
        let utf8 = Array(timestamp.utf8)
        guard utf8.count >= 17, let date = CivilDate(iso: String(timestamp.prefix(10))),
              let hour = Int(String(decoding: utf8[11..<13], as: UTF8.self)),
              let minute = Int(String(decoding: utf8[14..<16], as: UTF8.self)) else { return nil }
        return WorkCalendar.londonDate(date, hour: hour, minute: minute)
    }

    /// The origins of the live, unquarantined family copies, each with its copies in file order.
    func origins() -> [(origin: String, copies: [(id: String, record: DocumentRecord)])] {
        var byOrigin: [String: [(id: String, record: DocumentRecord)]] = [:]
        var seen: [String] = []
        for (id, stored) in state.documents.live where !stored.quarantined {
            guard let origin = stored.origin else { continue }
            if byOrigin[origin] == nil { seen.append(origin) }
            byOrigin[origin, default: []].append((id, stored.record))
        }
        return seen.map { origin in
            (origin, byOrigin[origin]!.sorted {
                fileOrder(ExportWriter.key(.document, $0.id)) < fileOrder(ExportWriter.key(.document, $1.id))
            })
        }
    }

    /// The children (Persons of the state) who were child members of `family` on `date`.
    func children(of family: String, on date: CivilDate) -> [String] {
        guard let record = state.families[family] else { return [] }
        return record.members.filter { $0.isChild(on: date) && state.people[$0.person] != nil }.map(\.person)
    }

    /// The findings, record counts and quarantined records of the state.
    func document(header: ExportHeader) -> FindingsDocument {
        var findings: [Finding] = []
        var counts: [RecordKind: Int] = [:]
        var quarantined = 0
        func count(_ kind: RecordKind, _ n: Int = 1) { counts[kind, default: 0] += n }
        count(.team, state.organisation.teams.count)
        count(.worker, state.organisation.workers.count)

        let dates = visitDates
        for (id, person) in state.people.live {
            count(.person)
            count(.status, person.statuses.count)
            if person.allocation != nil { count(.allocation) }
            if let defect = person.defect, !defect.isVisitDefect {
                findings += placed(.person, id, defect.findings(person, line: 0))
            }
            if !person.statuses.isEmpty, Policy.visitOverdue(statuses: person.statuses, visits: dates[id] ?? [], asOf: asOf) {
                findings += placed(.person, id, [Expect.visitOverdue(id, line: 0)])
            }
        }

        for (id, family) in state.families.live {
            count(.family)
            for member in family.members {
                count(.member)
                if state.people[member.person] == nil {
                    let memberId = "\(id)/\(member.person)"
                    findings += placed(.member, memberId, [Expect.orphan(.member, memberId, person: member.person, line: 0)])
                }
            }
        }

        for (id, stored) in state.documents.live {
            for d in [stored.record] + (stored.twin.map { [$0] } ?? []) {
                count(.document)
                count(.part, d.parts.count)
                count(.section, d.sections.count)
            }
            let d = stored.record
            if stored.quarantined {
                quarantined += ([d] + (stored.twin.map { [$0] } ?? [])).reduce(0) { $0 + $1.recordsInQuarantine }
            }
            if let defect = d.defect {
                if !Self.documentDefectsFromState.contains(defect) {
                    findings += placed(.document, id, defect.findings(d, id: id, origin: stored.origin, line: 0))
                }
            }
            if stored.quarantined { continue }
            var own: [Finding] = []
            if state.people[d.person] == nil { own.append(Expect.orphan(.document, id, person: d.person, line: 0)) }
            if let uploaded = d.uploadedAt {
                if let limit = Policy.uploadLimit[d.type], let london = Self.londonDate(uploaded) {
                    let days = WorkCalendar.workingDays(d.date, london)
                    if days > limit {
                        own.append(Expect.lateUpload(id, type: d.type, event: d.date, uploaded: london, days: days, line: 0))
                    }
                }
            } else {
                own.append(Expect.notUploaded(id, line: 0))
            }
            own += Expect.sections(d, id: id, line: 0)
            findings += placed(.document, id, own)
        }
        for (origin, copies) in origins() {
            let first = copies[0].record
            findings += OriginRules.findings(
                origin: origin, type: first.type, date: first.date, family: first.family!,
                children: children(of: first.family!, on: first.date),
                copies: copies.map { copy in
                    OriginCopy(id: copy.id, person: copy.record.person, version: Int(copy.record.version ?? "1")!,
                               manifestSha256: copy.record.manifest?.sha256,
                               source: place(ExportWriter.key(.document, copy.id)))
                })
        }

        for (id, plan) in state.plans.live {
            count(.plan)
            count(.outcome, plan.outcomes.count)
            count(.action, plan.actions.count)
            if let defect = plan.defect, defect == .reviewDueNotADate {
                findings += placed(.plan, id, defect.findings(plan, id: id, line: 0, outcomeLines: []))
            }
            var own: [Finding] = []
            if state.people[plan.person] == nil { own.append(Expect.orphan(.plan, id, person: plan.person, line: 0)) }
            if plan.outcomes.isEmpty { own.append(Expect.planWithoutOutcomes(id, line: 0)) }
            if plan.end == nil, let due = plan.reviewDue.flatMap({ CivilDate(iso: $0.trimmingCharacters(in: .whitespaces)) }),
               due < asOf {
                own.append(Expect.planReviewOverdue(id, due: plan.reviewDue!, line: 0))
            }
            findings += placed(.plan, id, own)
            for outcome in plan.outcomes where (outcome.targetDate ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                findings += placed(.outcome, "\(id)/\(outcome.id)", [Expect.outcomeNotTimebound(id, outcome.id, line: 0)])
            }
        }

        for (id, stored) in state.visits.live {
            count(.visit, stored.twin == nil ? 1 : 2)
            let visit = stored.record
            if let defect = visit.defect {
                quarantined += defect.quarantines
                if defect != .missingPerson { findings += placed(.visit, id, defect.findings(visit, id: id, line: 0)) }
            }
            if !stored.quarantined, state.people[visit.person] == nil {
                findings += placed(.visit, id, [Expect.orphan(.visit, id, person: visit.person, line: 0)])
            }
        }

        var records: [String: Int] = [:]
        for kind in RecordKind.allCases { records[kind.rawValue] = counts[kind] ?? 0 }
        return FindingsDocument(
            export: header, recordCounts: records, quarantined: quarantined, findings: findings,
            rulesRun: ExportGenerator.rulesCovered)
    }
}
