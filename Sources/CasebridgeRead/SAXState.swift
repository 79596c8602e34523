import CLibXML2
import CasebridgeMapping
import CasebridgeModel
import Foundation

/// The state of one read, reached from libxml2's C callbacks through the parser's user-data pointer.
final class SAXState: SAXStream {
    let plan: ReadPlan
    let sink: RecordSink
    let files: ContentFiles
    var sawRoot = false
    var envelope: EnvelopeRecord?
    var counts: [RecordKind: Int] = [:]
    /// The counts the export declares for itself (the mapping's `totals`), as read.
    var declaredTotals: [DeclaredTotal] = []
    /// Where decoded inline content is kept for a later load, when a caller wants it.
    let pack: ContentPack?
    /// Stop as soon as the first record starts (or the root ends): only the envelope is wanted.
    var envelopeOnly = false
    /// Whether the parser was stopped on purpose after the envelope.
    private(set) var stoppedAfterEnvelope = false
    override var isStopped: Bool { stoppedAfterEnvelope }
    override var openElements: Int { stack.count }
    /// Keep every field's raw value on the records (``ReadRecord/raws``), for a preview.
    var keepsRaws = false
    /// How many elements matched each node of the plan (coverage).
    private(set) var nodeHits: [Int]

    /// A `let`, as the plan is: the parsing thread's callbacks reach a builder without retaining it.
    private let builders: [RecordBuilder]
    private var nextOrdinal = 1
    /// For each builder: how many records it emitted, and in how many of them each field was present.
    var fieldCounts: [(emitted: Int, present: [Int])] { builders.map { ($0.emitted, $0.presentCounts) } }

    /// The plan node of each open element, or -1 for one the mapping does not name.
    private var stack: [Int] = []
    /// Canonical field positions of each builder's Part fields, where it reads parts.
    private var partFields: [Int: (seq: Int?, href: Int?, encoding: Int?)] = [:]
    /// For each attribute the plan captures (node by node, at ``attributeCaptureStart``), the address of
    /// the libxml2 name it last matched. libxml2 keeps one copy of each name it parses, in its
    /// dictionary, for the whole parse: an element's attribute at that address is the captured one, found
    /// without comparing the names' text.
    private var capturedAttributeName: [UnsafePointer<xmlChar>?]
    private let attributeCaptureStart: [Int]

    init(plan: ReadPlan, file: String, sink: RecordSink, files: ContentFiles, pack: ContentPack? = nil) {
        self.pack = pack
        self.plan = plan
        self.sink = sink
        self.files = files
        nodeHits = Array(repeating: 0, count: plan.nodes.count)
        attributeCaptureStart = plan.nodes.reduce(into: [0]) { starts, node in starts.append(starts.last! + node.attributes.count) }
        capturedAttributeName = Array(repeating: nil, count: attributeCaptureStart.last!)
        builders = plan.builders.enumerated().map { index, spec in
            let names = index == plan.totalsBuilder ? spec.fields.map(\.name)
                : spec.kind.map { $0.fields.map(\.name) } ?? CanonicalSchema.envelopeFields.map(\.name)
            return RecordBuilder(kind: spec.kind, fields: spec.fields, canonicalNames: names, slots: spec.slotCount,
                                 templates: spec.templates)
        }
        super.init(file: file)
        stack.reserveCapacity(64)
        // Which open builder an inherited field or a part's document comes from: the enclosing ones, deepest first.
        for (index, spec) in plan.builders.enumerated() {
            let enclosing = plan.builders.indices.filter { other in
                let path = plan.builders[other].path
                return other != index && other > 0 && path.count < spec.path.count && Array(spec.path.prefix(path.count)) == path
            }.sorted { plan.builders[$0].path.count > plan.builders[$1].path.count }
            for (fieldIndex, field) in spec.fields.enumerated() {
                guard case let .inherited(kind, name) = field.location else { continue }
                builders[index].inheritFrom[fieldIndex] = enclosing.compactMap { owner in
                    guard plan.builders[owner].kind == kind,
                          let ownerField = plan.builders[owner].fields.firstIndex(where: { $0.name == name }) else { return nil }
                    return (owner, ownerField)
                }
            }
            if let owner = spec.kind?.owner {
                builders[index].ownerCandidates = enclosing.filter { plan.builders[$0].kind == owner }
            }
            if spec.kind == .part {
                builders[index].aggregatorCandidates = enclosing.filter { plan.builders[$0].kind == .document }
                let position = { (name: String) in spec.fields.firstIndex { $0.name == name } }
                partFields[index] = (position("seq"), position("href"), position("encoding"))
            }
        }
    }

    /// The byte offset libxml2 is at (see `casebridge_xml_offset`).
    var offset: Int64 { Int64(casebridge_xml_offset(context)) }

    // MARK: Elements

