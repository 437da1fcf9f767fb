/* capsule query's filters turned into one SQL statement with bound parameters (pure code:
 * tests/unit/test_store.c), and the time formats the filters accept. */
#ifndef CAPSULE_QUERY_H
#define CAPSULE_QUERY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CAP_QUERY_MAX_PARAMS 32

struct cap_query {
	int64_t session;       /* sessions.id (required: capsule query runs once per session) */
	const char *kind;      /* one kind or a comma-separated list */
	const char *comm;
	const char *path_glob; /* GLOB over events.path */
	const char *host;      /* address (events.host) or a DNS name (peers.dns_name) */
	int64_t pid;           /* -1: any */
	int64_t since_ns, until_ns; /* 0: open */
	bool warnings;         /* only events with a warning */
	bool json;             /* the record column is the JSONL record, else the text line */
	int64_t limit;         /* 0: no limit */
};

/* The columns of the statement cap_query_build makes. The record is the line or the JSON
 * (only one: a query sorting within a bucket carries the columns through the sort). */
enum { CAP_QCOL_RECORD, CAP_QCOL_TIME, CAP_QCOL_PID, CAP_QCOL_COMM, CAP_QCOL_KIND, CAP_QCOL_PATH, CAP_QCOL_HOST,
       CAP_QCOL_PORT, CAP_QCOL_RET, CAP_QCOL_ERROR, CAP_QCOL_WARNING };

struct cap_query_param {
	bool is_text;
	const char *text;
	int64_t num;
};

struct cap_query_sql {
	char sql[4096];
	struct cap_query_param params[CAP_QUERY_MAX_PARAMS]; /* params[i] binds ?(i+1) */
	int nparams;
	char kinds[16][64]; /* the --kind list, split */
};

/* Builds "SELECT line|json, time_ns, ... FROM events ... ORDER BY id" for one session. Without
 * statistics SQLite may pick a poor index, so the builder picks one filter to drive the
 * search (host, a path with a literal prefix, warnings, pid, comm, kind, in that order; else
 * the id range of the session and time window) and marks the others with unary "+" so they
 * are checked on the rows found. Kind, comm, pid and path seek in each bucket of the session
 * (event_times, in order; schema.sql says why). Returns 0, or -EINVAL when a filter is empty or there are
 * too many kinds (err says which). */
int cap_query_build(const struct cap_query *q, struct cap_query_sql *out, char *err, size_t errn);

/* The kinds events_kind leaves out (too common to be worth an index), as an SQL list:
 * "'openat', 'close'". schema.sql's index and the builder's term must be the same text. */
void cap_query_common_kinds(char *buf, size_t n);

/* Parses a --since/--until time into ns since the epoch:
 *   2026-12-04T20:10:05[.123456789][Z|+01:00]  (a space may replace the T; no zone: local)
 *   2026-12-04                                  (local midnight)
 *   20:10[:05[.123]]                            (today, local time)
 *   @1764879005[.5]                             (Unix seconds)
 *   90s, 5m, 2h, 1d (also "5m ago")             (that long before now)
 * Returns 0 or -EINVAL. */
int cap_parse_time(const char *s, int64_t now_ns, int64_t *out);

#endif
