import Foundation
import CLibPQ

/// A failure PostgreSQL or libpq reported: the server's SQLSTATE (empty when libpq failed on its own:
/// no server, no password, a dropped connection) and its message, first line only.
struct PostgresError: Error, CustomStringConvertible {
    var sqlState: String
    var message: String
    var detail: String?
    var hint: String?
    /// The table and column a constraint or a value names, when the server says.
    var table: String?
    var column: String?
    /// Where in a COPY or a function the error arose (`COPY cb_inc, line 3, column pers_upn: "…"`).
    var context: String?
    /// Whether the connection is gone: the server ended it, or it dropped.
    var connectionLost = false

    var description: String { message }

    /// The error of a failed result, read from its fields.
    init(result: OpaquePointer, connection: OpaquePointer) {
        func field(_ code: Int32) -> String? { PQresultErrorField(result, code).map { String(cString: $0) } }
        sqlState = field(casebridge_pq_diag_sqlstate()) ?? ""
        message = field(casebridge_pq_diag_primary()) ?? Self.firstLine(PQerrorMessage(connection))
        detail = field(casebridge_pq_diag_detail())
        hint = field(casebridge_pq_diag_hint())
        table = field(casebridge_pq_diag_table())
        column = field(casebridge_pq_diag_column())
        context = field(casebridge_pq_diag_context()).map { Self.firstLine($0) }
        connectionLost = PQstatus(connection) != CONNECTION_OK
    }

    /// libpq's own error on `connection` (no result to read it from).
    init(connection: OpaquePointer?) {
        sqlState = ""
        message = Self.firstLine(connection.flatMap { PQerrorMessage($0) })
        connectionLost = connection.map { PQstatus($0) != CONNECTION_OK } ?? true
    }

    /// A failure of Casebridge's own making (a COPY it abandoned).
    init(message: String) {
        sqlState = ""
        self.message = message
    }

    /// The first non-empty line of a libpq message, without the `ERROR:` or `FATAL:` libpq prefixes.
    static func firstLine(_ text: UnsafePointer<CChar>?) -> String {
        firstLine(text.map { String(cString: $0) } ?? "")
    }

    static func firstLine(_ text: String) -> String {
        var line = text.split(separator: "\n").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        for prefix in ["ERROR:", "FATAL:"] where line.hasPrefix(prefix) {
            line = line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        }
        return line.isEmpty ? "the server gave no reason" : line
    }

    /// The class of the SQLSTATE (its first two characters: `53` insufficient resources, `42` syntax or
    /// access, `08` connection, `57` operator intervention).
    var sqlClass: Substring { sqlState.prefix(2) }
}
