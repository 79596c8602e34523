import CasebridgeGenerate
import Foundation
import Testing

@Suite struct `Bytes and spelling` {
    @Test func `the same options give the same bytes`() throws {
        let a = try Generated(testOptions(families: 40, seed: 11, defectRate: 0.2))
        let b = try Generated(testOptions(families: 40, seed: 11, defectRate: 0.2))
        defer { a.remove(); b.remove() }
        #expect(try a.exportBytes == b.exportBytes)
        #expect(try a.expectedBytes == b.expectedBytes)
        #expect(try a.attachments() == b.attachments())
        #expect(try !a.attachments().isEmpty)
    }

    @Test func `another seed gives another export`() throws {
        let a = try Generated(testOptions(families: 20, seed: 1))
        let b = try Generated(testOptions(families: 20, seed: 2))
        defer { a.remove(); b.remove() }
        #expect(try a.exportBytes != b.exportBytes)
    }

    @Test func `the export is well-formed LCE2 with the envelope of the spec`() throws {
        let g = try Generated(testOptions(families: 30, seed: 5))
        defer { g.remove() }
        let export = try g.parsed()
        #expect(export.root.name == "CaseExport")
        #expect(export.namespaces == ["urn:lce:2"])
        #expect(export.root["exportId"] == "EXP-20190902-0001")
        #expect(export.root["sequence"] == "412")
        #expect(export.root["kind"] == "full")
        #expect(export.root["exportedAt"] == "2019-09-02T23:10:00Z")
        #expect(export.root.children.map(\.name) == ["Teams", "Workers", "People", "Families", "Documents", "Plans", "Visits", "Totals"])
        let text = String(decoding: try g.exportBytes, as: UTF8.self)
        #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CaseExport xmlns=\"urn:lce:2\" "))
        #expect(!text.contains("\r"))
    }

    enum Variant: String, CaseIterable { case prefix, crlf, bom, all }

    @Test(arguments: Variant.allCases)
    func `a spelling variant changes the bytes and nothing a reader sees`(_ variant: Variant) throws {
        var options = testOptions(families: 25, seed: 9, defectRate: 0.15)
        let plain = try Generated(options)
        options.prefixedNamespace = variant == .prefix || variant == .all
        options.crlf = variant == .crlf || variant == .all
        options.bom = variant == .bom || variant == .all
        let spelt = try Generated(options)
        defer { plain.remove(); spelt.remove() }
        let bytes = [UInt8](try spelt.exportBytes)
        let text = String(decoding: bytes, as: UTF8.self)

        #expect(Array(bytes.prefix(3)) == (options.bom ? [0xEF, 0xBB, 0xBF] : Array("<?x".utf8)))
        let lineFeeds = bytes.indices.filter { bytes[$0] == 0x0A }
        let bare = lineFeeds.filter { $0 == 0 || bytes[$0 - 1] != 0x0D }
        if options.crlf {
            #expect(bare.isEmpty)
            #expect(!lineFeeds.isEmpty)
        } else {
            #expect(bare.count == lineFeeds.count)
        }
        if options.prefixedNamespace {
            #expect(text.contains("<lce:CaseExport xmlns:lce=\"urn:lce:2\" "))
            #expect(text.contains("<lce:Person id="))
            #expect(!text.contains("<Person "))
            #expect(!text.contains("xmlns=\""))
        }
        // Same records on the same lines, so the same expected findings, byte for byte.
        #expect(lineFeeds.count == [UInt8](try plain.exportBytes).filter { $0 == 0x0A }.count)
        #expect(try spelt.expectedBytes == plain.expectedBytes)
        let a = try plain.parsed(), b = try spelt.parsed()
        #expect(b.namespaces == ["urn:lce:2"])
        #expect(a.documents.count == b.documents.count)
        #expect(zip(a.documents, b.documents).allSatisfy { $0.attributes == $1.attributes && $0.line == $1.line })
        #expect(MiniCheck(b, folder: spelt.folder).findings == MiniCheck(a, folder: plain.folder).findings)
    }

