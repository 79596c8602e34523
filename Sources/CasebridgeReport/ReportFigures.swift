import CasebridgeModel

/// How long a gap has been open: weeks from its event date to the run's as-of date.
public enum AgeBucket: String, CaseIterable, Sendable {
    case under4 = "under-4-weeks"
    case from4to12 = "4-to-12-weeks"
    case from12to26 = "12-to-26-weeks"
    case from26to52 = "26-to-52-weeks"
    case over52 = "52-weeks-or-more"
    case unknown = "no-event-date"

    /// How a person reads the bucket.
    public var label: String {
        switch self {
        case .under4: return "under 4 weeks"
        case .from4to12: return "4 to 12 weeks"
        case .from12to26: return "12 to 26 weeks"
        case .from26to52: return "26 to 52 weeks"
        case .over52: return "52 weeks or more"
        case .unknown: return "no event date"
        }
    }

    /// A short label for a chart's axis.
    public var shortLabel: String {
        switch self {
        case .under4: return "under 4"
        case .from4to12: return "4–12"
        case .from12to26: return "12–26"
        case .from26to52: return "26–52"
        case .over52: return "52 or more"
        case .unknown: return "no date"
        }
    }

    /// The bucket of a gap whose event was on `event`, seen on `asOf` (days: under 28, 84, 182, 364, or more).
    /// An event after the as-of date counts as under 4 weeks.
    public init(event: CivilDate?, asOf: CivilDate?) {
        guard let event, let asOf else { self = .unknown; return }
        let days = asOf.daysSinceEpoch - event.daysSinceEpoch
        switch days {
        case ..<28: self = .under4
        case ..<84: self = .from4to12
        case ..<182: self = .from12to26
        case ..<364: self = .from26to52
        default: self = .over52
        }
    }
}

/// The figures of one report, computed once from ``ReportData`` and shown by every output.
public struct ReportFigures: Sendable {
    /// The figures a director asks for first, worded as `check` words them.
    public struct Headline: Sendable, Equatable {
        /// Children named by at least one critical finding (its `child` field, or the Person record it
        /// concerns), as `check` counts them, so both give the same figure for one export.
        public var childrenWithCriticalGaps: Int
        /// `family-document-missing` findings: one per copy a child should hold and does not.
        public var missingFamilyCopies: Int
        /// Family documents (origins) with at least one copy missing.
        public var familyDocumentsWithMissingCopies: Int
        /// Children missing at least one copy.
        public var childrenMissingCopies: Int
        /// Families whose documents are missing from at least one child.
        public var familiesMissingCopies: Int
    }

    /// Findings of one rule.
    public struct RuleCount: Sendable, Equatable {
        public var rule: String
        public var severity: String
        public var count: Int
    }

    /// Findings of one team (`nil`: no team holds the child, or the gap concerns no child).
    public struct TeamCount: Sendable, Equatable {
        public var team: String?
        public var total: Int
        /// Per severity, in `Severity.allCases` order.
        public var bySeverity: [Int]
    }

    /// Findings that name one family.
    public struct FamilyCount: Sendable, Equatable {
        public var pseudonym: String
        public var gaps: Int
        public var critical: Int
        /// Children named by those findings.
        public var children: Int
    }

    public var headline: Headline
    public var total: Int
    /// Per severity, in `Severity.allCases` order.
    public var bySeverity: [Int]
    /// Critical first, then most findings first, then by rule id.
    public var byRule: [RuleCount]
    /// Most findings first, then by team id; the team-less last.
    public var byTeam: [TeamCount]
    /// Every bucket, in `AgeBucket.allCases` order.
    public var byAge: [Int]
    public var trend: [TrendPoint]
    /// The families named by the most findings (at most ``topFamilyCount``): most first, then by pseudonym.
    public var topFamilies: [FamilyCount]
    /// The records in quarantine after the run (``QuarantineCount``).
    public var quarantined: Int

    /// How many families the report lists.
    public static let topFamilyCount = 10

