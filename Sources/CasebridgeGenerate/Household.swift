import CasebridgeModel

/// The teams and workers of the authority, shared by every household.
struct Organisation {
    let teams: [TeamRecord]
    let workers: [WorkerRecord]

    init(seed: UInt64, families: Int) {
        var rng = Xoshiro256StarStar(seed: seed, unit: -1, stream: .organisation)
        teams = Vocabulary.teams.map { TeamRecord(id: $0.id, name: xmlText($0.name)) }
        let count = max(6, families / 6 + 4)
        var workers: [WorkerRecord] = []
        workers.reserveCapacity(count)
        for i in 0..<count {
            let name = rng.pick(Vocabulary.workerForenames) + " " + rng.pick(Vocabulary.workerSurnames)
            workers.append(WorkerRecord(
                id: "W-" + padded(i + 1, 4), team: teams[i % teams.count].id,
                name: xmlText(name, charRefs: rng.chance(0.1)), role: rng.pick(Vocabulary.workerRoles)))
        }
        self.workers = workers
    }
}

/// One phase of a household's case: the status every child of the household holds during it.
struct Phase {
    let code: String
    let from: CivilDate
    let to: CivilDate?
}

/// What the documents, plans and visits of one of the household's own children hang on.
struct ChildCase {
    let person: String
    /// The child's forename as plain text (for CDATA) and as XML text.
    let forename: String
    let forenameXML: String
    let statuses: [StatusRecord]
    /// Ascending; for a child with an open status the last falls in ``Calendar2019/recentVisits``.
    var visits: [CivilDate]
}

/// One household: a family, its people, the phases of its case and each child's statuses and visit dates.
///
/// A household is a pure function of (seed, index): the export is written in sections (people,
/// families, documents, plans, visits) and each section regenerates the households it needs, so
/// memory holds one household at a time whatever the size of the export. Documents, plans and visits
/// draw from their own random streams (see ``RandomStream``), so only the section that writes them
/// pays for them.
struct Household {
    static let childSlots = 8
    static let adultSlots = 4

    let unit: Int
    let seed: UInt64
    let family: FamilyRecord
    let people: [PersonRecord]
    let cases: [ChildCase]
    let phases: [Phase]
    let worker: WorkerRecord
    let charRefs: Bool

    /// The birth date of a household's first child, which the next household may need (a child in two
    /// families) without generating this one.
    static func anchorBirth(seed: UInt64, unit: Int) -> CivilDate {
        var rng = Xoshiro256StarStar(seed: seed, unit: unit, stream: .anchor)
        return rng.date(CivilDate(year: 2003, month: 1, day: 1)...CivilDate(year: 2017, month: 12, day: 31))
    }

