/* A set of strings with a cap on its size: what the summary counts (files, hosts). Inserts
 * beyond the cap are counted, not stored, so an agent cannot grow Capsule without bound. */
#ifndef CAPSULE_STRSET_H
#define CAPSULE_STRSET_H
#include <stddef.h>
#include <stdint.h>

struct strset {
	char **slots;
	size_t nslots;   /* power of two */
	size_t count;    /* stored */
	size_t max;      /* cap on stored entries */
	uint64_t overflow; /* inserts of new strings refused by the cap */
};

void strset_init(struct strset *s, size_t max);
/* Returns 1 when added, 0 when already present, -1 when refused (cap or no memory). */
int strset_add(struct strset *s, const char *str, size_t len);
void strset_free(struct strset *s);
/* Visits stored entries in insertion-independent order. */
#define strset_foreach(s, i, str) \
	for (size_t i = 0; i < (s)->nslots; i++) \
		for (const char *str = (s)->slots[i]; str; str = NULL)

#endif
