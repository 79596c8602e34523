/// The layout of a date or a timestamp in a legacy export, as a mapping file spells it: `dd-MMM-yyyy`,
/// `dd/MM/yyyy HH:mm[:ss]`, `yyyy-MM-dd'T'HH:mm:ssXXX`.
///
/// | letters | meaning |
/// |---|---|
/// | `yyyy` | the year, four digits |
/// | `MM`, `M` | the month, two digits, or one or two |
/// | `MMM`, `MMMM` | the month's English name, three letters (`Aug`) or in full (`August`), any letter case |
/// | `dd`, `d` | the day of the month, two digits, or one or two |
/// | `HH`, `H` | the hour, 00–23, two digits, or one or two |
/// | `mm`, `ss` | minutes and seconds, two digits |
/// | `S` | a fraction of a second: one or more digits |
/// | `XXX`, `XX` | the offset from UTC: `Z`, or `+01:00` (`XXX`) / `+0100` (`XX`) |
/// | `'…'` | literal text (`'T'`) |
/// | `[…]` | an optional part (`HH:mm[:ss]`) |
///
/// Any other character that is not a letter stands for itself. Matching is exact: every character of
/// a value must be accounted for.
///
/// ```swift
/// let pattern = try DatePattern("dd-MMM-yyyy HH:mm[:ss]")
/// pattern.match("14-Aug-2019 17:40")   // year 2019, month 8, day 14, hour 17, minute 40
/// ```
public struct DatePattern: Hashable, Sendable, CustomStringConvertible {
    indirect enum Token: Hashable, Sendable {
        case year, month(Width), monthName(full: Bool), day(Width), hour(Width), minute, second, fraction
        case offset(colon: Bool)
        case literal(UInt8)
        case optional([Token])
    }

    enum Width: Hashable, Sendable {
        case two, oneOrTwo
    }

    /// The values a pattern read; fields the pattern does not hold are 0.
    public struct Fields: Hashable, Sendable {
        public var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0
        /// The digits of the fraction of a second as written (`"250"`), or `""`.
        public var fraction = ""
        /// Minutes east of UTC, when the pattern holds an offset.
        public var offsetMinutes: Int?
    }

    /// The pattern as written in the mapping file.
    public let text: String
    let tokens: [Token]
    /// The token lists to try in turn: optional parts in, then out.
    let alternatives: [[Token]]

    public var description: String { text }

    /// Parses a pattern; throws a ``DatePatternError`` naming what is wrong.
    public init(_ text: String) throws(DatePatternError) {
        self.text = text
        var parser = DatePatternParser(Array(text.utf8))
        tokens = try parser.parse()
        alternatives = Self.alternatives(tokens)
        guard alternatives.count <= 16 else { throw DatePatternError("'\(text)' has too many [optional] parts (four at most)") }
        try checkFields()
    }

    /// Whether the pattern reads a time of day (an hour).
    public var hasTime: Bool { contains { if case .hour = $0 { return true } else { return false } } }
    /// Whether the pattern reads an offset from UTC (perhaps in an optional part).
    public var hasOffset: Bool { contains { if case .offset = $0 { return true } else { return false } } }
    /// Whether every value must carry an offset (it is not in an optional part).
    public var requiresOffset: Bool { tokens.contains { if case .offset = $0 { return true } else { return false } } }

    private func contains(_ test: (Token) -> Bool) -> Bool {
        func walk(_ tokens: [Token]) -> Bool {
            tokens.contains { token in
                if case let .optional(inner) = token { return walk(inner) }
                return test(token)
            }
        }
        return walk(tokens)
    }

    /// Reads `value` (already trimmed); `nil` unless the whole value fits the pattern. The numbers are
    /// not yet checked against the calendar.
    public func match(_ value: String) -> Fields? {
        var copy = value
        return copy.withUTF8 { bytes in
            for alternative in alternatives {
                var fields = Fields()
                var i = 0
                var matched = true
                for token in alternative {
                    guard let next = Self.step(token, bytes, i, &fields) else {
                        matched = false
                        break
                    }
                    i = next
                }
                if matched, i == bytes.count { return fields }
            }
            return nil
        }
    }

    /// The flat token lists of the pattern, each optional part in and out, the longest first.
    static func alternatives(_ tokens: [Token]) -> [[Token]] {
        var results: [[Token]] = [[]]
        for token in tokens {
            guard case let .optional(inner) = token else {
                results = results.map { $0 + [token] }
                continue
            }
            let innerAlternatives = alternatives(inner)
            results = results.flatMap { prefix in innerAlternatives.map { prefix + $0 } + [prefix] }
        }
        return results
    }

