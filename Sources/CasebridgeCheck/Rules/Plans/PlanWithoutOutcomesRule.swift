import CasebridgeModel
import CasebridgeStore

/// `plan-without-outcomes`: a plan that lists tasks but no outcome for the child ("overly task-focused").
public struct PlanWithoutOutcomesRule: IntegrityRule {
    public static let description = RuleDescription(
        id: "plan-without-outcomes", severity: .high, keyFields: ["plan"],
        wording: RuleWording(
            summary: "The plan has no Outcome.",
            gap: "A plan sets no outcome for the child",
            action: { "Add at least one outcome, with a target date, to plan \($0[field: "plan"]) for \($0.child)." }),
        triggering: [
            RuleExample("a plan with no outcome", Fixture.oneChild + Fixture.plans(Fixture.plan("PL-1", person: "C-1", outcomes: [])),
                        expect: [["PL-1"]]),
        ],
        nonTriggering: [
            RuleExample("a plan with an outcome", Fixture.oneChild + Fixture.plans(Fixture.plan("PL-1", person: "C-1"))),
            RuleExample("an outcome with no target date is still an outcome",
                        Fixture.oneChild + Fixture.plans(Fixture.plan("PL-1", person: "C-1", outcomes: [("O-1", nil)]))),
            RuleExample("a quarantined plan is not judged", Fixture.oneChild + Fixture.plans(
                Fixture.plan("PL-1", person: "C-1", outcomes: []), Fixture.plan("PL-1", person: "C-1", outcomes: []))),
        ])

    public static let subject: FindingSubject? = .record(.plan, field: "plan")

    public init() {}

    public func findings(in context: RuleContext) throws -> [Finding] {
        try context.database.mapRows("""
            SELECT p.id, p.person, p.type, p.line FROM stg_plan p
            WHERE p.quarantined = 0 AND NOT EXISTS (SELECT 1 FROM stg_outcome o WHERE o.owner_rid = p.rid)
            """) { row in
            let id = row["id"] ?? "?"
            return Finding(
                rule: Self.description.id, severity: Self.description.severity,
                key: [FindingField("plan", id)], context: RecordContext.fields(child: row["person"]),
                message: "\(row["type"] ?? "") plan \(id) for \(row["person"] ?? "?") sets no outcome for the child",
                source: context.source(line: row.int("line")))
        }
    }
}
