/* The SQLite session store: a bounded queue filled by the reader, drained by a writer thread
 * in transactions (see store.h for the contract, docs/store.md for the crash bound). */
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <json-c/json.h>
#include "format/jsonget.h"
#include "format/describe.h"
#include "format/escape.h"
#include "format/fdtarget.h"
#include "format/names.h"
#include "store/agg.h"
#include "store/import.h"
#include "store/query.h"
#include "store/store.h"

static const char schema_sql[] =
#include "schema_sql.h"
	;

static char schema_text[sizeof(schema_sql) + 256];
static pthread_once_t schema_once = PTHREAD_ONCE_INIT;

/* schema.sql with @COMMON_KINDS@ replaced by the query builder's list */
static void schema_build(void)
{
	const char *mark = "@COMMON_KINDS@", *at = strstr(schema_sql, mark);
	char list[200];
	cap_query_common_kinds(list, sizeof(list));
	if (!at) {
		snprintf(schema_text, sizeof(schema_text), "%s", schema_sql);
		return;
	}
	snprintf(schema_text, sizeof(schema_text), "%.*s%s%s", (int)(at - schema_sql), schema_sql, list,
		 at + strlen(mark));
}

const char *cap_store_schema(void)
{
	pthread_once(&schema_once, schema_build);
	return schema_text;
}

/* ---- the queue: a byte ring with one producer (reader) and one consumer (writer) ----
 * Positions only grow; offset = position % cap. An entry is a u32 size (8-aligned total)
 * then the payload; QWRAP in the size means "continue at offset 0". */
#define QWRAP 0xffffffffu
#define CAP_STORE_USER_CACHE 16 /* uid -> name entries (direct-mapped) */

enum { S_KIND, S_AREA, S_COMM, S_ERROR, S_WARNING, S_PATH, S_PATH2, S_HOST, S_PROTO, S_IOPATH, S_LINE, S_JSON, S__N };

struct qent {
	uint32_t size;
	uint8_t has_ret, writes, parse, pad;
	uint64_t seq;
	int64_t time_ns, pid, tid, ppid, uid, ret, port;
	uint64_t io_read, io_write;
	uint32_t len[S__N]; /* UINT32_MAX: NULL; strings follow, each NUL-terminated */
};

struct cap_store {
	sqlite3 *db;
	int64_t synced_ms; /* when a commit last waited for the disk (CLOCK_MONOTONIC) */
	int64_t sid; /* sessions.id */
	/* queue */
	uint8_t *q;
	size_t qcap;
	_Atomic uint64_t head, tail;
	_Atomic bool kicked, stop;
	bool blocking;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t writer;
	bool writer_started;
	_Atomic uint64_t not_stored, written;
	_Atomic uint64_t writer_cpu_ns; /* CPU time the writer spent draining (bench figure) */
	/* writer state */
	sqlite3_stmt *ins_event, *up_file, *up_peer, *ins_warn, *ins_proc, *up_exec, *up_exit, *up_session, *ins_times;
	sqlite3_stmt *ins_dns, *up_image, *ins_comm;
	struct cap_agg *files, *peers; /* totals not written yet (flushed once a second) */
	struct cap_agg *comms;         /* (pid, comm) pairs seen; the first comms_written are stored */
	uint32_t comms_written;
	/* the event_times row of the current bucket (seq >> CAP_STORE_BUCKET_SHIFT) */
	struct { int64_t bucket; uint64_t first, last; int64_t min, max; uint32_t n; } chunk;
	uint64_t warnings, processes;
	int write_err;
	char write_msg[256];
	char final_hash[65];
	struct { bool set; int64_t uid; char name[64]; } users[CAP_STORE_USER_CACHE]; /* user_name() */
	/* reader scratch (escaped strings) */
	char comm[CAP_COMM_LEN * 4 + 1];
	char p1[CAP_PATH_MAX * 8 + 64], p2[CAP_PATH_MAX * 8 + 64];
	char host[600];
	char iop[CAP_FDVIEW_NAME * 4 + 1];
};

static size_t al8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static void kick(struct cap_store *st)
{
	pthread_mutex_lock(&st->mu);
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
}

/* The bytes one record takes in the queue (8-aligned), and its string lengths. */
static size_t rec_size(const struct cap_store_rec *r, const char *s[S__N], size_t len[S__N])
{
	size_t need = sizeof(struct qent);
	const char *v[S__N] = { r->kind, r->area, r->comm, r->error, r->warning, r->path, r->path2,
				r->host, r->proto, r->io_path, r->line, r->json };
	for (int i = 0; i < S__N; i++) {
		s[i] = v[i];
		if (i == S_LINE && r->line_len)
			len[i] = r->line_len;
		else if (i == S_JSON && r->json_len)
			len[i] = r->json_len;
		else
			len[i] = s[i] ? strlen(s[i]) : 0;
		need += s[i] ? len[i] + 1 : 0;
	}
	return al8(need);
}

static void rec_write(struct qent *e, size_t need, const struct cap_store_rec *r, const char *s[S__N],
		      const size_t len[S__N])
{
	char *p = (char *)(e + 1);
	e->size = need;
	e->has_ret = r->has_ret;
	e->writes = r->writes;
	e->parse = r->parse;
	e->seq = r->seq;
	e->time_ns = r->time_ns;
	e->pid = r->pid;
	e->tid = r->tid;
	e->ppid = r->ppid;
	e->uid = r->uid;
	e->ret = r->ret;
	e->port = r->port;
	e->io_read = r->io_read;
	e->io_write = r->io_write;
	for (int i = 0; i < S__N; i++) {
		if (!s[i]) {
			e->len[i] = UINT32_MAX;
			continue;
		}
		e->len[i] = len[i];
		memcpy(p, s[i], len[i]);
		p[len[i]] = 0;
		p += len[i] + 1;
	}
}

