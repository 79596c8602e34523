import CasebridgeModel

/// What each rule's gap means in plain words, for the director, and what a team does to close one.
///
/// The director's report describes gaps only by these summaries (a finding's own message holds
/// legacy ids); the teams' worklists give each gap its action sentence with the real ids.
public enum RuleWording {
    /// A short plain description of the gap a rule finds, without ids.
    public static func summary(_ rule: String) -> String {
        switch rule {
        case "family-document-missing": return "A child in the family holds no copy of a family document"
        case "document-not-uploaded": return "A document was recorded but its content never uploaded"
        case "document-incomplete": return "An uploaded document's parts do not add up to it"
        case "replica-diverges": return "A copy of a family document differs from its other copies"
        case "late-upload": return "A document was uploaded later than policy allows"
        case "visit-overdue": return "A child with an open status has not been visited in time"
        case "childs-voice-missing": return "A document that must record the child's voice does not"
        case "required-section-missing": return "A document lacks a section its type requires"
        case "plan-without-outcomes": return "A plan sets no outcome for the child"
        case "outcome-not-timebound": return "An outcome of a plan has no target date"
        case "plan-review-overdue": return "An open plan is past its review date"
        case "orphan-reference": return "A record names a person the legacy system does not hold"
        case "duplicate-id": return "Two records share one id, so neither loaded"
        case "invalid-value": return "A field holds a value that is not valid"
        default: return "Gap found by rule \(rule)"
        }
    }

    /// What to do about one gap, with the real ids: one sentence for a team's worklist.
    public static func action(for finding: StoredFinding) -> String {
        let child = finding.child ?? "the child"
        let document = finding.document ?? finding.fields["document"] ?? "the document"
        let date = finding.eventDate?.uk
        let record = "\(finding.recordKind ?? "record") \(finding.recordId ?? "")".trimmingCharacters(in: .whitespaces)
        switch finding.rule {
        case "family-document-missing":
            let origin = finding.fields["origin"] ?? "the family document"
            let what = documentDescription(in: finding.message, before: " " + origin) ?? "family document"
            return "Upload the \(what)\(date.map { " of \($0)" } ?? "") (\(origin)) to \(child)'s record."
        case "document-not-uploaded":
            return "Upload the content of \(document)\(date.map { " (event of \($0))" } ?? "") to \(child)'s record."
        case "document-incomplete":
            return "Upload \(document) again in full to \(child)'s record: the parts held do not match the document."
        case "replica-diverges":
            let origin = finding.fields["origin"].map { " of family document \($0)" } ?? ""
            return "Replace \(document) on \(child)'s record with the latest agreed version\(origin)."
        case "late-upload":
            return "Nothing to upload: note on \(child)'s record why \(document) was uploaded late, and raise the delay in supervision."
        case "visit-overdue":
            return "Visit \(child) and record the visit, or record why the status is no longer open."
        case "childs-voice-missing":
            return "Add the child's voice (a ChildsVoice section) to \(document) on \(child)'s record."
        case "required-section-missing":
            let section = finding.fields["section"] ?? "required"
            return "Add the \(section) section to \(document) on \(child)'s record."
        case "plan-without-outcomes":
            return "Add at least one outcome, with a target date, to plan \(finding.fields["plan"] ?? "") for \(child)."
        case "outcome-not-timebound":
            return "Give outcome \(finding.fields["outcome"] ?? "") of plan \(finding.fields["plan"] ?? "") a target date."
        case "plan-review-overdue":
            return "Review plan \(finding.fields["plan"] ?? "") for \(child)\(date.map { " (due \($0))" } ?? "") and record the review, or end the plan."
        case "orphan-reference":
            return "Correct \(record) in the legacy system so it names a person the system holds."
        case "duplicate-id":
            return "Give one of the \(finding.fields["recordKind"] ?? "") records sharing id \(finding.fields["recordId"] ?? "") a new id in the legacy system; neither has loaded."
        case "invalid-value":
            return "Correct the \(finding.fields["field"] ?? "field") of \(record) in the legacy system."
        default:
            return "Correct \(record) as the finding describes."
        }
    }

    /// The description a `family-document-missing` message gives its document ("… holds no copy of
    /// core group meeting minutes EV-…"), or `nil`.
    static func documentDescription(in message: String, before suffix: String) -> String? {
        guard message.hasSuffix(suffix), let range = message.range(of: "holds no copy of ") else { return nil }
        let end = message.index(message.endIndex, offsetBy: -suffix.count)
        guard range.upperBound < end else { return nil }
        return String(message[range.upperBound..<end])
    }
}