    override func startElement(_ localname: UnsafePointer<xmlChar>?, _ uri: UnsafePointer<xmlChar>?, _ attributeCount: Int,
                               _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        guard failure == nil else { return }
        let parent = stack.last ?? 0
        guard parent >= 0 else {
            stack.append(-1)
            return
        }
        // The plan's arrays are read in place (by index, through their buffers), not copied out element
        // by element: a copy retains every array it holds, for each element of the export.
        let found = plan.nodes[parent].children.withUnsafeBufferPointer { children -> Int in
            for i in children.indices where Self.equal(children[i].local, localname) && Self.equal(children[i].namespace, uri) {
                if let attribute = children[i].testAttribute,
                   !Self.attribute(attribute, of: attributeCount, attributes, isOneOf: children[i].testValues) { continue }
                return children[i].node
            }
            return -1
        }
        stack.append(found)
        if found >= 0 { nodeHits[found] += 1 }
        if stack.count == 1 {
            guard found >= 0 else {
                let name = localname.map { String(cString: $0) } ?? "?"
                let namespace = uri.map { " in namespace \(String(cString: $0))" } ?? ""
                fail(reason: "the root element is \(name)\(namespace), not the \(plan.builders[0].path[0]) that this mapping reads")
                return
            }
            sawRoot = true
            builders[0].begin(line: line, ordinal: 0, owner: nil)
            if let totals = plan.totalsBuilder, !plan.totalsPerElement { builders[totals].begin(line: line, ordinal: 0, owner: nil) }
        }
        guard found >= 0 else { return }
        if envelopeOnly, !plan.nodes[found].records.isEmpty {
            // Only the envelope is wanted, and it is complete once the first record starts.
            stopAfterEnvelope()
            return
        }
        if !plan.nodes[found].records.isEmpty {
            let line = self.line
            let offset = self.offset
            for index in plan.nodes[found].records {
                let builder = builders[index]
                if index == plan.totalsBuilder {
                    builder.begin(line: line, ordinal: 0, owner: nil)
                    continue
                }
                let owner = builder.ownerCandidates.first { builders[$0].isOpen }.map { builders[$0] }
                builder.begin(line: line, offset: offset, ordinal: nextOrdinal, owner: owner)
                nextOrdinal += 1
                if builder.kind == .part {
                    let aggregator = builder.aggregatorCandidates.first { builders[$0].isOpen }.flatMap { builders[$0].aggregate }
                    builder.beginContent(aggregator: aggregator, pack: pack)
                }
            }
        }
        captureAttributes(of: found, attributeCount, attributes)
    }

    private func captureAttributes(of node: Int, _ attributeCount: Int, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        guard let attributes else { return }
        let first = attributeCaptureStart[node]
        plan.nodes[node].attributes.withUnsafeBufferPointer { captures in
            for c in captures.indices {
                // An element names each attribute once (libxml2 stops at a repeated one): the attribute at
                // the address this capture matched before is the one, else the names are compared.
                var found = -1
                if let known = capturedAttributeName[first + c] {
                    for i in 0..<attributeCount where attributes[i * 5] == known && attributes[i * 5 + 2] == nil {
                        found = i
                        break
                    }
                }
                if found < 0 {
                    for i in 0..<attributeCount where attributes[i * 5 + 2] == nil && Self.equal(captures[c].name, attributes[i * 5]) {
                        found = i
                        capturedAttributeName[first + c] = attributes[i * 5]
                        break
                    }
                }
                guard found >= 0, let start = attributes[found * 5 + 3], let end = attributes[found * 5 + 4] else { continue }
                builders[captures[c].builder].setAttribute(captures[c].field, UnsafeBufferPointer(start: start, count: end - start))
            }
        }
    }

    private func stopAfterEnvelope() {
        envelope = finishEnvelope()
        stoppedAfterEnvelope = true
        if let context { xmlStopParser(context) }
    }

    override func endElement() {
        guard failure == nil, !stoppedAfterEnvelope, let index = stack.popLast() else { return }
        guard index >= 0 else { return }
        if envelopeOnly {
            for text in plan.nodes[index].texts where !text.isContent { builders[text.builder].completeText(text.field) }
            if stack.isEmpty { stopAfterEnvelope() }
            return
        }
        for text in plan.nodes[index].texts where !text.isContent { builders[text.builder].completeText(text.field) }
        for record in plan.nodes[index].records { emit(record) }
        if stack.isEmpty {
            envelope = finishEnvelope()
            if let totals = plan.totalsBuilder, !plan.totalsPerElement { collectTotals(totals) }
        }
    }

    override func characters(_ text: UnsafePointer<xmlChar>?, _ length: Int) {
        guard let top = stack.last, top >= 0, let text, failure == nil, !stoppedAfterEnvelope else { return }
        let captures = plan.nodes[top].texts
        guard !captures.isEmpty else { return }
        let bytes = UnsafeBufferPointer(start: text, count: length)
        for capture in captures {
            if capture.isContent {
                builders[capture.builder].feedContent(bytes)
            } else {
                builders[capture.builder].appendText(capture.field, bytes)
            }
        }
    }