    private static func step(_ token: Token, _ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ fields: inout Fields) -> Int? {
        switch token {
        case .year: return digits(b, i, 4, 4) { fields.year = $0 }
        case let .month(width): return digits(b, i, width == .two ? 2 : 1, 2) { fields.month = $0 }
        case let .day(width): return digits(b, i, width == .two ? 2 : 1, 2) { fields.day = $0 }
        case let .hour(width): return digits(b, i, width == .two ? 2 : 1, 2) { fields.hour = $0 }
        case .minute: return digits(b, i, 2, 2) { fields.minute = $0 }
        case .second: return digits(b, i, 2, 2) { fields.second = $0 }
        case .fraction:
            var j = i
            while j < b.count, isDigit(b[j]) { j += 1 }
            guard j > i else { return nil }
            fields.fraction = String(decoding: UnsafeBufferPointer(rebasing: b[i..<j]), as: UTF8.self)
            return j
        case let .monthName(full): return monthName(b, i, full: full) { fields.month = $0 }
        case let .offset(colon): return offset(b, i, colon: colon) { fields.offsetMinutes = $0 }
        case let .literal(byte):
            guard i < b.count, b[i] == byte else { return nil }
            return i + 1
        case .optional: return nil
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func digits(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ least: Int, _ most: Int,
                               _ store: (Int) -> Void) -> Int? {
        var value = 0
        var j = i
        while j < b.count, j - i < most, isDigit(b[j]) {
            value = value * 10 + Int(b[j] - 0x30)
            j += 1
        }
        guard j - i >= least else { return nil }
        store(value)
        return j
    }

    /// English month names, matched without regard to letter case.
    static let monthNames = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                             "october", "november", "december"].map { Array($0.utf8) }

    private static func monthName(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, full: Bool, _ store: (Int) -> Void) -> Int? {
        for (index, name) in monthNames.enumerated() {
            let length = full ? name.count : 3
            guard i + length <= b.count else { continue }
            var same = true
            for k in 0..<length where b[i + k] | 0x20 != name[k] {
                same = false
                break
            }
            if same {
                store(index + 1)
                return i + length
            }
        }
        return nil
    }

    private static func offset(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, colon: Bool, _ store: (Int) -> Void) -> Int? {
        guard i < b.count else { return nil }
        if b[i] == 0x5A {
            store(0)
            return i + 1
        }
        guard b[i] == 0x2B || b[i] == 0x2D else { return nil }
        var hours = 0
        var minutes = 0
        guard var j = digits(b, i + 1, 2, 2, { hours = $0 }) else { return nil }
        if colon {
            guard j < b.count, b[j] == 0x3A else { return nil }
            j += 1
        }
        guard let end = digits(b, j, 2, 2, { minutes = $0 }), hours < 24, minutes < 60 else { return nil }
        store((b[i] == 0x2D ? -1 : 1) * (hours * 60 + minutes))
        return end
    }

    /// A pattern must name the year, the month and the day once each, outside optional parts; a time
    /// needs its hour and minutes together, outside optional parts too.
    private func checkFields() throws(DatePatternError) {
        var plain: [String: Int] = [:]
        var optional: [String: Int] = [:]
        func walk(_ tokens: [Token], inOptional: Bool) {
            for token in tokens {
                let name: String
                switch token {
                case .year: name = "year"
                case .month, .monthName: name = "month"
                case .day: name = "day"
                case .hour: name = "hour"
                case .minute: name = "minute"
                case .second: name = "second"
                case .fraction: name = "fraction"
                case .offset: name = "offset"
                case .literal: continue
                case let .optional(inner):
                    walk(inner, inOptional: true)
                    continue
                }
                if inOptional { optional[name, default: 0] += 1 } else { plain[name, default: 0] += 1 }
            }
        }
        walk(tokens, inOptional: false)
        for name in ["year", "month", "day"] where plain[name] != 1 || optional[name] != nil {
            throw DatePatternError("'\(text)' must hold the \(name) exactly once, outside [optional] parts")
        }
        for name in Set(plain.keys).union(optional.keys) where plain[name, default: 0] + optional[name, default: 0] > 1 {
            throw DatePatternError("'\(text)' holds the \(name) more than once")
        }
        if optional["hour"] != nil || optional["minute"] != nil {
            throw DatePatternError("'\(text)': the hour and minutes cannot be optional (only seconds, fractions and offsets)")
        }
        if (plain["hour"] == nil) != (plain["minute"] == nil) {
            throw DatePatternError("'\(text)' must hold both the hour (HH) and the minutes (mm), or neither")
        }
        let timeParts = ["second", "fraction", "offset"]
        if plain["hour"] == nil, timeParts.contains(where: { plain[$0] != nil || optional[$0] != nil }) {
            throw DatePatternError("'\(text)' holds seconds, a fraction or an offset without a time (HH:mm)")
        }
    }
}

/// Why a date pattern cannot be used.
public struct DatePatternError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Turns a pattern's text into tokens.
struct DatePatternParser {
    private let b: [UInt8]
    private var i = 0

