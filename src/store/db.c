/* Opening an existing store, with readable errors for files that are not one. */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "store/store.h"


int cap_store_check_db(sqlite3 *db, const char *path, int min_version, char *err, size_t errn)
{
	sqlite3_stmt *s = NULL;
	int rc, tables = 0, has_events = 0, version = 0;

	rc = sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type='table'", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			tables++;
			if (!strcmp((const char *)sqlite3_column_text(s, 0), "events"))
				has_events = 1;
		}
		sqlite3_finalize(s);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_OK) {
		snprintf(err, errn, "%s: not a readable Capsule database (%s)", path, sqlite3_errstr(rc));
		return rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT ? -EINVAL : -EIO;
	}
	if (!tables)
		return 0; /* new and empty */
	if (!has_events) {
		snprintf(err, errn, "%s: an SQLite database but not a Capsule store (no events table)", path);
		return -EINVAL;
	}
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			version = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	if (version > CAP_STORE_VERSION) {
		snprintf(err, errn, "%s: store version %d is newer than this capsule reads (%d)", path, version,
			 CAP_STORE_VERSION);
		return -EINVAL;
	}
	if (version < min_version) {
		/* version 1 indexed whole sessions; its indexes and event_times do not fit the queries */
		snprintf(err, errn, "%s: store version %d was written by an older capsule; rebuild it from the "
			 "session log: capsule import DIR/events.jsonl --db NEW.db", path, version);
		return -EINVAL;
	}
	return 0;
}

void cap_store_harden(sqlite3 *db)
{
	/* a database file is data from wherever it came: no schema-borne SQL functions or
	 * virtual tables run with our privileges, and no way to corrupt it through SQL */
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
}

int cap_store_open_existing(sqlite3 **db, const char *path, bool readonly, int min_version, char *err, size_t errn)
{
	struct stat st;
	*db = NULL;
	if (stat(path, &st)) {
		snprintf(err, errn, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errn, "%s: not a database file", path);
		return -EINVAL;
	}
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errn, "cannot open %s: %s", path, *db ? sqlite3_errmsg(*db) : "out of memory");
		sqlite3_close(*db);
		*db = NULL;
		return -EIO;
	}
	sqlite3_busy_timeout(*db, 5000);
	cap_store_harden(*db);
	/* readers map the file rather than copy each page through read(): a query that returns
	 * rows spread over the whole session (--comm of a busy command) touches most pages */
	if (readonly)
		sqlite3_exec(*db, "PRAGMA mmap_size=" CAP_STORE_MMAP_BYTES, NULL, NULL, NULL);
	int ret = cap_store_check_db(*db, path, min_version, err, errn);
	if (!ret && st.st_size == 0) {
		snprintf(err, errn, "%s: empty file, not a Capsule database", path);
		ret = -EINVAL;
	}
	if (ret) {
		sqlite3_close(*db);
		*db = NULL;
	}
	return ret;
}