int cap_store_push(struct cap_store *st, const struct cap_store_rec *r, bool wait)
{
	const char *s[S__N];
	size_t len[S__N], need = rec_size(r, s, len);
	if (need > st->qcap / 4) {
		atomic_fetch_add(&st->not_stored, 1);
		return -E2BIG;
	}
	for (;;) {
		uint64_t head = atomic_load_explicit(&st->head, memory_order_relaxed);
		uint64_t tail = atomic_load_explicit(&st->tail, memory_order_acquire);
		size_t off = head % st->qcap, end_room = st->qcap - off;
		size_t want = need + (end_room < need ? end_room : 0);
		if (st->qcap - (head - tail) >= want) {
			if (end_room < need) {
				if (end_room >= sizeof(uint32_t))
					*(uint32_t *)(st->q + off) = QWRAP;
				head += end_room;
				off = 0;
			}
			rec_write((struct qent *)(st->q + off), need, r, s, len);
			atomic_store_explicit(&st->head, head + need, memory_order_release);
			if ((head + need - tail) > st->qcap / 4 && !atomic_exchange(&st->kicked, true))
				kick(st);
			return 0;
		}
		if (!wait) {
			atomic_fetch_add(&st->not_stored, 1);
			return -ENOSPC;
		}
		if (!atomic_exchange(&st->kicked, true))
			kick(st);
		struct timespec ts = { 0, 200000 };
		nanosleep(&ts, NULL);
	}
}

int cap_store_line(struct cap_store *st, const char *json, size_t jlen, const char *line, size_t llen)
{
	if (jlen && json[jlen - 1] == '\n')
		jlen--;
	if (llen && line[llen - 1] == '\n')
		llen--;
	if (!jlen)
		return -EINVAL;
	struct cap_store_rec r = { .parse = true, .json = json, .json_len = jlen, .line = llen ? line : NULL,
				   .line_len = llen, .port = -1 };
	return cap_store_push(st, &r, st->blocking);
}

/* ---- reader side: the columns of a decoded event ---- */

/* "1.2.3.4:80" / "[::1]:80" -> host and port; "unix:..." -> host, port -1; else nothing. */
void cap_store_split_addr(const char *addr, char *host, size_t n, int64_t *port)
{
	host[0] = 0;
	*port = -1;
	if (!strncmp(addr, "unix:", 5)) {
		snprintf(host, n, "%s", addr);
		return;
	}
	const char *colon = strrchr(addr, ':');
	if (!colon || !(addr[0] == '[' || (addr[0] >= '0' && addr[0] <= '9')))
		return;
	size_t hl = colon - addr;
	const char *h = addr;
	if (addr[0] == '[' && hl >= 2 && addr[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	if (hl >= n)
		return;
	memcpy(host, h, hl);
	host[hl] = 0;
	*port = strtol(colon + 1, NULL, 10);
}

void cap_store_event(struct cap_store *st, const struct cap_event *ev, const struct cap_view *v,
		     const char *json, size_t jlen, const char *line, size_t llen)
{
	struct cap_store_rec r = { 0 };
	char tmp[600];
	r.seq = ev->seq;
	r.time_ns = ev->realtime_ns;
	r.pid = ev->hdr.pid;
	r.tid = ev->hdr.tid;
	r.ppid = ev->hdr.ppid;
	r.uid = ev->hdr.uid;
	r.kind = cap_event_kind(ev);
	r.area = cap_area_name(v->area);
	cap_escape(st->comm, sizeof(st->comm), ev->hdr.comm, strnlen(ev->hdr.comm, CAP_COMM_LEN), 0);
	r.comm = st->comm;
	r.warning = v->warning;
	r.writes = v->writes;
	r.port = -1;
	if (ev->hdr.type == CAP_REC_SYSCALL) {
		r.has_ret = true;
		r.ret = ev->hdr.ret;
		if (r.ret < 0 && r.ret > -4096) {
			r.error = cap_errno_name((int)-r.ret);
			if (!r.error)
				r.error = "E?";
		}
	}
	if (v->npaths) {
		cap_escape(st->p1, sizeof(st->p1), v->path[0], v->path_len[0], 0);
		r.path = st->p1;
		if (v->npaths > 1) {
			cap_escape(st->p2, sizeof(st->p2), v->path[1], v->path_len[1], 0);
			r.path2 = st->p2;
		}
	}
	for (unsigned i = 0; i < ev->nfields; i++) {
		const struct cap_fieldref *f = &ev->fields[i];
		switch (f->type) {
		case CAP_F_FDPATH:
			if (r.path)
				break;
			if (!cap_describe_pseudo_path(st->p1, sizeof(st->p1), ev, f))
				cap_escape(st->p1, sizeof(st->p1), (const char *)f->data, f->len, 0);
			r.path = st->p1;
			break;
		case CAP_F_SOCKADDR:
			if (!strcmp(r.kind, "bind"))
				break; /* a local address */
			cap_describe_sockaddr(tmp, sizeof(tmp), f->data, f->len, NULL);
			cap_store_split_addr(tmp, st->host, sizeof(st->host), &r.port);
			r.host = st->host[0] ? st->host : NULL;
			break;
		case CAP_F_SOCK: {
			struct cap_sockinfo si;
			if (f->len < sizeof(si))
				break;
			memcpy(&si, f->data, sizeof(si));
			if (!r.proto || f->arg == 6)
				r.proto = cap_sock_proto_name(&si);
			if (!r.host && si.rport && cap_describe_sock_end(tmp, sizeof(tmp), &si, 1)) {
				cap_store_split_addr(tmp, st->host, sizeof(st->host), &r.port);
				r.host = st->host[0] ? st->host : NULL;
			}
			break;
		}
		case CAP_F_IO: {
			struct cap_iostat io;
			if (f->len >= sizeof(io)) {
				memcpy(&io, f->data, sizeof(io));
				r.io_read = io.rbytes;
				r.io_write = io.wbytes;
			}
			break;
		}
		}
	}
	/* a close names no file or peer of its own: its byte totals go to what the fd table says
	 * the fd was (a file: files.bytes; a connected socket: the peer's bytes) */
	const struct cap_fdview *fv = r.io_read || r.io_write ? cap_view_fd(v, 0) : NULL;
	if (fv && !r.path && fv->kind == CAP_FDK_FILE) {
		cap_escape(st->iop, sizeof(st->iop), fv->name, fv->name_len, 0);
		r.io_path = st->iop;
	}
	if (fv && !r.host && fv->kind == CAP_FDK_SOCKET && fv->has_sock && fv->sock.rport &&
	    cap_describe_sock_end(tmp, sizeof(tmp), &fv->sock, 1)) {
		cap_store_split_addr(tmp, st->host, sizeof(st->host), &r.port);
		r.host = st->host[0] ? st->host : NULL;
		if (r.host && !r.proto)
			r.proto = cap_sock_proto_name(&fv->sock);
	}
	if (jlen && json[jlen - 1] == '\n')
		jlen--;
	if (llen && line[llen - 1] == '\n')
		llen--;
	/* the formatters' buffers are NUL-terminated after the newline: pass explicit lengths */
	r.json = jlen ? json : "{}";
	r.json_len = jlen;
	r.line = llen ? line : NULL;
	r.line_len = llen;
	cap_store_push(st, &r, st->blocking);
}

/* ---- writer side ---- */

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v, uint32_t len)
{
	if (!v || len == UINT32_MAX)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, len, SQLITE_STATIC);
}

