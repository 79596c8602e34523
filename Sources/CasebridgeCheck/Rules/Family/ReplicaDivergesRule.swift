import CasebridgeModel
import CasebridgeStore

/// `replica-diverges`: a copy of a family document that is out of date, or whose content differs from
/// what the other copies hold.
public struct ReplicaDivergesRule: IntegrityRule {
    private static let people = Fixture.people(Fixture.person("C-1"), Fixture.person("C-2"), Fixture.person("C-3"))
    private static let family = Fixture.families(Fixture.family("F-1", [
        ("C-1", "child", "2014-05-03", nil), ("C-2", "child", "2014-05-03", nil), ("C-3", "child", "2014-05-03", nil),
    ]))

    static func copy(_ id: String, on child: String, version: String? = nil, content: String = "Minutes v1") -> String {
        Fixture.document(id, person: child, type: "ICPC", scope: "family", family: "F-1", origin: "EV-1", version: version,
                         parts: [.inline(content)], sections: [])
    }

    public static let description = RuleDescription(
        id: "replica-diverges", severity: .high, keyFields: ["document"],
        wording: RuleWording(
            summary: "A copy of a family document holds an older version than its other copies, or, at the latest "
                + "version, content (Manifest sha256) that differs from the majority of copies.",
            gap: "A copy of a family document differs from its other copies",
            action: { gap in
                let origin = gap.fields["origin"].map { " of family document \($0)" } ?? ""
                return "Replace \(gap.document) on \(gap.child)'s record with the latest agreed version\(origin)."
            }),
        triggering: [
            RuleExample("a copy left at an older version", people + family + Fixture.documents(
                copy("D-1", on: "C-1", version: "2", content: "Minutes v2"), copy("D-2", on: "C-2", version: "2", content: "Minutes v2"),
                copy("D-3", on: "C-3", version: "1")),
                expect: [["D-3"]]),
            RuleExample("a copy whose content differs from the majority", people + family + Fixture.documents(
                copy("D-1", on: "C-1"), copy("D-2", on: "C-2"), copy("D-3", on: "C-3", content: "Minutes, edited")),
                expect: [["D-3"]]),
            RuleExample("two copies that differ, with no majority: both", people + family + Fixture.documents(
                copy("D-1", on: "C-1"), copy("D-2", on: "C-2", content: "Minutes, edited")),
                expect: [["D-1"], ["D-2"]]),
            RuleExample("a copy with no manifest differs from those with one", people + family + Fixture.documents(
                copy("D-1", on: "C-1"), copy("D-2", on: "C-2"),
                Fixture.document("D-3", person: "C-3", type: "ICPC", scope: "family", family: "F-1", origin: "EV-1",
                                 uploadedAt: nil, parts: [], manifest: nil, sections: [])),
                expect: [["D-3"]]),
            RuleExample("version absent means 1", people + family + Fixture.documents(
                copy("D-1", on: "C-1", version: "2", content: "Minutes v2"), copy("D-2", on: "C-2", version: "2", content: "Minutes v2"),
                copy("D-3", on: "C-3")),
                expect: [["D-3"]]),
        ],
        nonTriggering: [
            RuleExample("identical copies", people + family + Fixture.documents(
                copy("D-1", on: "C-1"), copy("D-2", on: "C-2"), copy("D-3", on: "C-3"))),
            RuleExample("a copy whose version is invalid is neither judged nor counted", people + family + Fixture.documents(
                copy("D-1", on: "C-1"), copy("D-2", on: "C-2"), copy("D-3", on: "C-3", version: "v9", content: "Other"))),
            RuleExample("a single copy has nothing to diverge from", people + family + Fixture.documents(copy("D-1", on: "C-1"))),
            RuleExample("child documents are not copies", people + Fixture.documents(
                Fixture.document("D-1", person: "C-1"), Fixture.document("D-2", person: "C-2", parts: [.inline("other")]))),
        ])

    public static let subject: FindingSubject? = .familyDocument

    public init() {}

    public func findings(in context: RuleContext) throws -> [Finding] {
        var seen = Set<String>()
        return try context.database.mapRows("""
            WITH copies AS (
                SELECT id, person, family, origin, line,
                       CASE WHEN version IS NOT NULL THEN version WHEN version_bad IS NULL THEN 1 END AS v,
                       coalesce(manifestSha256, 'invalid:' || manifestSha256_bad, 'none') AS sha
                FROM stg_document WHERE quarantined = 0 AND scope = 'family' AND origin IS NOT NULL),
            counted AS (SELECT * FROM copies WHERE v IS NOT NULL),
            latest AS (SELECT origin, max(v) AS v, count(*) AS copies FROM counted GROUP BY origin HAVING count(*) > 1),
            at_latest AS (SELECT c.* FROM counted c JOIN latest l ON l.origin = c.origin AND l.v = c.v),
            votes AS (SELECT origin, sha, count(*) AS n FROM at_latest GROUP BY origin, sha),
            voters AS (SELECT origin, count(*) AS n FROM at_latest GROUP BY origin),
            majority AS (SELECT v.origin, v.sha FROM votes v JOIN voters t ON t.origin = v.origin WHERE 2 * v.n > t.n)
            SELECT c.id, c.person, c.family, c.origin, c.line, c.v, l.v AS latest, 'older' AS why
            FROM counted c JOIN latest l ON l.origin = c.origin WHERE c.v < l.v
            UNION ALL
            SELECT a.id, a.person, a.family, a.origin, a.line, a.v, a.v, CASE WHEN m.sha IS NULL THEN 'no majority' ELSE 'differs' END
            FROM at_latest a LEFT JOIN majority m ON m.origin = a.origin WHERE m.sha IS NULL OR m.sha <> a.sha
            """) { row in
            let id = row["id"] ?? "?"
            guard seen.insert(id).inserted else { return nil }
            let origin = row["origin"] ?? "?"
            let message: String
            switch row["why"] {
            case "older": message = "\(id) holds version \(row["v"] ?? "?") of \(origin); its other copies reach version \(row["latest"] ?? "?")"
            case "no majority": message = "\(id)'s content differs from other copies of \(origin), and no content is held by a majority of them"
            default: message = "\(id)'s content (Manifest sha256) differs from the majority of the copies of \(origin)"
            }
            return Finding(
                rule: Self.description.id, severity: Self.description.severity,
                key: [FindingField("document", id)],
                context: RecordContext.fields(child: row["person"], family: row["family"]) + [FindingField("origin", origin)],
                message: message, source: context.source(line: row.int("line")))
        }
    }
}
