/* Store bench: synthetic but realistic records (an agent building and testing a project:
 * opens and closes across a source tree and libraries, process starts and exits, outbound
 * connections, a few risky events) go through the same path as capsule run's reader:
 * cap_decode -> cap_view_build -> JSON and text -> cap_store_event -> writer thread -> SQLite.
 * Then each capsule query filter is timed on the result.
 *
 *   store_bench N DB      prints one JSON object with the figures (bench/store.py reads it)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "../tests/recbuild.h"
#include "enrich/view.h"
#include "format/json.h"
#include "format/text.h"
#include "store/query.h"
#include "store/store.h"
#include "trace/decode.h"

static struct cap_rec *rec_start(struct builder *b, int type, int nr, uint32_t pid, const char *comm)
{
	struct cap_rec *r = rec_header(b, type, nr, pid, comm);
	r->ppid = pid > 1000 ? 1000 + (pid - 1000) / 8 : 1;
	r->uid = r->euid = r->gid = 1000;
	return r;
}



static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rnd_state = 42;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return rnd_state >> 33;
}

static const char *const comms[] = { "python3", "bash", "node", "git", "cc1", "make", "ld", "rg", "cat", "pytest" };
#define NPROC 400
#define NHOSTS 40

/* One synthetic record for event i; fd per pid is tracked so a close follows its open. */
static size_t make_record(struct builder *b, uint64_t i, int64_t *ts)
{
	uint32_t r = rnd() % 1000;
	uint32_t pidx = rnd() % NPROC, pid = 1000 + pidx;
	/* a few commands do most of the work: python3 40%, bash 20%, ... pytest and rg 2% each */
	static const uint8_t share[20] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 4, 5, 6, 7, 9 };
	const char *comm = comms[share[pidx % 20]];
	char path[256];
	struct cap_fileinfo fi = { .mode = 0100644, .magic = 0xEF53, .ino = 1000 + i % 5000, .size = 4096 };
	struct cap_rec *h;
	*ts += 20000 + rnd() % 180000; /* ~10k events/s: a 1M-event session lasts ~100 s */

	if (r < 420) { /* openat: sources, headers, libraries, config */
		h = rec_start(b, CAP_REC_SYSCALL, __NR_openat, pid, comm);
		uint32_t k = rnd() % 6000;
		if (k < 3000)
			snprintf(path, sizeof(path), "src/module%u/file%u.c", k % 60, k);
		else if (k < 5000)
			snprintf(path, sizeof(path), "/usr/include/x86_64-linux-gnu/sys/h%u.h", k);
		else
			snprintf(path, sizeof(path), "/usr/lib/python3.11/site-packages/pkg%u/__init__.py", k % 300);
		bool wr = rnd() % 10 == 0;
		h->args[0] = (uint64_t)-100;
		h->args[2] = wr ? (O_WRONLY | O_CREAT | O_TRUNC) : (O_RDONLY | O_CLOEXEC);
		h->args[3] = wr ? 0644 : 0;
		h->ret = rnd() % 50 == 0 ? -2 : 3 + (int)(rnd() % 20);
		field(b, CAP_F_STR, 1, path, strlen(path));
		if (path[0] != '/')
			field(b, CAP_F_BASE, 1, "/home/agent/project", 19);
		if (h->ret >= 0)
			field(b, CAP_F_FILE, 6, &fi, sizeof(fi));
	} else if (r < 820 || (r >= 825 && r < 860)) { /* close with I/O totals */
		h = rec_start(b, CAP_REC_SYSCALL, __NR_close, pid, comm);
		h->args[0] = 3 + rnd() % 20;
		struct cap_iostat io = { .rbytes = rnd() % 65536, .rcalls = 1 + rnd() % 8 };
		field(b, CAP_F_IO, 0, &io, sizeof(io));
	} else if (r < 825) { /* connect to one of a few hosts (0.5%) */
		h = rec_start(b, CAP_REC_SYSCALL, __NR_connect, pid, comm);
		uint32_t hidx = rnd() % NHOSTS;
		uint8_t sa[16] = { 2, 0, 0x01, 0xbb, 10, 0, hidx / 256, hidx % 256 };
		struct cap_sockinfo si = { .family = 2, .type = 1, .protocol = 6, .rport = 443, .lport = 40000 + rnd() % 20000,
					   .laddr = { 10, 0, 0, 1 }, .raddr = { 10, 0, hidx / 256, hidx % 256 } };
		h->args[0] = 5;
		h->args[2] = 16;
		field(b, CAP_F_SOCK, 0, &si, sizeof(si));
		field(b, CAP_F_SOCKADDR, 1, sa, sizeof(sa));
	} else if (r < 880) { /* process start */
		h = rec_start(b, CAP_REC_FORK, 0, pid, comm);
		h->args[0] = h->args[1] = 1000 + rnd() % NPROC;
	} else if (r < 900) { /* exec */
		h = rec_start(b, CAP_REC_EXEC, 0, pid, comm);
		static const char argv[] = "cc1\0-quiet\0-Iinclude\0src/module1/file1.c\0-o\0/tmp/cc.s";
		snprintf(path, sizeof(path), "/usr/lib/gcc/x86_64-linux-gnu/12/cc1");
		field(b, CAP_F_STR, 0, path, strlen(path));
		field(b, CAP_F_ARGV, -1 & 0xff, argv, sizeof(argv) - 1);
		field(b, CAP_F_CWD, -1 & 0xff, "/home/agent/project", 19);
		struct cap_fileinfo efi = fi;
		efi.mode = 0100755;
		field(b, CAP_F_FILE, 6, &efi, sizeof(efi));
	} else if (r < 920) { /* exit */
		h = rec_start(b, CAP_REC_EXIT, 0, pid, comm);
		h->ret = (rnd() % 4 == 0) << 8;
		h->args[0] = rnd() % 100000000;
	} else if (r < 990) { /* file changes: unlink, rename, mkdir */
		static const int nrs[] = { __NR_unlink, __NR_rename, __NR_mkdir };
		int k = rnd() % 3;
		h = rec_start(b, CAP_REC_SYSCALL, nrs[k], pid, comm);
		snprintf(path, sizeof(path), "/home/agent/project/build/obj%u.o", rnd() % 3000);
		field(b, CAP_F_STR, 0, path, strlen(path));
		if (k == 1) {
			char p2[256];
			snprintf(p2, sizeof(p2), "/home/agent/project/build/out%u.o", rnd() % 3000);
			field(b, CAP_F_STR, 1, p2, strlen(p2));
		}
		h->ret = 0;
	} else { /* risky: a secret read, or a W+X mapping */
		if (rnd() % 2) {
			h = rec_start(b, CAP_REC_SYSCALL, __NR_openat, pid, comm);
			h->args[0] = (uint64_t)-100;
			h->ret = 7;
			snprintf(path, sizeof(path), "/home/agent/.ssh/id_ed25519");
			field(b, CAP_F_STR, 1, path, strlen(path));
			field(b, CAP_F_FILE, 6, &fi, sizeof(fi));
		} else {
			h = rec_start(b, CAP_REC_SYSCALL, __NR_mmap, pid, comm);
			h->args[1] = 4096;
			h->args[2] = 7; /* PROT_READ|WRITE|EXEC */
			h->args[3] = 0x22;
			h->args[4] = (uint64_t)-1;
			h->ret = 0x7f0000000000;
		}
	}
	h->ts = *ts;
	return finish(b);
}

