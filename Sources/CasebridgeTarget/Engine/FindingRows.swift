import CasebridgeModel
import CasebridgeStore

/// Findings as the bookkeeping stores them (`casebridge_finding`), for every engine: the values of a
/// finding, and the statements that complete them from the staged export (the child a finding about a
/// child's record concerns, the team holding that child's case, the date of the event the gap concerns).
enum FindingRows {
    /// The columns a finding's values fill, in order (`team` and `event_date` are completed from staging).
    static let columns = ["rule", "severity", "identity", "key_json", "context_json", "record_kind", "record_id", "child", "family",
                          "document", "message", "source_file", "source_line"]

    /// The columns of a finding as stored, completed (``CompletedFindings``): ``columns``, then `team` and
    /// `event_date`. The run, and the run the finding was first found in, are the store's.
    static let storedColumns = columns + ["team", "event_date"]

    /// Where `identity` is in ``columns`` (and ``storedColumns``).
    static let identityIndex = columns.firstIndex(of: "identity")!

    /// The values of ``columns`` for `finding`.
    static func values(_ finding: Finding) -> [SQLValue] {
        let keyJSON = JSONValue.object(finding.key.map { ($0.name, .string($0.value)) }).serialised()
        let contextJSON = JSONValue.object(finding.context.map { ($0.name, .string($0.value)) }).serialised()
        let identity = JSONValue.array([.string(finding.rule)] + finding.key.map { .string($0.value) }).serialised()
        let record = record(of: finding)
        let child = finding[field: "child"] ?? (record?.kind == "Person" ? record?.id : nil)
        return [
            .text(finding.rule), .text(finding.severity.rawValue), .text(identity), .text(keyJSON), .text(contextJSON),
            SQLValue(record?.kind), SQLValue(record?.id), SQLValue(child), SQLValue(finding[field: "family"]),
            SQLValue(finding[field: "document"]), .text(finding.message), SQLValue(finding.source?.file), SQLValue(finding.source?.line),
        ]
    }

    /// The record a finding is about, as findings-format.md keys it.
    static func record(of finding: Finding) -> (kind: String, id: String)? {
        if let kind = finding[field: "recordKind"], let id = finding[field: "recordId"] { return (kind, id) }
        if let plan = finding[field: "plan"] {
            if let outcome = finding[field: "outcome"] { return ("Outcome", plan + "/" + outcome) }
            return ("Plan", plan)
        }
        if let document = finding[field: "document"] { return ("Document", document) }
        if let child = finding[field: "child"] { return ("Person", child) }
        return nil
    }

    /// The statements that complete the findings in `table` (`temp.finding_out`), on a connection to the
    /// staging, whose tables of the staged export they read. A statement that `takesAsOf` takes the
    /// run's as-of date as its one parameter (NULL when it has none).
    static func contextUpdates(table: String) -> [(sql: String, takesAsOf: Bool)] {
        func records(_ kind: RecordKind) -> String { StagingTable.records(kind).name }
        // The table's own name, which names its row in the subqueries.
        let row = table.split(separator: ".").last.map(String.init) ?? table
        return [
            // Findings about a record of a child (a document, a plan, a visit, a membership) concern that child.
            ("""
            UPDATE \(table) SET child = CASE record_kind
                WHEN 'Document' THEN (SELECT x.person FROM \(records(.document)) x WHERE x.record_id = \(row).record_id ORDER BY x.rid LIMIT 1)
                WHEN 'Plan' THEN (SELECT x.person FROM \(records(.plan)) x WHERE x.record_id = \(row).record_id ORDER BY x.rid LIMIT 1)
                WHEN 'Outcome' THEN (SELECT p.person FROM \(records(.outcome)) x JOIN \(records(.plan)) p ON p.rid = x.owner_rid
                                     WHERE x.record_id = \(row).record_id ORDER BY x.rid LIMIT 1)
                WHEN 'Visit' THEN (SELECT x.person FROM \(records(.visit)) x WHERE x.record_id = \(row).record_id ORDER BY x.rid LIMIT 1)
                WHEN 'Member' THEN (SELECT x.person FROM \(records(.member)) x WHERE x.record_id = \(row).record_id ORDER BY x.rid LIMIT 1)
                END
            WHERE child IS NULL
            """, false),
            // The team that holds the child's case on the as-of date (else the latest allocation), and the
            // date of the event the gap concerns, both from the staged export.
            ("""
            UPDATE \(table) SET team = (
                SELECT a.team FROM \(records(.allocation)) a JOIN \(records(.person)) p ON p.rid = a.owner_rid
                WHERE p.id = \(row).child AND a.team IS NOT NULL
                ORDER BY (a."from" <= ?1 AND (a."to" IS NULL OR a."to" >= ?1)) DESC, a."from" DESC LIMIT 1)
            WHERE child IS NOT NULL
            """, true),
            ("""
            UPDATE \(table) SET event_date = coalesce(
                (SELECT d.eventDate FROM \(records(.document)) d WHERE d.id = \(row).document ORDER BY d.rid LIMIT 1),
                (SELECT min(d.eventDate) FROM \(records(.document)) d WHERE d.origin = json_extract(\(row).key_json, '$.origin')),
                (SELECT p.reviewDue FROM \(records(.plan)) p WHERE p.id = json_extract(\(row).key_json, '$.plan') ORDER BY p.rid LIMIT 1))
            """, false),
        ]
    }
}
