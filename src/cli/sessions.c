/* capsule sessions: the recorded sessions, from one database or from every session folder. */
#include <getopt.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "cli/cli.h"
#include "format/escape.h"
#include "store/locate.h"
#include "store/store.h"

static const char usage[] =
	"Usage: capsule sessions [--db FILE] [--json] [SESSION]\n"
	"\n"
	"Lists recorded sessions: id, command, user, start, duration, events, processes, warnings.\n"
	"Without --db it reads every session.db under ./capsule-logs/ and behind the registry of\n"
	"sessions (/run/capsule/sessions). SESSION (an id or a folder) shows that one only.\n"
	"\n"
	"Options:\n"
	"      --db FILE   the sessions of this database\n"
	"      --json      one JSON object per session\n"
	"  -h, --help      this help\n";

/* A database can be edited: its strings never reach the terminal unchecked. */
static void put_clean(const char *s)
{
	if (s)
		cap_put_terminal_safe(stdout, s, strlen(s));
}

static int list_db(const char *path, const char *only, bool json, bool *header)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	char err[PATH_MAX + 256];
	if (cap_store_open_existing(&db, path, true, 1, err, sizeof(err))) {
		cli_error("%s", err);
		return 1;
	}
	if (sqlite3_prepare_v2(db,
			       "SELECT uuid, command, user, start_ns, end_ns, events, processes, warnings, lost, "
			       "not_stored, exit_status, log_dir, final_hash, id FROM sessions "
			       "WHERE ?1 IS NULL OR uuid = ?1 OR CAST(id AS TEXT) = ?1 ORDER BY start_ns, id",
			       -1, &s, NULL) != SQLITE_OK) {
		cli_error("%s: %s", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	if (only)
		sqlite3_bind_text(s, 1, only, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *uuid = (const char *)sqlite3_column_text(s, 0);
		const char *cmd = (const char *)sqlite3_column_text(s, 1);
		const char *user = (const char *)sqlite3_column_text(s, 2);
		int64_t start = sqlite3_column_int64(s, 3);
		bool ended = sqlite3_column_type(s, 4) != SQLITE_NULL;
		double dur = ended ? (sqlite3_column_int64(s, 4) - start) / 1e9 : -1;
		if (json) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "session", json_object_new_string(uuid ? uuid : ""));
			json_object_object_add(o, "command", cmd ? json_object_new_string(cmd) : NULL);
			json_object_object_add(o, "user", user ? json_object_new_string(user) : NULL);
			json_object_object_add(o, "start_ns", json_object_new_int64(start));
			json_object_object_add(o, "duration_s", ended ? json_object_new_double(dur) : NULL);
			json_object_object_add(o, "events", json_object_new_int64(sqlite3_column_int64(s, 5)));
			json_object_object_add(o, "processes", json_object_new_int64(sqlite3_column_int64(s, 6)));
			json_object_object_add(o, "warnings", json_object_new_int64(sqlite3_column_int64(s, 7)));
			json_object_object_add(o, "lost", json_object_new_int64(sqlite3_column_int64(s, 8)));
			json_object_object_add(o, "not_stored", json_object_new_int64(sqlite3_column_int64(s, 9)));
			json_object_object_add(o, "exit_status", sqlite3_column_type(s, 10) == SQLITE_NULL ? NULL :
					       json_object_new_int64(sqlite3_column_int64(s, 10)));
			json_object_object_add(o, "final_hash", sqlite3_column_type(s, 12) == SQLITE_NULL ? NULL :
					       json_object_new_string((const char *)sqlite3_column_text(s, 12)));
			json_object_object_add(o, "db", json_object_new_string(path));
			puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(o);
			continue;
		}
		if (!*header) {
			printf("%-24s %-19s %8s %9s %6s %8s  %-10s %s\n", "SESSION", "START", "DURATION", "EVENTS",
			       "PROCS", "WARNINGS", "USER", "COMMAND");
			*header = true;
		}
		char when[32], dbuf[32];
		time_t sec = start / 1000000000LL;
		struct tm tm;
		localtime_r(&sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		if (ended)
			snprintf(dbuf, sizeof(dbuf), "%.1fs", dur);
		else
			snprintf(dbuf, sizeof(dbuf), "running?");
		char ibuf[25];
		snprintf(ibuf, sizeof(ibuf), "%s", uuid ? uuid : "?");
		put_clean(ibuf);
		printf("%*s %-19s %8s %9lld %6lld %8lld  ", (int)(24 - strlen(ibuf)), "", when, dbuf,
		       sqlite3_column_int64(s, 5), sqlite3_column_int64(s, 6), sqlite3_column_int64(s, 7));
		char ubuf[11];
		snprintf(ubuf, sizeof(ubuf), "%s", user ? user : "?");
		put_clean(ubuf);
		printf("%*s ", (int)(10 - strlen(ubuf)), "");
		char cbuf[81];
		snprintf(cbuf, sizeof(cbuf), "%s", cmd ? cmd : "");
		put_clean(cbuf);
		putchar('\n');
	}
	int status = 0;
	if (rc != SQLITE_DONE) {
		cli_error("%s: %s", path, sqlite3_errmsg(db));
		status = 1;
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return status;
}

int cmd_sessions(int argc, char **argv)
{
	enum { OPT_DB = 256, OPT_JSON };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db = NULL, *only = NULL;
	bool json = false, header = false, filter;
	char path[PATH_MAX], err[PATH_MAX + 256];
	int c, status = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DB: db = optarg; break;
		case OPT_JSON: json = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc)
		only = argv[optind++];
	if (optind < argc)
		return cli_error("sessions takes at most one session (see capsule sessions --help)"), 2;
	if (db || only) {
		if (cap_store_locate(db, only, path, sizeof(path), &filter, err, sizeof(err)))
			return cli_error("%s", err), 1;
		status = list_db(path, filter ? only : NULL, json, &header);
	} else {
		static char *paths[CAP_LOCATE_MAX];
		int n = cap_store_discover(paths, CAP_LOCATE_MAX);
		if (!n)
			return cli_error("no session databases found (./%s/*/session.db, %s): give --db FILE",
					 CAP_LOGS_DIR, "/run/capsule/sessions"), 1;
		for (int i = 0; i < n; i++) {
			status |= list_db(paths[i], NULL, json, &header);
			free(paths[i]);
		}
	}
	return status;
}
