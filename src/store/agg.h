/* Totals for the files and peers tables (and the set of (pid, comm) pairs): the writer adds
 * every event here and writes one upsert per distinct key once a second, instead of one per
 * event. Bounded: each table has its own cap on keys and on bytes of keys (memory is touched
 * only as keys arrive); cap_agg_add says when it is full. */
#ifndef CAPSULE_AGG_H
#define CAPSULE_AGG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The caps used by the store (src/store/store.c) */
#define CAP_AGG_FILES_KEYS  16384     /* distinct (path, op) per flush: ~1 MiB of entries */
#define CAP_AGG_FILES_ARENA (2 << 20) /* bytes of paths per flush */
#define CAP_AGG_SMALL_KEYS  4096      /* peers, (pid, comm) pairs */
#define CAP_AGG_SMALL_ARENA (256 << 10)

struct cap_agg_ent {
	const char *a, *b;    /* files: op, path; peers: proto, addr */
	uint32_t alen, blen;
	int64_t port;         /* peers */
	int64_t count, v1, v2; /* files: count, bytes; peers: events, sent, received */
	int64_t first, last;  /* files: seq; peers: time_ns */
};

struct cap_agg {
	uint32_t *slot;       /* nslots (power of two, 2x max keys): 0 empty, else index + 1 into ent */
	uint32_t nslots, max; /* max: the cap on keys */
	struct cap_agg_ent *ent;
	uint32_t n;
	char *arena;
	size_t used, arena_cap;
};

/* A table of at most max_keys keys and arena_bytes bytes of keys; NULL when out of memory. */
struct cap_agg *cap_agg_new(uint32_t max_keys, size_t arena_bytes);
void cap_agg_free(struct cap_agg *g);
/* Empties it (after a flush). */
void cap_agg_init(struct cap_agg *g);
/* Adds to the totals of (a, b, port). Returns false when full: flush, reset, add again. */
bool cap_agg_add(struct cap_agg *g, const char *a, uint32_t alen, const char *b, uint32_t blen, int64_t port,
		 int64_t count, int64_t v1, int64_t v2, int64_t at);

#endif
