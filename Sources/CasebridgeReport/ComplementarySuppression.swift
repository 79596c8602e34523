/// Figures that add up: the signed sum of their values is zero. `total = a + b + c` is the relation
/// `total - a - b - c = 0`; the trend's `open(n) = open(n-1) + new(n) - resolved(n)` is another.
public struct FigureRelation: Sendable, Equatable, CustomStringConvertible {
    /// One figure of the relation, by `data-figure` key, with its sign (+1 or -1).
    public struct Term: Sendable, Equatable {
        public var key: String
        public var sign: Int

        /// The figure `key`, added (`sign` 1) or taken away (`sign` -1).
        public init(_ key: String, _ sign: Int) {
            self.key = key
            self.sign = sign
        }
    }

    /// A short name for messages (`team T-LAC row`).
    public var name: String
    public var terms: [Term]
    /// The figure that is the relation's total, withheld only when no other figure will do.
    public var total: String?

    /// A relation of signed terms.
    public init(_ name: String, terms: [Term], total: String? = nil) {
        self.name = name
        self.terms = terms
        self.total = total
    }

    /// `total` is the sum of `parts`.
    public static func sum(_ name: String, total: String, parts: [String]) -> FigureRelation {
        FigureRelation(name, terms: [Term(total, 1)] + parts.map { Term($0, -1) }, total: total)
    }

    /// Whether the relation holds on `values` (a figure missing from them counts as 0).
    public func holds(_ values: [String: Int]) -> Bool {
        terms.reduce(0) { $0 + $1.sign * (values[$1.key] ?? 0) } == 0
    }

    public var description: String { name }
}

/// Secondary (complementary) suppression: chooses the figures to withhold besides the small ones,
/// so that no hidden figure can be worked out from those shown.
///
/// ```swift
/// let withheld = ComplementarySuppression.complements(
///     values: ["total": 20, "a": 3, "b": 9, "c": 8], relations: [.sum("row", total: "total", parts: ["a", "b", "c"])])
/// // ["c"]: with only "a" hidden, 20 - 9 - 8 would give it away
/// ```
///
/// The reader is assumed to know every relation and what each shown text means: a number is the
/// value; a small count is from 1 to `threshold - 1`; a withheld one is at least `threshold` (only
/// such counts are withheld, never 0 and never a small one). ``disclosed(values:hidden:relations:threshold:)``
/// bounds every hidden figure from each relation (the total less the other cells, each hidden cell
/// between its bounds), feeding each bound it narrows into the others until none moves: every
/// derivation by subtraction, chained across rows, columns and tables that share totals. A figure
/// whose bounds meet is disclosed. While any is, one more figure is withheld: of the counts at or
/// above the threshold that share a relation with a disclosed figure, the one that leaves the fewest
/// disclosed; among equals, one that is no relation's total, then the one in the fewest relations (a
/// figure shown twice, as a headline and a rule's count, is withheld last), then one above the
/// threshold rather than at it (5 beside a 1 is pinned again), then the smallest, then by key.
///
/// Cost: each step bounds every relation once per candidate; a report has a few hundred figures and
/// a few dozen relations, so this takes milliseconds. Greedy: the figures withheld protect every
/// hidden one, but are not always the fewest that could.
public enum ComplementarySuppression {
    /// The figures to withhold, beyond the small ones (from 1 to `threshold - 1`), so that
    /// ``disclosed(values:hidden:relations:threshold:)`` finds none. Relations that do not hold on
    /// `values` are ignored (they give nothing away exactly). Deterministic: the same figures give
    /// the same choice.
    public static func complements(values: [String: Int], relations: [FigureRelation],
                                   threshold: Int = SmallCounts.threshold) -> Set<String> {
        let relations = relations.filter { $0.holds(values) && $0.terms.allSatisfy { values[$0.key] != nil } }
        let small = Set(values.filter { $0.value > 0 && $0.value < threshold }.keys)
        let totals = Set(relations.compactMap(\.total))
        var relationCount: [String: Int] = [:]
        for relation in relations { for term in relation.terms { relationCount[term.key, default: 0] += 1 } }
        var withheld = Set<String>()
        while true {
            let open = disclosed(values: values, hidden: small.union(withheld), relations: relations, threshold: threshold)
            guard !open.isEmpty else { return withheld }
            // Of the figures sharing a relation with a disclosed one, withhold the one that leaves the
            // fewest disclosed (a figure pinned through another figure is protected there, not where
            // it sits), then the most preferable (``preference``).
            let around = Set(relations.filter { relation in relation.terms.contains { open.contains($0.key) } }.flatMap { $0.terms.map(\.key) })
            var choice: String?
            var best: (left: Int, preference: (Int, Int, Int, Int))?
            for candidate in around.sorted() {
                guard !small.contains(candidate), !withheld.contains(candidate), let value = values[candidate], value >= threshold else { continue }
                let left = disclosed(values: values, hidden: small.union(withheld).union([candidate]), relations: relations,
                                     threshold: threshold).count
                let preference = (totals.contains(candidate) ? 1 : 0, relationCount[candidate] ?? 0, value == threshold ? 1 : 0, value)
                if best.map({ left < $0.left || (left == $0.left && preference < $0.preference) }) ?? true {
                    best = (left, preference)
                    choice = candidate
                }
            }
            // No figure left that could be withheld: nothing more can be done.
            guard let choice else { return withheld }
            withheld.insert(choice)
        }
    }

    /// The hidden figures (keys in `hidden`) whose value a reader can work out exactly from the others
    /// through `relations`, sorted by key. Small hidden figures are known to lie from 1 to
    /// `threshold - 1`, the other hidden ones to be at least `threshold`.
    public static func disclosed(values: [String: Int], hidden: Set<String>, relations: [FigureRelation],
                                 threshold: Int = SmallCounts.threshold) -> [String] {
        var low: [String: Double] = [:], high: [String: Double] = [:]
        for (key, value) in values {
            if !hidden.contains(key) {
                low[key] = Double(value); high[key] = Double(value)
            } else if value > 0 && value < threshold {
                low[key] = 1; high[key] = Double(threshold - 1)
            } else {
                low[key] = Double(threshold); high[key] = .infinity
            }
        }
        var moved = true
        while moved {
            moved = false
            for relation in relations where relation.terms.allSatisfy({ low[$0.key] != nil }) {
                for (index, term) in relation.terms.enumerated() where hidden.contains(term.key) {
                    // sign·x = -(the other signed terms): bound their sum, then x.
                    var least = 0.0, most = 0.0
                    for (other, otherTerm) in relation.terms.enumerated() where other != index {
                        least += otherTerm.sign > 0 ? low[otherTerm.key]! : -high[otherTerm.key]!
                        most += otherTerm.sign > 0 ? high[otherTerm.key]! : -low[otherTerm.key]!
                    }
                    let newLow = max(low[term.key]!, term.sign > 0 ? -most : least)
                    let newHigh = min(high[term.key]!, term.sign > 0 ? -least : most)
                    if newLow > low[term.key]! || newHigh < high[term.key]! {
                        low[term.key] = newLow
                        high[term.key] = newHigh
                        moved = true
                    }
                }
            }
        }
        return hidden.filter { low[$0] != nil && low[$0] == high[$0] }.sorted()
    }
}
