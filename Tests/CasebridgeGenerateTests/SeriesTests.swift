@testable import CasebridgeGenerate
import CasebridgeModel
import Foundation
import TestSupport
import Testing

/// A record as a comparable value: its element name, attributes, trimmed text and children, recursively.
func canonical(_ e: Element) -> String {
    let attributes = e.attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: " ")
    let text = e.text.trimmingCharacters(in: .whitespacesAndNewlines)
    return "<\(e.name) \(attributes)>\(text)" + e.children.map(canonical).joined() + "</\(e.name)>"
}

/// The records of an export by kind and id (a duplicated id holds both records, in order).
typealias RecordSet = [String: [String: [String]]]

func records(_ export: ParsedExport) -> RecordSet {
    var out: RecordSet = [:]
    for e in export.teams + export.workers + export.people + export.families + export.documents + export.plans
        + export.visits {
        out[e.name, default: [:]][e["id"]!, default: []].append(canonical(e))
    }
    return out
}

/// Every file under a folder, by path relative to it.
func files(under folder: URL) throws -> [String: Data] {
    var out: [String: Data] = [:]
    let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])!
    for case let url as URL in enumerator where try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
        out[String(url.path.dropFirst(folder.path.count + 1))] = try Data(contentsOf: url)
    }
    return out
}

/// The identities of an expected-findings file's findings of `rule`.
func identities(_ json: [String: Any], rule: String) -> Set<String> {
    Set((json["findings"] as! [[String: Any]]).filter { $0["rule"] as? String == rule }.map(identity))
}

/// One series, written and read back once for the suite.
struct SeriesFixture {
    let folder: URL
    let exports: [SeriesExport]
    let parsed: [ParsedExport]
    /// Each export's expected-findings.json, as JSON.
    let expected: [[String: Any]]

    static let deltas = 10

    static func options() -> GeneratorOptions {
        GeneratorOptions(families: 80, seed: 2031, defectRate: 0.08, inlinePartBytes: 96)
    }

    static let shared: Result<SeriesFixture, any Error> = Result {
        let folder = TemporaryFolder.shared("series-tests")
        let exports = try SeriesGenerator(options: options(), deltas: deltas).write(to: folder)
        return SeriesFixture(
            folder: folder, exports: exports, parsed: try exports.map { try ParsedExport(file: $0.exportFile) },
            expected: try exports.map {
                try JSONSerialization.jsonObject(with: Data(contentsOf: $0.expectedFindingsFile)) as! [String: Any]
            })
    }

    var deltaIndices: Range<Int> { 1..<(exports.count - 1) }
}

// Nonisolated JSON dictionaries are read-only after construction.
extension SeriesFixture: @unchecked Sendable {}

@Suite struct `A series of exports` {
    let series: SeriesFixture

    init() throws { series = try SeriesFixture.shared.get() }

