import CasebridgeModel
import CasebridgeStore

/// `childs-voice-missing`: a document whose type must record the child's voice, and does not.
public struct ChildsVoiceMissingRule: IntegrityRule {
    public static let description = RuleDescription(
        id: "childs-voice-missing", severity: .high, keyFields: ["document"],
        wording: RuleWording(
            summary: "The document's type requires the child's voice and it has no ChildsVoice section with non-blank text.",
            gap: "A document that must record the child's voice does not",
            action: { "Add the child's voice (a ChildsVoice section) to \($0.document) on \($0.child)'s record." }),
        triggering: [
            RuleExample("an assessment with no ChildsVoice section",
                        Fixture.oneChild + Fixture.documents(Fixture.document("D-1", person: "C-1", type: "ASSESS", sections: [("Analysis", "Needs met.")])),
                        expect: [["D-1"]]),
            RuleExample("a blank ChildsVoice section counts as none",
                        Fixture.oneChild + Fixture.documents(Fixture.document("D-1", person: "C-1", type: "VISIT", sections: [("ChildsVoice", "  \n ")])),
                        expect: [["D-1"]]),
            RuleExample("a document never uploaded still has to record it",
                        Fixture.oneChild + Fixture.documents(Fixture.document("D-1", person: "C-1", type: "DIRECT", uploadedAt: nil, parts: [],
                                                                   manifest: nil, sections: [])),
                        expect: [["D-1"]]),
        ],
        nonTriggering: [
            RuleExample("the child's voice recorded", Fixture.oneChild + Fixture.documents(Fixture.document("D-1", person: "C-1", type: "ASSESS"))),
            RuleExample("CDATA text counts", Fixture.oneChild + Fixture.documents(Fixture.document("D-1", person: "C-1", type: "ASSESS",
                                                                                        sections: [("ChildsVoice", "<![CDATA[I feel safe & happy.]]>")]))),
            RuleExample("a letter need not record it", Fixture.oneChild + Fixture.documents(Fixture.document("D-1", person: "C-1", type: "LETTER", sections: []))),
            RuleExample("a quarantined document is not judged",
                        Fixture.oneChild + Fixture.documents(Fixture.document("D-1", person: "C-1", type: "ASSESS", sections: []),
                                                  Fixture.document("D-1", person: "C-1", type: "ASSESS", sections: []))),
        ])

    public static let subject: FindingSubject? = .record(.document, field: "document")

    public init() {}

    public func findings(in context: RuleContext) throws -> [Finding] {
        try RequiredSections.missing(in: context, childsVoice: true) { row in
            let id = row["id"] ?? "?"
            return Finding(
                rule: Self.description.id, severity: Self.description.severity,
                key: [FindingField("document", id)],
                context: RecordContext.fields(child: row["person"], family: row["family"]),
                message: "\(id) (\(row["description"] ?? "document")) on \(row["person"] ?? "?")'s record does not record the child's voice",
                source: context.source(line: row.int("line")))
        }
    }
}

/// Documents lacking a non-blank section that the policy requires of their type.
enum RequiredSections {
    /// What `finding` makes of each row of (document, section) where the section is missing: the
    /// child's-voice section when `childsVoice`, every other required section otherwise.
    static func missing(in context: RuleContext, childsVoice: Bool, _ finding: (Row) -> Finding) throws -> [Finding] {
        try context.database.mapRows("""
            SELECT d.id, d.person, d.family, d.line, r.section, t.description
            FROM stg_document d
            JOIN policy_section r ON r.type = d.type
            JOIN policy_type t ON t.type = d.type
            WHERE d.quarantined = 0 AND (r.section = ?1) = ?2
              AND NOT EXISTS (SELECT 1 FROM stg_section s WHERE s.owner_rid = d.rid AND s.name = r.section AND s.text IS NOT NULL)
            """, [.text(context.policy.childsVoiceSection), .integer(childsVoice ? 1 : 0)], finding)
    }
}
