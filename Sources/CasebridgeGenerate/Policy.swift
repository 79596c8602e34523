import CasebridgeModel

/// The default policy of `docs/rules.md`, as the generator reckons with it.
enum Policy {
    /// Upload limit in working days, by document type.
    static let uploadLimit: [String: Int] = [
        "STRAT": 2, "ICPC": 15, "RCPC": 15, "CGM": 5, "FAMASS": 10, "PLOLET": 2, "VISIT": 3, "ASSESS": 5,
        "CINPLAN": 5, "CPPLAN": 5, "DIRECT": 5, "SUPERV": 5, "CHRON": 10, "LETTER": 5,
    ]

    /// Types that require the child's voice.
    static let childsVoice: Set<String> = ["FAMASS", "VISIT", "ASSESS", "CINPLAN", "CPPLAN", "DIRECT"]

    /// Required sections other than ChildsVoice, by type.
    static let otherSections: [String: [String]] = ["PLOLET": ["Timescales"], "SUPERV": ["Reflection", "ActionsReview"]]

    /// Visit limit in working days, by open status code.
    static let visitLimit: [String: Int] = ["CP": 10, "CIN": 20, "LAC": 30]

    /// Whether `text` (as written, before XML decoding) is blank. The generator writes blank
    /// sections only with literal whitespace, never with character references.
    static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
    }

    /// The status open on the as-of date, and whether a child with `statuses` and `visits` (all
    /// valid, all the child's own) is overdue a visit.
    static func visitOverdue(statuses: [StatusRecord], visits: [CivilDate], asOf: CivilDate = Calendar2019.asOf) -> Bool {
        for status in statuses where status.from <= asOf && (status.to.map { $0 >= asOf } ?? true) {
            let seen = visits.filter { $0 >= status.from && $0 <= asOf }.max() ?? status.from
            if WorkCalendar.workingDays(seen, asOf) > visitLimit[status.code]! { return true }
        }
        return false
    }
}
