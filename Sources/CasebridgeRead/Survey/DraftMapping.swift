import CasebridgeMapping
import CasebridgeModel
import Foundation

/// A starting mapping guessed from a survey: the root, the envelope, a record per repeating element
/// whose name suggests a canonical kind, and fields by the names of attributes and elements, each with
/// a type guessed from the shapes of its values. Every guess ends with `# review`; what could not be
/// placed is listed in comments. The draft loads as it is, so `casebridge preview` can try it at once.
///
/// Like the survey, the draft holds no value of the export except the codes of plain code lists.
public enum DraftMapping {
    /// The first line of every draft: how `--draft-mapping` recognises a file it may replace.
    public static let firstLine = "# A draft Casebridge mapping, guessed by `casebridge survey --draft-mapping`."

    /// Whether a file's first bytes are a draft's.
    public static func isOwn(prefix: [UInt8]) -> Bool { prefix.starts(with: Array(firstLine.utf8)) }

    /// The draft for `survey`, as YAML. A draft that would not load (the guesses contradict each other)
    /// says why in its first lines.
    public static func yaml(for survey: ExportSurvey) -> String {
        var writer = DraftWriter(survey: survey)
        let draft = writer.write()
        do {
            _ = try MappingLoader.parse(draft, file: "draft")
            return draft
        } catch let error as ConfigError {
            let head = firstLine + "\n# This draft does not load yet (line \(error.line): \(error.reason)): fix that first.  # review\n"
            return head + draft.dropFirst(firstLine.count + 1)
        } catch {
            return draft
        }
    }
}

/// One place a field could read: an attribute, an element's text, a descendant's attribute.
struct DraftColumn {
    /// As a mapping spells it: `@id`, `BirthDate`, `Manifest/@parts`, `.`.
    let place: String
    /// The names it is matched by (`parts`, `manifestparts`).
    let names: [String]
    let stats: ColumnStats
    let element: String
    let attribute: String?
}

/// Writes one draft.
struct DraftWriter {
    let survey: ExportSurvey
    private var lines: [String] = []
    private var prefixes: [String: String] = [:]
    private let records: [(index: Int, kind: RecordKind)]
    /// The records whose draft maps an `id`, which records inside them may inherit.
    private var recordsWithId = Set<Int>()

    init(survey: ExportSurvey) {
        self.survey = survey
        let root = survey.paths[0].namespace
        for namespace in survey.namespaces where namespace != root { prefixes[namespace] = "n\(prefixes.count + 1)" }
        var records: [(index: Int, kind: RecordKind)] = []
        for index in survey.paths.indices.dropFirst() {
            let path = survey.paths[index]
            guard let kind = DraftGuesses.kind(of: path.name) else { continue }
            // A record repeats, or carries values of its own; a section that only holds records (<Teams>) is none,
            // and a group of values inside a record of the same kind (<Child><ChildIdentifiers>) is part of it.
            let parent = survey.paths[path.parent]
            let listed = parent.children == [index] && parent.attributes.isEmpty && parent.text.count == 0 && path.parent > 0
            let repeats = listed || path.mostInOneParent > 1 || path.occurrences > parent.occurrences
            let leaves = path.children.filter { survey.paths[$0].children.isEmpty && survey.paths[$0].attributes.isEmpty }.count
            let inSameKind = survey.ancestors(of: index).contains { ancestor in records.contains { $0 == (ancestor, kind) } }
            if repeats || (!inSameKind && (!path.attributes.isEmpty || leaves >= 2)) { records.append((index, kind)) }
        }
        self.records = records
    }

