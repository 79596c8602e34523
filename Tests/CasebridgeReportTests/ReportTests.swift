import CasebridgeReport
import CasebridgeStore
import Foundation
import Testing

/// The director's report, summary.json and the teams' worklists of a 1,000-family target migrated twice.
@Suite struct ReportTests {
    let fixture: MigratedTarget
    let folder: String
    let outcome: ReportOutcome
    let secret: Data

    init() throws {
        fixture = try MigratedTarget.large.get()
        folder = fixture.scratch("report")
        outcome = try Report.write(target: fixture.target, to: folder, options: ReportOptions())
        secret = try Data(contentsOf: URL(fileURLWithPath: Pseudonyms.secretPath(forTarget: fixture.target)))
    }

    private var index: String { (folder as NSString).appendingPathComponent("index.html") }
    private var summary: String { (folder as NSString).appendingPathComponent("summary.json") }

    @Test func `every figure in index.html and summary.json equals a count taken straight from the stored findings`() throws {
        let expected = try IndependentFigures(target: fixture.target, secret: secret)
        #expect(expected.values["trend.2.open"] != nil, "the fixture has two runs")
        #expect(expected.familyOrder.count == 10)

        let html = try ReportFiles.text(index)
        let page = try ReportFiles.figures(inHTML: html)
        // The three headline figures shown only in the sentence are checked through the sentence below.
        let sentenceOnly: Set = ["headline.familyDocumentsWithMissingCopies", "headline.childrenMissingCopies", "headline.familiesMissingCopies"]
        let missingKeys = Set(expected.values.keys).subtracting(sentenceOnly).subtracting(page.keys)
        let extraKeys = Set(page.keys).subtracting(expected.values.keys)
        #expect(missingKeys.isEmpty && extraKeys.isEmpty, "the page lacks \(missingKeys.sorted()) and has extra \(extraKeys.sorted())")
        for (key, texts) in page {
            for text in texts { #expect(text == expected.values[key].map(String.init), "\(key) on the page") }
        }
        let v = expected.values
        #expect(html.contains("Children with at least one critical gap: \(v["headline.childrenWithCriticalGaps"]!)<"))
        #expect(html.contains("Family documents missing: \(v["headline.missingFamilyCopies"]!) copies of "
                              + "\(v["headline.familyDocumentsWithMissingCopies"]!) family documents, missing from "
                              + "\(v["headline.childrenMissingCopies"]!) children in \(v["headline.familiesMissingCopies"]!) families<"))

        let json = try ReportFiles.figures(inJSON: summary)
        let wrong = Set(json.keys).union(expected.values.keys).filter { json[$0] != expected.values[$0].map(String.init) }.sorted()
        #expect(wrong.isEmpty, "summary.json differs at \(wrong.prefix(10).map { "\($0): \(json[$0] ?? "none") for \(expected.values[$0].map(String.init) ?? "none")" })")

        // The families in the order listed.
        let listed = try NSRegularExpression(pattern: #"data-figure="family\.([^"]+)\.gaps""#)
            .matches(in: html, range: NSRange(html.startIndex..., in: html)).map { String(html[Range($0.range(at: 1), in: html)!]) }
        #expect(listed == expected.familyOrder)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: summary))) as? [String: Any])
        #expect((object["topFamilies"] as? [[String: Any]])?.compactMap { $0["family"] as? String } == expected.familyOrder)
        #expect((object["run"] as? [String: Any])?["id"] as? Int == expected.run)
    }

