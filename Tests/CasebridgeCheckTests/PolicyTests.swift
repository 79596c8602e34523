@testable import CasebridgeCheck
import CasebridgeMapping
import CasebridgeModel
import TestSupport
import Testing

func date(_ iso: String) -> CivilDate { CivilDate(iso: iso)! }

struct PolicyTests {
    /// Bank holidays in England and Wales as published on GOV.UK for these years.
    @Test(arguments: [
        (2011, ["2011-01-03", "2011-04-22", "2011-04-25", "2011-04-29", "2011-05-02", "2011-05-30", "2011-08-29", "2011-12-26", "2011-12-27"]),
        (2012, ["2012-01-02", "2012-04-06", "2012-04-09", "2012-05-07", "2012-06-04", "2012-06-05", "2012-08-27", "2012-12-25", "2012-12-26"]),
        (2019, ["2019-01-01", "2019-04-19", "2019-04-22", "2019-05-06", "2019-05-27", "2019-08-26", "2019-12-25", "2019-12-26"]),
        (2020, ["2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31", "2020-12-25", "2020-12-28"]),
        (2021, ["2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30", "2021-12-27", "2021-12-28"]),
        (2022, ["2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-29", "2022-09-19",
                "2022-12-26", "2022-12-27"]),
        (2023, ["2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26"]),
        (2024, ["2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26"]),
        (2025, ["2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26"]),
        (2026, ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28"]),
    ])
    func `the default policy's bank holidays are GOV.UK's`(year: Int, published: [String]) {
        let listed = Reference.policy.calendar.bankHolidays.filter { $0.year == year }.map(\.iso)
        #expect(listed == published)
    }

    @Test func `the default policy covers 2010 to 2030 with eight or more holidays a year`() {
        #expect(Reference.policy.calendar.coveredYears == 2010...2030)
        for year in 2010...2030 {
            let count = Reference.policy.calendar.bankHolidays.filter { $0.year == year }.count
            #expect(count >= 8, "\(year) has \(count)")
            #expect(Reference.policy.calendar.bankHolidays.filter { $0.year == year }.allSatisfy { $0.weekdayFromMonday < 5 })
        }
    }

    @Test func `the default policy holds the spec's limits`() {
        #expect(Reference.policy.documentType("STRAT")?.uploadWithinWorkingDays == 2)
        #expect(Reference.policy.documentType("SUPERV")?.requiredSections == ["Reflection", "ActionsReview"])
        #expect(Reference.policy.documentTypes.count == 14)
        #expect(Reference.policy.visitWithinWorkingDays == ["CP": 10, "CIN": 20, "LAC": 30])
    }

    @Test(arguments: [
        ("2019-08-14", "2019-08-16", 2), ("2019-08-14", "2019-08-14", 0), ("2019-08-16", "2019-08-14", 0),
        ("2019-08-23", "2019-08-27", 1),  // over the summer bank holiday Monday
        ("2021-12-24", "2021-12-29", 1),  // Christmas on a Saturday: 27th and 28th are substitutes
        ("2022-12-23", "2022-12-28", 1),  // Christmas on a Sunday: Boxing Day and the 27th
        ("2019-08-17", "2019-08-18", 0),  // a weekend
        ("2019-08-19", "2019-09-03", 10),
    ])
    func `working days count the days after a up to b`(a: String, b: String, expected: Int) {
        #expect(Reference.policy.calendar.workingDays(from: date(a), to: b.isEmpty ? date(a) : date(b)) == expected)
    }

    @Test func `working days by cumulative counts agree with counting day by day`() {
        let calendar = Reference.policy.calendar
        let start = date("2018-12-01")
        for offset in stride(from: 0, to: 500, by: 7) {
            let a = start.adding(days: offset), b = a.adding(days: 40)
            var counted = 0
            var day = a.adding(days: 1)
            while day <= b {
                if calendar.isWorkingDay(day) { counted += 1 }
                day = day.adding(days: 1)
            }
            #expect(calendar.workingDays(from: a, to: b) == counted)
        }
    }

    @Test func `a policy with a mistake names its line`() {
        let text = """
            documentTypes:
              STRAT: {uploadWithinWorkingDays: two}
            childsVoiceSection: ChildsVoice
            visitWithinWorkingDays: {CP: 10}
            bankHolidays: [2019-08-26]
            """
        #expect(throws: ConfigError(file: "p.yaml", line: 2, column: 36,
                                    reason: "uploadWithinWorkingDays must be a whole number, not 'two'")) {
            try Policy.parse(text, file: "p.yaml")
        }
        let badDate = text.replacingOccurrences(of: "{uploadWithinWorkingDays: two}", with: "{uploadWithinWorkingDays: 2}")
            .replacingOccurrences(of: "2019-08-26", with: "2019-02-30")
        #expect(throws: ConfigError.self) { try Policy.parse(badDate, file: "p.yaml") }
        let unknown = text.replacingOccurrences(of: "childsVoiceSection", with: "childVoiceSection")
        do {
            _ = try Policy.parse(unknown, file: "p.yaml")
            Issue.record("an unknown setting was accepted")
        } catch let error as ConfigError {
            #expect(error.line == 3)
        } catch {
            Issue.record("\(error)")
        }
    }
}

