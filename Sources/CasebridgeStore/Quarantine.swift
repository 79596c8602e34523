import CasebridgeModel

/// Quarantine: every decision that a record cannot load, and why, is taken here and written to
/// `stg_quarantine` (``StagingTable/quarantine``), one row per record and reason; what a quarantined
/// record owns goes with it, and every quarantined row is flagged `quarantined = 1`.
///
/// The reasons: a key field failed; an id two records of a kind share; a deletion that names nothing the
/// state holds; no value for a column the target requires; a target key two records share.
extension StagingStore {
    // MARK: The records read

    /// Quarantines records whose key field failed or whose id is shared, then what they own.
    func decideQuarantine() throws {
        for kind in RecordKind.allCases {
            let table = Self.table(kind)
            try database.execute("""
                INSERT INTO \(StagingTable.quarantine) (kind, rid, record_id, reason, line)
                SELECT ?, i.rid, i.record_id, 'key field ' || i.label || ' ' || i.reason, i.line
                FROM \(StagingTable.invalid) i WHERE i.kind = ? AND i.is_key = 1
                """, [.text(kind.rawValue), .text(kind.rawValue)])
            if kind.hasUniqueId {
                // In a continued staging, only the ids of records judged again can be shared; in a new one, only
                // the ids held more than once.
                let idsToJudge = !isContinued ? "AND \(Self.idHeldTwiceSQL(kind))" : """
                    AND record_id IN (SELECT t.record_id FROM \(StagingTable.quarantineCandidate) c JOIN \(table) t ON t.rid = c.rid
                                      WHERE c.kind = ?1)
                    """
                // What a record owns shares its id only within that record: the Members of two Families with
                // one id go with their Families, not as duplicates of their own (``sharedIdOwner(of:)``).
                let owner = Self.sharedIdOwner(of: kind)
                try database.execute("""
                    INSERT INTO \(StagingTable.quarantine) (kind, rid, record_id, reason, line)
                    SELECT ?1, t.rid, t.record_id, 'id ' || t.record_id || ' is shared by ' || d.n || ' \(kind.rawValue) records', t.line
                    FROM (SELECT *, \(owner) AS shared_within FROM \(table)) t
                    JOIN (SELECT record_id, \(owner) AS shared_within, count(*) AS n FROM \(table) WHERE record_id IS NOT NULL \(idsToJudge)
                          GROUP BY record_id, shared_within HAVING count(*) > 1) d
                      ON d.record_id = t.record_id AND d.shared_within IS t.shared_within
                    """, [.text(kind.rawValue)])
            }
        }
        try cascadeQuarantine()
    }

    /// The column records of `kind` share an id within: `owner_rid` for a kind that belongs to another (two
    /// Members of one Family naming one person share an id; Members of two Families that share an id
    /// do not, they go with their Families), `NULL` (the whole kind) otherwise.
    public static func sharedIdOwner(of kind: RecordKind) -> String {
        kind.owner == nil ? "NULL" : "owner_rid"
    }

    /// SQL true for a record of `kind` whose id another record of the kind also holds, anywhere: the ids
    /// held more than once, found on the `record_id` index. Narrowing to them first spares sorting every
    /// record by id and owner (for the shared ids within an owner), which took two to four times as long.
    public static func idHeldTwiceSQL(_ kind: RecordKind) -> String {
        "record_id IN (SELECT record_id FROM \(table(kind)) WHERE record_id IS NOT NULL GROUP BY record_id HAVING count(*) > 1)"
    }

    /// In a staging a delta continues, quarantine is decided again (a new record may share an id with an
    /// old one, or the twin of an old one may be gone): what was quarantined before is kept aside
    /// (``StagingTable/previouslyQuarantined``) for those who compare. Only the records read now and
    /// those quarantined last run are judged again (``StagingTable/quarantineCandidate``): every other
    /// record was loadable and is unchanged, and nothing it could share an id with is new.
    func prepareToDecideAgain() throws {
        try database.execute("""
            \(StagingTable.previouslyQuarantined.recreate)
            \(StagingTable.quarantineCandidate.recreate)
            INSERT OR IGNORE INTO \(StagingTable.previouslyQuarantined) SELECT kind, rid FROM \(StagingTable.quarantine) WHERE kind <> 'Deleted';
            INSERT INTO \(StagingTable.quarantineCandidate) SELECT kind, rid FROM \(StagingTable.previouslyQuarantined);
            """)
        for kind in RecordKind.allCases {
            try database.execute("""
                UPDATE \(Self.table(kind)) SET quarantined = 0
                WHERE rid IN (SELECT rid FROM \(StagingTable.previouslyQuarantined) WHERE kind = ?)
                """, [.text(kind.rawValue)])
            try database.execute("""
                INSERT OR IGNORE INTO \(StagingTable.quarantineCandidate) SELECT ?, rid FROM \(Self.table(kind)) WHERE rid >= \(ridOffset)
                """, [.text(kind.rawValue)])
        }
        try database.execute("DELETE FROM \(StagingTable.quarantine) WHERE kind <> 'Deleted'")
    }

