import CLibXML2

/// The libxml2 SAX2 plumbing every streaming pass over an export shares (the reader's ``SAXState``,
/// the survey's ``SurveyState``): the callbacks it installs and no others (nothing builds a tree,
/// loads a DTD or resolves an entity), its first failure, and errors told by ``XMLErrorWords``.
///
/// Subclasses override ``startElement(_:_:_:_:)``, ``endElement()`` and ``characters(_:_:)``.
class SAXStream: PushParseState {
    let file: String
    var context: xmlParserCtxtPtr?
    var failure: (any Error)?
    var atEnd = false
    var declaredEncoding: String?
    /// Whether the pass stopped the parser on purpose.
    var isStopped: Bool { false }
    /// How many elements are open, for telling a file cut short.
    var openElements: Int { 0 }
    var line: Int { Int(casebridge_xml_line(context)) }

    init(file: String) {
        self.file = file
    }

    func startElement(_ localname: UnsafePointer<xmlChar>?, _ uri: UnsafePointer<xmlChar>?, _ attributeCount: Int,
                      _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {}
    func endElement() {}
    func characters(_ text: UnsafePointer<xmlChar>?, _ length: Int) {}

    /// Records the first failure and stops the parser.
    func fail(reason: String, line: Int? = nil, column: Int? = nil) {
        guard failure == nil else { return }
        failure = ReadError(file: file, line: line ?? self.line, column: column ?? Int(casebridge_xml_column(context)), reason: reason)
        if let context { xmlStopParser(context) }
    }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> SAXStream {
        Unmanaged<SAXStream>.fromOpaque(pointer!).takeUnretainedValue()
    }

    /// Calls `body` with the pass the parser's user-data pointer names, not retained for the call: the
    /// pass outlives its parser. For the callbacks made for every element and every run of text (a
    /// retain and a release each cost two atomic operations on the parsing thread).
    @inline(__always)
    static func with(_ pointer: UnsafeMutableRawPointer?, _ body: (SAXStream) -> Void) {
        Unmanaged<SAXStream>.fromOpaque(pointer!)._withUnsafeGuaranteedRef(body)
    }

    /// Sets the callbacks of a pass, which reach it through the parser's user-data pointer.
    static func install(into handler: inout xmlSAXHandler) {
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startElementNs = { context, localname, _, uri, _, _, count, _, attributes in
            SAXStream.with(context) { $0.startElement(localname, uri, Int(count), attributes) }
        }
        handler.endElementNs = { context, _, _, _ in
            SAXStream.with(context) { $0.endElement() }
        }
        handler.characters = { context, text, length in
            SAXStream.with(context) { $0.characters(text, Int(length)) }
        }
        handler.cdataBlock = handler.characters
        handler.entityDecl = { context, name, _, _, _, _ in
            // An entity's name is markup, like an element's: it is named, as tag errors name elements.
            let entity = name.map { String(String(cString: $0).prefix(40)) } ?? "?"
            SAXStream.from(context).fail(reason: "the export's DOCTYPE declares entity '\(entity)'; entity declarations are refused in untrusted input")
        }
        handler.serror = { context, error in
            guard let error, error.pointee.level != XML_ERR_WARNING else { return }
            let stream = SAXStream.from(context)
            guard stream.failure == nil else { return }
            let reason = XMLErrorWords.reason(XMLErrorWords.report(error.pointee), openElements: stream.openElements,
                                              atEnd: stream.atEnd, declaredEncoding: stream.declaredEncoding)
            stream.fail(reason: reason, line: Int(error.pointee.line), column: Int(error.pointee.int2))
        }
    }
}