    @Test func `files are owner-only`() throws {
        let g = try Generated(testOptions(families: 10, seed: 3))
        defer { g.remove() }
        #expect(try modeOf(g.folder) == 0o700)
        #expect(try modeOf(g.folder.appendingPathComponent("attachments")) == 0o700)
        #expect(try modeOf(g.summary.exportFile) == 0o600)
        #expect(try modeOf(g.summary.expectedFindingsFile) == 0o600)
        for name in try g.attachments().keys {
            #expect(try modeOf(g.folder.appendingPathComponent("attachments").appendingPathComponent(name)) == 0o600)
        }
    }

    @Test func `impossible options are refused`() {
        for options in [
            GeneratorOptions(families: -1, seed: 1), GeneratorOptions(families: 1, seed: 1, defectRate: 1.5),
            GeneratorOptions(families: 1, seed: 1, inlinePartBytes: 0),
            GeneratorOptions(families: 1, seed: 1, exportId: "has space"),
        ] {
            #expect(throws: GeneratorError.self) { try options.validate() }
        }
    }

    @Test func `no families still makes a readable export`() throws {
        let g = try Generated(testOptions(families: 0, seed: 3))
        defer { g.remove() }
        let export = try g.parsed()
        #expect(export.people.isEmpty && export.documents.isEmpty)
        #expect(g.summary.findings == 0)
    }
}

/// One clean export (defect rate 0), generated, read back and checked once for the whole suite.
struct CleanBase: Sendable {
    let summary: GenerationSummary
    let expectedFindings: Int
    let text: String
    let export: ParsedExport
    let check: MiniCheck
    /// Each document's decoded parts, by id (nil when a part cannot be read).
    let decoded: [String: [MiniCheck.DecodedPart]?]

    static let shared: Result<CleanBase, any Error> = Result {
        let generated = try Generated(testOptions(families: 120, seed: 2019, defectRate: 0))
        defer { generated.remove() }
        let export = try generated.parsed()
        var decoded: [String: [MiniCheck.DecodedPart]?] = [:]
        for d in export.documents { decoded[d["id"]!] = MiniCheck.decodedParts(d, folder: generated.folder) }
        return CleanBase(
            summary: generated.summary, expectedFindings: try generated.expectedFindings().count,
            text: String(decoding: try generated.exportBytes, as: UTF8.self), export: export,
            check: MiniCheck(export, folder: generated.folder), decoded: decoded)
    }
}

@Suite struct `The clean base` {
    let base: CleanBase
    var export: ParsedExport { base.export }
    var check: MiniCheck { base.check }

    init() throws { base = try CleanBase.shared.get() }

    @Test func `breaks none of the fourteen rules`() throws {
        #expect(base.summary.findings == 0)
        #expect(base.summary.quarantined == 0)
        #expect(base.expectedFindings == 0)
        #expect(check.findings.isEmpty, "\(check.findings.keys.sorted().prefix(10))")
        #expect(check.violations.isEmpty, "\(check.violations.prefix(10))")
        #expect(check.completeDocuments == export.documents.count)
    }

    @Test func `every family document sits on every child who was a member on its date`() throws {
        var copies: [String: [Element]] = [:]
        for d in export.documents where d["scope"] == "family" { copies[d["origin"]!, default: []].append(d) }
        #expect(copies.count > 50)
        let families = Dictionary(uniqueKeysWithValues: export.families.map { ($0["id"]!, $0) })
        var checkedPairs = 0
        for (origin, group) in copies {
            let family = try #require(families[group[0]["family"]!])
            let date = group[0].child("EventDate")!
            let (d, m, y) = (date.prefix(2), date.dropFirst(3).prefix(2), date.suffix(4))
            let iso = "\(y)-\(m)-\(d)"
            let members = family.all("Member").filter {
                $0["role"] == "child" && $0["from"]! <= iso && ($0["to"].map { iso <= $0 } ?? true)
            }.map { $0["person"]! }
            #expect(Set(group.map { $0["person"]! }) == Set(members), "origin \(origin)")
            #expect(group.count == members.count, "one copy per child for \(origin)")
            #expect(group.allSatisfy { $0["family"] == family["id"] && $0.child("EventDate") == date })
            #expect(Set(group.map { $0["version"]! }).count == 1)
            #expect(Set(group.map { $0.all("Manifest")[0]["sha256"]! }).count == 1)
            checkedPairs += members.count
        }
        #expect(checkedPairs > copies.count, "some events concern several children")
    }