static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	bind_text(s, i, v, v ? strlen(v) : UINT32_MAX);
}

static int step(struct cap_store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW && !st->write_err) {
		st->write_err = -EIO;
		snprintf(st->write_msg, sizeof(st->write_msg), "%s", sqlite3_errmsg(st->db));
	}
	return rc;
}

/* The file operation an event stands for ("read", "write", ...), for the files table. */
static const char *file_op(const char *kind, bool writes, const char **op2)
{
	*op2 = NULL;
	if (!strcmp(kind, "open") || !strcmp(kind, "openat") || !strcmp(kind, "openat2"))
		return writes ? "write" : "read";
	if (!strcmp(kind, "creat"))
		return "write";
	if (!strncmp(kind, "unlink", 6) || !strcmp(kind, "rmdir"))
		return "delete";
	if (!strncmp(kind, "rename", 6))
		return *op2 = "create", "rename";
	if (!strncmp(kind, "mkdir", 5) || !strncmp(kind, "mknod", 5))
		return "create";
	if (strstr(kind, "chmod"))
		return "chmod";
	if (strstr(kind, "chown"))
		return "chown";
	if (strstr(kind, "truncate"))
		return "truncate";
	if (!strncmp(kind, "link", 4) || !strncmp(kind, "symlink", 7))
		return *op2 = "create", "link";
	return NULL;
}

static void flush_files(struct cap_store *st)
{
	for (uint32_t i = 0; i < st->files->n; i++) {
		const struct cap_agg_ent *e = &st->files->ent[i];
		sqlite3_stmt *s = st->up_file;
		sqlite3_bind_int64(s, 1, st->sid);
		bind_text(s, 2, e->b, e->blen);
		bind_text(s, 3, e->a, e->alen);
		sqlite3_bind_int64(s, 4, e->count);
		sqlite3_bind_int64(s, 5, e->v1);
		sqlite3_bind_int64(s, 6, e->first);
		sqlite3_bind_int64(s, 7, e->last);
		step(st, s);
	}
	cap_agg_init(st->files);
}

static void flush_peers(struct cap_store *st)
{
	for (uint32_t i = 0; i < st->peers->n; i++) {
		const struct cap_agg_ent *e = &st->peers->ent[i];
		sqlite3_stmt *u = st->up_peer;
		sqlite3_bind_int64(u, 1, st->sid);
		bind_text(u, 2, e->b, e->blen);
		sqlite3_bind_int64(u, 3, e->port);
		bind_text(u, 4, e->a, e->alen);
		sqlite3_bind_int64(u, 5, e->count);
		sqlite3_bind_int64(u, 6, e->v1);
		sqlite3_bind_int64(u, 7, e->v2);
		sqlite3_bind_int64(u, 8, e->first);
		sqlite3_bind_int64(u, 9, e->last);
		step(st, u);
	}
	cap_agg_init(st->peers);
}

/* comms keeps the (pid, comm) pairs of the session until it is full: only the pairs added since
 * the last flush are written, so a pair costs one insert, not one per commit. */
static void flush_comms(struct cap_store *st, bool reset)
{
	for (uint32_t i = st->comms_written; i < st->comms->n; i++) {
		const struct cap_agg_ent *e = &st->comms->ent[i];
		sqlite3_stmt *s = st->ins_comm;
		sqlite3_bind_int64(s, 1, st->sid);
		sqlite3_bind_int64(s, 2, e->port);
		bind_text(s, 3, e->a, e->alen);
		step(st, s);
	}
	st->comms_written = st->comms->n;
	if (reset) {
		cap_agg_init(st->comms);
		st->comms_written = 0;
	}
}

/* Writes (or merges into) the event_times row of the bucket being filled: at every commit, so
 * a query sees the bucket of the events committed, and when the next bucket starts. */
static void flush_chunk(struct cap_store *st)
{
	if (!st->chunk.n)
		return;
	sqlite3_stmt *s = st->ins_times;
	sqlite3_bind_int64(s, 1, st->sid);
	sqlite3_bind_int64(s, 2, st->chunk.bucket);
	sqlite3_bind_int64(s, 3, (int64_t)st->chunk.first);
	sqlite3_bind_int64(s, 4, (int64_t)st->chunk.last);
	sqlite3_bind_int64(s, 5, st->chunk.min);
	sqlite3_bind_int64(s, 6, st->chunk.max);
	sqlite3_bind_int64(s, 7, st->chunk.n);
	step(st, s);
	st->chunk.n = 0;
}

