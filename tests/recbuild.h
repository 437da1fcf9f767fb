/* Kernel records (include/capsule/event.h) built by hand, for the unit tests and benches that
 * feed the decoder without a kernel. One copy of the layout rules: header, then fields. */
#ifndef CAPSULE_TESTS_RECBUILD_H
#define CAPSULE_TESTS_RECBUILD_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "capsule/event.h"

struct builder {
	uint8_t buf[CAP_REC_MAX];
	size_t off;
};

/* A new record of this type for process pid (also its tid) named comm; the rest is zero. */
static inline struct cap_rec *rec_header(struct builder *b, int type, int nr, uint32_t pid, const char *comm)
{
	struct cap_rec *r = (void *)b->buf;
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->nr = nr;
	r->pid = r->tid = pid;
	snprintf(r->comm, sizeof(r->comm), "%s", comm);
	b->off = sizeof(*r);
	return r;
}

/* Appends a field; a record that would not fit is a bug in the test itself. */
static inline void field(struct builder *b, int type, int arg, const void *data, size_t len)
{
	struct cap_field f = { .len = len, .type = type, .arg = arg };
	if (b->off + sizeof(f) + len > sizeof(b->buf) || len > UINT16_MAX) {
		fprintf(stderr, "recbuild: record of %zu bytes does not fit\n", b->off + sizeof(f) + len);
		abort();
	}
	memcpy(b->buf + b->off, &f, sizeof(f));
	memcpy(b->buf + b->off + sizeof(f), data, len);
	b->off += sizeof(f) + len;
	((struct cap_rec *)b->buf)->nfields++;
}

/* Sets the record's size; returns it. */
static inline size_t finish(struct builder *b)
{
	((struct cap_rec *)b->buf)->size = b->off;
	return b->off;
}

#endif
