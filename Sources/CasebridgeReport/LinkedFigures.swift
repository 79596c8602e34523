import CasebridgeModel

extension ReportFigures {
    /// Every figure the report shows, by `data-figure` key, and the relations between them that a
    /// reader can see: the severities add up to the total and each severity's rules to it; each team's
    /// severities add up to its total, the teams' cells to each severity and their totals to the
    /// total; the age buckets add up to the total; each run's open gaps are the run before's plus its
    /// new less its resolved, and the reported run's open gaps are the total; the missing copies are
    /// the findings of `family-document-missing`. Only relations that hold are listed.
    public var linkedFigures: (values: [String: Int], relations: [FigureRelation]) {
        var values: [String: Int] = [
            "headline.childrenWithCriticalGaps": headline.childrenWithCriticalGaps,
            "headline.missingFamilyCopies": headline.missingFamilyCopies,
            "headline.familyDocumentsWithMissingCopies": headline.familyDocumentsWithMissingCopies,
            "headline.childrenMissingCopies": headline.childrenMissingCopies,
            "headline.familiesMissingCopies": headline.familiesMissingCopies,
            "total": total,
            QuarantineCount.jsonKey: quarantined,
        ]
        var relations: [FigureRelation] = []
        let severities = Severity.allCases
        for severity in severities { values[Self.severityKey(severity)] = bySeverity[severity.rank] }
        relations.append(.sum("total = severities", total: "total", parts: severities.map(Self.severityKey)))

        for rule in byRule { values[Self.ruleKey(rule.rule)] = rule.count }
        relations.append(.sum("total = rules", total: "total", parts: byRule.map { Self.ruleKey($0.rule) }))
        for severity in severities {
            let rules = byRule.filter { $0.severity == severity.rawValue }.map { Self.ruleKey($0.rule) }
            relations.append(.sum("\(severity.rawValue) = its rules", total: Self.severityKey(severity), parts: rules))
        }
        if values[Self.ruleKey("family-document-missing")] != nil {
            relations.append(.sum("missing copies = family-document-missing", total: Self.ruleKey("family-document-missing"),
                                  parts: ["headline.missingFamilyCopies"]))
        }

        for team in byTeam {
            let key = Self.teamKey(team.team)
            values[key + ".total"] = team.total
            for severity in severities { values[key + "." + severity.rawValue] = team.bySeverity[severity.rank] }
            relations.append(.sum("team \(team.team ?? DirectorReport.noTeamKey) row", total: key + ".total",
                                  parts: severities.map { key + "." + $0.rawValue }))
        }
        for severity in severities {
            relations.append(.sum("teams' \(severity.rawValue)", total: Self.severityKey(severity),
                                  parts: byTeam.map { Self.teamKey($0.team) + "." + severity.rawValue }))
        }
        relations.append(.sum("total = teams", total: "total", parts: byTeam.map { Self.teamKey($0.team) + ".total" }))

        for (index, bucket) in AgeBucket.allCases.enumerated() { values["age." + bucket.rawValue] = byAge[index] }
        relations.append(.sum("total = ages", total: "total", parts: AgeBucket.allCases.map { "age." + $0.rawValue }))

        for (index, point) in trend.enumerated() {
            let key = "trend.\(point.run)"
            values[key + ".open"] = point.open
            values[key + ".new"] = point.new
            values[key + ".resolved"] = point.resolved
            var terms = [FigureRelation.Term(key + ".open", 1), .init(key + ".new", -1), .init(key + ".resolved", 1)]
            if index > 0 { terms.append(.init("trend.\(trend[index - 1].run).open", -1)) }
            relations.append(FigureRelation("run \(point.run) open = before + new - resolved", terms: terms, total: key + ".open"))
        }
        if let last = trend.last { relations.append(.sum("run \(last.run) open = total", total: "total", parts: ["trend.\(last.run).open"])) }

        for family in topFamilies {
            let key = "family.\(family.pseudonym)"
            values[key + ".gaps"] = family.gaps
            values[key + ".critical"] = family.critical
            values[key + ".children"] = family.children
        }
        return (values, relations.filter { $0.holds(values) })
    }

    static func severityKey(_ severity: Severity) -> String { "severity." + severity.rawValue }
    static func ruleKey(_ rule: String) -> String { "rule." + rule }
    static func teamKey(_ team: String?) -> String { "team." + (team ?? DirectorReport.noTeamKey) }
}
