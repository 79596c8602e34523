import Foundation
import TestSupport
import Testing

struct GenerateSeriesCommandTests {
    @Test func `generate --series prints one line per export and writes its folders`() throws {
        let scratch = try TemporaryFolder()
        let result = try CLI.run(
            ["generate", "--families", "12", "--seed", "3", "--part-bytes", "64", "--out", "series", "--series", "2"],
            in: scratch.url)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("wrote series/00-full/export.xml (full, sequence 412, "))
        #expect(lines[1].hasPrefix("wrote series/01-delta/export.xml (delta, sequence 413 since 2019-09-02T23:10:00Z, "))
        #expect(lines[2].hasPrefix("wrote series/02-delta/export.xml (delta, sequence 414 since 2019-09-03T23:10:00Z, "))
        #expect(lines[3].hasPrefix("wrote series/final-full/export.xml (full, sequence 414, "))
        #expect(lines.allSatisfy { $0.contains("expected-findings.json (") })
        let folders = try FileManager.default.contentsOfDirectory(atPath: scratch.url.appendingPathComponent("series").path)
        #expect(Set(folders) == ["00-full", "01-delta", "02-delta", "final-full"])
    }

    @Test func `generate --series 0 is a usage error`() throws {
        let scratch = try TemporaryFolder()
        let result = try CLI.run(["generate", "--families", "2", "--out", "x", "--series", "0"], in: scratch.url)
        #expect(result.status == 2, "status \(result.status)")
        #expect(result.stderr.contains("--series must be at least 1"))
    }
}