    /// Quarantines what quarantined records own (Members with their Family, Outcomes with their Plan,
    /// Parts and Sections with their Document, Statuses with their Person) and flags every quarantined
    /// row. Safe to run again after more records were quarantined.
    public func cascadeQuarantine() throws {
        for kind in RecordKind.allCases {
            guard let owner = kind.owner else { continue }
            // What is already quarantined for this reason is one list (`NOT IN`, built once), not a
            // search of the unindexed quarantine table for every owned row (`NOT EXISTS`): 22 of the
            // staging step's 29 s on a 5 GB export.
            try database.execute("""
                INSERT INTO \(StagingTable.quarantine) (kind, rid, record_id, reason, line)
                SELECT '\(kind.rawValue)', t.rid, t.record_id, 'its \(owner.rawValue) is quarantined', t.line
                FROM \(Self.table(kind)) t
                WHERE t.owner_rid IN (SELECT rid FROM \(StagingTable.quarantine) WHERE kind = '\(owner.rawValue)')
                  AND t.rid NOT IN (SELECT rid FROM \(StagingTable.quarantine) WHERE kind = '\(kind.rawValue)' AND rid IS NOT NULL
                                    AND reason = 'its \(owner.rawValue) is quarantined')
                """)
        }
        for kind in RecordKind.allCases {
            try database.execute("""
                UPDATE \(Self.table(kind)) SET quarantined = 1
                WHERE quarantined = 0 AND rid IN (SELECT rid FROM \(StagingTable.quarantine) WHERE kind = '\(kind.rawValue)')
                """)
        }
    }

    /// Quarantines the deletions of the export being staged that name no record of the state (held in
    /// the tables `state` names, of `kinds`; with `before`, only their rows below that rid are the
    /// state): they cannot be applied.
    public func quarantineUnknownDeletions(kinds: [RecordKind], state: (RecordKind) -> String, before: Int?) throws {
        let known = kinds.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let held = kinds.map {
            "SELECT 1 FROM \(state($0)) s WHERE d.kind = '\($0.rawValue)' AND s.record_id = d.id\(before.map { " AND s.rid < \($0)" } ?? "")"
        }.joined(separator: " UNION ALL ")
        try database.execute("""
            INSERT INTO \(StagingTable.quarantine) (kind, rid, record_id, reason, line)
            SELECT 'Deleted', d.rid, d.record_id,
                   CASE WHEN d.kind IS NULL OR d.id IS NULL THEN 'names no kind and id'
                        WHEN d.kind NOT IN (\(known)) THEN 'names kind ' || d.kind || ', which is not a whole record that can be deleted'
                        ELSE 'names ' || d.kind || ' ' || d.id || ', which the target does not hold' END,
                   d.line
            FROM \(Self.table(.deleted)) d
            WHERE (d.kind IS NULL OR d.id IS NULL OR d.kind NOT IN (\(known)) OR NOT EXISTS (\(held)))\(before.map { " AND d.rid >= \($0)" } ?? "")
            """)
    }

    // MARK: The rows a target table would receive

    /// Which incoming rows a quarantine decision about target rows judges.
    public enum IncomingScope: Sendable {
        /// Every row.
        case all
        /// In a staging a delta continues: the rows of records judged again (new, or quarantined last
        /// run) and the rows built again for target table `table`; every other row loaded last run unchanged.
        case judgedAgain(table: String)
    }

    private func condition(_ scope: IncomingScope, kind: RecordKind) -> String {
        guard case let .judgedAgain(table) = scope else { return "" }
        return """
            AND (i._rid IN (SELECT rid FROM \(StagingTable.quarantineCandidate) WHERE kind = '\(kind.rawValue)')
                 OR i._rid IN (SELECT rid FROM \(StagingTable.touched) WHERE tbl = '\(table)'))
            """
    }

