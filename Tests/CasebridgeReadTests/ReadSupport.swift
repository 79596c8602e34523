import CasebridgeMapping
import CasebridgeModel
import CasebridgeRead
import Foundation

/// Collects records in memory, for tests.
final class CollectingSink: RecordSink {
    var records: [ReadRecord] = []
    func accept(_ record: ReadRecord) throws { records.append(record) }
}

/// A temporary folder removed when the value goes away.
final class TemporaryFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ text: String, to name: String) throws -> String {
        try write(Data(text.utf8), to: name)
    }

    func write(_ data: Data, to name: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
        return file.path
    }
}

/// The reference mapping, from the source tree.
let referenceMapping: Mapping = {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("mappings/legacy-case-export.yaml").path
    do { return try MappingLoader.load(path: path) } catch { fatalError("reference mapping: \(error)") }
}()

/// Reads `xml` with `mapping` and returns the records.
func readRecords(_ xml: String, mapping: Mapping = referenceMapping, folder: TemporaryFolder? = nil) throws -> [ReadRecord] {
    let folder = try folder ?? TemporaryFolder()
    let path = try folder.write(xml, to: "export.xml")
    let sink = CollectingSink()
    _ = try ExportReader(mapping: mapping).read(path: path, into: sink)
    return sink.records
}

/// Reads `xml` expecting a ReadError.
func readError(_ xml: String) throws -> ReadError? {
    let folder = try TemporaryFolder()
    let path = try folder.write(xml, to: "export.xml")
    do {
        _ = try ExportReader(mapping: referenceMapping).read(path: path, into: CollectingSink())
        return nil
    } catch let error as ReadError {
        return error
    }
}

let envelopeStart = """
    <?xml version="1.0" encoding="UTF-8"?>
    <CaseExport xmlns="urn:lce:2" exportId="EXP-1" sequence="1" kind="full" exportedAt="2019-09-02T23:10:00Z">
    """
