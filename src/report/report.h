/* capsule report: a finished session summed up for people (text, HTML) and auditors
 * (template rollups). The loaders (events.jsonl, session.db) feed one event at a time, as a
 * json-c object, to rep_add_event(); the renderers read the bounded model it builds.
 * Every string kept here came from the agent: it is stored "safe" (see rep_safe) and
 * escaped again for the output format (HTML) by the renderer. */
#ifndef CAPSULE_REPORT_H
#define CAPSULE_REPORT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json_object;
struct json_tokener;
struct rep_template;

/* Caps: every table an agent can grow is bounded; what does not fit is counted and the
 * report says how much was left out. */
#define REP_MAX_PROCS     4096   /* processes in the tree */
#define REP_MAX_FILES     8192   /* distinct paths */
#define REP_MAX_HOSTS     1024   /* distinct peers */
#define REP_MAX_DEVS      256    /* distinct (device class, path) */
#define REP_MAX_WARN_KINDS 64
#define REP_MAX_DNS       512    /* distinct (name, type) looked up */
#define REP_MAX_LINES     200    /* kept lines per list (warnings, credentials, namespaces, devices) */
#define REP_MAX_FDS       65536  /* open (pid, fd) -> file/host, to add close-time byte counts */
#define REP_MAX_TIMELINE  20000  /* events drawn on the HTML timeline */
#define REP_BUCKETS       240    /* activity chart columns (width doubles as the session grows) */
#define REP_LINE_MAX      1024   /* one rendered event line */
#define REP_AREAS         10

extern const char *const rep_area_names[REP_AREAS];
int rep_area_index(const char *name); /* -1 when unknown */

enum rep_access {
	REP_READ = 1, REP_WRITE = 2, REP_DELETE = 4, REP_EXEC = 8, REP_CHANGE = 16,
};

struct rep_proc {
	int pid, ppid;
	int parent;          /* index of the parent in procs, or -1 */
	char comm[64];
	char *exe, *cmdline; /* safe strings, may be NULL */
	int64_t start_ns, end_ns; /* relative to the session start; end -1 while unknown */
	char exit[48];       /* "exit 0", "SIGKILL", "" */
	uint64_t cpu_ns, maxrss_kb;
	uint64_t events, execs;
	bool has_exit;
};

struct rep_file {
	char *path;          /* safe */
	unsigned access;     /* enum rep_access, successful calls only */
	unsigned failed;     /* calls that failed (any access) */
	uint64_t read_bytes, write_bytes, events;
	int sensitive;       /* 2 secret, 1 persistence, 0 */
};

struct rep_host {
	char proto[16];
	char *addr;          /* "127.0.0.1:8080", "unix:/run/x.sock" (safe) */
	char *dns;           /* DNS name when the log has one */
	uint64_t connects, accepts, sends, recvs, sent_bytes, recv_bytes, failed;
};

struct rep_device {
	char cls[32];
	char *path;          /* safe, may be NULL */
	uint64_t opens, ioctls, failed;
};

struct rep_dns {             /* a DNS lookup seen on the wire (kind "dns", safe strings) */
	char *name;
	char type[16], rcode[16];
	char *addresses;         /* of the last answer, "" when none */
	uint64_t n, unanswered;
};

struct rep_count {
	char *name;
	uint64_t n;
};

struct rep_lines {
	char *line[REP_MAX_LINES];
	size_t n, total;
};

struct rep_tl_event {        /* one mark on the HTML timeline */
	int64_t t_ns;
	int proc;                /* index in procs */
	uint8_t area;
	bool warning;
	uint32_t line;           /* index in tl_text */
};

struct rep_evidence {
	struct rep_lines lines;
};

