import CasebridgeModel

/// What a delta changed in a staging it continues (``StagingStore/init(continuing:ridOffset:sequence:)``):
/// the records it added, the ones it dropped, and the ones whose quarantine it turned, by kind and id;
/// and a view of the staging narrowed to those records, for rules that judge records one at a time.
///
/// ``StagingStore/markChanges(newFrom:)`` builds two temporary tables:
/// - `temp.changed_record (kind, record_id)`: the kind and id of every record read now (rid ≥
///   `newFrom`), of the owner of each, of the record each invalid value read now is reported on, of
///   every record dropped (`stg_dropped_ids`, kept by the delta's apply step), and of every record whose
///   quarantine differs from the last run's (and of its owner);
/// - `temp.scope_record (kind, rid)`: the staged rows of those records, with every row they own, every
///   new row, and rows whose owner is unknown.
///
/// It also lists, as `('origin', value)`, the family documents whose copies may be judged differently
/// (``changedOrigin``): those of which a copy was read now, dropped or turned quarantine, and those of
/// the families whose members changed or name a person who came, went or turned quarantine; and `temp.scope_group (kind, rid)`
/// holds their copies, the members of the families those name, and the persons the members name.
///
/// ``StagingStore/narrow(_:)`` then shadows each `stg_` table by a temporary copy of the same name
/// holding only those rows (and `stg_invalid` by the values reported on changed records); SQL that
/// names tables without a schema reads the copies until ``StagingStore/widen()``.
extension StagingStore {
    /// The kind under which ``markChanges(newFrom:)`` lists the origins of family documents.
    public static let changedOrigin = "origin"

    /// Fields whose values records are judged together by (a family document's copies by `origin`, a
    /// family's members by `family`): a delta keeps them for the records it drops (`stg_dropped_refs`).
    public static let groupingFields: [RecordKind: [String]] = [.document: ["origin"], .member: ["family"]]

    /// The indexes ``markChanges(newFrom:naming:)`` finds the documents of a person or a family that
    /// changed by: without them, each was a pass over every document the state holds (a twentieth of a
    /// nightly delta's time). A staging kept for the next delta gets them (``buildChangeIndexes(in:)``);
    /// a check, which marks no changes, does without.
    static let changeIndexes: [RecordKind: [[String]]] = [.document: [["person"], ["family"]]]

    /// Builds ``changeIndexes`` in the staging `database`, where it lacks them.
    public static func buildChangeIndexes(in database: Database) throws {
        try createIndexes(changeIndexes, in: database)
    }

