import CasebridgeReport
import CasebridgeModel
import Foundation
import Testing

/// `--suppress-small` hides small counts so that none can be worked out again from the figures that
/// are shown: every derivation by subtraction (``SubtractionAttack``) is tried on reports of generated
/// exports.
@Suite struct DisclosureTests {
    /// The 60-family target (many small counts, one run) and the 1,000-family one (two runs, so the
    /// trend links runs).
    static func fixture(_ name: String) throws -> MigratedTarget {
        try (name == "small" ? MigratedTarget.small : MigratedTarget.large).get()
    }

    /// A suppressed report of the fixture: the page's figures (each key's texts must agree) and summary.json's.
    struct Written {
        var folder: String
        var html: String
        var page: [String: String]
        var json: [String: String]
        var expected: IndependentFigures
    }

    static func write(_ fixture: MigratedTarget) throws -> Written {
        let folder = fixture.scratch("disclosure")
        _ = try Report.write(target: fixture.target, to: folder, options: ReportOptions(suppressSmall: true))
        let html = try ReportFiles.text((folder as NSString).appendingPathComponent("index.html"))
        var page: [String: String] = [:]
        for (key, texts) in try ReportFiles.figures(inHTML: html) {
            #expect(Set(texts).count == 1, "\(key) shows as \(texts)")
            page[key] = texts.first
        }
        let json = try ReportFiles.figures(inJSON: (folder as NSString).appendingPathComponent("summary.json"))
        let secret = try Data(contentsOf: URL(fileURLWithPath: Pseudonyms.secretPath(forTarget: fixture.target)))
        return Written(folder: folder, html: html, page: page, json: json,
                       expected: try IndependentFigures(target: fixture.target, secret: secret))
    }

    @Test(arguments: ["small", "large"])
    func `no hidden count can be worked out by subtraction from the counts shown`(_ name: String) throws {
        let written = try Self.write(try Self.fixture(name))
        let relations = try SubtractionAttack.relations(ofSummary: (written.folder as NSString).appendingPathComponent("summary.json"))
        let truth = written.expected.values
        // The test's model of the report is right: every relation holds on the stored findings.
        for relation in relations where relation.terms.allSatisfy({ truth[$0.key] != nil }) {
            #expect(relation.holds(truth), "\(relation) does not hold on the stored findings")
        }
        // The page and summary.json show the same thing for every key both show.
        for (key, text) in written.page where written.json[key] != nil {
            #expect(written.json[key] == text, "\(key): page \(text), summary.json \(written.json[key]!)")
        }
        // A number shown is the true count; a count from 1 to 4 is never shown.
        for (key, text) in written.json {
            if let number = Int(text) {
                #expect(number == truth[key], "\(key)")
                #expect(!(1...4).contains(number), "\(key) shows a small count")
            }
        }
        let hidden = written.json.filter { Int($0.value) == nil }
        #expect(!hidden.isEmpty, "the fixture has counts to hide")
        // The case of one small count alone in a group, whose total would give it away, occurs.
        if name == "small" {
            let alone = relations.filter { relation in
                relation.terms.allSatisfy { truth[$0.key] != nil } && relation.terms.count(where: { (1...4).contains(truth[$0.key]!) }) == 1
            }
            #expect(!alone.isEmpty, "a relation holds exactly one small count")
        }

        // Protection does not swallow the report: the total stays shown, and far more counts are shown than withheld.
        #expect(Int(written.json["total"] ?? "") == truth["total"], "the total is shown")
        let withheldCount = written.json.values.count(where: { $0 == "withheld" })
        let numbers = written.json.values.count(where: { Int($0) != nil && $0 != "0" })
        #expect(withheldCount * 2 < numbers, "\(withheldCount) withheld, \(numbers) shown")

        for shown in [written.json, written.page.merging(written.json) { page, _ in page }] {
            let attack = SubtractionAttack(shown: shown, relations: relations)
            let found = attack.recovered.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value.value) (by \($0.value.by))" }
            #expect(found.isEmpty, "hidden counts recovered: \(found)")
            for (key, recovered) in attack.recovered { #expect(recovered.value == truth[key], "\(key): the attack is sound") }
        }
    }

    @Test func `the attack finds a count hidden alone beside its total`() {
        // Control: the attack does recover what today's --suppress-small alone would leave open.
        let shown = ["total": "20", "a": "fewer than 5", "b": "9", "c": "8"]
        let attack = SubtractionAttack(shown: shown, relations: [.sum("row", total: "total", parts: ["a", "b", "c"])])
        #expect(attack.recovered["a"]?.value == 3)
        // Two hidden cells both at their least (1 and, for a count not small, 5) are pinned too.
        let least = SubtractionAttack(shown: ["total": "15", "a": "fewer than 5", "b": "withheld", "c": "9"],
                                      relations: [.sum("row", total: "total", parts: ["a", "b", "c"])])
        #expect(least.recovered["a"]?.value == 1 && least.recovered["b"]?.value == 5)
        // A chain: the row gives a column's cell, which gives the other.
        let chained = SubtractionAttack(shown: ["r": "10", "x": "fewer than 5", "y": "7", "col": "12", "z": "withheld"],
                                        relations: [.sum("row", total: "r", parts: ["x", "y"]), .sum("column", total: "col", parts: ["x", "z"])])
        #expect(chained.recovered["x"]?.value == 3 && chained.recovered["z"]?.value == 9)
    }

