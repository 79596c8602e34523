/// A column of a target DDL's table, as two engines' DDLs are compared: one target mapping serves both
/// engines, so their tables must have the same columns, in the same order, with the same key and
/// required columns and values of the same family.
package struct DDLColumn: Sendable, Equatable, CustomStringConvertible {
    /// What a column holds, whatever the engine calls its type.
    package enum Family: String, Sendable {
        case text, integer, real, binary, unknown

        /// SQLite's declared type: TEXT, INTEGER, REAL, BLOB.
        package init(sqlite type: String) {
            switch type {
            case "TEXT": self = .text
            case "INTEGER": self = .integer
            case "REAL": self = .real
            case "BLOB": self = .binary
            default: self = .unknown
            }
        }

        /// PostgreSQL's type as `format_type` names it: text, varchar(48), char(1), date and instants hold
        /// text in SQLite; smallint, integer, bigint whole numbers; real, double precision numbers; bytea bytes.
        package init(postgres type: String) {
            let base = type.split(separator: "(").first.map(String.init) ?? type
            switch base {
            case "text", "character varying", "character", "date", "timestamp with time zone", "timestamp without time zone": self = .text
            case "smallint", "integer", "bigint": self = .integer
            case "real", "double precision", "numeric": self = .real
            case "bytea": self = .binary
            default: self = .unknown
            }
        }
    }

    package var name: String
    /// The column's place in the primary key (1, 2, …), 0 when it is not part of it.
    package var keyPosition: Int
    /// Whether the column must have a value (NOT NULL or part of the key).
    package var required: Bool
    package var family: Family

    package init(name: String, keyPosition: Int, required: Bool, family: Family) {
        self.name = name
        self.keyPosition = keyPosition
        self.required = required
        self.family = family
    }

    package var description: String {
        "\(name) (\(family.rawValue)\(keyPosition > 0 ? ", key \(keyPosition)" : "")\(required ? ", required" : ""))"
    }

    /// How the tables of `other` differ from `reference`'s, one sentence each (empty when they match).
    package static func differences(_ other: [String: [DDLColumn]], from reference: [String: [DDLColumn]]) -> [String] {
        var found: [String] = []
        for table in Set(reference.keys).subtracting(other.keys).sorted() { found.append("table \(table) is missing") }
        for table in Set(other.keys).subtracting(reference.keys).sorted() { found.append("table \(table) is not in the reference DDL") }
        for table in Set(reference.keys).intersection(other.keys).sorted() {
            let theirs = other[table] ?? [], ours = reference[table] ?? []
            if let index = theirs.indices.first(where: { $0 < ours.count && theirs[$0] != ours[$0] }) {
                found.append("table \(table): column \(index + 1) is \(theirs[index]) where the reference DDL has \(ours[index])")
            } else if theirs.count != ours.count {
                found.append("table \(table) has \(theirs.count) columns where the reference DDL has \(ours.count)")
            }
        }
        return found
    }
}