    /// Builds `temp.changed_record` and `temp.scope_record` for the records read from rid `newFrom` on,
    /// and returns the changed records' keys (`kind` and `id`). With `naming`, the records that name (by
    /// a field named after the kind: `person`) an id of those kinds that appeared or went are changed too.
    @discardableResult
    public func markChanges(newFrom: Int, naming: Set<RecordKind> = []) throws -> Set<RecordKey> {
        let from: [SQLValue] = [.integer(Int64(newFrom))]
        try database.execute("""
            \(StagingTable.changedRecord.recreate)
            \(StagingTable.scopeRecord.recreate)
            \(StagingTable.turnedQuarantine.recreate)
            INSERT INTO \(StagingTable.turnedQuarantine)
                SELECT kind, rid FROM \(StagingTable.previouslyQuarantined) EXCEPT SELECT kind, rid FROM \(StagingTable.quarantine);
            INSERT INTO \(StagingTable.turnedQuarantine)
                SELECT kind, rid FROM \(StagingTable.quarantine) WHERE kind <> 'Deleted' EXCEPT SELECT kind, rid FROM \(StagingTable.previouslyQuarantined);
            INSERT OR IGNORE INTO \(StagingTable.changedRecord) SELECT kind, record_id FROM \(StagingTable.droppedIDs) WHERE record_id IS NOT NULL;
            """)
        try database.execute("""
            INSERT OR IGNORE INTO \(StagingTable.changedRecord)
            SELECT reported_kind, record_id FROM \(StagingTable.invalid) WHERE rid >= ? AND record_id IS NOT NULL
            """, from)
        // Each kind's records read now, and those whose quarantine turned (each with its owner).
        let sources = ["rid >= \(newFrom)", "rid IN (SELECT rid FROM \(StagingTable.turnedQuarantine) WHERE kind = ?1)"]
        for kind in RecordKind.allCases {
            let table = Self.table(kind)
            for rows in sources {
                try database.execute("""
                    INSERT OR IGNORE INTO \(StagingTable.changedRecord) SELECT ?1, record_id FROM \(table) WHERE record_id IS NOT NULL AND \(rows)
                    """, [.text(kind.rawValue)])
                guard let owner = kind.owner else { continue }
                try database.execute("""
                    INSERT OR IGNORE INTO \(StagingTable.changedRecord)
                    SELECT ?2, o.record_id FROM \(table) t JOIN \(Self.table(owner)) o ON o.rid = t.owner_rid
                    WHERE o.record_id IS NOT NULL AND t.\(rows)
                    """, [.text(kind.rawValue), .text(owner.rawValue)])
            }
        }
        for kind in naming.sorted() { try markNaming(kind, newFrom: newFrom) }
        // Owners first, so that what they own follows them.
        for kind in RecordKind.allCases.sorted(by: { ($0.owner == nil ? 0 : 1) < ($1.owner == nil ? 0 : 1) }) {
            let table = Self.table(kind)
            let name = SQLValue.text(kind.rawValue)
            try database.execute("INSERT OR IGNORE INTO \(StagingTable.scopeRecord) SELECT ?1, rid FROM \(table) WHERE rid >= ?2", [name] + from)
            if kind.hasUniqueId || kind.owner == nil {
                try database.execute("""
                    INSERT OR IGNORE INTO \(StagingTable.scopeRecord)
                    SELECT ?1, rid FROM \(table) WHERE record_id IN (SELECT record_id FROM \(StagingTable.changedRecord) WHERE kind = ?1)
                    """, [name])
            }
            guard let owner = kind.owner else { continue }
            // What the records in scope own, and what names an owner the staging does not hold.
            try database.execute("""
                INSERT OR IGNORE INTO \(StagingTable.scopeRecord)
                SELECT ?1, rid FROM \(table) WHERE owner_rid IN (SELECT rid FROM \(StagingTable.scopeRecord) WHERE kind = ?2)
                """, [name, .text(owner.rawValue)])
            try database.execute("INSERT OR IGNORE INTO \(StagingTable.scopeRecord) SELECT ?1, rid FROM \(table) WHERE owner_rid IS NULL", [name])
        }
        try markChangedOrigins(newFrom: newFrom)
        var keys = Set<RecordKey>()
        for row in try database.rows("SELECT kind, record_id FROM \(StagingTable.changedRecord)") {
            if let kind = row["kind"], let id = row["record_id"] { keys.insert(RecordKey(kind: kind, id: id)) }
        }
        return keys
    }

    /// Adds to `temp.changed_record` the records with ids of their own that name, in their field named
    /// after `kind`, an id of `kind` that no record held before the delta or none holds after it.
    private func markNaming(_ kind: RecordKind, newFrom: Int) throws {
        let name = SQLValue.text(kind.rawValue)
        try database.execute("""
            \(StagingTable.existenceTurned.recreate)
            """)
        try database.execute("""
            INSERT OR IGNORE INTO \(StagingTable.existenceTurned)
            SELECT record_id FROM \(Self.table(kind)) WHERE rid >= \(newFrom) AND record_id IS NOT NULL
            EXCEPT SELECT record_id FROM \(StagingTable.droppedIDs) WHERE kind = ?1 AND quarantined IS NOT NULL
            """, [name])
        try database.execute("""
            INSERT OR IGNORE INTO \(StagingTable.existenceTurned)
            SELECT record_id FROM \(StagingTable.droppedIDs) WHERE kind = ?1 AND quarantined IS NOT NULL
            EXCEPT SELECT record_id FROM \(Self.table(kind)) WHERE rid >= \(newFrom) AND record_id IS NOT NULL
            """, [name])
        guard try database.scalar("SELECT count(*) FROM \(StagingTable.existenceTurned)")?.int != 0 else { return }
        let field = kind.rawValue.lowercased()
        for naming in RecordKind.allCases where naming != kind && naming.hasUniqueId && CanonicalSchema.field(field, of: naming) != nil {
            try database.execute("""
                INSERT OR IGNORE INTO \(StagingTable.changedRecord)
                SELECT ?1, record_id FROM \(Self.table(naming))
                WHERE \(quotedName(field)) IN (SELECT id FROM \(StagingTable.existenceTurned)) AND record_id IS NOT NULL
                """, [.text(naming.rawValue)])
        }
    }