static void add_time(struct cap_store *st, uint64_t seq, int64_t t)
{
	int64_t bucket = (int64_t)(seq >> CAP_STORE_BUCKET_SHIFT);
	if (st->chunk.n && bucket != st->chunk.bucket)
		flush_chunk(st); /* seqs out of order (an edited log) merge into the rows they belong to */
	if (!st->chunk.n) {
		st->chunk.bucket = bucket;
		st->chunk.first = st->chunk.last = seq;
		st->chunk.min = st->chunk.max = t;
	}
	if (seq < st->chunk.first)
		st->chunk.first = seq;
	if (seq > st->chunk.last)
		st->chunk.last = seq;
	if (t < st->chunk.min)
		st->chunk.min = t;
	if (t > st->chunk.max)
		st->chunk.max = t;
	st->chunk.n++;
}

static void add_comm(struct cap_store *st, const char *comm, uint32_t len, int64_t pid)
{
	if (!cap_agg_add(st->comms, comm, len, "", 0, pid, 1, 0, 0, 0)) {
		flush_comms(st, true);
		cap_agg_add(st->comms, comm, len, "", 0, pid, 1, 0, 0, 0);
	}
}

static void upsert_file(struct cap_store *st, const char *path, uint32_t plen, const char *op,
			int64_t count, uint64_t bytes, uint64_t seq)
{
	if (!cap_agg_add(st->files, op, strlen(op), path, plen, 0, count, (int64_t)bytes, 0, (int64_t)seq)) {
		flush_files(st);
		cap_agg_add(st->files, op, strlen(op), path, plen, 0, count, (int64_t)bytes, 0, (int64_t)seq);
	}
}



/* The name of a uid from the passwd database, cached: getpwuid_r reads /etc/passwd on every
 * call (it was a fifth of the writer's time on a build that execs a compiler per file). */
static const char *user_name(struct cap_store *st, int64_t uid)
{
	struct passwd pw, *pwp = NULL;
	char buf[1024];
	unsigned i = (unsigned)uid % CAP_STORE_USER_CACHE;
	if (st->users[i].set && st->users[i].uid == uid)
		return st->users[i].name[0] ? st->users[i].name : NULL;
	st->users[i].set = true;
	st->users[i].uid = uid;
	st->users[i].name[0] = 0;
	if (uid >= 0 && uid <= UINT32_MAX && !getpwuid_r((uid_t)uid, &pw, buf, sizeof(buf), &pwp) && pwp)
		snprintf(st->users[i].name, sizeof(st->users[i].name), "%s", pw.pw_name);
	return st->users[i].name[0] ? st->users[i].name : NULL;
}

/* processes: fork starts a row, execve fills it, exit ends it (JSON parsed: these are rare). */
static void process_event(struct cap_store *st, const struct qent *e, const char *kind, const char *comm,
			  const char *json)
{
	bool is_fork = !strcmp(kind, "fork"), is_exec = !strcmp(kind, "execve") && !e->has_ret,
	     is_exit = !strcmp(kind, "exit");
	if (!is_fork && !is_exec && !is_exit)
		return;
	/* bound with SQLITE_STATIC: these live until the statements ran */
	const char *user = NULL;
	json_object *o = json_tokener_parse(json);
	if (!o)
		return;
	if (is_fork) {
		sqlite3_stmt *s = st->ins_proc;
		sqlite3_bind_int64(s, 1, st->sid);
		sqlite3_bind_int64(s, 2, cap_jint(o, "child_pid", e->pid));
		sqlite3_bind_int64(s, 3, e->pid);
		sqlite3_bind_int64(s, 4, e->time_ns);
		sqlite3_bind_int64(s, 5, e->uid);
		bind_opt(s, 6, comm);
		sqlite3_bind_int64(s, 7, (int64_t)e->seq);
		step(st, s);
		st->processes += sqlite3_changes(st->db);
	} else {
		/* update the newest row of this pid; none yet (the first process): add one */
		sqlite3_stmt *s = is_exec ? st->up_exec : st->up_exit;
		sqlite3_bind_int64(s, 1, st->sid);
		sqlite3_bind_int64(s, 2, e->pid);
		if (is_exec) {
			json_object *argv;
			json_object *cred;
			int64_t uid = e->uid;
			if (json_object_object_get_ex(o, "cred", &cred))
				uid = cap_jint(cred, "uid", uid);
			user = user_name(st, uid);
			bind_opt(s, 3, json_object_object_get_ex(o, "argv", &argv)
					       ? json_object_to_json_string_ext(argv, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : NULL);
			bind_opt(s, 4, cap_jstr(o, "exe"));
			bind_opt(s, 5, cap_jstr(o, "cwd"));
			sqlite3_bind_int64(s, 6, uid);
			bind_opt(s, 7, user);
			bind_opt(s, 8, comm);
			bind_opt(s, 9, cap_jstr(o, "image_sha256"));
		} else {
			sqlite3_bind_int64(s, 3, e->time_ns);
			sqlite3_bind_int64(s, 4, cap_jint(o, "status", 0));
			int64_t code = cap_jint(o, "exit_code", -1);
			if (code >= 0)
				sqlite3_bind_int64(s, 5, code);
			bind_opt(s, 6, cap_jstr(o, "signal"));
		}
		/* step without clearing the bindings: the update may run twice */
		int rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc == SQLITE_DONE && !sqlite3_changes(st->db)) {
			sqlite3_stmt *p = st->ins_proc;
			sqlite3_bind_int64(p, 1, st->sid);
			sqlite3_bind_int64(p, 2, e->pid);
			sqlite3_bind_int64(p, 3, e->ppid);
			sqlite3_bind_int64(p, 4, e->time_ns);
			sqlite3_bind_int64(p, 5, e->uid);
			bind_opt(p, 6, comm);
			sqlite3_bind_int64(p, 7, (int64_t)e->seq);
			step(st, p);
			st->processes += sqlite3_changes(st->db);
			step(st, s);
		}
		sqlite3_clear_bindings(s);
	}
	json_object_put(o);
}

