import CasebridgeModel
import CasebridgeStore

/// `plan-review-overdue`: an open plan whose review date has passed.
public struct PlanReviewOverdueRule: IntegrityRule {
    public static let description = RuleDescription(
        id: "plan-review-overdue", severity: .medium, keyFields: ["plan"],
        wording: RuleWording(
            summary: "The plan has no end and its reviewDue is before the as-of date.",
            gap: "An open plan is past its review date",
            action: { "Review plan \($0[field: "plan"]) for \($0.child)\($0.date.map { " (due \($0))" } ?? "") and record the review, or end the plan." }),
        triggering: [
            RuleExample("an open plan whose review fell due the day before",
                        Fixture.oneChild + Fixture.plans(Fixture.plan("PL-1", person: "C-1", reviewDue: "2019-09-02")),
                        expect: [["PL-1"]]),
        ],
        nonTriggering: [
            RuleExample("a review due on the as-of date is not yet overdue",
                        Fixture.oneChild + Fixture.plans(Fixture.plan("PL-1", person: "C-1", reviewDue: "2019-09-03"))),
            RuleExample("a closed plan", Fixture.oneChild + Fixture.plans(Fixture.plan("PL-1", person: "C-1", end: "2019-08-01", reviewDue: "2019-07-01"))),
            RuleExample("an invalid end still closes the plan",
                        Fixture.oneChild + Fixture.plans(Fixture.plan("PL-1", person: "C-1", end: "ended", reviewDue: "2019-07-01"))),
            RuleExample("no review date", Fixture.oneChild + Fixture.plans(Fixture.plan("PL-1", person: "C-1", reviewDue: nil))),
            RuleExample("the as-of date is London's: 23:30 UTC on 2 September in summer is 3 September",
                        Fixture.oneChild + Fixture.plans(Fixture.plan("PL-1", person: "C-1", reviewDue: "2019-09-03"))),
        ])

    public init() {}

    public func findings(in context: RuleContext) throws -> [Finding] {
        guard let asOf = context.asOf else { return [] }
        return try context.database.mapRows("""
            SELECT id, person, type, reviewDue, line FROM stg_plan
            WHERE quarantined = 0 AND "end" IS NULL AND end_bad IS NULL AND reviewDue < ?
            """, [.text(asOf)]) { row in
            let id = row["id"] ?? "?"
            let due = row["reviewDue"].flatMap(CivilDate.init(iso:))?.uk ?? "?"
            return Finding(
                rule: Self.description.id, severity: Self.description.severity,
                key: [FindingField("plan", id)], context: RecordContext.fields(child: row["person"]),
                message: "\(row["type"] ?? "") plan \(id) for \(row["person"] ?? "?") was due for review on \(due) and is still open",
                source: context.source(line: row.int("line")))
        }
    }
}
