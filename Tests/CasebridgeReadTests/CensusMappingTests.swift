import CasebridgeMapping
import CasebridgeModel
@testable import CasebridgeRead
import Foundation
import Testing

/// The example mappings of the DfE children-in-need census read every public sample.
struct CensusMappingTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("mappings/examples")

    /// The example mapping for a sample: the 2025 one where the sample writes <Sex>.
    static func mapping(for sample: String) throws -> Mapping {
        let text = try String(contentsOfFile: sample, encoding: .utf8)
        let name = text.contains("<Sex>") ? "dfe-cin-census-2025.yaml" : "dfe-cin-census.yaml"
        return try MappingLoader.load(path: examples.appendingPathComponent(name).path)
    }

    @Test(.enabled(if: !cinSamples.isEmpty))
    func `every sample reads through its example mapping`() throws {
        for sample in cinSamples {
            let sink = CollectingSink()
            let summary = try ExportReader(mapping: Self.mapping(for: sample)).read(path: sample, into: sink)
            #expect(sink.records.contains { $0.kind == .person }, "\(sample)")
            #expect(summary.envelope.values["exportedAt"] != nil, "\(sample): the header's time, with or without Z")
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: cinSample)))
    func `the 2022 sample's child, episodes and plans read as the census says`() throws {
        let sink = CollectingSink()
        _ = try ExportReader(mapping: Self.mapping(for: cinSample)).read(path: cinSample, into: sink)
        let person = try #require(sink.records.first { $0.kind == .person })
        #expect(person.value("id") == "DfEX0000001")
        #expect(person.value("gender") == "1")
        #expect(sink.records.filter { $0.kind == .plan }.map { $0.value("type") ?? "" }.sorted() == ["CIN", "CP"])
        #expect(sink.records.allSatisfy { $0.kind == .person || $0.value($0.kind == .status || $0.kind == .plan || $0.kind == .document ? "person" : "id") == "DfEX0000001" })
    }

    @Test(.enabled(if: cinSamples.contains { $0.hasSuffix("CIN_Census_2026.xml") }))
    func `a sex the 2025 map does not hold is an invalid value, quoted; the others recode`() throws {
        let sample = try #require(cinSamples.first { $0.hasSuffix("CIN_Census_2026.xml") })
        let sink = CollectingSink()
        _ = try ExportReader(mapping: Self.mapping(for: sample)).read(path: sample, into: sink)
        let people = sink.records.filter { $0.kind == .person }
        let invalid = people.flatMap(\.invalid).filter { $0.label == "Sex" }
        #expect(invalid.map(\.raw) == ["1"])
        #expect(invalid.first?.reason == "is not one of the values the mapping recodes (M, F, U)")
        #expect(people.contains { $0.value("gender") == "1" }, "M recodes to 1")
    }
}