    @Test func `manifests and parts describe their content`() throws {
        for d in export.documents {
            let parts = try #require(base.decoded[d["id"]!] ?? nil, "\(d["id"]!)")
            let manifest = d.all("Manifest")[0]
            #expect(Int(manifest["parts"]!) == parts.count)
            #expect(Int(manifest["bytes"]!) == parts.reduce(0) { $0 + $1.content.count })
            let all = parts.sorted { $0.seq < $1.seq }.reduce(Data()) { $0 + $1.content }
            #expect(MiniCheck.hexDigest(all) == manifest["sha256"])
        }
    }

    @Test func `ends with a Totals trailer counting each top-level kind's records`() throws {
        #expect(export.totals == ["Team": export.teams.count, "Worker": export.workers.count, "Person": export.people.count,
                                  "Family": export.families.count, "Document": export.documents.count, "Plan": export.plans.count,
                                  "Visit": export.visits.count])
        #expect(export.root["schemaVersion"] == "2.4")
    }

    @Test func `has the shapes real exports have`() throws {
        let text = base.text
        let people = Dictionary(uniqueKeysWithValues: export.people.map { ($0["id"]!, $0) })
        let members = export.families.flatMap { $0.all("Member") }
        // Unborn children, with no birth date, as child members.
        let unborn = export.people.filter { $0["kind"] == "unborn" }
        #expect(!unborn.isEmpty)
        #expect(unborn.allSatisfy { $0.child("BirthDate") == nil })
        #expect(members.contains { $0["role"] == "child" && people[$0["person"]!]?["kind"] == "unborn" })
        // People in two families; children who joined later or left.
        let familiesPerPerson = Dictionary(grouping: members, by: { $0["person"]! })
        #expect(familiesPerPerson.values.contains { $0.count > 1 && $0[0]["role"] == "child" })
        #expect(familiesPerPerson.values.contains { $0.count > 1 && $0[0]["role"] == "parent" })
        #expect(members.contains { $0["role"] == "child" && $0["to"] != nil })
        #expect(members.contains { $0["role"] == "other" || $0["role"] == "carer" })
        // Open and closed statuses of every code.
        let statuses = export.people.flatMap { $0.all("Status") }
        for code in ["CIN", "CP", "LAC"] {
            #expect(statuses.contains { $0["code"] == code && $0["to"] == nil })
            #expect(statuses.contains { $0["code"] == code && $0["to"] != nil })
        }
        // Every document type, re-issued versions, sibling copies.
        #expect(Set(export.documents.map { $0["type"]! }).count == 14)
        #expect(export.documents.contains { $0["version"] == "2" })
        // Names: non-ASCII, numeric character references, escaped ampersands; CDATA; wrapped base64; hrefs.
        #expect(text.contains("Ó Súilleabháin") || text.contains("Zoë") || text.contains("Łukasz"))
        #expect(text.contains("&#"))
        #expect(export.families.contains { $0.child("Name")!.contains("&") })
        #expect(text.contains("<![CDATA["))
        #expect(export.documents.contains { $0.all("Part").contains { $0.text.contains("\n") } })
        #expect(export.documents.contains { $0.all("Part").contains { $0["href"] != nil } })
        // Plans with outcomes and actions; visits.
        #expect(export.plans.allSatisfy { !$0.all("Outcome").isEmpty })
        #expect(export.plans.contains { !$0.all("Action").isEmpty })
        #expect(export.visits.count > export.plans.count)
    }
}