    @Test func `one small count alone in a group makes a second, complementary count hidden`() {
        // Non-triggering example: the 3 alone would be given away by 20 - 9 - 8, so one more is withheld.
        let values = ["total": 20, "a": 3, "b": 9, "c": 8]
        let row = FigureRelation.sum("row", total: "total", parts: ["a", "b", "c"])
        #expect(ComplementarySuppression.disclosed(values: values, hidden: ["a"], relations: [row]) == ["a"])
        let withheld = ComplementarySuppression.complements(values: values, relations: [row])
        #expect(withheld == ["c"], "the smallest part that is not the total")
        let counts = SmallCounts(suppress: true, withheld: withheld)
        let shown = values.mapValues { String($0) }.merging(values.map { ($0.key, counts.text($0.key, $0.value)) }) { $1 }
        #expect(shown == ["total": "20", "a": "fewer than 5", "b": "9", "c": "withheld"])
        #expect(SubtractionAttack(shown: shown, relations: [.sum("row", total: "total", parts: ["a", "b", "c"])]).recovered.isEmpty)
    }

    @Test func `a complement at the threshold beside a 1 is not enough, and a total shared by two tables stays shown`() {
        // 1 + 5 = 6 would pin both (1 is the least small count, 5 the least withheld one): 10 is withheld instead.
        let values = ["total": 16, "a": 1, "b": 5, "c": 10]
        let row = FigureRelation.sum("row", total: "total", parts: ["a", "b", "c"])
        #expect(ComplementarySuppression.complements(values: values, relations: [row]) == ["c"])
        #expect(ComplementarySuppression.disclosed(values: values, hidden: ["a", "b"], relations: [row]) == ["a", "b"])
        // Two tables sharing a total: a part is withheld, not the total the other table adds up to.
        let linked = ["total": 30, "x": 2, "y": 28, "p": 15, "q": 15]
        let relations = [FigureRelation.sum("first", total: "total", parts: ["x", "y"]), .sum("second", total: "total", parts: ["p", "q"])]
        let hidden = ComplementarySuppression.complements(values: linked, relations: relations)
        #expect(hidden == ["y"])
        #expect(ComplementarySuppression.disclosed(values: linked, hidden: hidden.union(["x"]), relations: relations).isEmpty)
        // Withholding the total instead would have given it away through the second table.
        #expect(ComplementarySuppression.disclosed(values: linked, hidden: ["x", "total"], relations: relations) == ["total", "x"])
    }

    @Test(arguments: ["small", "large"])
    func `each chart shows the counts its table shows, hidden where the table hides them`(_ name: String) throws {
        let written = try Self.write(try Self.fixture(name))
        let html = written.html
        // The figures of one table, in its order.
        func tableTexts(table: String, _ keep: (String) -> Bool) throws -> [String] {
            let start = try #require(html.range(of: "<table id=\"\(table)\""))
            let end = try #require(html.range(of: "</table>", range: start.upperBound..<html.endIndex)).upperBound
            let part = String(html[start.lowerBound..<end])
            return try NSRegularExpression(pattern: #"data-figure="([^"]+)">([^<]*)<"#)
                .matches(in: part, range: NSRange(part.startIndex..., in: part))
                .map { (ReportFiles.unescape(String(part[Range($0.range(at: 1), in: part)!])), String(part[Range($0.range(at: 2), in: part)!])) }
                .filter { keep($0.0) }.map(\.1)
        }
        let charts: [String] = Array(html.components(separatedBy: "<svg").dropFirst())
        #expect(charts.count == 5)
        func values(_ chart: String) throws -> [String] {
            try NSRegularExpression(pattern: #"<text[^>]*class="value"[^>]*>([^<]*)</text>"#)
                .matches(in: chart, range: NSRange(chart.startIndex..., in: chart)).map { String(chart[Range($0.range(at: 1), in: chart)!]) }
        }
        #expect(try values(charts[0]) == tableTexts(table: "by-rule") { $0.hasPrefix("rule.") })
        #expect(try values(charts[1]) == tableTexts(table: "by-team") { $0.hasSuffix(".total") })
        #expect(try values(charts[2]) == tableTexts(table: "by-age") { $0.hasPrefix("age.") })
        #expect(try values(charts[3]) == tableTexts(table: "trend") { $0.hasPrefix("trend.") })
        #expect(try values(charts[4]) == tableTexts(table: "families") { $0.hasSuffix(".gaps") })
    }
}
