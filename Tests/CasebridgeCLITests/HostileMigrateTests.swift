import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The hostile exports the fuzzers start from (`Fuzz/seeds/export/hostile-*.xml`: entities, external
/// DTDs, path escapes, truncation, bad UTF-8, huge text…), and a few that need more bytes than a seed
/// should hold, each through the real `casebridge migrate`: into a target that already holds a loaded
/// export, and into a target that does not exist yet.
///
/// Each is either refused before anything is written (exit 3: the loaded target byte-identical, no new
/// target, nothing left beside it) or loads whole (exit 0, every kind reconciled); never a half-written
/// target. The export's folder is laid out as a hostile one may be (a link out of it, a named pipe, a
/// folder), and a sentinel file beside the folder must never reach a target.
struct HostileMigrateTests {
    static let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/seeds/export")

    /// The names of the hostile seeds, and of the large cases made here.
    static let cases: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: seeds.path)) ?? []
        return names.filter { $0.hasPrefix("hostile-") }.sorted() + Large.allCases.map(\.rawValue)
    }()

    /// Hostile exports too large to commit as seeds.
    enum Large: String, CaseIterable {
        /// A 24 MB text node (libxml2 refuses text nodes over 10 MB in its tree-building API unless told otherwise).
        case hugeName = "large-24mb-name"
        /// A 24 MB attribute value.
        case hugeAttribute = "large-24mb-attribute"
        /// 200,000 empty elements inside one record.
        case manyElements = "large-200k-elements-in-a-record"

        var export: Data {
            let envelope = """
                <?xml version="1.0" encoding="UTF-8"?>
                <CaseExport xmlns="urn:lce:2" exportId="EXP-LARGE" sequence="2" kind="full" exportedAt="2019-09-03T23:10:00Z">

                """
            let big = String(repeating: "Ab ", count: 8 << 20)
            switch self {
            case .hugeName: return Data((envelope + "<Teams><Team id=\"T-2\"><Name>\(big)</Name></Team></Teams></CaseExport>\n").utf8)
            case .hugeAttribute: return Data((envelope + "<Teams><Team id=\"T-2\" note=\"\(big)\"><Name>x</Name></Team></Teams></CaseExport>\n").utf8)
            case .manyElements:
                return Data((envelope + "<Teams><Team id=\"T-2\"><Name>x</Name>" + String(repeating: "<Extra/>", count: 200_000)
                    + "</Team></Teams></CaseExport>\n").utf8)
            }
        }
    }

    /// A clean export (sequence 1) loaded into `loaded.db` once; each case works on a copy.
    static let baseline: URL = {
        let folder = TemporaryFolder.shared("hostile-base")
        let export = folder.appendingPathComponent("export.xml")
        try! Data(cleanExport.utf8).write(to: export)
        let target = folder.appendingPathComponent("loaded.db")
        let result = try! CLI.run(["migrate", export.path, "--target", target.path, "--quiet"])
        precondition(result.status == 0, result.stderr)
        return target
    }()

    /// `scratch/sentinel.txt` beside `scratch/export/`, which holds the export, a content file, a link
    /// leading out, a named pipe, a folder and a link to the scratch folder.
    struct HostileFolder {
        let scratch: TemporaryFolder
        let export: String
        let sentinel: Data

        init(_ name: String) throws {
            scratch = try TemporaryFolder()
            let root = scratch.url
            let folder = root.appendingPathComponent("export")
            let files = FileManager.default
            try files.createDirectory(at: folder.appendingPathComponent("attachments/folder"), withIntermediateDirectories: true)
            sentinel = Data("CASEBRIDGE-SENTINEL \(UUID().uuidString)".utf8)
            try sentinel.write(to: root.appendingPathComponent("sentinel.txt"))
            try Data("hello".utf8).write(to: folder.appendingPathComponent("attachments/D-1-1.bin"))
            try files.createSymbolicLink(atPath: folder.appendingPathComponent("attachments/escape").path, withDestinationPath: "../../sentinel.txt")
            try files.createSymbolicLink(atPath: folder.appendingPathComponent("out").path, withDestinationPath: root.path)
            #expect(mkfifo(folder.appendingPathComponent("attachments/fifo").path, 0o600) == 0)
            let data = try Large(rawValue: name)?.export ?? Data(contentsOf: HostileMigrateTests.seeds.appendingPathComponent(name))
            export = folder.appendingPathComponent("export.xml").path
            try data.write(to: URL(fileURLWithPath: export))
        }

        /// Whether the sentinel's content, or its SHA-256, is anywhere in the file at `path`.
        func leaked(into path: String) throws -> Bool {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            let digest = try sha256(of: scratch.url.appendingPathComponent("sentinel.txt").path)
            return bytes.range(of: sentinel) != nil || bytes.range(of: Data(digest.utf8)) != nil
        }
    }

    @Test(arguments: cases)
    func `a hostile export is refused before anything is written, or loads whole, and never reads outside its folder`(_ name: String) throws {
        let folder = try HostileFolder(name)
        let loaded = folder.scratch.url.appendingPathComponent("loaded.db").path
        try FileManager.default.copyItem(atPath: Self.baseline.path, toPath: loaded)
        let before = try sha256(of: loaded)
        let fresh = folder.scratch.url.appendingPathComponent("new.db").path

        let intoLoaded = try CLI.run(["migrate", folder.export, "--target", loaded, "--quiet"])
        let intoFresh = try CLI.run(["migrate", folder.export, "--target", fresh, "--quiet"])
        #expect([0, 3].contains(intoLoaded.status), "\(name): exit \(intoLoaded.status): \(intoLoaded.stderr)")
        #expect(intoFresh.status == intoLoaded.status, "\(name): \(intoFresh.stderr)")
        #expect(!intoLoaded.stderr.contains("Fatal error") && !intoFresh.stderr.contains("Fatal error"))

        if intoLoaded.status == 3 {
            // Refused: one line naming the export, the loaded target's bytes as they were, no new target.
            #expect(intoLoaded.stderr.hasPrefix("casebridge: \(folder.export):"), "\(intoLoaded.stderr)")
            #expect(intoLoaded.stderr.split(separator: "\n").count == 1, "\(intoLoaded.stderr)")
            #expect(try sha256(of: loaded) == before)
            #expect(!FileManager.default.fileExists(atPath: fresh))
        } else {
            // Loaded: a second run, the whole export reconciled, and the target sound.
            #expect(intoLoaded.stdout.contains("as run 2."), "\(intoLoaded.stdout)")
            #expect(intoFresh.stdout.contains("as run 1."), "\(intoFresh.stdout)")
            for target in [loaded, fresh] {
                #expect(try sqlite(target, "PRAGMA integrity_check") == "ok\n")
            }
            #expect(intoLoaded.stdout.contains("Every kind reconciles"), "\(intoLoaded.stdout)")
        }
        // Nothing half-built is left beside either target, and nothing from outside the folder got in.
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.scratch.url.path)
        #expect(left.filter { $0.contains("casebridge-new") || $0.hasSuffix("-journal") }.isEmpty, "\(left)")
        for target in [loaded, fresh] where FileManager.default.fileExists(atPath: target) {
            #expect(try !folder.leaked(into: target), "\(name): the sentinel reached \(target)")
            for kept in left where kept.hasPrefix(URL(fileURLWithPath: target).lastPathComponent + ".casebridge-state") {
                #expect(try !folder.leaked(into: folder.scratch.url.appendingPathComponent(kept).path))
            }
        }
    }

    @Test func `the hostile set is there to run`() {
        #expect(Self.cases.count >= 30, "Fuzz/seeds/export holds \(Self.cases.count - Large.allCases.count) hostile exports")
    }

    @Test func `an href that leads out of the folder loads as unreadable content, not as the file it names`() throws {
        for name in ["hostile-href-dotdot.xml", "hostile-href-link-out.xml", "hostile-href-folder-link-out.xml", "hostile-href-absolute.xml",
                     "hostile-href-fifo.xml", "hostile-href-folder.xml"] {
            let folder = try HostileFolder(name)
            let target = folder.scratch.url.appendingPathComponent("new.db").path
            let result = try CLI.run(["migrate", folder.export, "--target", target, "--quiet"])
            #expect(result.status == 0, "\(name): \(result.stderr)")
            #expect(try sqlite(target, "SELECT content_state FROM cb_document_part") == "unreadable\n", "\(name)")
            #expect(try sqlite(target, "SELECT count(*) FROM cb_content") == "0\n", "\(name)")
        }
    }
}
