import CasebridgeModel
import CasebridgeStore

/// `invalid-value`: a value that fails its type or code list, or a required value that is missing.
public struct InvalidValueRule: IntegrityRule {
    public static let description = RuleDescription(
        id: "invalid-value", severity: .high, keyFields: ["recordKind", "recordId", "field"],
        wording: RuleWording(
            summary: "A field fails its type (a date that is not a date, a number that is not a number) or its code "
                + "list, or is required and missing; a failing key field quarantines the record.",
            gap: "A field holds a value that is not valid",
            action: { "Correct the \($0.fields["field"] ?? "field") of \($0.record) in the legacy system." }),
        triggering: [
            RuleExample("a birth date that does not exist", Fixture.people(Fixture.person("C-1", birthDate: "2014-02-30")),
                expect: [["Person", "C-1", "BirthDate"]]),
            RuleExample("a child with no birth date", Fixture.people(Fixture.person("C-1", birthDate: nil)),
                expect: [["Person", "C-1", "BirthDate"]]),
            RuleExample("codes are case-sensitive", Fixture.people(Fixture.person("C-1", statuses: "<Status code=\"cp\" from=\"2019-06-01\"/>")),
                expect: [["Person", "C-1", "Status@code"]]),
            RuleExample("a timestamp without a zone", Fixture.people(Fixture.person("C-1", lastModified: "2019-08-30T14:02:11")),
                expect: [["Person", "C-1", "LastModified"]]),
            RuleExample("a key field that fails quarantines the record", Fixture.people(Fixture.person("C-1"))
                + Fixture.documents(Fixture.document("D-1", person: "C-1", type: "XYZ")),
                expect: [["Document", "D-1", "type"]]),
            RuleExample("a family document without origin", Fixture.people(Fixture.person("C-1"))
                + Fixture.families(Fixture.family("F-1", [("C-1", "child", "2014-05-03", nil)]))
                + Fixture.documents(Fixture.document("D-1", person: "C-1", type: "STRAT", scope: "family", family: "F-1", sections: [])),
                expect: [["Document", "D-1", "origin"]]),
            RuleExample("an uploaded document without a manifest", Fixture.people(Fixture.person("C-1"))
                + Fixture.documents(Fixture.document("D-1", person: "C-1", manifest: nil)),
                expect: [["Document", "D-1", "Manifest@parts"], ["Document", "D-1", "Manifest@bytes"], ["Document", "D-1", "Manifest@sha256"]]),
            RuleExample("a part's bytes that are not a number", Fixture.people(Fixture.person("C-1"))
                + Fixture.documents(Fixture.document("D-1", person: "C-1", parts: [.inline("abc", rawBytes: "3 bytes")],
                                                     manifest: .declaring(bytes: "3"))),
                expect: [["Document", "D-1", "Part@bytes"]]),
            RuleExample("a UK date where the field wants ISO", Fixture.people(Fixture.person("C-1"))
                + Fixture.visits(Fixture.visit("V-1", person: "C-1", date: "30/08/2019")),
                expect: [["Visit", "V-1", "date"]]),
            RuleExample("seenAlone is exactly true or false", Fixture.people(Fixture.person("C-1"))
                + Fixture.visits(Fixture.visit("V-1", person: "C-1", seenAlone: "yes")),
                expect: [["Visit", "V-1", "seenAlone"]]),
            RuleExample("an outcome's target date that is not a date", Fixture.people(Fixture.person("C-1"))
                + Fixture.plans(Fixture.plan("PL-1", person: "C-1", outcomes: [("O-1", "soon")])),
                expect: [["Outcome", "PL-1/O-1", "targetDate"]]),
        ],
        nonTriggering: [
            RuleExample("valid values", Fixture.people(Fixture.person("C-1"))
                + Fixture.documents(Fixture.document("D-1", person: "C-1"))
                + Fixture.visits(Fixture.visit("V-1", person: "C-1"))),
            RuleExample("an unborn child needs no birth date", Fixture.people(Fixture.person("U-1", kind: "unborn", birthDate: nil))),
            RuleExample("a blank target date is missing, not invalid", Fixture.people(Fixture.person("C-1"))
                + Fixture.plans(Fixture.plan("PL-1", person: "C-1", outcomes: [("O-1", "")]))),
            RuleExample("whitespace around values is trimmed", Fixture.people(Fixture.person("C-1", birthDate: "  2014-05-03\n", gender: " 2 "))),
            RuleExample("a document never uploaded needs no manifest", Fixture.people(Fixture.person("C-1"))
                + Fixture.documents(Fixture.document("D-1", person: "C-1", uploadedAt: nil, parts: [], manifest: nil))),
        ])

    public static let subject: FindingSubject? = .namedByKey

    public init() {}

    /// One finding per record kind, id and field: records of a kind without an id (`?`) share one
    /// identity, so one finding stands for them all and lists every line (``SourceLocation/lines``).
    public func findings(in context: RuleContext) throws -> [Finding] {
        try context.database.mapRows("""
            SELECT reported_kind, record_id, label, min(raw) AS raw, min(reason) AS reason, max(is_key) AS is_key,
                   group_concat(DISTINCT line) AS lines
            FROM stg_invalid GROUP BY reported_kind, record_id, label
            """) { row in
            let kind = row["reported_kind"] ?? "?"
            let id = row["record_id"] ?? "?"
            let label = row["label"] ?? "?"
            let value = row["raw"].map { "'\($0)' " } ?? ""
            let source = context.source(locations: row["lines"])
            let lines = RuleContext.linesPhrase(source)
            let quarantine = row.int("is_key") != 1 ? ""
                : "; it is a key field, so \(lines == nil ? "the record is" : "each record is") quarantined"
            return Finding(
                rule: Self.description.id, severity: Self.description.severity,
                key: [FindingField("recordKind", kind), FindingField("recordId", id), FindingField("field", label)],
                message: "\(kind) \(id)\(lines.map { " (\($0))" } ?? ""): \(label) \(value)\(row["reason"] ?? "is invalid")\(quarantine)",
                source: source)
        }
    }
}
