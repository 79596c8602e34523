/// What a canonical field holds once read, whatever the legacy spelling.
public enum CanonicalValueKind: String, Sendable, Codable {
    /// Free text or a code.
    case text
    /// A whole number.
    case integer
    /// `true` or `false`.
    case boolean
    /// A calendar date, staged as `yyyy-MM-dd`.
    case date
    /// An instant, staged as `yyyy-MM-ddTHH:mm:ss[.fff]Z` in UTC.
    case timestamp
    /// A SHA-256 digest, staged as 64 lowercase hex digits.
    case sha256
    /// Content: base64 text inline, decoded and hashed as it streams.
    case content
    /// A path to a file holding content, relative to the export's folder.
    case file
}

/// One field of a canonical record kind.
public struct CanonicalField: Sendable, Hashable {
    /// The field's canonical name, as mapping files and staging columns spell it.
    public let name: String
    /// What the field holds.
    public let kind: CanonicalValueKind

    public init(_ name: String, _ kind: CanonicalValueKind = .text) {
        self.name = name
        self.kind = kind
    }
}

/// The canonical records every mapping feeds: the fields each kind has, and what each holds.
///
/// Rules and the staging store are written against these names only; a mapping file says where
/// each lives in one legacy format.
public enum CanonicalSchema {
    /// The fields of `kind`, in a fixed order.
    public static func fields(of kind: RecordKind) -> [CanonicalField] {
        switch kind {
        case .team:
            return [.init("id"), .init("name")]
        case .worker:
            return [.init("id"), .init("team"), .init("name"), .init("role")]
        case .person:
            return [
                .init("id"), .init("kind"), .init("forename"), .init("surname"),
                .init("birthDate", .date), .init("gender"), .init("ethnicity"),
                .init("lastModified", .timestamp),
            ]
        case .status:
            return [.init("person"), .init("code"), .init("from", .date), .init("to", .date)]
        case .allocation:
            return [
                .init("person"), .init("team"), .init("worker"), .init("from", .date), .init("to", .date),
            ]
        case .family:
            return [.init("id"), .init("name")]
        case .member:
            return [
                .init("family"), .init("person"), .init("role"), .init("from", .date), .init("to", .date),
            ]
        case .document:
            return [
                .init("id"), .init("person"), .init("type"), .init("scope"), .init("family"),
                .init("origin"), .init("version", .integer), .init("title"),
                .init("eventDate", .date), .init("recordedAt", .timestamp),
                .init("uploadedAt", .timestamp), .init("author"),
                .init("manifestParts", .integer), .init("manifestBytes", .integer),
                .init("manifestSha256", .sha256),
            ]
        case .part:
            return [
                .init("document"), .init("seq", .integer), .init("mime"), .init("bytes", .integer),
                .init("sha256", .sha256), .init("encoding"), .init("href", .file),
                .init("content", .content),
            ]
        case .section:
            return [.init("document"), .init("name"), .init("text")]
        case .plan:
            return [
                .init("id"), .init("person"), .init("type"), .init("start", .date),
                .init("end", .date), .init("reviewDue", .date),
            ]
        case .outcome:
            return [.init("plan"), .init("id"), .init("targetDate", .date), .init("text")]
        case .action:
            return [
                .init("plan"), .init("id"), .init("owner"), .init("due", .date), .init("text"),
            ]
        case .visit:
            return [
                .init("id"), .init("person"), .init("date", .date), .init("seenAlone", .boolean),
                .init("worker"),
            ]
        case .deleted:
            return [.init("kind"), .init("id")]
        }
    }

    /// The field of `kind` called `name`, if there is one.
    public static func field(_ name: String, of kind: RecordKind) -> CanonicalField? {
        fields(of: kind).first { $0.name == name }
    }

    /// The export envelope's fields (`exportId`, `sequence`, …), read from the root element.
    public static let envelopeFields: [CanonicalField] = [
        .init("exportId"), .init("sequence", .integer), .init("kind"),
        .init("exportedAt", .timestamp), .init("since", .timestamp), .init("schemaVersion"),
        .init("system"), .init("authority"),
    ]
}
