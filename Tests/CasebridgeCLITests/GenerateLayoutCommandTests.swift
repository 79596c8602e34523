import Foundation
import TestSupport
import Testing

struct GenerateLayoutCommandTests {
    @Test func `generate --layout nested writes the household layout, and refuses what only the flat layout has`() throws {
        let scratch = try TemporaryFolder()
        let out = scratch.url.appendingPathComponent("nested").path
        let result = try CLI.run(["generate", "--families", "3", "--out", out, "--layout", "nested"])
        #expect(result.status == 0, "\(result.stderr)")
        let head = try String(contentsOfFile: out + "/export.xml", encoding: .utf8).prefix(200)
        #expect(head.contains("<HouseholdExport xmlns=\"urn:example:household-export:1\""))
        let series = try CLI.run(["generate", "--families", "3", "--out", out, "--layout", "nested", "--series", "2"])
        #expect(series.status == 2)
        #expect(series.stderr.contains("--series writes the flat layout only"))
        #expect(try CLI.run(["generate", "--families", "3", "--out", out, "--layout", "nested", "--prefix"]).status == 2)
        #expect(try CLI.run(["generate", "--families", "3", "--out", out, "--layout", "tree"]).status == 2)
    }
}