struct qcase {
	const char *name;
	struct cap_query q;
};

static int64_t t0_ns;

static double time_query(sqlite3 *db, const struct cap_query *q, long *rows)
{
	static struct cap_query_sql qs;
	char err[256];
	sqlite3_stmt *s;
	if (cap_query_build(q, &qs, err, sizeof(err)))
		return fprintf(stderr, "%s\n", err), -1;
	double t = now_s();
	if (sqlite3_prepare_v2(db, qs.sql, -1, &s, NULL) != SQLITE_OK)
		return fprintf(stderr, "%s\n", sqlite3_errmsg(db)), -1;
	for (int i = 0; i < qs.nparams; i++) {
		if (qs.params[i].is_text)
			sqlite3_bind_text(s, i + 1, qs.params[i].text, -1, SQLITE_STATIC);
		else
			sqlite3_bind_int64(s, i + 1, qs.params[i].num);
	}
	long n = 0;
	size_t bytes = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		bytes += sqlite3_column_bytes(s, 0); /* read the line, as capsule query prints it */
		n++;
	}
	sqlite3_finalize(s);
	*rows = n;
	return (now_s() - t) * 1000;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return fprintf(stderr, "usage: store_bench N DB\n"), 2;
	long n = atol(argv[1]);
	const char *path = argv[2];
	char err[512];
	static struct builder b;
	static struct cap_event ev;
	static struct cap_view v;
	static char json[1 << 16], text[1 << 16];
	struct cap_text_opts to = { .color = false, .max_str = 256 };
	struct cap_store *st;
	struct timespec rt;

	unlink(path);
	clock_gettime(CLOCK_REALTIME, &rt);
	t0_ns = (int64_t)rt.tv_sec * 1000000000LL + rt.tv_nsec;
	struct cap_store_session si = { .uuid = "bench-1", .command = "agent build-and-test", .user = "agent",
					.uid = 1000, .start_ns = t0_ns, .host = "bench" };
	if (cap_store_open(&st, path, &si, 0, err, sizeof(err)))
		return fprintf(stderr, "%s\n", err), 1;
	cap_store_set_blocking(st, true);

	int64_t ts = 0;
	double fmt_s = 0, t_start = now_s();
	for (long i = 0; i < n; i++) {
		size_t size = make_record(&b, i, &ts);
		if (cap_decode(&ev, b.buf, size))
			return fprintf(stderr, "record %ld does not decode\n", i), 1;
		ev.seq = i + 1;
		ev.realtime_ns = t0_ns + ts;
		cap_view_build(&v, &ev);
		struct sbuf jb, tb;
		sb_init(&jb, json, sizeof(json));
		cap_json_event(&jb, &ev, &v);
		sb_init(&tb, text, sizeof(text));
		cap_text_event(&tb, &ev, &v, &to);
		cap_store_event(st, &ev, &v, jb.buf, jb.len, tb.buf, tb.len);
	}
	double t_pushed = now_s();
	struct cap_store_stats stats;
	if (cap_store_close(st, &(struct cap_store_end){ .end_ns = t0_ns + ts, .stats = &stats }, err, sizeof(err)))
		return fprintf(stderr, "%s\n", err), 1;
	double t_done = now_s();
	(void)fmt_s;

	/* checkpoint so the size is the database's, not a WAL's */
	sqlite3 *db;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return 1;
	sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	sqlite3_close(db);
	struct stat sst;
	stat(path, &sst);

	if (cap_store_open_existing(&db, path, true, CAP_STORE_VERSION, err, sizeof(err))) /* as capsule query does */
		return fprintf(stderr, "%s\n", err), 1;
	int64_t mid = t0_ns + ts / 2;
	struct qcase cases[] = {
		{ "--kind connect", { .pid = -1, .kind = "connect" } },
		{ "--kind openat --limit 100", { .pid = -1, .kind = "openat", .limit = 100 } },
		{ "--pid 1234", { .pid = 1234 } },
		{ "--comm pytest", { .pid = -1, .comm = "pytest" } },
		{ "--path '/home/agent/project/src/module7/*'", { .pid = -1, .path_glob = "/home/agent/project/src/module7/*" } },
		{ "--path '*.py'", { .pid = -1, .path_glob = "*.py", .limit = 100 } },
		{ "--host 10.0.0.7", { .pid = -1, .host = "10.0.0.7" } },
		{ "--since/--until (1 s window)", { .pid = -1, .since_ns = mid, .until_ns = mid + 1000000000LL } },
		{ "--warnings", { .pid = -1, .warnings = true } },
		{ "--kind execve --pid 1100", { .pid = 1100, .kind = "execve" } },
	};
	printf("{\"events\":%ld,\"push_s\":%.3f,\"total_s\":%.3f,\"insert_eps\":%.0f,\"reader_eps\":%.0f,"
	       "\"writer_cpu_s\":%.3f,\"writer_eps\":%.0f,\"db_bytes\":%lld,\"bytes_per_event\":%.1f,\"queries\":[",
	       n, t_pushed - t_start, t_done - t_start, n / (t_done - t_start), n / (t_pushed - t_start),
	       stats.writer_cpu_s, stats.written / stats.writer_cpu_s, (long long)sst.st_size, (double)sst.st_size / n);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long rows = 0;
		cases[i].q.session = 1;
		double first = time_query(db, &cases[i].q, &rows); /* SQLite's cache cold */
		double ms = time_query(db, &cases[i].q, &rows);    /* again, as a second query would be */
		printf("%s{\"filter\":\"%s\",\"first_ms\":%.2f,\"ms\":%.2f,\"rows\":%ld}", i ? "," : "",
		       cases[i].name, first, ms, rows);
	}
	printf("]}\n");
	sqlite3_close(db);
	return 0;
}
