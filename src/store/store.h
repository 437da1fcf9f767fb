/* The SQLite session store (schema: src/store/schema.sql, docs/store.md).
 *
 * The tracer's reader calls cap_store_event() per event: it copies the columns into a bounded
 * in-memory queue (a byte ring, one producer, one consumer) and returns at once. A writer
 * thread drains the queue into the database in transactions: at most every
 * CAP_STORE_COMMIT_MS, or sooner when the queue is a quarter full. The reader never waits for
 * the disk; when the queue is full the event is counted in `not_stored` (it is still in
 * events.jsonl) instead of blocking. */
#ifndef CAPSULE_STORE_H
#define CAPSULE_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "trace/decode.h"
#include "enrich/view.h"

#define CAP_STORE_QUEUE_MIB   8       /* default queue size (memory cap of the queue) */
#define CAP_STORE_CACHE_MIB   16      /* SQLite page cache (memory cap of the writer) */
#define CAP_STORE_COMMIT_MS   50      /* longest wait between commits while events arrive */
#define CAP_STORE_SYNC_MS     1000    /* longest time between commits that wait for the disk */
#define CAP_STORE_BATCH_MAX   100000  /* most events in one transaction */
#define CAP_STORE_BUCKET_SHIFT 10   /* index buckets: seq >> 10 (schema.sql says 10 too) */
#define CAP_STORE_MMAP_BYTES  "1073741824" /* readers (capsule query, sessions) map up to 1 GiB */
#define CAP_STORE_SEQ_LIMIT   (1LL << 40) /* events.id = session << 40 | seq: seqs stay below */
#define CAP_STORE_NICE        10      /* the writer thread's nice value when SCHED_IDLE is refused */

struct cap_store;

/* The session row, written when the store opens. Strings may be NULL. */
struct cap_store_session {
	const char *uuid;       /* the session id people see */
	const char *command;    /* escaped for display */
	const char *argv_json;  /* JSON array */
	const char *user;
	int64_t uid;
	int64_t start_ns;
	const char *log_dir;
	const char *host;
};

struct cap_store_stats {
	uint64_t written, not_stored;
	double writer_cpu_s; /* CPU time of the writer thread in its transactions */
};

/* What the session row gets at the end. */
struct cap_store_end {
	struct cap_store_stats *stats; /* filled when not NULL */
	int64_t start_ns;   /* 0: keep the one given at open */
	int64_t end_ns;
	int exit_status;
	uint64_t lost;
};

/* The columns of one event (strings NUL-terminated, already escaped; NULL = absent).
 * Built from a decoded event (live) or from a JSONL record (import). */
struct cap_store_rec {
	uint64_t seq;
	int64_t time_ns;
	int64_t pid, tid, ppid, uid, ret;
	int64_t port;            /* remote port, -1 when none */
	uint64_t io_read, io_write; /* close: bytes read/written on the fd */
	bool has_ret;            /* syscalls have a result; lifecycle records do not */
	bool writes;             /* an open for writing, or a call that changes a file */
	bool parse;              /* queued by cap_store_line: the writer fills the columns from json */
	const char *kind, *area, *comm, *error, *warning;
	const char *path, *path2, *host, *proto;
	const char *io_path;     /* close without a path: the file the fd was (fd table), for byte totals */
	const char *line;        /* the text line, no newline */
	const char *json;        /* the JSONL record, no newline */
	size_t line_len, json_len; /* 0: strlen */
};

/* Opens (creates) the database at path, adds the session row and starts the writer thread.
 * queue_mib 0: the default. Returns 0 or -errno with a readable message in err. */
int cap_store_open(struct cap_store **out, const char *path, const struct cap_store_session *si,
		   unsigned queue_mib, char *err, size_t errn);
/* Reader thread, per event: json/line are the formatted records (a trailing newline is
 * dropped). Never blocks on the disk. */
void cap_store_event(struct cap_store *st, const struct cap_event *ev, const struct cap_view *v,
		     const char *json, size_t jlen, const char *line, size_t llen);
/* A JSONL line that is not a decoded event (a DNS answer, an image hash, a stand-in for a
 * record cut short), with its text line (llen may be 0): the writer thread reads its columns
 * from the JSON (json-c) as capsule import does. Never blocks. 0, -EINVAL or -ENOSPC. */
int cap_store_line(struct cap_store *st, const char *json, size_t jlen, const char *line, size_t llen);
/* Same, from columns built elsewhere (import). Waits for room instead of dropping when
 * wait is true. Returns 0, or -ENOSPC when the event was not queued. */
int cap_store_push(struct cap_store *st, const struct cap_store_rec *r, bool wait);
/* Blocking mode (import, bench): cap_store_event waits for room instead of counting the
 * event as not stored. Never for capsule run's reader. */
void cap_store_set_blocking(struct cap_store *st, bool block);
/* Hash chain: the SHA-256 hex of the session's last events.jsonl line; written to
 * sessions.final_hash when the store closes (call before cap_store_close). */
void cap_store_set_final_hash(struct cap_store *st, const char *hex);
/* Events that could not be queued (queue full) so far. */
uint64_t cap_store_not_stored(const struct cap_store *st);
/* Drains the queue, writes the end of the session row, stops the writer, closes the
 * database and frees st. end may be NULL (session left open, as after a crash).
 * Returns 0 or -errno with a message in err. */
int cap_store_close(struct cap_store *st, const struct cap_store_end *end, char *err, size_t errn);

/* "1.2.3.4:80" / "[::1]:80" -> host "1.2.3.4" and port 80; "unix:/p" -> host "unix:/p",
 * port -1; anything else (netlink, family names) -> host "" and port -1. */
void cap_store_split_addr(const char *addr, char *host, size_t n, int64_t *port);

/* The schema (src/store/schema.sql). */
const char *cap_store_schema(void);

/* ---- reading (src/store/db.c) ---- */
typedef struct sqlite3 sqlite3;
#define CAP_STORE_VERSION 2 /* PRAGMA user_version of src/store/schema.sql */
/* Opens an existing database, read-only (SQLITE_OPEN_READONLY) or read-write, and checks it
 * is a Capsule store of version min_version .. CAP_STORE_VERSION (the sessions table is the
 * same since 1; the event indexes that queries and the writer use are 2's). Returns 0 or
 * -errno with a readable message in err. */
int cap_store_open_existing(sqlite3 **db, const char *path, bool readonly, int min_version, char *err, size_t errn);
/* Checks that an open database is readable and is empty or a Capsule store of version
 * min_version .. CAP_STORE_VERSION. 0 or -errno with a readable message ("file is not a
 * database", "written by an older capsule: rebuild it with capsule import", ...). */
int cap_store_check_db(sqlite3 *db, const char *path, int min_version, char *err, size_t errn);
/* Settings for a database that may have been crafted: no trusted schema, defensive mode. */
void cap_store_harden(sqlite3 *db);

#endif
