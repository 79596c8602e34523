import Foundation

/// What a reader of a published report can work out from the figures it shows, written here apart
/// from the report's own code so the two do not share a mistake.
///
/// The reader knows how the tables add up (``Relation``s: a total is the sum of its row, its column,
/// the severities' totals, the trend's runs) and what each shown text means: digits are the value,
/// "fewer than 5" is 1 to 4, any other text hides a value that is 0 or 5 and more (it is not
/// "fewer than 5"). From each relation they take the total minus the other cells, with bounds where
/// cells are hidden, and repeat with every value so pinned down until nothing changes: every
/// derivation by subtraction, chained, along rows, columns and across tables that share totals.
struct SubtractionAttack {
    /// Terms that add up to zero: `total - part - part … = 0`, or for the trend
    /// `open(n) - open(n-1) - new(n) + resolved(n) = 0`.
    struct Relation: CustomStringConvertible {
        var name: String
        var terms: [(key: String, sign: Int)]

        /// `total` is the sum of `parts`.
        static func sum(_ name: String, total: String, parts: [String]) -> Relation {
            Relation(name: name, terms: [(total, 1)] + parts.map { ($0, -1) })
        }

        /// Whether the relation holds on `values`.
        func holds(_ values: [String: Int]) -> Bool {
            terms.reduce(0) { $0 + $1.sign * (values[$1.key] ?? 0) } == 0
        }

        var description: String { name }
    }

    /// The hidden figures the reader pins to one value, with the value and the relation that pinned it last.
    var recovered: [String: (value: Int, by: String)] = [:]

    /// Runs the attack on the texts a report shows, key by key.
    init(shown: [String: String], relations: [Relation]) {
        var low: [String: Double] = [:], high: [String: Double] = [:]
        var notSmall = Set<String>()
        for (key, text) in shown {
            if let value = Int(text) {
                low[key] = Double(value); high[key] = Double(value)
            } else if text == "fewer than 5" {
                low[key] = 1; high[key] = 4
            } else {
                low[key] = 0; high[key] = .infinity
                notSmall.insert(key)
            }
        }
        let hidden = Set(shown.keys.filter { Int(shown[$0]!) == nil })
        var pinnedBy: [String: String] = [:]
        var changed = true
        while changed {
            changed = false
            for relation in relations where relation.terms.allSatisfy({ low[$0.key] != nil }) {
                for (index, term) in relation.terms.enumerated() {
                    // sign·x = -(sum of the other signed terms): bound that sum, then x.
                    var least = 0.0, most = 0.0
                    for (other, otherTerm) in relation.terms.enumerated() where other != index {
                        let lo = low[otherTerm.key]!, hi = high[otherTerm.key]!
                        least += otherTerm.sign > 0 ? lo : -hi
                        most += otherTerm.sign > 0 ? hi : -lo
                    }
                    var newLow = term.sign > 0 ? -most : least
                    var newHigh = term.sign > 0 ? -least : most
                    newLow = max(newLow, low[term.key]!)
                    newHigh = min(newHigh, high[term.key]!)
                    if notSmall.contains(term.key) {
                        // Neither 1, 2, 3 nor 4.
                        if newLow >= 1 && newLow <= 4 { newLow = 5 }
                        if newHigh >= 1 && newHigh <= 4 { newHigh = 0 }
                    }
                    if newLow > low[term.key]! || newHigh < high[term.key]! {
                        low[term.key] = newLow
                        high[term.key] = newHigh
                        changed = true
                        if newLow == newHigh { pinnedBy[term.key] = relation.name }
                    }
                }
            }
        }
        for key in hidden where low[key] == high[key] {
            recovered[key] = (Int(low[key]!), pinnedBy[key] ?? "?")
        }
    }

    /// The relations a director's report's figures obey, from its summary.json: severities add up to
    /// the total and the rules of each severity to it; each team's severities to its total, the teams'
    /// cells to the severities and their totals to the total; the age buckets to the total; each run's
    /// open gaps to the run before's plus its new less its resolved; the last run's open gaps are the
    /// total, and the missing copies are the findings of family-document-missing.
    static func relations(ofSummary path: String) throws -> [Relation] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
        let severities = ["critical", "high", "medium", "low"]
        var relations: [Relation] = []
        relations.append(.sum("total = severities", total: "total", parts: severities.map { "severity.\($0)" }))
        let rules = object["byRule"] as? [[String: Any]] ?? []
        relations.append(.sum("total = rules", total: "total", parts: rules.map { "rule.\($0["rule"] as! String)" }))
        for severity in severities {
            let ofSeverity = rules.filter { $0["severity"] as? String == severity }.map { "rule.\($0["rule"] as! String)" }
            relations.append(.sum("severity.\(severity) = its rules", total: "severity.\(severity)", parts: ofSeverity))
        }
        let teams = (object["byTeam"] as? [[String: Any]] ?? []).map { $0["team"] as? String ?? "none" }
        for team in teams {
            relations.append(.sum("team \(team) row", total: "team.\(team).total", parts: severities.map { "team.\(team).\($0)" }))
        }
        for severity in severities {
            relations.append(.sum("team column \(severity)", total: "severity.\(severity)", parts: teams.map { "team.\($0).\(severity)" }))
        }
        relations.append(.sum("team column total", total: "total", parts: teams.map { "team.\($0).total" }))
        let buckets = (object["byAge"] as? [[String: Any]] ?? []).map { "age.\($0["bucket"] as! String)" }
        relations.append(.sum("total = ages", total: "total", parts: buckets))
        let runs = (object["trend"] as? [[String: Any]] ?? []).compactMap { $0["run"] as? Int }
        for (index, run) in runs.enumerated() {
            var terms: [(key: String, sign: Int)] = [("trend.\(run).open", 1), ("trend.\(run).new", -1), ("trend.\(run).resolved", 1)]
            if index > 0 { terms.append(("trend.\(runs[index - 1]).open", -1)) }
            relations.append(Relation(name: "trend run \(run)", terms: terms))
        }
        if let last = runs.last { relations.append(.sum("last run open = total", total: "total", parts: ["trend.\(last).open"])) }
        relations.append(.sum("missing copies = family-document-missing", total: "headline.missingFamilyCopies",
                              parts: ["rule.family-document-missing"]))
        return relations
    }
}