/* dns: the asked name of each answer address (dns_names); image: the hash of an exec'd file
 * computed after the exec (processes.exe_sha256). Both rare: JSON parsed here. */
static void named_event(struct cap_store *st, const struct qent *e, const char *kind, const char *json)
{
	json_object *o = json_tokener_parse(json), *addrs;
	if (!o)
		return;
	if (!strcmp(kind, "dns")) {
		const char *name = cap_jstr(o, "name");
		if (name && json_object_object_get_ex(o, "addresses", &addrs) &&
		    json_object_is_type(addrs, json_type_array)) {
			size_t n = json_object_array_length(addrs);
			for (size_t i = 0; i < n && i < 64; i++) {
				json_object *a = json_object_array_get_idx(addrs, i);
				if (!json_object_is_type(a, json_type_string))
					continue;
				sqlite3_stmt *s = st->ins_dns;
				sqlite3_bind_int64(s, 1, st->sid);
				bind_opt(s, 2, json_object_get_string(a));
				bind_opt(s, 3, name);
				sqlite3_bind_int64(s, 4, (int64_t)e->seq);
				step(st, s);
			}
		}
	} else {
		const char *role = cap_jstr(o, "role"), *sha = cap_jstr(o, "sha256");
		if (sha && (!role || !strcmp(role, "exe"))) {
			sqlite3_stmt *s = st->up_image;
			sqlite3_bind_int64(s, 1, st->sid);
			sqlite3_bind_int64(s, 2, e->pid);
			bind_opt(s, 3, sha);
			step(st, s);
		}
	}
	json_object_put(o);
}

static void write_entry(struct cap_store *st, const struct qent *e)
{
	const char *s[S__N];
	const char *p = (const char *)(e + 1);
	for (int i = 0; i < S__N; i++) {
		if (e->len[i] == UINT32_MAX) {
			s[i] = NULL;
			continue;
		}
		s[i] = p;
		p += e->len[i] + 1;
	}
	sqlite3_stmt *q = st->ins_event;
	sqlite3_bind_int64(q, 20, (st->sid << 40) + (int64_t)e->seq);
	sqlite3_bind_int64(q, 1, st->sid);
	sqlite3_bind_int64(q, 2, (int64_t)e->seq);
	sqlite3_bind_int64(q, 3, e->time_ns);
	sqlite3_bind_int64(q, 21, (int64_t)(e->seq >> CAP_STORE_BUCKET_SHIFT));
	for (int i = S_KIND; i <= S_WARNING; i++)
		bind_text(q, 4 + i, s[i], e->len[i]); /* 4 kind .. 8 warning */
	sqlite3_bind_int64(q, 9, e->pid);
	sqlite3_bind_int64(q, 10, e->tid);
	sqlite3_bind_int64(q, 11, e->ppid);
	sqlite3_bind_int64(q, 12, e->uid);
	if (e->has_ret)
		sqlite3_bind_int64(q, 13, e->ret);
	bind_text(q, 14, s[S_PATH], e->len[S_PATH]);
	bind_text(q, 15, s[S_PATH2], e->len[S_PATH2]);
	bind_text(q, 16, s[S_HOST], e->len[S_HOST]);
	if (e->port >= 0)
		sqlite3_bind_int64(q, 17, e->port);
	bind_text(q, 18, s[S_LINE], e->len[S_LINE]);
	bind_text(q, 19, s[S_JSON] ? s[S_JSON] : "{}", s[S_JSON] ? e->len[S_JSON] : 2);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (rc == SQLITE_CONSTRAINT) {
		/* a seq already stored (an edited log): not stored twice, counted as not stored */
		atomic_fetch_add(&st->not_stored, 1);
		return;
	}
	if (rc != SQLITE_DONE) {
		if (!st->write_err) {
			st->write_err = -EIO;
			snprintf(st->write_msg, sizeof(st->write_msg), "%s", sqlite3_errmsg(st->db));
		}
		return;
	}
	atomic_fetch_add_explicit(&st->written, 1, memory_order_relaxed);
	add_time(st, e->seq, e->time_ns);
	if (s[S_COMM])
		add_comm(st, s[S_COMM], e->len[S_COMM], e->pid);

	const char *kind = s[S_KIND] ? s[S_KIND] : "";
	if (s[S_WARNING]) {
		sqlite3_stmt *w = st->ins_warn;
		sqlite3_bind_int64(w, 1, st->sid);
		sqlite3_bind_int64(w, 2, (int64_t)e->seq);
		bind_text(w, 3, s[S_WARNING], e->len[S_WARNING]);
		bind_text(w, 4, s[S_LINE], e->len[S_LINE]);
		step(st, w);
		st->warnings++;
	}
	bool ok = !e->has_ret || e->ret >= 0;
	if (s[S_PATH] && ok) {
		const char *op2, *op = file_op(kind, e->writes, &op2);
		if (op)
			upsert_file(st, s[S_PATH], e->len[S_PATH], op, 1, 0, e->seq);
		if (op2 && s[S_PATH2])
			upsert_file(st, s[S_PATH2], e->len[S_PATH2], op2, 1, 0, e->seq);
		if (!e->has_ret && !strcmp(kind, "execve"))
			upsert_file(st, s[S_PATH], e->len[S_PATH], "exec", 1, 0, e->seq);
	}
	/* a close adds the fd's byte totals to its file: the record's path, else the fd table's */
	const char *bp = s[S_PATH] ? s[S_PATH] : s[S_IOPATH];
	uint32_t bl = s[S_PATH] ? e->len[S_PATH] : e->len[S_IOPATH];
	if (bp && ok && (e->io_read || e->io_write) && !strcmp(kind, "close")) {
		if (e->io_read)
			upsert_file(st, bp, bl, "read", 0, e->io_read, e->seq);
		if (e->io_write)
			upsert_file(st, bp, bl, "write", 0, e->io_write, e->seq);
	}
	if (s[S_HOST]) {
		const char *proto = s[S_PROTO] ? s[S_PROTO] : (!strncmp(s[S_HOST], "unix:", 5) ? "unix" : "?");
		int64_t port = e->port >= 0 ? e->port : 0;
		for (int k = 0; k < 2; k++) {
			if (cap_agg_add(st->peers, proto, strlen(proto), s[S_HOST], e->len[S_HOST], port, 1,
					(int64_t)e->io_write, (int64_t)e->io_read, e->time_ns))
				break;
			flush_peers(st);
		}
	}
	if (s[S_AREA] && !strcmp(s[S_AREA], "proc") && s[S_JSON])
		process_event(st, e, kind, s[S_COMM], s[S_JSON]);
	if ((!strcmp(kind, "dns") || !strcmp(kind, "image")) && s[S_JSON])
		named_event(st, e, kind, s[S_JSON]);
}

