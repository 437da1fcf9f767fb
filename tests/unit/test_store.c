/* The store's pure parts: capsule query's filters -> SQL (checked by running the SQL on a
 * real in-memory SQLite database with the real schema, results and query plans), time
 * parsing, address splitting, JSONL records -> columns, and the per-batch totals. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <json-c/json.h>

#include "store/agg.h"
#include "store/import.h"
#include "store/query.h"
#include "store/store.h"

#define NS 1000000000LL

static int64_t parse(const char *s)
{
	int64_t v = -1;
	assert_int_equal(cap_parse_time(s, 1764879005LL * NS, &v), 0);
	return v;
}

static void test_time_formats(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	assert_int_equal(parse("2026-12-04T20:10:05Z"), 1796415005LL * NS);
	assert_int_equal(parse("2026-12-04T20:10:05.5Z"), 1796415005LL * NS + 500000000);
	assert_int_equal(parse("2026-12-04T20:10:05.123456789Z"), 1796415005LL * NS + 123456789);
	assert_int_equal(parse("2026-12-04 20:10:05Z"), 1796415005LL * NS);
	assert_int_equal(parse("2026-12-04T21:10:05+01:00"), 1796415005LL * NS);
	assert_int_equal(parse("2026-12-04T19:40:05-00:30"), 1796415005LL * NS);
	assert_int_equal(parse("2026-12-04T20:10:05"), 1796415005LL * NS); /* local = UTC here */
	assert_int_equal(parse("2026-12-04"), 1796342400LL * NS);
	assert_int_equal(parse("@1764879005"), 1764879005LL * NS);
	assert_int_equal(parse("@1764879005.25"), 1764879005LL * NS + 250000000);
	/* relative to "now" (1764879005 = 2025-12-04T20:10:05Z) */
	assert_int_equal(parse("90s"), (1764879005LL - 90) * NS);
	assert_int_equal(parse("5m"), (1764879005LL - 300) * NS);
	assert_int_equal(parse("-2h"), (1764879005LL - 7200) * NS);
	assert_int_equal(parse("1d ago"), (1764879005LL - 86400) * NS);
	/* a time of day is today's */
	assert_int_equal(parse("20:00"), (1764879005LL - 605) * NS);
	assert_int_equal(parse("20:10:05.5"), 1764879005LL * NS + 500000000);
}

static void test_time_rejects(void **state)
{
	(void)state;
	const char *bad[] = { "", "yesterday", "2026-13-01", "2026-12-04T25:00:00Z", "2026-12-04T20:10:05X",
			      "2026-12-04T20:10:05+1", "5x", "5m later", "@", "@abc", "12", "20:61", "2026-12-4",
			      "--5m", "99999999999999d" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t v;
		if (cap_parse_time(bad[i], 0, &v) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
	}
}

static void test_split_addr(void **state)
{
	(void)state;
	char host[64];
	int64_t port;
	cap_store_split_addr("127.0.0.1:8080", host, sizeof(host), &port);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 8080);
	cap_store_split_addr("[::1]:53", host, sizeof(host), &port);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 53);
	cap_store_split_addr("unix:/run/x.sock", host, sizeof(host), &port);
	assert_string_equal(host, "unix:/run/x.sock");
	assert_int_equal(port, -1);
	cap_store_split_addr("netlink:0", host, sizeof(host), &port);
	assert_string_equal(host, "");
	cap_store_split_addr("AF_PACKET", host, sizeof(host), &port);
	assert_string_equal(host, "");
}

/* ---- the builder, on a real database ---- */

static sqlite3 *db;

/* Event n of a session: seq n * 700, so that the six events of session 1 fall in five buckets
 * (1024 seqs each) and the filters seek across buckets; its line is "line n". */
