import CasebridgeMapping
import CasebridgeModel
import CasebridgeRead
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One export waiting in an inbox: a file `*.xml`, or a folder holding `export.xml` (with its
/// `attachments/` beside it, as `casebridge generate` writes), and what its envelope says.
public struct InboxEntry: Sendable, Equatable {
    /// The file or folder name inside the inbox: what moves to `done/` or `failed/`, whole.
    public var name: String
    /// The file or folder itself.
    public var url: URL
    /// The export XML: `url` itself, or `url/export.xml`.
    public var exportPath: String
    public var exportId: String?
    public var sequence: Int?
    public var kind: String?
    public var exportedAt: String?
    /// Why the envelope could not be read (or gave no valid sequence); `nil` when it was read.
    public var unreadable: String?

    /// An export at `url`, read from `exportPath`; the envelope's values are filled in by ``Inbox/entries(mapping:)``.
    public init(name: String, url: URL, exportPath: String) {
        self.name = name
        self.url = url
        self.exportPath = exportPath
    }

    /// "EXP-412, sequence 412" or what is known of it.
    public var described: String {
        [exportId, sequence.map { "sequence \($0)" }].compactMap { $0 }.joined(separator: ", ")
    }
}

/// An inbox folder of exports for `casebridge schedule run`: lists what waits there (not `done/`,
/// `failed/`, hidden files or anything else), reads each export's envelope, and moves an export, whole,
/// to `done/` or `failed/` once it has been dealt with.
///
/// ```swift
/// let inbox = Inbox(path: "/srv/casebridge/inbox")
/// for entry in try inbox.entries(mapping: mapping) { print(entry.name, entry.sequence ?? -1) }
/// ```
public struct Inbox: Sendable {
    public let url: URL
    public var done: URL { url.appendingPathComponent("done") }
    public var failed: URL { url.appendingPathComponent("failed") }

    public init(path: String) {
        url = URL(fileURLWithPath: path).standardizedFileURL
    }

    /// Every export waiting in the inbox, its envelope read (the order is by name; ``ScheduledRun`` orders by sequence).
    public func entries(mapping: Mapping) throws -> [InboxEntry] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw InboxError(reason: "\(url.path): the inbox folder does not exist")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
        let reader = ExportReader(mapping: mapping)
        var entries: [InboxEntry] = []
        for name in names where !name.hasPrefix(".") && name != "done" && name != "failed" {
            let item = url.appendingPathComponent(name)
            var folder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: item.path, isDirectory: &folder) else { continue }
            let exportPath: String
            if folder.boolValue {
                let inner = item.appendingPathComponent("export.xml").path
                guard FileManager.default.fileExists(atPath: inner) else { continue }
                exportPath = inner
            } else {
                guard name.lowercased().hasSuffix(".xml") else { continue }
                exportPath = item.path
            }
            var entry = InboxEntry(name: name, url: item, exportPath: exportPath)
            do {
                let values = try reader.readEnvelope(path: exportPath).values
                entry.exportId = values["exportId"]
                entry.kind = values["kind"]
                entry.exportedAt = values["exportedAt"]
                entry.sequence = values["sequence"].flatMap { Int($0) }
                if entry.sequence == nil {
                    entry.unreadable = "the export has no valid sequence, so it cannot be placed in order"
                }
            } catch let error as ReadError {
                entry.unreadable = "the envelope cannot be read: \(error.line > 0 ? "line \(error.line): " : "")\(error.reason)"
            } catch {
                entry.unreadable = "the envelope cannot be read: \(error)"
            }
            entries.append(entry)
        }
        return entries
    }

    /// Moves `entry` whole into `done/`, keeping its name (with a numeric suffix when the name is taken).
    /// - Returns: where it went.
    @discardableResult
    public func moveToDone(_ entry: InboxEntry) throws -> URL {
        try move(entry, into: done)
    }

    /// Where `entry`'s export file will be once ``moveToDone(_:)`` has moved it (its name in `done/` is
    /// settled now): the file that findings and quarantine of its load name, so that they lead to it.
    public func exportPathOnceDone(_ entry: InboxEntry) -> String {
        let destination = Self.freeName(for: entry.name, in: done)
        let inner = entry.exportPath.hasPrefix(entry.url.path + "/") ? String(entry.exportPath.dropFirst(entry.url.path.count)) : ""
        return destination.path + inner
    }

    /// Moves `entry` whole into `failed/` and writes `<name>.reason.txt` beside it: the one-line reason,
    /// the exit status and the time.
    @discardableResult
    public func moveToFailed(_ entry: InboxEntry, reason: String, exitStatus: ExitStatus, at date: Date = Date()) throws -> URL {
        let moved = try move(entry, into: failed)
        let line = reason.replacingOccurrences(of: "\n", with: " ")
        let text = "reason: \(line)\nexit status: \(exitStatus.rawValue)\ntime: \(Self.timestamp(date))\n"
        try Self.writePrivate(text, to: failed.appendingPathComponent(moved.lastPathComponent + ".reason.txt"))
        return moved
    }

    private func move(_ entry: InboxEntry, into folder: URL) throws -> URL {
        try Self.makePrivateFolder(folder)
        let destination = Self.freeName(for: entry.name, in: folder)
        do {
            try FileManager.default.moveItem(at: entry.url, to: destination)
        } catch {
            throw InboxError(reason: "\(entry.url.path) could not be moved to \(destination.path): \(error.localizedDescription)")
        }
        return destination
    }

    /// `name`, or `name-1`, `name-2`, … (before the extension of a file: `a-1.xml`), whichever is free,
    /// also of a `.reason.txt`.
    static func freeName(for name: String, in folder: URL) -> URL {
        let taken = { (candidate: String) in
            FileManager.default.fileExists(atPath: folder.appendingPathComponent(candidate).path)
                || FileManager.default.fileExists(atPath: folder.appendingPathComponent(candidate + ".reason.txt").path)
        }
        if !taken(name) { return folder.appendingPathComponent(name) }
        let ext = (name as NSString).pathExtension
        let stem = ext.isEmpty ? name : (name as NSString).deletingPathExtension
        var number = 1
        while true {
            let candidate = ext.isEmpty ? "\(stem)-\(number)" : "\(stem)-\(number).\(ext)"
            if !taken(candidate) { return folder.appendingPathComponent(candidate) }
            number += 1
        }
    }

    /// Creates `folder` 0700 when it does not exist.
    static func makePrivateFolder(_ folder: URL) throws {
        if FileManager.default.fileExists(atPath: folder.path) { return }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw InboxError(reason: "\(folder.path) could not be created: \(error.localizedDescription)")
        }
    }

    /// Writes `text` to a new file created 0600.
    static func writePrivate(_ text: String, to url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw InboxError(reason: "\(url.path) could not be written: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else {
            throw InboxError(reason: "\(url.path) could not be written: \(String(cString: strerror(errno)))")
        }
    }

    /// UTC, to the second: `2026-11-28T02:00:04Z`.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// The inbox cannot be used: it does not exist, or an export in it cannot be moved.
public struct InboxError: Error, CustomStringConvertible, Sendable {
    public var reason: String
    public var description: String { reason }
}
