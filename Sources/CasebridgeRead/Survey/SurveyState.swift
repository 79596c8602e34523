import CLibXML2
import CasebridgeModel
import Foundation

/// The state of one survey, reached from libxml2's callbacks: the tree of paths so far, the open
/// elements and the text scanner of each.
final class SurveyState: SAXStream {
    var tree = SurveyTree()
    /// Elements read.
    private(set) var elements = 0

    /// Each open element: its path (-1 beyond the path limit), its number, and whether it has
    /// attributes or child elements (a leaf without either that holds no text counts as blank).
    private var stack: [(path: Int, serial: Int, hasMore: Bool)] = []
    /// One text scanner per depth, reused.
    private var scanners: [ValueShape.Scanner] = []
    private var serial = 0

    override var openElements: Int { stack.count }

    override init(file: String) {
        super.init(file: file)
        stack.reserveCapacity(64)
    }

    override func startElement(_ local: UnsafePointer<xmlChar>?, _ uri: UnsafePointer<xmlChar>?, _ count: Int,
                               _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        guard failure == nil else { return }
        elements += 1
        serial += 1
        if !stack.isEmpty { stack[stack.count - 1].hasMore = true }
        let depth = stack.count
        if scanners.count <= depth { scanners.append(ValueShape.Scanner()) } else { scanners[depth].reset() }
        let parent = stack.last
        guard parent?.path ?? 0 >= 0, let index = tree.child(of: parent?.path ?? -1, local: local, namespace: uri) else {
            tree.elementsBeyondLimit += 1
            stack.append((-1, serial, true))
            return
        }
        tree.occurrence(of: index, parentSerial: parent?.serial ?? 0)
        if let attributes {
            for i in 0..<count {
                let base = i * 5
                guard let name = attributes[base], let start = attributes[base + 3], let end = attributes[base + 4] else { continue }
                tree.attribute(of: index, name: name, prefix: attributes[base + 1],
                               value: UnsafeBufferPointer(start: start, count: end - start), position: i)
            }
        }
        stack.append((index, serial, count > 0))
    }

    override func characters(_ text: UnsafePointer<xmlChar>?, _ length: Int) {
        guard let text, let top = stack.last, top.path >= 0 else { return }
        scanners[stack.count - 1].add(UnsafeBufferPointer(start: text, count: length))
    }

    override func endElement() {
        guard failure == nil, let top = stack.popLast(), top.path >= 0 else { return }
        let scanner = scanners[stack.count]
        if !scanner.isBlank || !top.hasMore { tree.text(of: top.path, scanner) }
    }
}