    init(_ bytes: [UInt8]) { b = bytes }

    mutating func parse() throws(DatePatternError) -> [DatePattern.Token] {
        let tokens = try sequence(nested: false)
        guard !tokens.isEmpty else { throw error("the pattern is empty") }
        return tokens
    }

    private func error(_ reason: String) -> DatePatternError {
        DatePatternError("'\(String(decoding: b, as: UTF8.self))': \(reason)")
    }

    private mutating func sequence(nested: Bool) throws(DatePatternError) -> [DatePattern.Token] {
        var tokens: [DatePattern.Token] = []
        while i < b.count {
            let c = b[i]
            switch c {
            case 0x5B:  // [
                i += 1
                let inner = try sequence(nested: true)
                guard !inner.isEmpty else { throw error("an optional part [] is empty") }
                tokens.append(.optional(inner))
            case 0x5D:  // ]
                guard nested else { throw error("a ] closes no [") }
                i += 1
                return tokens
            case 0x27:  // '
                guard let close = b[(i + 1)...].firstIndex(of: 0x27) else { throw error("a quote ' is not closed") }
                if close == i + 1 {
                    tokens.append(.literal(0x27))
                } else {
                    tokens += b[(i + 1)..<close].map { .literal($0) }
                }
                i = close + 1
            case 0x41...0x5A, 0x61...0x7A:
                tokens.append(try letters())
            default:
                tokens.append(.literal(c))
                i += 1
            }
            try refuseAmbiguity(tokens)
        }
        if nested { throw error("a [ is not closed") }
        return tokens
    }

    /// A run of one pattern letter.
    private mutating func letters() throws(DatePatternError) -> DatePattern.Token {
        let letter = b[i]
        var count = 0
        while i < b.count, b[i] == letter {
            count += 1
            i += 1
        }
        let name = String(decoding: [UInt8](repeating: letter, count: count), as: UTF8.self)
        switch (letter, count) {
        case (0x79, 4): return .year                                // yyyy
        case (0x4D, 1): return .month(.oneOrTwo)                    // M
        case (0x4D, 2): return .month(.two)                         // MM
        case (0x4D, 3): return .monthName(full: false)              // MMM
        case (0x4D, 4): return .monthName(full: true)               // MMMM
        case (0x64, 1): return .day(.oneOrTwo)                      // d
        case (0x64, 2): return .day(.two)                           // dd
        case (0x48, 1): return .hour(.oneOrTwo)                     // H
        case (0x48, 2): return .hour(.two)                          // HH
        case (0x6D, 2): return .minute                              // mm
        case (0x73, 2): return .second                              // ss
        case (0x53, _): return .fraction                            // S…
        case (0x58, 3): return .offset(colon: true)                 // XXX
        case (0x58, 2): return .offset(colon: false)                // XX
        case (0x79, _): throw error("write the year as yyyy (four digits), not \(name)")
        case (0x68, _): throw error("'\(name)' is a 12-hour clock, which is not read: use HH (00–23)")
        default:
            throw error("'\(name)' is not a pattern letter (yyyy, MM, M, MMM, MMMM, dd, d, HH, H, mm, ss, S, XXX, XX; "
                + "quote literal letters: 'T')")
        }
    }

    /// A field of one or two digits must not be followed directly by another number: `dMyyyy` cannot be read.
    private func refuseAmbiguity(_ tokens: [DatePattern.Token]) throws(DatePatternError) {
        guard tokens.count >= 2 else { return }
        let variable: Bool
        switch tokens[tokens.count - 2] {
        case .month(.oneOrTwo), .day(.oneOrTwo), .hour(.oneOrTwo): variable = true
        default: variable = false
        }
        guard variable else { return }
        switch tokens[tokens.count - 1] {
        case .year, .month(.two), .month(.oneOrTwo), .day, .hour, .minute, .second, .fraction:
            throw error("a one-or-two-digit field (d, M, H) must be followed by a separator, not by another number")
        default: return
        }
    }
}
