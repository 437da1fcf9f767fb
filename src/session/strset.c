#include <stdlib.h>
#include <string.h>
#include "session/strset.h"

static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

void strset_init(struct strset *s, size_t max)
{
	memset(s, 0, sizeof(*s));
	s->max = max;
}

static int grow(struct strset *s)
{
	size_t n = s->nslots ? s->nslots * 2 : 64;
	char **slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t i = 0; i < s->nslots; i++) {
		char *str = s->slots[i];
		if (!str)
			continue;
		size_t j = hash(str, strlen(str)) & (n - 1);
		while (slots[j])
			j = (j + 1) & (n - 1);
		slots[j] = str;
	}
	free(s->slots);
	s->slots = slots;
	s->nslots = n;
	return 0;
}

int strset_add(struct strset *s, const char *str, size_t len)
{
	if (s->count * 2 >= s->nslots && s->count < s->max && grow(s))
		return -1;
	if (!s->nslots)
		return -1;
	size_t j = hash(str, len) & (s->nslots - 1);
	while (s->slots[j]) {
		if (!strncmp(s->slots[j], str, len) && s->slots[j][len] == 0)
			return 0;
		j = (j + 1) & (s->nslots - 1);
	}
	if (s->count >= s->max || s->count * 2 >= s->nslots) {
		s->overflow++;
		return -1;
	}
	s->slots[j] = strndup(str, len);
	if (!s->slots[j])
		return -1;
	s->count++;
	return 1;
}

void strset_free(struct strset *s)
{
	for (size_t i = 0; i < s->nslots; i++)
		free(s->slots[i]);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}
