import CasebridgeModel
import CasebridgeStore

/// The canonical records behind what the target holds now, kept in the target between runs
/// (`casebridge_state_<kind>` and `casebridge_state_invalid`, shaped like staging's tables).
///
/// A delta export names only what changed. To check and load it as the whole live state, its staging
/// is completed with every record of the state it does not replace or delete (``carry(into:from:sequence:)``);
/// from there on a delta runs through the same prepare, rules and load as a full export, so the rules
/// see the merged state and a series of deltas ends where one full export of the final state would.
/// After each load the state is brought up to date (``save(in:sequence:isFull:)``) in the same
/// transaction as the data.
package enum LiveState {
    /// The state table of `kind`.
    package static func table(_ kind: RecordKind) -> String { "casebridge_state_" + kind.rawValue.lowercased() }

    package static let invalidTable = "casebridge_state_invalid"

    /// The kinds the state keeps: every record kind but the deletions a delta lists.
    package static let kinds = RecordKind.allCases.filter { $0 != .deleted }

    /// The state tables, with the indexes carrying needs.
    package static var ddl: String {
        var sql = StagingStore.recordTablesDDL(name: table, invalidTable: invalidTable)
        for kind in kinds {
            if kind.owner == nil {
                sql += "CREATE INDEX \(table(kind))_record_id ON \(table(kind)) (record_id);\n"
            } else {
                sql += "CREATE INDEX \(table(kind))_owner_rid ON \(table(kind)) (owner_rid);\n"
            }
        }
        sql += "CREATE INDEX \(invalidTable)_rid ON \(invalidTable) (rid);\n"
        // Deletions are never kept: the table exists only so that every kind has its state table.
        sql += "DROP TABLE \(table(.deleted));\n"
        return sql
    }

    /// The columns of `kind`'s state table, quoted, in order.
    package static func columnList(_ kind: RecordKind) -> String {
        StagingStore.tableColumns(of: kind).map(quotedName).joined(separator: ", ")
    }

    /// The state's columns of `kind` as a carried record of staging: quarantine decided afresh.
    private static func carriedValues(_ kind: RecordKind) -> String {
        StagingStore.tableColumns(of: kind).map {
            switch $0 {
            case "quarantined": return "0"
            case "carried": return "1"
            default: return "s." + quotedName($0)
            }
        }.joined(separator: ", ")
    }

    // MARK: Carrying the state into a delta's staging

    /// Completes a delta's staging with the target's live state: the delta's own records get rids
    /// above the state's and locations naming the delta's `sequence`; every state record the delta
    /// neither writes again (same kind and id: a record is written whole, with what it owns) nor
    /// deletes is added with `carried = 1`. A deletion naming no record of the state is quarantined
    /// with that reason. Runs before staging builds its indexes and decides quarantine.
    package static func carry(into staging: StagingStore, from targetPath: String, sequence: Int) throws {
        let database = staging.database
        try database.attach(targetPath, as: "t")
        defer { try? database.execute("DETACH DATABASE t") }
        try database.transaction {
            var highest = 0
            for kind in RecordKind.allCases {
                highest = max(highest, try database.scalar("SELECT max(rid) FROM \(StagingStore.table(kind))")?.int ?? 0)
                if kind != .deleted {
                    highest = max(highest, try database.scalar("SELECT max(rid) FROM t.\(table(kind))")?.int ?? 0)
                }
            }
            let shift = highest + 1
            for kind in RecordKind.allCases {
                try database.execute("""
                    UPDATE \(StagingStore.table(kind)) SET rid = rid + \(shift), owner_rid = owner_rid + \(shift),
                        line = \(RecordLocation.encodeSQL("line", sequence: sequence))
                    """)
            }
            try database.execute("""
                UPDATE \(StagingTable.invalid) SET rid = rid + \(shift), line = \(RecordLocation.encodeSQL("line", sequence: sequence))
                """)
            // Whole records first, then what the carried ones own.
            for kind in kinds where kind.owner == nil {
                let columns = columnList(kind)
                let staged = StagingStore.table(kind)
                try database.execute("""
                    INSERT INTO \(staged) (\(columns))
                    SELECT \(carriedValues(kind))
                    FROM t.\(table(kind)) s
                    WHERE s.record_id IS NULL
                       OR (s.record_id NOT IN (SELECT record_id FROM \(staged) WHERE carried = 0 AND record_id IS NOT NULL)
                           AND s.record_id NOT IN (SELECT id FROM \(StagingTable.records(.deleted)) WHERE kind = '\(kind.rawValue)' AND id IS NOT NULL))
                    """)
            }
            for kind in kinds {
                guard let owner = kind.owner else { continue }
                let columns = columnList(kind)
                try database.execute("""
                    INSERT INTO \(StagingStore.table(kind)) (\(columns))
                    SELECT \(carriedValues(kind))
                    FROM t.\(table(kind)) s
                    WHERE s.owner_rid IS NULL OR s.owner_rid IN (SELECT rid FROM \(StagingStore.table(owner)) WHERE carried = 1)
                    """)
            }
            // What the state loses: the records replaced or deleted, with what they own.
            for kind in kinds {
                try database.execute("""
                    INSERT INTO \(StagingTable.dropped) (kind, rid) SELECT ?, s.rid FROM t.\(table(kind)) s
                    WHERE s.rid NOT IN (SELECT rid FROM \(StagingStore.table(kind)) WHERE carried = 1)
                    """, [.text(kind.rawValue)])
            }
            let invalid = StagingStore.invalidColumns.joined(separator: ", ")
            let carried = kinds.map { "SELECT rid FROM \(StagingStore.table($0)) WHERE carried = 1" }.joined(separator: " UNION ALL ")
            try database.execute("""
                INSERT INTO \(StagingTable.invalid) (\(invalid)) SELECT \(invalid) FROM t.\(invalidTable) WHERE rid IN (\(carried))
                """)
            try staging.quarantineUnknownDeletions(kinds: kinds.filter { $0.owner == nil }, state: { "t." + table($0) }, before: nil)
        }
    }

    // MARK: Saving the state after a load

    /// Brings the state up to date with the staging attached as `schema`, inside the load's transaction:
    /// after a full export the state is the export; after a delta, the state's records the delta
    /// replaced or deleted go and the delta's own come in (carried records stay as they are): those
    /// not carried, or, in a staging continued from rid `continuedFrom`, those from that rid on.
    /// It reads only the staged records, their invalid values and what a delta dropped: nothing that
    /// preparing the rows each table receives changes (the `quarantined` flag it changes is stored as 0).
    package static func save(in database: Database, staging schema: String, sequence: Int, isFull: Bool,
                             continuedFrom: Int? = nil) throws {
        let staging = schema + "."
        let own = ownRecords(continuedFrom: continuedFrom)
        for kind in kinds {
            let state = table(kind)
            if isFull {
                try database.execute("DELETE FROM \(state)")
            } else {
                try database.execute("DELETE FROM \(state) WHERE rid IN (SELECT rid FROM \(staging)\(StagingTable.dropped) WHERE kind = ?)",
                                     [.text(kind.rawValue)])
            }
            try database.execute("INSERT INTO \(state) (\(columnList(kind))) " + stateRows(kind, staging: staging, sequence: sequence, own: own))
        }
        if isFull {
            try database.execute("DELETE FROM \(invalidTable)")
        } else {
            try database.execute("DELETE FROM \(invalidTable) WHERE rid IN (SELECT rid FROM \(staging)\(StagingTable.dropped))")
        }
        for kind in kinds {
            try database.execute("INSERT INTO \(invalidTable) (\(StagingStore.invalidColumns.joined(separator: ", "))) "
                + invalidRows(kind, staging: staging, sequence: sequence, own: own), [.text(kind.rawValue)])
        }
    }

    /// Which of the staging's records are the run's own (`carried = 0`), or, in a staging continued
    /// from rid `continuedFrom`, those from that rid on.
    package static func ownRecords(continuedFrom: Int?) -> String {
        continuedFrom.map { "rid >= \($0)" } ?? "carried = 0"
    }

    /// The rows of `kind`'s state table (in ``columnList(_:)``'s order) that the staging's own records
    /// (`own`) become, read with the prefix `staging`: their locations naming `sequence`, content offsets
    /// into the run's temporary pack dropped.
    package static func stateRows(_ kind: RecordKind, staging: String, sequence: Int, own: String) -> String {
        let columns = StagingStore.tableColumns(of: kind)
        var values = columns.map(quotedName)
        values[columns.firstIndex(of: "line")!] = RecordLocation.encodeSQL("line", sequence: sequence)
        values[columns.firstIndex(of: "quarantined")!] = "0"
        values[columns.firstIndex(of: "carried")!] = "1"
        // A content offset points into this run's temporary pack, which ends with the run.
        if let offset = columns.firstIndex(of: "content_offset") { values[offset] = "NULL" }
        return "SELECT \(values.joined(separator: ", ")) FROM \(staging)\(StagingStore.table(kind)) WHERE \(own)"
    }

    /// The invalid values of the staging's own records of the kind given as the statement's parameter,
    /// as the state keeps them (``StagingStore/invalidColumns``' order).
    package static func invalidRows(_ kind: RecordKind, staging: String, sequence: Int, own: String) -> String {
        let values = StagingStore.invalidColumns.map { $0 == "line" ? RecordLocation.encodeSQL("i.line", sequence: sequence) : "i." + $0 }
        return """
            SELECT \(values.joined(separator: ", ")) FROM \(staging)\(StagingTable.invalid) i
            JOIN \(staging)\(StagingStore.table(kind)) t ON t.rid = i.rid AND t.\(own)
            WHERE i.kind = ?
            """
    }
}
