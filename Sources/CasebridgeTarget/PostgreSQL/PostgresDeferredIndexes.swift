import CasebridgeStore

/// The indexes and key constraints of tables that a run has just created, taken off while their first
/// rows are copied in and built again, whole, before the run ends.
///
/// A row copied into an indexed table is inserted into each of its indexes one at a time; on the bench's
/// first load that was more than half of the server's work (the lineage's 400,000 rows alone: 2.7 s with
/// its two indexes, 0.6 s without them and 1.0 s to build both afterwards). Building an index from a
/// full table sorts once. Only a table created in the run's own transaction is treated so: no one else
/// can see it, the run owns it, and a failure rolls its creation back with everything else. A duplicate
/// key fails the run when its constraint is built again, as it would have failed the copy.
struct PostgresDeferredIndexes {
    /// A statement that builds one index or constraint again, in the order they must be built.
    private let rebuilds: [String]

    /// Takes the indexes and constraints (primary keys, unique and exclusion constraints, and the foreign
    /// keys that reference or leave `tables`) off `tables` of `schema`, remembering how to build each again.
    static func detach(_ tables: [String], schema: String, connection: PostgresConnection) throws -> PostgresDeferredIndexes {
        let parameters: [SQLValue] = [.text(schema), .text(PostgresCatalog.array(tables))]
        let relations = "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = ANY ($2::text[])"
        let constraints = try connection.rows("""
            SELECT quote_ident(n.nspname) || '.' || quote_ident(t.relname) AS table_name, quote_ident(k.conname) AS name,
                   k.contype AS type, pg_get_constraintdef(k.oid) AS definition
            FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE (k.contype IN ('p', 'u', 'x') AND k.conrelid IN (\(relations)))
               OR (k.contype = 'f' AND (k.conrelid IN (\(relations)) OR k.confrelid IN (\(relations))))
            ORDER BY k.contype = 'f' DESC, t.relname, k.conname
            """, parameters)
        let indexes = try connection.rows("""
            SELECT quote_ident(n.nspname) || '.' || quote_ident(x.relname) AS name, pg_get_indexdef(i.indexrelid) AS definition
            FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_namespace n ON n.oid = x.relnamespace
            WHERE i.indrelid IN (\(relations))
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))
            ORDER BY x.relname
            """, parameters)
        var drops: [String] = []
        var keys: [String] = []
        var foreignKeys: [String] = []
        for constraint in constraints {
            guard let table = constraint["table_name"], let name = constraint["name"], let definition = constraint["definition"] else { continue }
            // Foreign keys come first: a key another table's foreign key references cannot go before it.
            drops.append("ALTER TABLE \(table) DROP CONSTRAINT \(name)")
            let add = "ALTER TABLE \(table) ADD CONSTRAINT \(name) \(definition)"
            if constraint["type"] == "f" { foreignKeys.append(add) } else { keys.append(add) }
        }
        var plain: [String] = []
        for index in indexes {
            guard let name = index["name"], let definition = index["definition"] else { continue }
            drops.append("DROP INDEX \(name)")
            plain.append(definition)
        }
        for drop in drops { try connection.execute(drop) }
        return PostgresDeferredIndexes(rebuilds: keys + plain + foreignKeys)
    }

    /// Sends the statements that build every index and constraint taken off again (keys, then the other
    /// indexes, then the foreign keys, each checked in one pass over its table), and returns while the
    /// server builds them: the connection's next call waits for them (``PostgresConnection/send(_:)``).
    func startRebuilding(connection: PostgresConnection) throws {
        guard !rebuilds.isEmpty else { return }
        try connection.send(rebuilds.joined(separator: ";\n"))
    }
}