struct LondonTimeTests {
    @Test(arguments: [
        ("2019-06-30T23:30:00Z", "2019-07-01"),  // summer: next London day
        ("2019-06-30T22:59:59Z", "2019-06-30"),
        ("2019-12-31T23:30:00Z", "2019-12-31"),  // winter: same day
        ("2019-03-31T00:30:00Z", "2019-03-31"),  // before the clocks go forward at 01:00 UTC
        ("2019-03-31T23:00:00Z", "2019-04-01"),  // after
        ("2019-10-27T00:30:00Z", "2019-10-27"),  // still summer time until 01:00 UTC
        ("2019-10-26T23:30:00Z", "2019-10-27"),
        ("2019-10-27T23:30:00Z", "2019-10-27"),  // winter again
        ("2019-09-02T23:10:00Z", "2019-09-03"),  // the reference export's as-of date
        ("2024-02-29T23:59:00Z", "2024-02-29"),  // a leap day, in winter
        ("2024-12-31T23:59:59.999Z", "2024-12-31"),
    ])
    func `London dates of UTC instants`(timestamp: String, london: String) {
        #expect(LondonTime.date(ofTimestamp: timestamp)?.iso == london)
    }

    @Test(arguments: ["2019-02-30T10:00:00Z", "2019-13-01T10:00:00Z", "2019-06-3", "yesterday at noon", "2019-06-30T2x:00:00Z", ""])
    func `text that is not a UTC instant has no London date`(text: String) {
        #expect(LondonTime.date(ofTimestamp: text) == nil)
    }

    @Test func `summer time starts and ends on the last Sundays of March and October`() {
        #expect(LondonTime.lastSunday(month: 3, year: 2019).iso == "2019-03-31")
        #expect(LondonTime.lastSunday(month: 10, year: 2019).iso == "2019-10-27")
        #expect(LondonTime.lastSunday(month: 3, year: 2024).iso == "2024-03-31")
        #expect(LondonTime.lastSunday(month: 10, year: 2021).iso == "2021-10-31")
    }
}

