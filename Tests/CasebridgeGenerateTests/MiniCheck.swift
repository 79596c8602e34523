import CasebridgeModel
import Crypto
import Foundation

/// An independent, deliberately plain reading of the rules, for the tests: it recomputes the five
/// rules the generator plants defects for from the XML alone, and lists every breach of the other
/// nine (which a generated export must never have), in stricter forms that need no holiday table.
struct MiniCheck: Sendable {
    typealias DecodedPart = (seq: Int, content: Data)

    /// "rule|key1|key2…" → the line the finding points at.
    var findings: [String: Int] = [:]
    var quarantined = 0
    /// Breaches of the rules a generated export must keep clean.
    var violations: [String] = []
    /// Documents whose content was checked and found complete.
    var completeDocuments = 0

    static let asOf = CivilDate(year: 2019, month: 9, day: 3)

    private enum Format {
        case text, codes([String]), iso, uk, timestamp, integer, sha, boolean
    }

    private struct FieldCheck {
        var field: String
        var value: String?
        var format: Format
        var required: Bool
        var key: Bool = false
    }

    private static func trimmed(_ s: String?) -> String? {
        guard let t = s?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else { return nil }
        return t
    }

    private static func passes(_ value: String, _ format: Format) -> Bool {
        switch format {
        case .text: return true
        case let .codes(codes): return codes.contains(value)
        case .iso: return ValueFormat.isoDate.normalise(value) != nil
        case .uk: return ValueFormat.ukDate.normalise(value) != nil
        case .timestamp: return ValueFormat.utcTimestamp.normalise(value) != nil
        case .integer: return ValueFormat.integer.normalise(value) != nil
        case .sha: return ValueFormat.sha256.normalise(value) != nil
        case .boolean: return value == "true" || value == "false"
        }
    }

    /// Records failing fields as invalid-value findings; returns whether a key field failed.
    private mutating func validate(_ kind: String, _ id: String, line: Int, _ checks: [FieldCheck]) -> Bool {
        var keyFailed = false
        for check in checks {
            let value = Self.trimmed(check.value)
            let ok = value.map { Self.passes($0, check.format) } ?? !check.required
            if !ok {
                findings["invalid-value|\(kind)|\(id)|\(check.field)"] = line
                if check.key { keyFailed = true }
            }
        }
        return keyFailed
    }

    private mutating func violation(_ s: String) { violations.append(s) }

