import CasebridgeTarget
import CasebridgeCheck
import CasebridgeGenerate
import CasebridgeLoad
import CasebridgeMapping
import CasebridgeReport
import CasebridgeStore
import Crypto
import Foundation
import TestSupport
import Testing

/// A target migrated from generated exports, built once and shared by the tests that read it.
struct MigratedTarget: Sendable {
    let folder: URL
    let target: String
    /// What `check` printed as the headline of the last run: children with a critical gap, missing
    /// copies, family documents, children and families missing copies.
    let checkHeadline: [Int]

    /// 1,000 families, migrated twice (the second export with fewer defects), so the trend has two runs.
    static let large: Result<MigratedTarget, any Error> = Result {
        try MigratedTarget(name: "large", families: 1000, runs: [(31, 0.08), (31, 0.05)])
    }

    /// 60 families in one run: many small counts, for --suppress-small.
    static let small: Result<MigratedTarget, any Error> = Result {
        try MigratedTarget(name: "small", families: 60, runs: [(5, 0.08)])
    }

    init(name: String, families: Int, runs: [(seed: UInt64, defectRate: Double)]) throws {
        folder = TemporaryFolder.shared("report-\(name)")
        target = folder.appendingPathComponent("target.db").path
        let migration = Migration(
            mapping: try MappingLoader.load(path: BuiltInMappings.legacyCaseExport), policy: try Policy.load(path: Policy.defaultPath),
            target: try TargetMapping.load(path: TargetMapping.builtInPath))
        var headline: [Int] = []
        for (index, run) in runs.enumerated() {
            var options = GeneratorOptions(families: families, seed: run.seed)
            options.inlinePartBytes = 128
            options.defectRate = run.defectRate
            // Nightly exports follow each other: run N carries sequence 411 + N.
            options.sequence = 412 + index
            options.exportId = "EXP-\(412 + index)"
            let summary = try ExportGenerator(options: options).write(to: folder.appendingPathComponent("export-\(index + 1)"))
            let result = try migration.run(export: summary.exportFile.path, displayName: "export.xml", into: target)
            let h = result.check.document.headline
            headline = [h.childrenWithCriticalGaps, h.missingFamilyCopies, h.originsWithMissingCopies, h.childrenMissingCopies, h.familiesMissingCopies]
            // The export is not needed again (the report reads only the target): free its disk space.
            try? FileManager.default.removeItem(at: summary.exportFile.deletingLastPathComponent())
        }
        checkHeadline = headline
    }

    /// A fresh folder inside the fixture's.
    func scratch(_ name: String) -> String {
        folder.appendingPathComponent("\(name)-\(UUID().uuidString)").path
    }
}

/// Counts computed straight from casebridge_finding with the tests' own SQL, keyed as the report's
/// `data-figure` attributes are. Shares no code with CasebridgeReport.
struct IndependentFigures {
    var values: [String: Int] = [:]
    /// The families listed, in order, by pseudonym.
    var familyOrder: [String] = []
    var run = 0