/* A line queued by cap_store_line: its columns come from its JSON (json-c; such lines are
 * rare: DNS answers, image hashes), then it is written like any other. */
static void write_parsed(struct cap_store *st, const struct qent *e)
{
	/* only the line and the JSON are set in such an entry, in that order */
	const char *line = e->len[S_LINE] != UINT32_MAX ? (const char *)(e + 1) : NULL;
	const char *json = (const char *)(e + 1) + (line ? e->len[S_LINE] + 1 : 0);
	json_object *o = json_tokener_parse(json);
	struct cap_store_rec r;
	char host[600], err[128];
	if (!o || cap_store_rec_from_json(o, &r, host, sizeof(host), err, sizeof(err))) {
		atomic_fetch_add(&st->not_stored, 1);
		json_object_put(o);
		return;
	}
	if (r.time_ns < 0)
		r.time_ns = st->chunk.n ? st->chunk.max : 0;
	r.json = json;
	r.json_len = e->len[S_JSON];
	r.line = line;
	r.line_len = line ? e->len[S_LINE] : 0;
	const char *s[S__N];
	size_t len[S__N], need = rec_size(&r, s, len);
	struct qent *tmp = malloc(need);
	if (tmp) {
		rec_write(tmp, need, &r, s, len);
		write_entry(st, tmp);
		free(tmp);
	}
	json_object_put(o);
}

static void update_session(struct cap_store *st)
{
	sqlite3_stmt *s = st->up_session;
	sqlite3_bind_int64(s, 1, (int64_t)atomic_load(&st->written));
	sqlite3_bind_int64(s, 2, (int64_t)st->processes);
	sqlite3_bind_int64(s, 3, (int64_t)st->warnings);
	sqlite3_bind_int64(s, 4, (int64_t)atomic_load(&st->not_stored));
	sqlite3_bind_int64(s, 5, st->sid);
	step(st, s);
}

static int exec_sql(sqlite3 *db, const char *sql, char *err, size_t errn)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errn, "%s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

/* Writes every queued entry, at most CAP_STORE_BATCH_MAX per transaction. */
static size_t drain_once(struct cap_store *st)
{
	uint64_t tail = atomic_load_explicit(&st->tail, memory_order_relaxed);
	uint64_t head = atomic_load_explicit(&st->head, memory_order_acquire);
	size_t n = 0;
	char err[256];
	/* Commits reach the WAL without waiting for the disk (synchronous=NORMAL: a crash of
	 * Capsule loses nothing committed); every CAP_STORE_SYNC_MS, and at the end, one commit
	 * waits for it (synchronous=FULL syncs the WAL, earlier commits included), which bounds
	 * what a machine crash can lose. fsync on every commit cost the traced agent's own I/O. */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	bool durable = atomic_load(&st->stop) || now_ms - st->synced_ms >= CAP_STORE_SYNC_MS;
	/* nothing queued: a transaction only for totals still in memory, once they are due */
	if (tail == head && !(durable && (st->files->n || st->peers->n)))
		return 0;
	if (durable)
		exec_sql(st->db, "PRAGMA synchronous=FULL", err, sizeof(err));
	if (exec_sql(st->db, "BEGIN", err, sizeof(err))) {
		if (!st->write_err) {
			st->write_err = -EIO;
			snprintf(st->write_msg, sizeof(st->write_msg), "%s", err);
		}
	}
	while (tail != head && n < CAP_STORE_BATCH_MAX) {
		size_t off = tail % st->qcap;
		if (st->qcap - off < sizeof(uint32_t) || *(uint32_t *)(st->q + off) == QWRAP) {
			tail += st->qcap - off;
			continue;
		}
		const struct qent *e = (const struct qent *)(st->q + off);
		if (e->parse)
			write_parsed(st, e);
		else
			write_entry(st, e);
		tail += e->size;
		n++;
	}
	/* the files and peers totals add up a second of events (the durable commit) before they
	 * are written: with a busy agent most paths recur within a second, not within 50 ms, and
	 * one upsert per path and second instead of per commit is ~10% of the writer's time */
	if (durable) {
		flush_files(st);
		flush_peers(st);
	}
	flush_comms(st, false);
	flush_chunk(st);
	update_session(st);
	if (exec_sql(st->db, "COMMIT", err, sizeof(err)) && !st->write_err) {
		st->write_err = -EIO;
		snprintf(st->write_msg, sizeof(st->write_msg), "%s", err);
	}
	if (durable) {
		exec_sql(st->db, "PRAGMA synchronous=NORMAL", err, sizeof(err));
		st->synced_ms = now_ms;
	}
	/* the space is reused only once the transaction is committed */
	atomic_store_explicit(&st->tail, tail, memory_order_release);
	return n;
}

