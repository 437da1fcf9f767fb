/* capsule import: rebuild a session database from events.jsonl (the source of truth). */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>
#include "format/jsonget.h"
#include "cli/cli.h"
#include "log/chain.h"
#include "store/import.h"
#include "store/store.h"

#define IMPORT_LINE_MAX (16 << 20) /* longer lines are not events capsule writes */
#define IMPORT_MAX_REPORTED 20     /* bad lines reported one by one; the rest are counted */

static const char usage[] =
	"Usage: capsule import [--db FILE] [--session ID] [--force] EVENTS.JSONL\n"
	"\n"
	"Rebuilds a session database from a session log. The text lines come from timeline.log\n"
	"beside the log when it is there; summary.json gives the session id, command and user.\n"
	"A line that is not a valid record (truncated, corrupt) is reported with its number and\n"
	"skipped; the rest is imported (exit status 1 when a line was skipped).\n"
	"\n"
	"Options:\n"
	"      --db FILE      the database to write (default: session.db beside the log)\n"
	"  -s, --session ID   the session id (default: from summary.json, else the folder's name)\n"
	"  -f, --force        replace the session if the database already holds it\n"
	"  -h, --help         this help\n";

static json_object *read_json_file(const char *path)
{
	json_object *o = json_object_from_file(path);
	if (o && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}



/* Removes a session (by uuid) and its rows, for --force. */
static int drop_session(const char *db_path, const char *uuid, bool force)
{
	sqlite3 *db;
	char err[PATH_MAX + 256];
	struct stat st;
	if (stat(db_path, &st))
		return 0;
	if (cap_store_open_existing(&db, db_path, false, CAP_STORE_VERSION, err, sizeof(err)))
		return cli_error("%s", err);
	sqlite3_stmt *s;
	int64_t id = -1;
	if (sqlite3_prepare_v2(db, "SELECT id FROM sessions WHERE uuid = ?1", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			id = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	int ret = 0;
	if (id >= 0 && !force) {
		ret = cli_error("%s already holds session %s (--force replaces it, --db FILE writes elsewhere)",
				db_path, uuid);
	} else if (id >= 0) {
		char sql[768];
		long long k = id;
		snprintf(sql, sizeof(sql),
			 "BEGIN; DELETE FROM events WHERE session=%lld; DELETE FROM files WHERE session=%lld;"
			 "DELETE FROM peers WHERE session=%lld; DELETE FROM warnings WHERE session=%lld;"
			 "DELETE FROM processes WHERE session=%lld; DELETE FROM event_times WHERE session=%lld;"
			 "DELETE FROM comms WHERE session=%lld; DELETE FROM dns_names WHERE session=%lld;"
			 "DELETE FROM sessions WHERE id=%lld; COMMIT;",
			 k, k, k, k, k, k, k, k, k);
		if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
			ret = cli_error("%s: cannot remove session %s: %s", db_path, uuid, sqlite3_errmsg(db));
	}
	sqlite3_close(db);
	return ret;
}

int cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "session", required_argument, NULL, 's' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db_opt = NULL, *uuid = NULL;
	bool force = false;
	char dir[PATH_MAX], db_path[PATH_MAX + 16], side[PATH_MAX + 32], err[PATH_MAX + 256];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'D': db_opt = optarg; break;
		case 's': uuid = optarg; break;
		case 'f': force = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind + 1 != argc)
		return cli_error("import takes one events.jsonl file (see capsule import --help)"), 2;
	const char *log = argv[optind];
	FILE *in = fopen(log, "re");
	if (!in)
		return cli_error("cannot read %s: %s", log, strerror(errno)), 1;
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", log);
	snprintf(dir, sizeof(dir), "%s", dirname(tmp));

	snprintf(side, sizeof(side), "%s/summary.json", dir);
	json_object *sum = read_json_file(side);
	snprintf(side, sizeof(side), "%s/timeline.log", dir);
	FILE *tl = fopen(side, "re");
	char abs_dir[PATH_MAX];
	if (!realpath(dir, abs_dir))
		snprintf(abs_dir, sizeof(abs_dir), "%s", dir);
	if (!uuid)
		uuid = cap_jstr(sum, "session");
	if (!uuid) {
		const char *base = strrchr(abs_dir, '/');
		uuid = base && base[1] ? base + 1 : abs_dir;
	}
	if (db_opt)
		snprintf(db_path, sizeof(db_path), "%s", db_opt);
	else
		snprintf(db_path, sizeof(db_path), "%s/session.db", dir);

	int status = 1;
	struct cap_store *st = NULL;
	char *line = NULL, *tline = NULL, host[600], hash[65] = "";
	size_t cap = 0, tcap = 0;
	uint64_t lineno = 0, imported = 0, skipped = 0;
	int64_t first_ns = 0, last_ns = 0;
	bool last_has_prev = false;
	ssize_t n;

	if (drop_session(db_path, uuid, force))
		goto out;
	struct cap_store_session si = {
		.uuid = uuid, .command = cap_jstr(sum, "command"), .user = cap_jstr(sum, "user"), .uid = -1,
		.log_dir = abs_dir, .start_ns = 1,
	};
	if (cap_store_open(&st, db_path, &si, 0, err, sizeof(err))) {
		cli_error("%s", err);
		goto out;
	}
	while ((n = getline(&line, &cap, in)) >= 0) {
		ssize_t tn = tl ? getline(&tline, &tcap, tl) : -1;
		lineno++;
		bool complete = n > 0 && line[n - 1] == '\n';
		if (complete)
			line[--n] = 0;
		if (tn > 0 && tline[tn - 1] == '\n')
			tline[--tn] = 0;
		if (!n)
			continue;
		const char *why = NULL;
		json_object *o = NULL;
		struct cap_store_rec r;
		enum json_tokener_error jerr = json_tokener_success;
		if (n > IMPORT_LINE_MAX || strlen(line) != (size_t)n) {
			why = n > IMPORT_LINE_MAX ? "line too long" : "a NUL byte in the line";
		} else {
			o = json_tokener_parse_verbose(line, &jerr);
			if (!o)
				why = complete ? json_tokener_error_desc(jerr) : "truncated (no end of line)";
			else if (cap_store_rec_from_json(o, &r, host, sizeof(host), err, sizeof(err)))
				why = err;
		}
		if (why) {
			if (skipped++ < IMPORT_MAX_REPORTED)
				cli_note("%s:%llu: not an event record (%s); skipped", log, (unsigned long long)lineno, why);
			json_object_put(o);
			continue;
		}
		r.json = line;
		r.json_len = n;
		if (tn > 0) {
			r.line = tline;
			r.line_len = tn;
		}
		if (r.time_ns < 0)
			r.time_ns = last_ns; /* a stand-in line without a time */
		if (!first_ns)
			first_ns = r.time_ns;
		last_ns = r.time_ns;
		json_object *prev;
		last_has_prev = json_object_object_get_ex(o, "prev", &prev);
		if (last_has_prev)
			cap_chain_hash_hex(line, n, hash);
		int pr = cap_store_push(st, &r, true);
		json_object_put(o);
		if (pr) { /* a line longer than the store's queue takes (a quarter of it) */
			if (skipped++ < IMPORT_MAX_REPORTED)
				cli_note("%s:%llu: cannot be stored (%s); skipped", log, (unsigned long long)lineno,
					 strerror(-pr));
			continue;
		}
		imported++;
	}
	if (ferror(in)) {
		cli_error("reading %s: %s", log, strerror(errno));
		skipped++;
	}
	if (skipped > IMPORT_MAX_REPORTED)
		cli_note("%s: %llu more bad lines not shown", log, (unsigned long long)(skipped - IMPORT_MAX_REPORTED));
	const char *fh = cap_jstr(sum, "final_hash");
	cap_store_set_final_hash(st, fh ? fh : last_has_prev ? hash : NULL);
	/* a forged duration must not overflow: anything outside 0..100 years is ignored */
	double dur_s = sum ? cap_jnum(sum, "duration_s", 0) : 0;
	int64_t dur_ns = dur_s > 0 && dur_s < 100.0 * 365 * 86400 ? (int64_t)(dur_s * 1e9) : 0;
	struct cap_store_end end = {
		.start_ns = first_ns,
		.end_ns = dur_ns ? first_ns + dur_ns : last_ns,
		.exit_status = (int)cap_jnum(sum, "exit_status", -1),
		.lost = (uint64_t)cap_jnum(sum, "events_lost", 0),
	};
	if (cap_store_close(st, &end, err, sizeof(err))) {
		cli_error("%s", err);
		goto out;
	}
	cli_note("imported %llu events of session %s into %s%s", (unsigned long long)imported, uuid, db_path,
		 skipped ? " (some lines skipped, see above)" : "");
	status = skipped ? 1 : 0;
out:
	free(line);
	free(tline);
	fclose(in);
	if (tl)
		fclose(tl);
	json_object_put(sum);
	return status;
}
