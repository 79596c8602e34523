import CasebridgeMapping
import CasebridgeModel
import Crypto

/// Collects one record's field values while its element is open, then checks them.
///
/// One builder exists per record mapping and is reused for every record it matches: an element path
/// is absolute, so a mapping has at most one record open at a time.
final class RecordBuilder {
    /// A mapped field, compiled for the per-record path: no lookups by name, no copies of the mapping.
    struct Field: Sendable {
        enum Requirement: Sendable {
            case optional
            case always
            case whenEquals(Int, [String])
            case whenPresent(Int)
        }

        let name: String
        let label: String
        /// How the raw value reads: map, type, pattern, zone, range and codes.
        let rule: ValueRule
        let requirement: Requirement
        let isKey: Bool
        /// Whether a finding may quote the raw value (a code or a recoded value).
        let quotesRaw: Bool
        let constant: String?
        let isInherited: Bool
        /// Base64 content, decoded as it streams rather than collected.
        let isContent: Bool
        /// For a template: its literal text and the slots of its places.
        let template: [ReadPlan.TemplateSlot]?

        var format: ValueFormat { rule.format }
    }

    let kind: RecordKind?
    /// The mapped fields, in mapping order.
    let compiled: [Field]
    /// Positions (among mapped fields) of the fields that make the reported id, `nil` where unmapped.
    let reportedIdFields: [Int?]
    /// For each mapped field, its index among the kind's canonical fields (envelope: among envelope fields).
    let canonicalIndex: [Int]
    let canonicalCount: Int
    /// How the fields' raw values read, on whichever thread reads them.
    let reading: RecordReading
    /// The mapped field that holds base64 content, if any.
    let contentField: Int?
    /// For each inherited field: the builders that may enclose this one, deepest first.
    var inheritFrom: [Int: [(builder: Int, field: Int)]] = [:]
    /// For a Part: the Document builders that may enclose it, deepest first.
    var aggregatorCandidates: [Int] = []
    /// The builders of the owner kind (a Status's Person) that may enclose this one, deepest first.
    var ownerCandidates: [Int] = []

    private(set) var isOpen = false
    private(set) var line = 0
    /// The byte offset libxml2 was at when the record's start tag was read (-1 when unknown).
    private(set) var startOffset: Int64 = -1
    private(set) var ordinal = 0
    private(set) var ownerOrdinal: Int?
    /// The line of the record this one is nested in, where findings about its values point.
    private(set) var ownerLine: Int?
    private var buffers: [[UInt8]]
    private var present: [Bool]
    private var completed: [Bool]

    // Content of a part, decoded and hashed as it streams.
    let decoder = Base64StreamDecoder()
    var aggregator: DocumentAggregate?
    private var sharesDocumentHasher = false
    private var partHasher = SHA256()
    private(set) var contentBytes = 0
    /// Where decoded inline content is also kept, for a load that stores it (migrate).
    private var pack: ContentPack?
    private var packStart: Int64 = 0

    /// For a Document: its parts' content, gathered as they close.
    let aggregate: DocumentAggregate?

    init(kind: RecordKind?, fields: [FieldMapping], canonicalNames: [String], slots: Int? = nil,
         templates: [Int: [ReadPlan.TemplateSlot]] = [:]) {
        self.kind = kind
        canonicalIndex = fields.map { field in canonicalNames.firstIndex(of: field.name)! }
        let position = { (name: String) in fields.firstIndex { $0.name == name } }
        compiled = fields.map { field in
            let requirement: Field.Requirement
            switch field.requirement {
            case .optional: requirement = .optional
            case .always: requirement = .always
            case let .whenEquals(other, values): requirement = position(other).map { .whenEquals($0, values) } ?? .optional
            case let .whenPresent(other): requirement = position(other).map { .whenPresent($0) } ?? .optional
            }
            var constant: String?
            var inherited = false
            switch field.location {
            case let .constant(value): constant = value
            case .inherited: inherited = true
            default: break
            }
            return Field(name: field.name, label: field.label, rule: field.rule, requirement: requirement, isKey: field.isKey,
                         quotesRaw: field.quotesRawValues, constant: constant, isInherited: inherited,
                         isContent: field.format == .base64, template: nil)
        }.enumerated().map { index, field in
            guard let template = templates[index] else { return field }
            return Field(name: field.name, label: field.label, rule: field.rule, requirement: field.requirement, isKey: field.isKey,
                         quotesRaw: field.quotesRaw, constant: nil, isInherited: false, isContent: false, template: template)
        }
        reportedIdFields = (kind?.reportedIdFields ?? []).map(position)
        canonicalCount = canonicalNames.count
        reading = RecordReading(fields: compiled, canonicalIndex: canonicalIndex, canonicalCount: canonicalCount)
        contentField = fields.firstIndex { $0.format == .base64 }
        let slotCount = slots ?? fields.count
        buffers = Array(repeating: [], count: slotCount)
        present = Array(repeating: false, count: slotCount)
        completed = Array(repeating: false, count: slotCount)
        presentCounts = Array(repeating: 0, count: fields.count)
        aggregate = kind == .document ? DocumentAggregate() : nil
    }