    init(target: String, secret: Data) throws {
        let db = try Database(path: target, readOnly: true, create: false)
        run = try #require(try db.scalar("SELECT max(run_id) FROM casebridge_run WHERE outcome = 'loaded'")?.int)
        let r = SQLValue.integer(Int64(run))
        func count(_ sql: String, _ extra: [SQLValue] = []) throws -> Int {
            try #require(try db.scalar(sql, [r] + extra)?.int)
        }
        // The children a critical finding names itself (check's headline), not the owners of its records.
        values["headline.childrenWithCriticalGaps"] = try count("""
            SELECT count(DISTINCT coalesce(json_extract(key_json, '$.child'), json_extract(context_json, '$.child'),
                                           CASE WHEN record_kind = 'Person' THEN record_id END))
            FROM casebridge_finding WHERE run_id = ? AND severity = 'critical'
            """)
        let missing = "FROM casebridge_finding WHERE run_id = ? AND rule = 'family-document-missing'"
        values["headline.missingFamilyCopies"] = try count("SELECT count(*) \(missing)")
        values["headline.familyDocumentsWithMissingCopies"] = try count("SELECT count(DISTINCT json_extract(key_json, '$.origin')) \(missing)")
        values["headline.childrenMissingCopies"] = try count("SELECT count(DISTINCT child) \(missing)")
        values["headline.familiesMissingCopies"] = try count("SELECT count(DISTINCT family) \(missing)")
        values["total"] = try count("SELECT count(*) FROM casebridge_finding WHERE run_id = ?")
        values["quarantined"] = try count("SELECT count(*) FROM casebridge_quarantine WHERE run_id = ?")
        for severity in ["critical", "high", "medium", "low"] {
            values["severity.\(severity)"] = try count("SELECT count(*) FROM casebridge_finding WHERE run_id = ? AND severity = ?", [.text(severity)])
        }
        for row in try db.rows("SELECT rule, count(*) AS n FROM casebridge_finding WHERE run_id = ? GROUP BY rule", [r]) {
            values["rule.\(row["rule"]!)"] = row.int("n")
        }
        for row in try db.rows("""
            SELECT coalesce(team, 'none') AS team, count(*) AS total, sum(severity = 'critical') AS critical, sum(severity = 'high') AS high,
                   sum(severity = 'medium') AS medium, sum(severity = 'low') AS low
            FROM casebridge_finding WHERE run_id = ? GROUP BY team
            """, [r]) {
            for column in ["total", "critical", "high", "medium", "low"] { values["team.\(row["team"]!).\(column)"] = row.int(column) }
        }
        // Weeks from the event to the as-of date, by SQLite's date arithmetic.
        for row in try db.rows("""
            SELECT CASE WHEN f.event_date IS NULL OR r.as_of IS NULL THEN 'no-event-date'
                        WHEN julianday(r.as_of) - julianday(f.event_date) < 28 THEN 'under-4-weeks'
                        WHEN julianday(r.as_of) - julianday(f.event_date) < 84 THEN '4-to-12-weeks'
                        WHEN julianday(r.as_of) - julianday(f.event_date) < 182 THEN '12-to-26-weeks'
                        WHEN julianday(r.as_of) - julianday(f.event_date) < 364 THEN '26-to-52-weeks'
                        ELSE '52-weeks-or-more' END AS bucket, count(*) AS n
            FROM casebridge_finding f JOIN casebridge_run r ON r.run_id = f.run_id WHERE f.run_id = ? GROUP BY bucket
            """, [r]) {
            values["age.\(row["bucket"]!)"] = row.int("n")
        }
        for bucket in ["under-4-weeks", "4-to-12-weeks", "12-to-26-weeks", "26-to-52-weeks", "52-weeks-or-more", "no-event-date"]
        where values["age.\(bucket)"] == nil {
            values["age.\(bucket)"] = 0
        }
        // The trend: each loaded run against the loaded run before it.
        let runs = try db.rows("SELECT run_id FROM casebridge_run WHERE outcome = 'loaded' ORDER BY run_id").compactMap { $0.int("run_id") }
        for (index, id) in runs.enumerated() {
            let this = try db.rows("SELECT identity FROM casebridge_finding WHERE run_id = ?", [.integer(Int64(id))]).compactMap { $0["identity"] }
            let before = index == 0 ? [] : try db.rows("SELECT identity FROM casebridge_finding WHERE run_id = ?", [.integer(Int64(runs[index - 1]))])
                .compactMap { $0["identity"] }
            values["trend.\(id).open"] = this.count
            let thisSet = Set(this), beforeSet = Set(before)
            values["trend.\(id).new"] = this.filter { !beforeSet.contains($0) }.count
            values["trend.\(id).resolved"] = before.filter { !thisSet.contains($0) }.count
        }
        // Families: the ten named by the most findings, most first, ties by pseudonym.
        let families = try db.rows("""
            SELECT family, count(*) AS gaps, sum(severity = 'critical') AS critical, count(DISTINCT child) AS children
            FROM casebridge_finding WHERE run_id = ? AND family IS NOT NULL GROUP BY family
            """, [r]).map { row in
            (name: Self.pseudonym("family", row["family"]!, secret: secret), gaps: row.int("gaps")!, critical: row.int("critical")!,
             children: row.int("children")!)
        }.sorted { $0.gaps != $1.gaps ? $0.gaps > $1.gaps : $0.name < $1.name }.prefix(10)
        for family in families {
            familyOrder.append(family.name)
            values["family.\(family.name).gaps"] = family.gaps
            values["family.\(family.name).critical"] = family.critical
            values["family.\(family.name).children"] = family.children
        }
    }

