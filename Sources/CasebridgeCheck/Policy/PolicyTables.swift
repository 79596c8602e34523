import CasebridgeModel
import CasebridgeStore

extension Policy {
    /// The first and last days of the working-day table: wide enough for any record a council holds.
    static let calendarSpan = (CivilDate(year: 1990, month: 1, day: 1), CivilDate(year: 2060, month: 12, day: 31))

    /// The span's days as ISO dates, made once a process: every policy's calendar names the same days, and
    /// formatting them was most of writing a calendar (in a debug build, a fifth of checking a small export).
    private static let calendarDays: [String] = {
        let (first, last) = calendarSpan
        return (first.daysSinceEpoch...last.daysSinceEpoch).map { CivilDate(daysSinceEpoch: $0).iso }
    }()

    /// Writes the policy into the staging database, so that set-based rules can join it: the policy
    /// tables of ``StagingTable`` (`policy_type`, `policy_section`, `policy_visit`, `policy_calendar`, where
    /// workingDays(a, b) = `b.working_upto - a.working_upto` when b > a).
    ///
    /// A staging that holds this very policy already (a kept staging a delta continues) keeps its tables.
    public func install(into database: Database) throws {
        let installed = try database.hasTable(StagingTable.policyInstalled.name)
            ? try database.scalar("SELECT contents FROM \(StagingTable.policyInstalled)")?.string : nil
        if installed == contents { return }
        let tables: [StagingTable] = [.policyType, .policySection, .policyVisit, .policyCalendar]
        try database.execute(tables.map(\.recreate).joined(separator: "\n") + StagingTable.policyInstalled.drop)
        try database.transaction {
            for type in documentTypes {
                try database.execute("INSERT INTO \(StagingTable.policyType) VALUES (?, ?, ?)",
                                     [.text(type.code), .integer(Int64(type.uploadWithinWorkingDays)), .text(type.description)])
                for section in type.requiredSections {
                    try database.execute("INSERT INTO \(StagingTable.policySection) VALUES (?, ?)", [.text(type.code), .text(section)])
                }
            }
            for (code, days) in visitWithinWorkingDays {
                try database.execute("INSERT INTO \(StagingTable.policyVisit) VALUES (?, ?)", [.text(code), .integer(Int64(days))])
            }
            let (first, last) = Self.calendarSpan
            var upto = calendar.workingDaysUpTo(first.adding(days: -1))
            let insert = try database.prepare("INSERT INTO \(StagingTable.policyCalendar) VALUES (?, ?)")
            for (day, iso) in zip(first.daysSinceEpoch...last.daysSinceEpoch, Self.calendarDays) {
                if calendar.isWorkingDay(CivilDate(daysSinceEpoch: day)) { upto += 1 }
                insert.reset()
                try insert.bind(.text(iso), at: 1)
                try insert.bind(.integer(Int64(upto)), at: 2)
                try insert.step()
            }
            try database.execute(StagingTable.policyInstalled.create)
            try database.execute("INSERT INTO \(StagingTable.policyInstalled) (contents) VALUES (?)", [.text(contents)])
        }
    }

    /// Everything the policy tables are built from, as one text: two policies with the same text build
    /// the same tables.
    var contents: String {
        let types = documentTypes.sorted { $0.code < $1.code }.map {
            "\($0.code)|\($0.uploadWithinWorkingDays)|\($0.description)|\($0.requiredSections.sorted().joined(separator: ","))"
        }
        let visits = visitWithinWorkingDays.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let (first, last) = Self.calendarSpan
        return ["tables 1", types.joined(separator: ";"), childsVoiceSection, visits.joined(separator: ";"),
                calendar.bankHolidays.map(\.iso).joined(separator: ","), "\(first.iso)...\(last.iso)"].joined(separator: "\n")
    }
}
