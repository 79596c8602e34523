/// The one CSV dialect every CSV Casebridge writes (check's findings, the report's team worklists and
/// quarantine list) is written in, for Excel as councils use it:
///
/// - UTF-8 starting with a byte-order mark, so Excel reads accented names as UTF-8;
/// - CRLF at the end of every record, the last included;
/// - RFC 4180 quoting: a field holding a comma, a double quote, CR or LF is quoted, its quotes doubled;
/// - headers in plain English, lower case, words apart (`record kind`, `what to do`), chosen by each caller;
/// - formula injection defused: a field starting with `=`, `+`, `-`, `@`, a tab or a CR, which a
///   spreadsheet would run as a formula, is written with a `'` before it (Excel shows the text as
///   typed and hides the apostrophe). A negative number is so written as text; Casebridge writes none.
///
/// ```swift
/// var csv = CSVWriter.header(["rule", "what to do"])   // "\u{FEFF}rule,what to do\r\n"
/// csv += CSVWriter.record(["late-upload", "=HYPERLINK(…)"])   // "late-upload,'=HYPERLINK(…)\r\n"
/// ```
public enum CSVWriter {
    /// What the first record starts with.
    public static let byteOrderMark = "\u{FEFF}"
    /// What ends every record.
    public static let lineEnd = "\r\n"

    /// The start of a document: the byte-order mark and the header record.
    public static func header(_ names: [String]) -> String {
        byteOrderMark + record(names)
    }

    /// One record, its line end included.
    public static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + lineEnd
    }

    /// A whole document: header and rows.
    public static func document(header names: [String], rows: [[String]]) -> String {
        var out = header(names)
        for row in rows { out += record(row) }
        return out
    }

    /// One field: defused if it could run as a formula, then quoted if it needs to be.
    public static func field(_ value: String) -> String {
        var value = value
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return value }
        var quoted = "\""
        for character in value {
            if character == "\"" { quoted.append("\"") }
            quoted.append(character)
        }
        return quoted + "\""
    }
}
