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

    /// Builds `temp.changed_record` and `temp.scope_record` for the records read from rid `newFrom` on,
    /// and returns the changed records' keys (`kind` and `id`). With `naming`, the records that name (by
    /// a field named after the kind: `person`) an id of those kinds that appeared or went are changed too.
    @discardableResult
    public func markChanges(newFrom: Int, naming: Set<RecordKind> = []) throws -> Set<RecordKey> {
        let from: [SQLValue] = [.integer(Int64(newFrom))]
        try database.execute("""
            DROP TABLE IF EXISTS temp.changed_record;
            DROP TABLE IF EXISTS temp.scope_record;
            DROP TABLE IF EXISTS temp.turned_quarantine;
            CREATE TABLE temp.changed_record (kind TEXT NOT NULL, record_id TEXT NOT NULL, PRIMARY KEY (kind, record_id)) WITHOUT ROWID;
            CREATE TABLE temp.scope_record (kind TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (kind, rid)) WITHOUT ROWID;
            CREATE TABLE temp.turned_quarantine (kind TEXT NOT NULL, rid INTEGER NOT NULL);
            INSERT INTO temp.turned_quarantine
                SELECT kind, rid FROM temp.previously_quarantined EXCEPT SELECT kind, rid FROM stg_quarantine;
            INSERT INTO temp.turned_quarantine
                SELECT kind, rid FROM stg_quarantine WHERE kind <> 'Deleted' EXCEPT SELECT kind, rid FROM temp.previously_quarantined;
            INSERT OR IGNORE INTO temp.changed_record SELECT kind, record_id FROM stg_dropped_ids WHERE record_id IS NOT NULL;
            """)
        try database.execute("""
            INSERT OR IGNORE INTO temp.changed_record
            SELECT reported_kind, record_id FROM stg_invalid WHERE rid >= ? AND record_id IS NOT NULL
            """, from)
        // Each kind's records read now, and those whose quarantine turned (each with its owner).
        let sources = ["rid >= \(newFrom)", "rid IN (SELECT rid FROM temp.turned_quarantine WHERE kind = ?1)"]
        for kind in RecordKind.allCases {
            let table = Self.table(kind)
            for rows in sources {
                try database.execute("""
                    INSERT OR IGNORE INTO temp.changed_record SELECT ?1, record_id FROM \(table) WHERE record_id IS NOT NULL AND \(rows)
                    """, [.text(kind.rawValue)])
                guard let owner = kind.owner else { continue }
                try database.execute("""
                    INSERT OR IGNORE INTO temp.changed_record
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
            try database.execute("INSERT OR IGNORE INTO temp.scope_record SELECT ?1, rid FROM \(table) WHERE rid >= ?2", [name] + from)
            if kind.hasUniqueId || kind.owner == nil {
                try database.execute("""
                    INSERT OR IGNORE INTO temp.scope_record
                    SELECT ?1, rid FROM \(table) WHERE record_id IN (SELECT record_id FROM temp.changed_record WHERE kind = ?1)
                    """, [name])
            }
            guard let owner = kind.owner else { continue }
            // What the records in scope own, and what names an owner the staging does not hold.
            try database.execute("""
                INSERT OR IGNORE INTO temp.scope_record
                SELECT ?1, rid FROM \(table) WHERE owner_rid IN (SELECT rid FROM temp.scope_record WHERE kind = ?2)
                """, [name, .text(owner.rawValue)])
            try database.execute("INSERT OR IGNORE INTO temp.scope_record SELECT ?1, rid FROM \(table) WHERE owner_rid IS NULL", [name])
        }
        try markChangedOrigins(newFrom: newFrom)
        var keys = Set<RecordKey>()
        for row in try database.rows("SELECT kind, record_id FROM temp.changed_record") {
            if let kind = row["kind"], let id = row["record_id"] { keys.insert(RecordKey(kind: kind, id: id)) }
        }
        return keys
    }

    /// Adds to `temp.changed_record` the records with ids of their own that name, in their field named
    /// after `kind`, an id of `kind` that no record held before the delta or none holds after it.
    private func markNaming(_ kind: RecordKind, newFrom: Int) throws {
        let name = SQLValue.text(kind.rawValue)
        try database.execute("""
            DROP TABLE IF EXISTS temp.existence_turned;
            CREATE TABLE temp.existence_turned (id TEXT PRIMARY KEY) WITHOUT ROWID;
            """)
        try database.execute("""
            INSERT OR IGNORE INTO temp.existence_turned
            SELECT record_id FROM \(Self.table(kind)) WHERE rid >= \(newFrom) AND record_id IS NOT NULL
            EXCEPT SELECT record_id FROM stg_dropped_ids WHERE kind = ?1 AND quarantined IS NOT NULL
            """, [name])
        try database.execute("""
            INSERT OR IGNORE INTO temp.existence_turned
            SELECT record_id FROM stg_dropped_ids WHERE kind = ?1 AND quarantined IS NOT NULL
            EXCEPT SELECT record_id FROM \(Self.table(kind)) WHERE rid >= \(newFrom) AND record_id IS NOT NULL
            """, [name])
        guard try database.scalar("SELECT count(*) FROM temp.existence_turned")?.int != 0 else { return }
        let field = kind.rawValue.lowercased()
        for naming in RecordKind.allCases where naming != kind && naming.hasUniqueId && CanonicalSchema.field(field, of: naming) != nil {
            try database.execute("""
                INSERT OR IGNORE INTO temp.changed_record
                SELECT ?1, record_id FROM \(Self.table(naming))
                WHERE \(Self.quoted(field)) IN (SELECT id FROM temp.existence_turned) AND record_id IS NOT NULL
                """, [.text(naming.rawValue)])
        }
    }

    /// Lists the changed origins in `temp.changed_record` and fills `temp.scope_group`.
    private func markChangedOrigins(newFrom: Int) throws {
        let origin = SQLValue.text(Self.changedOrigin)
        let insert = "INSERT OR IGNORE INTO temp.changed_record (kind, record_id)"
        try database.execute("""
            DROP TABLE IF EXISTS temp.changed_family;
            DROP TABLE IF EXISTS temp.scope_group;
            CREATE TABLE temp.changed_family (id TEXT PRIMARY KEY) WITHOUT ROWID;
            CREATE TABLE temp.scope_group (kind TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (kind, rid)) WITHOUT ROWID;
            """)
        // Copies read now, turned, or dropped.
        try database.execute("\(insert) SELECT ?1, origin FROM stg_document WHERE rid >= \(newFrom) AND origin IS NOT NULL", [origin])
        try database.execute("""
            \(insert) SELECT ?1, origin FROM stg_document
            WHERE rid IN (SELECT rid FROM temp.turned_quarantine WHERE kind = 'Document') AND origin IS NOT NULL
            """, [origin])
        try database.execute("""
            \(insert) SELECT ?1, value FROM stg_dropped_refs WHERE kind = 'Document' AND field = 'origin'
            """, [origin])
        // Persons who came or went, or whose quarantine turned (sent again as they were, they did not).
        try database.execute("""
            DROP TABLE IF EXISTS temp.person_turned;
            CREATE TABLE temp.person_turned (id TEXT PRIMARY KEY) WITHOUT ROWID;
            INSERT OR IGNORE INTO temp.person_turned
                SELECT record_id FROM (SELECT record_id, quarantined FROM stg_person WHERE rid >= \(newFrom) AND record_id IS NOT NULL
                                       EXCEPT SELECT record_id, quarantined FROM stg_dropped_ids WHERE kind = 'Person' AND quarantined IS NOT NULL);
            INSERT OR IGNORE INTO temp.person_turned
                SELECT record_id FROM (SELECT record_id, quarantined FROM stg_dropped_ids WHERE kind = 'Person' AND quarantined IS NOT NULL
                                       EXCEPT SELECT record_id, quarantined FROM stg_person WHERE rid >= \(newFrom) AND record_id IS NOT NULL);
            INSERT OR IGNORE INTO temp.person_turned
                SELECT record_id FROM stg_person WHERE rid IN (SELECT rid FROM temp.turned_quarantine WHERE kind = 'Person')
                  AND record_id IS NOT NULL;
            """)
        // Families whose members changed (a family's own record changes with them), or whose members name
        // a person who came, went or turned.
        try database.execute("""
            INSERT OR IGNORE INTO temp.changed_family SELECT record_id FROM temp.changed_record WHERE kind = 'Family';
            INSERT OR IGNORE INTO temp.changed_family SELECT value FROM stg_dropped_refs WHERE kind = 'Member' AND field = 'family';
            INSERT OR IGNORE INTO temp.changed_family SELECT family FROM stg_member WHERE rid >= \(newFrom) AND family IS NOT NULL;
            INSERT OR IGNORE INTO temp.changed_family
                SELECT family FROM stg_member WHERE rid IN (SELECT rid FROM temp.turned_quarantine WHERE kind = 'Member') AND family IS NOT NULL;
            INSERT OR IGNORE INTO temp.changed_family
                SELECT family FROM stg_member WHERE person IN (SELECT id FROM temp.person_turned) AND family IS NOT NULL;
            """)
        try database.execute("""
            \(insert) SELECT ?1, origin FROM stg_document WHERE family IN (SELECT id FROM temp.changed_family) AND origin IS NOT NULL
            """, [origin])
        // The copies of those origins, the members of the families they name, the persons those name.
        try database.execute("""
            INSERT OR IGNORE INTO temp.scope_group SELECT 'Document', rid FROM stg_document
            WHERE origin IN (SELECT record_id FROM temp.changed_record WHERE kind = '\(Self.changedOrigin)');
            INSERT OR IGNORE INTO temp.scope_group SELECT 'Member', rid FROM stg_member
            WHERE family IN (SELECT d.family FROM temp.scope_group g JOIN stg_document d ON d.rid = g.rid WHERE g.kind = 'Document');
            INSERT OR IGNORE INTO temp.scope_group SELECT 'Person', rid FROM stg_person
            WHERE id IN (SELECT m.person FROM temp.scope_group g JOIN stg_member m ON m.rid = g.rid WHERE g.kind = 'Member');
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
        let scope = groups ? "temp.scope_group" : "temp.scope_record"
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
            CREATE TEMP TABLE stg_invalid AS SELECT * FROM main.stg_invalid
            WHERE (reported_kind, record_id) IN (SELECT kind, record_id FROM temp.changed_record)\(groups ? " AND 0" : "");

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
    private static var shadowed: [String] { RecordKind.allCases.map(table) + ["stg_invalid"] }

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
