import Foundation

/// What a PostgreSQL failure means for the person running Casebridge: one line, naming the host and the
/// database (never a password), saying what to do where there is something to do.
enum PostgresFailure {
    /// `error` as a ``TargetError`` on the target `address` (schema `schema`), for a failure while `doing`.
    static func targetError(_ error: PostgresError, address: PostgresAddress, schema: String,
                            doing: Doing = .reading) -> TargetError {
        TargetError(address.name(schema: schema), reason(error, address: address, schema: schema, doing: doing))
    }

    /// What the failing step was: it decides whether "nothing was changed" is said.
    enum Doing {
        case connecting, reading, loading
    }

    static func reason(_ error: PostgresError, address: PostgresAddress, schema: String, doing: Doing) -> String {
        let unchanged = doing == .reading ? "" : "; nothing was changed"
        let message = error.message
        switch error.sqlState {
        case "28P01":
            return "the server refused the password of role \(address.user) (it comes from PGPASSWORD, ~/.pgpass or the service file)\(unchanged)"
        case "28000":
            return "the server does not let role \(address.user) connect to database \(address.database): \(message)\(unchanged)"
        case "3D000":
            return "database \(address.database) does not exist on \(address.host):\(address.port)\(unchanged)"
        case "42501":
            let said = message.hasPrefix("role ") ? message : "role \(address.user) lacks a privilege: \(message)\(grantHint(error, schema: schema))"
            return said + unchanged
        case "55P03":
            return "another casebridge holds this target (a load or a creation) and did not finish within --lock-timeout\(unchanged)"
        case "22001", "22007", "22008", "22P02", "22003":
            let place = error.context.map { " (\($0))" } ?? ""
            return "a value does not fit its column in the PostgreSQL DDL: \(message)\(place); widen the column in a new schema version\(unchanged)"
        case "57P01", "57P02", "57P03":
            return "the server ended the connection (\(message)); the transaction was rolled back\(unchanged)"
        default: break
        }
        if error.sqlClass == "53" || message.contains("No space left") || message.contains("could not extend file")
            || message.contains("temp_file_limit") {
            return "the server cannot write more (\(message)): its disk is full or a limit was reached\(unchanged)"
        }
        if error.sqlState.isEmpty { return connectionReason(error, address: address, doing: doing) }
        return "\(message)\(unchanged)"
    }

    /// libpq's own failures: no server, no password, a connection lost.
    private static func connectionReason(_ error: PostgresError, address: PostgresAddress, doing: Doing) -> String {
        let message = error.message
        let unchanged = doing == .reading ? "" : "; nothing was changed"
        if message.contains("no password supplied") {
            return "the server asks role \(address.user) for a password and none was found in PGPASSWORD, ~/.pgpass or the service file"
        }
        if message.contains("password authentication failed") {
            return "the server refused the password of role \(address.user) (it comes from PGPASSWORD, ~/.pgpass or the service file)\(unchanged)"
        }
        if message.contains("does not exist"), message.contains("database") {
            return "database \(address.database) does not exist on \(address.host):\(address.port)\(unchanged)"
        }
        if message.hasPrefix("invalid "), message.contains(" value") {
            // A setting libpq reads only as it connects, such as sslmode=sometimes.
            return "the connection string has a setting libpq does not accept (\(message))\(unchanged)"
        }
        if doing == .connecting || message.contains("Connection refused") || message.contains("No such file or directory")
            || message.contains("could not connect") || message.contains("could not translate host name") {
            return "cannot connect to the PostgreSQL server at \(address.host):\(address.port) (\(message)): check that it is running and listens there\(unchanged)"
        }
        if error.connectionLost {
            return "the connection to the server was lost (\(message)); the server rolled the transaction back\(unchanged)"
        }
        return "\(message)\(unchanged)"
    }

    /// The grant that would have let the statement run, when the message names the object.
    private static func grantHint(_ error: PostgresError, schema: String) -> String {
        let message = error.message
        if message.contains("permission denied for schema") { return " (GRANT USAGE, CREATE ON SCHEMA \(schema) TO the loading role)" }
        if message.contains("permission denied for database") { return " (GRANT CREATE, TEMPORARY ON DATABASE … TO the loading role)" }
        if message.contains("permission denied for table") {
            return " (GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA \(schema) TO the loading role)"
        }
        return ""
    }
}
