import CLibXML2
import CasebridgeModel
import Foundation

/// The state of one survey, reached from libxml2's callbacks: the tree of paths so far, the open
/// elements and the text scanner of each.
final class SurveyState: PushParseState {
    let file: String
    var context: xmlParserCtxtPtr?
    var failure: (any Error)?
    var atEnd = false
    var declaredEncoding: String?
    var isStopped: Bool { false }
    var line: Int { Int(casebridge_xml_line(context)) }

    var tree = SurveyTree()
    /// Elements read.
    private(set) var elements = 0

    /// Each open element: its path (-1 beyond the path limit), its number, and whether it has
    /// attributes or child elements (a leaf without either that holds no text counts as blank).
    private var stack: [(path: Int, serial: Int, hasMore: Bool)] = []
    /// One text scanner per depth, reused.
    private var scanners: [ValueShape.Scanner] = []
    private var serial = 0

    init(file: String) {
        self.file = file
        stack.reserveCapacity(64)
    }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> SurveyState {
        Unmanaged<SurveyState>.fromOpaque(pointer!).takeUnretainedValue()
    }

    /// Sets the callbacks a survey needs and no others: nothing builds a tree, loads a DTD or resolves
    /// an entity.
    static func install(into handler: inout xmlSAXHandler) {
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startElementNs = { context, localname, prefix, uri, _, _, count, _, attributes in
            SurveyState.from(context).startElement(localname, uri, Int(count), attributes)
        }
        handler.endElementNs = { context, _, _, _ in
            SurveyState.from(context).endElement()
        }
        handler.characters = { context, text, length in
            SurveyState.from(context).characters(text, Int(length))
        }
        handler.cdataBlock = handler.characters
        handler.entityDecl = { context, _, _, _, _, _ in
            // The entity's name is not repeated: it is the file's text.
            SurveyState.from(context).fail("the export's DOCTYPE declares an entity; entity declarations are refused in untrusted input")
        }
        handler.serror = { context, error in
            guard let error else { return }
            let state = SurveyState.from(context)
            guard error.pointee.level != XML_ERR_WARNING else { return }
            let reason = XMLErrorWords.reason(XMLErrorWords.report(error.pointee), openElements: state.stack.count,
                                              atEnd: state.atEnd, declaredEncoding: state.declaredEncoding)
            state.fail(reason, line: Int(error.pointee.line), column: Int(error.pointee.int2))
        }
    }

    func fail(_ reason: String, line: Int? = nil, column: Int? = nil) {
        guard failure == nil else { return }
        failure = ReadError(file: file, line: line ?? self.line, column: column ?? Int(casebridge_xml_column(context)), reason: reason)
        if let context { xmlStopParser(context) }
    }

    private func startElement(_ local: UnsafePointer<xmlChar>?, _ uri: UnsafePointer<xmlChar>?, _ count: Int,
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

    private func characters(_ text: UnsafePointer<xmlChar>?, _ length: Int) {
        guard let text, let top = stack.last, top.path >= 0 else { return }
        scanners[stack.count - 1].add(UnsafeBufferPointer(start: text, count: length))
    }

    private func endElement() {
        guard failure == nil, let top = stack.popLast(), top.path >= 0 else { return }
        let scanner = scanners[stack.count]
        if !scanner.isBlank || !top.hasMore { tree.text(of: top.path, scanner) }
    }
}
