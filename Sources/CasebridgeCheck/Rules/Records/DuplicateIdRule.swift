import CasebridgeModel
import CasebridgeStore

/// `duplicate-id`: two records of one kind share an id, so neither can be trusted or loaded.
public struct DuplicateIdRule: IntegrityRule {
    public static let description = RuleDescription(
        id: "duplicate-id", severity: .critical, keyFields: ["recordKind", "recordId"],
        wording: RuleWording(
            summary: "Two records of one kind share an id; both are quarantined and neither is loaded. What they own goes with "
                + "them and is not reported again; two Members of one Family, or two Outcomes of one Plan, with one id are "
                + "duplicates of their own.",
            gap: "Two records share one id, so neither loaded",
            action: { "Give one of the \($0[field: "recordKind"]) records sharing id \($0[field: "recordId"]) a new id in the legacy system; neither has loaded." }),
        triggering: [
            RuleExample("two documents with one id", Fixture.people(Fixture.person("C-1"))
                + Fixture.documents(Fixture.document("D-1", person: "C-1"), Fixture.document("D-1", person: "C-1", type: "LETTER")),
                expect: [["Document", "D-1"]]),
            RuleExample("two people with one id", Fixture.people(Fixture.person("C-1"), Fixture.person("C-1", birthDate: "2015-01-01")),
                expect: [["Person", "C-1"]]),
            RuleExample("a plan listing one outcome id twice", Fixture.people(Fixture.person("C-1"))
                + Fixture.plans(Fixture.plan("PL-1", person: "C-1", outcomes: [("O-1", "2019-12-01"), ("O-1", "2020-01-01")])),
                expect: [["Outcome", "PL-1/O-1"]]),
            RuleExample("a family listing one person twice", Fixture.people(Fixture.person("C-1"))
                + Fixture.families(Fixture.family("F-1", [("C-1", "child", "2014-05-03", nil), ("C-1", "child", "2015-01-01", nil)])),
                expect: [["Member", "F-1/C-1"]]),
            RuleExample("two families with one id: the families only, their members go with them", Fixture.people(Fixture.person("C-1"))
                + Fixture.families(Fixture.family("F-1", [("C-1", "child", "2014-05-03", nil)]),
                                   Fixture.family("F-1", [("C-1", "child", "2014-05-03", nil)])),
                expect: [["Family", "F-1"]]),
            RuleExample("two plans with one id: the plans only, their outcomes go with them", Fixture.people(Fixture.person("C-1"))
                + Fixture.plans(Fixture.plan("PL-1", person: "C-1"), Fixture.plan("PL-1", person: "C-1")),
                expect: [["Plan", "PL-1"]]),
            RuleExample("two visits sharing an id that holds a question mark", Fixture.people(Fixture.person("C-1"))
                + Fixture.visits(Fixture.visit("V?1", person: "C-1"), Fixture.visit("V?1", person: "C-1", date: "2019-08-01")),
                expect: [["Visit", "V?1"]]),
            RuleExample("three visits with one id are one finding", Fixture.people(Fixture.person("C-1"))
                + Fixture.visits(Fixture.visit("V-1", person: "C-1"), Fixture.visit("V-1", person: "C-1"),
                                 Fixture.visit("V-1", person: "C-1", date: "2019-08-01")),
                expect: [["Visit", "V-1"]]),
        ],
        nonTriggering: [
            RuleExample("every plan may have its own O-1", Fixture.people(Fixture.person("C-1"))
                + Fixture.plans(Fixture.plan("PL-1", person: "C-1"), Fixture.plan("PL-2", person: "C-1"))),
            RuleExample("a document and a visit may share an id: kinds differ", Fixture.people(Fixture.person("C-1"))
                + Fixture.documents(Fixture.document("X-1", person: "C-1")) + Fixture.visits(Fixture.visit("X-1", person: "C-1"))),
            RuleExample("one person in two families", Fixture.people(Fixture.person("C-1"))
                + Fixture.families(Fixture.family("F-1", [("C-1", "child", "2014-05-03", nil)]),
                                   Fixture.family("F-2", [("C-1", "child", "2016-01-01", nil)]))),
        ])

    public static let subject: FindingSubject? = .namedByKey

    public init() {}

    public func findings(in context: RuleContext) throws -> [Finding] {
        var findings: [Finding] = []
        for kind in RecordKind.allCases where kind.hasUniqueId {
            // Reported once, on the records that share the id: what they own shares it only within them.
            let owner = StagingStore.sharedIdOwner(of: kind)
            try context.database.forEachRow("""
                SELECT record_id, count(*) AS copies, group_concat(\(RecordLocation.lineSQL("line")), ', ') AS lines,
                       group_concat(line) AS locations
                FROM (SELECT record_id, line, \(owner) AS owner FROM \(StagingStore.table(kind))
                      WHERE \(StagingStore.idHeldTwiceSQL(kind)) ORDER BY rid)
                GROUP BY record_id, owner HAVING count(*) > 1
                """) { row in
                let id = row["record_id"] ?? "?"
                findings.append(Finding(
                    rule: Self.description.id, severity: Self.description.severity,
                    key: [FindingField("recordKind", kind.reportedKind.rawValue), FindingField("recordId", id)],
                    message: "\(row.int("copies") ?? 2) \(kind.rawValue) records share id \(id) (lines \(row["lines"] ?? "?")); "
                        + "all are quarantined",
                    source: context.source(locations: row["locations"])))
            }
        }
        return findings
    }
}
