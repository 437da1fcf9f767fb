/* Raw ring-buffer records into validated events. Every byte here came from the kernel side,
 * but strings and buffers inside came from the traced agent: nothing is trusted, every length
 * is checked against the record, and the decoder never reads outside it. */
#ifndef CAPSULE_DECODE_H
#define CAPSULE_DECODE_H
#include <stddef.h>
#include <stdint.h>
#include "capsule/event.h"
#include "trace/syscalls.h"

#define CAP_MAX_FIELDS 32

struct cap_fieldref {
	const uint8_t *data;
	uint16_t len;
	uint8_t type;
	uint8_t arg;
};

struct cap_event {
	struct cap_rec hdr;             /* copied: aligned access */
	const struct cap_syscall *sc;   /* CAP_REC_SYSCALL: the table entry */
	struct cap_fieldref fields[CAP_MAX_FIELDS];
	unsigned nfields;
	uint64_t seq;                   /* set by the session: monotonic */
	int64_t realtime_ns;            /* wall clock of hdr.ts */
};

/* Returns 0, or -EINVAL for a record that is malformed (counted by the caller). */
int cap_decode(struct cap_event *ev, const void *data, size_t size);

/* The first field of this type for this argument (arg < 0: any), or NULL. */
const struct cap_fieldref *cap_event_field(const struct cap_event *ev, int type, int arg);
/* Copies a fixed-size struct field (cap_fileinfo, ...) into out; 0 when absent or short. */
int cap_event_struct(const struct cap_event *ev, int type, int arg, void *out, size_t size);

/* The event's kind: the syscall name, or execve / fork / thread / exit / signal. */
const char *cap_event_kind(const struct cap_event *ev);
/* enum cap_area of the event */
unsigned cap_event_area(const struct cap_event *ev);

#endif
