import CasebridgeModel
import CasebridgeStore

/// Casebridge's bookkeeping tables in a PostgreSQL target: the same tables and columns as an SQLite
/// target's (``TargetDatabase/bookkeepingDDL``, version ``TargetDatabase/bookkeepingVersion``), in
/// PostgreSQL's types, plus an `ordinal` on findings and quarantine (the order the load stored them in,
/// which SQLite keeps as its rowid). Run ids are given by the load (the last one plus one, under the
/// load's lock), so a run that rolls back uses up none.
enum PostgresBookkeeping {
    static let ddl = """
        CREATE TABLE casebridge_meta (key text PRIMARY KEY, value text NOT NULL);

        CREATE TABLE casebridge_run (
            run_id              bigint PRIMARY KEY,
            started_at          text NOT NULL,
            finished_at         text,
            export_file         text NOT NULL,
            export_id           text,
            sequence            bigint,
            export_kind         text,
            exported_at         text,
            as_of               text,
            options             text NOT NULL,
            outcome             text NOT NULL,
            reason              text,
            records_read        bigint,
            records_loaded      bigint,
            records_quarantined bigint,
            rows_inserted       bigint,
            rows_updated        bigint,
            rows_unchanged      bigint,
            rows_deleted        bigint,
            content_added       bigint,
            content_bytes_added bigint,
            findings            bigint,
            findings_new        bigint,
            findings_resolved   bigint,
            export_sha256       text,
            run_user            text,
            run_host            text,
            casebridge_version  text,
            casebridge_build    text,
            mapping_sha256      text,
            policy_sha256       text,
            target_mapping_sha256 text
        );

        CREATE TABLE casebridge_run_kind (
            run_id      bigint NOT NULL REFERENCES casebridge_run (run_id),
            kind        text NOT NULL,
            read        bigint NOT NULL,
            loaded      bigint NOT NULL,
            quarantined bigint NOT NULL,
            PRIMARY KEY (run_id, kind)
        );

        CREATE TABLE casebridge_run_table (
            run_id      bigint NOT NULL REFERENCES casebridge_run (run_id),
            table_name  text NOT NULL,
            inserted    bigint NOT NULL,
            updated     bigint NOT NULL,
            unchanged   bigint NOT NULL,
            deleted     bigint NOT NULL,
            quarantined bigint NOT NULL,
            PRIMARY KEY (run_id, table_name)
        );

        -- One row per data row: run_id names a casebridge_run row, written by the same transaction,
        -- but is not declared a foreign key, whose check once a row cost a third of writing the lineage
        -- of a full load (as in an SQLite target, where foreign keys are declared and not enforced).
        CREATE TABLE casebridge_lineage (
            table_name      text NOT NULL,
            row_key         text NOT NULL,
            record_kind     text NOT NULL,
            record_id       text,
            run_id          bigint NOT NULL,
            source_sequence bigint,
            source_line     bigint,
            row_sha256      text NOT NULL,
            PRIMARY KEY (table_name, row_key)
        );
        CREATE INDEX casebridge_lineage_record ON casebridge_lineage (record_kind, record_id);

        -- Rows a later export no longer holds: kept here, never erased.
        CREATE TABLE casebridge_deleted (
            table_name  text NOT NULL,
            row_key     text NOT NULL,
            row_json    jsonb NOT NULL,
            deleted_run bigint NOT NULL REFERENCES casebridge_run (run_id)
        );

        CREATE TABLE casebridge_raw_xml (
            sha256 text PRIMARY KEY,
            bytes  bigint NOT NULL,
            xml    text NOT NULL
        );

        -- run_id and raw_sha256 name rows the same transaction writes first (the run, the raw XML), but
        -- are not declared foreign keys: checked once a row, they were two thirds of the time a nightly
        -- delta took to store its quarantine, which every run stores whole (as the findings below).
        CREATE TABLE casebridge_quarantine (
            run_id      bigint NOT NULL,
            ordinal     bigint NOT NULL,
            kind        text NOT NULL,
            record_id   text,
            source_file text NOT NULL,
            source_line bigint,
            reasons     text NOT NULL,
            raw_sha256  text,
            raw_note    text,
            PRIMARY KEY (run_id, ordinal)
        );
        CREATE INDEX casebridge_quarantine_record ON casebridge_quarantine (kind, record_id);

        CREATE TABLE casebridge_finding (
            run_id       bigint NOT NULL,
            ordinal      bigint NOT NULL,
            rule         text NOT NULL,
            severity     text NOT NULL,
            identity     text NOT NULL,
            key_json     text NOT NULL,
            context_json text NOT NULL,
            record_kind  text,
            record_id    text,
            child        text,
            family       text,
            document     text,
            team         text,
            event_date   text,
            message      text NOT NULL,
            source_file  text,
            source_line  bigint,
            first_run    bigint NOT NULL,
            PRIMARY KEY (run_id, ordinal)
        );
        CREATE INDEX casebridge_finding_run ON casebridge_finding (run_id, rule);
        CREATE INDEX casebridge_finding_identity ON casebridge_finding (identity, run_id);

        CREATE TABLE casebridge_finding_resolved (
            run_id      bigint NOT NULL REFERENCES casebridge_run (run_id),
            rule        text NOT NULL,
            identity    text NOT NULL,
            record_kind text,
            record_id   text,
            child       text,
            family      text,
            team        text,
            first_run   bigint NOT NULL
        );
        CREATE INDEX casebridge_finding_resolved_run ON casebridge_finding_resolved (run_id);

        """ + stateDDL

