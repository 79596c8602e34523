import CasebridgeModel
import CasebridgeStore

/// `family-document-missing`: a child who was in the household on the event date holds no copy of a
/// family document ("records not replicated on all children of the family").
public struct FamilyDocumentMissingRule: IntegrityRule {
    private static let family = Fixture.families(Fixture.family("F-1", [
        ("C-1", "child", "2014-05-03", nil), ("C-2", "child", "2016-11-20", nil), ("A-1", "parent", "2010-01-01", nil),
    ]))
    private static let people = Fixture.people(Fixture.person("C-1"), Fixture.person("C-2", birthDate: "2016-11-20"),
                                               Fixture.person("A-1", kind: "adult", birthDate: "1985-01-01"))

    static func copy(_ id: String, on child: String, family: String = "F-1", origin: String = "EV-1",
                     eventDate: String = "14/08/2019", type: String = "STRAT") -> String {
        Fixture.document(id, person: child, type: type, scope: "family", family: family, origin: origin,
                         eventDate: eventDate, recordedAt: "2019-08-14T10:22:00Z", uploadedAt: "2019-08-14T16:40:00Z",
                         parts: [.inline("Strategy meeting minutes")], sections: [])
    }

    public static let description = RuleDescription(
        id: "family-document-missing", severity: .critical, keyFields: ["origin", "child"],
        wording: RuleWording(
            summary: "A child who was a member of the family on the event date holds no copy of a family document.",
            gap: "A child in the family holds no copy of a family document",
            action: { gap in
                let origin = gap.fields["origin"] ?? "the family document"
                let what = FamilyDocumentMissingRule.documentDescription(in: gap.message, before: " " + origin) ?? "family document"
                return "Upload the \(what)\(gap.date.map { " of \($0)" } ?? "") (\(origin)) to \(gap.child)'s record."
            }),
        triggering: [
            RuleExample("a sibling holds no copy", people + family + Fixture.documents(copy("D-1", on: "C-1")),
                        expect: [["EV-1", "C-2"]]),
            RuleExample("a member until the event date itself still needs a copy", people
                + Fixture.families(Fixture.family("F-1", [("C-1", "child", "2014-05-03", nil), ("C-2", "child", "2016-11-20", "2019-08-14")]))
                + Fixture.documents(copy("D-1", on: "C-1")),
                expect: [["EV-1", "C-2"]]),
            RuleExample("an unborn child of the household needs a copy too", people
                + Fixture.people(Fixture.person("U-1", kind: "unborn", birthDate: nil))
                + Fixture.families(Fixture.family("F-1", [("C-1", "child", "2014-05-03", nil), ("U-1", "child", "2019-07-01", nil)]))
                + Fixture.documents(copy("D-1", on: "C-1")),
                expect: [["EV-1", "U-1"]]),
            RuleExample("a copy lost to quarantine is no copy", people + family
                + Fixture.documents(copy("D-1", on: "C-1"), copy("D-2", on: "C-2"), Fixture.document("D-2", person: "C-2", type: "LETTER")),
                expect: [["EV-1", "C-2"]]),
            RuleExample("each origin is judged on its own", people + family
                + Fixture.documents(copy("D-1", on: "C-1"), copy("D-2", on: "C-2"), copy("D-3", on: "C-2", origin: "EV-2")),
                expect: [["EV-2", "C-1"]]),
        ],
        nonTriggering: [
            RuleExample("every child holds a copy", people + family + Fixture.documents(copy("D-1", on: "C-1"), copy("D-2", on: "C-2"))),
            RuleExample("a child who joined the day after the event needs no copy", people
                + Fixture.families(Fixture.family("F-1", [("C-1", "child", "2014-05-03", nil), ("C-2", "child", "2019-08-15", nil)]))
                + Fixture.documents(copy("D-1", on: "C-1"))),
            RuleExample("a child who left before the event needs no copy", people
                + Fixture.families(Fixture.family("F-1", [("C-1", "child", "2014-05-03", nil), ("C-2", "child", "2016-11-20", "2019-08-13")]))
                + Fixture.documents(copy("D-1", on: "C-1"))),
            RuleExample("adults need no copies", people
                + Fixture.families(Fixture.family("F-1", [("C-1", "child", "2014-05-03", nil), ("A-1", "parent", "2010-01-01", nil)]))
                + Fixture.documents(copy("D-1", on: "C-1"))),
            RuleExample("a child with two copies of the same origin is not missing one", people + family
                + Fixture.documents(copy("D-1", on: "C-1"), copy("D-2", on: "C-2"), copy("D-3", on: "C-2"))),
            RuleExample("a quarantined child needs none", people + Fixture.people(Fixture.person("C-2", birthDate: "2016-11-21")) + family
                + Fixture.documents(copy("D-1", on: "C-1"))),
            RuleExample("a member who is no Person of the export needs none", Fixture.people(Fixture.person("C-1"))
                + Fixture.families(Fixture.family("F-1", [("C-1", "child", "2014-05-03", nil), ("C-9", "child", "2016-11-20", nil)]))
                + Fixture.documents(copy("D-1", on: "C-1"))),
        ])

    public static let subject: FindingSubject? = .familyDocument

    public init() {}

    /// The description a finding's message gives its document ("… holds no copy of core group meeting
    /// minutes EV-…"), or `nil`.
    static func documentDescription(in message: String, before suffix: String) -> String? {
        guard message.hasSuffix(suffix), let range = message.range(of: "holds no copy of ") else { return nil }
        let end = message.index(message.endIndex, offsetBy: -suffix.count)
        guard range.upperBound < end else { return nil }
        return String(message[range.upperBound..<end])
    }

    public func findings(in context: RuleContext) throws -> [Finding] {
        var seen = Set<[String]>()
        return try context.database.mapRows("""
            WITH events AS (
                SELECT origin, family, eventDate, min(line) AS line FROM stg_document
                WHERE quarantined = 0 AND scope = 'family' AND origin IS NOT NULL AND family IS NOT NULL AND eventDate IS NOT NULL
                GROUP BY origin, family, eventDate)
            SELECT e.origin, m.person AS child, e.family, e.eventDate, e.line,
                   (SELECT min(type) FROM stg_document c WHERE c.origin = e.origin AND c.quarantined = 0) AS type
            FROM events e
            JOIN stg_member m ON m.family = e.family AND m.quarantined = 0 AND m.role = 'child'
                AND m."from" <= e.eventDate AND m.to_bad IS NULL AND (m."to" IS NULL OR m."to" >= e.eventDate)
            WHERE EXISTS (SELECT 1 FROM stg_person p WHERE p.id = m.person AND p.quarantined = 0)
              AND NOT EXISTS (SELECT 1 FROM stg_document c
                              WHERE c.origin = e.origin AND c.person = m.person AND c.quarantined = 0 AND c.scope = 'family')
            ORDER BY e.origin, m.person, e.line
            """) { row in
            let origin = row["origin"] ?? "?", child = row["child"] ?? "?"
            guard seen.insert([origin, child]).inserted else { return nil }
            let family = row["family"] ?? "?"
            let date = row["eventDate"].flatMap(CivilDate.init(iso:))?.uk ?? "?"
            let what = row["type"].flatMap { context.policy.documentType($0)?.description } ?? "family document"
            return Finding(
                rule: Self.description.id, severity: Self.description.severity,
                key: [FindingField("origin", origin), FindingField("child", child)],
                context: [FindingField("family", family)],
                message: "\(child) was in \(family) on \(date) but holds no copy of \(what) \(origin)",
                source: context.source(line: row.int("line")))
        }
    }
}
