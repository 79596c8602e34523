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
        // A count of 5 or more may be withheld besides (DisclosureTests says why); never a small one, never 0.
        func matches(_ text: String, _ value: Int) -> Bool {
            text == IndependentFigures.shown(value, suppressed: true) || (text == "withheld" && value >= 5)
        }
        let html = try ReportFiles.text((folder as NSString).appendingPathComponent("index.html"))
        for (key, texts) in try ReportFiles.figures(inHTML: html) {
            let value = try #require(expected.values[key], "\(key)")
            for text in texts { #expect(matches(text, value), "\(key): \(text) for \(value)") }
        }
        let json = try ReportFiles.figures(inJSON: (folder as NSString).appendingPathComponent("summary.json"))
        let wrong = Set(json.keys).union(expected.values.keys).filter { key in
            guard let text = json[key], let value = expected.values[key] else { return true }
            return !matches(text, value)
        }.sorted()
        #expect(wrong.isEmpty, "summary.json differs at \(wrong.prefix(10).map { "\($0): \(json[$0] ?? "none") for \(expected.values[$0].map(String.init) ?? "none")" })")
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
        // The missing copies are also family-document-missing's count, and may be withheld with it.
        let copies = try #require(try ReportFiles.figures(inHTML: html)["headline.missingFamilyCopies"]?.first)
        #expect(copies == shown("headline.missingFamilyCopies") || copies == "withheld")
        #expect(html.contains("Family documents missing: \(copies) cop"))
        #expect(!html.contains("fewer than 5 copy ") && !html.contains("fewer than 5 child ") && !html.contains("fewer than 5 family "),
                "a hidden count takes the plural")
    }
}
