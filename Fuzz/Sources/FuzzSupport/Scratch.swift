import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The folder one fuzzing process works in: an export folder laid out the way a hostile export's
/// folder may be, and, outside it, a sentinel file whose content must never reach a record.
///
/// ```
/// casebridge-fuzz-PID/
///   sentinel.txt                     outside the export's folder: never to be read
///   export/                          the export's folder
///     export.xml                     each input, written afresh
///     attachments/D-1-1.bin          an ordinary content file ("hello")
///     attachments/escape             a link to ../../sentinel.txt (leads out)
///     attachments/fifo               a named pipe (opening it for reading waits for a writer)
///     attachments/folder/            a folder
///     attachments/up                 a link to .. (stays inside)
///     out                            a link to the scratch folder (leads out)
///   linked -> export                 the export's folder reached through a link
/// ```
/// Files named by `CASEBRIDGE_FUZZ_ATTACHMENTS` (a folder, e.g. a generated export's attachments)
/// are copied into `attachments/` too, so that generated seeds' hrefs name files that exist.
/// The folder stays when the process ends (libFuzzer ends it with `exit`): `scripts/fuzz` points
/// `TMPDIR` at a folder of its own and removes it.
public final class Scratch: Sendable {
    /// The scratch folder of this process, made on first use.
    public static let shared = Scratch()

    public let root: String
    /// The export's folder.
    public let folder: String
    /// Where each input is written.
    public let exportPath: String
    /// The export's path reached through a linked folder.
    public let linkedExportPath: String
    /// The sentinel's path and the SHA-256 (hex) of its content.
    public let sentinelPath: String
    public let sentinelContent: [UInt8]
    public let sentinelSha256: String

    private init() {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-fuzz-\(getpid())").path
        folder = root + "/export"
        exportPath = folder + "/export.xml"
        linkedExportPath = root + "/linked/export.xml"
        sentinelPath = root + "/sentinel.txt"
        sentinelContent = Array("CASEBRIDGE-SENTINEL outside the export's folder \(UUID().uuidString)\n".utf8)
        sentinelSha256 = SHA256.hash(data: sentinelContent).map { String(format: "%02x", $0) }.joined()
        let files = FileManager.default
        try? files.removeItem(atPath: root)
        do {
            try files.createDirectory(atPath: folder + "/attachments/folder", withIntermediateDirectories: true)
            try Data(sentinelContent).write(to: URL(fileURLWithPath: sentinelPath))
            try Data("hello".utf8).write(to: URL(fileURLWithPath: folder + "/attachments/D-1-1.bin"))
            try files.createSymbolicLink(atPath: folder + "/attachments/escape", withDestinationPath: "../../sentinel.txt")
            try files.createSymbolicLink(atPath: folder + "/attachments/up", withDestinationPath: "..")
            try files.createSymbolicLink(atPath: folder + "/out", withDestinationPath: root)
            try files.createSymbolicLink(atPath: root + "/linked", withDestinationPath: "export")
            guard mkfifo(folder + "/attachments/fifo", 0o600) == 0 else { fatalError("mkfifo failed") }
            if let extra = ProcessInfo.processInfo.environment["CASEBRIDGE_FUZZ_ATTACHMENTS"] {
                for name in (try? files.contentsOfDirectory(atPath: extra)) ?? [] {
                    try? files.copyItem(atPath: extra + "/" + name, toPath: folder + "/attachments/" + name)
                }
            }
        } catch {
            fatalError("cannot lay out the fuzz scratch folder \(root): \(error)")
        }
    }

    /// Writes `bytes` as the export, replacing the last input, and returns its path.
    public func writeExport(_ bytes: UnsafeRawBufferPointer) -> String {
        let fd = open(exportPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { fatalError("cannot write \(exportPath)") }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            guard n > 0 else { fatalError("cannot write \(exportPath)") }
            done += n
        }
        return exportPath
    }

    /// Stops the process when `digest` is the sentinel's: content from outside the folder was read.
    public func refuse(digest: String?, _ what: @autoclosure () -> String) {
        if digest == sentinelSha256 { fatalError("the sentinel outside the export's folder was read: \(what())") }
    }
}