static void *writer_main(void *arg)
{
	struct cap_store *st = arg;
	/* below the reader and the agent (idle class): on a busy machine the store falls behind
	 * (and counts what it drops) rather than slowing the traced agent or the live timeline */
	struct sched_param sp = { 0 };
	pthread_setname_np(pthread_self(), "capsule-store"); /* in top and perf */
	if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp))
		setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), CAP_STORE_NICE);
	for (;;) {
		bool stop = atomic_load(&st->stop);
		struct timespec c0, c1;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
		size_t n = drain_once(st);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
		atomic_fetch_add(&st->writer_cpu_ns, (c1.tv_sec - c0.tv_sec) * 1000000000ULL + c1.tv_nsec - c0.tv_nsec);
		if (stop && !n)
			break;
		uint64_t fill = atomic_load(&st->head) - atomic_load(&st->tail);
		if (n == CAP_STORE_BATCH_MAX || fill > st->qcap / 4)
			continue;
		/* wait for the next commit slot, or a kick when the queue is a quarter full */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += CAP_STORE_COMMIT_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&st->mu);
		if (!atomic_load(&st->stop) && !atomic_load(&st->kicked))
			pthread_cond_timedwait(&st->cv, &st->mu, &ts);
		atomic_store(&st->kicked, false);
		pthread_mutex_unlock(&st->mu);
	}
	return NULL;
}

static int prepare(sqlite3 *db, sqlite3_stmt **s, const char *sql, char *err, size_t errn)
{
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL) != SQLITE_OK) {
		snprintf(err, errn, "cannot prepare statement: %s", sqlite3_errmsg(db));
		return -EIO;
	}
	return 0;
}

static void store_free(struct cap_store *st)
{
	sqlite3_stmt *all[] = { st->ins_event, st->up_file, st->up_peer, st->ins_warn, st->ins_proc,
				st->up_exec, st->up_exit, st->up_session, st->ins_times, st->ins_dns, st->up_image,
				st->ins_comm };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		sqlite3_finalize(all[i]);
	if (st->db)
		sqlite3_close(st->db);
	pthread_mutex_destroy(&st->mu);
	pthread_cond_destroy(&st->cv);
	free(st->q);
	cap_agg_free(st->files);
	cap_agg_free(st->peers);
	cap_agg_free(st->comms);
	free(st);
}

int cap_store_open(struct cap_store **out, const char *path, const struct cap_store_session *si,
		   unsigned queue_mib, char *err, size_t errn)
{
	struct cap_store *st = calloc(1, sizeof(*st));
	int ret = -EIO;
	/* each connection is used by one thread at a time: no need for SQLite's own mutexes, nor
	 * for its allocation statistics (a global mutex on every malloc: ~5% of the writer's time)
	 * (both fail harmlessly when SQLite was already initialised in this process) */
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (!st)
		return snprintf(err, errn, "out of memory"), -ENOMEM;
	pthread_mutex_init(&st->mu, NULL);
	st->files = st->peers = st->comms = NULL;
	pthread_cond_init(&st->cv, NULL);
	st->qcap = (size_t)(queue_mib ? queue_mib : CAP_STORE_QUEUE_MIB) << 20;
	st->q = malloc(st->qcap);
	st->files = cap_agg_new(CAP_AGG_FILES_KEYS, CAP_AGG_FILES_ARENA);
	st->peers = cap_agg_new(CAP_AGG_SMALL_KEYS, CAP_AGG_SMALL_ARENA);
	st->comms = cap_agg_new(CAP_AGG_SMALL_KEYS, CAP_AGG_SMALL_ARENA);
	if (!st->q || !st->files || !st->peers || !st->comms) {
		snprintf(err, errn, "out of memory for the store queue (%zu MiB)", st->qcap >> 20);
		store_free(st);
		return -ENOMEM;
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL)) {
		snprintf(err, errn, "cannot open database %s: %s", path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 5000);
	char pragmas[512];
	/* 16 KiB pages: shallower index trees, ~30% faster inserts than 4 KiB here */
	snprintf(pragmas, sizeof(pragmas),
		 "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-%d;"
		 "PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=4096;", CAP_STORE_CACHE_MIB * 1024);
	/* WAL: readers (capsule query) never block the writer; synchronous=NORMAL with a synced
	 * commit every CAP_STORE_SYNC_MS (drain_once) */
	if (cap_store_check_db(st->db, path, CAP_STORE_VERSION, err, errn) ||
	    exec_sql(st->db, pragmas, err, errn) ||
	    exec_sql(st->db, cap_store_schema(), err, errn))
		goto fail;
	if (prepare(st->db, &st->ins_event,
		    "INSERT INTO events(id,session,seq,bucket,time_ns,kind,area,comm,error,warning,pid,tid,ppid,uid,ret,"
		    "path,path2,host,port,line,json) VALUES(?20,?1,?2,?21,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)",
		    err, errn) ||
	    prepare(st->db, &st->up_file,
		    "INSERT INTO files(session,path,op,count,bytes,first_seq,last_seq) VALUES(?1,?2,?3,?4,?5,?6,?7) "
		    "ON CONFLICT(session,path,op) DO UPDATE SET count=count+excluded.count, bytes=bytes+excluded.bytes, "
		    "last_seq=excluded.last_seq", err, errn) ||
	    prepare(st->db, &st->up_peer,
		    "INSERT INTO peers(session,addr,port,proto,events,bytes_sent,bytes_received,first_ns,last_ns,dns_name) "
		    "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,(SELECT name FROM dns_names WHERE session=?1 AND addr=?2 "
		    "ORDER BY seq DESC LIMIT 1)) ON CONFLICT(session,addr,port,proto) DO UPDATE SET "
		    "dns_name=coalesce(dns_name, excluded.dns_name), events=events+excluded.events, bytes_sent=bytes_sent+excluded.bytes_sent, "
		    "bytes_received=bytes_received+excluded.bytes_received, last_ns=excluded.last_ns", err, errn) ||
	    prepare(st->db, &st->ins_warn,
		    "INSERT OR REPLACE INTO warnings(session,seq,reason,line) VALUES(?1,?2,?3,?4)", err, errn) ||
	    prepare(st->db, &st->ins_proc,
		    "INSERT OR IGNORE INTO processes(session,pid,ppid,start_ns,uid,comm,start_seq) VALUES(?1,?2,?3,?4,?5,?6,?7)",
		    err, errn) ||
	    prepare(st->db, &st->up_exec,
		    "UPDATE processes SET argv=?3, exe=?4, cwd=?5, uid=?6, user=?7, comm=?8, exe_sha256=?9, execs=execs+1 "
		    "WHERE session=?1 AND pid=?2 AND start_seq=(SELECT max(start_seq) FROM processes WHERE session=?1 AND pid=?2)",
		    err, errn) ||
	    prepare(st->db, &st->up_exit,
		    "UPDATE processes SET exit_ns=?3, exit_status=?4, exit_code=?5, exit_signal=?6 "
		    "WHERE session=?1 AND pid=?2 AND start_seq=(SELECT max(start_seq) FROM processes WHERE session=?1 AND pid=?2)",
		    err, errn) ||
	    prepare(st->db, &st->ins_times,
		    "INSERT INTO event_times(session,bucket,first_seq,last_seq,min_ns,max_ns,events) "
		    "VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(session,bucket) DO UPDATE SET "
		    "first_seq=min(first_seq,excluded.first_seq), last_seq=max(last_seq,excluded.last_seq), "
		    "min_ns=min(min_ns,excluded.min_ns), max_ns=max(max_ns,excluded.max_ns), events=events+excluded.events",
		    err, errn) ||
	    prepare(st->db, &st->ins_comm,
		    "INSERT OR IGNORE INTO comms(session,pid,comm) VALUES(?1,?2,?3)", err, errn) ||
	    prepare(st->db, &st->ins_dns,
		    "INSERT OR IGNORE INTO dns_names(session,addr,name,seq) VALUES(?1,?2,?3,?4)", err, errn) ||
	    prepare(st->db, &st->up_image,
		    "UPDATE processes SET exe_sha256=?3 WHERE session=?1 AND pid=?2 AND "
		    "start_seq=(SELECT max(start_seq) FROM processes WHERE session=?1 AND pid=?2)", err, errn) ||
	    prepare(st->db, &st->up_session,
		    "UPDATE sessions SET events=?1, processes=?2, warnings=?3, not_stored=?4 WHERE id=?5", err, errn))
		goto fail;

	sqlite3_stmt *s;
	if (prepare(st->db, &s,
		    "INSERT INTO sessions(uuid,command,argv,user,uid,start_ns,log_dir,host) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
		    err, errn))
		goto fail;
	bind_opt(s, 1, si->uuid);
	bind_opt(s, 2, si->command);
	bind_opt(s, 3, si->argv_json);
	bind_opt(s, 4, si->user);
	sqlite3_bind_int64(s, 5, si->uid);
	sqlite3_bind_int64(s, 6, si->start_ns ? si->start_ns : now_ns());
	bind_opt(s, 7, si->log_dir);
	bind_opt(s, 8, si->host);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		if (rc == SQLITE_CONSTRAINT) {
			snprintf(err, errn, "%s already holds session %s", path, si->uuid);
			ret = -EEXIST;
		} else {
			snprintf(err, errn, "cannot add the session to %s: %s", path, sqlite3_errmsg(st->db));
		}
		goto fail;
	}
	st->sid = sqlite3_last_insert_rowid(st->db);
	if (pthread_create(&st->writer, NULL, writer_main, st)) {
		snprintf(err, errn, "cannot start the store's writer thread");
		goto fail;
	}
	st->writer_started = true;
	*out = st;
	return 0;
