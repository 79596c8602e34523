import CasebridgeCheck
import CasebridgeMapping
import CasebridgeModel
import CasebridgeRead
import CasebridgeStore
import Crypto
import Foundation

/// One input read as an export: bytes → ``ExportReader`` through a mapping → a staging store, whose
/// loading then ends (indexes, owners, quarantine) as a check's does.
///
/// Beyond not crashing, every input must leave these true, or the target stops the process:
/// - the read ends with a ``ReadError`` or a summary, never another error;
/// - no part's content, and no document's parts together, hash to the sentinel's SHA-256 (nothing
///   outside the export's folder was read);
/// - every record has a value slot per canonical field;
/// - the inline content kept in the ``ContentPack`` hashes to what the part's record says.
public struct ExportTarget: Sendable {
    public let reader: ExportReader

    public init(mapping: Mapping) {
        reader = ExportReader(mapping: mapping)
    }

    /// The reference format through the built-in mapping.
    public static let reference = ExportTarget(mapping: load(BuiltInMappings.legacyCaseExport))
    /// A nested layout (`Fuzz/mappings/nested-households.yaml`).
    public static let nested = ExportTarget(mapping: load(FuzzFiles.nestedMapping))

    private static func load(_ path: String) -> Mapping {
        do { return try MappingLoader.load(path: path) } catch { fatalError("mapping \(path): \(error)") }
    }

    /// Reads `bytes` as an export.
    public func run(_ bytes: UnsafeRawBufferPointer) {
        let scratch = Scratch.shared
        let path = scratch.writeExport(bytes)
        let staging: StagingStore
        do { staging = try StagingStore(path: ":memory:") } catch { fatalError("staging: \(error)") }
        let watch = Watch(staging)
        let pack = ContentPack()
        let summary: ReadSummary
        do {
            summary = try reader.read(path: path, into: watch, pack: pack)
        } catch is ReadError {
            return
        } catch {
            fatalError("the read failed with \(type(of: error)), not a ReadError: \(error)")
        }
        do {
            try staging.commitRead(envelope: summary.envelope.values)
            try staging.finishStaging()
        } catch {
            fatalError("staging could not finish loading what was read: \(error)")
        }
        precondition(!pack.writeFailed, "the content pack could not be written")
        for part in watch.packed {
            var hasher = SHA256()
            let kept = pack.read(offset: part.offset, length: Int64(part.bytes)) { hasher.update(bufferPointer: $0) }
            precondition(kept, "the content pack does not hold a part it gave an offset for")
            precondition(hasher.finalize().map { String(format: "%02x", $0) }.joined() == part.sha256,
                         "the content pack holds other bytes than the part's record says")
        }
    }

    /// Checks each record on its way to staging.
    final class Watch: RecordSink {
        let target: StagingStore
        var packed: [(offset: Int64, bytes: Int, sha256: String)] = []

        init(_ target: StagingStore) { self.target = target }

        func accept(_ record: ReadRecord) throws {
            let scratch = Scratch.shared
            precondition(record.values.count == record.kind.fields.count && record.badValues.count == record.kind.fields.count,
                         "a \(record.kind.rawValue) record without one value per field")
            scratch.refuse(digest: record.content?.sha256, "part of \(record.reportedId) at line \(record.line)")
            scratch.refuse(digest: record.partsSha256, "document \(record.reportedId) at line \(record.line)")
            if let content = record.content, content.state == .ok, let offset = content.packOffset,
               let bytes = content.bytes, let sha256 = content.sha256 {
                packed.append((offset, bytes, sha256))
            }
            try target.accept(record)
        }
    }
}

/// Files of the fuzz package itself.
public enum FuzzFiles {
    /// The `Fuzz/` folder.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    /// The nested mapping fixture.
    public static let nestedMapping = folder + "/mappings/nested-households.yaml"
}