@Suite struct `Planted defects` {
    @Test(arguments: [(UInt64(77), 0.1), (UInt64(78), 0.3), (UInt64(79), 0.6), (UInt64(80), 0.9)])
    func `expected findings are what an independent reading finds`(seed: UInt64, rate: Double) throws {
        let g = try Generated(testOptions(families: 80, seed: seed, defectRate: rate))
        defer { g.remove() }
        let export = try g.parsed()
        let check = MiniCheck(export, folder: g.folder)
        var expected: [String: Int] = [:]
        for finding in try g.expectedFindings() {
            let source = finding["source"] as! [String: Any]
            #expect(source["file"] as? String == "export.xml")
            expected[identity(finding)] = source["line"] as? Int
        }
        let missing = Set(check.findings.keys).subtracting(expected.keys).sorted()
        let extra = Set(expected.keys).subtracting(check.findings.keys).sorted()
        #expect(missing.isEmpty, "found but not expected: \(missing.prefix(10))")
        #expect(extra.isEmpty, "expected but not found: \(extra.prefix(10))")
        for (key, line) in expected where check.findings[key] != nil {
            #expect(check.findings[key] == line, "line of \(key)")
        }
        #expect(check.violations.isEmpty, "\(check.violations.prefix(10))")
        let counts = try g.expected()["counts"] as! [String: Any]
        #expect(counts["quarantined"] as? Int == check.quarantined)
        #expect(g.summary.quarantined == check.quarantined)
    }

    @Test func `record counts name all fifteen kinds and match the file`() throws {
        let g = try Generated(testOptions(families: 60, seed: 4, defectRate: 0.2))
        defer { g.remove() }
        let export = try g.parsed()
        let counts = (try g.expected()["counts"] as! [String: Any])["records"] as! [String: Int]
        let people = export.people, documents = export.documents, plans = export.plans
        let actual: [String: Int] = [
            "Team": export.teams.count, "Worker": export.workers.count, "Person": people.count,
            "Status": people.reduce(0) { $0 + $1.all("Status").count },
            "Allocation": people.reduce(0) { $0 + $1.all("Allocation").count },
            "Family": export.families.count, "Member": export.families.reduce(0) { $0 + $1.all("Member").count },
            "Document": documents.count, "Part": documents.reduce(0) { $0 + $1.all("Part").count },
            "Section": documents.reduce(0) { $0 + $1.all("Section").count },
            "Plan": plans.count, "Outcome": plans.reduce(0) { $0 + $1.all("Outcome").count },
            "Action": plans.reduce(0) { $0 + $1.all("Action").count }, "Visit": export.visits.count, "Deleted": 0,
        ]
        #expect(counts == actual)
        #expect(g.summary.records == actual)
        let header = try g.expected()["export"] as! [String: Any]
        #expect(header["file"] as? String == "export.xml")
        #expect(header["asOf"] as? String == "2019-09-03")
        #expect(header["kind"] as? String == "full")
        #expect(header["sequence"] as? Int == 412)
        let byRule = (try g.expected()["counts"] as! [String: Any])["findings"] as! [String: Int]
        #expect(byRule.keys.sorted() == ExportGenerator.rulesCovered.sorted())
    }

    @Test(arguments: [0.02, 0.05, 0.2])
    func `the defect rate is the share of eligible records given a defect`(rate: Double) throws {
        let g = try Generated(testOptions(families: 100, seed: 31, defectRate: rate))
        defer { g.remove() }
        let s = g.summary
        #expect(s.eligibleRecords > 3000)
        let share = Double(s.defectiveRecords) / Double(s.eligibleRecords)
        // Binomial: well within five standard deviations.
        let sd = (rate * (1 - rate) / Double(s.eligibleRecords)).squareRoot()
        #expect(abs(share - rate) < 5 * sd, "share \(share) for rate \(rate)")
        // Some defects are boundary cases with no finding; a few make several.
        #expect(Double(s.findings) > Double(s.defectiveRecords) * 0.6)
        #expect(Double(s.findings) < Double(s.defectiveRecords) * 1.6)
    }