    /// `Family XXXX-XXXX-XXXX-XXXX`: HMAC-SHA256 under the secret, first 8 bytes in upper-case hex.
    static func pseudonym(_ kind: String, _ id: String, secret: Data) -> String {
        let mac = Array(HMAC<SHA256>.authenticationCode(for: Data("\(kind):\(id)".utf8), using: SymmetricKey(data: secret)))
        let hex = mac.prefix(8).map { String(format: "%02X", $0) }.joined()
        let groups = stride(from: 0, to: 16, by: 4).map { String(hex.dropFirst($0).prefix(4)) }
        return (kind == "family" ? "Family " : "Child ") + groups.joined(separator: "-")
    }

    /// The value a report shows for `count`.
    static func shown(_ count: Int, suppressed: Bool) -> String {
        suppressed && count > 0 && count < 5 ? "fewer than 5" : String(count)
    }
}

/// Reading a written report back.
enum ReportFiles {
    static func text(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    /// Every `data-figure` of a page with the texts it shows (a key may appear more than once).
    static func figures(inHTML html: String) throws -> [String: [String]] {
        let pattern = try NSRegularExpression(pattern: #"data-figure="([^"]+)">([^<]*)<"#)
        var out: [String: [String]] = [:]
        for match in pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            let key = unescape(String(html[Range(match.range(at: 1), in: html)!]))
            out[key, default: []].append(String(html[Range(match.range(at: 2), in: html)!]))
        }
        return out
    }

    /// summary.json's figures, keyed as the page's.
    static func figures(inJSON path: String) throws -> [String: String] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var out: [String: String] = [:]
        func text(_ value: Any?) -> String {
            if let number = value as? Int { return String(number) }
            return value as? String ?? "?"
        }
        for (key, value) in try #require(object["headline"] as? [String: Any]) { out["headline.\(key)"] = text(value) }
        out["total"] = text(object["total"])
        out["quarantined"] = text(object["quarantined"])
        for (key, value) in try #require(object["bySeverity"] as? [String: Any]) { out["severity.\(key)"] = text(value) }
        for rule in try #require(object["byRule"] as? [[String: Any]]) { out["rule.\(rule["rule"] as! String)"] = text(rule["count"]) }
        for team in try #require(object["byTeam"] as? [[String: Any]]) {
            let name = team["team"] as? String ?? "none"
            for column in ["total", "critical", "high", "medium", "low"] { out["team.\(name).\(column)"] = text(team[column]) }
        }
        for bucket in try #require(object["byAge"] as? [[String: Any]]) { out["age.\(bucket["bucket"] as! String)"] = text(bucket["count"]) }
        for point in try #require(object["trend"] as? [[String: Any]]) {
            let run = try #require(point["run"] as? Int)
            for column in ["open", "new", "resolved"] { out["trend.\(run).\(column)"] = text(point[column]) }
        }
        for family in try #require(object["topFamilies"] as? [[String: Any]]) {
            let name = try #require(family["family"] as? String)
            for column in ["gaps", "critical", "children"] { out["family.\(name).\(column)"] = text(family[column]) }
        }
        return out
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The records of an RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks).
    static func csv(_ text: String) -> [[String]] {
        var records: [[String]] = [], record: [String] = [], field = ""
        var quoted = false, index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            if quoted {
                if c == "\"" {
                    let next = text.index(after: index)
                    if next < text.endIndex, text[next] == "\"" { field.append("\""); index = next } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                record.append(field); field = ""
            } else if c == "\r\n" || c == "\n" {
                record.append(field); records.append(record); record = []; field = ""
            } else {
                field.append(c)
            }
            index = text.index(after: index)
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }

    /// A file's permission bits.
    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }
}
