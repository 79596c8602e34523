import TestSupport
import CasebridgeMapping
import CasebridgeModel
import CasebridgeRead
import Foundation

/// Collects records in memory, for tests.
final class CollectingSink: RecordSink {
    var records: [ReadRecord] = []
    func accept(_ record: ReadRecord) throws { records.append(record) }
}

/// Reads `xml` with `mapping` and returns the records.
func readRecords(_ xml: String, mapping: Mapping = Reference.mapping, folder: TemporaryFolder? = nil) throws -> [ReadRecord] {
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
        _ = try ExportReader(mapping: Reference.mapping).read(path: path, into: CollectingSink())
        return nil
    } catch let error as ReadError {
        return error
    }
}

let envelopeStart = """
    <?xml version="1.0" encoding="UTF-8"?>
    <CaseExport xmlns="urn:lce:2" exportId="EXP-1" sequence="1" kind="full" exportedAt="2019-09-02T23:10:00Z">
    """
