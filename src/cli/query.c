/* capsule query: the events of a stored session, filtered, as the live view's lines or JSON;
 * or any read-only SQL. */
#include <errno.h>
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
#include "format/text.h"
#include "store/locate.h"
#include "store/query.h"
#include "store/store.h"

static const char usage[] =
	"Usage: capsule query [OPTIONS] [SESSION]\n"
	"       capsule query [--db FILE] --sql \"SELECT ...\"\n"
	"\n"
	"Prints the stored events of a session (the newest when none is given) as the live view's\n"
	"lines, or JSON lines. SESSION is a session id or folder (or use --db FILE --session ID for a\n"
	"database shared by many sessions). Filters combine with AND.\n"
	"\n"
	"Options:\n"
	"      --db FILE        the database (default: the session's session.db)\n"
	"  -s, --session ID     the session (id or number) inside --db\n"
	"  -k, --kind K[,K...]  event kinds: openat, connect, execve, exit, ...\n"
	"  -p, --pid N          events of process N\n"
	"  -c, --comm NAME      events of threads named NAME\n"
	"      --path GLOB      events whose (first) path matches GLOB ('/home/*/.ssh/*')\n"
	"      --host NAME      events with this remote address, or a DNS name that resolved to it\n"
	"      --since T        events at or after T: 2026-12-04T20:10:05Z, 20:10, @1764879005, 5m\n"
	"      --until T        events at or before T\n"
	"  -w, --warnings       only events with a warning\n"
	"  -n, --limit N        at most N events\n"
	"      --json           JSON lines (the events.jsonl records) instead of text\n"
	"      --sql QUERY      run one read-only SQL statement (tables: docs/store.md)\n"
	"  -h, --help           this help\n"
	"\n"
	"Examples:\n"
	"  capsule query --kind connect,sendto\n"
	"  capsule query --path '/etc/*' --comm python3 20261204-201005-4242\n"
	"  capsule query --sql 'SELECT path, op, count FROM files ORDER BY count DESC LIMIT 10'\n";

/* Stored text came escaped from the recorder, but a database can be edited: never let a
 * control byte reach the terminal. */
static void put_clean(const char *s, size_t n)
{
	cap_put_terminal_safe(stdout, s, n);
}

static const char *col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* A line from the columns when the record has none (a database imported without timeline.log). */
static void print_fallback(sqlite3_stmt *s)
{
	char buf[64];
	struct sbuf t;
	sb_init(&t, buf, sizeof(buf));
	cap_text_time(&t, sqlite3_column_int64(s, CAP_QCOL_TIME)); /* as the live view shows it */
	printf("%s P%lld (", buf, sqlite3_column_int64(s, CAP_QCOL_PID));
	const char *comm = col(s, CAP_QCOL_COMM), *kind = col(s, CAP_QCOL_KIND), *path = col(s, CAP_QCOL_PATH), *host = col(s, CAP_QCOL_HOST), *err = col(s, CAP_QCOL_ERROR),
		   *warn = col(s, CAP_QCOL_WARNING);
	put_clean(comm ? comm : "?", comm ? strlen(comm) : 1);
	fputs(") ", stdout);
	put_clean(kind ? kind : "?", kind ? strlen(kind) : 1);
	if (path) {
		printf(" path=");
		put_clean(path, strlen(path));
	}
	if (host) {
		printf(" addr=");
		put_clean(host, strlen(host));
		if (sqlite3_column_type(s, CAP_QCOL_PORT) != SQLITE_NULL)
			printf(":%lld", sqlite3_column_int64(s, CAP_QCOL_PORT));
	}
	if (err) {
		fputs(" -> ", stdout);
		put_clean(err, strlen(err));
	}
	else if (sqlite3_column_type(s, CAP_QCOL_RET) != SQLITE_NULL)
		printf(" -> %lld", sqlite3_column_int64(s, CAP_QCOL_RET));
	if (warn) {
		printf("  ⚠ ");
		put_clean(warn, strlen(warn));
	}
	putchar('\n');
}

static int run_sql(sqlite3 *db, const char *sql, bool json)
{
	sqlite3_stmt *s = NULL;
	const char *tail = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &s, &tail) != SQLITE_OK)
		return cli_error("--sql: %s", sqlite3_errmsg(db)), 1;
	if (!s)
		return cli_error("--sql: no statement"), 1;
	while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == ';'))
		tail++;
	if (tail && *tail) {
		sqlite3_finalize(s);
		return cli_error("--sql runs one statement at a time"), 1;
	}
	if (!sqlite3_stmt_readonly(s)) {
		sqlite3_finalize(s);
		return cli_error("--sql runs read-only statements: this one would change the database"), 1;
	}
	int ncol = sqlite3_column_count(s), rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (json) {
			json_object *o = json_object_new_object();
			for (int i = 0; i < ncol; i++) {
				json_object *v = NULL;
				switch (sqlite3_column_type(s, i)) {
				case SQLITE_INTEGER: v = json_object_new_int64(sqlite3_column_int64(s, i)); break;
				case SQLITE_FLOAT: v = json_object_new_double(sqlite3_column_double(s, i)); break;
				case SQLITE_NULL: break;
				default: v = json_object_new_string_len(col(s, i), sqlite3_column_bytes(s, i)); break;
				}
				json_object_object_add(o, sqlite3_column_name(s, i), v);
			}
			puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(o);
			continue;
		}
		for (int i = 0; i < ncol; i++) {
			if (i)
				putchar('|');
			if (sqlite3_column_type(s, i) != SQLITE_NULL)
				put_clean(col(s, i), sqlite3_column_bytes(s, i));
		}
		putchar('\n');
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return cli_error("--sql: %s", sqlite3_errmsg(db)), 1;
	return 0;
}