    init(_ export: ParsedExport, folder: URL) {
        let ethnicities = ["WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN",
                           "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"]
        let types = ["STRAT", "ICPC", "RCPC", "CGM", "FAMASS", "PLOLET", "VISIT", "ASSESS", "CINPLAN", "CPPLAN",
                     "DIRECT", "SUPERV", "CHRON", "LETTER"]
        let statusCodes = ["CIN", "CP", "LAC"]

        // Duplicate ids: (kind, id) → lines.
        var seen: [String: [Int]] = [:]
        func see(_ kind: String, _ id: String?, _ line: Int) {
            if let id = Self.trimmed(id) { seen["\(kind)|\(id)", default: []].append(line) }
        }
        for t in export.teams { see("Team", t["id"], t.line) }
        for w in export.workers { see("Worker", w["id"], w.line) }
        for p in export.people { see("Person", p["id"], p.line) }
        for f in export.families {
            see("Family", f["id"], f.line)
            for m in f.all("Member") { see("Member", "\(f["id"] ?? "")/\(m["person"] ?? "")", m.line) }
        }
        for d in export.documents { see("Document", d["id"], d.line) }
        for p in export.plans {
            see("Plan", p["id"], p.line)
            for o in p.all("Outcome") { see("Outcome", "\(p["id"] ?? "")/\(o["id"] ?? "")", o.line) }
        }
        for v in export.visits { see("Visit", v["id"], v.line) }
        var duplicated: Set<String> = []
        for (kindId, lines) in seen where lines.count > 1 {
            findings["duplicate-id|\(kindId)"] = lines.min()!
            duplicated.insert(kindId)
        }
        func isDuplicate(_ kind: String, _ id: String?) -> Bool { duplicated.contains("\(kind)|\(id ?? "")") }

        // invalid-value, and quarantine.
        for t in export.teams {
            _ = validate("Team", t["id"] ?? "", line: t.line, [FieldCheck(field: "id", value: t["id"], format: .text, required: true, key: true)])
        }
        for w in export.workers {
            _ = validate("Worker", w["id"] ?? "", line: w.line, [FieldCheck(field: "id", value: w["id"], format: .text, required: true, key: true)])
        }
        var personIds: Set<String> = []
        var livePeople: [String: Element] = [:]
        for p in export.people {
            let id = p["id"] ?? ""
            personIds.insert(id)
            var checks = [
                FieldCheck(field: "id", value: p["id"], format: .text, required: true, key: true),
                FieldCheck(field: "kind", value: p["kind"], format: .codes(["child", "unborn", "adult"]), required: true),
                FieldCheck(field: "BirthDate", value: p.child("BirthDate"), format: .iso, required: p["kind"] == "child"),
                FieldCheck(field: "Gender", value: p.child("Gender"), format: .codes(["0", "1", "2", "9"]), required: true),
                FieldCheck(field: "Ethnicity", value: p.child("Ethnicity"), format: .codes(ethnicities), required: true),
                FieldCheck(field: "LastModified", value: p.child("LastModified"), format: .timestamp, required: true),
            ]
            for s in p.all("Status") {
                checks.append(FieldCheck(field: "Status@code", value: s["code"], format: .codes(statusCodes), required: true))
                checks.append(FieldCheck(field: "Status@from", value: s["from"], format: .iso, required: true))
                checks.append(FieldCheck(field: "Status@to", value: s["to"], format: .iso, required: false))
            }
            for a in p.all("Allocation") {
                checks.append(FieldCheck(field: "Allocation@from", value: a["from"], format: .iso, required: true))
            }
            let keyFailed = validate("Person", id, line: p.line, checks)
            // A quarantined record takes what it holds with it, each in quarantine in its own kind.
            if keyFailed || isDuplicate("Person", id) {
                quarantined += 1 + p.all("Status").count + p.all("Allocation").count
            } else {
                livePeople[id] = p
            }
        }
        var familyIds: Set<String> = []
        var liveFamilies: [Element] = []
        for f in export.families {
            let id = f["id"] ?? ""
            familyIds.insert(id)
            let familyOut = validate("Family", id, line: f.line, [FieldCheck(field: "id", value: f["id"], format: .text, required: true, key: true)])
                || isDuplicate("Family", id)
            if familyOut { quarantined += 1 } else { liveFamilies.append(f) }
            for m in f.all("Member") {
                let memberId = "\(id)/\(m["person"] ?? "")"
                let keyFailed = validate("Member", memberId, line: m.line, [
                    FieldCheck(field: "person", value: m["person"], format: .text, required: true, key: true),
                    FieldCheck(field: "role", value: m["role"], format: .codes(["child", "parent", "carer", "other"]), required: true),
                    FieldCheck(field: "from", value: m["from"], format: .iso, required: true),
                    FieldCheck(field: "to", value: m["to"], format: .iso, required: false),
                ])
                if familyOut || keyFailed || isDuplicate("Member", memberId) {
                    quarantined += 1
                } else if let person = Self.trimmed(m["person"]), !personIds.contains(person) {
                    findings["orphan-reference|Member|\(memberId)"] = m.line
                }
            }
        }

        var liveDocuments: [Element] = []
        for d in export.documents {
            let id = d["id"] ?? ""
            let family = d["scope"] == "family"
            let uploaded = Self.trimmed(d.child("UploadedAt")) != nil
            let manifest = d.all("Manifest").first
            var checks = [
                FieldCheck(field: "id", value: d["id"], format: .text, required: true, key: true),
                FieldCheck(field: "person", value: d["person"], format: .text, required: true, key: true),
                FieldCheck(field: "type", value: d["type"], format: .codes(types), required: true, key: true),
                FieldCheck(field: "scope", value: d["scope"], format: .codes(["family", "child"]), required: true, key: true),
                FieldCheck(field: "family", value: d["family"], format: .text, required: family, key: family),
                FieldCheck(field: "origin", value: d["origin"], format: .text, required: family, key: family),
                FieldCheck(field: "version", value: d["version"], format: .integer, required: false),
                FieldCheck(field: "EventDate", value: d.child("EventDate"), format: .uk, required: true),
                FieldCheck(field: "RecordedAt", value: d.child("RecordedAt"), format: .timestamp, required: true),
                FieldCheck(field: "UploadedAt", value: d.child("UploadedAt"), format: .timestamp, required: false),
                FieldCheck(field: "Manifest@parts", value: manifest?["parts"], format: .integer, required: uploaded),
                FieldCheck(field: "Manifest@bytes", value: manifest?["bytes"], format: .integer, required: uploaded),
                FieldCheck(field: "Manifest@sha256", value: manifest?["sha256"], format: .sha, required: uploaded),
            ]
            for part in d.all("Part") {
                checks.append(FieldCheck(field: "Part@seq", value: part["seq"], format: .integer, required: true))
                checks.append(FieldCheck(field: "Part@bytes", value: part["bytes"], format: .integer, required: true))
                checks.append(FieldCheck(field: "Part@sha256", value: part["sha256"], format: .sha, required: true))
            }
            let keyFailed = validate("Document", id, line: d.line, checks)
            if keyFailed || isDuplicate("Document", id) {
                quarantined += 1 + d.all("Part").count + d.all("Section").count
                continue
            }
            liveDocuments.append(d)
            if let person = Self.trimmed(d["person"]), !personIds.contains(person) {
                findings["orphan-reference|Document|\(id)"] = d.line
            }
            if family, let f = Self.trimmed(d["family"]), !familyIds.contains(f) {
                findings["orphan-reference|Document|\(id)"] = d.line
            }
            if !uploaded {
                findings["document-not-uploaded|\(id)"] = d.line
            } else if Self.isIncomplete(d, folder: folder) {
                findings["document-incomplete|\(id)"] = d.line
            } else {
                completeDocuments += 1
            }
        }

        var livePlans: [Element] = []
        for p in export.plans {
            let id = p["id"] ?? ""
            let keyFailed = validate("Plan", id, line: p.line, [
                FieldCheck(field: "id", value: p["id"], format: .text, required: true, key: true),
                FieldCheck(field: "person", value: p["person"], format: .text, required: true, key: true),
                FieldCheck(field: "type", value: p["type"], format: .codes(statusCodes), required: true),
                FieldCheck(field: "start", value: p["start"], format: .iso, required: true),
                FieldCheck(field: "end", value: p["end"], format: .iso, required: false),
                FieldCheck(field: "reviewDue", value: p["reviewDue"], format: .iso, required: false),
            ])
            let planOut = keyFailed || isDuplicate("Plan", id)
            for o in p.all("Outcome") {
                let outcomeId = "\(id)/\(o["id"] ?? "")"
                let outcomeKey = validate("Outcome", outcomeId, line: o.line, [
                    FieldCheck(field: "id", value: o["id"], format: .text, required: true, key: true),
                    FieldCheck(field: "targetDate", value: o["targetDate"], format: .iso, required: false),
                ])
                if planOut || outcomeKey || isDuplicate("Outcome", outcomeId) { quarantined += 1 }
            }
            if planOut {
                quarantined += 1 + p.all("Action").count
                continue
            }
            livePlans.append(p)
            if let person = Self.trimmed(p["person"]), !personIds.contains(person) {
                findings["orphan-reference|Plan|\(id)"] = p.line
            }
        }

        var liveVisits: [Element] = []
        for v in export.visits {
            let id = v["id"] ?? ""
            let keyFailed = validate("Visit", id, line: v.line, [
                FieldCheck(field: "id", value: v["id"], format: .text, required: true, key: true),
                FieldCheck(field: "person", value: v["person"], format: .text, required: true, key: true),
                FieldCheck(field: "date", value: v["date"], format: .iso, required: true, key: true),
                FieldCheck(field: "seenAlone", value: v["seenAlone"], format: .boolean, required: true),
            ])
            if keyFailed || isDuplicate("Visit", id) {
                quarantined += 1
                continue
            }
            liveVisits.append(v)
            if let person = Self.trimmed(v["person"]), !personIds.contains(person) {
                findings["orphan-reference|Visit|\(id)"] = v.line
            }
        }

        checkCleanRules(people: livePeople, families: liveFamilies, documents: liveDocuments, plans: livePlans,
                        visits: liveVisits)
    }

