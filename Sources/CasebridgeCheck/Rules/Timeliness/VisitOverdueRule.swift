import CasebridgeModel
import CasebridgeStore

/// `visit-overdue`: a child with an open status who has not been visited within the policy's limit.
public struct VisitOverdueRule: IntegrityRule {
    static func child(_ statuses: String) -> String {
        Fixture.people(Fixture.person("C-1", statuses: statuses))
    }

    public static let description = RuleDescription(
        id: "visit-overdue", severity: .high, keyFields: ["child"],
        wording: RuleWording(
            summary: "A child with a status open on the as-of date has had no visit within the policy's working-day "
                + "limit for that status, counting from the latest visit since the status began (or its start).",
            gap: "A child with an open status has not been visited in time",
            action: { "Visit \($0.child) and record the visit, or record why the status is no longer open." }),
        triggering: [
            RuleExample("a child on a plan last visited eleven working days ago (limit 10)",
                        child("<Status code=\"CP\" from=\"2019-06-01\"/>") + Fixture.visits(Fixture.visit("V-1", person: "C-1", date: "2019-08-16")),
                        expect: [["C-1"]]),
            RuleExample("no visit since the status began counts from its start",
                        child("<Status code=\"CIN\" from=\"2019-08-01\"/>"),
                        expect: [["C-1"]]),
            RuleExample("a visit after the as-of date does not count",
                        child("<Status code=\"CP\" from=\"2019-06-01\"/>")
                            + Fixture.visits(Fixture.visit("V-1", person: "C-1", date: "2019-08-01"), Fixture.visit("V-2", person: "C-1", date: "2019-09-10")),
                        expect: [["C-1"]]),
            RuleExample("a quarantined visit does not count",
                        child("<Status code=\"CP\" from=\"2019-06-01\"/>")
                            + Fixture.visits(Fixture.visit("V-1", person: "C-1", date: "2019-08-30"), Fixture.visit("V-1", person: "C-1", date: "2019-08-30")),
                        expect: [["C-1"]]),
            RuleExample("two open statuses, one overdue: one finding",
                        child("<Status code=\"CIN\" from=\"2019-01-01\"/><Status code=\"CP\" from=\"2019-07-01\"/>")
                            + Fixture.visits(Fixture.visit("V-1", person: "C-1", date: "2019-08-16")),
                        expect: [["C-1"]]),
        ],
        nonTriggering: [
            RuleExample("visited exactly ten working days ago, over a bank holiday",
                        child("<Status code=\"CP\" from=\"2019-06-01\"/>") + Fixture.visits(Fixture.visit("V-1", person: "C-1", date: "2019-08-19"))),
            RuleExample("a closed status needs no visits", child("<Status code=\"CP\" from=\"2019-01-01\" to=\"2019-05-31\"/>")),
            RuleExample("a status open until the as-of date itself, recently begun",
                        child("<Status code=\"CP\" from=\"2019-08-30\" to=\"2019-09-03\"/>")),
            RuleExample("each open status judged from its own start",
                        child("<Status code=\"CIN\" from=\"2019-01-01\"/><Status code=\"CP\" from=\"2019-08-30\"/>")
                            + Fixture.visits(Fixture.visit("V-1", person: "C-1", date: "2019-08-05"))),
            RuleExample("a status with a bad date is ignored", child("<Status code=\"CP\" from=\"2019-13-01\"/>")),
            RuleExample("a quarantined child is not judged",
                        child("<Status code=\"CP\" from=\"2019-06-01\"/>") + Fixture.people(Fixture.person("C-1"))),
            RuleExample("a child in care visited within thirty working days",
                        child("<Status code=\"LAC\" from=\"2018-01-01\"/>") + Fixture.visits(Fixture.visit("V-1", person: "C-1", date: "2019-07-25"))),
        ])

    public init() {}

    public func findings(in context: RuleContext) throws -> [Finding] {
        guard let asOf = context.asOf else { return [] }
        var seen = Set<String>()
        return try context.database.mapRows("""
            WITH open_statuses AS (
                SELECT p.id AS child, p.line, s.code, s."from",
                       coalesce((SELECT max(v.date) FROM stg_visit v
                                 WHERE v.person = p.id AND v.quarantined = 0 AND v.date >= s."from" AND v.date <= ?1), s."from") AS seen
                FROM stg_status s JOIN stg_person p ON p.rid = s.owner_rid
                WHERE p.quarantined = 0 AND s.code IS NOT NULL AND s."from" IS NOT NULL AND s.from_bad IS NULL AND s.to_bad IS NULL
                  AND s."from" <= ?1 AND (s."to" IS NULL OR s."to" >= ?1))
            SELECT o.child, o.line, o.code, o.seen, a.working_upto - r.working_upto AS working_days, l.within
            FROM open_statuses o
            JOIN policy_visit l ON l.code = o.code
            JOIN policy_calendar r ON r.day = o.seen
            JOIN policy_calendar a ON a.day = ?1
            WHERE a.working_upto - r.working_upto > l.within
            ORDER BY o.child, working_days - l.within DESC
            """, [.text(asOf)]) { row in
            let child = row["child"] ?? "?"
            guard seen.insert(child).inserted else { return nil }
            let since = row["seen"].flatMap(CivilDate.init(iso:))?.uk ?? "?"
            return Finding(
                rule: Self.description.id, severity: Self.description.severity,
                key: [FindingField("child", child)],
                message: "\(child) (\(row["code"] ?? "?")) has not been visited since \(since): \(row.int("working_days") ?? 0) working days "
                    + "by the as-of date; the limit is \(row.int("within") ?? 0)",
                source: context.source(line: row.int("line")))
        }
    }
}
