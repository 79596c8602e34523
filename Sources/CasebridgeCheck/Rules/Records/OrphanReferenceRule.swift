import CasebridgeModel
import CasebridgeStore

/// `orphan-reference`: a record that points at a person or family the export does not hold.
public struct OrphanReferenceRule: IntegrityRule {
    public static let description = RuleDescription(
        id: "orphan-reference", severity: .high, keyFields: ["recordKind", "recordId"],
        wording: RuleWording(
            summary: "A Document, Plan, Visit or Member names a person that no Person in the export has, "
                + "or a family-scope document names a family that no Family has.",
            gap: "A record names a person the legacy system does not hold",
            action: { "Correct \($0.record) in the legacy system so it names a person the system holds." }),
        triggering: [
            RuleExample("a visit to a person the export does not hold", Fixture.people(Fixture.person("C-1"))
                + Fixture.visits(Fixture.visit("V-1", person: "C-9")),
                expect: [["Visit", "V-1"]]),
            RuleExample("a plan and a document for a missing person", Fixture.people(Fixture.person("C-1"))
                + Fixture.documents(Fixture.document("D-1", person: "C-9"))
                + Fixture.plans(Fixture.plan("PL-1", person: "C-9")),
                expect: [["Document", "D-1"], ["Plan", "PL-1"]]),
            RuleExample("a member who is no Person", Fixture.people(Fixture.person("C-1"))
                + Fixture.families(Fixture.family("F-1", [("C-1", "child", "2014-05-03", nil), ("A-9", "parent", "2010-01-01", nil)])),
                expect: [["Member", "F-1/A-9"]]),
            RuleExample("a family document naming a family the export does not hold", Fixture.people(Fixture.person("C-1"))
                + Fixture.documents(Fixture.document("D-1", person: "C-1", type: "STRAT", scope: "family", family: "F-9",
                                                     origin: "EV-1", sections: [])),
                expect: [["Document", "D-1"]]),
        ],
        nonTriggering: [
            RuleExample("every reference resolves", Fixture.people(Fixture.person("C-1"))
                + Fixture.families(Fixture.family("F-1", [("C-1", "child", "2014-05-03", nil)]))
                + Fixture.documents(Fixture.document("D-1", person: "C-1", type: "STRAT", scope: "family", family: "F-1",
                                                     origin: "EV-1", sections: []))
                + Fixture.visits(Fixture.visit("V-1", person: "C-1"))),
            RuleExample("a quarantined Person still counts as present", Fixture.people(Fixture.person("C-1"), Fixture.person("C-1"))
                + Fixture.visits(Fixture.visit("V-1", person: "C-1"))),
            RuleExample("a quarantined record is not itself checked", Fixture.people(Fixture.person("C-1"))
                + Fixture.visits(Fixture.visit("V-1", person: "C-9", date: "30/08/2019"))),
            RuleExample("a child-scope document names no family to check", Fixture.people(Fixture.person("C-1"))
                + Fixture.documents(Fixture.document("D-1", person: "C-1"))),
        ])

    public static let subject: FindingSubject? = .naming([.person, .family])

    public init() {}

    public func findings(in context: RuleContext) throws -> [Finding] {
        // One finding per record, naming everything it points at that is not there.
        var byRecord: [String: (kind: String, id: String, line: Int?, missing: [String])] = [:]
        try context.database.forEachRow("""
            SELECT 'Document' AS kind, d.record_id, d.line, 'person' AS field, d.person AS target FROM stg_document d
              WHERE d.quarantined = 0 AND d.person IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stg_person p WHERE p.id = d.person)
            UNION ALL
            SELECT 'Document', d.record_id, d.line, 'family', d.family FROM stg_document d
              WHERE d.quarantined = 0 AND d.scope = 'family' AND d.family IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM stg_family f WHERE f.id = d.family)
            UNION ALL
            SELECT 'Plan', t.record_id, t.line, 'person', t.person FROM stg_plan t
              WHERE t.quarantined = 0 AND t.person IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stg_person p WHERE p.id = t.person)
            UNION ALL
            SELECT 'Visit', t.record_id, t.line, 'person', t.person FROM stg_visit t
              WHERE t.quarantined = 0 AND t.person IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stg_person p WHERE p.id = t.person)
            UNION ALL
            SELECT 'Member', t.record_id, t.line, 'person', t.person FROM stg_member t
              WHERE t.quarantined = 0 AND t.person IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stg_person p WHERE p.id = t.person)
            """) { row in
            guard let kind = row["kind"], let id = row["record_id"] else { return }
            let missing = "\(row["field"] == "family" ? "family" : "person") \(row["target"] ?? "?")"
            byRecord["\(kind)\u{0}\(id)", default: (kind, id, row.int("line"), [])].missing.append(missing)
        }
        return byRecord.values.map { record in
            Finding(
                rule: Self.description.id, severity: Self.description.severity,
                key: [FindingField("recordKind", record.kind), FindingField("recordId", record.id)],
                message: "\(record.kind) \(record.id) names \(record.missing.joined(separator: " and ")), which the export does not hold",
                source: context.source(line: record.line))
        }
    }
}
