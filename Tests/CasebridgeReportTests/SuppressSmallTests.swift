import CasebridgeReport
import Foundation
import Testing

/// `--suppress-small` on a 60-family target, whose counts are often from 1 to 4.
@Suite struct SuppressSmallTests {
    let fixture: MigratedTarget
    let folder: String
    let expected: IndependentFigures

    init() throws {
        fixture = try MigratedTarget.small.get()
        folder = fixture.scratch("suppressed")
        _ = try Report.write(target: fixture.target, to: folder, options: ReportOptions(suppressSmall: true))
        let secret = try Data(contentsOf: URL(fileURLWithPath: Pseudonyms.secretPath(forTarget: fixture.target)))
        expected = try IndependentFigures(target: fixture.target, secret: secret)
    }

    @Test func `every count from 1 to 4 shows as fewer than 5 in the page and in summary.json`() throws {
        let small = expected.values.filter { (1...4).contains($0.value) }
        #expect(small.count >= 3, "the fixture has small counts to suppress")
        #expect(expected.values.contains { $0.value >= 5 } && expected.values.contains { $0.value == 0 })
        let html = try ReportFiles.text((folder as NSString).appendingPathComponent("index.html"))
        for (key, texts) in try ReportFiles.figures(inHTML: html) {
            let value = try #require(expected.values[key], "\(key)")
            for text in texts { #expect(text == IndependentFigures.shown(value, suppressed: true), "\(key)") }
        }
        let json = try ReportFiles.figures(inJSON: (folder as NSString).appendingPathComponent("summary.json"))
        let want = expected.values.mapValues { IndependentFigures.shown($0, suppressed: true) }
        let wrong = Set(json.keys).union(want.keys).filter { json[$0] != want[$0] }.sorted()
        #expect(wrong.isEmpty, "summary.json differs at \(wrong.prefix(10).map { "\($0): \(json[$0] ?? "none") for \(want[$0] ?? "none")" })")
    }

    @Test func `charts show no count from 1 to 4, and draw such bars no differently from one another`() throws {
        let html = try ReportFiles.text((folder as NSString).appendingPathComponent("index.html"))
        let labels = try NSRegularExpression(pattern: #"<text[^>]*class="value"[^>]*>([^<]*)</text>"#)
            .matches(in: html, range: NSRange(html.startIndex..., in: html)).map { String(html[Range($0.range(at: 1), in: html)!]) }
        #expect(!labels.isEmpty)
        #expect(labels.allSatisfy { !["1", "2", "3", "4"].contains($0) }, "\(labels)")
        #expect(labels.contains("fewer than 5"))
        // Within one chart, every suppressed bar has one length (that of 5).
        let charts = html.components(separatedBy: "<svg").dropFirst()
        var suppressedBars = 0
        for chart in charts {
            let sizes = try NSRegularExpression(pattern: #"<rect [^>]*width="(\d+)" height="(\d+)" class="bar [^"]*hidden-count"#)
                .matches(in: chart, range: NSRange(chart.startIndex..., in: chart))
                .map { chart[Range($0.range(at: 1), in: chart)!] + "x" + chart[Range($0.range(at: 2), in: chart)!] }
            suppressedBars += sizes.count
            #expect(Set(sizes).count <= 1, "suppressed bars of one chart differ in size: \(Set(sizes))")
        }
        #expect(suppressedBars > 0)
    }

    @Test func `the headline sentences suppress small counts too`() throws {
        let html = try ReportFiles.text((folder as NSString).appendingPathComponent("index.html"))
        let v = expected.values
        let shown = { (key: String) in IndependentFigures.shown(v[key]!, suppressed: true) }
        #expect(html.contains("Children with at least one critical gap: \(shown("headline.childrenWithCriticalGaps"))<"))
        #expect(html.contains("Family documents missing: \(shown("headline.missingFamilyCopies")) cop"))
    }
}
