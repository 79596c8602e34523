import CasebridgeModel
import Foundation

/// One element path of a surveyed export, with what was seen at it.
public struct SurveyPath: Sendable {
    /// The element's local name and namespace URI (`""` for none).
    public let name: String
    public let namespace: String
    /// The index of the parent path in ``ExportSurvey/paths`` (-1 for the root).
    public let parent: Int
    /// Child paths, in the order first seen.
    public internal(set) var children: [Int] = []
    /// Elements at this path.
    public internal(set) var occurrences = 0
    /// The most elements at this path inside one parent element: above 1, a repeating element (a record).
    public internal(set) var mostInOneParent = 0
    /// The element's own text (not its children's).
    public internal(set) var text = ColumnStats()
    /// Attributes by name (`prefix:name` for a namespaced one), in the order first seen.
    public internal(set) var attributes: [(name: String, stats: ColumnStats)] = []

    // Streaming bookkeeping.
    let localBytes: [UInt8]
    let namespaceBytes: [UInt8]
    var attributeBytes: [[UInt8]] = []
    var lastParentSerial = -1
    var runInParent = 0
    var lastChild = 0
}

/// The paths of a survey as it streams: a tree of element names, each with its counts and columns.
///
/// Bounded whatever the input: at most ``pathLimit`` paths, ``attributeLimit`` attributes a path, and a
/// shared budget of counted distinct values; what lies beyond is counted, not kept.
struct SurveyTree {
    static let pathLimit = 5_000
    static let attributeLimit = 100
    static let distinctBudget = 200_000

    var paths: [SurveyPath] = []
    /// Elements not surveyed because the path limit was reached (their subtrees included).
    var elementsBeyondLimit = 0
    /// Attributes not surveyed because a path's attribute limit was reached.
    var attributesBeyondLimit = 0
    var budget = SurveyTree.distinctBudget

    /// The child of `parent` (-1 for the root) with this name, made if there is room; nil when not.
    mutating func child(of parent: Int, local: UnsafePointer<UInt8>?, namespace: UnsafePointer<UInt8>?) -> Int? {
        if parent < 0, !paths.isEmpty { return 0 }  // well-formed XML has one root
        if parent >= 0 {
            let siblings = paths[parent].children
            // Elements tend to follow the same order: try the last child matched first.
            let hint = paths[parent].lastChild
            if hint < siblings.count, Self.same(paths[siblings[hint]], local, namespace) { return siblings[hint] }
            if let index = siblings.firstIndex(where: { Self.same(paths[$0], local, namespace) }) {
                paths[parent].lastChild = index
                return siblings[index]
            }
        }
        guard paths.count < Self.pathLimit else { return nil }
        let localName = local.map { String(cString: $0) } ?? ""
        let uri = namespace.map { String(cString: $0) } ?? ""
        paths.append(SurveyPath(name: localName, namespace: uri, parent: parent,
                                localBytes: Array(localName.utf8) + [0], namespaceBytes: Array(uri.utf8) + [0]))
        if parent >= 0 {
            paths[parent].children.append(paths.count - 1)
            paths[parent].lastChild = paths[parent].children.count - 1
        }
        return paths.count - 1
    }

    /// Notes one element at `index` inside the parent element numbered `parentSerial`.
    mutating func occurrence(of index: Int, parentSerial: Int) {
        paths[index].occurrences += 1
        if paths[index].lastParentSerial == parentSerial {
            paths[index].runInParent += 1
        } else {
            paths[index].lastParentSerial = parentSerial
            paths[index].runInParent = 1
        }
        paths[index].mostInOneParent = max(paths[index].mostInOneParent, paths[index].runInParent)
    }

    /// Notes one attribute value of an element at `index`.
    mutating func attribute(of index: Int, name: UnsafePointer<UInt8>, prefix: UnsafePointer<UInt8>?,
                            value: UnsafeBufferPointer<UInt8>, position: Int) {
        guard let slot = attributeSlot(of: index, name: name, prefix: prefix, position: position) else {
            attributesBeyondLimit += 1
            return
        }
        let shape = ValueShape.of(bytes: value)
        var short: String?
        if paths[index].attributes[slot].stats.distinct != nil, value.count <= ColumnStats.longestCounted + 8 {
            short = String(decoding: Self.trimmed(value), as: UTF8.self)
        }
        paths[index].attributes[slot].stats.add(shape: shape, value: short, budget: &budget)
    }

    /// Notes the text of an element at `index`, as its scanner saw it.
    mutating func text(of index: Int, _ scanner: ValueShape.Scanner) {
        let value = paths[index].text.distinct != nil ? scanner.shortValue : nil
        paths[index].text.add(shape: scanner.shape, value: value, budget: &budget)
    }

    private mutating func attributeSlot(of index: Int, name: UnsafePointer<UInt8>, prefix: UnsafePointer<UInt8>?, position: Int) -> Int? {
        let known = paths[index].attributeBytes
        // Attributes usually come in the same order: try the same position first. Names are compared
        // NUL-terminated, without making a copy, unless the attribute has a namespace prefix.
        if prefix == nil {
            if position < known.count, SAXState.equal(known[position], name) { return position }
            if let slot = known.firstIndex(where: { SAXState.equal($0, name) }) { return slot }
        }
        let key = Self.attributeKey(name, prefix)
        if let slot = known.firstIndex(of: key) { return slot }
        guard known.count < Self.attributeLimit else { return nil }
        paths[index].attributeBytes.append(key)
        paths[index].attributes.append((String(decoding: key.dropLast(), as: UTF8.self), ColumnStats()))
        return known.count
    }

    /// The attribute's name as kept, NUL-terminated: `name`, or `prefix:name`.
    private static func attributeKey(_ name: UnsafePointer<UInt8>, _ prefix: UnsafePointer<UInt8>?) -> [UInt8] {
        let local: [UInt8] = Array(UnsafeBufferPointer(start: name, count: strlen(name))) + [0]
        guard let prefix else { return local }
        let head: [UInt8] = Array(UnsafeBufferPointer(start: prefix, count: strlen(prefix))) + [0x3A]
        return head + local
    }

    private static func trimmed(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0
        var end = b.count
        while start < end, RecordBuilder.isSpace(b[start]) { start += 1 }
        while end > start, RecordBuilder.isSpace(b[end - 1]) { end -= 1 }
        return UnsafeBufferPointer(rebasing: b[start..<end])
    }

    private static func same(_ path: SurveyPath, _ local: UnsafePointer<UInt8>?, _ namespace: UnsafePointer<UInt8>?) -> Bool {
        SAXState.equal(path.localBytes, local) && SAXState.equal(path.namespaceBytes, namespace)
    }
}
