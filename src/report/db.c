/* Reads a session from the store (schema: src/store/schema.sql, docs/store.md). The events
 * table keeps each events.jsonl record in its `json` column, so the report reads the same
 * objects from either source. The database is opened read-only; a damaged one is reported
 * with SQLite's reason, and whatever was read before the damage is still reported. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>
#include <json-c/json.h>
#include "format/escape.h"
#include "report/report.h"
#include "store/store.h"

static int db_error(sqlite3 *db, const char *file, const char *what, char *err, size_t errn)
{
	int code = db ? sqlite3_errcode(db) : SQLITE_CANTOPEN;
	const char *msg = db ? sqlite3_errmsg(db) : "cannot open";
	if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
		snprintf(err, errn, "%s: the database is damaged or not an SQLite database (%s)", file, msg);
	else if (strstr(msg, "no such table") || strstr(msg, "no such column"))
		snprintf(err, errn, "%s: not a Capsule session database (%s)", file, msg);
	else
		snprintf(err, errn, "%s: %s: %s", file, what, msg);
	return code == SQLITE_NOMEM ? -ENOMEM : code == SQLITE_CANTOPEN ? -ENOENT : -EINVAL;
}

static void add_str(struct json_object *o, const char *k, sqlite3_stmt *st, int col)
{
	const unsigned char *v = sqlite3_column_text(st, col);
	if (v)
		json_object_object_add(o, k, json_object_new_string((const char *)v));
}

/* Feeds the rows of a prepared "SELECT json ..." to the report. */
static int read_events(struct rep_session *s, sqlite3 *db, sqlite3_stmt *st, const char *file, char *err, size_t errn)
{
	struct json_tokener *tok = json_tokener_new();
	int rc, r = 0;
	if (!tok)
		return -ENOMEM;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 0);
		int len = sqlite3_column_bytes(st, 0);
		if (!text) {
			s->malformed++;
			continue;
		}
		if ((r = rep_add_json(s, tok, text, len)))
			break;
	}
	json_tokener_free(tok);
	if (!r && rc != SQLITE_DONE) {
		/* damage part-way: keep what was read, say where it stopped */
		snprintf(s->damage, sizeof(s->damage), "the database is damaged (%s); this report covers the %llu events read before it",
			 sqlite3_errmsg(db), (unsigned long long)s->events);
		cap_terminal_sanitize(s->damage, strlen(s->damage)); /* SQLite's message quotes the file's names */
		if (!s->events)
			r = db_error(db, file, "reading the events table", err, errn);
	}
	return r;
}

int rep_load_db(struct rep_session *s, const char *file, const char *session, char *err, size_t errn)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int r = 0;

	if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		r = db_error(db, file, "open", err, errn);
		sqlite3_close(db);
		return r;
	}
	sqlite3_busy_timeout(db, 2000); /* a live session may be writing */
	cap_store_harden(db);
	snprintf(s->source, sizeof(s->source), "%s", file);
	const char *q = session
		? "SELECT id, uuid, command, user, start_ns, end_ns, exit_status, events, lost, final_hash, not_stored FROM sessions WHERE uuid = ?1"
		: "SELECT id, uuid, command, user, start_ns, end_ns, exit_status, events, lost, final_hash, not_stored FROM sessions ORDER BY start_ns DESC, id DESC LIMIT 1";
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) {
		r = db_error(db, file, "reading the sessions table", err, errn);
		goto out;
	}
	if (session)
		sqlite3_bind_text(st, 1, session, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		snprintf(err, errn, session ? "%s: no session '%s' in this database" : "%s: this database holds no session%s",
			 file, session ? session : "");
		r = -ENOENT;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = db_error(db, file, "reading the sessions table", err, errn);
		goto out;
	}
	sqlite3_int64 sid = sqlite3_column_int64(st, 0);
	if (sid < 0 || sid >= (1LL << 22)) { /* event ids are session << 40 | seq */
		snprintf(err, errn, "%s: session id %lld is out of range (a damaged or foreign database)", file,
			 (long long)sid);
		r = -EINVAL;
		goto out;
	}
	bool ended = sqlite3_column_type(st, 5) != SQLITE_NULL;
	struct json_object *sum = json_object_new_object();
	if (!sum) {
		r = -ENOMEM;
		goto out;
	}
	add_str(sum, "session", st, 1);
	add_str(sum, "command", st, 2);
	add_str(sum, "user", st, 3);
	add_str(sum, "final_hash", st, 9);
	if (sqlite3_column_type(st, 6) != SQLITE_NULL)
		json_object_object_add(sum, "exit_status", json_object_new_int64(sqlite3_column_int64(st, 6)));
	if (ended)
		json_object_object_add(sum, "duration_s",
				       json_object_new_double((sqlite3_column_int64(st, 5) - sqlite3_column_int64(st, 4)) / 1e9));
	json_object_object_add(sum, "events_recorded",
			       json_object_new_int64(sqlite3_column_int64(st, 7) + sqlite3_column_int64(st, 10)));
	json_object_object_add(sum, "events_lost", json_object_new_int64(sqlite3_column_int64(st, 8)));
	rep_set_summary(s, sum);
	if (sqlite3_column_int64(st, 10) > 0)
		snprintf(s->damage, sizeof(s->damage),
			 "%lld events were recorded but not stored in this database (its writer fell behind); events.jsonl has them",
			 (long long)sqlite3_column_int64(st, 10));
	s->have_summary = ended; /* no end time: the session did not end normally */
	json_object_put(sum);
	sqlite3_finalize(st);
	st = NULL;

	/* events.id = session << 40 | seq (docs/store.md): a range of the primary key is the
	 * session's events in seq order, with no sort and no other index. Databases written
	 * before that layout numbered events in insertion order: read those by (session, seq). */
	static const char *const queries[] = {
		"SELECT json FROM events WHERE id >= ?1 AND id < ?2 AND session = ?3 ORDER BY id",
		"SELECT json FROM events WHERE session = ?3 ORDER BY seq",
	};
	for (int qi = 0; qi < 2 && !r && !s->events && !s->malformed; qi++) {
		sqlite3_finalize(st);
		st = NULL;
		if (sqlite3_prepare_v2(db, queries[qi], -1, &st, NULL) != SQLITE_OK) {
			r = db_error(db, file, "reading the events table", err, errn);
			break;
		}
		sqlite3_bind_int64(st, 1, sid << 40);
		sqlite3_bind_int64(st, 2, (sid + 1) << 40);
		sqlite3_bind_int64(st, 3, sid);
		r = read_events(s, db, st, file, err, errn);
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return r;
}
