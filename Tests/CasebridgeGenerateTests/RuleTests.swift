@testable import CasebridgeGenerate
import CasebridgeModel
import Foundation
import Testing

@Suite struct `Working days and London dates` {
    func holidays(_ year: Int) -> [String] { WorkCalendar.bankHolidays(year).map(\.iso) }

    @Test func `bank holidays, substitute days and one-offs`() {
        #expect(holidays(2010) == ["2010-01-01", "2010-04-02", "2010-04-05", "2010-05-03", "2010-05-31", "2010-08-30", "2010-12-27", "2010-12-28"])
        #expect(holidays(2011) == ["2011-01-03", "2011-04-22", "2011-04-25", "2011-04-29", "2011-05-02", "2011-05-30", "2011-08-29", "2011-12-26", "2011-12-27"])
        #expect(holidays(2012) == ["2012-01-02", "2012-04-06", "2012-04-09", "2012-05-07", "2012-06-04", "2012-06-05", "2012-08-27", "2012-12-25", "2012-12-26"])
        #expect(holidays(2020) == ["2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31", "2020-12-25", "2020-12-28"])
        #expect(holidays(2021) == ["2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30", "2021-12-27", "2021-12-28"])
        #expect(holidays(2022) == ["2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"])
        #expect(holidays(2023) == ["2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26"])
        #expect(holidays(2027).suffix(2) == ["2027-12-27", "2027-12-28"])
        for year in 2015...2019 {
            #expect(Set(holidays(year)) == MiniCheck.bankHolidays.filter { $0.hasPrefix("\(year)") }, "\(year)")
        }
        for year in WorkCalendar.years { #expect(holidays(year).count >= 8) }
    }

    @Test func `working days count after the first day up to the second`() {
        func d(_ s: String) -> CivilDate { CivilDate(iso: s)! }
        #expect(WorkCalendar.workingDays(d("2019-08-23"), d("2019-08-27")) == 1)  // bank holiday Monday
        #expect(WorkCalendar.workingDays(d("2021-12-24"), d("2021-12-29")) == 1)  // Christmas at a weekend
        #expect(WorkCalendar.workingDays(d("2022-12-23"), d("2022-12-28")) == 1)
        #expect(WorkCalendar.workingDays(d("2019-09-03"), d("2019-09-03")) == 0)
        #expect(WorkCalendar.workingDays(d("2019-09-04"), d("2019-09-03")) == 0)
        #expect(WorkCalendar.workingDay(1, after: d("2016-12-23")) == d("2016-12-28"))
        for n in 1...20 {
            let start = d("2019-04-12")
            #expect(WorkCalendar.workingDays(start, WorkCalendar.workingDay(n, after: start)) == n)
            #expect(MiniCheck.workingDays(start, WorkCalendar.workingDay(n, after: start)) == n)
        }
    }

    @Test func `the London date agrees with the time zone database`() {
        var day = CivilDate(year: 2015, month: 1, day: 1)
        while day.year < 2020 {
            for (hour, minute) in [(0, 30), (0, 59), (1, 0), (12, 0), (23, 0), (23, 30)] {
                let mine = WorkCalendar.londonDate(day, hour: hour, minute: minute)
                #expect(mine == MiniCheck.londonDate(timestamp(day, hour, minute, 0)), "\(day) \(hour):\(minute)")
            }
            day = day + 1
        }
    }
}

/// A 200-household export at the defect rate of 0.08, generated and read once.
struct Planted: Sendable {
    let expected: [String: Int]
    let quarantined: Int
    let export: ParsedExport
    let check: MiniCheck

    static let shared: Result<Planted, any Error> = Result {
        let g = try Generated(testOptions(families: 200, seed: 8, defectRate: 0.08))
        defer { g.remove() }
        var expected: [String: Int] = [:]
        for f in try g.expectedFindings() { expected[identity(f)] = (f["source"] as! [String: Any])["line"] as? Int }
        let export = try g.parsed()
        return Planted(expected: expected, quarantined: g.summary.quarantined, export: export,
                       check: MiniCheck(export, folder: g.folder))
    }