    /// Quarantines the records of `kind` whose row in `incoming` has no value for a column of `columns`,
    /// once for each such column, with its reason. One pass over `incoming` finds them all (a table has
    /// a required column for each part of its key and each NOT NULL one); the few rows it finds are then
    /// listed column by column. The incoming rows are read first (`CROSS JOIN` keeps that order) and
    /// only those few look their record up: left to itself, SQLite read every record of the kind and
    /// looked its row up (sections 59 ms against 15 ms).
    public func quarantineLacking(_ columns: [(column: String, reason: String)], in incoming: StagingTable, kind: RecordKind,
                                  scope: IncomingScope) throws {
        guard !columns.isEmpty else { return }
        let lacks = columns.map { "i.\(quotedName($0.column)) IS NULL" }
        let each = columns.indices.map { "SELECT ?1, _rid, record_id, ?\($0 + 2), _line FROM lacking WHERE lacks\($0)" }
        try database.execute("""
            WITH lacking AS MATERIALIZED (
                SELECT i._rid, i._line, r.record_id, \(lacks.enumerated().map { "\($1) AS lacks\($0)" }.joined(separator: ", "))
                FROM \(incoming) i CROSS JOIN \(Self.table(kind)) r ON r.rid = i._rid
                WHERE i._q = 0 AND (\(lacks.joined(separator: " OR "))) \(condition(scope, kind: kind)))
            INSERT INTO \(StagingTable.quarantine) (kind, rid, record_id, reason, line)
            \(each.joined(separator: "\nUNION ALL "))
            """, [.text(kind.rawValue)] + columns.map { .text($0.reason) })
    }

    /// Quarantines the records of `kind` whose rows in `incoming` (for target table `table`) share a key.
    public func quarantineSharedKeys(in incoming: StagingTable, table: String, kind: RecordKind, scope: IncomingScope) throws {
        let judged = condition(scope, kind: kind)
        let keys = judged.isEmpty ? "" : "AND _key IN (SELECT i._key FROM \(incoming) i WHERE i._q = 0 \(judged))"
        try database.execute("""
            INSERT INTO \(StagingTable.quarantine) (kind, rid, record_id, reason, line)
            SELECT ?1, i._rid, r.record_id, 'shares key ' || i._key || ' of \(table) with ' || (d.n - 1) || ' other record(s)', i._line
            FROM \(incoming) i JOIN \(Self.table(kind)) r ON r.rid = i._rid
            JOIN (SELECT _key, count(*) AS n FROM \(incoming) WHERE _q = 0 AND _key IS NOT NULL \(keys)
                  GROUP BY _key HAVING count(*) > 1) d
              ON d._key = i._key
            WHERE i._q = 0
            """, [.text(kind.rawValue)])
    }

    /// Flags the rows of `incoming` whose record (of `kind`) is quarantined.
    public func flagQuarantinedRows(in incoming: StagingTable, kind: RecordKind) throws {
        try database.execute("""
            UPDATE \(incoming) SET _q = 1 WHERE _q = 0 AND _rid IN (SELECT rid FROM \(StagingTable.quarantine) WHERE kind = ?)
            """, [.text(kind.rawValue)])
    }

    /// Makes the rows of `incoming` loadable again for the records (of `kind`) quarantined last run, whose
    /// quarantine a continued staging decides again.
    public func unflagPreviouslyQuarantinedRows(in incoming: StagingTable, kind: RecordKind) throws {
        try database.execute("""
            UPDATE \(incoming) SET _q = 0 WHERE _rid IN (SELECT rid FROM \(StagingTable.previouslyQuarantined) WHERE kind = ?)
            """, [.text(kind.rawValue)])
    }

    // MARK: Counting

    /// The records in quarantine, as ``QuarantineCount`` defines them: every record of every kind in
    /// `stg_quarantine`, once however many reasons it has (what a quarantined record owns counted in its
    /// own kind). A load stores exactly these, one `casebridge_quarantine` row each.
    public func quarantineCount() throws -> QuarantineCount {
        QuarantineCount(records: try database.scalar("""
            SELECT count(*) FROM (SELECT DISTINCT kind, rid FROM \(StagingTable.quarantine))
            """)?.int ?? 0)
    }
}