    @Test func `is written in the folders of its layout`() throws {
        #expect(series.exports.map(\.name) == ["00-full"] + (1...10).map { String(format: "%02d-delta", $0) } + ["final-full"])
        for export in series.exports {
            let folder = export.exportFile.deletingLastPathComponent()
            #expect(folder.lastPathComponent == export.name)
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("attachments").path))
            #expect(try modeOf(export.exportFile) == 0o600)
            #expect(try modeOf(folder) == 0o700)
        }
    }

    @Test func `the full export is the single export of the same options`() throws {
        let single = try Generated(SeriesFixture.options())
        defer { single.remove() }
        #expect(try Data(contentsOf: series.exports[0].exportFile) == single.exportBytes)
        #expect(try Data(contentsOf: series.exports[0].expectedFindingsFile) == single.expectedBytes)
    }

    @Test func `sequence, since and exportedAt chain night by night`() throws {
        let roots = series.parsed.map(\.root)
        #expect(roots[0]["kind"] == "full" && roots[0]["sequence"] == "412" && roots[0]["since"] == nil)
        for i in series.deltaIndices {
            #expect(roots[i]["kind"] == "delta")
            #expect(Int(roots[i]["sequence"]!) == Int(roots[i - 1]["sequence"]!)! + 1)
            #expect(roots[i]["since"] == roots[i - 1]["exportedAt"])
            let day = CivilDate(year: 2019, month: 9, day: 2).adding(days: i)
            #expect(roots[i]["exportedAt"] == "\(day.iso)T23:10:00Z")
        }
        let last = roots[roots.count - 2], final = roots[roots.count - 1]
        #expect(final["kind"] == "full" && final["since"] == nil)
        #expect(final["sequence"] == last["sequence"] && final["exportedAt"] == last["exportedAt"])
        #expect(final["exportId"] != last["exportId"])
        for (root, json) in zip(roots, series.expected) {
            let header = json["export"] as! [String: Any]
            #expect(header["sequence"] as? Int == Int(root["sequence"]!))
            #expect(header["kind"] as? String == root["kind"])
            #expect(header["exportId"] as? String == root["exportId"])
            // 23:10 UTC in September is ten past midnight in London: the next day.
            let utc = CivilDate(iso: String(root["exportedAt"]!.prefix(10)))!
            #expect(header["asOf"] as? String == utc.adding(days: 1).iso)
        }
    }

    @Test func `applying the deltas to the full export gives the final full export`() throws {
        var state = records(series.parsed[0])
        for i in series.deltaIndices {
            let delta = series.parsed[i]
            for (kind, byId) in records(delta) {
                for (id, versions) in byId { state[kind, default: [:]][id] = versions }
            }
            for deleted in delta.deletions {
                let kind = deleted["kind"]!, id = deleted["id"]!
                #expect(state[kind]?[id] != nil, "\(kind) \(id) deleted in \(series.exports[i].name) was not there")
                state[kind]?[id] = nil
            }
        }
        let final = records(series.parsed.last!)
        #expect(Set(state.keys) == Set(final.keys))
        for kind in final.keys {
            let merged = state[kind] ?? [:], expected = final[kind]!
            let differ = Set(merged.keys).symmetricDifference(expected.keys)
                .union(merged.keys.filter { expected[$0] != nil && expected[$0] != merged[$0] })
            #expect(differ.isEmpty, "\(kind): \(differ.sorted().prefix(5))")
        }
    }

    @Test func `every href part's file travels with the export that writes it`() throws {
        var latest: [String: Data] = [:]
        let finalFolder = series.exports.last!.exportFile.deletingLastPathComponent()
        for (export, parsed) in zip(series.exports.dropLast(), series.parsed.dropLast()) {
            let folder = export.exportFile.deletingLastPathComponent()
            for d in parsed.documents {
                for part in d.all("Part") {
                    guard let href = part["href"], href.hasPrefix("attachments/"), !href.contains("-unsent.") else { continue }
                    latest[href] = try Data(contentsOf: folder.appendingPathComponent(href))
                }
            }
        }
        let finalHrefs = series.parsed.last!.documents.flatMap { $0.all("Part") }.compactMap { $0["href"] }
            .filter { $0.hasPrefix("attachments/") && !$0.contains("-unsent.") }
        #expect(!finalHrefs.isEmpty)
        for href in finalHrefs {
            #expect(latest[href] == (try Data(contentsOf: finalFolder.appendingPathComponent(href))), "\(href)")
        }
    }

    @Test func `a delta holds only records created or changed that night, and its deletions`() throws {
        var state = records(series.parsed[0])
        let total = state.values.reduce(0) { $0 + $1.count }
        for i in series.deltaIndices {
            let delta = series.parsed[i]
            let written = records(delta)
            #expect(written["Team"] == nil && written["Worker"] == nil)
            var count = 0
            for (kind, byId) in written {
                for (id, versions) in byId {
                    count += 1
                    #expect(state[kind]?[id] != versions, "\(series.exports[i].name) writes \(kind) \(id) unchanged")
                    state[kind, default: [:]][id] = versions
                }
            }
            #expect(!delta.deletions.isEmpty, "\(series.exports[i].name) deletes nothing")
            // Its Totals count what it holds, its deletions included.
            #expect(delta.totals["Deleted"] == delta.deletions.count)
            #expect(delta.totals["Person"] == delta.people.count && delta.totals["Document"] == delta.documents.count)
            for deleted in delta.deletions {
                #expect(written[deleted["kind"]!]?[deleted["id"]!] == nil, "deleted and written in one delta")
                state[deleted["kind"]!]?[deleted["id"]!] = nil
            }
            count += delta.deletions.count
            #expect(count * 1000 >= total * 2 && count * 100 <= total * 5,
                    "\(series.exports[i].name) touches \(count) of \(total) records")
        }
    }

    @Test func `late copies close family-document-missing gaps and joining children open them`() throws {
        var closed: [String] = [], opened: [String] = []
        for i in series.deltaIndices {
            let before = identities(series.expected[i - 1], rule: "family-document-missing")
            let after = identities(series.expected[i], rule: "family-document-missing")
            let delta = series.parsed[i]
            for gap in before.subtracting(after) {
                let parts = gap.split(separator: "|").map(String.init)  // rule|origin|child
                // Closed by a copy of the origin on the child, in this delta.
                if delta.documents.contains(where: { $0["origin"] == parts[1] && $0["person"] == parts[2] }) {
                    closed.append(gap)
                }
            }
            for gap in after.subtracting(before) {
                let child = String(gap.split(separator: "|")[2])
                // Opened by the child joining a family, in this delta.
                if delta.families.contains(where: { $0.all("Member").contains { $0["person"] == child } }) {
                    opened.append(gap)
                }
            }
        }
        #expect(!closed.isEmpty)
        #expect(!opened.isEmpty)
    }

    @Test func `the last delta's merged state has the findings of the final full export`() throws {
        let last = series.expected[series.expected.count - 2], final = series.expected.last!
        let findings = ((last["findings"] as! [[String: Any]]).map(identity), (final["findings"] as! [[String: Any]]).map(identity))
        #expect(findings.0 == findings.1)
        let counts = (last["counts"] as! [String: Any], final["counts"] as! [String: Any])
        #expect(NSDictionary(dictionary: counts.0) == NSDictionary(dictionary: counts.1))
        // The findings over the merged state move as the nights go by.
        #expect(Set(series.expected.map { ($0["findings"] as! [[String: Any]]).map(identity) }).count > 5)
    }

    @Test func `merged-state findings point at where their record was last written`() throws {
        let parsedByFolder = Dictionary(uniqueKeysWithValues: zip(series.exports.map(\.name), series.parsed))
        var checked = 0
        for i in series.deltaIndices {
            for finding in series.expected[i]["findings"] as! [[String: Any]] {
                guard finding["outcome"] == nil,
                      let id = finding["document"] as? String ?? finding["plan"] as? String ?? finding["child"] as? String
                else { continue }
                let source = finding["source"] as! [String: Any]
                let file = source["file"] as! String, line = source["line"] as! Int
                let folder = file == "export.xml" ? series.exports[i].name : String(file.split(separator: "/")[1])
                let export = try #require(parsedByFolder[folder])
                let elements = export.people + export.documents + export.plans
                if finding["rule"] as? String == "family-document-missing" {
                    #expect(elements.contains { $0.line == line && $0["origin"] == finding["origin"] as? String })
                } else {
                    #expect(elements.contains { $0.line == line && $0["id"] == id }, "\(id) at \(file):\(line)")
                }
                checked += 1
            }
        }
        #expect(checked > 100)
    }

    @Test func `the oracle over the full export's state gives the full export's findings`() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-oracle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let options = GeneratorOptions(families: 150, seed: 77, defectRate: 0.2, inlinePartBytes: 64)
        let (summary, lines) = try ExportGenerator(options: options).write(to: folder, recordingLines: true)
        let pool = ContentPool(seed: options.seed, typicalBytes: options.inlinePartBytes, newline: [0x0A])
        let factory = DocumentFactory(pool: pool, hrefPartRate: options.hrefPartRate, wrappedBase64Rate: options.wrappedBase64Rate)
        var state = SeriesState(options: options, factory: factory, organisation: Organisation(seed: options.seed, families: options.families))
        state.wrote(export: 0, lines: lines!)
        let document = SeriesOracle(state: state, asOf: GeneratorOptions.asOf, folders: ["00-full"], viewpoint: 0)
            .document(header: ExportHeader(file: "export.xml", exportId: options.exportId, sequence: options.sequence,
                                           kind: "full", exportedAt: GeneratorOptions.exportedAt, asOf: GeneratorOptions.asOf))
        #expect(summary.findings > 100)
        let expected = String(decoding: try Data(contentsOf: summary.expectedFindingsFile), as: UTF8.self)
        let computed = document.json.serialised(pretty: true) + "\n"
        if expected != computed {
            let a = expected.split(separator: "\n"), b = computed.split(separator: "\n")
            let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }
            Issue.record("differs from line \(first?.offset ?? min(a.count, b.count)): \(first.map { "\($0.element.0) ≠ \($0.element.1)" } ?? "length")")
        }
    }

    @Test func `the same seed writes the same series byte for byte`() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-series-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let options = GeneratorOptions(families: 30, seed: 5, defectRate: 0.1, inlinePartBytes: 64, hrefPartRate: 0.3)
        try SeriesGenerator(options: options, deltas: 4).write(to: root.appendingPathComponent("a"))
        try SeriesGenerator(options: options, deltas: 4).write(to: root.appendingPathComponent("b"))
        var other = options
        other.seed = 6
        try SeriesGenerator(options: other, deltas: 4).write(to: root.appendingPathComponent("c"))
        let a = try files(under: root.appendingPathComponent("a")), b = try files(under: root.appendingPathComponent("b"))
        #expect(a.count > 12)
        #expect(a.keys.contains("02-delta/expected-findings.json"))
        #expect(a == b)
        let c = try files(under: root.appendingPathComponent("c"))
        #expect(a["03-delta/export.xml"] != c["03-delta/export.xml"])
    }

    @Test func `a busier night writes more records from the same full export, and its merged state still ends as the final export's`() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-series-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let options = GeneratorOptions(families: 40, seed: 8, defectRate: 0.08, inlinePartBytes: 64)
        let usual = try SeriesGenerator(options: options, deltas: 2).write(to: root.appendingPathComponent("usual"))
        var busier = SeriesGenerator(options: options, deltas: 2)
        busier.activity = 4
        let busy = try busier.write(to: root.appendingPathComponent("busy"))
        #expect(try Data(contentsOf: usual[0].exportFile) == Data(contentsOf: busy[0].exportFile))
        for night in 1...2 {
            #expect(busy[night].records > usual[night].records, "night \(night): \(busy[night].records) vs \(usual[night].records)")
        }
        #expect(2 * (busy[1].records + busy[2].records) > 3 * (usual[1].records + usual[2].records))
        let last = try JSONSerialization.jsonObject(with: Data(contentsOf: busy[2].expectedFindingsFile)) as! [String: Any]
        let final = try JSONSerialization.jsonObject(with: Data(contentsOf: busy[3].expectedFindingsFile)) as! [String: Any]
        #expect((last["findings"] as! [[String: Any]]).map(identity) == (final["findings"] as! [[String: Any]]).map(identity))
        var idle = SeriesGenerator(options: options, deltas: 1)
        idle.activity = 0
        #expect(throws: GeneratorError.self) { try idle.write(to: root.appendingPathComponent("idle")) }
    }

    @Test func `a series needs a delta`() {
        #expect(throws: GeneratorError.self) {
            try SeriesGenerator(options: GeneratorOptions(families: 2, seed: 1), deltas: 0)
                .write(to: FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-none-\(UUID().uuidString)"))
        }
    }
}