    func keys(_ rule: String) -> [[String]] {
        expected.keys.filter { $0.hasPrefix(rule + "|") }.map { $0.split(separator: "|", omittingEmptySubsequences: false).dropFirst().map(String.init) }
    }
}

@Suite struct `The nine rules, planted` {
    let p: Planted
    init() throws { p = try Planted.shared.get() }
    var documents: [String: Element] { Dictionary(p.export.documents.map { ($0["id"]!, $0) }, uniquingKeysWith: { a, _ in a }) }

    @Test func `expected findings are what an independent reading finds, at 200 households`() {
        let missing = Set(p.check.findings.keys).subtracting(p.expected.keys).sorted()
        let extra = Set(p.expected.keys).subtracting(p.check.findings.keys).sorted()
        #expect(missing.isEmpty, "found but not expected: \(missing.prefix(10))")
        #expect(extra.isEmpty, "expected but not found: \(extra.prefix(10))")
        for (key, line) in p.expected where p.check.findings[key] != nil {
            #expect(p.check.findings[key] == line, "line of \(key)")
        }
        #expect(p.check.violations.isEmpty, "\(p.check.violations.prefix(10))")
        #expect(p.quarantined == p.check.quarantined)
    }

    @Test func `every rule has findings`() {
        for rule in ExportGenerator.rulesCovered { #expect(!p.keys(rule).isEmpty, "\(rule)") }
    }

    @Test func `family copies go missing by partial upload, on unborn children too, and by quarantine`() {
        let people = Dictionary(uniqueKeysWithValues: p.export.people.map { ($0["id"]!, $0) })
        let missing = p.keys("family-document-missing")
        #expect(missing.contains { people[$0[1]]?["kind"] == "unborn" }, "an unborn child's copy")
        // A copy that is in the file but quarantined by a duplicated id.
        let duplicated = Set(p.keys("duplicate-id").filter { $0[0] == "Document" }.map { $0[1] })
        let quarantinedCopies = p.export.documents.filter { $0["scope"] == "family" && duplicated.contains($0["id"]!) }
        #expect(!quarantinedCopies.isEmpty)
        for copy in quarantinedCopies {
            #expect(p.expected["family-document-missing|\(copy["origin"]!)|\(copy["person"]!)"] != nil)
        }
        // A copy that is not in the file at all.
        let written = Set(p.export.documents.filter { $0["scope"] == "family" }.map { "\($0["origin"]!)|\($0["person"]!)" })
        #expect(missing.contains { !written.contains("\($0[0])|\($0[1])") })
    }

    @Test func `replicas diverge by version and by content, with and without a majority`() {
        let docs = documents
        var byOrigin: [String: [Element]] = [:]
        for d in p.export.documents where d["scope"] == "family" { byOrigin[d["origin"]!, default: []].append(d) }
        let flagged = Set(p.keys("replica-diverges").map { $0[0] })
        let origins = Set(flagged.map { docs[$0]!["origin"]! })
        // A stale copy, one with no version attribute (version 1 by default).
        #expect(flagged.contains { docs[$0]!["version"] == nil })
        #expect(flagged.contains { id in byOrigin[docs[id]!["origin"]!]!.contains { Int($0["version"] ?? "1")! > Int(docs[id]!["version"] ?? "1")! } })
        // One minority copy among three or more; two copies that differ, both findings.
        #expect(origins.contains { o in byOrigin[o]!.count >= 3 && byOrigin[o]!.filter { flagged.contains($0["id"]!) }.count == 1 })
        #expect(origins.contains { o in byOrigin[o]!.count == 2 && byOrigin[o]!.allSatisfy { flagged.contains($0["id"]!) } })
    }

    @Test func `late uploads: over the limit by day and by night, and on it`() {
        let docs = documents
        let late = Set(p.keys("late-upload").map { $0[0] })
        var overByOne = 0, night = 0, atLimitLate = 0, nightAtLimit = 0, overHoliday = 0
        for d in p.export.documents {
            guard let up = d.child("UploadedAt"), let event = CivilDate(iso: ValueFormat.ukDate.normalise(d.child("EventDate")!) ?? "") else { continue }
            let london = MiniCheck.londonDate(up)!
            guard let limit = MiniCheck.uploadLimits[d["type"]!] else { continue }
            let n = MiniCheck.workingDays(event, london)
            if n == limit + 1 { overByOne += 1; #expect(late.contains(d["id"]!)) }
            if n == limit, london.daysSinceEpoch - event.daysSinceEpoch > limit {
                atLimitLate += 1  // more calendar days than the limit, still on time
                #expect(!late.contains(d["id"]!))
            }
            if up.contains("T23:30") {
                if n > limit { night += 1 } else if n == limit { nightAtLimit += 1 }
            }
            if n > limit, (1...(london.daysSinceEpoch - event.daysSinceEpoch)).contains(where: {
                MiniCheck.bankHolidays.contains(event.adding(days: $0).iso) }) { overHoliday += 1 }
        }
        #expect(overByOne > 0 && atLimitLate > 0 && night > 0 && nightAtLimit > 0 && overHoliday > 0,
                "\(overByOne) \(atLimitLate) \(night) \(nightAtLimit) \(overHoliday)")
        #expect(late.allSatisfy { docs[$0] != nil })
    }

    @Test func `sections: dropped and blank, on child and family documents`() {
        let docs = documents
        let voice = p.keys("childs-voice-missing").map { docs[$0[0]]! }
        #expect(voice.contains { $0.all("Section").contains { $0["name"] == "ChildsVoice" } }, "blank")
        #expect(voice.contains { !$0.all("Section").contains { $0["name"] == "ChildsVoice" } }, "dropped")
        #expect(voice.contains { $0["scope"] == "family" })
        let sections = p.keys("required-section-missing")
        #expect(Set(sections.map { $0[1] }) == ["Reflection", "ActionsReview", "Timescales"])
        let superv = Dictionary(grouping: sections.filter { $0[1] != "Timescales" }, by: { $0[0] })
        #expect(superv.values.contains { $0.count == 2 }, "both sections of one supervision")
    }

    @Test func `plans: no outcomes, untimed outcomes, reviews overdue and on the day`() {
        let plans = Dictionary(uniqueKeysWithValues: p.export.plans.map { ($0["id"]!, $0) })
        #expect(!p.keys("plan-without-outcomes").isEmpty)
        let untimed = p.keys("outcome-not-timebound").map { key in plans[key[0]]!.all("Outcome").first { $0["id"] == key[1] }! }
        #expect(untimed.contains { $0["targetDate"] == nil })
        #expect(untimed.contains { $0["targetDate"] != nil })  // blank: missing, not invalid
        #expect(!p.expected.keys.contains { $0.hasPrefix("invalid-value|Outcome|") })
        let overdue = Set(p.keys("plan-review-overdue").map { $0[0] })
        #expect(!overdue.isEmpty)
        let today = p.export.plans.filter { $0["end"] == nil && $0["reviewDue"] == "2019-09-03" }
        #expect(!today.isEmpty && today.allSatisfy { !overdue.contains($0["id"]!) })
        let closedPast = p.export.plans.filter { $0["end"] != nil && ($0["reviewDue"] ?? "9") < "2019-09-03" }
        #expect(!closedPast.isEmpty && closedPast.allSatisfy { !overdue.contains($0["id"]!) })
    }

    @Test func `visits: overdue by one working day or more, and exactly at the limit`() {
        let overdue = Set(p.keys("visit-overdue").map { $0[0] })
        var visits: [String: [CivilDate]] = [:]
        for v in p.export.visits { if let d = CivilDate(iso: v["date"]!) { visits[v["person"]!, default: []].append(d) } }
        let asOf = MiniCheck.asOf
        var atLimit = 0, overByOne = 0, noVisit = 0
        for person in p.export.people {
            for s in person.all("Status") where s["to"] == nil {
                let from = CivilDate(iso: s["from"]!)!
                let seen = (visits[person["id"]!] ?? []).filter { $0 >= from && $0 <= asOf }.max()
                let n = MiniCheck.workingDays(seen ?? from, asOf), limit = MiniCheck.visitLimits[s["code"]!]!
                if n == limit { atLimit += 1; #expect(!overdue.contains(person["id"]!)) }
                if n == limit + 1 { overByOne += 1; #expect(overdue.contains(person["id"]!)) }
                if seen == nil, n > limit { noVisit += 1 }
            }
        }
        #expect(atLimit > 0 && overByOne > 0 && noVisit > 0, "\(atLimit) \(overByOne) \(noVisit)")
    }
}