    /// Lists the changed origins in `temp.changed_record` and fills `temp.scope_group`.
    private func markChangedOrigins(newFrom: Int) throws {
        let origin = SQLValue.text(Self.changedOrigin)
        let insert = "INSERT OR IGNORE INTO \(StagingTable.changedRecord) (kind, record_id)"
        try database.execute("""
            \(StagingTable.changedFamily.recreate)
            \(StagingTable.scopeGroup.recreate)
            """)
        // Copies read now, turned, or dropped.
        try database.execute("\(insert) SELECT ?1, origin FROM \(StagingTable.records(.document)) WHERE rid >= \(newFrom) AND origin IS NOT NULL", [origin])
        try database.execute("""
            \(insert) SELECT ?1, origin FROM \(StagingTable.records(.document))
            WHERE rid IN (SELECT rid FROM \(StagingTable.turnedQuarantine) WHERE kind = 'Document') AND origin IS NOT NULL
            """, [origin])
        try database.execute("""
            \(insert) SELECT ?1, value FROM \(StagingTable.droppedRefs) WHERE kind = 'Document' AND field = 'origin'
            """, [origin])
        // Persons who came or went, or whose quarantine turned (sent again as they were, they did not).
        try database.execute("""
            \(StagingTable.personTurned.recreate)
            INSERT OR IGNORE INTO \(StagingTable.personTurned)
                SELECT record_id FROM (SELECT record_id, quarantined FROM \(StagingTable.records(.person)) WHERE rid >= \(newFrom) AND record_id IS NOT NULL
                                       EXCEPT SELECT record_id, quarantined FROM \(StagingTable.droppedIDs) WHERE kind = 'Person' AND quarantined IS NOT NULL);
            INSERT OR IGNORE INTO \(StagingTable.personTurned)
                SELECT record_id FROM (SELECT record_id, quarantined FROM \(StagingTable.droppedIDs) WHERE kind = 'Person' AND quarantined IS NOT NULL
                                       EXCEPT SELECT record_id, quarantined FROM \(StagingTable.records(.person)) WHERE rid >= \(newFrom) AND record_id IS NOT NULL);
            INSERT OR IGNORE INTO \(StagingTable.personTurned)
                SELECT record_id FROM \(StagingTable.records(.person)) WHERE rid IN (SELECT rid FROM \(StagingTable.turnedQuarantine) WHERE kind = 'Person')
                  AND record_id IS NOT NULL;
            """)
        // Families whose members changed (a family's own record changes with them), or whose members name
        // a person who came, went or turned.
        try database.execute("""
            INSERT OR IGNORE INTO \(StagingTable.changedFamily) SELECT record_id FROM \(StagingTable.changedRecord) WHERE kind = 'Family';
            INSERT OR IGNORE INTO \(StagingTable.changedFamily) SELECT value FROM \(StagingTable.droppedRefs) WHERE kind = 'Member' AND field = 'family';
            INSERT OR IGNORE INTO \(StagingTable.changedFamily) SELECT family FROM \(StagingTable.records(.member)) WHERE rid >= \(newFrom) AND family IS NOT NULL;
            INSERT OR IGNORE INTO \(StagingTable.changedFamily)
                SELECT family FROM \(StagingTable.records(.member)) WHERE rid IN (SELECT rid FROM \(StagingTable.turnedQuarantine) WHERE kind = 'Member') AND family IS NOT NULL;
            INSERT OR IGNORE INTO \(StagingTable.changedFamily)
                SELECT family FROM \(StagingTable.records(.member)) WHERE person IN (SELECT id FROM \(StagingTable.personTurned)) AND family IS NOT NULL;
            """)
        try database.execute("""
            \(insert) SELECT ?1, origin FROM \(StagingTable.records(.document)) WHERE family IN (SELECT id FROM \(StagingTable.changedFamily)) AND origin IS NOT NULL
            """, [origin])
        // The copies of those origins, the members of the families they name, the persons those name.
        try database.execute("""
            INSERT OR IGNORE INTO \(StagingTable.scopeGroup) SELECT 'Document', rid FROM \(StagingTable.records(.document))
            WHERE origin IN (SELECT record_id FROM \(StagingTable.changedRecord) WHERE kind = '\(Self.changedOrigin)');
            INSERT OR IGNORE INTO \(StagingTable.scopeGroup) SELECT 'Member', rid FROM \(StagingTable.records(.member))
            WHERE family IN (SELECT d.family FROM \(StagingTable.scopeGroup) g JOIN \(StagingTable.records(.document)) d ON d.rid = g.rid WHERE g.kind = 'Document');
            INSERT OR IGNORE INTO \(StagingTable.scopeGroup) SELECT 'Person', rid FROM \(StagingTable.records(.person))
            WHERE id IN (SELECT m.person FROM \(StagingTable.scopeGroup) g JOIN \(StagingTable.records(.member)) m ON m.rid = g.rid WHERE g.kind = 'Member');
            """)
    }

