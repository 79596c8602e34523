import Foundation

/// A folder of its own in the temporary folder, removed (with all it holds) when the value goes.
///
/// ```swift
/// let folder = try TemporaryFolder()
/// let export = try folder.write(xml, to: "export.xml")
/// let target = folder.path("target.db")
/// ```
public final class TemporaryFolder {
    public let url: URL

    /// A new, empty folder named `casebridge-<prefix>-<uuid>`.
    public init(_ prefix: String = "test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// The path of `name` inside the folder (nothing is made).
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `text` to `name` (its folders made as needed) and returns its path.
    @discardableResult
    public func write(_ text: String, to name: String) throws -> String {
        try write(Data(text.utf8), to: name)
    }

    /// Writes `data` to `name` (its folders made as needed) and returns its path.
    @discardableResult
    public func write(_ data: Data, to name: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
        return file.path
    }

    /// A folder that lives as long as the test process, for fixtures built once and shared by the tests of
    /// a run (`casebridge-<prefix>-<uuid>`, made empty): removed, with all it holds, when the process exits.
    /// Call it from a `static let`, which calls it once.
    public static func shared(_ prefix: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-\(prefix)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        AtExit.perform { try? FileManager.default.removeItem(at: url) }
        return url
    }
}