static void ev(int64_t session, int64_t n, int64_t t, const char *kind, int pid, const char *comm, const char *path,
	       const char *host, const char *warning)
{
	sqlite3_stmt *s;
	char line[32];
	int64_t seq = n * 700;
	snprintf(line, sizeof(line), "line %lld", (long long)n);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO events(id,session,seq,bucket,time_ns,kind,area,pid,comm,path,host,"
						"warning,line,json) VALUES(?1,?2,?3,?12,?4,?5,'x',?6,?7,?8,?9,?10,?11,'{}')",
					    -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int64(s, 1, (session << 40) + seq);
	sqlite3_bind_int64(s, 2, session);
	sqlite3_bind_int64(s, 3, seq);
	sqlite3_bind_int64(s, 4, t);
	sqlite3_bind_text(s, 5, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, pid);
	sqlite3_bind_text(s, 7, comm, -1, SQLITE_STATIC);
	if (path)
		sqlite3_bind_text(s, 8, path, -1, SQLITE_STATIC);
	if (host)
		sqlite3_bind_text(s, 9, host, -1, SQLITE_STATIC);
	if (warning)
		sqlite3_bind_text(s, 10, warning, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, line, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 12, seq >> CAP_STORE_BUCKET_SHIFT);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
}

static int setup_db(void **state)
{
	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, cap_store_schema(), NULL, NULL, NULL), SQLITE_OK);
	sqlite3_exec(db, "INSERT INTO sessions(id,uuid) VALUES(1,'a'),(2,'b');"
			 "INSERT INTO dns_names(session,addr,name,seq) VALUES(1,'10.0.0.9','api.example',700);",
		     NULL, NULL, NULL);
	ev(1, 1, 100, "openat", 10, "python3", "/home/ana/.ssh/id_rsa", NULL, "read of a secret");
	ev(1, 2, 200, "connect", 10, "python3", NULL, "10.0.0.9", NULL);
	ev(1, 3, 300, "openat", 11, "bash", "/etc/passwd", NULL, NULL);
	ev(1, 4, 350, "execve", 12, "curl", "/usr/bin/curl", NULL, NULL);
	ev(1, 5, 500, "connect", 12, "curl", NULL, "127.0.0.1", NULL);
	ev(1, 6, 600, "openat", 12, "cu'rl", "/etc/a[b]", NULL, NULL);
	ev(2, 1, 100, "openat", 10, "python3", "/etc/passwd", NULL, NULL);
	ev(2, 2, 200, "connect", 10, "python3", NULL, "10.0.0.9", "x");
	/* what the writer keeps beside the events: the buckets and the comms of each pid */
	assert_int_equal(sqlite3_exec(db, "INSERT INTO event_times SELECT session, bucket, min(seq), max(seq), "
					  "min(time_ns), max(time_ns), count(*) FROM events GROUP BY session, bucket;"
					  "INSERT INTO comms SELECT DISTINCT session, pid, comm FROM events;",
				      NULL, NULL, NULL), SQLITE_OK);
	return 0;
}

static int teardown_db(void **state)
{
	(void)state;
	sqlite3_close(db);
	return 0;
}

/* Runs the built query; returns the seqs found as "1,3,5" and the plan in plan. */
static const char *run(const struct cap_query *q, char *plan, size_t plann)
{
	static char out[256];
	struct cap_query_sql qs;
	char err[256], sql[4200];
	sqlite3_stmt *s;
	assert_int_equal(cap_query_build(q, &qs, err, sizeof(err)), 0);
	for (int pass = 0; pass < 2; pass++) {
		snprintf(sql, sizeof(sql), "%s%s", pass ? "EXPLAIN QUERY PLAN " : "", qs.sql);
		if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
			fail_msg("%s: %s", qs.sql, sqlite3_errmsg(db));
		for (int i = 0; i < qs.nparams; i++) {
			if (qs.params[i].is_text)
				sqlite3_bind_text(s, i + 1, qs.params[i].text, -1, SQLITE_STATIC);
			else
				sqlite3_bind_int64(s, i + 1, qs.params[i].num);
		}
		char *o = pass ? plan : out;
		size_t n = pass ? plann : sizeof(out);
		o[0] = 0;
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *v = (const char *)sqlite3_column_text(s, pass ? 3 : 0);
			size_t len = strlen(o);
			snprintf(o + len, n - len, "%s%s", len ? "," : "", pass ? v : v + 5 /* "line " */);
		}
		sqlite3_finalize(s);
	}
	return out;
}

