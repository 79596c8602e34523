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
}
