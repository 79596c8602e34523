import CasebridgeModel
import CasebridgeStore

/// `document-not-uploaded`: a document the legacy system knows of, whose content never arrived.
public struct DocumentNotUploadedRule: IntegrityRule {
    public static let description = RuleDescription(
        id: "document-not-uploaded", severity: .critical, keyFields: ["document"],
        wording: RuleWording(
            summary: "The document has no UploadedAt: it was recorded but its content was never uploaded.",
            gap: "A document was recorded but its content never uploaded",
            action: { "Upload the content of \($0.document)\($0.date.map { " (event of \($0))" } ?? "") to \($0.child)'s record." }),
        triggering: [
            RuleExample("a document with no UploadedAt", Fixture.people(Fixture.person("C-1"))
                + Fixture.documents(Fixture.document("D-1", person: "C-1", uploadedAt: nil, parts: [], manifest: nil)),
                expect: [["D-1"]]),
            RuleExample("a blank UploadedAt counts as absent", Fixture.people(Fixture.person("C-1"))
                + Fixture.documents(Fixture.document("D-1", person: "C-1", uploadedAt: "  ", parts: [], manifest: nil)),
                expect: [["D-1"]]),
        ],
        nonTriggering: [
            RuleExample("an uploaded document", Fixture.people(Fixture.person("C-1"))
                + Fixture.documents(Fixture.document("D-1", person: "C-1"))),
            RuleExample("an invalid UploadedAt still means it was uploaded", Fixture.people(Fixture.person("C-1"))
                + Fixture.documents(Fixture.document("D-1", person: "C-1", uploadedAt: "2019-08-15 16:40"))),
            RuleExample("a quarantined document (duplicate id) takes no part", Fixture.people(Fixture.person("C-1"))
                + Fixture.documents(Fixture.document("D-1", person: "C-1", uploadedAt: nil, parts: [], manifest: nil),
                                    Fixture.document("D-1", person: "C-1", uploadedAt: nil, parts: [], manifest: nil))),
        ])

    public static let subject: FindingSubject? = .record(.document, field: "document")

    public init() {}

    public func findings(in context: RuleContext) throws -> [Finding] {
        try context.database.mapRows("""
            SELECT id, person, family, type, eventDate, line FROM stg_document
            WHERE quarantined = 0 AND uploadedAt IS NULL AND uploadedAt_bad IS NULL
            """) { row in
            let id = row["id"] ?? "?"
            let person = row["person"] ?? "?"
            let event = row["eventDate"].flatMap(CivilDate.init(iso:)).map { " of \($0.uk)" } ?? ""
            return Finding(
                rule: Self.description.id, severity: Self.description.severity,
                key: [FindingField("document", id)],
                context: RecordContext.fields(child: row["person"], family: row["family"]),
                message: "\(id) (\(row["type"] ?? "document")\(event)) on \(person)'s record was never uploaded",
                source: context.source(line: row.int("line")))
        }
    }
}
