import CasebridgeModel

/// A field value that failed its type, its code list, or was required and missing.
public struct InvalidValue: Hashable, Sendable {
    /// The field's canonical name (`birthDate`).
    public var field: String
    /// The field's name in findings (`BirthDate`, `Status@code`).
    public var label: String
    /// The raw value as a finding may quote it: for a code-list or recoded field only, at most 40
    /// characters; `nil` for a missing value and for every other field, whose ``reason`` describes the
    /// value by its shape instead (it may hold a name or a birth date).
    public var raw: String?
    /// Why it fails, in words: "is not an ISO date (yyyy-MM-dd)".
    public var reason: String
    /// Whether the field is a key field: a failure quarantines the record.
    public var isKey: Bool

    public init(field: String, label: String, raw: String?, reason: String, isKey: Bool) {
        self.field = field
        self.label = label
        self.raw = raw
        self.reason = reason
        self.isKey = isKey
    }
}

/// What reading a part's content found.
public enum ContentState: String, Sendable {
    /// Decoded (inline) or read (href) in full.
    case ok
    /// Inline text that is not strict base64, or not marked as base64.
    case undecodable
    /// An href that names no readable file inside the export's folder.
    case unreadable
    /// Neither inline content nor an href.
    case absent
}

/// The content of one part: its state, decoded size and SHA-256.
public struct PartContent: Hashable, Sendable {
    public var state: ContentState
    public var bytes: Int?
    public var sha256: String?
    /// Where the decoded inline content was kept in the reader's ``ContentPack``, when it kept it.
    public var packOffset: Int64?
    /// For an undecodable part, why.
    public var problem: String?

    public init(state: ContentState, bytes: Int? = nil, sha256: String? = nil, problem: String? = nil) {
        self.state = state
        self.bytes = bytes
        self.sha256 = sha256
        self.problem = problem
    }
}

/// One canonical record as read: its values in canonical field order, what failed, and where it was.
public struct ReadRecord: Sendable {
    public var kind: RecordKind
    /// The record's place in the export: records are numbered as their start tags are met.
    public var ordinal: Int
    /// The ordinal of the record this one belongs to (a Part's Document), when it is nested in it.
    public var ownerOrdinal: Int?
    /// The line of the record's start tag.
    public var line: Int
    /// Where the record's XML lies in the file: a byte offset inside its start tag (the tag begins
    /// at the last `<` before it) and the offset just past its end tag. `nil` when unknown.
    public var source: Range<Int64>?
    /// The line of the record it is nested in, when it is nested (a Part's Document).
    public var ownerLine: Int?
    /// Valid values, normalised, in `kind.fields` order; `nil` when absent or invalid.
    public var values: [String?]
    /// Raw values that are present but failed, in `kind.fields` order.
    public var badValues: [String?]
    public var invalid: [InvalidValue]
    /// The id findings use for this record (`F-1/C-2` for a Member), a missing part of it written
    /// ``missingIdPart``.
    public var reportedId: String
    /// The reported id when every part of it is present, else `nil`: what staging keeps as the
    /// record's id (an id that itself holds a `?` is whole).
    public var recordId: String?
    /// For a Part: what its content held.
    public var content: PartContent?
    /// For a Document: SHA-256 of all its parts' content concatenated in `seq` order, when every part
    /// could be read and the `seq`s are distinct whole numbers.
    public var partsSha256: String?
    /// For a Document: the number of Part records read inside it.
    public var partsRead: Int?
    /// Every field's raw value (trimmed, before it was read), in `kind.fields` order, when the reader
    /// was asked to keep them (a preview); `nil` otherwise.
    public var raws: [String?]?

    /// How ``reportedId`` writes a part of the id the record lacks (`F-1/?` for a Member with no person).
    public static let missingIdPart = "?"

    /// Whether a key field failed: the record is quarantined.
    public var keyFailed: Bool { invalid.contains { $0.isKey } }

    /// The valid value of canonical field `name`.
    public func value(_ name: String) -> String? {
        guard let index = kind.fields.firstIndex(where: { $0.name == name }) else { return nil }
        return values[index]
    }

    /// The raw value of `name` whether valid or not: what counts for "has it".
    public func rawValue(_ name: String) -> String? {
        guard let index = kind.fields.firstIndex(where: { $0.name == name }) else { return nil }
        return values[index] ?? badValues[index]
    }
}

/// The export's envelope as read from its root element.
public struct EnvelopeRecord: Sendable {
    /// Valid values by envelope field name.
    public var values: [String: String]
    public var invalid: [InvalidValue]
}

/// Where records go as they are read: the staging store, or a test's list.
public protocol RecordSink: AnyObject {
    /// Takes one record. Throwing stops the read.
    func accept(_ record: ReadRecord) throws

    /// Takes one record whose values are still to be read (``PendingRecord/finish()``): a sink that
    /// stores on a thread of its own reads them there. By default, read at once and handed to ``accept(_:)``.
    func accept(pending record: consuming PendingRecord) throws
}

extension RecordSink {
    public func accept(pending record: consuming PendingRecord) throws {
        record.finish()
        try accept(record.record)
    }
}
