-- The replacement system's tables, version 1: shaped on the Standard Safeguarding Dataset (SSD,
-- data-to-insight/ssd-data-model v1.4.5; names, types and keys only) where the reference export
-- carries the data, plus extension tables (cb_*) for what the SSD has no place for.
--
-- SSD conventions kept: nvarchar/nchar are TEXT, datetime is ISO-8601 TEXT (yyyy-MM-dd for dates,
-- yyyy-MM-ddTHH:mm:ssZ for instants), int is INTEGER, Y/N flags are 'Y' or 'N'. Links between tables
-- are written as comments (-- → table.column), not as foreign keys: as in the SSD's own scripts, where
-- every foreign key ships commented out, a legacy export holds orphans, and those are findings
-- (orphan-reference), not reasons to lose a record. The one declared foreign key, a part's content,
-- always holds: Casebridge stores the content before the part that names it.
--
-- mappings/target/ssd.yaml says which canonical records fill each table. Changing this file means a
-- new version: copy it to ssd-v2.sql and raise `version` in ssd.yaml.

-- People and organisation ------------------------------------------------------------------------

CREATE TABLE ssd_department (
    dept_team_id          TEXT PRIMARY KEY NOT NULL,
    dept_team_name        TEXT,
    dept_team_parent_id   TEXT,  -- → ssd_department.dept_team_id
    dept_team_parent_name TEXT
);

CREATE TABLE ssd_professionals (
    prof_professional_id               TEXT PRIMARY KEY NOT NULL,
    prof_staff_id                      TEXT,
    prof_professional_name             TEXT,
    prof_social_worker_registration_no TEXT,
    prof_professional_job_title        TEXT,
    prof_professional_caseload         INTEGER,
    prof_professional_department       TEXT,
    prof_full_time_equivalency         REAL,
    prof_agency_worker_flag            TEXT
);

-- Every person of the export: children, unborn children and the adults of their families.
CREATE TABLE ssd_person (
    pers_person_id        TEXT PRIMARY KEY NOT NULL,
    pers_legacy_id        TEXT,
    pers_forename         TEXT,
    pers_surname          TEXT,
    pers_sex              TEXT,
    pers_gender           TEXT,
    pers_ethnicity        TEXT,
    pers_dob              TEXT,
    pers_expected_dob     TEXT,
    pers_death_date       TEXT,
    pers_common_child_id  TEXT,
    pers_upn              TEXT,
    pers_upn_unknown      TEXT,
    pers_send_flag        TEXT,
    pers_is_mother        TEXT,
    pers_nationality      TEXT
);

CREATE TABLE ssd_family (
    fami_table_id  TEXT PRIMARY KEY NOT NULL,
    fami_family_id TEXT NOT NULL,
    fami_person_id TEXT NOT NULL  -- → ssd_person.pers_person_id
);
CREATE INDEX ssd_family_family ON ssd_family (fami_family_id);

CREATE TABLE ssd_involvements (
    invo_involvements_id        TEXT PRIMARY KEY NOT NULL,
    invo_professional_id        TEXT,  -- → ssd_professionals.prof_professional_id
    invo_professional_role_id   TEXT,
    invo_professional_team      TEXT,  -- → ssd_department.dept_team_id
    invo_person_id              TEXT,  -- → ssd_person.pers_person_id
    invo_involvement_start_date TEXT,
    invo_involvement_end_date   TEXT,
    invo_worker_change_reason   TEXT,
    invo_referral_id            TEXT
);
CREATE INDEX ssd_involvements_person ON ssd_involvements (invo_person_id);

-- Legal status spells. The reference export carries no legal status (its Status codes CIN, CP and LAC
-- are kept in cb_person_status), so this table stays empty; another council's mapping may fill it.
CREATE TABLE ssd_legal_status (
    lega_legal_status_id         TEXT PRIMARY KEY NOT NULL,
    lega_person_id               TEXT NOT NULL,  -- → ssd_person.pers_person_id
    lega_legal_status            TEXT,
    lega_legal_status_start_date TEXT,
    lega_legal_status_end_date   TEXT
);

-- Plans and visits ---------------------------------------------------------------------------------

CREATE TABLE ssd_cin_plans (
    cinp_cin_plan_id         TEXT PRIMARY KEY NOT NULL,
    cinp_referral_id         TEXT,
    cinp_person_id           TEXT NOT NULL,  -- → ssd_person.pers_person_id
    cinp_cin_plan_start_date TEXT,
    cinp_cin_plan_end_date   TEXT,
    cinp_cin_plan_team       TEXT,  -- → ssd_department.dept_team_id
    cinp_cin_plan_worker_id  TEXT  -- → ssd_professionals.prof_professional_id
);
CREATE INDEX ssd_cin_plans_person ON ssd_cin_plans (cinp_person_id);

CREATE TABLE ssd_cp_plans (
    cppl_cp_plan_id               TEXT PRIMARY KEY NOT NULL,
    cppl_referral_id              TEXT,
    cppl_icpc_id                  TEXT,
    cppl_person_id                TEXT NOT NULL,  -- → ssd_person.pers_person_id
    cppl_cp_plan_start_date       TEXT,
    cppl_cp_plan_end_date         TEXT,
    cppl_cp_plan_ola              TEXT,
    cppl_cp_plan_initial_category TEXT,
    cppl_cp_plan_latest_category  TEXT
);
CREATE INDEX ssd_cp_plans_person ON ssd_cp_plans (cppl_person_id);

