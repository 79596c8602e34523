import Foundation
import TestSupport
import Testing

/// Runs the built `casebridge` executable.
struct CLI {
    static let executable: URL = {
        // The test bundle sits in the build folder beside the executable.
        var folder = Bundle.main.bundleURL
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("casebridge").path), folder.path != "/" {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent("casebridge")
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], in folder: URL? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let folder { process.currentDirectoryURL = folder }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}

let cleanExport = """
    <?xml version="1.0" encoding="UTF-8"?>
    <CaseExport xmlns="urn:lce:2" exportId="EXP-1" sequence="1" kind="full" exportedAt="2019-09-02T23:10:00Z">
    <Teams><Team id="T-1"><Name>East</Name></Team></Teams>
    <People><Person id="C-1" kind="child"><BirthDate>2014-05-03</BirthDate><Gender>2</Gender><Ethnicity>WBRI</Ethnicity>
    <LastModified>2019-08-30T14:02:11Z</LastModified></Person></People>
    <Visits><Visit id="V-1" person="C-1" date="2019-08-30" seenAlone="true"/></Visits>
    </CaseExport>

    """

struct CommandLineTests {
    @Test func `a clean export exits 0 and says there are no findings`() throws {
        let scratch = try TemporaryFolder()
        let result = try CLI.run(["check", try scratch.write(cleanExport, to: "export.xml"), "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Summary: 0 findings"))
    }

    @Test func `a critical finding exits 1, a lower --fail-on still exits 1 for high, and none above exits 0`() throws {
        let scratch = try TemporaryFolder()
        let orphan = cleanExport.replacingOccurrences(of: "person=\"C-1\" date", with: "person=\"C-9\" date")
        let export = try scratch.write(orphan, to: "export.xml")
        #expect(try CLI.run(["check", export, "--quiet"]).status == 0)  // orphan-reference is high
        #expect(try CLI.run(["check", export, "--quiet", "--fail-on", "high"]).status == 1)
        let duplicate = cleanExport.replacingOccurrences(of: "</Visits>", with: "<Visit id=\"V-1\" person=\"C-1\" date=\"2019-08-29\" seenAlone=\"true\"/></Visits>")
        #expect(try CLI.run(["check", try scratch.write(duplicate, to: "dup.xml"), "--quiet"]).status == 1)
    }

    @Test func `JSON output follows the findings contract and is byte-stable`() throws {
        let scratch = try TemporaryFolder()
        let export = try scratch.write(cleanExport.replacingOccurrences(of: "<Gender>2</Gender>", with: "<Gender>3</Gender>"), to: "export.xml")
        let first = try CLI.run(["check", export, "--format", "json", "--quiet"])
        let second = try CLI.run(["check", export, "--format", "json", "--quiet"])
        #expect(first.stdout == second.stdout)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let header = try #require(json["export"] as? [String: Any])
        #expect(header["exportId"] as? String == "EXP-1")
        #expect(header["asOf"] as? String == "2019-09-03")
        let findings = try #require(json["findings"] as? [[String: Any]])
        #expect(findings.count == 1)
        #expect(findings.first?["rule"] as? String == "invalid-value")
        #expect(findings.first?["field"] as? String == "Gender")
        #expect(findings.first?["recordId"] as? String == "C-1")
        #expect((findings.first?["source"] as? [String: Any])?["line"] as? Int == 4)
    }

