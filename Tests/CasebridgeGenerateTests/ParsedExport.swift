import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An element of a record as read back: its attributes, its text, and the line its start tag is on.
struct Element: Sendable {
    var name: String
    var attributes: [String: String]
    var text = ""
    var line: Int
    var children: [Element] = []

    subscript(_ attribute: String) -> String? { attributes[attribute] }

    /// Text of the first child called `name`, trimmed.
    func child(_ name: String) -> String? {
        children.first { $0.name == name }.map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    func all(_ name: String) -> [Element] { children.filter { $0.name == name } }
}

/// A generated export read back with Foundation's XMLParser (libxml2 underneath): the envelope and
/// every record element with its children, by section.
struct ParsedExport: Sendable {
    var root: Element
    var teams: [Element] = []
    var workers: [Element] = []
    var people: [Element] = []
    var families: [Element] = []
    var documents: [Element] = []
    var plans: [Element] = []
    var visits: [Element] = []
    /// A delta's `Deleted` elements.
    var deletions: [Element] = []
    /// The `<Totals>` trailer's counts by kind (empty when the export has none).
    var totals: [String: Int] = [:]

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    init(file: URL) throws {
        let delegate = Collector()
        let parser = XMLParser(data: try Data(contentsOf: file))
        parser.shouldProcessNamespaces = true
        parser.delegate = delegate
        guard parser.parse() else {
            throw ParseError(description: "line \(parser.lineNumber): \(parser.parserError.map { "\($0)" } ?? "?")")
        }
        guard let root = delegate.root else { throw ParseError(description: "no root") }
        self.root = root
        for section in root.children {
            switch section.name {
            case "Teams": teams = section.children
            case "Workers": workers = section.children
            case "People": people = section.children
            case "Families": families = section.children
            case "Documents": documents = section.children
            case "Plans": plans = section.children
            case "Visits": visits = section.children
            case "Deletions": deletions = section.children
            case "Totals":
                for total in section.children {
                    guard let kind = total["kind"], let count = total["count"].flatMap({ Int($0) }), totals[kind] == nil else {
                        throw ParseError(description: "line \(total.line): a Total without a kind and a count, or a kind counted twice")
                    }
                    totals[kind] = count
                }
            default: throw ParseError(description: "unexpected section \(section.name)")
            }
        }
        namespaces = delegate.namespaces
    }

    /// Namespace URIs of every element seen.
    var namespaces: Set<String> = []
}

private final class Collector: NSObject, XMLParserDelegate {
    var stack: [Element] = []
    var root: Element?
    var namespaces: Set<String> = []

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        namespaces.insert(namespaceURI ?? "")
        stack.append(Element(name: elementName, attributes: attributes, line: parser.lineNumber))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if !stack.isEmpty { stack[stack.count - 1].text += string }
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        if !stack.isEmpty { stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self) }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        var element = stack.removeLast()
        // Keep the text of leaves only: a record's own text is indentation.
        if !element.children.isEmpty { element.text = "" }
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].children.append(element)
        }
    }
}
