import CLibXML2
import CasebridgeMapping
import CasebridgeModel
import Crypto
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Why an export could not be read at all: the file, the place and a one-line reason.
public struct ReadError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    public var reason: String

    public init(file: String, line: Int, column: Int, reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// `file:line:column: reason`, leaving out a line or column that is not known (0).
    public var description: String {
        if line <= 0 { return "\(file): \(reason)" }
        if column <= 0 { return "\(file):\(line): \(reason)" }
        return "\(file):\(line):\(column): \(reason)"
    }
}

extension ReadError: ExitStatusError {
    public var exitStatus: ExitStatus { .unreadable }
}

/// What a read saw: bytes, the envelope and the number of records of each kind.
public struct ReadSummary: Sendable {
    public var bytes: Int64
    public var envelope: EnvelopeRecord
    public var records: [RecordKind: Int]
    /// The record kinds the mapping reads, each once, in canonical order (read or not).
    public var kinds: [RecordKind] = []
    /// The counts the export declared for itself and that the records read matched (empty when it
    /// declares none, or the mapping maps no `totals`).
    public var declaredTotals: [RecordKind: Int] = [:]
    /// The SHA-256 of the export file's bytes as read, when the read was asked for it.
    public var sha256: String?
    /// How often each mapped element path and field matched, and the mapping's warnings about them.
    public var coverage = MappingCoverage()
}

/// Streams a legacy export through a mapping with libxml2's SAX2 push parser, one record at a time.
///
/// Memory holds the records whose elements are open (a Document and its current Part), never the
/// export. Part content is base64-decoded and hashed as it streams; `href` parts are read from the
/// export's folder and nowhere else. The input is untrusted: no network, no DTD loading, and a
/// DOCTYPE that declares an entity is refused before anything is expanded.
///
/// ```swift
/// let reader = try ExportReader(mapping: MappingLoader.load(path: "mappings/legacy-case-export.yaml"))
/// let summary = try reader.read(path: "export.xml", into: sink)
/// ```
public final class ExportReader: Sendable {
    public let mapping: Mapping
    let plan: ReadPlan

    public init(mapping: Mapping) {
        self.mapping = mapping
        plan = ReadPlan(mapping: mapping)
    }

    /// Reads the export at `path`, handing every record to `sink` as its element closes.
    ///
    /// - Parameter progress: called after each block with bytes read so far and the file's size.
    /// - Throws: ``ReadError`` when the file cannot be opened or is not well-formed XML, and whatever
    ///   `sink` throws.
    /// - Parameter pack: where to keep every part's decoded inline content (for a load that stores
    ///   content); each part's ``PartContent/packOffset`` says where its bytes begin.
    /// - Parameter hashing: also compute the SHA-256 of the file's bytes as they are parsed
    ///   (``ReadSummary/sha256``), for a run that records which bytes it loaded.
    public func read(path: String, into sink: RecordSink, pack: ContentPack? = nil, hashing: Bool = false,
                     progress: ((_ bytesRead: Int64, _ totalBytes: Int64) -> Void)? = nil) throws -> ReadSummary {
        try read(path: path, into: sink, pack: pack, envelopeOnly: false, hashing: hashing, progress: progress)
    }

    /// Reads the export at `path` keeping every field's raw value beside its canonical one
    /// (``ReadRecord/raws``): what a preview shows. `sink` may stop the read by throwing.
    public func readKeepingRaws(path: String, into sink: RecordSink) throws -> ReadSummary {
        try read(path: path, into: sink, pack: nil, envelopeOnly: false, hashing: false, keepsRaws: true, progress: nil)
    }

    /// Reads only the export's envelope (`exportId`, `sequence`, `kind`, …): parsing stops when the first
    /// record starts, so it costs the same for a 1 KB export and a 10 GB one. Envelope values that a
    /// mapping places after the first record are not seen.
    public func readEnvelope(path: String) throws -> EnvelopeRecord {
        final class Discard: RecordSink { func accept(_ record: ReadRecord) throws {} }
        return try read(path: path, into: Discard(), pack: nil, envelopeOnly: true, hashing: false, progress: nil).envelope
    }

    private func read(path: String, into sink: RecordSink, pack: ContentPack?, envelopeOnly: Bool, hashing: Bool,
                      keepsRaws: Bool = false,
                      progress: ((_ bytesRead: Int64, _ totalBytes: Int64) -> Void)?) throws -> ReadSummary {
        let state = SAXState(plan: plan, file: path, sink: sink, files: ContentFiles(exportPath: path), pack: pack)
        state.envelopeOnly = envelopeOnly
        state.keepsRaws = keepsRaws
        var handler = xmlSAXHandler()
        SAXState.install(into: &handler)
        // Hashed beside the parse, which is the busier thread; its thread ends however the read ends.
        let digest = hashing ? BackgroundDigest() : nil
        var exportSHA256: SHA256.Digest?
        defer { if let digest, exportSHA256 == nil { _ = digest.finalize() } }
        let unmanaged = Unmanaged.passRetained(state)
        defer { unmanaged.release() }
        let bytesRead = try PushParse.run(path: path, handler: &handler, state: state, userData: unmanaged.toOpaque(),
                                          onBytes: digest.map { digest in { digest.update($0) } }, progress: progress)
        exportSHA256 = digest?.finalize()
        guard state.sawRoot else {
            throw ReadError(file: path, line: 1, column: 1,
                            reason: "the root element is not \(mapping.root) as mapping '\(mapping.format)' expects")
        }
        var summary = ReadSummary(bytes: bytesRead, envelope: state.envelope ?? EnvelopeRecord(values: [:], invalid: []),
                                  records: state.counts)
        summary.sha256 = exportSHA256?.hex
        summary.kinds = mapping.kinds
        if !envelopeOnly {
            summary.coverage = MappingCoverage(mapping: mapping, plan: plan, nodeHits: state.nodeHits, fields: state.fieldCounts)
            summary.declaredTotals = try ControlTotals.verify(state.declaredTotals, read: state.counts, mapping: mapping, file: path,
                                                              coverage: summary.coverage)
        }
        return summary
    }
}

/// Refuses every external entity and DTD that libxml2 might try to load, process-wide.
package enum ExternalEntities {
    /// How many times libxml2 asked to load something external (always refused), for tests.
    package static let attempts = Atomic<Int>(0)

    private static let installed: Bool = {
        xmlSetExternalEntityLoader { _, _, _ in
            ExternalEntities.attempts.add(1, ordering: .relaxed)
            return nil
        }
        return true
    }()

    /// Installs the refusing loader (once).
    static func refuseAll() { _ = installed }
}
