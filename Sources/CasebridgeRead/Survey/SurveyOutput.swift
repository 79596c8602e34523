import CasebridgeModel

extension ExportSurvey {
    /// The survey as text for a terminal or a ticket: the element tree, one line per attribute and text.
    ///
    /// ```
    /// /CaseExport/People/Person  857 (up to 857 in one People)
    ///   @kind   857 values · 3 distinct · word · values: child 590, adult 240, unborn 27
    ///   /BirthDate  830 · text: 830 values · over 50 distinct · ISO date (yyyy-MM-dd)
    /// ```
    public func text() -> String {
        var lines = [header, "Values are shown only for code lists; every other column is counts and shapes.", ""]
        func walk(_ index: Int, depth: Int) {
            let path = paths[index]
            let indent = String(repeating: "  ", count: depth)
            let name = depth == 0 ? self.path(of: index) : "/" + path.name
            let repeats = path.mostInOneParent > 1 && path.parent >= 0
                ? " (up to \(path.mostInOneParent.grouped) in one \(paths[path.parent].name))" : ""
            let leaf = path.children.isEmpty && path.attributes.isEmpty
            if leaf {
                let text = path.text.count + path.text.blank > 0 ? " · text: " + Self.describe(path.text, element: path.name, attribute: nil) : ""
                lines.append("\(indent)\(name)  \(path.occurrences.grouped)\(repeats)\(text)")
                return
            }
            lines.append("\(indent)\(name)  \(path.occurrences.grouped)\(repeats)")
            for attribute in path.attributes {
                lines.append("\(indent)  @\(attribute.name)  " + Self.describe(attribute.stats, element: path.name, attribute: attribute.name))
            }
            if path.text.count > 0 {
                lines.append("\(indent)  text  " + Self.describe(path.text, element: path.name, attribute: nil))
            }
            for child in path.children { walk(child, depth: depth + 1) }
        }
        walk(0, depth: 0)
        if elementsBeyondLimit > 0 || attributesBeyondLimit > 0 {
            lines.append("")
            lines.append("Past the survey's limits (\(SurveyTree.pathLimit.grouped) paths, \(SurveyTree.attributeLimit) attributes a path): "
                + "\(elementsBeyondLimit.grouped) elements and \(attributesBeyondLimit.grouped) attributes were counted but not described.")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private var header: String {
        let megabytes = Double(bytes) / 1_000_000
        let size = megabytes >= 0.1 ? "\((megabytes * 10).rounded() / 10) MB" : "\(Int(bytes).grouped) bytes"
        let names = namespaces.isEmpty ? "no namespace" : "namespace\(namespaces.count == 1 ? "" : "s") " + namespaces.joined(separator: ", ")
        return "Survey of \(file): \(size), \(elements.grouped) elements, \(paths.count.grouped) paths, \(names)."
    }

    /// One column in words: "857 values · 3 distinct · word · values: child 590, adult 240".
    static func describe(_ column: ColumnStats, element: String, attribute: String?) -> String {
        var parts = ["\(column.count.grouped) value\(column.count == 1 ? "" : "s")"]
        if column.blank > 0 { parts.append("\(column.blank.grouped) blank") }
        guard column.count > 0 else { return parts.joined(separator: " · ") }
        parts.append(column.distinctCount.map { "\($0) distinct" } ?? "over \(ColumnStats.distinctLimit) distinct (or long)")
        let shapes = column.shapesByCount
        if shapes.count == 1, column.otherShapes == 0 {
            parts.append(shapes[0].shape.name)
        } else {
            let shown = shapes.prefix(3).map { "\($0.shape.name) \(Self.percent($0.count, of: column.count))" }
            let rest = shapes.count > 3 || column.otherShapes > 0 ? ", other shapes" : ""
            parts.append(shown.joined(separator: ", ") + rest)
        }
        if let shown = SurveyPrivacy.shownValues(of: column, element: element, attribute: attribute), !shown.values.isEmpty {
            let rarer = shown.hidden > 0 ? " (and \(shown.hidden) rarer value\(shown.hidden == 1 ? "" : "s") not shown)" : ""
            parts.append("values: " + shown.values.map { "\($0.0) \($0.1.grouped)" }.joined(separator: ", ") + rarer)
        }
        return parts.joined(separator: " · ")
    }

    private static func percent(_ part: Int, of whole: Int) -> String {
        let share = Double(part) * 100 / Double(max(whole, 1))
        return share >= 1 || share == 0 ? "\(Int(share.rounded()))%" : "<1%"
    }

    /// The survey as JSON: the same facts, for tools.
    public var json: JSONValue {
        .object([
            ("file", .string(file)), ("bytes", .int(Int(bytes))), ("elements", .int(elements)),
            ("namespaces", .array(namespaces.map(JSONValue.string))),
            ("paths", .array(paths.indices.map(pathJSON))),
            ("beyondLimits", .object([("elements", .int(elementsBeyondLimit)), ("attributes", .int(attributesBeyondLimit))])),
        ])
    }

    private func pathJSON(_ index: Int) -> JSONValue {
        let path = paths[index]
        return .object([
            ("path", .string(self.path(of: index))), ("namespace", .string(path.namespace)),
            ("occurrences", .int(path.occurrences)), ("mostInOneParent", .int(path.mostInOneParent)),
            ("text", path.text.count + path.text.blank > 0 ? Self.columnJSON(path.text, element: path.name, attribute: nil) : .null),
            ("attributes", .array(path.attributes.map { attribute in
                var column = Self.columnJSON(attribute.stats, element: path.name, attribute: attribute.name)
                if case let .object(members) = column { column = .object([("name", .string(attribute.name))] + members) }
                return column
            })),
        ])
    }

    private static func columnJSON(_ column: ColumnStats, element: String, attribute: String?) -> JSONValue {
        let shown = SurveyPrivacy.shownValues(of: column, element: element, attribute: attribute)
        return .object([
            ("values", .int(column.count)), ("blank", .int(column.blank)),
            ("distinct", column.distinctCount.map(JSONValue.int) ?? .null), ("longest", .int(column.longest)),
            ("shapes", .array(column.shapesByCount.map { .object([("shape", .string($0.shape.name)), ("count", .int($0.count))]) })),
            ("common", .array((shown?.values ?? []).map { .object([("value", .string($0.0)), ("count", .int($0.1))]) })),
            ("rarerHidden", .int(shown?.hidden ?? 0)),
        ])
    }
}