    /// Whether the element's attribute `name` (no namespace), trimmed, is one of `values`.
    private static func attribute(_ name: [UInt8], of count: Int, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
                                  isOneOf values: [[UInt8]]) -> Bool {
        guard let attributes else { return false }
        for i in 0..<count {
            let base = i * 5
            guard attributes[base + 2] == nil, equal(name, attributes[base]),
                  var start = attributes[base + 3], var end = attributes[base + 4] else { continue }
            while start < end, RecordBuilder.isSpace(start.pointee) { start += 1 }
            while end > start, RecordBuilder.isSpace((end - 1).pointee) { end -= 1 }
            let value = UnsafeBufferPointer(start: start, count: end - start)
            return values.contains { $0.elementsEqual(value) }
        }
        return false
    }

    /// Compares a NUL-terminated name of the plan with one from libxml2 (`nil` matching the empty name).
    @inline(__always)
    static func equal(_ expected: [UInt8], _ actual: UnsafePointer<xmlChar>?) -> Bool {
        guard let actual else { return expected.count == 1 }
        return expected.withUnsafeBufferPointer { strcmp(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self),
                                                         UnsafeRawPointer(actual).assumingMemoryBound(to: CChar.self)) == 0 }
    }

    // MARK: Records

    /// The raw values of a builder's fields, inherited and constant ones included.
    private func raws(of builder: RecordBuilder) -> [String?] {
        let fields = builder.compiled
        var raws = [String?](repeating: nil, count: fields.count)
        for index in fields.indices {
            if let constant = fields[index].constant {
                raws[index] = constant
            } else if fields[index].isInherited {
                // The enclosing record's value as read: canonical when it reads, else as written.
                if let owner = builder.inheritFrom[index]?.first(where: { builders[$0.builder].isOpen }),
                   let raw = builders[owner.builder].currentRaw(owner.field) {
                    if case let .valid(value) = builders[owner.builder].compiled[owner.field].rule.read(raw) {
                        raws[index] = value
                    } else {
                        raws[index] = raw
                    }
                }
            } else if !fields[index].isContent {
                raws[index] = builder.currentRaw(index)
            }
        }
        return raws
    }

    /// Notes the counts the totals builder read: one kind's (one element per kind) or every kind's.
    private func collectTotals(_ index: Int) {
        let builder = builders[index]
        defer { builder.close() }
        let raws = raws(of: builder)
        if plan.totalsPerElement {
            declaredTotals.append(DeclaredTotal(kind: raws[0], count: raws[1], line: builder.line))
        } else {
            for (field, raw) in zip(builder.compiled, raws) where raw != nil {
                declaredTotals.append(DeclaredTotal(kind: field.name, count: raw, line: builder.line))
            }
        }
    }

    private func emit(_ index: Int) {
        if index == plan.totalsBuilder { return collectTotals(index) }
        let builder = builders[index]
        guard let kind = builder.kind else { return }
        defer { builder.close() }
        let raws = raws(of: builder)
        builder.count(raws: raws)
        let idParts = builder.reportedIdFields.map { $0.flatMap { raws[$0] } }
        let reportedId = idParts.map { $0 ?? ReadRecord.missingIdPart }.joined(separator: "/")
        // Values are read where the record is stored: on the storing thread when the sink has one. The
        // record is made in place inside its pending one: each copy of a record retains and releases
        // every value it holds.
        var pending = PendingRecord(record: ReadRecord(
            kind: kind, ordinal: builder.ordinal, ownerOrdinal: builder.ownerOrdinal, line: builder.line, ownerLine: builder.ownerLine,
            values: [], badValues: [], invalid: [], reportedId: reportedId, recordId: idParts.contains(nil) ? nil : reportedId),
            raws: raws, reading: builder.reading)
        if keepsRaws {
            var kept = [String?](repeating: nil, count: builder.canonicalCount)
            for index in raws.indices { kept[builder.canonicalIndex[index]] = raws[index] }
            pending.record.raws = kept
        }
        let end = offset
        if builder.startOffset >= 0, end >= builder.startOffset { pending.record.source = builder.startOffset..<end }
        if let part = partFields[index] {
            let seq = part.seq.flatMap { builder.reading.canonical($0, in: raws) }.flatMap { Int($0) }
            pending.record.content = builder.finishContent(
                href: part.href.flatMap { raws[$0] }, encoding: part.encoding.flatMap { raws[$0] },
                encodingMapped: part.encoding != nil, files: files, seq: seq)
        }
        if let aggregate = builder.aggregate {
            pending.record.partsSha256 = aggregate.contentDigest(files: files)
            pending.record.partsRead = aggregate.parts.count
        }
        counts[kind, default: 0] += 1
        do {
            try sink.accept(pending: pending)
        } catch {
            guard failure == nil else { return }
            failure = error
            if let context { xmlStopParser(context) }
        }
    }

    private func finishEnvelope() -> EnvelopeRecord {
        let builder = builders[0]
        let raws = raws(of: builder)
        builder.count(raws: raws)
        var checked = builder.reading.read(raws)
        // Envelope failures are printed on stderr, which never carries a value of the export.
        for index in checked.invalid.indices { checked.invalid[index].raw = nil }
        var values: [String: String] = [:]
        for (index, field) in CanonicalSchema.envelopeFields.enumerated() {
            if let value = checked.values[index] { values[field.name] = value }
        }
        builder.close()
        return EnvelopeRecord(values: values, invalid: checked.invalid)
    }
}
