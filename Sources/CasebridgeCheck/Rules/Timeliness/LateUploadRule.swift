import CasebridgeModel
import CasebridgeStore

/// `late-upload`: a document uploaded more working days after its event than the policy allows for its type.
public struct LateUploadRule: IntegrityRule {
    static func strategy(_ id: String = "D-1", event: String, uploaded: String, type: String = "STRAT") -> String {
        Fixture.document(id, person: "C-1", type: type, eventDate: event, recordedAt: "2019-08-01T09:00:00Z",
                         uploadedAt: uploaded, sections: [])
    }

    public static let description = RuleDescription(
        id: "late-upload", severity: .high, keyFields: ["document"],
        wording: RuleWording(
            summary: "The document was uploaded more working days after its event date (London date of UploadedAt, "
                + "weekends and bank holidays excluded) than the policy allows for its type.",
            gap: "A document was uploaded later than policy allows",
            action: { "Nothing to upload: note on \($0.child)'s record why \($0.document) was uploaded late, and raise the delay in supervision." }),
        triggering: [
            RuleExample("one working day over a strategy meeting's limit of 2",
                        Fixture.oneChild + Fixture.documents(strategy(event: "14/08/2019", uploaded: "2019-08-19T10:00:00Z")),
                        expect: [["D-1"]]),
            RuleExample("23:30 UTC in summer is the next London day, which is one day too many",
                        Fixture.oneChild + Fixture.documents(strategy(event: "13/08/2019", uploaded: "2019-08-15T23:30:00Z")),
                        expect: [["D-1"]]),
            RuleExample("a home visit record uploaded four working days on (limit 3)",
                        Fixture.oneChild + Fixture.documents(strategy(event: "05/08/2019", uploaded: "2019-08-09T09:00:00Z", type: "VISIT")),
                        expect: [["D-1"]]),
            RuleExample("years late", Fixture.oneChild + Fixture.documents(strategy(event: "14/08/2017", uploaded: "2019-08-19T10:00:00Z")),
                        expect: [["D-1"]]),
        ],
        nonTriggering: [
            RuleExample("exactly at the limit", Fixture.oneChild + Fixture.documents(strategy(event: "14/08/2019", uploaded: "2019-08-16T10:00:00Z"))),
            RuleExample("23:30 UTC in winter is the same London day",
                        Fixture.oneChild + Fixture.documents(strategy(event: "12/11/2019", uploaded: "2019-11-14T23:30:00Z"))),
            RuleExample("a bank holiday Monday is not a working day",
                        Fixture.oneChild + Fixture.documents(strategy(event: "22/08/2019", uploaded: "2019-08-27T15:00:00Z"))),
            RuleExample("Christmas on a Saturday: its substitute days are not working days",
                        Fixture.oneChild + Fixture.documents(strategy(event: "24/12/2021", uploaded: "2021-12-30T12:00:00Z"))),
            RuleExample("Christmas on a Sunday: Boxing Day and the substitute day are not working days",
                        Fixture.oneChild + Fixture.documents(strategy(event: "23/12/2022", uploaded: "2022-12-29T12:00:00Z"))),
            RuleExample("uploaded before the event date", Fixture.oneChild + Fixture.documents(strategy(event: "14/08/2019", uploaded: "2019-08-01T10:00:00Z"))),
            RuleExample("never uploaded is another rule's gap",
                        Fixture.oneChild + Fixture.documents(Fixture.document("D-1", person: "C-1", type: "STRAT", eventDate: "14/08/2017",
                                                                   uploadedAt: nil, parts: [], manifest: nil, sections: []))),
            RuleExample("an invalid UploadedAt cannot be judged",
                        Fixture.oneChild + Fixture.documents(strategy(event: "14/08/2017", uploaded: "2019-08-19 10:00"))),
        ])

    public static let subject: FindingSubject? = .record(.document, field: "document")

    public init() {}

    public func findings(in context: RuleContext) throws -> [Finding] {
        try context.database.mapRows("""
            SELECT d.id, d.person, d.family, d.type, d.line, d.eventDate, d.uploadedAt_london AS uploaded, t.upload_within,
                   u.working_upto - e.working_upto AS working_days, t.description
            FROM stg_document d
            JOIN policy_type t ON t.type = d.type
            JOIN policy_calendar e ON e.day = d.eventDate
            JOIN policy_calendar u ON u.day = d.uploadedAt_london
            WHERE d.quarantined = 0 AND u.working_upto - e.working_upto > t.upload_within
            """) { row in
            let id = row["id"] ?? "?"
            let event = row["eventDate"].flatMap(CivilDate.init(iso:))?.uk ?? "?"
            let uploaded = row["uploaded"].flatMap(CivilDate.init(iso:))?.uk ?? "?"
            return Finding(
                rule: Self.description.id, severity: Self.description.severity,
                key: [FindingField("document", id)],
                context: RecordContext.fields(child: row["person"], family: row["family"]),
                message: "\(id) (\(row["description"] ?? "document") of \(event)) was uploaded on \(uploaded), "
                    + "\(row.int("working_days") ?? 0) working days after the event; the limit is \(row.int("upload_within") ?? 0)",
                source: context.source(line: row.int("line")))
        }
    }
}
