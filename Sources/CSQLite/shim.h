#ifndef CASEBRIDGE_CSQLITE_SHIM_H
#define CASEBRIDGE_CSQLITE_SHIM_H

#include <sqlite3.h>

/// `SQLITE_TRANSIENT` is a macro of a cast function pointer, which Swift does not import.
static inline sqlite3_destructor_type casebridge_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

/// `SQLITE_STATIC` likewise: the bound memory outlives the statement step.
static inline sqlite3_destructor_type casebridge_sqlite_static(void) {
    return SQLITE_STATIC;
}

#endif
