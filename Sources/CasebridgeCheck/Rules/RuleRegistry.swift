/// Every rule Casebridge runs, in the order `casebridge rules` lists them. Adding a rule is one file
/// and one line here.
public enum RuleRegistry {
    public static let all: [any IntegrityRule] = [
        FamilyDocumentMissingRule(),
        DocumentNotUploadedRule(),
        DocumentIncompleteRule(),
        ReplicaDivergesRule(),
        LateUploadRule(),
        VisitOverdueRule(),
        ChildsVoiceMissingRule(),
        RequiredSectionMissingRule(),
        PlanWithoutOutcomesRule(),
        OutcomeNotTimeboundRule(),
        PlanReviewOverdueRule(),
        OrphanReferenceRule(),
        DuplicateIdRule(),
        InvalidValueRule(),
    ]

    /// The rule with id `id`.
    public static func rule(_ id: String) -> (any IntegrityRule)? {
        all.first { $0.description.id == id }
    }

    /// The gap rule `id` finds, in plain words without ids (its ``RuleWording/gap``).
    public static func gap(_ id: String) -> String {
        rule(id)?.description.wording.gap ?? "Gap found by rule \(id)"
    }

    /// What to do about one gap rule `id` found: its ``RuleWording/action`` sentence.
    public static func action(_ id: String, _ facts: GapFacts) -> String {
        rule(id)?.description.wording.action(facts) ?? "Correct \(facts.record) as the finding describes."
    }
}
