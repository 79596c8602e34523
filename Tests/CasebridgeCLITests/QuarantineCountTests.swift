import Foundation
import TestSupport
import Testing

/// An export whose quarantine holds records of every shape: a Person whose id two records share (with
/// their Statuses), a Document whose id two records share (with their Parts and Sections), and three
/// Visits without an id; and a Visit whose seenAlone is not a boolean (a finding, not quarantined). Every
/// record is on a line of its own.
let quarantineExport = """
    <?xml version="1.0" encoding="UTF-8"?>
    <CaseExport xmlns="urn:lce:2" exportId="EXP-1" sequence="1" kind="full" exportedAt="2019-09-02T23:10:00Z">
    <Teams><Team id="T-1"><Name>East</Name></Team></Teams>
    <Workers><Worker id="W-1" team="T-1"><Name>Sam Patel</Name><Role>Social Worker</Role></Worker></Workers>
    <People>
    <Person id="C-1" kind="child"><BirthDate>2014-05-03</BirthDate><Gender>2</Gender><Ethnicity>WBRI</Ethnicity><Status code="CIN" from="2019-06-01"/><LastModified>2019-08-30T14:02:11Z</LastModified></Person>
    <Person id="C-2" kind="child"><BirthDate>2015-05-03</BirthDate><Gender>1</Gender><Ethnicity>WBRI</Ethnicity><Status code="CIN" from="2019-01-01" to="2019-03-01"/><Status code="CP" from="2019-03-02"/><LastModified>2019-08-30T14:02:11Z</LastModified></Person>
    <Person id="C-2" kind="child"><BirthDate>2015-05-04</BirthDate><Gender>1</Gender><Ethnicity>WBRI</Ethnicity><Status code="CIN" from="2019-01-01"/><LastModified>2019-08-30T14:02:11Z</LastModified></Person>
    </People>
    <Documents>
    <Document id="D-1" person="C-1" type="ASSESS" scope="child"><Title>Record</Title><EventDate>14/08/2019</EventDate><RecordedAt>2019-08-15T10:22:00Z</RecordedAt><Author worker="W-1"/><Part seq="1" mime="application/pdf" bytes="3" sha256="\(String(repeating: "a", count: 64))">YWJj</Part><Part seq="2" mime="application/pdf" bytes="3" sha256="\(String(repeating: "b", count: 64))">ZGVm</Part><Section name="ChildsVoice">I like my school.</Section></Document>
    <Document id="D-1" person="C-1" type="ASSESS" scope="child"><Title>Record</Title><EventDate>15/08/2019</EventDate><RecordedAt>2019-08-16T10:22:00Z</RecordedAt><Author worker="W-1"/><Part seq="1" mime="application/pdf" bytes="3" sha256="\(String(repeating: "c", count: 64))">Z2hp</Part><Part seq="2" mime="application/pdf" bytes="3" sha256="\(String(repeating: "d", count: 64))">amts</Part><Section name="ChildsVoice">I like my school.</Section></Document>
    </Documents>
    <Visits>
    <Visit id="V-1" person="C-1" date="2019-08-30" seenAlone="yes" worker="W-1"/>
    <Visit person="C-1" date="2019-08-20" seenAlone="true" worker="W-1"/>
    <Visit person="C-1" date="2019-08-21" seenAlone="true" worker="W-1"/>
    <Visit person="C-1" date="2019-08-22" seenAlone="false" worker="W-1"/>
    </Visits>
    </CaseExport>

    """

/// Quarantine has one count (every record that cannot load, of every kind, once), labelled "in
/// quarantine" in `check`, `migrate`, `status` and `report`, and read back as the live quarantine.
struct QuarantineCountTests {
    /// The records of ``quarantineExport`` in quarantine: two Persons C-2 and their three Statuses, two
    /// Documents D-1 and their four Parts and two Sections, three Visits without an id.
    static let expected = 2 + 3 + 2 + 4 + 2 + 3

    /// `n` with its thousands grouped, as `status` writes numbers.
    static func grouped(_ n: Int) -> String {
        let digits = String(n)
        return digits.enumerated().map { index, digit in
            (index > 0 && (digits.count - index) % 3 == 0 ? "," : "") + String(digit)
        }.joined()
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func `check, migrate, status and report give one export's quarantine the same count and the same label`() throws {
        let scratch = try TemporaryFolder()
        let export = try scratch.write(quarantineExport, to: "export.xml")
        let target = scratch.path("target.db")
        let line = "In quarantine: \(Self.expected) records"

        let text = try CLI.run(["check", export, "--quiet"])
        #expect(text.stdout.contains(line + "\n"), "\(text.stdout)")
        #expect(text.stdout.contains("; \(Self.expected) in quarantine\n"))
        let json = try Self.json(try CLI.run(["check", export, "--quiet", "--format", "json"]).stdout)
        #expect((json["counts"] as? [String: Any])?["quarantined"] as? Int == Self.expected)

        let migrate = try CLI.run(["migrate", export, "--target", target, "--quiet"])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(migrate.stdout.contains(line + ", kept with their raw XML and reasons"), "\(migrate.stdout)")
        #expect(migrate.stdout.contains("+ \(Self.expected) quarantined."))
        #expect(try sqlite(target, "SELECT count(*) FROM casebridge_quarantine WHERE run_id = 1") == "\(Self.expected)\n")

        let status = try CLI.run(["status", "--target", target])
        #expect(status.stdout.contains(line + " after run 1"), "\(status.stdout)")
        #expect(status.stdout.contains(" in quarantine "))
        let statusJSON = try Self.json(try CLI.run(["status", "--target", target, "--format", "json"]).stdout)
        #expect(statusJSON["quarantined"] as? Int == Self.expected)
        #expect((statusJSON["runs"] as? [[String: Any]])?.first?["quarantined"] as? Int == Self.expected)

        let report = try CLI.run(["report", "--target", target, "--out", scratch.path("report")])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains(line + " after run 1 (quarantine.csv lists them)"), "\(report.stdout)")
        let summary = try Self.json(try String(contentsOfFile: scratch.path("report/summary.json"), encoding: .utf8))
        #expect(summary["quarantined"] as? Int == Self.expected)
        let listed = try String(contentsOfFile: scratch.path("report/quarantine.csv"), encoding: .utf8)
            .components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(listed.count == Self.expected + 1)
        let html = try String(contentsOfFile: scratch.path("report/index.html"), encoding: .utf8)
        #expect(html.contains("data-figure=\"quarantined\">\(Self.expected)</span>"))
    }

