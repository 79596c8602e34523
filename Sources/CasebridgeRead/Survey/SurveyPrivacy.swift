import CasebridgeModel

/// Which values a survey may print: a survey is pasted into tickets, so it shows counts and shapes,
/// and values only where a column is plainly a code list.
///
/// A column's values are shown only when all of these hold:
/// - its element and attribute names do not suggest personal data (``personalWords``: names, birth and
///   death dates, addresses, identifiers such as a UPN or an NHS number, notes and free text); an
///   attribute called just `name` is the key of a name/value pair (`<Field name="EventDate">`) and may show;
/// - it had at most ``shownDistinctLimit`` distinct values, each at most 40 characters and none with four
///   digits or more (identifiers such as `F-000021` or `W-0006`, sizes, years);
/// - no value was a date, a timestamp, a digest, base64, or longer free text;
/// - it repeats: at least 10 values, and at least 5 values per distinct value (10 for values with spaces,
///   which must also be short: at most five words, as codes such as "Social Worker" are);
/// - and then each value shown occurs at least 5 times; rarer values are counted, never shown.
///
/// Identifiers and names fail the repetition test long before they could be shown (each occurs once or
/// a few times), and a name typed by mistake into a code field is rare, so it stays hidden.
public enum SurveyPrivacy {
    /// Parts of element or attribute names (lowercased) whose values are never shown.
    public static let personalWords = [
        "name", "forename", "surname", "given", "birth", "dob", "born", "death", "died", "address", "postcode", "street",
        "phone", "mobile", "email", "upn", "nhs", "nino", "passport", "note", "comment", "text", "description", "summary",
        "title", "narrative", "reason", "detail",
    ]
    /// How often a value must occur to be shown.
    public static let minimumOccurrences = 5
    /// The most distinct values a column may have and still show them: code lists are short.
    public static let shownDistinctLimit = 30

    /// The values of a column that may be shown, most common first, and how many rarer values were
    /// left out; `nil` when none may be shown.
    public static func shownValues(of column: ColumnStats, element: String, attribute: String?) -> (values: [(String, Int)], hidden: Int)? {
        let names = [element.lowercased()] + (attribute.map { $0.lowercased() == "name" ? [] : [$0.lowercased()] } ?? [])
        guard !names.contains(where: { name in personalWords.contains { name.contains($0) } }) else { return nil }
        guard let distinct = column.distinct, !distinct.isEmpty, distinct.count <= shownDistinctLimit, column.count >= 10,
              column.otherShapes == 0 else { return nil }
        guard !distinct.keys.contains(where: { $0.utf8.filter { $0 >= 0x30 && $0 <= 0x39 }.count >= 4 }) else { return nil }
        let safeKinds: Set<ValueShape.Kind> = [.word, .integer, .boolean, .number, .freeText]
        guard column.shapes.allSatisfy({ safeKinds.contains($0.shape.kind) }) else { return nil }
        // Values with spaces may be codes ("Social Worker") or sentences: only short ones of a few words are codes.
        let spaced = column.shapes.contains { $0.shape.kind == .freeText }
        if spaced, distinct.keys.contains(where: { $0.split(separator: " ").count > 5 }) { return nil }
        guard column.count >= (spaced ? 10 : 5) * distinct.count else { return nil }
        let common = distinct.filter { $0.value >= minimumOccurrences }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        return (common.map { ($0.key, $0.value) }, distinct.count - common.count)
    }
}
