-- The replacement system's tables, version 1, for PostgreSQL: the same tables and columns as ssd-v1.sql
-- (a test compares the two), in the types of the SSD's own PostgreSQL scripts (data-to-insight/
-- ssd-data-model v1.4.5, deployment_extracts/eclipse: names, types and keys only): ids varchar(48),
-- the SSD's lengths where it gives one, `date` for dates, `timestamptz` for instants (Casebridge
-- stages them in UTC), `char(1)` for Y/N flags, `bytea` for content.
--
-- Casebridge runs this file inside the schema the target mapping names (`postgresql: {schema: …}` in
-- ssd.yaml, default `casebridge`), with that schema first on the search path: no name here is
-- qualified. As in ssd-v1.sql, links between tables are comments (-- → table.column), not foreign
-- keys; the one declared foreign key, a part's content, always holds: it is checked when the load
-- commits (the load writes a table's rows before the content they name).
--
-- A value longer than its column allows (an id of 49 characters) fails the load with the table and
-- column named; nothing is changed. Changing this file means a new version, as for ssd-v1.sql.

-- People and organisation ------------------------------------------------------------------------

CREATE TABLE ssd_department (
    dept_team_id          varchar(48) PRIMARY KEY,
    dept_team_name        varchar(255),
    dept_team_parent_id   varchar(48),  -- → ssd_department.dept_team_id
    dept_team_parent_name varchar(255)
);

CREATE TABLE ssd_professionals (
    prof_professional_id               varchar(48) PRIMARY KEY,
    prof_staff_id                      varchar(48),
    prof_professional_name             varchar(300),
    prof_social_worker_registration_no varchar(48),
    prof_professional_job_title        varchar(500),
    prof_professional_caseload         integer,
    prof_professional_department       varchar(100),
    prof_full_time_equivalency         double precision,
    prof_agency_worker_flag            char(1)
);

-- Every person of the export: children, unborn children and the adults of their families.
CREATE TABLE ssd_person (
    pers_person_id        varchar(48) PRIMARY KEY,
    pers_legacy_id        varchar(48),
    pers_forename         varchar(100),
    pers_surname          varchar(255),
    pers_sex              varchar(20),
    pers_gender           varchar(10),
    pers_ethnicity        varchar(48),
    pers_dob              date,
    pers_expected_dob     date,
    pers_death_date       date,
    pers_common_child_id  varchar(48),
    pers_upn              varchar(13),
    pers_upn_unknown      varchar(6),
    pers_send_flag        varchar(5),
    pers_is_mother        char(1),
    pers_nationality      varchar(48)
);

CREATE TABLE ssd_family (
    fami_table_id  varchar(200) PRIMARY KEY,  -- family/person (ssd.yaml): wider than the SSD's 48
    fami_family_id varchar(48) NOT NULL,
    fami_person_id varchar(48) NOT NULL  -- → ssd_person.pers_person_id
);
CREATE INDEX ssd_family_family ON ssd_family (fami_family_id);

CREATE TABLE ssd_involvements (
    invo_involvements_id        varchar(200) PRIMARY KEY,  -- person/team/worker/from: wider than the SSD's 48
    invo_professional_id        varchar(48),  -- → ssd_professionals.prof_professional_id
    invo_professional_role_id   varchar(200),
    invo_professional_team      varchar(48),  -- → ssd_department.dept_team_id
    invo_person_id              varchar(48),  -- → ssd_person.pers_person_id
    invo_involvement_start_date date,
    invo_involvement_end_date   date,
    invo_worker_change_reason   varchar(200),
    invo_referral_id            varchar(48)
);
CREATE INDEX ssd_involvements_person ON ssd_involvements (invo_person_id);

-- Legal status spells (empty for the reference export; see ssd-v1.sql).
CREATE TABLE ssd_legal_status (
    lega_legal_status_id         varchar(48) PRIMARY KEY,
    lega_person_id               varchar(48) NOT NULL,  -- → ssd_person.pers_person_id
    lega_legal_status            varchar(100),
    lega_legal_status_start_date date,
    lega_legal_status_end_date   date
);

-- Plans and visits ---------------------------------------------------------------------------------

CREATE TABLE ssd_cin_plans (
    cinp_cin_plan_id         varchar(48) PRIMARY KEY,
    cinp_referral_id         varchar(48),
    cinp_person_id           varchar(48) NOT NULL,  -- → ssd_person.pers_person_id
    cinp_cin_plan_start_date date,
    cinp_cin_plan_end_date   date,
    cinp_cin_plan_team       varchar(48),  -- → ssd_department.dept_team_id
    cinp_cin_plan_worker_id  varchar(100)  -- → ssd_professionals.prof_professional_id
);
CREATE INDEX ssd_cin_plans_person ON ssd_cin_plans (cinp_person_id);

CREATE TABLE ssd_cp_plans (
    cppl_cp_plan_id               varchar(48) PRIMARY KEY,
    cppl_referral_id              varchar(48),
    cppl_icpc_id                  varchar(48),
    cppl_person_id                varchar(48) NOT NULL,  -- → ssd_person.pers_person_id
    cppl_cp_plan_start_date       date,
    cppl_cp_plan_end_date         date,
    cppl_cp_plan_ola              char(1),
    cppl_cp_plan_initial_category varchar(100),
    cppl_cp_plan_latest_category  varchar(100)
);
CREATE INDEX ssd_cp_plans_person ON ssd_cp_plans (cppl_person_id);

CREATE TABLE ssd_cin_visits (
    cinv_cin_visit_id         varchar(48) PRIMARY KEY,
    cinv_person_id            varchar(48),  -- → ssd_person.pers_person_id
    cinv_cin_visit_date       date,
    cinv_cin_visit_seen       char(1),
    cinv_cin_visit_seen_alone char(1),
    cinv_cin_visit_bedroom    char(1)
);
CREATE INDEX ssd_cin_visits_person ON ssd_cin_visits (cinv_person_id);

CREATE TABLE ssd_cp_visits (
    cppv_cp_visit_id         varchar(48) PRIMARY KEY,
    cppv_person_id           varchar(48),  -- → ssd_person.pers_person_id
    cppv_cp_plan_id          varchar(48) NOT NULL,  -- → ssd_cp_plans.cppl_cp_plan_id
    cppv_cp_visit_date       date,
    cppv_cp_visit_seen       char(1),
    cppv_cp_visit_seen_alone char(1),
    cppv_cp_visit_bedroom    char(1)
);
CREATE INDEX ssd_cp_visits_person ON ssd_cp_visits (cppv_person_id);

-- Extension tables: what the SSD has no place for ------------------------------------------------

CREATE TABLE cb_person (
    person_id     varchar(48) PRIMARY KEY,  -- → ssd_person.pers_person_id
    person_kind   varchar(48),
    last_modified timestamptz
);

CREATE TABLE cb_person_status (
    status_id   varchar(200) PRIMARY KEY,  -- person/code/from
    person_id   varchar(48) NOT NULL,  -- → ssd_person.pers_person_id
    status_code varchar(48),
    from_date   date,
    to_date     date
);
CREATE INDEX cb_person_status_person ON cb_person_status (person_id);

CREATE TABLE cb_family (
    family_id   varchar(48) PRIMARY KEY,
    family_name text
);

CREATE TABLE cb_family_member (
    family_id varchar(48) NOT NULL,  -- → cb_family.family_id
    person_id varchar(48) NOT NULL,  -- → ssd_person.pers_person_id
    role      varchar(48),
    from_date date,
    to_date   date,
    PRIMARY KEY (family_id, person_id)
);
CREATE INDEX cb_family_member_person ON cb_family_member (person_id);

-- Documents: one row per copy. Family-scope copies share `origin`.
CREATE TABLE cb_document (
    document_id     varchar(48) PRIMARY KEY,
    person_id       varchar(48),  -- → ssd_person.pers_person_id
    document_type   varchar(48),
    scope           varchar(48),
    family_id       varchar(48),  -- → cb_family.family_id
    origin          varchar(48),
    version         integer,
    title           text,
    event_date      date,
    recorded_at     timestamptz,
    uploaded_at     timestamptz,
    author_id       varchar(48),  -- → ssd_professionals.prof_professional_id
    manifest_parts  integer,
    manifest_bytes  bigint,
    manifest_sha256 varchar(64),
    parts_received  integer,
    parts_sha256    varchar(64)
);
CREATE INDEX cb_document_person ON cb_document (person_id);
CREATE INDEX cb_document_origin ON cb_document (origin);

-- Content, stored once per SHA-256; Casebridge verifies every byte against the hash as it writes it.
CREATE TABLE cb_content (
    sha256 varchar(64) PRIMARY KEY,
    bytes  bigint NOT NULL,
    data   bytea NOT NULL
);

CREATE TABLE cb_document_part (
    document_id     varchar(48) NOT NULL,  -- → cb_document.document_id
    seq             integer NOT NULL,
    mime            varchar(255),
    declared_bytes  bigint,
    declared_sha256 varchar(64),
    source          varchar(10),
    content_sha256  varchar(64) REFERENCES cb_content (sha256) DEFERRABLE INITIALLY DEFERRED,
    content_state   varchar(48),
    PRIMARY KEY (document_id, seq)
);

CREATE TABLE cb_document_section (
    document_id  varchar(48) NOT NULL,  -- → cb_document.document_id
    section_name varchar(255) NOT NULL,
    section_text text,
    PRIMARY KEY (document_id, section_name)
);

CREATE TABLE cb_plan (
    plan_id    varchar(48) PRIMARY KEY,
    person_id  varchar(48),  -- → ssd_person.pers_person_id
    plan_type  varchar(48),
    start_date date,
    end_date   date,
    review_due date
);
CREATE INDEX cb_plan_person ON cb_plan (person_id);

CREATE TABLE cb_plan_outcome (
    plan_id      varchar(48) NOT NULL,  -- → cb_plan.plan_id
    outcome_id   varchar(48) NOT NULL,
    target_date  date,
    outcome_text text,
    PRIMARY KEY (plan_id, outcome_id)
);

CREATE TABLE cb_plan_action (
    plan_id     varchar(48) NOT NULL,  -- → cb_plan.plan_id
    action_id   varchar(48) NOT NULL,
    owner_id    varchar(48),  -- → ssd_professionals.prof_professional_id
    due_date    date,
    action_text text,
    PRIMARY KEY (plan_id, action_id)
);