    /// Counts everything the report shows from the data of one run.
    public init(_ data: ReportData, pseudonyms: Pseudonyms) {
        let findings = data.findings
        let critical = Severity.critical.rawValue
        let missing = findings.filter { $0.rule == "family-document-missing" }
        headline = Headline(
            childrenWithCriticalGaps: Set(findings.filter { $0.severity == critical }.compactMap(\.namedChild)).count,
            missingFamilyCopies: missing.count,
            familyDocumentsWithMissingCopies: Set(missing.compactMap { $0.fields["origin"] }).count,
            childrenMissingCopies: Set(missing.compactMap(\.child)).count,
            familiesMissingCopies: Set(missing.compactMap(\.family)).count)
        total = findings.count
        bySeverity = Severity.allCases.map { severity in findings.count(where: { $0.severity == severity.rawValue }) }

        var rules: [String: RuleCount] = [:]
        for finding in findings { rules[finding.rule, default: RuleCount(rule: finding.rule, severity: finding.severity, count: 0)].count += 1 }
        byRule = rules.values.sorted { a, b in
            let ra = Severity(rawValue: a.severity)?.rank ?? 9, rb = Severity(rawValue: b.severity)?.rank ?? 9
            if ra != rb { return ra < rb }
            return a.count != b.count ? a.count > b.count : a.rule < b.rule
        }

        var teams: [String?: TeamCount] = [:]
        for finding in findings {
            var count = teams[finding.team] ?? TeamCount(team: finding.team, total: 0, bySeverity: Array(repeating: 0, count: Severity.allCases.count))
            count.total += 1
            if let index = Severity.allCases.firstIndex(where: { $0.rawValue == finding.severity }) { count.bySeverity[index] += 1 }
            teams[finding.team] = count
        }
        byTeam = teams.values.sorted { a, b in
            if (a.team == nil) != (b.team == nil) { return b.team == nil }
            return a.total != b.total ? a.total > b.total : (a.team ?? "") < (b.team ?? "")
        }

        byAge = AgeBucket.allCases.map { bucket in
            findings.count(where: { AgeBucket(event: $0.eventDate, asOf: data.run.asOf) == bucket })
        }
        trend = data.trend

        var families: [String: (gaps: Int, critical: Int, children: Set<String>)] = [:]
        for finding in findings {
            guard let family = finding.family else { continue }
            var entry = families[family] ?? (0, 0, [])
            entry.gaps += 1
            if finding.severity == critical { entry.critical += 1 }
            if let child = finding.child { entry.children.insert(child) }
            families[family] = entry
        }
        topFamilies = Array(families.map { id, entry in
            FamilyCount(pseudonym: pseudonyms.family(id), gaps: entry.gaps, critical: entry.critical, children: entry.children.count)
        }.sorted { a, b in a.gaps != b.gaps ? a.gaps > b.gaps : a.pseudonym < b.pseudonym }.prefix(Self.topFamilyCount))
        quarantined = data.quarantined
    }
}

extension ReportFigures {
    /// The figures in the order a report with `counts` lists them. With small counts suppressed, a
    /// list sorted by count would rank its hidden rows against each other, and so tell them apart
    /// (three hidden rows in falling order below a shown 5 are 4, 3 and 2): hidden rows follow the
    /// shown ones of their group, by id, rules within their severity, the team-less row still last.
    public func ordered(for counts: SmallCounts) -> ReportFigures {
        guard counts.suppress else { return self }
        var out = self
        func hiddenLast<T>(_ list: [T], hidden: (T) -> Bool, group: (T) -> Int, id: (T) -> String) -> [T] {
            let indexed = list.enumerated().map { (offset: $0.offset, element: $0.element, hidden: hidden($0.element)) }
            return indexed.sorted { a, b in
                let ga = group(a.element), gb = group(b.element)
                if ga != gb { return ga < gb }
                if a.hidden != b.hidden { return !a.hidden }
                return a.hidden ? id(a.element) < id(b.element) : a.offset < b.offset
            }.map(\.element)
        }
        out.byRule = hiddenLast(byRule, hidden: { counts.hides(Self.ruleKey($0.rule), $0.count) },
                                group: { Severity(rawValue: $0.severity)?.rank ?? Severity.allCases.count }, id: \.rule)
        out.byTeam = hiddenLast(byTeam, hidden: { counts.hides(Self.teamKey($0.team) + ".total", $0.total) },
                                group: { $0.team == nil ? 1 : 0 }, id: { $0.team ?? "" })
        out.topFamilies = hiddenLast(topFamilies, hidden: { counts.hides("family.\($0.pseudonym).gaps", $0.gaps) },
                                     group: { _ in 0 }, id: \.pseudonym)
        return out
    }
}