    // MARK: document-incomplete

    static func decodedParts(_ d: Element, folder: URL) -> [DecodedPart]? {
        var out: [(Int, Data)] = []
        for part in d.all("Part") {
            guard let seq = Int(part["seq"] ?? ""), let bytes = Int(part["bytes"] ?? ""),
                  let sha = part["sha256"], ValueFormat.sha256.normalise(sha) != nil else { return nil }
            let content: Data
            if let href = trimmed(part["href"]) {
                guard !href.hasPrefix("/"), !href.split(separator: "/").contains(".."),
                      let data = try? Data(contentsOf: folder.appendingPathComponent(href)) else { return nil }
                content = data
            } else {
                guard part["encoding"] == "base64" else { return nil }
                let text = String(part.text.unicodeScalars.filter { !" \t\r\n".unicodeScalars.contains($0) })
                guard let data = Data(base64Encoded: text) else { return nil }
                content = data
            }
            guard content.count == bytes, hexDigest(content) == sha else { return nil }
            out.append((seq, content))
        }
        return out
    }

    static func isIncomplete(_ d: Element, folder: URL) -> Bool {
        guard let manifest = d.all("Manifest").first, let parts = Int(manifest["parts"] ?? ""),
              let bytes = Int(manifest["bytes"] ?? ""), let sha = manifest["sha256"],
              ValueFormat.sha256.normalise(sha) != nil else { return true }
        guard let decoded = decodedParts(d, folder: folder), decoded.count == parts,
              Set(decoded.map(\.seq)).count == decoded.count,
              d.all("Part").compactMap({ Int($0["bytes"] ?? "") }).reduce(0, +) == bytes else { return true }
        var hasher = SHA256()
        for part in decoded.sorted(by: { $0.seq < $1.seq }) { hasher.update(data: part.content) }
        return hex(hasher.finalize()) != sha
    }