    /// Which staged records rules judging a delta's changes read (``narrow(_:)``).
    public enum Narrowing: Hashable, Sendable {
        /// The rows of `temp.scope_record`, except that the tables of `keepingWhole` are read whole.
        case records(keepingWhole: [RecordKind])
        /// The rows of `temp.scope_group`: the copies of changed origins, their families' members and persons.
        case familyDocuments
    }

    /// Shadows every staged table by a temporary copy of its rows in the scope `narrowing` names, with
    /// the same indexes (and `stg_invalid` by the values reported on records in `temp.changed_record`).
    /// Copies rather than views, so that the rules' queries keep their indexes.
    public func narrow(_ narrowing: Narrowing) throws {
        let groups = narrowing == .familyDocuments
        let scope = groups ? "\(StagingTable.scopeGroup)" : "\(StagingTable.scopeRecord)"
        var whole: [RecordKind] = []
        if case let .records(keepingWhole) = narrowing { whole = keepingWhole }
        var sql = ""
        for kind in RecordKind.allCases where !whole.contains(kind) {
            let table = Self.table(kind)
            sql += """
                CREATE TEMP TABLE \(table) AS SELECT * FROM main.\(table)
                WHERE rid IN (SELECT rid FROM \(scope) WHERE kind = '\(kind.rawValue)');

                """
        }
        sql += """
            CREATE TEMP TABLE \(StagingTable.invalid) AS SELECT * FROM main.\(StagingTable.invalid)
            WHERE (reported_kind, record_id) IN (SELECT kind, record_id FROM \(StagingTable.changedRecord))\(groups ? " AND 0" : "");

            """
        for row in try database.rows("""
            SELECT sql FROM main.sqlite_master WHERE type = 'index' AND sql IS NOT NULL
              AND tbl_name IN (\(Self.shadowed.filter { table in !whole.contains { Self.table($0) == table } }.map { "'\($0)'" }.joined(separator: ", ")))
            """) {
            guard let create = row["sql"], create.hasPrefix("CREATE INDEX ") else { continue }
            var index = create.dropFirst("CREATE INDEX ".count)
            if index.hasPrefix("IF NOT EXISTS ") { index = index.dropFirst("IF NOT EXISTS ".count) }
            sql += "CREATE INDEX temp.\(index);\n"
        }
        try database.execute(sql)
    }

    /// The staged tables ``narrow(_:)`` shadows.
    private static var shadowed: [String] { RecordKind.allCases.map(table) + ["\(StagingTable.invalid)"] }

    /// Drops the copies of ``narrow(_:)``: the tables read whole again.
    public func widen() throws {
        try database.execute(Self.shadowed.map { "DROP TABLE IF EXISTS temp.\($0);" }.joined(separator: "\n"))
    }
}

/// A record named by kind (as findings report it) and id.
public struct RecordKey: Hashable, Sendable {
    public var kind: String
    public var id: String

    public init(kind: String, id: String) {
        self.kind = kind
        self.id = id
    }
}
