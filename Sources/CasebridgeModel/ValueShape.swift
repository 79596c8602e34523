/// What a value looks like, without what it says: "a UK date", "free text of 31 characters".
///
/// Findings, errors and surveys describe a value by its shape wherever quoting it could carry a
/// child's name, birth date or a worker's notes (only code-list and recoded values are quoted).
/// Classifying reads the bytes once and allocates nothing.
///
/// ```swift
/// ValueShape.of("when Lily-Mae Müller starts school").phrase   // "free text of 34 characters"
/// ValueShape.of("14-Aug-2019").phrase                          // "a date (dd-MMM-yyyy)"
/// ```
public struct ValueShape: Hashable, Sendable {
    /// The broad class of a value.
    public enum Kind: UInt8, Hashable, Sendable, CaseIterable {
        case blank, integer, number, date, timestamp, boolean, sha256, hex, base64, word, freeText
    }

    public var kind: Kind
    /// For a date or a timestamp: its layout.
    public var layout: DateLayout?
    /// For a date or a timestamp: whether its numbers make a real date and time of day.
    public var isReal = true
    /// The value's length in characters (Unicode scalars).
    public var characters: Int

    /// The shape of `value` (trimmed or not: surrounding whitespace is ignored).
    public static func of(_ value: String) -> ValueShape {
        var copy = value
        return copy.withUTF8 { of(bytes: $0) }
    }

    /// The shape of a value's bytes (surrounding whitespace is ignored).
    public static func of(bytes raw: UnsafeBufferPointer<UInt8>) -> ValueShape {
        var start = 0
        var end = raw.count
        while start < end, isSpace(raw[start]) { start += 1 }
        while end > start, isSpace(raw[end - 1]) { end -= 1 }
        let b = UnsafeBufferPointer(rebasing: raw[start..<end])
        var scan = Scan()
        for byte in b { scan.add(byte) }
        let characters = b.count - scan.continuationBytes
        if b.isEmpty { return ValueShape(kind: .blank, characters: 0) }
        if scan.digits == b.count { return ValueShape(kind: .integer, characters: characters) }
        if b.count == 64, scan.digits + scan.lowerHex + scan.upperHex == 64 {
            return ValueShape(kind: scan.upperHex == 0 ? .sha256 : .hex, characters: 64)
        }
        if scan.nonASCII == 0, b.count <= 40, isDigit(b[0]), let (layout, real) = DateLayout.read(b) {
            return ValueShape(kind: layout.time == .none ? .date : .timestamp, layout: layout, isReal: real, characters: characters)
        }
        if isNumber(b) { return ValueShape(kind: .number, characters: characters) }
        if isBoolean(b) { return ValueShape(kind: .boolean, characters: characters) }
        if b.count >= 24, scan.isBase64Text(count: b.count) { return ValueShape(kind: .base64, characters: characters) }
        if scan.whitespace == 0, characters <= 40 { return ValueShape(kind: .word, characters: characters) }
        return ValueShape(kind: .freeText, characters: characters)
    }

    /// A noun phrase for messages: "a UK date (dd/MM/yyyy)", "free text of 31 characters".
    public var phrase: String {
        let plural = characters == 1 ? "" : "s"
        switch kind {
        case .blank: return "blank"
        case .integer: return "a whole number of \(characters) digit\(plural)"
        case .number: return "a number with a sign or a fraction"
        case .date, .timestamp:
            guard let layout else { return "a date" }
            if isReal { return "\(layout.name) (\(layout.display))" }
            return kind == .date ? "a date in the form \(layout.display) that does not exist"
                : "a timestamp in the form \(layout.display) whose date or time does not exist"
        case .boolean: return "a true/false word"
        case .sha256: return "a SHA-256 digest"
        case .hex: return "64 hex digits, some in capitals"
        case .base64: return "base64 text of \(characters) characters"
        case .word: return "a single word of \(characters) character\(plural)"
        case .freeText: return "free text of \(characters) character\(plural)"
        }
    }

    /// A short name for a survey's table: "UK date (dd/MM/yyyy)", "whole number", "free text".
    public var name: String {
        switch kind {
        case .blank: return "blank"
        case .integer: return "whole number"
        case .number: return "number"
        case .date, .timestamp:
            guard let layout else { return "date" }
            var name = layout.name
            if name.hasPrefix("a ") { name.removeFirst(2) } else if name.hasPrefix("an ") { name.removeFirst(3) }
            return "\(name) (\(layout.display))" + (isReal ? "" : ", not real")
        case .boolean: return "true/false"
        case .sha256: return "SHA-256"
        case .hex: return "hex (64, capitals)"
        case .base64: return "base64"
        case .word: return "word"
        case .freeText: return "free text"
        }
    }