    func begin(line: Int, offset: Int64 = -1, ordinal: Int, owner: RecordBuilder?) {
        isOpen = true
        self.line = line
        startOffset = offset
        self.ordinal = ordinal
        ownerOrdinal = owner?.ordinal
        ownerLine = owner?.line
        for i in 0..<buffers.count where present[i] || !buffers[i].isEmpty {
            buffers[i].removeAll(keepingCapacity: true)
            present[i] = false
        }
        for i in 0..<completed.count { completed[i] = false }
        if contentField != nil {
            decoder.reset()
            contentBytes = 0
        }
        aggregate?.reset()
    }

    func close() { isOpen = false }

    /// Sets slot `index` from an attribute value, unless an earlier element already gave it one.
    func setAttribute(_ index: Int, _ value: UnsafeBufferPointer<UInt8>) {
        guard !present[index] else { return }
        buffers[index].append(contentsOf: value)
        present[index] = true
    }

    /// Appends element text to slot `index`, unless its first element has already closed.
    @inline(__always)
    func appendText(_ index: Int, _ text: UnsafeBufferPointer<UInt8>) {
        guard !completed[index] else { return }
        buffers[index].append(contentsOf: text)
        present[index] = true
    }

    /// Marks the end of the element that gives slot `index` its text: later elements do not add to it.
    func completeText(_ index: Int) {
        if present[index] { completed[index] = true }
    }

    /// The trimmed value of field `index` so far, `nil` when absent or blank; a template's when every
    /// place it names has a value.
    func currentRaw(_ index: Int) -> String? {
        guard let template = compiled[index].template else { return slotRaw(index) }
        var value = ""
        for piece in template {
            switch piece {
            case let .literal(text): value += text
            case let .slot(slot):
                guard let part = slotRaw(slot) else { return nil }
                value += part
            }
        }
        return value
    }

    /// The trimmed text of slot `index` so far, `nil` when absent or blank.
    private func slotRaw(_ index: Int) -> String? {
        guard present[index] else { return nil }
        return Self.trimmed(buffers[index])
    }

    /// How many records this builder emitted with each field present (coverage).
    private(set) var presentCounts: [Int]
    /// How many records this builder emitted.
    private(set) var emitted = 0

    /// Notes one emitted record's raw values, for coverage.
    func count(raws: [String?]) {
        emitted += 1
        for index in raws.indices where raws[index] != nil { presentCounts[index] += 1 }
    }

