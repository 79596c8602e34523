import CasebridgeModel

/// How counts are shown: exactly, or (for copies that leave the council) with every count from 1 to 4
/// shown as "fewer than 5" and, so that none of those can be worked out by subtraction from a total,
/// some further counts shown as "withheld" (``ComplementarySuppression``), in tables, in JSON and in
/// charts alike.
///
/// A figure is named by its `data-figure` key (`rule.late-upload`, `team.T-LAC.total`), so the same
/// figure is hidden wherever it is shown: a cell, a chart's bar, a headline card or sentence.
public struct SmallCounts: Sendable, Equatable {
    /// Counts below this (and above 0) are suppressed.
    public static let threshold = 5
    /// The words a small (primary-suppressed) count shows as.
    public static let words = "fewer than 5"
    /// The words a count withheld to protect a small one (complementary suppression) shows as.
    public static let withheldWords = "withheld"

    /// Whether small counts are suppressed at all.
    public var suppress: Bool
    /// The keys of the figures withheld besides the small ones; empty unless ``suppress``.
    public var withheld: Set<String>

    /// Counts shown as they are (`suppress` false), or small counts hidden with the figures in
    /// `withheld` hidden as their complements.
    public init(suppress: Bool, withheld: Set<String> = []) {
        self.suppress = suppress
        self.withheld = suppress ? withheld : []
    }

    /// The suppression of one report: small counts, and the complements ``ComplementarySuppression``
    /// chooses among `figures` so that no hidden count can be recovered from those shown.
    public init(suppress: Bool, figures: ReportFigures) {
        guard suppress else { self.init(suppress: false); return }
        let table = figures.linkedFigures
        self.init(suppress: true, withheld: ComplementarySuppression.complements(values: table.values, relations: table.relations))
    }

    /// Whether `count` is small: shown as ``words`` when counts are suppressed.
    public func isSmall(_ count: Int) -> Bool { suppress && count > 0 && count < Self.threshold }

    /// Whether the figure `key`, of value `count`, is hidden (small or withheld).
    public func hides(_ key: String, _ count: Int) -> Bool { isSmall(count) || isWithheld(key, count) }

    /// Whether the figure `key` is withheld as a complement (and is not small).
    public func isWithheld(_ key: String, _ count: Int) -> Bool { !isSmall(count) && withheld.contains(key) }

    /// The figure as text: its digits, ``words`` or ``withheldWords``.
    public func text(_ key: String, _ count: Int) -> String {
        isSmall(count) ? Self.words : isWithheld(key, count) ? Self.withheldWords : String(count)
    }

    /// The figure in JSON: a number, or the string ``words`` or ``withheldWords``.
    public func json(_ key: String, _ count: Int) -> JSONValue {
        hides(key, count) ? .string(text(key, count)) : .int(count)
    }

    /// The value a chart draws: a small count is drawn at the threshold, so its length tells nothing
    /// the words do not; a withheld one is not drawn at all (`nil`).
    public func drawn(_ key: String, _ count: Int) -> Int? {
        isSmall(count) ? Self.threshold : isWithheld(key, count) ? nil : count
    }
}
