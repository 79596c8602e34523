import CLibXML2
import CasebridgeModel

/// One streaming pass over an unknown export: its tree of element paths, and per path how many
/// elements, which attributes, and what their values and texts look like.
///
/// Made for the first look at a council's export before any mapping exists, and safe to paste into a
/// ticket: values are shown only where a column is plainly a code list (``SurveyPrivacy``); names,
/// birth dates, identifiers and free text appear as counts and shapes ("UK date (dd/MM/yyyy)", "free
/// text"). Same limits as a read: no entities, no network, no DTD; memory stays flat (``SurveyTree``).
///
/// ```swift
/// let survey = try ExportSurvey.run(path: "export.xml")
/// print(survey.text())
/// ```
public struct ExportSurvey: Sendable {
    /// The file as the survey names it.
    public var file: String
    public var bytes: Int64
    /// Elements read.
    public var elements: Int
    /// Every path, parents before children; index 0 is the root element.
    public var paths: [SurveyPath]
    /// Elements and attributes past the survey's limits, counted but not described.
    public var elementsBeyondLimit: Int
    public var attributesBeyondLimit: Int

    /// Surveys the export at `path`; `displayName` is how the survey names it (default: `path`).
    ///
    /// - Throws: ``ReadError`` when the file is not a readable, well-formed UTF-8 or UTF-16 XML export.
    public static func run(path: String, displayName: String? = nil,
                           progress: ((_ bytesRead: Int64, _ totalBytes: Int64) -> Void)? = nil) throws -> ExportSurvey {
        let state = SurveyState(file: path)
        var handler = xmlSAXHandler()
        SurveyState.install(into: &handler)
        let unmanaged = Unmanaged.passRetained(state)
        defer { unmanaged.release() }
        let bytes = try PushParse.run(path: path, handler: &handler, state: state, userData: unmanaged.toOpaque(), progress: progress)
        guard !state.tree.paths.isEmpty else { throw ReadError(file: path, line: 1, column: 1, reason: "the export holds no element") }
        return ExportSurvey(file: displayName ?? path, bytes: bytes, elements: state.elements, paths: state.tree.paths,
                            elementsBeyondLimit: state.tree.elementsBeyondLimit, attributesBeyondLimit: state.tree.attributesBeyondLimit)
    }

    /// The path of `index` from the root: `/CaseExport/People/Person`.
    public func path(of index: Int) -> String {
        var names: [String] = []
        var current = index
        while current >= 0 {
            names.append(paths[current].name)
            current = paths[current].parent
        }
        return "/" + names.reversed().joined(separator: "/")
    }

    /// The indexes of `index`'s ancestors, nearest first.
    public func ancestors(of index: Int) -> [Int] {
        var result: [Int] = []
        var current = paths[index].parent
        while current >= 0 {
            result.append(current)
            current = paths[current].parent
        }
        return result
    }

    /// The namespaces the export's elements use, in the order first seen.
    public var namespaces: [String] {
        var seen: [String] = []
        for path in paths where !path.namespace.isEmpty && !seen.contains(path.namespace) { seen.append(path.namespace) }
        return seen
    }
}
