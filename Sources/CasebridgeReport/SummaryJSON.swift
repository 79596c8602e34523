import CasebridgeModel

/// `summary.json`: the report's figures for dashboards, keys in a fixed order. Counts are numbers,
/// or, when small counts are suppressed, the string "fewer than 5" or "withheld" (``SmallCounts``). Families appear by pseudonym.
///
/// ```json
/// {"format": "casebridge-report-summary", "version": 1, "run": {"id": 2, "asOf": "2019-09-03", …},
///  "headline": {"childrenWithCriticalGaps": 145, …}, "total": 661, "bySeverity": {…}, "byRule": [...], …}
/// ```
public enum SummaryJSON {
    /// The document for `figures` of `data`.
    public static func document(_ data: ReportData, _ figures: ReportFigures, counts: SmallCounts) -> JSONValue {
        let run = data.run
        let h = figures.headline
        func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        return .object([
            ("format", .string("casebridge-report-summary")),
            ("version", .int(1)),
            ("run", .object([
                ("id", .int(run.id)), ("asOf", optional(run.asOf?.iso)), ("exportId", optional(run.exportId)),
                ("sequence", run.sequence.map(JSONValue.int) ?? .null), ("exportedAt", optional(run.exportedAt)),
                ("loadedAt", optional(run.finishedAt)),
            ])),
            ("smallCountsSuppressed", .bool(counts.suppress)),
            ("headline", .object([
                ("childrenWithCriticalGaps", counts.json("headline.childrenWithCriticalGaps", h.childrenWithCriticalGaps)),
                ("missingFamilyCopies", counts.json("headline.missingFamilyCopies", h.missingFamilyCopies)),
                ("familyDocumentsWithMissingCopies", counts.json("headline.familyDocumentsWithMissingCopies", h.familyDocumentsWithMissingCopies)),
                ("childrenMissingCopies", counts.json("headline.childrenMissingCopies", h.childrenMissingCopies)),
                ("familiesMissingCopies", counts.json("headline.familiesMissingCopies", h.familiesMissingCopies)),
            ])),
            ("total", counts.json("total", figures.total)),
            (QuarantineCount.jsonKey, counts.json(QuarantineCount.jsonKey, figures.quarantined)),
            ("bySeverity", .object(Severity.allCases.map { ($0.rawValue, counts.json("severity.\($0.rawValue)", figures.bySeverity[$0.rank])) })),
            ("byRule", .array(figures.byRule.map { rule in
                .object([("rule", .string(rule.rule)), ("severity", .string(rule.severity)), ("count", counts.json("rule.\(rule.rule)", rule.count))])
            })),
            ("byTeam", .array(figures.byTeam.map { team in
                let key = "team.\(team.team ?? DirectorReport.noTeamKey)"
                return .object([("team", optional(team.team)), ("total", counts.json(key + ".total", team.total))]
                    + Severity.allCases.map { ($0.rawValue, counts.json(key + "." + $0.rawValue, team.bySeverity[$0.rank])) })
            })),
            ("byAge", .array(AgeBucket.allCases.enumerated().map { index, bucket in
                .object([("bucket", .string(bucket.rawValue)), ("label", .string(bucket.label)),
                         ("count", counts.json("age.\(bucket.rawValue)", figures.byAge[index]))])
            })),
            ("trend", .array(figures.trend.map { point in
                let key = "trend.\(point.run)"
                return .object([
                    ("run", .int(point.run)), ("asOf", optional(point.asOf?.iso)), ("open", counts.json(key + ".open", point.open)),
                    ("new", counts.json(key + ".new", point.new)), ("resolved", counts.json(key + ".resolved", point.resolved)),
                ])
            })),
            ("topFamilies", .array(figures.topFamilies.map { family in
                let key = "family.\(family.pseudonym)"
                return .object([
                    ("family", .string(family.pseudonym)), ("gaps", counts.json(key + ".gaps", family.gaps)),
                    ("critical", counts.json(key + ".critical", family.critical)), ("children", counts.json(key + ".children", family.children)),
                ])
            })),
        ])
    }
}
