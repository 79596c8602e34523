/// The canonical kinds of record that every mapping feeds, whatever the legacy layout.
///
/// The raw value is the name used in mapping files, staging tables and findings.
public enum RecordKind: String, CaseIterable, Sendable, Codable, Comparable {
    case team = "Team"
    case worker = "Worker"
    case person = "Person"
    case status = "Status"
    case allocation = "Allocation"
    case family = "Family"
    case member = "Member"
    case document = "Document"
    case part = "Part"
    case section = "Section"
    case plan = "Plan"
    case outcome = "Outcome"
    case action = "Action"
    case visit = "Visit"
    case deleted = "Deleted"

    public static func < (lhs: RecordKind, rhs: RecordKind) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// The canonical fields of this kind, in staging-column order.
    public var fields: [CanonicalField] { CanonicalSchema.fields(of: self) }

    /// The enclosing kind whose record this one belongs to (a Status to its Person, a Part to its
    /// Document), or `nil` for a record that stands alone.
    public var owner: RecordKind? {
        switch self {
        case .status, .allocation: return .person
        case .member: return .family
        case .part, .section: return .document
        case .outcome, .action: return .plan
        default: return nil
        }
    }

    /// The kind under which findings name this record: parts of a record are reported on it
    /// (a bad `Status@code` is a Person finding), except Members and Outcomes, which have ids of their own.
    public var reportedKind: RecordKind {
        switch self {
        case .status, .allocation: return .person
        case .part, .section: return .document
        case .action: return .plan
        default: return self
        }
    }

    /// The fields that make up the id findings use: `FAMILY/PERSON` for a Member, `PLAN/OUTCOME`
    /// for an Outcome, the owner's id for parts of a record, the `id` otherwise.
    public var reportedIdFields: [String] {
        switch self {
        case .status, .allocation: return ["person"]
        case .member: return ["family", "person"]
        case .part, .section: return ["document"]
        case .outcome: return ["plan", "id"]
        case .action: return ["plan"]
        case .deleted: return ["kind", "id"]
        default: return ["id"]
        }
    }

    /// Whether two records of this kind may share an id (`duplicate-id` applies to the others).
    public var hasUniqueId: Bool {
        switch self {
        case .status, .allocation, .part, .section, .action, .deleted: return false
        default: return true
        }
    }
}
