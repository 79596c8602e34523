import CasebridgeModel
import CasebridgeStore

/// `required-section-missing`: a document without a section its type requires (reflection in
/// supervision, timescales in a letter before proceedings), other than the child's voice.
public struct RequiredSectionMissingRule: IntegrityRule {
    public static let description = RuleDescription(
        id: "required-section-missing", severity: .medium, keyFields: ["document", "section"],
        wording: RuleWording(
            summary: "The document's type requires a section other than ChildsVoice, and no non-blank section of that name exists.",
            gap: "A document lacks a section its type requires",
            action: { "Add the \($0.fields["section"] ?? "required") section to \($0.document) on \($0.child)'s record." }),
        triggering: [
            RuleExample("supervision with reflection but no review of actions",
                        Fixture.oneChild + Fixture.documents(Fixture.document("D-1", person: "C-1", type: "SUPERV", sections: [("Reflection", "Discussed risk.")])),
                        expect: [["D-1", "ActionsReview"]]),
            RuleExample("supervision with neither: two findings",
                        Fixture.oneChild + Fixture.documents(Fixture.document("D-1", person: "C-1", type: "SUPERV", sections: [])),
                        expect: [["D-1", "ActionsReview"], ["D-1", "Reflection"]]),
            RuleExample("a letter before proceedings without timescales",
                        Fixture.oneChild + Fixture.documents(Fixture.document("D-1", person: "C-1", type: "PLOLET", sections: [("Timescales", " ")])),
                        expect: [["D-1", "Timescales"]]),
        ],
        nonTriggering: [
            RuleExample("supervision with both sections", Fixture.oneChild + Fixture.documents(Fixture.document(
                "D-1", person: "C-1", type: "SUPERV", sections: [("ActionsReview", "All done."), ("Reflection", "Discussed risk.")]))),
            RuleExample("a missing child's voice is the other rule's", Fixture.oneChild + Fixture.documents(
                Fixture.document("D-1", person: "C-1", type: "FAMASS", sections: []))),
            RuleExample("section names are matched exactly, extra sections are fine", Fixture.oneChild + Fixture.documents(Fixture.document(
                "D-1", person: "C-1", type: "PLOLET", sections: [("Timescales", "28 days."), ("Other", "x")]))),
        ])

    public static let subject: FindingSubject? = .record(.document, field: "document")

    public init() {}

    public func findings(in context: RuleContext) throws -> [Finding] {
        try RequiredSections.missing(in: context, childsVoice: false) { row in
            let id = row["id"] ?? "?"
            let section = row["section"] ?? "?"
            return Finding(
                rule: Self.description.id, severity: Self.description.severity,
                key: [FindingField("document", id), FindingField("section", section)],
                context: RecordContext.fields(child: row["person"], family: row["family"]),
                message: "\(id) (\(row["description"] ?? "document")) on \(row["person"] ?? "?")'s record has no \(section) section",
                source: context.source(line: row.int("line")))
        }
    }
}
