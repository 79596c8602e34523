import CasebridgeModel
import CasebridgeTarget

/// The teams' worklists: one CSV per team, one row per gap with the real ids, what is wrong in plain
/// words and what to do, in Casebridge's one CSV dialect (``CSVWriter``: UTF-8 with a byte-order
/// mark, CRLF, RFC 4180 quoting, formulas defused).
public enum TeamWorklists {
    /// The file name of the gaps no team holds.
    public static let unallocated = "unallocated"

    /// The columns, in order.
    public static let header = [
        "severity", "rule", "what is wrong", "what to do", "child", "child pseudonym", "family", "family pseudonym",
        "document", "origin", "plan", "outcome", "section", "record kind", "record id", "field", "event date",
        "new this run", "export file", "export line",
    ]

    /// The findings of each team (`nil`: no team), in worklist order: severity, rule, child, identity.
    public static func byTeam(_ findings: [StoredFinding]) -> [String?: [StoredFinding]] {
        Dictionary(grouping: findings, by: \.team).mapValues { list in
            list.sorted { a, b in
                if a.severityRank != b.severityRank { return a.severityRank < b.severityRank }
                if a.rule != b.rule { return a.rule < b.rule }
                if (a.child ?? "") != (b.child ?? "") { return (a.child ?? "") < (b.child ?? "") }
                return a.identity < b.identity
            }
        }
    }

    /// The file name (without `.csv`) for a team: its id with anything but letters, digits, `.`, `_`
    /// and `-` replaced by `_`; ``unallocated`` for no team.
    public static func fileName(_ team: String?) -> String {
        guard let team, !team.isEmpty else { return unallocated }
        let safe = String(team.unicodeScalars.map { scalar -> Character in
            let allowed = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || "._-".unicodeScalars.contains(scalar)
            return allowed ? Character(scalar) : "_"
        })
        return safe.hasPrefix(".") ? "_" + safe.dropFirst() : safe
    }

    /// One team's worklist, whole: header and a row per finding, in ``CSVWriter``'s dialect.
    public static func csv(_ findings: [StoredFinding], pseudonyms: Pseudonyms) -> String {
        CSVWriter.document(header: header, rows: findings.map { finding in
            [
                finding.severity, finding.rule, finding.message, finding.action,
                finding.child ?? "", finding.child.map(pseudonyms.child) ?? "",
                finding.family ?? "", finding.family.map(pseudonyms.family) ?? "",
                finding.document ?? finding.fields["document"] ?? "", finding.fields["origin"] ?? "",
                finding.fields["plan"] ?? "", finding.fields["outcome"] ?? "", finding.fields["section"] ?? "",
                finding.recordKind ?? "", finding.recordId ?? "", finding.fields["field"] ?? "",
                finding.eventDate?.uk ?? "", finding.isNew ? "yes" : "no", finding.sourceFile ?? "",
                finding.sourceLine.map(String.init) ?? "",
            ]
        })
    }
}
