import Foundation
import TestSupport
import Testing

/// `survey`, `preview` and `check --strict-mapping` from the command line: exit statuses and outputs.
struct SurveyPreviewCommandTests {
    @Test func `survey prints the tree and exits 0; JSON parses`() throws {
        let scratch = try TemporaryFolder()
        let export = try scratch.write(cleanExport, to: "export.xml")
        let text = try CLI.run(["survey", export, "--quiet"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("/CaseExport  1"))
        #expect(text.stdout.contains("/BirthDate  1 · text: 1 value · 1 distinct · ISO date (yyyy-MM-dd)"), "\(text.stdout)")
        #expect(!text.stdout.contains("2014-05-03"))
        let json = try CLI.run(["survey", export, "--format", "json", "--quiet"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["elements"] as? Int == 12)
    }

    @Test func `survey of a file that is not XML exits 3 and says what it is`() throws {
        let scratch = try TemporaryFolder()
        let result = try CLI.run(["survey", try scratch.write("id,forename\nC-1,Amira\nC-2,Noah\n", to: "people.csv"), "--quiet"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("it looks like CSV"), "\(result.stderr)")
        #expect(!result.stderr.contains("Amira"))
    }

    @Test func `the draft mapping is written owner-only, and never over a file survey did not write`() throws {
        let scratch = try TemporaryFolder()
        let export = try scratch.write(cleanExport, to: "export.xml")
        let draft = scratch.url.appendingPathComponent("draft.yaml").path
        #expect(try CLI.run(["survey", export, "--draft-mapping", draft, "--quiet"]).status == 0)
        #expect(try FileManager.default.attributesOfItem(atPath: draft)[.posixPermissions] as? Int == 0o600)
        #expect(try String(contentsOfFile: draft, encoding: .utf8).contains("# review"))
        #expect(try CLI.run(["survey", export, "--draft-mapping", draft, "--quiet"]).status == 0, "its own draft is replaced")
        let notes = try scratch.write("my notes\n", to: "notes.yaml")
        let refused = try CLI.run(["survey", export, "--draft-mapping", notes, "--quiet"])
        #expect(refused.status == 2)
        #expect(try String(contentsOfFile: notes, encoding: .utf8) == "my notes\n")
    }

    @Test func `preview shows the records of a kind; a kind the mapping does not read exits 2`() throws {
        let scratch = try TemporaryFolder()
        let export = try scratch.write(cleanExport, to: "export.xml")
        let mapping = try scratch.write(visitsMapping("/CaseExport/Visits/Visit", fields: """
                  id: "@id"
                  date: {path: "@date", type: iso-date}
                  seenAlone: {path: "@seenAlone", type: boolean, map: {"true": "true", "false": "false"}}
            """), to: "m.yaml")
        let shown = try CLI.run(["preview", export, "--mapping", mapping, "--kind", "Visit"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("Visit V-1  (line 6)"), "\(shown.stdout)")
        let refused = try CLI.run(["preview", export, "--mapping", mapping, "--kind", "Person"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("the mapping reads no Person records"))
        #expect(try CLI.run(["preview", export, "--mapping", mapping, "--records", "0"]).status == 2)
    }

    @Test func `check --strict-mapping turns a path that matched nothing into an error`() throws {
        let scratch = try TemporaryFolder()
        let export = try scratch.write(cleanExport, to: "export.xml")
        let mapping = try scratch.write(visitsMapping("/CaseExport/Visits/Vist", fields: "          id: \"@id\""), to: "m.yaml")
        let warned = try CLI.run(["check", export, "--mapping", mapping, "--quiet"])
        #expect(warned.status == 0)
        #expect(warned.stderr.contains("casebridge: mapping warning: \(mapping):7: /CaseExport/Visits/Vist matched no element"), "\(warned.stderr)")
        let findings = scratch.path("findings.json")
        let strict = try CLI.run(["check", export, "--mapping", mapping, "--quiet", "--strict-mapping", "--output", findings])
        #expect(strict.status == 2)
        #expect(strict.stderr.contains("casebridge: mapping error: \(mapping):7:"), "\(strict.stderr)")
        #expect(strict.stderr.contains("casebridge: --strict-mapping: the export was not checked"), "\(strict.stderr)")
        #expect(!FileManager.default.fileExists(atPath: findings))
        let fixed = try scratch.write(try String(contentsOfFile: mapping, encoding: .utf8).replacingOccurrences(of: "Vist", with: "Visit"), to: "fixed.yaml")
        let clean = try CLI.run(["check", export, "--mapping", fixed, "--quiet", "--strict-mapping"])
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stderr.isEmpty, "\(clean.stderr)")
    }
}

/// `migrate` with a mapping that reads less than it names: warned, shown in the reconciliation, recorded
/// with the run; refused before anything is loaded under `--strict-mapping`.
struct MigrateMappingCoverageTests {
    @Test func `migrate warns of a path that matched nothing, shows the kind as none read, and records it`() throws {
        let scratch = try TemporaryFolder()
        let export = try scratch.write(cleanExport, to: "export.xml")
        let reference = try String(contentsOfFile: Reference.mappingFile, encoding: .utf8)
        #expect(reference.contains("element: /CaseExport/Visits/Visit\n"))
        let mapping = try scratch.write(reference.replacingOccurrences(of: "element: /CaseExport/Visits/Visit\n",
                                                                       with: "element: /CaseExport/Visits/Vist\n"), to: "typo.yaml")
        let target = scratch.path("target.db")

        let strict = try CLI.run(["migrate", export, "--mapping", mapping, "--target", target, "--quiet", "--strict-mapping"])
        #expect(strict.status == 2)
        #expect(strict.stderr.contains("casebridge: mapping error: \(mapping):"), "\(strict.stderr)")
        #expect(strict.stderr.contains("nothing was checked or loaded"))
        #expect(!FileManager.default.fileExists(atPath: target), "nothing was created")

        let loaded = try CLI.run(["migrate", export, "--mapping", mapping, "--target", target, "--quiet"])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        #expect(loaded.stderr.contains("casebridge: mapping warning: \(mapping):"), "\(loaded.stderr)")
        #expect(loaded.stdout.contains("Visit                0         0           0  none read: the mapping's path for it (line "), "\(loaded.stdout)")
        #expect(loaded.stdout.contains("Person               1         1           0  ok"), "\(loaded.stdout)")
        let options = try sqlite(target, "SELECT options FROM casebridge_run")
        #expect(options.contains("\"mappingWarnings\":[\"\(mapping):") && options.contains("/CaseExport/Visits/Vist matched no element"),
                "the warning is recorded with the run: \(options)")

        // A generated export holds every element the built-in mapping names: nothing to warn of.
        #expect(try CLI.run(["generate", "--families", "5", "--seed", "3", "--out", scratch.path("generated")]).status == 0)
        let fixed = try CLI.run(["migrate", scratch.path("generated/export.xml"), "--target", scratch.path("fixed.db"), "--quiet", "--strict-mapping"])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(fixed.stderr.isEmpty && !fixed.stdout.contains("none read"), "\(fixed.stderr)")
    }
}

struct ShortExportNameTests {
    @Test func `an export named by a short relative path reads`() throws {
        let scratch = try TemporaryFolder()
        _ = try scratch.write(cleanExport, to: "ab")
        let result = try CLI.run(["check", "ab", "--quiet"], in: scratch.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try CLI.run(["survey", "ab", "--quiet"], in: scratch.url).status == 0)
    }
}
