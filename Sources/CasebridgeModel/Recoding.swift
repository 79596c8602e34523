/// A field's translation of a legacy export's own values into canonical ones, many to one:
/// `{M: "1", F: "2"}`, `{household: family, individual: child}`, `{"Strategy Discussion Minutes": STRAT}`.
///
/// A value is trimmed of surrounding whitespace before it is matched, as every value is; ``Matching``
/// says what else is ignored. A value the map does not hold does not recode.
///
/// ```swift
/// let sex = try Recoding([("M", "1"), ("F", "2")], matching: .ignoreCase)
/// sex.recode("f")   // "2"
/// sex.recode("Q")   // nil
/// ```
public struct Recoding: Hashable, Sendable {
    /// How a value is compared with the map's keys.
    public enum Matching: String, CaseIterable, Hashable, Sendable, Codable {
        /// The trimmed value equals a key, character for character (the default).
        case exact
        /// As `exact`, but letter case is ignored (`Y`, `y`).
        case ignoreCase = "ignore-case"
        /// As `ignore-case`, and every run of spaces, tabs or line breaks inside counts as one space
        /// (`Strategy  discussion minutes`).
        case ignoreCaseAndSpacing = "ignore-case-and-spacing"

        /// The form under which two values match.
        public func key(_ value: String) -> String {
            switch self {
            case .exact: return value
            case .ignoreCase: return value.lowercased()
            case .ignoreCaseAndSpacing:
                return value.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
                    .joined(separator: " ")
            }
        }
    }

    /// One source value and its canonical target, as the mapping file lists them.
    public struct Entry: Hashable, Sendable {
        public var source: String
        public var target: String

        /// `source` stands for the canonical `target`.
        public init(_ source: String, _ target: String) {
            self.source = source
            self.target = target
        }
    }

    /// The entries in file order.
    public let entries: [Entry]
    public let matching: Matching
    private let table: [String: String]

    /// A map of `entries`; throws ``RecodingError`` when two sources match each other.
    public init(_ entries: [Entry], matching: Matching = .exact) throws(RecodingError) {
        var table: [String: String] = [:]
        var sources: [String: String] = [:]
        for entry in entries {
            let key = matching.key(entry.source)
            if let earlier = sources[key] {
                throw RecodingError(source: entry.source, reason: matching == .exact
                    ? "'\(entry.source)' is listed twice"
                    : "'\(entry.source)' and '\(earlier)' are the same value under match: \(matching.rawValue)")
            }
            sources[key] = entry.source
            table[key] = entry.target
        }
        self.entries = entries
        self.matching = matching
        self.table = table
    }

    /// The canonical value of a trimmed raw value, or `nil` when the map does not hold it.
    @inline(__always)
    public func recode(_ value: String) -> String? {
        matching == .exact ? table[value] : table[matching.key(value)]
    }

    /// The canonical values the map gives, each once, in file order.
    public var targets: [String] {
        var seen = Set<String>()
        return entries.map(\.target).filter { seen.insert($0).inserted }
    }

    /// The sources, for a message: up to `limit` of them, then how many in all.
    public func sourcesListed(limit: Int = 10) -> String {
        let shown = entries.prefix(limit).map(\.source).joined(separator: ", ")
        return entries.count > limit ? "\(shown), … (\(entries.count) in all)" : shown
    }
}

/// Two sources of a map that match each other, so a value could not say which target it means.
public struct RecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The later of the two sources.
    public let source: String
    public let reason: String
    public var description: String { reason }
}