    @Test func `defects change only the records they land on`() throws {
        let clean = try Generated(testOptions(families: 30, seed: 21, defectRate: 0))
        let defective = try Generated(testOptions(families: 30, seed: 21, defectRate: 0.3))
        defer { clean.remove(); defective.remove() }
        let a = try clean.parsed(), b = try defective.parsed()
        #expect(defective.summary.findings > 0)
        // The same records under the same ids: a duplicated id adds a record, never a new id.
        func ids(_ records: [Element]) -> [String] {
            var seen: Set<String> = []
            return records.map { $0["id"]! }.filter { seen.insert($0).inserted }
        }
        #expect(ids(a.people) == ids(b.people))
        #expect(ids(a.families) == ids(b.families))
        #expect(ids(a.plans) == ids(b.plans))
        // A family copy left out takes its id with it; every other id stays, in order.
        let (docsA, docsB) = (ids(a.documents), ids(b.documents))
        let kept = Set(docsB)
        #expect(docsA.filter { kept.contains($0) } == docsB, "\(docsA.count) ids and \(docsB.count)")
        #expect(docsA.count - docsB.count < docsA.count / 20, "few copies left out")
        #expect(b.documents.count > docsB.count, "some document ids are duplicated")
        let (visitsA, visitsB) = (ids(a.visits), ids(b.visits))
        #expect(visitsA == visitsB, "\(visitsA.count) ids and \(visitsB.count)")
    }

    @Test func `findings are in contract order`() throws {
        let g = try Generated(testOptions(families: 80, seed: 12, defectRate: 0.2))
        defer { g.remove() }
        let findings = try g.expectedFindings()
        #expect(findings.count > 100)
        let rank = ["critical": 0, "high": 1, "medium": 2, "low": 3]
        func sortKey(_ f: [String: Any]) -> [String] {
            [String(rank[f["severity"] as! String]!), f["rule"] as! String] + keyFields[f["rule"] as! String]!.map { f[$0] as! String }
        }
        for (a, b) in zip(findings, findings.dropFirst()) {
            let ka = sortKey(a), kb = sortKey(b)
            #expect(ka.lexicographicallyPrecedes(kb) { $0.utf8.lexicographicallyPrecedes($1.utf8) }, "\(ka) before \(kb)")
        }
        for f in findings {
            let message = f["message"] as! String
            #expect(!message.isEmpty)
            #expect(f["severity"] as? String == severities[f["rule"] as! String], "\(f["rule"]!)")
        }
    }

    @Test func `every kind of defect is planted`() throws {
        let g = try Generated(testOptions(families: 80, seed: 5, defectRate: 0.5))
        defer { g.remove() }
        let findings = try g.expectedFindings()
        let fields = Set(findings.filter { $0["rule"] as? String == "invalid-value" }.map { "\($0["recordKind"]!)@\($0["field"]!)" })
        #expect(fields == [
            "Person@BirthDate", "Person@Gender", "Person@Ethnicity", "Person@LastModified", "Document@RecordedAt",
            "Document@type", "Document@Manifest@parts", "Document@Manifest@bytes", "Document@Manifest@sha256",
            "Document@Part@sha256", "Visit@seenAlone", "Visit@date", "Plan@reviewDue",
        ])
        let orphans = Set(findings.filter { $0["rule"] as? String == "orphan-reference" }.map { $0["recordKind"] as! String })
        #expect(orphans == ["Document", "Plan", "Visit", "Member"])
        let duplicates = Set(findings.filter { $0["rule"] as? String == "duplicate-id" }.map { $0["recordKind"] as! String })
        #expect(duplicates == ["Document", "Visit"])
        #expect(findings.contains { $0["rule"] as? String == "document-not-uploaded" })
        let incomplete = findings.filter { $0["rule"] as? String == "document-incomplete" }.map { $0["message"] as! String }
        for words in ["declares", "does not match its sha256", "does not decode", "not in attachments/", "../outside.bin",
                      "/etc/hostname", "does not match Manifest@sha256", "is used by two parts",
                      "without encoding", "no Manifest", "is not a SHA-256 digest", "parts hold"] {
            #expect(incomplete.contains { $0.contains(words) }, "\(words)")
        }
        // Family copies carry defects too.
        let export = try g.parsed()
        let familyIds = Set(export.documents.filter { $0["scope"] == "family" }.map { $0["id"]! })
        #expect(findings.contains { familyIds.contains(($0["document"] ?? $0["recordId"]) as? String ?? "") })
    }
}
