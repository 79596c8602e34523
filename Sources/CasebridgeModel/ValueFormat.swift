/// How a legacy value is written, as a mapping file declares it, and how it is checked.
///
/// Each format reads a trimmed, non-blank raw value and gives its staged (normalised) form, or `nil`
/// when the value fails: the rules of `docs/export-format.md` § "Field types".
public enum ValueFormat: String, CaseIterable, Sendable, Codable {
    /// Any text.
    case text
    /// ASCII digits only.
    case integer
    /// Exactly `true` or `false`.
    case boolean
    /// Exactly `yyyy-MM-dd`, a real calendar date.
    case isoDate = "iso-date"
    /// Exactly `dd/MM/yyyy`, a real calendar date; staged as `yyyy-MM-dd`.
    case ukDate = "uk-date"
    /// A real calendar date in the layout of a ``DatePattern`` (`dd-MMM-yyyy`); staged as `yyyy-MM-dd`.
    /// Without a pattern (see ``ValueRule``), as `iso-date`.
    case date
    /// `yyyy-MM-ddTHH:mm`, optional `:ss` and fraction, ending in `Z` or `+00:00`.
    case utcTimestamp = "utc-timestamp"
    /// An instant: ISO 8601 with `Z` or an offset (`2019-08-14T17:40:00+01:00`), or the layout of a
    /// ``DatePattern`` read with its own offset or in a ``ClockZone``; staged in UTC.
    case timestamp
    /// 64 lowercase hex digits.
    case sha256
    /// Inline base64 content (whitespace ignored), decoded and hashed as it streams.
    case base64
    /// A relative path to a file beside the export holding the content.
    case href

    /// The canonical kind a value of this format becomes.
    public var canonicalKind: CanonicalValueKind {
        switch self {
        case .text: return .text
        case .integer: return .integer
        case .boolean: return .boolean
        case .isoDate, .ukDate, .date: return .date
        case .utcTimestamp, .timestamp: return .timestamp
        case .sha256: return .sha256
        case .base64: return .content
        case .href: return .file
        }
    }

    /// A short phrase naming the expected form, for messages ("is not an ISO date (yyyy-MM-dd)").
    public var expectation: String {
        switch self {
        case .text: return "text"
        case .integer: return "a whole number (digits only)"
        case .boolean: return "true or false"
        case .isoDate: return "an ISO date (yyyy-MM-dd)"
        case .ukDate: return "a UK date (dd/MM/yyyy)"
        case .date: return "a date (yyyy-MM-dd)"
        case .utcTimestamp: return "a UTC timestamp (yyyy-MM-ddTHH:mm[:ss]Z)"
        case .timestamp: return "a timestamp with a zone (yyyy-MM-ddTHH:mm[:ss] then Z or ±hh:mm)"
        case .sha256: return "a SHA-256 digest (64 lowercase hex digits)"
        case .base64: return "base64 content"
        case .href: return "a relative path inside the export's folder"
        }
    }

    /// The staged form of `raw`, or `nil` when it fails this format.
    ///
    /// `raw` is already trimmed and non-blank. Content and paths are checked where they are read.
    public func normalise(_ raw: String) -> String? {
        if self == .text || self == .base64 || self == .href { return raw }
        if self == .date || self == .timestamp { return ValueRule(format: self).typedValue(raw) }
        // Most values are already in their staged form: then the raw string itself is returned, uncopied.
        enum Outcome {
            case same
            case staged(String)
            case invalid
        }
        var copy = raw
        let outcome: Outcome = copy.withUTF8 { bytes in
            let valid = { (ok: Bool) in ok ? Outcome.same : .invalid }
            switch self {
            case .text, .base64, .href, .date, .timestamp: return .same
            case .integer:
                guard let staged = Self.integer(bytes) else { return .invalid }
                return staged.utf8.count == bytes.count ? .same : .staged(staged)
            case .boolean: return valid(Self.boolean(bytes))
            case .isoDate: return valid(Self.isoDate(bytes))
            case .ukDate: return Self.ukDate(bytes).map(Outcome.staged) ?? .invalid
            case .utcTimestamp:
                guard let staged = Self.timestamp(bytes) else { return .invalid }
                return staged.utf8.count == bytes.count ? .same : .staged(staged)
            case .sha256: return valid(Self.sha256Hex(bytes))
            }
        }
        switch outcome {
        case .same: return raw
        case let .staged(staged): return staged
        case .invalid: return nil
        }
    }

    private static func integer(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        guard !b.isEmpty, b.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        // Drop leading zeros so that "007" and "7" stage alike; keep one digit.
        var start = 0
        while start < b.count - 1, b[start] == 0x30 { start += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: b[start...]), as: UTF8.self)
    }

    private static func boolean(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        b.elementsEqual("true".utf8) || b.elementsEqual("false".utf8)
    }

    private static func digits(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ count: Int) -> Int? {
        var value = 0
        for i in from..<(from + count) {
            let c = b[i]
            guard c >= 0x30, c <= 0x39 else { return nil }
            value = value * 10 + Int(c - 0x30)
        }
        return value
    }

    private static func isoDate(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count == 10, b[4] == 0x2D, b[7] == 0x2D,
              let y = digits(b, 0, 4), let m = digits(b, 5, 2), let d = digits(b, 8, 2) else { return false }
        return CivilDate.isValid(year: y, month: m, day: d)
    }

    private static func ukDate(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        guard b.count == 10, b[2] == 0x2F, b[5] == 0x2F,
              let d = digits(b, 0, 2), let m = digits(b, 3, 2), let y = digits(b, 6, 4),
              CivilDate.isValid(year: y, month: m, day: d) else { return nil }
        return CivilDate(year: y, month: m, day: d).iso
    }

    private static func timestamp(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        // yyyy-MM-ddTHH:mm
        guard b.count >= 17, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A,
              let y = digits(b, 0, 4), let mo = digits(b, 5, 2), let d = digits(b, 8, 2),
              let h = digits(b, 11, 2), let mi = digits(b, 14, 2),
              CivilDate.isValid(year: y, month: mo, day: d), h < 24, mi < 60 else { return nil }
        var i = 16
        var seconds = 0
        var fraction = ""
        if i < b.count, b[i] == 0x3A {
            guard i + 3 <= b.count, let s = digits(b, i + 1, 2), s < 60 else { return nil }
            seconds = s
            i += 3
            if i < b.count, b[i] == 0x2E {
                var j = i + 1
                while j < b.count, b[j] >= 0x30, b[j] <= 0x39 { j += 1 }
                guard j > i + 1 else { return nil }
                fraction = String(decoding: UnsafeBufferPointer(rebasing: b[i..<j]), as: UTF8.self)
                i = j
            }
        }
        let zone = UnsafeBufferPointer(rebasing: b[i...])
        guard zone.elementsEqual("Z".utf8) || zone.elementsEqual("+00:00".utf8) else { return nil }
        let date = CivilDate(year: y, month: mo, day: d).iso
        return "\(date)T\(pad2(h)):\(pad2(mi)):\(pad2(seconds))\(fraction)Z"
    }

    private static func sha256Hex(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        b.count == 64 && b.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    private static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
