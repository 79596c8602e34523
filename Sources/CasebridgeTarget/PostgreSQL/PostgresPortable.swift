import CasebridgeStore

/// A PostgreSQL connection as the SQL written for both engines uses it (``BookkeepingReader``,
/// ``BookkeepingWriter``): `?` and `?N` parameters numbered as PostgreSQL numbers them (`$N`), and every
/// failure turned into a one-line ``TargetError`` naming the target.
struct PostgresPortable: BookkeepingConnection {
    let connection: PostgresConnection
    let address: PostgresAddress
    let schema: String
    let doing: PostgresFailure.Doing

    var insertionOrder: String { "ordinal" }

    func rows(_ sql: String, _ values: [SQLValue]) throws -> [Row] {
        do {
            return try connection.rows(Self.numbered(sql), values)
        } catch {
            throw PostgresFailure.targetError(error, address: address, schema: schema, doing: doing)
        }
    }

    func execute(_ sql: String, _ values: [SQLValue]) throws {
        do {
            try connection.execute(Self.numbered(sql), values)
        } catch {
            throw PostgresFailure.targetError(error, address: address, schema: schema, doing: doing)
        }
    }

    /// `sql` with each `?` outside quotes numbered `$1`, `$2`, … in order, and each `?N` written `$N`.
    static func numbered(_ sql: String) -> String {
        var result = ""
        result.reserveCapacity(sql.utf8.count + 8)
        var next = 1
        var quote: Character?
        var characters = sql.makeIterator()
        var pending = characters.next()
        while let character = pending {
            pending = characters.next()
            if let open = quote {
                if character == open { quote = nil }
                result.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                result.append(character)
            } else if character == "?" {
                var digits = ""
                while let digit = pending, digit.isASCII, digit.isNumber {
                    digits.append(digit)
                    pending = characters.next()
                }
                if digits.isEmpty {
                    digits = String(next)
                    next += 1
                }
                result += "$" + digits
            } else {
                result.append(character)
            }
        }
        return result
    }
}