struct HeadlineTests {
    @Test func `the headline counts children with critical gaps and missing family copies`() {
        let findings = [
            Finding(rule: "family-document-missing", severity: .critical,
                    key: [FindingField("origin", "EV-1"), FindingField("child", "C-2")], context: [FindingField("family", "F-1")], message: ""),
            Finding(rule: "family-document-missing", severity: .critical,
                    key: [FindingField("origin", "EV-2"), FindingField("child", "C-2")], context: [FindingField("family", "F-1")], message: ""),
            Finding(rule: "family-document-missing", severity: .critical,
                    key: [FindingField("origin", "EV-2"), FindingField("child", "C-3")], context: [FindingField("family", "F-1")], message: ""),
            Finding(rule: "document-not-uploaded", severity: .critical,
                    key: [FindingField("document", "D-1")], context: [FindingField("child", "C-4")], message: ""),
            Finding(rule: "duplicate-id", severity: .critical,
                    key: [FindingField("recordKind", "Person"), FindingField("recordId", "C-5")], message: ""),
            Finding(rule: "late-upload", severity: .high,
                    key: [FindingField("document", "D-2")], context: [FindingField("child", "C-6")], message: ""),
        ]
        let document = FindingsDocument(export: ExportHeader(file: "x.xml"), recordCounts: [:], quarantined: 0,
                                        findings: findings, rulesRun: [])
        #expect(document.headline == .init(childrenWithCriticalGaps: 4, missingFamilyCopies: 3, originsWithMissingCopies: 2,
                                           childrenMissingCopies: 2, familiesMissingCopies: 1))
        #expect(document.text().contains("Children with at least one critical gap: 4"))
        #expect(document.text().contains("Family documents missing: 3 copies of 2 family documents, missing from 2 children in 1 family"))
    }
}

struct FindingsOutputTests {
    static func document(findings: Int) -> FindingsDocument {
        let list = (0..<findings).map { index in
            Finding(rule: "document-not-uploaded", severity: .critical, key: [FindingField("document", "D-\(index)")],
                    context: [FindingField("child", "C-1")], message: "D-\(index) \"quoted\", never uploaded",
                    source: SourceLocation(file: "export.xml", line: index + 1))
        }
        return FindingsDocument(export: ExportHeader(file: "export.xml", exportId: "E", sequence: 1, kind: "full"),
                                recordCounts: ["Document": findings], quarantined: 0, findings: list,
                                rulesRun: ["document-not-uploaded", "late-upload"])
    }

    @Test(arguments: [0, 1, 3])
    func `JSON written in pieces is the document's JSON, byte for byte`(findings: Int) {
        let document = Self.document(findings: findings)
        #expect(document.rendered(as: .json) == document.json.serialised(pretty: true) + "\n")
    }

    @Test func `CSV is the worklists' dialect: BOM, CRLF, plain headers, what to do, quoting`() {
        let csv = Self.document(findings: 2).rendered(as: .csv)
        #expect(csv.hasPrefix("\u{FEFF}severity,rule,what is wrong,what to do,document,child,export file,export line\r\n"))
        #expect(csv.hasSuffix("\r\n") && !csv.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(csv.contains("\"D-0 \"\"quoted\"\", never uploaded\""))
        let rows = csv.split(separator: "\r\n").dropFirst()
        #expect(rows.count == 2)
        #expect(rows.first?.contains(",Upload the content of D-0 to C-1's record.,") == true, "what to do: the rule's action, with the ids")
        #expect(rows.last?.contains(",Upload the content of D-1 to C-1's record.,") == true)
    }

    @Test(arguments: [
        ("plain", "plain"), ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""), ("two\nlines", "\"two\nlines\""),
        ("cr\r\nlf", "\"cr\r\nlf\""), ("=SUM(A1)", "'=SUM(A1)"), ("+44 20", "'+44 20"), ("-1", "'-1"), ("@cmd", "'@cmd"),
        ("=HYPERLINK(\"x\",\"y\")", "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""), ("\t=1", "'\t=1"), ("a=b", "a=b"), ("", ""),
    ])
    func `a CSV field is quoted when it must be and never runs as a formula`(_ value: String, _ written: String) {
        #expect(CSVWriter.field(value) == written)
    }

    @Test func `a CSV document is a BOM, a header and CRLF records`() {
        #expect(CSVWriter.document(header: ["record kind", "what to do"], rows: [["Person", "x, y"], ["", "-"]])
            == "\u{FEFF}record kind,what to do\r\nPerson,\"x, y\"\r\n,'-\r\n")
    }
}
