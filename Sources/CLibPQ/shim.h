#ifndef CASEBRIDGE_CLIBPQ_SHIM_H
#define CASEBRIDGE_CLIBPQ_SHIM_H

// libpq, PostgreSQL's client library (Debian's libpq-dev; `pkg-config libpq` gives its folder).
#include <libpq-fe.h>

/// The error fields Casebridge reads (`PG_DIAG_*` are character-literal macros, which Swift does not import).
static inline int casebridge_pq_diag_sqlstate(void) { return PG_DIAG_SQLSTATE; }
static inline int casebridge_pq_diag_primary(void) { return PG_DIAG_MESSAGE_PRIMARY; }
static inline int casebridge_pq_diag_detail(void) { return PG_DIAG_MESSAGE_DETAIL; }
static inline int casebridge_pq_diag_hint(void) { return PG_DIAG_MESSAGE_HINT; }
static inline int casebridge_pq_diag_context(void) { return PG_DIAG_CONTEXT; }
static inline int casebridge_pq_diag_table(void) { return PG_DIAG_TABLE_NAME; }
static inline int casebridge_pq_diag_column(void) { return PG_DIAG_COLUMN_NAME; }

/// A notice processor that drops the server's notices ("schema … already exists, skipping"), which libpq
/// would otherwise print to stderr.
static inline void casebridge_pq_ignore_notice(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

static inline void casebridge_pq_quiet(PGconn *connection) {
    PQsetNoticeProcessor(connection, casebridge_pq_ignore_notice, NULL);
}

#endif