fail:
	store_free(st);
	return ret;
}

void cap_store_set_blocking(struct cap_store *st, bool block)
{
	st->blocking = block;
}

void cap_store_set_final_hash(struct cap_store *st, const char *hex)
{
	if (st && hex)
		snprintf(st->final_hash, sizeof(st->final_hash), "%s", hex);
}

uint64_t cap_store_not_stored(const struct cap_store *st)
{
	return st ? atomic_load(&((struct cap_store *)st)->not_stored) : 0;
}

int cap_store_close(struct cap_store *st, const struct cap_store_end *end, char *err, size_t errn)
{
	int ret = 0;
	if (!st)
		return 0;
	if (st->writer_started) {
		atomic_store(&st->stop, true);
		kick(st);
		pthread_join(st->writer, NULL);
	}
	if (st->write_err) {
		snprintf(err, errn, "database write failed: %s", st->write_msg);
		ret = st->write_err;
	}
	if (end) {
		sqlite3_stmt *s = NULL;
		if (end->stats) {
			end->stats->written = atomic_load(&st->written);
			end->stats->not_stored = atomic_load(&st->not_stored);
			end->stats->writer_cpu_s = atomic_load(&st->writer_cpu_ns) / 1e9;
		}
		if (!prepare(st->db, &s,
			     "UPDATE sessions SET end_ns=?1, exit_status=?2, lost=?3, final_hash=?4, events=?5, "
			     "processes=?6, warnings=?7, not_stored=?8, start_ns=coalesce(?10, start_ns) WHERE id=?9", err, errn)) {
			sqlite3_bind_int64(s, 1, end->end_ns ? end->end_ns : now_ns());
			sqlite3_bind_int64(s, 2, end->exit_status);
			sqlite3_bind_int64(s, 3, (int64_t)end->lost);
			bind_opt(s, 4, st->final_hash[0] ? st->final_hash : NULL);
			sqlite3_bind_int64(s, 5, (int64_t)atomic_load(&st->written));
			sqlite3_bind_int64(s, 6, (int64_t)st->processes);
			sqlite3_bind_int64(s, 7, (int64_t)st->warnings);
			sqlite3_bind_int64(s, 8, (int64_t)atomic_load(&st->not_stored));
			sqlite3_bind_int64(s, 9, st->sid);
			if (end->start_ns)
				sqlite3_bind_int64(s, 10, end->start_ns);
			if (sqlite3_step(s) != SQLITE_DONE && !ret) {
				snprintf(err, errn, "cannot finish the session row: %s", sqlite3_errmsg(st->db));
				ret = -EIO;
			}
			sqlite3_finalize(s);
		} else if (!ret) {
			ret = -EIO;
		}
	}
	store_free(st);
	return ret;
}
