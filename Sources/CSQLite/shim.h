#ifndef CASEBRIDGE_CSQLITE_SHIM_H
#define CASEBRIDGE_CSQLITE_SHIM_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

/// `SQLITE_TRANSIENT` is a macro of a cast function pointer, which Swift does not import.
static inline sqlite3_destructor_type casebridge_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

/// `SQLITE_STATIC` likewise: the bound memory outlives the statement step.
static inline sqlite3_destructor_type casebridge_sqlite_static(void) {
    return SQLITE_STATIC;
}

/// Turns SQLite's memory statistics off: with them on, every allocation SQLite makes takes a lock
/// shared by all connections. Only takes before SQLite is first used (SQLITE_MISUSE after).
static inline int casebridge_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/// Prints to stderr each statement that ran for at least the threshold (milliseconds, in `context`),
/// with its time and its SQL (whitespace folded, cut at 160 characters; bound values are not shown).
static inline int casebridge_profile_statement(unsigned type, void *context, void *statement, void *nanoseconds) {
    if (type != SQLITE_TRACE_PROFILE) return 0;
    sqlite3_int64 elapsed = *(sqlite3_int64 *)nanoseconds;
    if (elapsed < (sqlite3_int64)(intptr_t)context * 1000000) return 0;
    const char *sql = sqlite3_sql((sqlite3_stmt *)statement);
    char folded[161];
    int length = 0, space = 0;
    for (const char *c = sql ? sql : "?"; *c && length < 160; c++) {
        if (*c == ' ' || *c == '\n' || *c == '\t' || *c == '\r') { space = length > 0; continue; }
        if (space && length < 159) folded[length++] = ' ';
        space = 0;
        folded[length++] = *c;
    }
    folded[length] = 0;
    fprintf(stderr, "casebridge: sql %8.1f ms  %s\n", elapsed / 1e6, folded);
    return 0;
}

/// Profiles the connection's statements (see `casebridge_profile_statement`).
static inline void casebridge_profile(sqlite3 *db, int milliseconds) {
    sqlite3_trace_v2(db, SQLITE_TRACE_PROFILE, casebridge_profile_statement, (void *)(intptr_t)milliseconds);
}

#endif
