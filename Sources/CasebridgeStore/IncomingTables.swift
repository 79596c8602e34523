import CasebridgeModel

/// The staging's side of the load: the tables of rows each target table would receive
/// (``StagingTable/incoming(_:)``), and what a delta touched that decides which of them are built again.
extension StagingStore {
    /// Creates `incoming` with the rows `select` gives (those a target table would receive: the columns
    /// `_rid`, `_line`, `_q`, `_key`, `_hash`, then `columns`, quoted), and the index the load and the
    /// quarantine find rows by key with. `_rid` is the table's rowid: a record gives a table one row at
    /// most, and its row is found by it without an index of its own. The columns declare no type, so
    /// each value is kept as `select` gives it.
    public func createIncoming(_ incoming: StagingTable, columns: [String], select: String) throws {
        try database.execute(incoming.drop)
        try database.execute("CREATE TABLE \(incoming) (_rid INTEGER PRIMARY KEY, _line, _q, _key, _hash\(columns.map { ", " + $0 }.joined()))")
        try database.execute("INSERT INTO \(incoming) \(select)")
        let name = incoming.name.replacingOccurrences(of: "\"", with: "")
        try database.execute("CREATE INDEX \"\(name)_key\" ON \(incoming) (_key, _q)")
    }

    /// Lists in ``StagingTable/touchedAbout`` (kind, field, value), for each dependency of a target table
    /// (rows that read records of `kind` by their `field`), the values of `field` that name records of
    /// `kind` a delta touched: records judged again (new, or quarantined last run) or dropped. For a
    /// kind with that field (`isShared`), their values of it; for one without, their ids and those of
    /// the owners of what it owns.
    public func markTouchedAbout(_ dependencies: [(kind: RecordKind, field: String, isShared: Bool)]) throws {
        try database.execute(StagingTable.touchedAbout.recreate)
        func judged(_ kind: RecordKind) -> String {
            "t.rid IN (SELECT rid FROM \(StagingTable.quarantineCandidate) WHERE kind = '\(kind.rawValue)')"
        }
        let insert = "INSERT OR IGNORE INTO \(StagingTable.touchedAbout) (kind, field, value)"
        for dependency in dependencies {
            let values: [SQLValue] = [.text(dependency.kind.rawValue), .text(dependency.field)]
            let table = Self.table(dependency.kind)
            if dependency.isShared {
                let field = quotedName(dependency.field)
                try database.execute("""
                    \(insert) SELECT ?1, ?2, t.\(field) FROM \(table) t WHERE \(judged(dependency.kind)) AND t.\(field) IS NOT NULL
                    """, values)
                try database.execute("\(insert) SELECT kind, field, value FROM \(StagingTable.droppedRefs) WHERE kind = ?1 AND field = ?2",
                                     values)
                continue
            }
            try database.execute("""
                \(insert) SELECT ?1, ?2, t.record_id FROM \(table) t WHERE \(judged(dependency.kind)) AND t.record_id IS NOT NULL
                """, values)
            try database.execute("\(insert) SELECT ?1, ?2, record_id FROM \(StagingTable.droppedIDs) WHERE kind = ?1", values)
            for owned in RecordKind.allCases where owned.owner == dependency.kind {
                try database.execute("""
                    \(insert) SELECT ?1, ?2, o.record_id FROM \(Self.table(owned)) t JOIN \(table) o ON o.rid = t.owner_rid
                    WHERE \(judged(owned)) AND o.record_id IS NOT NULL
                    """, values)
            }
        }
    }
}

extension StagingStore {
    /// Empties the tables that list what one delta changed (``StagingTable/dropped`` and the others), in
    /// the staging `database` (a kept staging, before a delta changes it or once a run is sealed).
    public static func emptyDeltaLists(in database: Database) throws {
        try database.execute(StagingTable.deltaLists.map { "DELETE FROM \($0);" }.joined(separator: "\n"))
    }
}
