/* The end-of-session summary: what the agent did, in numbers a person can read at a glance. */
#ifndef CAPSULE_SUMMARY_H
#define CAPSULE_SUMMARY_H
#include <stdio.h>
#include <stdint.h>
#include "session/strset.h"
#include "trace/decode.h"
#include "enrich/view.h"
#include "enrich/fdtable.h"

#define CAP_SUMMARY_WARN_KINDS 32

struct cap_summary {
	uint64_t events, malformed;
	uint64_t lost, truncated;       /* from the kernel's counters */
	uint64_t processes, threads, execs;
	uint64_t by_area[AREA__COUNT];
	struct strset files_read, files_written, files_deleted, hosts;
	uint64_t dns_queries, dns_answers, dns_malformed; /* from src/enrich/dns.c, set at the end */
	uint64_t warnings;
	struct { const char *reason; uint64_t n; } warn[CAP_SUMMARY_WARN_KINDS];
};

void cap_summary_init(struct cap_summary *s);
void cap_summary_add(struct cap_summary *s, const struct cap_event *ev, const struct cap_view *v);
void cap_summary_free(struct cap_summary *s);
/* n more warnings of this kind (reason: a string literal) */
void cap_summary_warn(struct cap_summary *s, const char *reason, uint64_t n);

struct cap_session_info {
	const char *id;
	const char *command;   /* escaped for display */
	const char *user;
	const char *log_dir;
	const char *home;      /* the agent's home: shown as ~ in the printed paths (NULL: none) */
	double duration_s;
	int exit_status;       /* as capsule exits: code, or 128+signal */
	uint64_t leftover_killed;
	long peak_rss_kb;      /* capsule's own */
	const char *final_hash; /* hash chain of events.jsonl (log/chain.h), or NULL */
	uint64_t chain_records; /* lines in that chain */
	const struct cap_fdt_stats *fdt; /* the fd table's sizes and evictions, or NULL */
};

/* The length of the home prefix of path ("/home/u" of "/home/u/.bashrc"), or 0. */
size_t cap_home_prefix(const char *path, const char *home);

void cap_summary_print(FILE *f, const struct cap_summary *s, const struct cap_session_info *si, int color);
void cap_summary_json(FILE *f, const struct cap_summary *s, const struct cap_session_info *si);

#endif
