import CasebridgeModel

/// The type settings a draft guesses for a field from the shapes of the values at its place.
enum DraftTypes {
    /// The text fields that hold codes, whose values a draft may list under `codes`.
    static let codeFields: Set<String> = ["kind", "gender", "ethnicity", "code", "role", "type", "scope", "encoding"]

    /// The settings (`type: uk-date`, `codes: [...]`) and a note for the `# review` mark; `nil` when the
    /// values cannot feed the field (a date field over free text).
    static func settings(for field: CanonicalField, column: DraftColumn) -> (members: [String], note: String?)? {
        let stats = column.stats
        guard let shape = stats.mainShape else { return nil }
        let note = stats.shapes.count == 1 ? shape.name
            : "\(shape.name) in \(stats.shapes.first { $0.shape == shape }!.count.grouped) of \(stats.count.grouped) values"
        switch field.kind {
        case .date:
            guard let layout = shape.layout, layout.time == .none else { return nil }
            if layout == .iso { return (["type: iso-date"], note) }
            if layout == .uk { return (["type: uk-date"], note) }
            return (["type: date", "pattern: " + DraftWriter.quoted(layout.pattern)], note)
        case .timestamp:
            guard let layout = shape.layout, layout.time != .none else { return nil }
            if layout.zone == .none {
                return (["type: timestamp", "pattern: " + DraftWriter.quoted(layout.pattern), "zone: Europe/London"],
                        note + "; which zone were these times written in?")
            }
            let iso = layout.order == .yearFirst && layout.separator == 0x2D && layout.timeSeparator == 0x54
            if iso, layout.zone == .z { return (["type: utc-timestamp"], note) }
            return (iso && layout.zone == .colon ? ["type: timestamp"] : ["type: timestamp", "pattern: " + DraftWriter.quoted(layout.pattern)], note)
        case .integer:
            return shape.kind == .integer ? ([], note) : nil
        case .boolean:
            if shape.kind == .boolean, stats.distinct?.keys.allSatisfy({ $0 == "true" || $0 == "false" }) ?? false { return ([], note) }
            guard let values = stats.distinct?.keys, let words = DraftGuesses.booleanWords.first(where: { Set(values).isSubset(of: $0.keys) }) else {
                return nil
            }
            let map = words.sorted { $0.value > $1.value }.map { "\(DraftWriter.quoted($0.key)): \"\($0.value)\"" }.joined(separator: ", ")
            return (["type: boolean", "map: {\(map)}"], note)
        case .sha256:
            return shape.kind == .sha256 || shape.kind == .hex ? ([], note) : nil
        case .content:
            return shape.kind == .base64 ? ([], note) : nil
        case .file:
            return ([], note)
        case .text:
            guard codeFields.contains(field.name), let shown = SurveyPrivacy.shownValues(of: stats, element: column.element, attribute: column.attribute),
                  shown.hidden == 0, !shown.values.isEmpty, shown.values.count <= 30 else { return ([], note) }
            let codes = shown.values.map { DraftWriter.quoted($0.0) }.sorted().joined(separator: ", ")
            return (["codes: [\(codes)]"], note + "; the codes seen")
        }
    }
}