#pragma GCC diagnostic ignored "-Woverride-init" /* Q(.pid = 12) overrides the default */
#define Q(...) ((struct cap_query){ .session = 1, .pid = -1, __VA_ARGS__ })

static void expect(const struct cap_query q, const char *seqs, const char *index)
{
	char plan[1024];
	const char *got = run(&q, plan, sizeof(plan));
	if (strcmp(got, seqs))
		fail_msg("found %s, expected %s", got, seqs);
	if (index && !strstr(plan, index))
		fail_msg("plan '%s' does not use %s", plan, index);
}

static void test_filters(void **state)
{
	(void)state;
	expect(Q(), "1,2,3,4,5,6", "INTEGER PRIMARY KEY");
	expect(Q(.session = 2), "1,2", NULL);
	expect(Q(.kind = "connect"), "2,5", "events_kind");
	expect(Q(.kind = "connect,execve"), "2,4,5", "events_kind");
	expect(Q(.kind = "openat"), "1,3,6", "INTEGER PRIMARY KEY"); /* a common kind: not indexed */
	expect(Q(.kind = "connect,openat"), "1,2,3,5,6", "INTEGER PRIMARY KEY");
	expect(Q(.pid = 12), "4,5,6", "events_comm"); /* through the pid's comms */
	expect(Q(.comm = "python3"), "1,2", "events_comm");
	expect(Q(.comm = "cu'rl"), "6", "events_comm"); /* a quote is a value, not SQL */
	expect(Q(.path_glob = "/etc/*"), "3,6", "events_path");
	expect(Q(.path_glob = "*/.ssh/*"), "1", NULL);
	expect(Q(.path_glob = "/etc/a[[]b]"), "6", "events_path"); /* GLOB classes escape brackets */
	expect(Q(.host = "10.0.0.9"), "2", "events_host");
	expect(Q(.host = "api.example"), "2", "events_host"); /* a DNS name the session resolved */
	expect(Q(.host = "nowhere"), "", NULL);
	expect(Q(.warnings = true), "1", "events_warn");
	expect(Q(.since_ns = 300), "3,4,5,6", NULL);
	expect(Q(.until_ns = 350), "1,2,3,4", NULL);
	expect(Q(.since_ns = 320, .until_ns = 550), "4,5", NULL);
	expect(Q(.since_ns = 700), "", NULL);
	expect(Q(.until_ns = 50), "", NULL);
	expect(Q(.kind = "openat", .pid = 12), "6", "events_comm");
	expect(Q(.kind = "connect", .since_ns = 400), "5", "events_kind");
	expect(Q(.comm = "python3", .since_ns = 150, .until_ns = 250), "2", "events_comm");
	expect(Q(.comm = "python3", .warnings = true), "1", "events_warn");
	expect(Q(.limit = 2), "1,2", NULL);
	expect(Q(.kind = "openat", .limit = 1), "1", NULL);
	expect(Q(.kind = "connect", .limit = 1), "2", "events_kind");
	expect(Q(.pid = 12, .limit = 2), "4,5", "events_comm");
	/* the json record instead of the line */
	struct cap_query_sql qs;
	char err[256];
	assert_int_equal(cap_query_build(&Q(.json = true), &qs, err, sizeof(err)), 0);
	assert_non_null(strstr(qs.sql, "SELECT e.json,"));
}

/* The writer's partial index and the builder's term are the same text (else SQLite would
 * never use events_kind). */
static void test_common_kinds_in_schema(void **state)
{
	(void)state;
	char list[200], want[300];
	cap_query_common_kinds(list, sizeof(list));
	assert_string_equal(list, "'openat', 'close'");
	snprintf(want, sizeof(want), "WHERE kind NOT IN (%s);", list);
	assert_non_null(strstr(cap_store_schema(), want));
	assert_null(strstr(cap_store_schema(), "@COMMON_KINDS@"));
}

