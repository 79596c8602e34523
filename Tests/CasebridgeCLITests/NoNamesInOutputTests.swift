import Foundation
import TestSupport
import Testing

/// Messages, logs and every file a run writes for people other than the data team carry ids, never
/// names: a generated export with many defects goes through check, migrate (a full export and a
/// delta), status and report, and no forename or surname of the export appears in anything printed or
/// written, apart from the target and the staging themselves.
struct NoNamesInOutputTests {
    /// The forenames and surnames the export holds, as written in it.
    static func names(in export: String) throws -> Set<String> {
        let text = try String(contentsOfFile: export, encoding: .utf8)
        let element = try Regex(#"<(?:\w+:)?(?:Forename|Surname)>([^<]+)</"#)
        var names = Set<String>()
        for match in text.matches(of: element) {
            guard let value = match.output[1].substring else { continue }
            // A surname of two words ("Ó Súilleabháin") is looked for whole and by its longer words.
            let whole = value.trimmingCharacters(in: .whitespaces)
            names.insert(whole)
            names.formUnion(whole.split(separator: " ").map(String.init).filter { $0.count > 3 })
        }
        return names
    }

    /// The names of `names` that occur in `text` as whole words.
    static func leaked(_ names: Set<String>, in text: String) -> [String] {
        let words = Set(text.split { !$0.isLetter && $0 != "-" && $0 != "'" }.map(String.init))
        return names.filter { name in name.contains(" ") ? text.contains(name) : words.contains(name) }.sorted()
    }

    @Test func `no name of the export reaches a message, a findings file, status or the report`() throws {
        let folder = try TemporaryFolder()
        let generated = try CLI.run(["generate", "--families", "40", "--seed", "57", "--defect-rate", "0.3", "--part-bytes", "64",
                                     "--series", "1", "--out", folder.path("series")])
        #expect(generated.status == 0, "\(generated.stderr)")
        let full = folder.path("series/00-full/export.xml"), delta = folder.path("series/01-delta/export.xml")
        let names = try Self.names(in: full).union(Self.names(in: delta))
        #expect(names.count > 40, "the export holds names to look for")

        var outputs: [(what: String, text: String)] = []
        func record(_ what: String, _ result: CLI.Result) {
            outputs.append((what + " stdout", result.stdout))
            outputs.append((what + " stderr", result.stderr))
        }
        // Progress lines on (not --quiet): they go to stderr like every message.
        record("check", try CLI.run(["check", full]))
        record("check delta", try CLI.run(["check", delta]))
        for format in ["json", "csv"] {
            let output = folder.path("findings.\(format)")
            record("check --format \(format)", try CLI.run(["check", full, "--format", format, "--output", output]))
            outputs.append(("findings.\(format)", try String(contentsOfFile: output, encoding: .utf8)))
        }
        let target = folder.path("target.db")
        record("migrate --dry-run", try CLI.run(["migrate", full, "--target", target, "--dry-run"]))
        record("migrate", try CLI.run(["migrate", full, "--target", target]))
        record("migrate delta", try CLI.run(["migrate", delta, "--target", target]))
        record("status", try CLI.run(["status", "--target", target]))
        record("status --format json", try CLI.run(["status", "--target", target, "--format", "json"]))
        // The director's report: the page, its summary, the quarantine list and every team's worklist.
        let report = folder.path("report")
        record("report", try CLI.run(["report", "--target", target, "--out", report]))
        for file in try FileManager.default.subpathsOfDirectory(atPath: report) where !file.hasSuffix(".png") {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: report + "/" + file, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            outputs.append(("report's \(file)", try String(contentsOfFile: report + "/" + file, encoding: .utf8)))
        }
        #expect(outputs.contains { $0.what.hasSuffix("quarantine.csv") }, "the quarantine list is among what is searched")
        for (what, text) in outputs {
            let found = Self.leaked(names, in: text)
            #expect(found.isEmpty, "\(what) names \(found.prefix(5))")
        }
    }
}
