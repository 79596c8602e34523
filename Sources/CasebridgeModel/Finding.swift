/// How much a gap matters; findings sort critical first.
public enum Severity: String, CaseIterable, Sendable, Codable, Comparable {
    case critical
    case high
    case medium
    case low

    /// 0 for critical, rising as severity falls.
    public var rank: Int {
        switch self {
        case .critical: return 0
        case .high: return 1
        case .medium: return 2
        case .low: return 3
        }
    }

    /// Critical sorts first.
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// Where a record was read: the export file and the line its element starts on.
///
/// A finding that stands for more than one record (three Visits without an id, the copies of a shared
/// id: one identity, so one finding) names the first as `line` and lists every one in `lines`.
public struct SourceLocation: Hashable, Sendable {
    public var file: String
    public var line: Int
    /// Every line in `file` of the records a finding stands for, in ascending order, `line` first, when
    /// it stands for more than one; empty otherwise. (A delta's merged state may hold records of one
    /// finding in earlier exports too: those are not listed here; the target's quarantine lists each.)
    public var lines: [Int]

    public init(file: String, line: Int, lines: [Int] = []) {
        self.file = file
        self.line = line
        self.lines = lines
    }
}

/// One named value of a finding, a key field (`document`, `origin`) or a context field (`team`).
public struct FindingField: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One gap: which rule found it, in which record, and what to say about it.
///
/// A finding's identity is its rule and key; context fields and the message never take part in it.
public struct Finding: Hashable, Sendable {
    /// The rule's stable id, e.g. `document-incomplete`.
    public var rule: String
    public var severity: Severity
    /// The key fields, in the order the rule defines them.
    public var key: [FindingField]
    /// Extra fields that help a reader (`family`, `team`, `child`, …); never part of the key.
    public var context: [FindingField]
    /// One sentence a person can act on. Holds ids, never names.
    public var message: String
    public var source: SourceLocation?

    public init(
        rule: String, severity: Severity, key: [FindingField], context: [FindingField] = [],
        message: String, source: SourceLocation? = nil
    ) {
        self.rule = rule
        self.severity = severity
        self.key = key
        self.context = context
        self.message = message
        self.source = source
    }

    /// The value of key or context field `name`.
    public subscript(field name: String) -> String? {
        key.first { $0.name == name }?.value ?? context.first { $0.name == name }?.value
    }

    /// What makes this finding distinct: rule and key values.
    public var identity: FindingIdentity {
        FindingIdentity(rule: rule, key: key.map(\.value))
    }

    /// The order of `docs/findings-format.md`: severity, then rule, then key values in plain string order.
    public static func contractOrder(_ a: Finding, _ b: Finding) -> Bool {
        if a.severity != b.severity { return a.severity < b.severity }
        if a.rule != b.rule { return a.rule < b.rule }
        let ak = a.key.map(\.value), bk = b.key.map(\.value)
        for (x, y) in zip(ak, bk) where x != y {
            return x.utf8.lexicographicallyPrecedes(y.utf8)
        }
        return ak.count < bk.count
    }
}

/// A finding's identity: its rule and the values of its key fields.
public struct FindingIdentity: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rule: String
    public var key: [String]

    public init(rule: String, key: [String]) {
        self.rule = rule
        self.key = key
    }

    public var description: String { "\(rule)(\(key.joined(separator: ", ")))" }

    public static func < (a: FindingIdentity, b: FindingIdentity) -> Bool {
        if a.rule != b.rule { return a.rule < b.rule }
        return a.key.lexicographicallyPrecedes(b.key) { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
