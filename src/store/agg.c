#include <stdlib.h>
#include <string.h>
#include "store/agg.h"

struct cap_agg *cap_agg_new(uint32_t max_keys, size_t arena_bytes)
{
	struct cap_agg *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->max = max_keys;
	g->nslots = 1;
	while (g->nslots < 2 * max_keys)
		g->nslots <<= 1;
	g->arena_cap = arena_bytes;
	g->slot = calloc(g->nslots, sizeof(*g->slot));
	g->ent = malloc((size_t)max_keys * sizeof(*g->ent));
	g->arena = malloc(arena_bytes);
	if (!g->slot || !g->ent || !g->arena) {
		cap_agg_free(g);
		return NULL;
	}
	return g;
}

void cap_agg_free(struct cap_agg *g)
{
	if (!g)
		return;
	free(g->slot);
	free(g->ent);
	free(g->arena);
	free(g);
}

void cap_agg_init(struct cap_agg *g)
{
	memset(g->slot, 0, (size_t)g->nslots * sizeof(*g->slot));
	g->n = 0;
	g->used = 0;
}

static uint64_t hash(const char *s, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL; /* FNV-1a */
	return h;
}

bool cap_agg_add(struct cap_agg *g, const char *a, uint32_t alen, const char *b, uint32_t blen, int64_t port,
		 int64_t count, int64_t v1, int64_t v2, int64_t at)
{
	uint64_t h = hash(b, blen, hash(a, alen, 0xcbf29ce484222325ULL) ^ (uint64_t)port);
	uint32_t i = h & (g->nslots - 1);
	for (;; i = (i + 1) & (g->nslots - 1)) {
		uint32_t k = g->slot[i];
		if (!k)
			break;
		struct cap_agg_ent *e = &g->ent[k - 1];
		if (e->port == port && e->alen == alen && e->blen == blen && !memcmp(e->b, b, blen) &&
		    !memcmp(e->a, a, alen)) {
			e->count += count;
			e->v1 += v1;
			e->v2 += v2;
			e->last = at;
			return true;
		}
	}
	if (g->n >= g->max || g->used + alen + blen > g->arena_cap)
		return false;
	struct cap_agg_ent *e = &g->ent[g->n];
	char *p = g->arena + g->used;
	memcpy(p, a, alen);
	memcpy(p + alen, b, blen);
	g->used += alen + blen;
	*e = (struct cap_agg_ent){ .a = p, .alen = alen, .b = p + alen, .blen = blen, .port = port,
				   .count = count, .v1 = v1, .v2 = v2, .first = at, .last = at };
	g->slot[i] = ++g->n;
	return true;
}
