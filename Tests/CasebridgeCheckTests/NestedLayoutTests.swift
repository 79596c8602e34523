import CasebridgeCheck
import CasebridgeGenerate
import CasebridgeMapping
import CasebridgeModel
import Foundation
import TestSupport
import Testing

/// The example mapping of a nested household export, from the source tree.
let householdMapping: Mapping = {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("mappings/examples/household-export.yaml").path
    do { return try MappingLoader.load(path: path) } catch { fatalError("household-export.yaml: \(error)") }
}()

/// A finding as both layouts must report it: everything but its line, and but the words of the two
/// rules whose messages name the layout's own lines or formats (`duplicate-id` names the lines of the
/// records, `invalid-value` the form a value should take).
func layoutFree(_ finding: JSONValue) -> String {
    guard case let .object(members) = finding else { return "" }
    let rule = finding["rule"]?.stringValue ?? ""
    let kept = members.filter { name, _ in
        name != "source" && !(name == "message" && (rule == "duplicate-id" || rule == "invalid-value"))
    }
    return JSONValue.object(kept).serialised()
}

struct NestedLayoutTests {
    /// Writes the export of `layout` for one seed; returns its summary.
    static func generate(_ layout: ExportLayout, into folder: URL, families: Int = 150) throws -> GenerationSummary {
        var options = GeneratorOptions(families: families, seed: 7)
        options.layout = layout
        options.defectRate = 0.08
        options.inlinePartBytes = 512
        return try ExportGenerator(options: options).write(to: folder.appendingPathComponent(layout.rawValue))
    }

    @Test func `a nested export and its flat twin give identical findings for all fourteen rules`() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-twins-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let flat = try Self.generate(.flat, into: folder)
        let nested = try Self.generate(.nested, into: folder)
        let flatResult = try CheckRun(mapping: Reference.mapping, policy: Reference.policy).run(export: flat.exportFile.path, displayName: "export.xml")
        let nestedResult = try CheckRun(mapping: householdMapping, policy: Reference.policy).run(export: nested.exportFile.path, displayName: "export.xml")
        let flatJSON = flatResult.document.json
        let nestedJSON = nestedResult.document.json
        guard case let .array(flatFindings)? = flatJSON["findings"], case let .array(nestedFindings)? = nestedJSON["findings"] else {
            Issue.record("no findings")
            return
        }
        #expect(Set(flatFindings.compactMap { $0["rule"]?.stringValue }).count == 14, "every rule exercised")
        #expect(flatFindings.map(layoutFree) == nestedFindings.map(layoutFree))
        #expect(flatJSON["counts"] == nestedJSON["counts"])
        #expect(flatJSON["export"]?["exportId"] == nestedJSON["export"]?["exportId"])
        #expect(flatJSON["export"]?["asOf"] == nestedJSON["export"]?["asOf"])
        #expect(nestedResult.read.coverage.warnings.isEmpty, "\(nestedResult.read.coverage.warnings)")
    }

    @Test func `the nested export reports its expected findings at the nested file's lines`() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-nested-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let nested = try Self.generate(.nested, into: folder, families: 60)
        let expected = try FindingsSummary(json: Data(contentsOf: nested.expectedFindingsFile))
        let result = try CheckRun(mapping: householdMapping, policy: Reference.policy).run(export: nested.exportFile.path, displayName: "export.xml")
        let found = try FindingsSummary(json: Data(result.document.json.serialised().utf8))
        #expect(found == expected)
        let lines = { (data: Data) throws -> [Int] in
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let findings = try #require(object["findings"] as? [[String: Any]])
            return findings.compactMap { ($0["source"] as? [String: Any])?["line"] as? Int }.sorted()
        }
        #expect(try lines(Data(result.document.json.serialised().utf8)) == lines(Data(contentsOf: nested.expectedFindingsFile)))
    }

    /// A household of two children and one adult, with the documents given.
    static func household(_ items: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <HouseholdExport xmlns="urn:example:household-export:1" run="X-1" runNumber="1" mode="FULL" created="03/09/2019 00:10:00">
          <Households><Household prefix="F" number="1"><Label>Khan household</Label>
            <Individual prefix="C" number="1" category="C"><Born>03.05.2014</Born><Sex>F</Sex><Ethnicity>WBRI</Ethnicity>
              <Updated>30/08/2019 15:02:11</Updated></Individual>
            <Individual prefix="C" number="2" category="C"><Born>03.05.2016</Born><Sex>M</Sex><Ethnicity>WBRI</Ethnicity>
              <Updated>30/08/2019 15:02:11</Updated></Individual>
            <Occupant person="C-1" role="Child" joined="2014/05/03"/><Occupant person="C-2" role="child" joined="2016/05/03"/>
            \(items)
          </Household></Households>
        </HouseholdExport>
        """
    }

    static func document(_ id: String, child: String, shared: String, event: String?, issue: String = "1") -> String {
        let family = event.map { " household=\"F-1\" event=\"\($0)\"" } ?? ""
        return """
            <Item class="Document" ref="\(id)" child="\(child)" kind="Strategy Discussion Minutes" shared="\(shared)"\(family) issue="\(issue)">
              <Field name="EventDate">14-Aug-2019</Field><Field name="Recorded">14-Aug-2019 10:00:00</Field></Item>
            """
    }

    static func findings(_ xml: String) throws -> [String] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-household-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("export.xml").path
        try Data(xml.utf8).write(to: URL(fileURLWithPath: path))
        let result = try CheckRun(mapping: householdMapping, policy: Reference.policy).run(export: path)
        return result.document.findings.filter { $0.rule == "family-document-missing" || $0.rule == "replica-diverges" }
            .map { "\($0.rule) \($0.key.map(\.value).joined(separator: " "))" }
    }

    @Test func `a recoded household scope feeds family-document-missing and replica-diverges`() throws {
        let missing = try Self.findings(Self.household(Self.document("D-1", child: "C-1", shared: "household", event: "EV-1")))
        #expect(missing == ["family-document-missing EV-1 C-2"])
        let diverging = try Self.findings(Self.household(
            Self.document("D-1", child: "C-1", shared: "household", event: "EV-1", issue: "1")
                + Self.document("D-2", child: "C-2", shared: "household", event: "EV-1", issue: "2")))
        #expect(diverging == ["replica-diverges D-1"])
    }

    @Test func `an individual document needs no copies, and an unknown scope is quarantined, not copied`() throws {
        #expect(try Self.findings(Self.household(Self.document("D-1", child: "C-1", shared: "individual", event: nil))).isEmpty)
        #expect(try Self.findings(Self.household(Self.document("D-1", child: "C-1", shared: "family", event: "EV-1"))).isEmpty,
                "the canonical word is not the layout's: 'family' is not a value of shared")
    }
}
