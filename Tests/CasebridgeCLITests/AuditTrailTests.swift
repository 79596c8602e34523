import Foundation
import TestSupport
import Testing

/// Each run records who ran it and with what; `status` shows it and the director's report states it.
struct AuditTrailTests {
    @Test func `status and the report show who loaded each run, with which build, export and configuration`() throws {
        let folder = try TemporaryFolder()
        let export = try folder.write(cleanExport, to: "export.xml")
        let target = folder.path("target.db")
        #expect(try CLI.run(["migrate", export, "--target", target, "--quiet"]).status == 0)
        let version = try CLI.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let exportDigest = try sha256(of: export)
        let mappingDigest = try sha256(of: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("mappings/legacy-case-export.yaml").path)

        let json = try CLI.run(["status", "--target", target, "--format", "json"])
        let status = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let run = try #require((status["runs"] as? [[String: Any]])?.first)
        #expect(run["exportSHA256"] as? String == exportDigest)
        let audit = try #require(run["audit"] as? [String: Any])
        #expect(audit["user"] as? String == ProcessInfo.processInfo.environment["USER"] ?? "root")
        #expect(audit["host"] as? String == ProcessInfo.processInfo.hostName)
        #expect(audit["casebridgeVersion"] as? String == version)
        #expect((audit["casebridgeBuild"] as? String)?.count == 64)
        #expect(audit["mappingSHA256"] as? String == mappingDigest)

        let text = try CLI.run(["status", "--target", target]).stdout
        #expect(text.contains("  run 1: \(audit["user"] as? String ?? "?") on \(ProcessInfo.processInfo.hostName); export \(exportDigest.prefix(12))…; Casebridge \(version) (build "), "\(text)")
        #expect(text.contains("mapping \(mappingDigest.prefix(12))…"), "\(text)")

        let report = folder.path("report")
        #expect(try CLI.run(["report", "--target", target, "--out", report]).status == 0)
        let page = try String(contentsOfFile: report + "/index.html", encoding: .utf8)
        #expect(page.contains("Run 1 loaded export EXP-1 (SHA-256 \(exportDigest.prefix(12))…) with Casebridge \(version) (build "), "the About section")
        #expect(page.contains("mapping \(mappingDigest.prefix(12))…"))
        #expect(!page.contains(ProcessInfo.processInfo.hostName + ";"), "the director's page names no machine or user")
    }
}