static void test_filter_errors(void **state)
{
	(void)state;
	struct cap_query_sql qs;
	char err[256];
	assert_int_equal(cap_query_build(&Q(.kind = ""), &qs, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--kind"));
	assert_int_equal(cap_query_build(&Q(.kind = "a,,b"), &qs, err, sizeof(err)), -EINVAL);
	assert_int_equal(cap_query_build(&Q(.kind = "a,"), &qs, err, sizeof(err)), -EINVAL);
	assert_int_equal(cap_query_build(&Q(.kind = "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q"), &qs, err, sizeof(err)), -EINVAL);
	assert_int_equal(cap_query_build(&Q(.path_glob = ""), &qs, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--path"));
	/* values never enter the SQL text */
	assert_int_equal(cap_query_build(&Q(.comm = "x'; DROP TABLE events; --"), &qs, err, sizeof(err)), 0);
	assert_null(strstr(qs.sql, "DROP"));
}

/* ---- JSONL records -> columns (capsule import) ---- */

static void test_rec_from_json(void **state)
{
	(void)state;
	char host[64], err[128];
	struct cap_store_rec r;
	json_object *o = json_tokener_parse(
		"{\"seq\":7,\"time\":\"2026-12-04T20:10:05.000000001Z\",\"kind\":\"connect\",\"area\":\"net\","
		"\"pid\":5,\"tid\":6,\"ppid\":1,\"uid\":1000,\"comm\":\"curl\",\"sock\":{\"protocol\":\"tcp\"},"
		"\"addr\":{\"address\":\"[2001:db8::1]:443\"},\"ret\":-111,\"error\":\"ECONNREFUSED\","
		"\"prev\":\"00\"}");
	assert_int_equal(cap_store_rec_from_json(o, &r, host, sizeof(host), err, sizeof(err)), 0);
	assert_int_equal(r.seq, 7);
	assert_int_equal(r.time_ns, 1796415005LL * NS + 1);
	assert_string_equal(r.kind, "connect");
	assert_string_equal(r.host, "2001:db8::1");
	assert_int_equal(r.port, 443);
	assert_string_equal(r.proto, "tcp");
	assert_true(r.has_ret);
	assert_int_equal(r.ret, -111);
	assert_string_equal(r.error, "ECONNREFUSED");
	json_object_put(o);

	o = json_tokener_parse("{\"seq\":8,\"time\":\"2026-12-04T20:10:05Z\",\"kind\":\"openat\",\"area\":\"file\","
			       "\"decoded\":{\"flags\":\"O_WRONLY|O_CREAT\"},\"path\":\"/tmp/x\",\"ret\":3}");
	assert_int_equal(cap_store_rec_from_json(o, &r, host, sizeof(host), err, sizeof(err)), 0);
	assert_true(r.writes);
	assert_string_equal(r.path, "/tmp/x");
	assert_null(r.host);
	json_object_put(o);

	o = json_tokener_parse("{\"seq\":9,\"time\":\"2026-12-04T20:10:05Z\",\"kind\":\"execve\",\"area\":\"proc\","
			       "\"exe\":\"/usr/bin/ls\"}");
	assert_int_equal(cap_store_rec_from_json(o, &r, host, sizeof(host), err, sizeof(err)), 0);
	assert_false(r.has_ret);
	assert_string_equal(r.path, "/usr/bin/ls");
	json_object_put(o);

	/* the stand-in for a record cut at the line limit: no time, the caller supplies it */
	o = json_tokener_parse("{\"seq\":10,\"kind\":\"openat\",\"truncated\":true,\"prev\":\"ab\"}");
	assert_int_equal(cap_store_rec_from_json(o, &r, host, sizeof(host), err, sizeof(err)), 0);
	assert_int_equal(r.time_ns, -1);
	assert_string_equal(r.area, "?");
	json_object_put(o);

	const char *bad[] = { "[1,2]", "{\"seq\":1,\"time\":\"5m\",\"kind\":\"x\"}",
			      "{\"seq\":1,\"time\":7,\"kind\":\"x\"}", "{\"seq\":1,\"time\":null,\"kind\":\"x\"}", "{\"time\":\"2026-12-04T20:10:05Z\",\"kind\":\"x\"}",
			      "{\"seq\":\"1\",\"time\":\"2026-12-04T20:10:05Z\",\"kind\":\"x\"}",
			      "{\"seq\":1,\"time\":\"yesterday\",\"kind\":\"x\"}", "{\"seq\":1,\"time\":\"2026-12-04T20:10:05Z\"}",
			      "{\"seq\":-4,\"time\":\"2026-12-04T20:10:05Z\",\"kind\":\"x\"}",
			      "{\"seq\":1099511627776,\"time\":\"2026-12-04T20:10:05Z\",\"kind\":\"x\"}" /* 2^40 */ };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = json_tokener_parse(bad[i]);
		assert_non_null(o);
		if (cap_store_rec_from_json(o, &r, host, sizeof(host), err, sizeof(err)) != -EINVAL)
			fail_msg("accepted %s", bad[i]);
		json_object_put(o);
	}
}

static void test_agg(void **state)
{
	(void)state;
	struct cap_agg *g = cap_agg_new(CAP_AGG_SMALL_KEYS, CAP_AGG_SMALL_ARENA);
	char key[32];
	assert_non_null(g);
	assert_true(cap_agg_add(g, "read", 4, "/a", 2, 0, 1, 10, 0, 1));
	assert_true(cap_agg_add(g, "read", 4, "/a", 2, 0, 1, 5, 0, 2));
	assert_true(cap_agg_add(g, "write", 5, "/a", 2, 0, 1, 0, 0, 3));
	assert_true(cap_agg_add(g, "tcp", 3, "1.2.3.4", 7, 443, 1, 0, 0, 4));
	assert_true(cap_agg_add(g, "tcp", 3, "1.2.3.4", 7, 80, 1, 0, 0, 5));
	assert_int_equal(g->n, 4);
	assert_int_equal(g->ent[0].count, 2);
	assert_int_equal(g->ent[0].v1, 15);
	assert_int_equal(g->ent[0].first, 1);
	assert_int_equal(g->ent[0].last, 2);
	/* full at its cap of distinct keys: the caller flushes */
	cap_agg_init(g);
	int i;
	for (i = 0; i < CAP_AGG_SMALL_KEYS + 10; i++) {
		snprintf(key, sizeof(key), "/f%d", i);
		if (!cap_agg_add(g, "read", 4, key, strlen(key), 0, 1, 0, 0, i))
			break;
	}
	assert_int_equal(i, CAP_AGG_SMALL_KEYS);
	assert_true(cap_agg_add(g, "read", 4, "/f1", 3, 0, 1, 0, 0, 0)); /* an existing key still adds */
	cap_agg_free(g);
	/* and at its cap of key bytes */
	g = cap_agg_new(100, 64);
	assert_true(cap_agg_add(g, "read", 4, "/0123456789012345678901234567890123456789", 41, 0, 1, 0, 0, 0));
	assert_false(cap_agg_add(g, "read", 4, "/abcdefghijklmnopqrstuvwxyz", 27, 0, 1, 0, 0, 0));
	cap_agg_free(g);
}

/* A new store in a fresh temporary path (path is a mkstemp template, filled in). */
static struct cap_store *temp_store(char *path, const char *uuid)
{
	char err[256];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	struct cap_store *st;
	struct cap_store_session si = { .uuid = uuid, .start_ns = 5 };
	if (cap_store_open(&st, path, &si, 1, err, sizeof(err)))
		fail_msg("%s", err);
	return st;
}

/* The database and its WAL and shared-memory files. */
static void remove_db(const char *path)
{
	char side[64];
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

/* cap_store_line: a JSONL line that is not a decoded event goes through the writer thread,
 * its columns read from the JSON; a line without time gets the time before it. */
static void test_store_line(void **state)
{
	(void)state;
	char path[] = "/tmp/capsule-test-store-XXXXXX", err[256];
	struct cap_store *st = temp_store(path, "s1");
	static const char l1[] = "{\"seq\":1,\"time\":\"2026-12-04T20:10:05Z\",\"kind\":\"dns\",\"area\":\"net\","
				 "\"pid\":9,\"comm\":\"curl\",\"addr\":{\"address\":\"127.0.0.53:53\"},\"prev\":\"00\"}\n";
	static const char l2[] = "{\"seq\":2,\"kind\":\"openat\",\"truncated\":true}\n";
	assert_int_equal(cap_store_line(st, l1, strlen(l1), "[20:10:05.000] P9 (curl) dns\n", 29), 0);
	assert_int_equal(cap_store_line(st, l2, strlen(l2), NULL, 0), 0);
	assert_int_equal(cap_store_line(st, "not json", 8, NULL, 0), 0); /* queued; the writer drops it */
	/* a dns answer names the address a later connect uses; an image event hashes an exec */
	static const char *const more[] = {
		"{\"seq\":3,\"time\":\"2026-12-04T20:10:06Z\",\"kind\":\"dns\",\"area\":\"net\",\"pid\":9,"
		"\"name\":\"api.example\",\"addresses\":[\"10.0.0.9\",\"2001:db8::9\"]}",
		"{\"seq\":4,\"time\":\"2026-12-04T20:10:07Z\",\"kind\":\"connect\",\"area\":\"net\",\"pid\":9,"
		"\"addr\":{\"address\":\"10.0.0.9:443\"},\"sock\":{\"protocol\":\"tcp\"},\"ret\":0}",
		"{\"seq\":5,\"time\":\"2026-12-04T20:10:07Z\",\"kind\":\"fork\",\"area\":\"proc\",\"pid\":9,"
		"\"child_pid\":10,\"child_tid\":10,\"thread\":false}",
		"{\"seq\":6,\"time\":\"2026-12-04T20:10:07Z\",\"kind\":\"execve\",\"area\":\"proc\",\"pid\":10,"
		"\"exe\":\"/usr/bin/x\",\"argv\":[\"x\"],\"image_sha256\":\"aa\"}",
		"{\"seq\":7,\"time\":\"2026-12-04T20:10:08Z\",\"kind\":\"image\",\"area\":\"proc\",\"pid\":10,"
		"\"role\":\"exe\",\"status\":\"ok\",\"sha256\":\"bb\"}",
	};
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		assert_int_equal(cap_store_line(st, more[i], strlen(more[i]), NULL, 0), 0);
	struct cap_store_stats stats;
	assert_int_equal(cap_store_close(st, &(struct cap_store_end){ .end_ns = 6, .stats = &stats }, err, sizeof(err)), 0);
	assert_int_equal(stats.written, 7);
	assert_int_equal(stats.not_stored, 1);

	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT seq, time_ns, kind, host, port, line, comm FROM events ORDER BY id",
					    -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(s, 1), 1796415005LL * NS);
	assert_string_equal(sqlite3_column_text(s, 2), "dns");
	assert_string_equal(sqlite3_column_text(s, 3), "127.0.0.53");
	assert_int_equal(sqlite3_column_int64(s, 4), 53);
	assert_string_equal(sqlite3_column_text(s, 5), "[20:10:05.000] P9 (curl) dns");
	assert_string_equal(sqlite3_column_text(s, 6), "curl");
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(s, 0), 2);
	assert_int_equal(sqlite3_column_int64(s, 1), 1796415005LL * NS); /* the time before it */
	assert_int_equal(sqlite3_column_type(s, 5), SQLITE_NULL);
	sqlite3_finalize(s);
	const char *checks[][2] = {
		{ "SELECT group_concat(addr || '=' || name, ' ') FROM dns_names", "10.0.0.9=api.example 2001:db8::9=api.example" },
		{ "SELECT addr || ':' || port || ' ' || proto || ' ' || dns_name FROM peers", "10.0.0.9:443 tcp api.example" },
		{ "SELECT pid || ' ' || ppid || ' ' || exe || ' ' || exe_sha256 FROM processes", "10 9 /usr/bin/x bb" },
	};
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		assert_int_equal(sqlite3_prepare_v2(db, checks[i][0], -1, &s, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_string_equal(sqlite3_column_text(s, 0), checks[i][1]);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	remove_db(path);
}

/* One line through the real writer (cap_store_line). */
static void push(struct cap_store *st, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	assert_int_equal(cap_store_line(st, line, strlen(line), NULL, 0), 0);
}

/* The first text column of the first row of sql, as a string ("" when no row). */
static const char *one(sqlite3 *d, const char *sql)
{
	static char out[512];
	sqlite3_stmt *s;
	out[0] = 0;
	assert_int_equal(sqlite3_prepare_v2(d, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(out, sizeof(out), "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return out;
}

/* The writer's own bookkeeping: event_times rows per bucket from seqs out of order (an edited
 * log), comms for each (pid, comm) pair, and totals written while the queue is idle, not only
 * with later events. */
static void test_writer_buckets_comms_totals(void **state)
{
	(void)state;
	char path[] = "/tmp/capsule-test-writer-XXXXXX", err[256];
	struct cap_store *st = temp_store(path, "w1");
	const char *ev = "{\"seq\":%d,\"time\":\"2026-12-04T20:10:%02dZ\",\"kind\":\"openat\",\"area\":\"file\","
			 "\"pid\":%d,\"comm\":\"%s\",\"path\":\"/w/%d\",\"ret\":3}";
	push(st, ev, 1, 10, 9, "a", 1);
	push(st, ev, 2000, 12, 9, "b", 2000); /* bucket 1 */
	push(st, ev, 1500, 11, 9, "a", 1500); /* back into bucket 1, earlier in time */
	push(st, ev, 5, 13, 7, "a", 5);       /* back into bucket 0 */
	push(st, ev, 3000, 14, 7, "c", 3000); /* bucket 2 */
	usleep(300000); /* committed (the first commit is a synced one): the next is not */
	push(st, "{\"seq\":3001,\"time\":\"2026-12-04T20:10:15Z\",\"kind\":\"connect\",\"area\":\"net\",\"pid\":7,"
		 "\"comm\":\"c\",\"addr\":{\"address\":\"10.0.0.1:80\"},\"sock\":{\"protocol\":\"tcp\"},\"ret\":0}");

	/* idle now: the totals (files, peers) reach the database within the synced commit's period */
	sqlite3 *rd;
	assert_int_equal(sqlite3_open_v2(path, &rd, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_busy_timeout(rd, 2000);
	const char *peer = "";
	for (int i = 0; i < 60 && !peer[0]; i++) {
		usleep(50000);
		peer = one(rd, "SELECT addr || ':' || port FROM peers");
	}
	assert_string_equal(peer, "10.0.0.1:80");
	assert_string_equal(one(rd, "SELECT count(*) FROM files WHERE op = 'read'"), "5");
	sqlite3_close(rd);

	assert_int_equal(cap_store_close(st, &(struct cap_store_end){ .end_ns = 6 }, err, sizeof(err)), 0);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_string_equal(one(db, "SELECT group_concat(bucket || ':' || first_seq || '-' || last_seq || '/' || events "
				    "|| '@' || (min_ns / 1000000000 % 60) || '-' || (max_ns / 1000000000 % 60), ' ') "
				    "FROM (SELECT * FROM event_times ORDER BY bucket)"),
			    "0:1-5/2@10-13 1:1500-2000/2@11-12 2:3000-3001/2@14-15");
	assert_string_equal(one(db, "SELECT group_concat(pid || comm, ' ') FROM (SELECT * FROM comms ORDER BY pid, comm)"),
			    "7a 7c 9a 9b");
	assert_string_equal(one(db, "SELECT group_concat(bucket, '') FROM (SELECT bucket FROM events ORDER BY id)"),
			    "001122");
	sqlite3_close(db);
	remove_db(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_formats),
		cmocka_unit_test(test_time_rejects),
		cmocka_unit_test(test_split_addr),
		cmocka_unit_test_setup_teardown(test_filters, setup_db, teardown_db),
		cmocka_unit_test(test_filter_errors),
		cmocka_unit_test(test_common_kinds_in_schema),
		cmocka_unit_test(test_rec_from_json),
		cmocka_unit_test(test_agg),
		cmocka_unit_test(test_store_line),
		cmocka_unit_test(test_writer_buckets_comms_totals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