CREATE TABLE ssd_cin_visits (
    cinv_cin_visit_id         TEXT PRIMARY KEY NOT NULL,
    cinv_person_id            TEXT,  -- → ssd_person.pers_person_id
    cinv_cin_visit_date       TEXT,
    cinv_cin_visit_seen       TEXT,
    cinv_cin_visit_seen_alone TEXT,
    cinv_cin_visit_bedroom    TEXT
);
CREATE INDEX ssd_cin_visits_person ON ssd_cin_visits (cinv_person_id);

CREATE TABLE ssd_cp_visits (
    cppv_cp_visit_id         TEXT PRIMARY KEY NOT NULL,
    cppv_person_id           TEXT,  -- → ssd_person.pers_person_id
    cppv_cp_plan_id          TEXT NOT NULL,  -- → ssd_cp_plans.cppl_cp_plan_id
    cppv_cp_visit_date       TEXT,
    cppv_cp_visit_seen       TEXT,
    cppv_cp_visit_seen_alone TEXT,
    cppv_cp_visit_bedroom    TEXT
);
CREATE INDEX ssd_cp_visits_person ON ssd_cp_visits (cppv_person_id);

-- Extension tables: what the SSD has no place for ------------------------------------------------

-- What kind of person a row of ssd_person is (child, unborn, adult) and when the legacy system last
-- changed the record.
CREATE TABLE cb_person (
    person_id     TEXT PRIMARY KEY NOT NULL,  -- → ssd_person.pers_person_id
    person_kind   TEXT,
    last_modified TEXT
);

-- Status spells (CIN, CP, LAC) of a person, open while `to_date` is NULL.
CREATE TABLE cb_person_status (
    status_id   TEXT PRIMARY KEY NOT NULL,
    person_id   TEXT NOT NULL,  -- → ssd_person.pers_person_id
    status_code TEXT,
    from_date   TEXT,
    to_date     TEXT
);
CREATE INDEX cb_person_status_person ON cb_person_status (person_id);

-- Families (households) and who belongs to them, with roles and dates: ssd_family holds the bare links.
CREATE TABLE cb_family (
    family_id   TEXT PRIMARY KEY NOT NULL,
    family_name TEXT
);

CREATE TABLE cb_family_member (
    family_id TEXT NOT NULL,  -- → cb_family.family_id
    person_id TEXT NOT NULL,  -- → ssd_person.pers_person_id
    role      TEXT,
    from_date TEXT,
    to_date   TEXT,
    PRIMARY KEY (family_id, person_id)
);
CREATE INDEX cb_family_member_person ON cb_family_member (person_id);

-- Documents: one row per copy. Family-scope copies share `origin`.
CREATE TABLE cb_document (
    document_id     TEXT PRIMARY KEY NOT NULL,
    person_id       TEXT,  -- → ssd_person.pers_person_id
    document_type   TEXT,
    scope           TEXT,
    family_id       TEXT,  -- → cb_family.family_id
    origin          TEXT,
    version         INTEGER,
    title           TEXT,
    event_date      TEXT,
    recorded_at     TEXT,
    uploaded_at     TEXT,
    author_id       TEXT,  -- → ssd_professionals.prof_professional_id
    manifest_parts  INTEGER,
    manifest_bytes  INTEGER,
    manifest_sha256 TEXT,
    parts_received  INTEGER,
    parts_sha256    TEXT
);
CREATE INDEX cb_document_person ON cb_document (person_id);
CREATE INDEX cb_document_origin ON cb_document (origin);

-- Content, stored once per SHA-256 however many parts (replicas included) hold it. Casebridge fills
-- this table itself and verifies every byte against the hash as it writes it.
CREATE TABLE cb_content (
    sha256 TEXT PRIMARY KEY NOT NULL,
    bytes  INTEGER NOT NULL,
    data   BLOB NOT NULL
);

-- The parts a document's upload holds; `content_sha256` is NULL when the content could not be read.
CREATE TABLE cb_document_part (
    document_id     TEXT NOT NULL,  -- → cb_document.document_id
    seq             INTEGER NOT NULL,
    mime            TEXT,
    declared_bytes  INTEGER,
    declared_sha256 TEXT,
    source          TEXT,
    content_sha256  TEXT REFERENCES cb_content (sha256),
    content_state   TEXT,
    PRIMARY KEY (document_id, seq)
);

CREATE TABLE cb_document_section (
    document_id  TEXT NOT NULL,  -- → cb_document.document_id
    section_name TEXT NOT NULL,
    section_text TEXT,
    PRIMARY KEY (document_id, section_name)
);

-- Every plan (CIN, CP and LAC); CIN and CP plans also have their SSD row.
CREATE TABLE cb_plan (
    plan_id    TEXT PRIMARY KEY NOT NULL,
    person_id  TEXT,  -- → ssd_person.pers_person_id
    plan_type  TEXT,
    start_date TEXT,
    end_date   TEXT,
    review_due TEXT
);
CREATE INDEX cb_plan_person ON cb_plan (person_id);

CREATE TABLE cb_plan_outcome (
    plan_id      TEXT NOT NULL,  -- → cb_plan.plan_id
    outcome_id   TEXT NOT NULL,
    target_date  TEXT,
    outcome_text TEXT,
    PRIMARY KEY (plan_id, outcome_id)
);

CREATE TABLE cb_plan_action (
    plan_id     TEXT NOT NULL,  -- → cb_plan.plan_id
    action_id   TEXT NOT NULL,
    owner_id    TEXT,  -- → ssd_professionals.prof_professional_id
    due_date    TEXT,
    action_text TEXT,
    PRIMARY KEY (plan_id, action_id)
);