    init(unit: Int, seed: UInt64, ids: IdScheme, organisation: Organisation, defectRate: Double) {
        self.unit = unit
        self.seed = seed
        var rng = Xoshiro256StarStar(seed: seed, unit: unit, stream: .core)
        let familyId = IdScheme.family(unit: unit)
        let charRefs = rng.chance(0.15)
        self.charRefs = charRefs
        func xml(_ s: String) -> String { xmlText(s, charRefs: charRefs) }
        let surname = rng.pick(Vocabulary.surnames)
        let formed = rng.date(CivilDate(year: 2000, month: 1, day: 1)...CivilDate(year: 2016, month: 12, day: 31))
        let ethnicity = rng.pick(Vocabulary.ethnicities)
        let latestJoin = CivilDate(year: 2019, month: 8, day: 1)

        var people: [PersonRecord] = []
        var members: [MemberRecord] = []
        func adult(slot: Int, forename: String, surname: String, gender: String) -> PersonRecord {
            let born = rng.chance(0.7)
                ? rng.date(CivilDate(year: 1970, month: 1, day: 1)...CivilDate(year: 1999, month: 12, day: 31)).iso
                : nil
            return PersonRecord(
                id: ids.adult(unit: unit, slot: slot), kind: "adult", forename: xml(forename),
                surname: xml(surname), birthDate: born, gender: gender,
                ethnicity: rng.chance(0.8) ? ethnicity : rng.pick(Vocabulary.ethnicities),
                allocation: nil, statuses: [], lastModified: "")
        }

        // Parents, and sometimes a grandparent or carer.
        let mother = adult(slot: 0, forename: rng.pick(Vocabulary.women), surname: surname, gender: "2")
        people.append(mother)
        members.append(MemberRecord(person: mother.id, role: "parent", from: formed, to: nil))
        var familyName = surname + " household"
        if rng.chance(0.7) {
            let otherSurname = rng.chance(0.7) ? surname : rng.pick(Vocabulary.surnames)
            let father = adult(slot: 1, forename: rng.pick(Vocabulary.men), surname: otherSurname, gender: "1")
            people.append(father)
            let from = min(formed + rng.int(0...400), latestJoin)
            var to: CivilDate? = nil
            if rng.chance(0.2) {
                let left = from + rng.int(200...3000)
                if left <= latestJoin { to = left }
            }
            members.append(MemberRecord(person: father.id, role: "parent", from: from, to: to))
            if otherSurname != surname { familyName = "\(surname) & \(otherSurname) household" }
        }
        if rng.chance(0.15) {
            let grandparent = adult(
                slot: 2, forename: rng.pick(Vocabulary.women), surname: rng.pick([surname, rng.pick(Vocabulary.surnames)]),
                gender: rng.chance(0.9) ? "2" : "9")
            people.append(grandparent)
            members.append(MemberRecord(
                person: grandparent.id, role: rng.chance(0.5) ? "other" : "carer",
                from: rng.date(CivilDate(year: 2010, month: 1, day: 1)...CivilDate(year: 2019, month: 6, day: 30)), to: nil))
        }
        if unit > 0, rng.chance(0.04) {
            // A parent of the previous household who also lives here: one person, two families.
            members.append(MemberRecord(
                person: ids.adult(unit: unit - 1, slot: 0), role: "parent",
                from: rng.date(CivilDate(year: 2014, month: 1, day: 1)...CivilDate(year: 2019, month: 6, day: 30)), to: nil))
        }

        // Children: born before or into the household, some joining later, some leaving.
        var ownChildren: [(person: Int, member: Int, birth: CivilDate, forename: String)] = []
        let childCount = 1 + rng.weighted([30, 30, 22, 12, 6])
        for slot in 0..<childCount {
            let birth = slot == 0
                ? Household.anchorBirth(seed: seed, unit: unit)
                : rng.date(max(formed - 3 * 365, CivilDate(year: 2002, month: 1, day: 1))...CivilDate(year: 2019, month: 7, day: 31))
            let girl = rng.chance(0.5)
            let forename = rng.pick(girl ? Vocabulary.girls : Vocabulary.boys)
            let gender = rng.chance(0.05) ? rng.pick(["0", "9"]) : (girl ? "2" : "1")
            var from = max(birth, formed)
            if rng.chance(0.15) {
                let joined = birth + rng.int(365...1800)
                if joined > from, joined <= latestJoin { from = joined }
            }
            var to: CivilDate? = nil
            if rng.chance(0.12) {
                let left = from + rng.int(120...1500)
                if left <= CivilDate(year: 2019, month: 8, day: 15) { to = left }
            }
            people.append(PersonRecord(
                id: ids.child(unit: unit, slot: slot), kind: "child", forename: xml(forename),
                surname: xml(rng.chance(0.85) ? surname : rng.pick(Vocabulary.surnames)),
                birthDate: birth.iso, gender: gender,
                ethnicity: rng.chance(0.9) ? ethnicity : rng.pick(Vocabulary.ethnicities),
                allocation: nil, statuses: [], lastModified: ""))
            members.append(MemberRecord(person: people[people.count - 1].id, role: "child", from: from, to: to))
            ownChildren.append((people.count - 1, members.count - 1, birth, forename))
        }
        if rng.chance(0.12) {
            // An unborn child: a member (role child) with no birth date, who needs family documents too.
            let id = ids.child(unit: unit, slot: 6)
            people.append(PersonRecord(
                id: id, kind: "unborn", forename: "Unborn", surname: xml(surname), birthDate: nil,
                gender: "0", ethnicity: ethnicity, allocation: nil, statuses: [], lastModified: ""))
            members.append(MemberRecord(
                person: id, role: "child",
                from: rng.date(CivilDate(year: 2018, month: 12, day: 1)...CivilDate(year: 2019, month: 8, day: 25)), to: nil))
        }
        if unit > 0, rng.chance(0.05) {
            // The previous household's first child, who also lives here for a while.
            let birth = Household.anchorBirth(seed: seed, unit: unit - 1)
            let from = max(birth + 30, Calendar2019.firstEvent) + rng.int(0...900)
            if from <= latestJoin {
                var to: CivilDate? = nil
                if rng.chance(0.4) {
                    let left = from + rng.int(60...400)
                    if left <= CivilDate(year: 2019, month: 8, day: 28) { to = left }
                }
                members.append(MemberRecord(person: ids.child(unit: unit - 1, slot: 0), role: "child", from: from, to: to))
            }
        }

        // The case: a sequence of phases (CIN, CP, LAC), the last open if it reaches the present.
        var phases: [Phase] = []
        if rng.chance(0.85) {
            let start = rng.date(Calendar2019.firstEvent...CivilDate(year: 2019, month: 7, day: 31))
            let paths = [["CIN"], ["CIN", "CP"], ["CIN", "CP", "LAC"], ["CP"], ["CP", "CIN"], ["LAC"], ["CIN", "CP", "CIN"]]
            let path = paths[rng.weighted([35, 20, 8, 12, 12, 5, 8])]
            var cursor = start
            for code in path {
                guard cursor <= Calendar2019.latestStatusStart else { break }
                let length: Int
                switch code {
                case "CIN": length = rng.int(90...420)
                case "CP": length = rng.int(120...540)
                default: length = rng.int(180...900)
                }
                let end = cursor + (length - 1)
                if end >= Calendar2019.latestStatusStart {
                    phases.append(Phase(code: code, from: cursor, to: nil))
                    break
                }
                phases.append(Phase(code: code, from: cursor, to: end))
                cursor = end + 1
            }
        }
        self.phases = phases
        // The allocated worker comes from a team that holds cases of the first phase's kind.
        let teams: [String]
        switch phases.first?.code {
        case "CP": teams = ["T-CP-N", "T-CP-S"]
        case "LAC": teams = ["T-LAC"]
        case "CIN": teams = ["T-CIN-E", "T-CIN-W", "T-AAI", "T-DCT"]
        default: teams = []
        }
        let fitting = organisation.workers.filter { teams.contains($0.team) }
        let worker = rng.pick(fitting.isEmpty ? organisation.workers : fitting)
        self.worker = worker

        // Each own child's statuses are the phases within their time in the household.
        var cases: [ChildCase] = []
        for child in ownChildren {
            let member = members[child.member]
            let childStart = max(member.from, child.birth)
            var statuses: [StatusRecord] = []
            for phase in phases {
                let from = max(phase.from, childStart)
                let to: CivilDate?
                switch (phase.to, member.to) {
                case let (a?, b?): to = min(a, b)
                case let (a?, nil): to = a
                case let (nil, b?): to = b
                case (nil, nil): to = nil
                }
                if let to, to < from { continue }
                if to == nil, from > Calendar2019.latestStatusStart { continue }
                statuses.append(StatusRecord(code: phase.code, from: from, to: to))
            }
            var visits: [CivilDate] = []
            for status in statuses {
                var day = status.from + rng.int(2...10)
                let end = status.to ?? Calendar2019.lastRoutineVisit
                while day <= end {
                    visits.append(day)
                    day = day + rng.int(14...45)
                }
                if status.to == nil { visits.append(rng.date(Calendar2019.recentVisits)) }
            }
            if let first = statuses.first {
                people[child.person].allocation = AllocationRecord(team: worker.team, worker: worker.id, from: first.from)
            }
            people[child.person].statuses = statuses
            if !statuses.isEmpty {
                cases.append(ChildCase(
                    person: people[child.person].id, forename: child.forename, forenameXML: xml(child.forename),
                    statuses: statuses, visits: visits))
            }
        }

        for i in people.indices {
            // Modified on or after the last change it records.
            var latest = CivilDate(year: 2018, month: 1, day: 1)
            for status in people[i].statuses { latest = max(latest, status.to ?? status.from) }
            let day = rng.date(latest...Calendar2019.lastEvent)
            people[i].lastModified = timestamp(day, rng.int(7...20), rng.int(0...59), rng.int(0...59))
        }

        // Defects on people and members, from their own stream.
        var defects = Xoshiro256StarStar(seed: seed, unit: unit, stream: .coreDefects)
        for i in people.indices {
            let applicable = PersonDefect.allCases.filter { $0.applies(to: people[i]) }
            if !applicable.isEmpty, defects.chance(defectRate) {
                let defect = defects.pick(
                    applicable, preferring: [.visitsStopped, .visitsStoppedAtLimit, .noVisitSinceStatusStart], 0.6)
                defect.apply(to: &people[i])
                people[i].defect = defect
                if defect.isVisitDefect, let c = cases.firstIndex(where: { $0.person == people[i].id }) {
                    cases[c].visits = defect.visits(cases[c].visits, person: people[i], rng: &defects)
                    people[i].visitOverdue = Policy.visitOverdue(statuses: people[i].statuses, visits: cases[c].visits)
                }
            }
        }
        self.cases = cases
        for i in members.indices {
            let applicable = MemberDefect.allCases.filter { $0.applies(to: members[i]) }
            guard !applicable.isEmpty else { continue }
            members[i].eligible = true
            if defects.chance(defectRate) {
                let defect = defects.pick(applicable)
                defect.apply(to: &members[i], unit: unit, index: i)
                members[i].defect = defect
            }
        }
        self.people = people
        self.family = FamilyRecord(id: familyId, name: xml(familyName), members: members)
    }
}