    /// The live state's tables (``LiveState``), shaped like staging's: whole numbers `bigint`, the rest `text`.
    /// Keyed by `rid`, by which a delta removes what it replaced or deleted; the state is otherwise read
    /// whole (``PostgresLiveState/carry(into:sequence:)``), so it needs none of the indexes by record or
    /// owner that carrying wants in the local copy (``LiveState/ddl``).
    static var stateDDL: String {
        var sql = ""
        for kind in LiveState.kinds {
            let table = LiveState.table(kind)
            let columns = StagingStore.tableColumns(of: kind).map { column in
                "\(quotedName(column)) \(type(of: column, kind: kind))"
            }
            sql += "CREATE TABLE \(table) (\(columns.joined(separator: ", ")));\n"
        }
        let invalid = StagingStore.invalidColumns.map { "\($0) \(["rid", "is_key", "line"].contains($0) ? "bigint" : "text")" }
        sql += "CREATE TABLE \(LiveState.invalidTable) (\(invalid.joined(separator: ", ")));\n"
        sql += "CREATE INDEX \(LiveState.invalidTable)_rid ON \(LiveState.invalidTable) (rid);\n"
        return sql
    }

    private static func type(of column: String, kind: RecordKind) -> String {
        switch column {
        case "rid": return "bigint PRIMARY KEY"
        case "quarantined", "carried": return "bigint NOT NULL DEFAULT 0"
        default: return StagingStore.columnType(column, of: kind) == "INTEGER" ? "bigint" : "text"
        }
    }

    /// The bookkeeping tables a first load fills with a row for each row or record it loads (the
    /// lineage and the live state), whose indexes it builds once they are full (``PostgresDeferredIndexes``).
    static var filledInBulk: [String] {
        ["casebridge_lineage", LiveState.invalidTable] + LiveState.kinds.map(LiveState.table)
    }

    /// The bookkeeping tables a loading role writes (all but the meta table after creation), for the
    /// check of its privileges.
    static var tables: [String] {
        ["casebridge_meta", "casebridge_run", "casebridge_run_kind", "casebridge_run_table", "casebridge_lineage", "casebridge_deleted",
         "casebridge_raw_xml", "casebridge_quarantine", "casebridge_finding", "casebridge_finding_resolved", LiveState.invalidTable]
            + LiveState.kinds.map(LiveState.table)
    }
}