    /// The same shape, whatever the value's length: what a survey counts by.
    public var key: ValueShape {
        var key = self
        key.characters = 0
        return key
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// `-12`, `3.5`, `+0.25`: digits with a sign or one decimal point.
    private static func isNumber(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = b[0] == 0x2D || b[0] == 0x2B ? 1 : 0
        var digits = 0
        var points = 0
        while i < b.count {
            if isDigit(b[i]) { digits += 1 } else if b[i] == 0x2E { points += 1 } else { return false }
            i += 1
        }
        return digits > 0 && points <= 1
    }

    private static func isBoolean(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let lower = b.map { $0 | 0x20 }
        return lower.elementsEqual("true".utf8) || lower.elementsEqual("false".utf8)
    }

    /// Counts of byte classes, in one pass.
    private struct Scan {
        var digits = 0, lowerHex = 0, upperHex = 0, upper = 0, lower = 0, whitespace = 0, lineBreaks = 0
        var base64Marks = 0, other = 0, nonASCII = 0, continuationBytes = 0

        mutating func add(_ byte: UInt8) {
            switch byte {
            case 0x30...0x39: digits += 1
            case 0x61...0x66: lowerHex += 1; lower += 1
            case 0x41...0x46: upperHex += 1; upper += 1
            case 0x67...0x7A: lower += 1
            case 0x47...0x5A: upper += 1
            case 0x20, 0x09: whitespace += 1
            case 0x0A, 0x0D: whitespace += 1; lineBreaks += 1
            case 0x2B, 0x2F, 0x3D: base64Marks += 1
            case 0x80...0xFF:
                nonASCII += 1
                if byte < 0xC0 { continuationBytes += 1 }
            default: other += 1
            }
        }

        /// Only the base64 alphabet (line breaks allowed), with digits or marks and both letter cases.
        func isBase64Text(count: Int) -> Bool {
            other == 0 && nonASCII == 0 && whitespace == lineBreaks && upper > 0 && lower > 0 && digits + base64Marks > 0
        }
    }
}

/// The layout of a date or a timestamp as a survey or a message names it: the order of its parts,
/// their separators, and the time and zone that follow.
public struct DateLayout: Hashable, Sendable {
    /// How the date part is ordered and spelled.
    public enum DateOrder: UInt8, Hashable, Sendable {
        /// `yyyy-MM-dd`
        case yearFirst
        /// `dd/MM/yyyy`
        case dayFirst
        /// `dd-MMM-yyyy`
        case dayMonthName
    }

    /// What follows the date.
    public enum Time: UInt8, Hashable, Sendable {
        case none, minutes, seconds, fraction
    }

    /// How the time's zone is written.
    public enum Zone: UInt8, Hashable, Sendable {
        /// No zone: a wall-clock time somewhere.
        case none
        /// `Z`
        case z
        /// `+01:00`
        case colon
        /// `+0100`
        case compact
    }

    public var order: DateOrder
    /// The byte between the date's parts (`-`, `/`, `.`, or a space).
    public var separator: UInt8
    /// Whether the day and the month are written with two digits (`dd`, `MM`) or may have one (`d`, `M`).
    public var twoDigitDay: Bool
    public var twoDigitMonth: Bool
    /// For a month name: whether it is written in full (`August`) rather than three letters.
    public var fullMonthName = false
    public var time: Time = .none
    /// The byte between the date and the time: `T` or a space.
    public var timeSeparator: UInt8 = 0x54
    public var zone: Zone = .none

    /// The layout in ``DatePattern`` letters, as a mapping file would spell it: `dd-MMM-yyyy HH:mm:ss`,
    /// `yyyy-MM-dd'T'HH:mm:ssXXX`.
    public var pattern: String { spelled(forMapping: true) }

    /// The layout as a person reads it: `yyyy-MM-ddTHH:mm:ssZ`, `dd/MM/yyyy HH:mm`.
    public var display: String { spelled(forMapping: false) }

    private func spelled(forMapping: Bool) -> String {
        let s = String(UnicodeScalar(separator))
        let day = twoDigitDay ? "dd" : "d"
        let month: String
        switch order {
        case .dayMonthName: month = fullMonthName ? "MMMM" : "MMM"
        default: month = twoDigitMonth ? "MM" : "M"
        }
        var text = order == .yearFirst ? "yyyy\(s)\(month)\(s)\(day)" : "\(day)\(s)\(month)\(s)yyyy"
        guard time != .none else { return text }
        text += timeSeparator == 0x54 ? (forMapping ? "'T'" : "T") : " "
        text += "HH:mm"
        if time != .minutes { text += ":ss" }
        if time == .fraction { text += ".S" }
        switch zone {
        case .none: break
        case .z: text += forMapping ? "XXX" : "Z"
        case .colon: text += forMapping ? "XXX" : "+hh:mm"
        case .compact: text += forMapping ? "XX" : "+hhmm"
        }
        return text
    }

    /// A noun phrase: "an ISO date", "a UK date", "a timestamp with a zone".
    public var name: String {
        if time == .none {
            if self == DateLayout.iso { return "an ISO date" }
            if self == DateLayout.uk { return "a UK date" }
            return "a date"
        }
        return zone == .none ? "a timestamp without a zone" : "a timestamp with a zone"
    }

