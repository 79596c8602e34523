import CasebridgeModel
import CasebridgeStore

/// `outcome-not-timebound`: an outcome with no date by which it should be achieved.
public struct OutcomeNotTimeboundRule: IntegrityRule {
    public static let description = RuleDescription(
        id: "outcome-not-timebound", severity: .medium, keyFields: ["plan", "outcome"],
        wording: RuleWording(
            summary: "An Outcome of a plan has no non-blank targetDate.",
            gap: "An outcome of a plan has no target date",
            action: { "Give outcome \($0[field: "outcome"]) of plan \($0[field: "plan"]) a target date." }),
        triggering: [
            RuleExample("an outcome with no target date",
                        Fixture.oneChild + Fixture.plans(Fixture.plan("PL-1", person: "C-1", outcomes: [("O-1", "2019-12-01"), ("O-2", nil)])),
                        expect: [["PL-1", "O-2"]]),
            RuleExample("a blank target date is missing",
                        Fixture.oneChild + Fixture.plans(Fixture.plan("PL-1", person: "C-1", outcomes: [("O-1", " ")])),
                        expect: [["PL-1", "O-1"]]),
        ],
        nonTriggering: [
            RuleExample("every outcome timebound", Fixture.oneChild + Fixture.plans(Fixture.plan("PL-1", person: "C-1"))),
            RuleExample("an invalid target date is present (and invalid-value's)", Fixture.oneChild
                + Fixture.plans(Fixture.plan("PL-1", person: "C-1", outcomes: [("O-1", "by Christmas")]))),
            RuleExample("outcomes of a quarantined plan are not judged", Fixture.oneChild + Fixture.plans(
                Fixture.plan("PL-1", person: "C-1", outcomes: [("O-1", nil)]), Fixture.plan("PL-1", person: "C-1", outcomes: [("O-1", nil)]))),
        ])

    public static let subject: FindingSubject? = .record(.plan, field: "plan")

    public init() {}

    public func findings(in context: RuleContext) throws -> [Finding] {
        try context.database.mapRows("""
            SELECT o.plan, o.id, o.line, p.person FROM stg_outcome o LEFT JOIN stg_plan p ON p.rid = o.owner_rid
            WHERE o.quarantined = 0 AND o.targetDate IS NULL AND o.targetDate_bad IS NULL
            """) { row in
            let plan = row["plan"] ?? "?", outcome = row["id"] ?? "?"
            return Finding(
                rule: Self.description.id, severity: Self.description.severity,
                key: [FindingField("plan", plan), FindingField("outcome", outcome)],
                context: RecordContext.fields(child: row["person"]),
                message: "outcome \(outcome) of plan \(plan) has no target date",
                source: context.source(line: row.int("line")))
        }
    }
}