struct rep_session {
	char id[128], command[4096], user[128], final_hash[80];
	char start_time[40];         /* RFC 3339 of the first event */
	bool have_summary;
	long exit_status;
	double duration_s;
	uint64_t summary_recorded, summary_lost;
	uint64_t peak_rss_kb;        /* Capsule's own */
	/* what was read */
	uint64_t events, malformed;  /* events taken in, lines that were not events */
	bool truncated;              /* the log ended in the middle of a line */
	char damage[512];            /* why reading stopped early (a damaged database), or "" */
	char source[4096];           /* file or database it came from */
	int64_t t0_ns, last_ns;      /* first event (absolute ns), last event (relative) */
	uint64_t by_area[REP_AREAS];
	uint64_t warnings_total;
	/* tables */
	struct rep_proc *procs; size_t nprocs, procs_dropped;
	struct rep_file *files; size_t nfiles, files_dropped;
	struct rep_host *hosts; size_t nhosts, hosts_dropped;
	struct rep_device *devs; size_t ndevs, devs_dropped;
	struct rep_count *warn_kinds; size_t nwarn_kinds, warn_kinds_dropped;
	struct rep_dns *dns; size_t ndns, dns_dropped;
	/* the lines that made them */
	struct rep_lines warnings, creds, namespaces, signals, denied, system;
	uint64_t cpu_ns, io_read, io_written, maxrss_kb;
	/* timeline and charts */
	struct rep_tl_event *tl; size_t ntl, tl_dropped;
	char **tl_text;
	int64_t bucket_ns;           /* width of a chart column */
	uint32_t buckets[REP_BUCKETS][REP_AREAS];
	uint32_t bucket_warn[REP_BUCKETS];
	/* template rollup (optional) */
	const struct rep_template *tpl;
	struct rep_evidence *evidence; /* one per criterion */
	/* private lookup tables */
	void *priv;
};

int rep_session_init(struct rep_session *s, const struct rep_template *tpl);
void rep_session_free(struct rep_session *s);
/* Adds one event (an events.jsonl object). Never fails on odd input: missing or mistyped
 * fields are skipped. Returns 0 or -ENOMEM. */
int rep_add_event(struct rep_session *s, struct json_object *ev);
/* Parses one record's text (a JSONL line or a database's json column) and adds it; text that
 * is not one JSON object is counted as malformed. Returns what rep_add_event returns. */
int rep_add_json(struct rep_session *s, struct json_tokener *tok, const char *text, size_t len);
/* Takes what summary.json (or the store's sessions row) says about the session. */
void rep_set_summary(struct rep_session *s, struct json_object *sum);
/* Sorts the tables for output (sensitive files first, then by directory). */
void rep_finish(struct rep_session *s);

/* Loaders. Library code: they return negative errno and fill err with a one-line message. */
int rep_load_dir(struct rep_session *s, const char *dir, char *err, size_t errn);
/* summary.json: 0, -errno, or -EINVAL when it is not a JSON object */
int rep_load_summary(struct rep_session *s, const char *path);
int rep_load_jsonl(struct rep_session *s, const char *file, char *err, size_t errn);
/* session NULL: the database's only (or newest) session. */
int rep_load_db(struct rep_session *s, const char *db, const char *session, char *err, size_t errn);

/* Renderers. */
void rep_write_text(FILE *f, const struct rep_session *s);
void rep_write_template(FILE *f, const struct rep_session *s);
void rep_write_html(FILE *f, const struct rep_session *s);

/* Helpers shared by the renderers and tests. */
/* Copies an agent string so that it holds no control byte, no invalid UTF-8 and no bidi
 * override: strings of events.jsonl are already escaped that way (then nothing changes);
 * a hand-edited or forged log gets its bad bytes written as \xNN. Returns a malloc'd string. */
char *rep_safe(const char *s);
size_t rep_safe_into(char *out, size_t n, const char *s);
/* One readable line for an event: "[12:01:03.513] P4321 (comm) openat /etc/passwd -> 3 ⚠ …". */
void rep_access_words(char *out, size_t n, unsigned access); /* "read, written, ..." */
size_t rep_event_line(struct json_object *ev, int64_t time_ns, char *out, size_t n);
/* Nanoseconds since the epoch of an RFC 3339 "…Z" time, or -1. */
int64_t rep_parse_time(const char *t);
void rep_fmt_duration(char *out, size_t n, double seconds);
void rep_fmt_bytes(char *out, size_t n, uint64_t bytes);

#endif
