import CasebridgeMapping
import CasebridgeModel

/// A mapping compiled for streaming: a tree of element names from the root, each node saying which
/// records start there and which fields take an attribute or the text of that element.
struct ReadPlan: Sendable {
    struct Child: Sendable {
        /// NUL-terminated local name and namespace URI, compared with libxml2's names.
        let local: [UInt8]
        let namespace: [UInt8]
        /// For a step with an attribute test: the NUL-terminated attribute name and the values (trimmed,
        /// not terminated) one of which the element's attribute must hold.
        let testAttribute: [UInt8]?
        let testValues: [[UInt8]]
        let node: Int
    }

    /// Where a builder keeps a captured value: slot `i` below the builder's field count is field `i`'s
    /// own; later slots hold the places of template fields.
    struct AttributeCapture: Sendable {
        let builder: Int
        let field: Int
        /// NUL-terminated attribute name.
        let name: [UInt8]
    }

    struct TextCapture: Sendable {
        let builder: Int
        let field: Int
        let isContent: Bool
    }

    struct Node: Sendable {
        var children: [Child] = []
        /// Builders whose record is this element, in mapping order.
        var records: [Int] = []
        var attributes: [AttributeCapture] = []
        var texts: [TextCapture] = []
    }

    /// Builder 0 reads the envelope from the root element; builder i + 1 reads `mapping.records[i]`.
    struct BuilderSpec: Sendable {
        let kind: RecordKind?
        let fields: [FieldMapping]
        let path: [QualifiedName]
        /// The mapping line of the record (0 for the envelope and totals).
        var line = 0
        /// Capture slots: one per field, then one per place of each template field.
        var slotCount = 0
        /// For each template field: its literal text and the slots of its places, in order.
        var templates: [Int: [TemplateSlot]] = [:]
    }

    /// A piece of a compiled template.
    enum TemplateSlot: Sendable {
        case literal(String)
        case slot(Int)
    }

    var nodes: [Node] = [Node()]  // node 0 is above the root
    var builders: [BuilderSpec] = []
    /// The builder that reads the export's declared totals (``TotalsMapping``), after the records' builders.
    var totalsBuilder: Int?
    /// Whether the totals builder reads one element per kind (else one place per kind, from the root).
    var totalsPerElement = false

    /// The canonical field names of the totals builder: `kind` and `count` for one element per kind.
    static let totalsElementFields = ["kind", "count"]

    init(mapping: Mapping) {
        builders.append(BuilderSpec(kind: nil, fields: mapping.envelope, path: [mapping.root]))
        for record in mapping.records {
            builders.append(BuilderSpec(kind: record.kind, fields: record.fields, path: record.path, line: record.line))
        }
        if let totals = mapping.totals {
            let counted = { (name: String, location: FieldLocation) in
                FieldMapping(name: name, location: location, format: .integer, label: "count of \(name)", line: totals.line)
            }
            switch totals.layout {
            case let .perElement(path, kind, count):
                builders.append(BuilderSpec(kind: nil, fields: [
                    FieldMapping(name: "kind", location: kind, label: "Total kind", line: totals.line), counted("count", count),
                ], path: path))
                totalsPerElement = true
            case let .perKind(places):
                let fields = places.sorted { $0.key < $1.key }.map { counted($0.key.rawValue, $0.value) }
                builders.append(BuilderSpec(kind: nil, fields: fields, path: [mapping.root]))
            }
            totalsBuilder = builders.count - 1
        }
        for index in builders.indices {
            let recordNode = node(for: builders[index].path)
            // Records, and totals of one element per kind, begin and end with their element.
            if index > 0, index != totalsBuilder || totalsPerElement { nodes[recordNode].records.append(index) }
            var nextSlot = builders[index].fields.count
            for (fieldIndex, field) in builders[index].fields.enumerated() {
                guard case let .template(pieces) = field.location else {
                    capture(field.location, slot: fieldIndex, builder: index, isContent: field.format == .base64)
                    continue
                }
                var compiled: [TemplateSlot] = []
                for piece in pieces {
                    switch piece {
                    case let .literal(text): compiled.append(.literal(text))
                    case let .place(place):
                        capture(place, slot: nextSlot, builder: index, isContent: false)
                        compiled.append(.slot(nextSlot))
                        nextSlot += 1
                    }
                }
                builders[index].templates[fieldIndex] = compiled
            }
            builders[index].slotCount = nextSlot
        }
    }

    /// Notes that builder `builder` takes `location`'s value into `slot`.
    private mutating func capture(_ location: FieldLocation, slot: Int, builder: Int, isContent: Bool) {
        let base = builders[builder].path
        switch location {
        case let .attribute(name):
            nodes[node(for: base)].attributes.append(.init(builder: builder, field: slot, name: Self.cString(name)))
        case let .elementAttribute(path, name):
            nodes[node(for: base + path)].attributes.append(.init(builder: builder, field: slot, name: Self.cString(name)))
        case let .elementText(path):
            nodes[node(for: base + path)].texts.append(.init(builder: builder, field: slot, isContent: isContent))
        case .ownText:
            nodes[node(for: base)].texts.append(.init(builder: builder, field: slot, isContent: isContent))
        case .inherited, .constant, .template:
            break
        }
    }

    /// The node for `path`, if the plan has one.
    func existingNode(for path: [QualifiedName]) -> Int? {
        var current = 0
        for name in path {
            guard let child = child(of: current, named: name) else { return nil }
            current = child
        }
        return current
    }

    /// The node for `path`, made if needed.
    private mutating func node(for path: [QualifiedName]) -> Int {
        var current = 0
        for name in path {
            if let child = child(of: current, named: name) {
                current = child
            } else {
                nodes.append(Node())
                nodes[current].children.append(.init(local: Self.cString(name.local), namespace: Self.cString(name.namespace),
                                                     testAttribute: name.test.map { Self.cString($0.attribute) },
                                                     testValues: name.test?.values.map { Array($0.utf8) } ?? [], node: nodes.count - 1))
                current = nodes.count - 1
            }
        }
        return current
    }

    /// The child of node `parent` for the step `name` (its attribute test included).
    private func child(of parent: Int, named name: QualifiedName) -> Int? {
        let local = Self.cString(name.local)
        let namespace = Self.cString(name.namespace)
        let attribute = name.test.map { Self.cString($0.attribute) }
        let values = name.test?.values.map { Array($0.utf8) } ?? []
        return nodes[parent].children.first {
            $0.local == local && $0.namespace == namespace && $0.testAttribute == attribute && $0.testValues == values
        }?.node
    }

    static func cString(_ text: String) -> [UInt8] { Array(text.utf8) + [0] }
}
