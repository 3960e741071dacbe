#ifndef REEL_CSQLITE_SHIM_H
#define REEL_CSQLITE_SHIM_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro that casts -1 to a function pointer, which Swift cannot import.
static inline sqlite3_destructor_type reel_sqlite_transient(void) { return SQLITE_TRANSIENT; }

/// sqlite3_config is variadic; these are the calls reel makes.
static inline int reel_sqlite_config_log(void (*cb)(void *, int, const char *), void *arg) {
    return sqlite3_config(SQLITE_CONFIG_LOG, cb, arg);
}
static inline int reel_sqlite_db_config_defensive(sqlite3 *db, int on) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, on, (int *)0);
}
#endif