    static func hexDigest(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: The nine rules of dates, copies, sections and plans

    /// Bank holidays in England and Wales, 2015–2019, as published (the span of generated dates).
    static let bankHolidays: Set<String> = [
        "2015-01-01", "2015-04-03", "2015-04-06", "2015-05-04", "2015-05-25", "2015-08-31", "2015-12-25", "2015-12-28",
        "2016-01-01", "2016-03-25", "2016-03-28", "2016-05-02", "2016-05-30", "2016-08-29", "2016-12-26", "2016-12-27",
        "2017-01-02", "2017-04-14", "2017-04-17", "2017-05-01", "2017-05-29", "2017-08-28", "2017-12-25", "2017-12-26",
        "2018-01-01", "2018-03-30", "2018-04-02", "2018-05-07", "2018-05-28", "2018-08-27", "2018-12-25", "2018-12-26",
        "2019-01-01", "2019-04-19", "2019-04-22", "2019-05-06", "2019-05-27", "2019-08-26", "2019-12-25", "2019-12-26",
    ]

    /// Working days d with a < d ≤ b, counted one calendar day at a time.
    static func workingDays(_ a: CivilDate, _ b: CivilDate) -> Int {
        var n = 0
        var d = a.adding(days: 1)
        while d <= b {
            precondition(d.year >= 2015 && d.year <= 2019, "no holiday table for \(d.year)")
            if d.weekdayFromMonday < 5 && !bankHolidays.contains(d.iso) { n += 1 }
            d = d.adding(days: 1)
        }
        return n
    }

    /// The Europe/London calendar date of a valid UTC timestamp, by Foundation's time zone database.
    static func londonDate(_ timestamp: String) -> CivilDate? {
        guard let normal = ValueFormat.utcTimestamp.normalise(timestamp) else { return nil }
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let parts = normal.prefix(16).split(whereSeparator: { "-T:".contains($0) }).map { Int($0)! }
        let instant = utc.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4]))!
        var london = Calendar(identifier: .gregorian)
        london.timeZone = TimeZone(identifier: "Europe/London")!
        let c = london.dateComponents([.year, .month, .day], from: instant)
        return CivilDate(year: c.year!, month: c.month!, day: c.day!)
    }

    static let uploadLimits: [String: Int] = [
        "STRAT": 2, "ICPC": 15, "RCPC": 15, "CGM": 5, "FAMASS": 10, "PLOLET": 2, "VISIT": 3, "ASSESS": 5,
        "CINPLAN": 5, "CPPLAN": 5, "DIRECT": 5, "SUPERV": 5, "CHRON": 10, "LETTER": 5,
    ]
    static let requiredSections: [String: [String]] = [
        "FAMASS": ["ChildsVoice"], "PLOLET": ["Timescales"], "VISIT": ["ChildsVoice"], "ASSESS": ["ChildsVoice"],
        "CINPLAN": ["ChildsVoice"], "CPPLAN": ["ChildsVoice"], "DIRECT": ["ChildsVoice"],
        "SUPERV": ["Reflection", "ActionsReview"],
    ]
    static let visitLimits = ["CP": 10, "CIN": 20, "LAC": 30]

    private mutating func checkCleanRules(
        people: [String: Element], families: [Element], documents: [Element], plans: [Element], visits: [Element]
    ) {
        let first = CivilDate(year: 2015, month: 1, day: 1), last = CivilDate(year: 2019, month: 9, day: 2)
        let asOf = Self.asOf
        func uk(_ s: String?) -> CivilDate? {
            Self.trimmed(s).flatMap { ValueFormat.ukDate.normalise($0) }.flatMap { CivilDate(iso: $0) }
        }
        func iso(_ s: String?) -> CivilDate? {
            Self.trimmed(s).flatMap { ValueFormat.isoDate.normalise($0) }.flatMap { CivilDate(iso: $0) }
        }

        // family-document-missing and replica-diverges, over the live copies of each origin.
        var copies: [String: [Element]] = [:]
        for d in documents where d["scope"] == "family" { copies[Self.trimmed(d["origin"])!, default: []].append(d) }
        let familiesById = Dictionary(uniqueKeysWithValues: families.map { ($0["id"]!, $0) })
        for (origin, group) in copies {
            let sourceLine = group.map(\.line).min()!
            let holders = Set(group.compactMap { Self.trimmed($0["person"]) })
            var concerned: Set<String> = []
            for copy in group {
                guard let family = familiesById[copy["family"]!], let date = uk(copy.child("EventDate")) else { continue }
                for m in family.all("Member") where m["role"] == "child" {
                    guard let from = iso(m["from"]), from <= date, iso(m["to"]).map({ date <= $0 }) ?? true,
                          let person = Self.trimmed(m["person"]), people[person] != nil else { continue }
                    concerned.insert(person)
                }
            }
            for child in concerned where !holders.contains(child) {
                findings["family-document-missing|\(origin)|\(child)"] = sourceLine
            }
            let judged = group.compactMap { d -> (Element, Int)? in
                guard let v = Self.trimmed(d["version"]) else { return (d, 1) }
                return Int(v).map { (d, $0) }
            }
            guard let top = judged.map(\.1).max() else { continue }
            let atTop = judged.filter { $0.1 == top }.map(\.0)
            for (d, v) in judged where v < top { findings["replica-diverges|\(d["id"]!)"] = d.line }
            let values = atTop.map { $0.all("Manifest").first?["sha256"].map { "sha:" + $0 } ?? "none" }
            let majority = Set(values).first { value in values.filter { $0 == value }.count * 2 > values.count }
            for (d, value) in zip(atTop, values) where value != majority { findings["replica-diverges|\(d["id"]!)"] = d.line }
        }

        // late-upload and sections.
        for d in documents {
            let id = d["id"]!
            guard let event = uk(d.child("EventDate")), event >= first, event <= last else {
                violation("\(id): event date out of range")
                continue
            }
            if let uploaded = d.child("UploadedAt"), let normal = ValueFormat.utcTimestamp.normalise(uploaded) {
                if normal > "2019-09-02T23:10:00Z" { violation("\(id) uploaded after the export") }
                let london = Self.londonDate(uploaded)!
                if london < event { violation("\(id) uploaded before its event") }
                if Self.workingDays(event, london) > Self.uploadLimits[d["type"]!]! { findings["late-upload|\(id)"] = d.line }
            }
            for name in Self.requiredSections[d["type"]!] ?? [] {
                let texts = d.all("Section").filter { $0["name"] == name }.map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
                if !texts.contains(where: { !$0.isEmpty }) {
                    if name == "ChildsVoice" {
                        findings["childs-voice-missing|\(id)"] = d.line
                    } else {
                        findings["required-section-missing|\(id)|\(name)"] = d.line
                    }
                }
            }
        }

        // Plans.
        for p in plans {
            let id = p["id"]!
            let outcomes = p.all("Outcome")
            if outcomes.isEmpty { findings["plan-without-outcomes|\(id)"] = p.line }
            for o in outcomes where Self.trimmed(o["targetDate"]) == nil {
                findings["outcome-not-timebound|\(id)|\(o["id"]!)"] = o.line
            }
            if Self.trimmed(p["end"]) == nil, let due = iso(p["reviewDue"]), due < asOf {
                findings["plan-review-overdue|\(id)"] = p.line
            }
        }

        // visit-overdue.
        var visitDates: [String: [CivilDate]] = [:]
        for v in visits {
            guard let date = iso(v["date"]) else { continue }
            if date > last { violation("visit \(v["id"]!) after the export") }
            visitDates[v["person"]!, default: []].append(date)
        }
        for (id, person) in people {
            var overdue = false
            for s in person.all("Status") {
                guard let from = iso(s["from"]), from <= asOf, let code = s["code"], let limit = Self.visitLimits[code] else { continue }
                if let to = Self.trimmed(s["to"]) {
                    guard let end = iso(to), end >= asOf else { continue }
                }
                let seen = (visitDates[id] ?? []).filter { $0 >= from && $0 <= asOf }.max() ?? from
                if Self.workingDays(seen, asOf) > limit { overdue = true }
            }
            if overdue { findings["visit-overdue|\(id)"] = person.line }
        }
    }
}