    @Test func `the headline is the one check printed for the same export`() throws {
        let h = outcome.figures.headline
        #expect([h.childrenWithCriticalGaps, h.missingFamilyCopies, h.familyDocumentsWithMissingCopies, h.childrenMissingCopies,
                 h.familiesMissingCopies] == fixture.checkHeadline)
        #expect(h.childrenWithCriticalGaps > 100 && h.missingFamilyCopies > 10)
    }

    @Test func `summary.json keeps its keys in a fixed order`() throws {
        let text = try ReportFiles.text(summary)
        let keys = ["\"format\"", "\"version\"", "\"run\"", "\"smallCountsSuppressed\"", "\"headline\"", "\"total\"", "\"quarantined\"",
                    "\"bySeverity\"", "\"byRule\"", "\"byTeam\"", "\"byAge\"", "\"trend\"", "\"topFamilies\""]
        let positions = try keys.map { try #require(text.range(of: $0)).lowerBound }
        #expect(positions == positions.sorted())
    }

    @Test func `each team's worklist holds exactly that team's findings`() throws {
        let db = try Database(path: fixture.target, readOnly: true, create: false)
        let run = SQLValue.integer(Int64(outcome.run.id))
        var expected: [String: [[String]]] = [:]
        for row in try db.rows("SELECT coalesce(team, '') AS team, identity FROM casebridge_finding WHERE run_id = ?", [run]) {
            let identity = try #require(try JSONSerialization.jsonObject(with: Data(row["identity"]!.utf8)) as? [String])
            expected[row["team"]!, default: []].append(identity)
        }
        // Each rule's key fields in order, as SQLite's json_each reads key_json.
        var keyNames: [String: [String]] = [:]
        for row in try db.rows("""
            SELECT DISTINCT rule, (SELECT group_concat(key, '|') FROM json_each(key_json)) AS names FROM casebridge_finding WHERE run_id = ?
            """, [run]) {
            keyNames[row["rule"]!] = row["names"]!.split(separator: "|").map(String.init)
        }
        let column = ["recordKind": "record kind", "recordId": "record id"]

        let teamsFolder = (folder as NSString).appendingPathComponent("teams")
        let files = try FileManager.default.contentsOfDirectory(atPath: teamsFolder).sorted()
        #expect(files.count == expected.count)
        var actual: [String: [[String]]] = [:]
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: (teamsFolder as NSString).appendingPathComponent(file)))
            #expect(data.starts(with: [0xEF, 0xBB, 0xBF]), "\(file) starts with a UTF-8 BOM")
            let text = String(decoding: data.dropFirst(3), as: UTF8.self)
            #expect(text.hasSuffix("\r\n"))
            #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "\(file): every line ends CRLF")
            let records = ReportFiles.csv(text)
            let header = try #require(records.first)
            #expect(header == TeamWorklists.header)
            let team = file == "unallocated.csv" ? "" : String(file.dropLast(4))
            for record in records.dropFirst() {
                #expect(record.count == header.count)
                let row = Dictionary(uniqueKeysWithValues: zip(header, record))
                let rule = row["rule"]!
                let names = try #require(keyNames[rule])
                actual[team, default: []].append([rule] + names.map { row[column[$0] ?? $0] ?? "?" })
                #expect(!(row["what to do"] ?? "").isEmpty)
            }
        }
        #expect(Set(actual.keys) == Set(expected.keys))
        for (team, identities) in expected {
            let have = (actual[team] ?? []).map { $0.joined(separator: "\u{1F}") }.sorted()
            let want = identities.map { $0.joined(separator: "\u{1F}") }.sorted()
            #expect(have == want, "team \(team.isEmpty ? "unallocated" : team): \(have.count) rows, \(want.count) findings")
        }
    }

    @Test func `a worklist row says what to do with the real ids`() throws {
        let text = try ReportFiles.text((folder as NSString).appendingPathComponent("teams/T-LAC.csv"))
        let records = ReportFiles.csv(String(text.dropFirst()))
        let header = records[0]
        let rows = records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
        let missing = try #require(rows.first { $0["rule"] == "family-document-missing" } ?? rows.first)
        if missing["rule"] == "family-document-missing" {
            let child = try #require(missing["child"]), origin = try #require(missing["origin"])
            #expect(missing["what to do"]!.hasPrefix("Upload the "))
            #expect(missing["what to do"]!.contains("(\(origin)) to \(child)'s record"))
        }
        #expect(rows.allSatisfy { $0["child pseudonym"]!.isEmpty || $0["child pseudonym"]!.hasPrefix("Child ") })
    }

    @Test func `no child's name, date of birth or legacy id appears in the director's report`() throws {
        let db = try Database(path: fixture.target, readOnly: true, create: false)
        var names = Set<String>(), births = Set<String>()
        for row in try db.rows("SELECT pers_forename, pers_surname, pers_dob FROM ssd_person") {
            for name in [row["pers_forename"], row["pers_surname"]].compactMap({ $0 }) where name.count > 1 { names.insert(name) }
            if let dob = row["pers_dob"] { births.insert(dob) }
        }
        for row in try db.rows("SELECT family_name FROM cb_family WHERE family_name IS NOT NULL") { names.insert(row["family_name"]!) }
        #expect(names.count > 20 && births.count > 100, "the target holds the people the test looks for")
        var ids = Set<String>()
        for row in try db.rows("SELECT child, family, document, record_id, key_json FROM casebridge_finding") {
            for id in [row["child"], row["family"], row["document"], row["record_id"]].compactMap({ $0 }) { ids.insert(id) }
        }
        // The run's own as-of dates are report metadata, not a child's.
        let asOf = Set(try db.rows("SELECT as_of FROM casebridge_run").compactMap { $0["as_of"] })

        let worklist = try ReportFiles.text((folder as NSString).appendingPathComponent("teams/T-LAC.csv"))
        #expect(try Self.legacyIDs(in: worklist) > 0, "control: a team's worklist does carry legacy ids")
        for path in [index, summary] {
            let text = ReportFiles.unescape(try ReportFiles.text(path))
            #expect(try Self.legacyIDs(in: text) == 0, "\(path) holds no legacy id")
            let leaked = Set(text.split { !($0.isLetter || $0.isNumber || $0 == "-") }.map(String.init)).intersection(ids)
            #expect(leaked.isEmpty, "\(path) holds ids \(leaked.sorted().prefix(5))")
            for name in names {
                let pattern = "(?<![\\p{L}])" + NSRegularExpression.escapedPattern(for: name) + "(?![\\p{L}])"
                let found = try NSRegularExpression(pattern: pattern).firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
                #expect(found == nil, "\(path) holds the name \(name)")
            }
            for birth in births.subtracting(asOf) {
                let date = try #require(CivilDateText(iso: birth))
                #expect(!text.contains(birth) && !text.contains(date.uk), "\(path) holds a date of birth")
            }
        }
    }

    static func legacyIDs(in text: String) throws -> Int {
        try NSRegularExpression(pattern: #"\b(C|A|F|D|EV|PL|V|W|O)-\d"#).numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text))
    }

    @Test func `pseudonyms are stable from report to report and change with the secret`() throws {
        let again = fixture.scratch("again")
        _ = try Report.write(target: fixture.target, to: again, options: ReportOptions())
        #expect(try ReportFiles.text((again as NSString).appendingPathComponent("index.html")) == ReportFiles.text(index))
        #expect(try ReportFiles.text((again as NSString).appendingPathComponent("summary.json")) == ReportFiles.text(summary))

        let otherSecret = fixture.scratch("secret")
        let other = fixture.scratch("other")
        let changed = try Report.write(target: fixture.target, to: other, options: ReportOptions(secretPath: otherSecret))
        #expect(try ReportFiles.mode(otherSecret) == 0o600)
        #expect(try Data(contentsOf: URL(fileURLWithPath: otherSecret)).count == 32)
        let first = outcome.figures.topFamilies.map(\.pseudonym), second = changed.figures.topFamilies.map(\.pseudonym)
        #expect(Set(first).isDisjoint(with: second))
        #expect(outcome.figures.topFamilies.map(\.gaps) == changed.figures.topFamilies.map(\.gaps))
        #expect(Pseudonyms(secret: secret).family("F-000001") == IndependentFigures.pseudonym("family", "F-000001", secret: secret))
        #expect(Pseudonyms(secret: secret).child("C-000124") == IndependentFigures.pseudonym("child", "C-000124", secret: secret))
    }

    @Test func `a secret of the wrong length is refused rather than replaced`() throws {
        let path = fixture.scratch("short-secret")
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        #expect(throws: ReportError.self) { try Report.write(target: fixture.target, to: fixture.scratch("x"), options: ReportOptions(secretPath: path)) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data([1, 2, 3]))
    }

    @Test func `files are 0600 and folders the report creates 0700, while existing folders keep their modes`() throws {
        let out = fixture.scratch("modes")
        let teams = (out as NSString).appendingPathComponent("teams")
        try FileManager.default.createDirectory(atPath: teams, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        chmod(out, 0o755)
        let stale = (teams as NSString).appendingPathComponent("T-GONE.csv")
        _ = FileManager.default.createFile(atPath: stale, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644])
        _ = FileManager.default.createFile(atPath: (out as NSString).appendingPathComponent("index.html"), contents: Data("old".utf8),
                                       attributes: [.posixPermissions: 0o644])
        let written = try Report.write(target: fixture.target, to: out, options: ReportOptions())
        #expect(try ReportFiles.mode(out) == 0o755, "an existing folder keeps its mode")
        #expect(try ReportFiles.mode(teams) == 0o750)
        #expect(written.files.count > 3)
        for file in written.files { #expect(try ReportFiles.mode(file) == 0o600, "\(file)") }
        #expect(!FileManager.default.fileExists(atPath: stale), "a stale worklist is removed")
        #expect(try ReportFiles.mode(Pseudonyms.secretPath(forTarget: fixture.target)) == 0o600)

        let fresh = (fixture.scratch("fresh") as NSString).appendingPathComponent("report")
        try FileManager.default.createDirectory(atPath: (fresh as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = try Report.write(target: fixture.target, to: fresh, options: ReportOptions())
        #expect(try ReportFiles.mode(fresh) == 0o700)
        #expect(try ReportFiles.mode((fresh as NSString).appendingPathComponent("teams")) == 0o700)
    }

    @Test func `the team audience writes only that team's worklist`() throws {
        let out = fixture.scratch("team")
        let written = try Report.write(target: fixture.target, to: out, options: ReportOptions(audience: .team, team: "T-CP-N"))
        #expect(written.files == [(out as NSString).appendingPathComponent("teams/T-CP-N.csv")])
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["teams"])
        #expect(try ReportFiles.text(written.files[0]) == ReportFiles.text((folder as NSString).appendingPathComponent("teams/T-CP-N.csv")))
    }

    @Test func `quarantine.csv lists the run's quarantined records, without raw XML, and the page links it`() throws {
        let path = (folder as NSString).appendingPathComponent("quarantine.csv")
        #expect(outcome.files.contains(path))
        #expect(try ReportFiles.mode(path) == 0o600)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.starts(with: [0xEF, 0xBB, 0xBF]))
        let text = String(decoding: data.dropFirst(3), as: UTF8.self)
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends CRLF")
        #expect(!text.contains("<"), "no raw XML")
        let records = ReportFiles.csv(text)
        #expect(records.first == ["record kind", "record id", "export file", "export line", "reasons"])
        let db = try Database(path: fixture.target, readOnly: true, create: false)
        let stored = try db.rows("""
            SELECT kind, coalesce(record_id, '') AS id, source_file, coalesce(source_line, '') AS line, reasons
            FROM casebridge_quarantine WHERE run_id = ?
            """, [.integer(Int64(outcome.run.id))])
        #expect(stored.count > 0, "the fixture quarantines records")
        #expect(records.count - 1 == stored.count)
        let want = try stored.map { row -> String in
            let reasons = try #require(try JSONSerialization.jsonObject(with: Data(row["reasons"]!.utf8)) as? [String])
            return [row["kind"]!, row["id"]!, row["source_file"]!, row["line"]!, reasons.joined(separator: "; ")].joined(separator: "|")
        }.sorted()
        #expect(records.dropFirst().map { $0.joined(separator: "|") }.sorted() == want)
        let html = try ReportFiles.text(index)
        #expect(html.contains(#"<a href="quarantine.csv">"#))
        let figure = try #require(html.range(of: #"data-figure="quarantined""#))
        let link = try #require(html.range(of: #"href="quarantine.csv""#))
        #expect(html.distance(from: figure.lowerBound, to: link.lowerBound) < 300, "the link sits by the figure")
    }

    @Test func `the page names teams by the names the target holds, keyed by their ids`() throws {
        let html = try ReportFiles.text(index)
        #expect(html.contains("Looked After Children &amp; Care Leavers"))
        #expect(html.contains(#"data-figure="team.T-LAC.total""#))
        #expect(!html.contains("<th scope=\"row\">T-LAC</th>"))
    }

    @Test func `an earlier run can be reported`() throws {
        let out = fixture.scratch("run1")
        let first = try Report.write(target: fixture.target, to: out, options: ReportOptions(run: 1))
        #expect(first.run.id == 1)
        #expect(first.figures.trend.count == 1)
        #expect(first.figures.trend[0].new == first.figures.total && first.figures.trend[0].resolved == 0)
        #expect(throws: ReportError.self) { try Report.write(target: fixture.target, to: out, options: ReportOptions(run: 99)) }
    }
}

/// A target that is not Casebridge's is refused, with the reason, before anything is written.
struct RefusalTests {
    @Test(arguments: ["missing", "text", "other-sqlite"])
    func `a file that is not a Casebridge target is refused`(_ kind: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-refusal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("target.db").path
        switch kind {
        case "text": try Data("not a database".utf8).write(to: URL(fileURLWithPath: target))
        case "other-sqlite": try Database(path: target).execute("CREATE TABLE patients (id TEXT)")
        default: break
        }
        let out = folder.appendingPathComponent("report").path
        do {
            _ = try Report.write(target: target, to: out, options: ReportOptions())
            Issue.record("a \(kind) target was accepted")
        } catch let error as ReportError {
            #expect(error.kind == .target)
            #expect(!error.description.contains("\n"))
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(!FileManager.default.fileExists(atPath: Pseudonyms.secretPath(forTarget: target)))
    }
}

/// `yyyy-MM-dd` to `dd/MM/yyyy`, written here so the test does not lean on the code it tests.
struct CivilDateText {
    let uk: String
    init?(iso: String) {
        let parts = iso.split(separator: "-")
        guard parts.count == 3 else { return nil }
        uk = "\(parts[2])/\(parts[1])/\(parts[0])"
    }
}