    static func trimmed(_ bytes: [UInt8]) -> String? {
        var start = 0
        var end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        guard start < end else { return nil }
        return bytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self)
        }
    }

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    // MARK: Content

    /// Starts a part's content: it shares the document's running hash when it is the first content.
    func beginContent(aggregator: DocumentAggregate?, pack: ContentPack? = nil) {
        self.aggregator = aggregator
        self.pack = pack
        packStart = pack?.count ?? 0
        if let aggregator, aggregator.consumed == 0, !aggregator.needsRecompute {
            sharesDocumentHasher = true
        } else {
            sharesDocumentHasher = false
            partHasher = SHA256()
        }
    }

    /// Feeds base64 text of the part's content.
    @inline(__always)
    func feedContent(_ text: UnsafeBufferPointer<UInt8>) {
        decoder.feed(text) { consumeDecoded($0, spool: true) }
    }

    private func consumeDecoded(_ bytes: UnsafeBufferPointer<UInt8>, spool: Bool) {
        contentBytes += bytes.count
        let raw = UnsafeRawBufferPointer(bytes)
        if let aggregator {
            if sharesDocumentHasher {
                aggregator.hasher.update(bufferPointer: raw)
            } else {
                partHasher.update(bufferPointer: raw)
                if !aggregator.needsRecompute { aggregator.hasher.update(bufferPointer: raw) }
            }
            if spool { aggregator.spool.append(bytes) }
        } else {
            partHasher.update(bufferPointer: raw)
        }
        if spool { pack?.append(bytes) }
    }

    /// Ends a part's content, reading its href file if it names one, and records it with the document.
    func finishContent(href: String?, encoding: String?, encodingMapped: Bool, files: ContentFiles,
                       seq: Int?) -> PartContent {
        let spoolStart = (aggregator?.spool.count ?? 0) - contentBytes
        decoder.finish { consumeDecoded($0, spool: true) }
        let inlineBytes = contentBytes
        let result: PartContent
        let segment: DocumentAggregate.Segment
        if let href {
            // An href wins over inline text.
            if inlineBytes > 0 { aggregator?.needsRecompute = true }
            if inlineBytes == 0, aggregator == nil || !aggregator!.needsRecompute {
                let readable = files.read(href) { bytes in
                    bytes.withMemoryRebound(to: UInt8.self) { consumeDecoded($0, spool: false) }
                }
                result = readable
                    ? PartContent(state: .ok, bytes: contentBytes, sha256: partDigest())
                    : PartContent(state: .unreadable, problem: files.problem(with: href))
            } else {
                var hasher = SHA256()
                var size = 0
                let readable = files.read(href) { bytes in
                    hasher.update(bufferPointer: bytes)
                    size += bytes.count
                }
                result = readable
                    ? PartContent(state: .ok, bytes: size, sha256: hasher.finalize().hex)
                    : PartContent(state: .unreadable, problem: files.problem(with: href))
            }
            segment = .file(href)
        } else if decoder.sawContent {
            if encodingMapped, encoding != "base64" {
                result = PartContent(state: .undecodable, problem: "inline content is not marked encoding=\"base64\"")
            } else if let failure = decoder.failure {
                result = PartContent(state: .undecodable, problem: "inline content has \(failure)")
            } else {
                var content = PartContent(state: .ok, bytes: inlineBytes, sha256: partDigest())
                if pack != nil { content.packOffset = packStart }
                result = content
            }
            segment = .spool(offset: spoolStart, length: inlineBytes)
        } else {
            result = PartContent(state: .absent, problem: "the part has neither inline content nor an href")
            segment = .spool(offset: spoolStart, length: 0)
        }
        aggregator?.add(seq: seq, ok: result.state == .ok, segment: segment, bytes: contentBytes)
        aggregator = nil
        pack = nil
        return result
    }

    private func partDigest() -> String {
        if sharesDocumentHasher, let aggregator { return aggregator.hasher.finalize().hex }
        return partHasher.finalize().hex
    }
}

/// A document's parts as they stream past: a running hash in document order, and enough to hash
/// them again in `seq` order when they arrive out of order.
final class DocumentAggregate {
    enum Segment {
        case spool(offset: Int, length: Int)
        case file(String)
    }

    var hasher = SHA256()
    var consumed = 0
    var needsRecompute = false
    var allOK = true
    var parts: [(seq: Int?, segment: Segment)] = []
    let spool = ContentSpool()

    func reset() {
        hasher = SHA256()
        consumed = 0
        needsRecompute = false
        allOK = true
        parts.removeAll(keepingCapacity: true)
        spool.reset()
    }

    func add(seq: Int?, ok: Bool, segment: Segment, bytes: Int) {
        parts.append((seq, segment))
        consumed += bytes
        if !ok { allOK = false }
    }

    /// SHA-256 of all parts' content in `seq` order, or `nil` when a part failed or `seq`s are not
    /// distinct whole numbers.
    func contentDigest(files: ContentFiles) -> String? {
        guard allOK else { return nil }
        let seqs = parts.compactMap(\.seq)
        guard seqs.count == parts.count, Set(seqs).count == seqs.count else { return nil }
        let inOrder = zip(seqs, seqs.dropFirst()).allSatisfy { $0 < $1 }
        if inOrder, !needsRecompute { return hasher.finalize().hex }
        var ordered = SHA256()
        for part in parts.sorted(by: { $0.seq! < $1.seq! }) {
            let ok: Bool
            switch part.segment {
            case let .spool(offset, length):
                ok = spool.read(offset: offset, length: length) { ordered.update(bufferPointer: $0) }
            case let .file(href):
                ok = files.read(href) { ordered.update(bufferPointer: $0) }
            }
            guard ok else { return nil }
        }
        return ordered.finalize().hex
    }
}