    mutating func write() -> String {
        let root = survey.paths[0]
        lines = [DraftMapping.firstLine,
                 "# Every guess ends with '# review': check each against the survey and mappings/README.md, then delete the marks.",
                 "format: \(DraftWriter.yamlWord(root.name.lowercased()))-draft  # review: a name for this format"]
        if !root.namespace.isEmpty { lines.append("defaultNamespace: \(Self.quoted(root.namespace))") }
        if !prefixes.isEmpty {
            lines.append("namespaces: {" + prefixes.sorted { $0.value < $1.value }.map { "\($0.value): \(Self.quoted($0.key))" }
                .joined(separator: ", ") + "}")
        }
        lines.append("root: \(step(0))")
        writeEnvelope()
        lines.append("records:")
        for record in records { writeRecord(record.index, kind: record.kind) }
        let others = survey.paths.indices.dropFirst().filter { index in
            survey.paths[index].mostInOneParent > 1 && !records.contains { $0.index == index }
        }
        if !others.isEmpty {
            lines.append("# Repeating elements with no kind guessed (map them, or leave them out):")
            for index in others { lines.append("#   \(survey.path(of: index)): \(survey.paths[index].occurrences.grouped) elements  # review") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private mutating func writeEnvelope() {
        let columns = self.columns(of: 0, includeOwn: false)
        var used = Set<Int>()
        var fields: [String] = []
        for field in CanonicalSchema.envelopeFields {
            guard let best = bestColumn(for: field.name, in: columns, used: used, words: DraftGuesses.envelopeWords) else { continue }
            used.insert(best)
            if let line = fieldLine(field, column: columns[best], kind: nil) { fields.append("  " + line) }
        }
        guard !fields.isEmpty else { return }
        lines.append("envelope:")
        lines += fields
    }

    private mutating func writeRecord(_ index: Int, kind: RecordKind) {
        var block = ["  - kind: \(kind.rawValue)  # review: \(survey.paths[index].occurrences.grouped) <\(survey.paths[index].name)> elements",
                     "    element: " + Self.quoted("/" + (survey.ancestors(of: index).reversed() + [index]).map(step).joined(separator: "/")),
                     "    fields:"]
        let columns = self.columns(of: index, includeOwn: true)
        var used = Set<Int>()
        var written = 0
        for field in kind.fields {
            if let best = bestColumn(for: field.name, in: columns, used: used, words: DraftGuesses.fieldWords) ?? ownText(for: field, columns, used) {
                used.insert(best)
                if let line = fieldLine(field, column: columns[best], kind: kind) {
                    block.append("      " + line)
                    written += 1
                    if field.name == "id" { recordsWithId.insert(index) }
                    continue
                }
            }
            if let owner = inheritedOwner(for: field.name, of: kind, at: index) {
                block.append("      \(field.name): {inherit: \(owner).id}  # review")
                written += 1
            }
        }
        for (position, column) in columns.enumerated() where !used.contains(position) {
            block.append("      # not mapped: \(column.place) (\(column.stats.mainShape?.name ?? "no values"), \(column.stats.count.grouped) values)  # review")
        }
        // A record with no field recognised is left for a person to map: commented out, so the draft still loads.
        if written == 0 {
            block[0] += "; no field recognised"
            block = block.map { $0.hasPrefix("#") || $0.hasPrefix("      #") ? $0 : "#" + $0 }
        }
        lines += block
    }

    /// The column a field takes by its name, if one suits it.
    private func bestColumn(for field: String, in columns: [DraftColumn], used: Set<Int>, words: [String: [String]]) -> Int? {
        var best: (index: Int, score: Int)?
        for (index, column) in columns.enumerated() where !used.contains(index) {
            let score = column.names.map { DraftGuesses.score($0, field: field, words: words) }.max() ?? 0
            if score > 0, score > (best?.score ?? 0) { best = (index, score) }
        }
        return best?.index
    }

    /// The record's own text for a field that is the record's text (`content`, `text`, a Team's `name`).
    private func ownText(for field: CanonicalField, _ columns: [DraftColumn], _ used: Set<Int>) -> Int? {
        guard let own = columns.firstIndex(where: { $0.place == "." }), !used.contains(own) else { return nil }
        let shape = columns[own].stats.mainShape?.kind
        switch field.name {
        case "content": return shape == .base64 ? own : nil
        case "text", "name": return shape == .freeText || shape == .word ? own : nil
        default: return nil
        }
    }

    /// The owner kind a field may inherit the id of: an enclosing record of the kind the field names.
    private func inheritedOwner(for field: String, of kind: RecordKind, at index: Int) -> String? {
        let wanted: RecordKind
        switch field {
        case "person": wanted = .person
        case "family": wanted = .family
        case "document": wanted = .document
        case "plan": wanted = .plan
        default: return nil
        }
        // The nearest enclosing record of that kind is the one inherited from: it must map an id.
        guard kind != wanted, let owner = survey.ancestors(of: index).first(where: { ancestor in records.contains { $0 == (ancestor, wanted) } }),
              recordsWithId.contains(owner) else { return nil }
        return wanted.rawValue
    }

    /// The places under `index` a field could read: its attributes, its own text, and its descendants'
    /// texts and attributes down to three levels, stopping at other records and at lists.
    private func columns(of index: Int, includeOwn: Bool) -> [DraftColumn] {
        let path = survey.paths[index]
        var columns = path.attributes.map { DraftColumn(place: "@" + $0.name, names: [$0.name], stats: $0.stats, element: path.name, attribute: $0.name) }
        if includeOwn, path.text.count > 0 { columns.append(DraftColumn(place: ".", names: [], stats: path.text, element: path.name, attribute: nil)) }
        func walk(_ child: Int, prefix: String, depth: Int) {
            guard depth <= 3, !records.contains(where: { $0.index == child }) else { return }
            let node = survey.paths[child]
            // A list inside the record (many <Item> in one <Household>) holds no single value of it.
            if node.mostInOneParent > 1 { return }
            let place = prefix + step(child)
            if node.text.count > 0 { columns.append(DraftColumn(place: place, names: [node.name], stats: node.text, element: node.name, attribute: nil)) }
            for attribute in node.attributes {
                columns.append(DraftColumn(place: place + "/@" + attribute.name, names: [attribute.name, node.name + attribute.name],
                                           stats: attribute.stats, element: node.name, attribute: attribute.name))
            }
            for grandchild in node.children { walk(grandchild, prefix: place + "/", depth: depth + 1) }
        }
        for child in path.children { walk(child, prefix: "", depth: 1) }
        return columns
    }

    /// A step as the draft spells it: `Name`, or `n1:Name` in another namespace.
    private func step(_ index: Int) -> String {
        let path = survey.paths[index]
        return prefixes[path.namespace].map { "\($0):\(path.name)" } ?? path.name
    }

    /// One field's line, with its type guessed from its values' shapes; `nil` when the column cannot feed it.
    private func fieldLine(_ field: CanonicalField, column: DraftColumn, kind: RecordKind?) -> String? {
        guard let settings = DraftTypes.settings(for: field, column: column) else { return nil }
        var members = ["path: " + Self.quoted(column.place)] + settings.members
        if field.name == "id", kind != nil {
            members += ["required: true", "key: true"]
        }
        return "\(field.name): {\(members.joined(separator: ", "))}  # review\(settings.note.map { ": " + $0 } ?? "")"
    }

    /// A YAML double-quoted string.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// A plain YAML word made of a name's letters, digits and dashes.
    static func yamlWord(_ text: String) -> String {
        let word = String(text.unicodeScalars.filter { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" })
        return word.isEmpty ? "export" : word
    }
}
