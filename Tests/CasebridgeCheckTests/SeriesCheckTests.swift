import CasebridgeCheck
import CasebridgeGenerate
import CasebridgeModel
import Foundation
import TestSupport
import Testing

/// A generated series' final state, checked as one full export.
struct SeriesVariant: Sendable, CustomTestStringConvertible {
    let seed: UInt64
    let prefix: Bool
    let crlf: Bool
    var testDescription: String { "seed \(seed)" + (prefix ? ", prefix" : "") + (crlf ? ", CRLF" : "") }

    static let all = [
        SeriesVariant(seed: 1, prefix: false, crlf: false),
        SeriesVariant(seed: 8, prefix: true, crlf: true),
    ]
}

struct SeriesCheckTests {
    @Test(arguments: SeriesVariant.all)
    func `check over a series' final full export reports exactly its expected findings`(_ variant: SeriesVariant) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-series-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = GeneratorOptions(families: 150, seed: variant.seed, defectRate: 0.08, inlinePartBytes: 128)
        options.prefixedNamespace = variant.prefix
        options.crlf = variant.crlf
        let exports = try SeriesGenerator(options: options, deltas: 10).write(to: folder)
        let final = try #require(exports.last)
        #expect(final.name == "final-full")
        let expected = try FindingsSummary(json: Data(contentsOf: final.expectedFindingsFile))
        let full = try FindingsSummary(json: Data(contentsOf: exports[0].expectedFindingsFile))
        #expect(expected.findings != full.findings, "ten nights should change the findings")

        let result = try CheckRun(mapping: Reference.mapping, policy: Reference.policy)
            .run(export: final.exportFile.path, displayName: "export.xml")
        let found = try FindingsSummary(json: Data(result.document.json.serialised().utf8))
        let missed = Set(expected.findings).subtracting(found.findings).sorted()
        let extra = Set(found.findings).subtracting(expected.findings).sorted()
        #expect(missed.isEmpty, "missed: \(missed.prefix(10))")
        #expect(extra.isEmpty, "extra: \(extra.prefix(10))")
        #expect(found.records == expected.records)
        #expect(found.quarantined == expected.quarantined)
        #expect(result.document.export.asOf == final.asOf)
    }
}
