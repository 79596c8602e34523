import CLibXML2
import Foundation

/// libxml2's errors, told as what is wrong with the export and how to put it right, on one line.
///
/// libxml2's own messages can carry the file's bytes ("Bytes: 0xE9 0x20 0x4D 0xFC", an entity name
/// such as 'Jerry'): a child's surname must never reach a terminal or a log, so only messages known
/// to hold nothing but markup are ever repeated; every other error is described by its code.
enum XMLErrorWords {
    /// What one libxml2 error was, as far as the reader needs it.
    struct Report {
        var code: Int
        var message: String
        /// libxml2's first string argument (an element name for tag errors).
        var name: String?
        /// The end tag's name for a tag mismatch.
        var otherName: String?
        /// libxml2's integer argument (the start tag's line for a tag mismatch).
        var number: Int
    }

    /// A structured libxml2 error as a ``Report``.
    static func report(_ error: xmlError) -> Report {
        Report(code: Int(error.code), message: error.message.map { String(cString: $0) } ?? "",
               name: error.str1.map { String(cString: $0) }, otherName: error.str2.map { String(cString: $0) }, number: Int(error.int1))
    }

    /// The reason for a failed read: `openElements` are the elements still open when it happened,
    /// `atEnd` whether the whole file had been given to the parser, `declaredEncoding` what the XML
    /// declaration named.
    static func reason(_ report: Report, openElements: Int, atEnd: Bool, declaredEncoding: String?) -> String {
        switch report.code {
        case Int(XML_ERR_ENTITYREF_SEMICOL_MISSING.rawValue):
            return "an & that is not escaped: write a literal & as &amp;"
        case Int(XML_ERR_NAME_REQUIRED.rawValue) where report.message.contains("EntityRef"):
            return "an & that is not escaped: write a literal & as &amp;"
        case Int(XML_ERR_UNDECLARED_ENTITY.rawValue):
            return "an & starts a name XML does not define (only &amp; &lt; &gt; &quot; &apos; and &#…; are): "
                + "a literal & must be written &amp;"
        case Int(XML_ERR_NAME_REQUIRED.rawValue) where report.message.hasPrefix("StartTag"):
            return "a < that is not escaped (or a start tag without a name): write a literal < as &lt;"
        case Int(XML_ERR_LT_IN_ATTRIBUTE.rawValue):
            return "a < inside an attribute value: write it as &lt;"
        case Int(XML_ERR_INVALID_CHAR.rawValue) where report.message.hasPrefix("Input is not proper UTF-8"):
            return encodingReason(declaredEncoding)
        case Int(XML_ERR_INVALID_CHAR.rawValue):
            return "a character XML does not allow (a control character)"
        case Int(XML_ERR_TAG_NAME_MISMATCH.rawValue):
            let start = report.name.map { "<\($0)>" } ?? "an element"
            let end = report.otherName.map { "</\($0)>" } ?? "an end tag"
            return "\(end) does not close \(start) (opened on line \(report.number)): a tag is missing or misspelt"
        case Int(XML_ERR_ATTRIBUTE_NOT_STARTED.rawValue):
            return "an attribute value without quotes: write name=\"value\""
        case Int(XML_ERR_ATTRIBUTE_WITHOUT_VALUE.rawValue):
            return "an attribute without a value: write name=\"value\""
        case Int(XML_ERR_ATTRIBUTE_REDEFINED.rawValue):
            return "an element carries the same attribute twice"
        case Int(XML_ERR_GT_REQUIRED.rawValue):
            return "a start tag is not finished (a stray character inside it, or a missing >)"
        case Int(XML_ERR_DOCUMENT_EMPTY.rawValue):
            return "the export holds no element"
        case Int(XML_NS_ERR_UNDEFINED_NAMESPACE.rawValue):
            return "an element or attribute uses a namespace prefix that is never declared"
        case Int(XML_ERR_RESERVED_XML_NAME.rawValue):
            return "an XML declaration (<?xml …?>) that is not at the very start of the file"
        case Int(XML_ERR_DOCUMENT_END.rawValue), Int(XML_ERR_TAG_NOT_FINISHED.rawValue):
            if atEnd, openElements > 0 {
                // libxml2's words for these hold markup only ("Premature end of data in tag Person").
                return "the file ends with \(openElements) element\(openElements == 1 ? "" : "s") still open: "
                    + "it looks cut short (libxml2: \(report.message.trimmingCharacters(in: .whitespacesAndNewlines)))"
            }
            return "there is more after the end of the root element (a second export pasted on, or stray text)"
        default:
            return "the export is not well-formed XML (libxml2 error \(report.code))"
        }
    }

    private static func encodingReason(_ declared: String?) -> String {
        guard let declared else {
            return "a byte that is not UTF-8, and the export declares no encoding: it looks like Latin-1 or Windows-1252; "
                + "ask for a UTF-8 export, or convert it (iconv -f WINDOWS-1252 -t UTF-8)"
        }
        return "a byte that is not \(declared), although the export declares \(declared): it looks like Latin-1 or "
            + "Windows-1252 written under the wrong declaration; ask for a UTF-8 export, or convert it (iconv -f WINDOWS-1252 -t UTF-8)"
    }
}