    @Test func `CSV output has a header and one finding a row`() throws {
        let scratch = try TemporaryFolder()
        let export = try scratch.write(cleanExport.replacingOccurrences(of: "<Gender>2</Gender>", with: "<Gender>3</Gender>"), to: "export.xml")
        let output = scratch.url.appendingPathComponent("findings.csv").path
        let result = try CLI.run(["check", export, "--format", "csv", "--output", output, "--quiet"])
        #expect(result.status == 0)
        let data = try Data(contentsOf: URL(fileURLWithPath: output))
        #expect(data.starts(with: [0xEF, 0xBB, 0xBF]), "a UTF-8 BOM, as the report's worklists")
        let csv = String(decoding: data.dropFirst(3), as: UTF8.self)
        let rows = csv.split(separator: "\r\n")
        #expect(rows.count == 2)
        #expect(rows[0] == "severity,rule,what is wrong,what to do,record kind,record id,field,export file,export line")
        #expect(rows[1].hasPrefix("high,invalid-value,"))
        #expect(rows[1].contains(",Correct the Gender of Person C-1 in the legacy system.,"), "the rule's action, with the ids")
        let mode = try FileManager.default.attributesOfItem(atPath: output)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func `an unreadable export exits 3 with file, line, column and a reason`() throws {
        let scratch = try TemporaryFolder()
        let export = try scratch.write(String(cleanExport.prefix(200)), to: "broken.xml")
        let result = try CLI.run(["check", export, "--quiet"])
        #expect(result.status == 3)
        let line = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(line.range(of: #"broken\.xml:\d+:\d+: .+"#, options: .regularExpression) != nil, "\(result.stderr)")
        #expect(try CLI.run(["check", scratch.url.appendingPathComponent("missing.xml").path, "--quiet"]).status == 3)
    }

    @Test func `a mapping mistake and a bad option exit 2`() throws {
        let scratch = try TemporaryFolder()
        let export = try scratch.write(cleanExport, to: "export.xml")
        let mapping = try scratch.write("format: x\nroot: CaseExport\nrecords:\n  - kind: Nobody\n    element: /CaseExport/X\n    fields: {}\n", to: "bad.yaml")
        let result = try CLI.run(["check", export, "--mapping", mapping])
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.yaml:4:"))
        #expect(try CLI.run(["check", export, "--format", "pdf"]).status == 2)
        let policy = try scratch.write("documentTypes: {}\nchildsVoiceSection: ChildsVoice\nvisitWithinWorkingDays: {CP: soon}\nbankHolidays: []\n", to: "policy.yaml")
        let refused = try CLI.run(["check", export, "--policy", policy])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("policy.yaml:3:"))
        #expect(try CLI.run(["check"]).status == 2)
    }

    @Test func `rules lists every rule, as text and JSON`() throws {
        let text = try CLI.run(["rules"])
        #expect(text.status == 0)
        for id in ["family-document-missing", "document-not-uploaded", "document-incomplete", "replica-diverges", "late-upload",
                   "visit-overdue", "childs-voice-missing", "required-section-missing", "plan-without-outcomes",
                   "outcome-not-timebound", "plan-review-overdue", "orphan-reference", "duplicate-id", "invalid-value"] {
            #expect(text.stdout.contains(id))
        }
        let json = try CLI.run(["rules", "--format", "json"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(list.count == 14)
        #expect(list.allSatisfy { $0["id"] is String && $0["severity"] is String && $0["description"] is String })
    }
}

struct ReportCommandTests {
    @Test func `report refuses a file that is not a Casebridge target with exit 4 and one line`() throws {
        let scratch = try TemporaryFolder()
        let target = try scratch.write("not a database", to: "target.db")
        let result = try CLI.run(["report", "--target", target, "--out", scratch.url.appendingPathComponent("r").path])
        #expect(result.status == 4)
        #expect(result.stderr == "casebridge: \(target): is not a Casebridge target: it is not an SQLite database\n")
        #expect(result.stdout.isEmpty)
    }

    @Test(arguments: [["--audience", "team"], ["--audience", "director", "--team", "T-LAC"], ["--run", "0"], ["--audience", "everyone"]])
    func `report's usage errors exit 2`(_ extra: [String]) throws {
        let scratch = try TemporaryFolder()
        let result = try CLI.run(["report", "--target", scratch.url.appendingPathComponent("t.db").path, "--out", scratch.url.path] + extra)
        #expect(result.status == 2)
    }
}

/// A target migrated once from the 100-family export, shared by the report command's tests.
enum ReportTarget {
    static let path: String = {
        let folder = TemporaryFolder.shared("cli-report")
        let target = folder.appendingPathComponent("target.db").path
        let result = try! CLI.run(["migrate", MigrateExports.small, "--target", target, "--quiet"])
        precondition(result.status == 0, "migrate failed: \(result.stderr)")
        return target
    }()
}

/// The report command's options as a person types them.
struct ReportUsabilityTests {
    @Test func `--team alone writes that team's worklist, as --audience team does`() throws {
        let scratch = try TemporaryFolder()
        let out = scratch.url.appendingPathComponent("r").path
        let result = try CLI.run(["report", "--target", ReportTarget.path, "--out", out, "--team", "T-LAC"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out + "/teams") == ["T-LAC.csv"])
        #expect(!FileManager.default.fileExists(atPath: out + "/index.html"))
        // Naming the director's audience with a team is still a contradiction.
        #expect(try CLI.run(["report", "--target", ReportTarget.path, "--out", out, "--audience", "director", "--team", "T-LAC"]).status == 2)
    }

    @Test func `an unknown team exits 2 with one line naming known teams, and writes nothing`() throws {
        let scratch = try TemporaryFolder()
        let out = scratch.url.appendingPathComponent("r").path
        let result = try CLI.run(["report", "--target", ReportTarget.path, "--out", out, "--team", "T-NOPE"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("casebridge: ") && result.stderr.hasSuffix("\n"))
        #expect(result.stderr.dropLast().contains("\n") == false, "one line: \(result.stderr)")
        #expect(result.stderr.contains("T-NOPE") && result.stderr.contains("T-LAC"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/teams/T-NOPE.csv"))
        // A team the target holds, with or without gaps, and the gaps no team holds are known.
        #expect(try CLI.run(["report", "--target", ReportTarget.path, "--out", out, "--team", "unallocated"]).status == 0)
    }

    @Test func `report into an existing folder leaves the folder's mode alone`() throws {
        let scratch = try TemporaryFolder()
        let out = scratch.url.appendingPathComponent("shared")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        // `--out .` from inside the folder: the current folder keeps its mode too.
        let result = try CLI.run(["report", "--target", ReportTarget.path, "--out", "."], in: out)
        #expect(result.status == 0, "\(result.stderr)")
        func mode(_ path: String) throws -> Int? { try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int }
        #expect(try mode(out.path) == 0o755)
        #expect(try mode(out.path + "/teams") == 0o700, "a folder report creates is 0700")
        for file in ["index.html", "summary.json", "teams/T-LAC.csv"] { #expect(try mode(out.path + "/" + file) == 0o600, "\(file)") }
    }

    @Test func `help report gives the exit status an unwritable output gets`() throws {
        let help = try CLI.run(["help", "report"])
        let words = help.stdout.replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
        #expect(words.contains("7 \(Status.output.meaning)"), "\(help.stdout)")
        #expect(!words.contains("6 an output"))
        let scratch = try TemporaryFolder()
        let blocker = try scratch.write("x", to: "plain-file")
        let result = try CLI.run(["report", "--target", ReportTarget.path, "--out", blocker + "/report"])
        #expect(result.status == 7, "\(result.stderr)")
    }
}
