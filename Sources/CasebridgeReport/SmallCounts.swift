import CasebridgeModel

/// How counts are shown: exactly, or (for copies that leave the council) with every count from 1 to 4
/// shown as "fewer than 5", in tables, in JSON and in charts alike.
public struct SmallCounts: Sendable, Equatable {
    /// Counts below this (and above 0) are suppressed.
    public static let threshold = 5
    /// The words a suppressed count shows as.
    public static let words = "fewer than 5"

    public var suppress: Bool

    public init(suppress: Bool) {
        self.suppress = suppress
    }

    /// Whether `count` is shown as ``words``.
    public func hides(_ count: Int) -> Bool { suppress && count > 0 && count < Self.threshold }

    /// The count as text: its digits, or ``words``.
    public func text(_ count: Int) -> String { hides(count) ? Self.words : String(count) }

    /// The count in JSON: a number, or the string ``words``.
    public func json(_ count: Int) -> JSONValue { hides(count) ? .string(Self.words) : .int(count) }

    /// The value a chart draws: a suppressed count is drawn at the threshold, so its length tells
    /// nothing the words do not.
    public func drawn(_ count: Int) -> Int { hides(count) ? Self.threshold : count }
}