    /// `yyyy-MM-dd`
    public static let iso = DateLayout(order: .yearFirst, separator: 0x2D, twoDigitDay: true, twoDigitMonth: true)
    /// `dd/MM/yyyy`
    public static let uk = DateLayout(order: .dayFirst, separator: 0x2F, twoDigitDay: true, twoDigitMonth: true)

    /// Reads a value that starts with a digit as a date, optionally followed by a time and a zone;
    /// returns its layout and whether its numbers are a real date and time.
    static func read(_ b: UnsafeBufferPointer<UInt8>) -> (DateLayout, Bool)? {
        var reader = LayoutReader(b: b)
        return reader.read()
    }
}

/// Walks a value's bytes for ``DateLayout/read(_:)``.
private struct LayoutReader {
    let b: UnsafeBufferPointer<UInt8>
    var i = 0

    mutating func digits(max: Int = 4) -> (value: Int, count: Int)? {
        var value = 0
        let start = i
        while i < b.count, i - start < max, ValueShape.isDigit(b[i]) {
            value = value * 10 + Int(b[i] - 0x30)
            i += 1
        }
        return i > start ? (value, i - start) : nil
    }

    mutating func byte(_ accepted: (UInt8) -> Bool) -> UInt8? {
        guard i < b.count, accepted(b[i]) else { return nil }
        i += 1
        return b[i - 1]
    }

    mutating func read() -> (DateLayout, Bool)? {
        guard let date = readDate() else { return nil }
        var layout = date.0
        var real = CivilDate.isValid(year: date.1, month: date.2, day: date.3)
        guard i < b.count else { return (layout, real) }
        guard let separator = byte({ $0 == 0x54 || $0 == 0x20 }), let hour = digits(max: 2), byte({ $0 == 0x3A }) != nil,
              let minute = digits(max: 2), minute.count == 2 else { return nil }
        layout.timeSeparator = separator
        layout.time = .minutes
        real = real && hour.value < 24 && minute.value < 60
        if byte({ $0 == 0x3A }) != nil {
            guard let second = digits(max: 2), second.count == 2 else { return nil }
            layout.time = .seconds
            real = real && second.value < 60
            if byte({ $0 == 0x2E || $0 == 0x2C }) != nil {
                guard digits(max: 9) != nil else { return nil }
                while i < b.count, ValueShape.isDigit(b[i]) { i += 1 }
                layout.time = .fraction
            }
        }
        guard let zone = readZone() else { return nil }
        layout.zone = zone
        return i == b.count ? (layout, real) : nil
    }

    mutating func readDate() -> (DateLayout, Int, Int, Int)? {
        guard let first = digits() else { return nil }
        guard let separator = byte({ $0 == 0x2D || $0 == 0x2F || $0 == 0x2E || $0 == 0x20 }) else { return nil }
        if first.count == 4 {
            guard let month = digits(max: 2), byte({ $0 == separator }) != nil, let day = digits(max: 2) else { return nil }
            let layout = DateLayout(order: .yearFirst, separator: separator, twoDigitDay: day.count == 2, twoDigitMonth: month.count == 2)
            return (layout, first.value, month.value, day.value)
        }
        guard first.count <= 2 else { return nil }
        if i < b.count, b[i] | 0x20 >= 0x61, b[i] | 0x20 <= 0x7A {
            guard let (month, full) = monthName(), byte({ $0 == separator }) != nil, let year = digits(), year.count == 4 else { return nil }
            var layout = DateLayout(order: .dayMonthName, separator: separator, twoDigitDay: first.count == 2, twoDigitMonth: true)
            layout.fullMonthName = full
            return (layout, year.value, month, first.value)
        }
        guard let month = digits(max: 2), byte({ $0 == separator }) != nil, let year = digits(), year.count == 4 else { return nil }
        let layout = DateLayout(order: .dayFirst, separator: separator, twoDigitDay: first.count == 2, twoDigitMonth: month.count == 2)
        return (layout, year.value, month.value, first.value)
    }

    mutating func monthName() -> (Int, Bool)? {
        for (index, name) in DatePattern.monthNames.enumerated() {
            for full in [true, false] {
                let length = full ? name.count : 3
                guard i + length <= b.count else { continue }
                if (0..<length).allSatisfy({ b[i + $0] | 0x20 == name[$0] }) {
                    i += length
                    return (index + 1, full && length > 3)
                }
            }
        }
        return nil
    }

    mutating func readZone() -> DateLayout.Zone? {
        guard i < b.count else { return DateLayout.Zone.none }
        if byte({ $0 == 0x5A }) != nil { return .z }
        guard byte({ $0 == 0x2B || $0 == 0x2D }) != nil, let hours = digits(max: 2), hours.count == 2 else { return nil }
        if byte({ $0 == 0x3A }) != nil {
            guard let minutes = digits(max: 2), minutes.count == 2 else { return nil }
            return .colon
        }
        guard let minutes = digits(max: 2), minutes.count == 2 else { return nil }
        return .compact
    }
}