/* The events of one session that pass the filters, printed. */
static int query_session(sqlite3 *db, const char *path, const struct cap_query *q, int64_t *rows)
{
	static struct cap_query_sql qs;
	char err[256];
	sqlite3_stmt *s;
	int rc, status = 0;

	if (cap_query_build(q, &qs, err, sizeof(err)))
		return cli_error("%s", err), 2;
	if (sqlite3_prepare_v2(db, qs.sql, -1, &s, NULL) != SQLITE_OK)
		return cli_error("%s: %s", path, sqlite3_errmsg(db)), 1;
	for (int i = 0; i < qs.nparams; i++) {
		if (qs.params[i].is_text)
			sqlite3_bind_text(s, i + 1, qs.params[i].text, -1, SQLITE_STATIC);
		else
			sqlite3_bind_int64(s, i + 1, qs.params[i].num);
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		++*rows;
		if (sqlite3_column_type(s, CAP_QCOL_RECORD) == SQLITE_NULL) {
			print_fallback(s);
			continue;
		}
		put_clean(col(s, CAP_QCOL_RECORD), sqlite3_column_bytes(s, CAP_QCOL_RECORD));
		putchar('\n');
	}
	if (rc != SQLITE_DONE) {
		cli_error("%s: %s", path, sqlite3_errmsg(db));
		status = 1;
	}
	sqlite3_finalize(s);
	return status;
}

int cmd_query(int argc, char **argv)
{
	enum { OPT_DB = 256, OPT_PATH, OPT_HOST, OPT_SINCE, OPT_UNTIL, OPT_JSON, OPT_SQL };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "session", required_argument, NULL, 's' },
		{ "kind", required_argument, NULL, 'k' },
		{ "pid", required_argument, NULL, 'p' },
		{ "comm", required_argument, NULL, 'c' },
		{ "path", required_argument, NULL, OPT_PATH },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "warnings", no_argument, NULL, 'w' },
		{ "limit", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "sql", required_argument, NULL, OPT_SQL },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cap_query q = { .pid = -1 };
	const char *db_opt = NULL, *sql = NULL, *session = NULL;
	bool json = false, filter;
	char path[PATH_MAX], err[PATH_MAX + 256];
	struct timespec now;
	long v;
	int c;

	clock_gettime(CLOCK_REALTIME, &now);
	int64_t now_ns = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec;
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:k:p:c:wn:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DB: db_opt = optarg; break;
		case 's': session = optarg; break;
		case 'k': q.kind = optarg; break;
		case 'p':
			if (cli_parse_long(optarg, 0, 0x7fffffff, &v))
				return cli_error("--pid takes a process id, not '%s'", optarg), 2;
			q.pid = v;
			break;
		case 'c': q.comm = optarg; break;
		case OPT_PATH: q.path_glob = optarg; break;
		case OPT_HOST: q.host = optarg; break;
		case OPT_SINCE:
		case OPT_UNTIL:
			if (cap_parse_time(optarg, now_ns, c == OPT_SINCE ? &q.since_ns : &q.until_ns))
				return cli_error("--%s: cannot read the time '%s' (2026-12-04T20:10:05Z, 20:10, @1764879005, 5m)",
						 c == OPT_SINCE ? "since" : "until", optarg), 2;
			break;
		case 'w': q.warnings = true; break;
		case 'n':
			if (cli_parse_long(optarg, 1, 1L << 40, &v))
				return cli_error("--limit takes a positive number, not '%s'", optarg), 2;
			q.limit = v;
			break;
		case OPT_JSON: json = true; break;
		case OPT_SQL: sql = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc) {
		if (session || optind + 1 < argc)
			return cli_error("query takes one session (see capsule query --help)"), 2;
		session = argv[optind];
	}
	if (cap_store_locate(db_opt, session, path, sizeof(path), &filter, err, sizeof(err)))
		return cli_error("%s", err), 1;
	if (!filter)
		session = NULL;

	sqlite3 *db;
	if (cap_store_open_existing(&db, path, true, CAP_STORE_VERSION, err, sizeof(err)))
		return cli_error("%s", err), 1;
	int status = 0;
	if (sql) {
		status = run_sql(db, sql, json);
		sqlite3_close(db);
		return status;
	}
	/* the sessions to search: the one asked for, or each in the database, in order */
	sqlite3_stmt *ss;
	if (sqlite3_prepare_v2(db, "SELECT id FROM sessions WHERE ?1 IS NULL OR uuid = ?1 OR CAST(id AS TEXT) = ?1 "
			       "ORDER BY id", -1, &ss, NULL) != SQLITE_OK) {
		cli_error("%s: %s", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	if (session)
		sqlite3_bind_text(ss, 1, session, -1, SQLITE_STATIC);
	int found = 0;
	int64_t left = q.limit;
	q.json = json;
	while (!status && sqlite3_step(ss) == SQLITE_ROW) {
		found++;
		q.session = sqlite3_column_int64(ss, 0);
		q.limit = left;
		int64_t rows = 0;
		status = query_session(db, path, &q, &rows);
		if (left && (left -= rows) <= 0)
			break;
	}
	sqlite3_finalize(ss);
	if (!found && session) {
		cli_error("%s holds no session '%s' (capsule sessions --db %s lists them)", path, session, path);
		status = 1;
	}
	sqlite3_close(db);
	if (fflush(stdout) && errno != EPIPE)
		status = 1;
	return status;
}
