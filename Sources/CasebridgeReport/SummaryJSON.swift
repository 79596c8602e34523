import CasebridgeModel

/// `summary.json`: the report's figures for dashboards, keys in a fixed order. Counts are numbers,
/// or the string "fewer than 5" when small counts are suppressed. Families appear by pseudonym.
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
                ("childrenWithCriticalGaps", counts.json(h.childrenWithCriticalGaps)),
                ("missingFamilyCopies", counts.json(h.missingFamilyCopies)),
                ("familyDocumentsWithMissingCopies", counts.json(h.familyDocumentsWithMissingCopies)),
                ("childrenMissingCopies", counts.json(h.childrenMissingCopies)),
                ("familiesMissingCopies", counts.json(h.familiesMissingCopies)),
            ])),
            ("total", counts.json(figures.total)),
            ("quarantined", counts.json(figures.quarantined)),
            ("bySeverity", .object(Severity.allCases.map { ($0.rawValue, counts.json(figures.bySeverity[$0.rank])) })),
            ("byRule", .array(figures.byRule.map { rule in
                .object([("rule", .string(rule.rule)), ("severity", .string(rule.severity)), ("count", counts.json(rule.count))])
            })),
            ("byTeam", .array(figures.byTeam.map { team in
                .object([("team", optional(team.team)), ("total", counts.json(team.total))]
                    + Severity.allCases.map { ($0.rawValue, counts.json(team.bySeverity[$0.rank])) })
            })),
            ("byAge", .array(AgeBucket.allCases.enumerated().map { index, bucket in
                .object([("bucket", .string(bucket.rawValue)), ("label", .string(bucket.label)), ("count", counts.json(figures.byAge[index]))])
            })),
            ("trend", .array(figures.trend.map { point in
                .object([
                    ("run", .int(point.run)), ("asOf", optional(point.asOf?.iso)), ("open", counts.json(point.open)),
                    ("new", counts.json(point.new)), ("resolved", counts.json(point.resolved)),
                ])
            })),
            ("topFamilies", .array(figures.topFamilies.map { family in
                .object([
                    ("family", .string(family.pseudonym)), ("gaps", counts.json(family.gaps)),
                    ("critical", counts.json(family.critical)), ("children", counts.json(family.children)),
                ])
            })),
        ])
    }
}
