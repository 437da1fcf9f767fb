/* Totals for the files and peers tables (and the set of (pid, comm) pairs): the writer adds
 * every event here and writes one upsert per distinct key once a second, instead of one per
 * event. Bounded: at most CAP_AGG_MAX keys and CAP_AGG_ARENA bytes of keys (pages are touched
 * only as keys arrive); cap_agg_add says when it is full. */
#ifndef CAPSULE_AGG_H
#define CAPSULE_AGG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CAP_AGG_MAX   32768      /* distinct keys per flush */
#define CAP_AGG_SLOTS 65536      /* hash slots (power of two, 2x keys) */
#define CAP_AGG_ARENA (4 << 20)  /* bytes of keys per flush */

struct cap_agg_ent {
	const char *a, *b;    /* files: op, path; peers: proto, addr */
	uint32_t alen, blen;
	int64_t port;         /* peers */
	int64_t count, v1, v2; /* files: count, bytes; peers: events, sent, received */
	int64_t first, last;  /* files: seq; peers: time_ns */
};

struct cap_agg {
	uint32_t slot[CAP_AGG_SLOTS]; /* 0: empty, else index + 1 into ent */
	struct cap_agg_ent ent[CAP_AGG_MAX];
	uint32_t n;
	char arena[CAP_AGG_ARENA];
	size_t used;
};

void cap_agg_init(struct cap_agg *g);
/* Adds to the totals of (a, b, port). Returns false when full: flush, reset, add again. */
bool cap_agg_add(struct cap_agg *g, const char *a, uint32_t alen, const char *b, uint32_t blen, int64_t port,
		 int64_t count, int64_t v1, int64_t v2, int64_t at);

#endif