    @Test func `the three Visits without an id are one finding that lists every line, in JSON, CSV and text`() throws {
        let scratch = try TemporaryFolder()
        let export = try scratch.write(quarantineExport, to: "export.xml")
        let lines = quarantineExport.components(separatedBy: "\n").enumerated()
            .filter { $0.element.hasPrefix("<Visit person=") }.map { $0.offset + 1 }
        #expect(lines.count == 3)

        let json = try Self.json(try CLI.run(["check", export, "--quiet", "--format", "json"]).stdout)
        let findings = try #require(json["findings"] as? [[String: Any]])
        let idless = findings.filter { $0["recordKind"] as? String == "Visit" && $0["recordId"] as? String == "?" }
        #expect(idless.count == 1)
        let source = try #require(idless.first?["source"] as? [String: Any])
        #expect(source["line"] as? Int == lines[0])
        #expect(source["lines"] as? [Int] == lines)
        let phrase = "lines \(lines.map(String.init).joined(separator: ", "))"
        #expect(idless.first?["message"] as? String == "Visit ? (\(phrase)): id is required but missing; it is a key field, so each record is quarantined")
        // The records that share an id are one finding too, and list their lines; a finding of one record
        // keeps the contract's shape, without lines.
        let people = quarantineExport.components(separatedBy: "\n").enumerated()
            .filter { $0.element.hasPrefix("<Person id=\"C-2\"") }.map { $0.offset + 1 }
        let shared = try #require(findings.first { $0["rule"] as? String == "duplicate-id" && $0["recordId"] as? String == "C-2" })
        #expect((shared["source"] as? [String: Any])?["lines"] as? [Int] == people)
        let single = try #require(findings.first { $0["recordId"] as? String == "V-1" })
        #expect(single["field"] as? String == "seenAlone")
        #expect((single["source"] as? [String: Any])?["lines"] == nil)

        let csv = try CLI.run(["check", export, "--quiet", "--format", "csv"]).stdout
        let rows = csv.components(separatedBy: "\r\n")
        #expect(rows[0].hasSuffix(",export file,export line,export lines"), "\(rows[0])")
        #expect(rows.contains { $0.contains(",Visit,?,") && $0.hasSuffix(",\(lines[0]),\(lines.map(String.init).joined(separator: " "))") })

        let text = try CLI.run(["check", export, "--quiet"]).stdout
        #expect(text.contains("line \(lines[0]): Visit ? (\(phrase)): id is required but missing"))
    }

    @Test func `after two deltas, status shows the live quarantine of each run, the report's count, in text and JSON`() throws {
        let scratch = try TemporaryFolder()
        let target = scratch.path("series.db")
        for sequence in [412, 413, 414] {
            let run = try CLI.run(["migrate", try #require(MigrateExports.series[sequence]), "--target", target, "--quiet"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        // What is in quarantine after each run: the rows stored with it, the live quarantine.
        var live: [Int: Int] = [:]
        for run in 1...3 {
            live[run] = Int(try sqlite(target, "SELECT count(*) FROM casebridge_quarantine WHERE run_id = \(run)")
                .trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let now = try #require(live[3])
        #expect(now > 0)
        // The last delta's own records are fewer than those waiting: its reconciliation counts only its own.
        let own = Int(try sqlite(target, "SELECT records_quarantined FROM casebridge_run WHERE run_id = 3").trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(try #require(own) < now)

        let status = try CLI.run(["status", "--target", target])
        #expect(status.stdout.contains("In quarantine: \(Self.grouped(now)) records after run 3"), "\(status.stdout)")
        let rows = status.stdout.components(separatedBy: "\n").filter { $0.range(of: #"^[123] +EXP-"#, options: .regularExpression) != nil }
        #expect(rows.count == 3)
        for row in rows {
            let cells = row.split(separator: " ", omittingEmptySubsequences: true)
            let run = try #require(Int(cells[0]))
            #expect(String(cells[8]) == Self.grouped(live[run]!), "\(row)")
        }

        let json = try Self.json(try CLI.run(["status", "--target", target, "--format", "json"]).stdout)
        #expect(json["quarantined"] as? Int == now)
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.map { $0["quarantined"] as? Int } == [live[3], live[2], live[1]])

        let report = try CLI.run(["report", "--target", target, "--out", scratch.path("report")])
        #expect(report.stdout.contains("In quarantine: \(now) records after run 3"), "\(report.stdout)")
        let summary = try Self.json(try String(contentsOfFile: scratch.path("report/summary.json"), encoding: .utf8))
        #expect(summary["quarantined"] as? Int == now)
    }
}
